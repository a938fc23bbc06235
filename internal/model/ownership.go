package model

import (
	"fmt"
	"strings"
)

// ManagedBy names the provider on everything it writes: the managed-by tag
// on AWS objects, the managed-by label and the server-side-apply field
// manager on Kubernetes objects. It marks; it does not prove ownership.
const ManagedBy = "terraform-provider-zerotrust"

// OwnershipError reports an object that exists under the requested name but
// belongs to another resource instance (or to no zerotrust resource).
type OwnershipError struct {
	Kind, Name, ID string
	// Owner is the object's ownership id; "" when it carries none.
	Owner string
	// Import is the `terraform import` id that would manage it deliberately.
	Import string
}

func (e *OwnershipError) Error() string {
	owner := "it carries no ownership id of this provider"
	if e.Owner != "" {
		owner = "it belongs to another zerotrust resource (ownership id " + e.Owner + ")"
	}
	article := "a"
	if strings.ContainsAny(e.Kind[:1], "aeiou") {
		article = "an"
	}
	return fmt.Sprintf("%s %s named %q already exists (%s) and %s; it is never taken over by name. "+
		"Choose another name, or manage that object from this configuration deliberately with "+
		"`terraform import <address> %s` (an import block works too) after removing it from the state that owns it",
		article, e.Kind, e.Name, e.ID, owner, e.Import)
}
