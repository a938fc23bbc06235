package provider

import (
	"slices"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
)

// TestTakeoverRemovals: taking over an interrupted create's permission set
// names everything the configuration does not declare, and only that.
func TestTakeoverRemovals(t *testing.T) {
	a := identitycenter.Assignment{AccountID: "111111111111", PrincipalType: "GROUP", PrincipalID: "g-1"}
	b := identitycenter.Assignment{AccountID: "222222222222", PrincipalType: "GROUP", PrincipalID: "g-2"}
	desired := identitycenter.PermissionSet{Name: "ps", InlinePolicy: `{"Version":"2012-10-17"}`, Assignments: []identitycenter.Assignment{a}}
	live := identitycenter.PermissionSet{Name: "ps", ManagedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"},
		Assignments: []identitycenter.Assignment{a, b}}
	got := takeoverRemovals(identitycenter.Diff(desired, live), live)
	want := []string{"account assignment " + b.String(), "managed policy arn:aws:iam::aws:policy/AdministratorAccess"}
	if !slices.Equal(got, want) {
		t.Errorf("removals %q, want %q", got, want)
	}
	live.InlinePolicy = `{"Version":"2012-10-17","Statement":[]}`
	if got := takeoverRemovals(identitycenter.Diff(desired, live), live); !slices.Contains(got, "inline policy (replaced by the configuration's)") {
		t.Errorf("a replaced inline policy is not named: %q", got)
	}
	if got := takeoverRemovals(identitycenter.Diff(desired, desired), desired); len(got) != 0 {
		t.Errorf("nothing to remove, got %q", got)
	}
}
