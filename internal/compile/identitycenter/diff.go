package identitycenter

import "sort"

// Changes is the minimal set of SSO Admin operations that turn a live
// permission set into the desired one. Slices are sorted; an empty Changes
// means nothing to do.
type Changes struct {
	// Replace: the names differ and a permission set cannot be renamed.
	Replace bool
	// UpdateAttributes: description or session duration differ (UpdatePermissionSet).
	UpdateAttributes bool

	CreateAssignments []Assignment
	DeleteAssignments []Assignment

	AttachManagedPolicies []string
	DetachManagedPolicies []string

	AttachCustomerManagedPolicies []PolicyReference
	DetachCustomerManagedPolicies []PolicyReference

	PutInlinePolicy    bool // desired text differs from live (canonically)
	DeleteInlinePolicy bool // desired has none, live has one

	PutPermissionsBoundary    bool
	DeletePermissionsBoundary bool
}

// Empty reports whether there is nothing to change.
func (c Changes) Empty() bool {
	return !c.Replace && !c.UpdateAttributes &&
		len(c.CreateAssignments) == 0 && len(c.DeleteAssignments) == 0 &&
		len(c.AttachManagedPolicies) == 0 && len(c.DetachManagedPolicies) == 0 &&
		len(c.AttachCustomerManagedPolicies) == 0 && len(c.DetachCustomerManagedPolicies) == 0 &&
		!c.PutInlinePolicy && !c.DeleteInlinePolicy && !c.PutPermissionsBoundary && !c.DeletePermissionsBoundary
}

// NeedsProvision reports whether a policy-level change must be pushed to the
// accounts already assigned (ProvisionPermissionSet) after it is made.
func (c Changes) NeedsProvision() bool {
	return c.UpdateAttributes || len(c.AttachManagedPolicies) > 0 || len(c.DetachManagedPolicies) > 0 ||
		len(c.AttachCustomerManagedPolicies) > 0 || len(c.DetachCustomerManagedPolicies) > 0 ||
		c.PutInlinePolicy || c.DeleteInlinePolicy || c.PutPermissionsBoundary || c.DeletePermissionsBoundary
}

// Diff compares a desired permission set (from Compile) with the live one as
// read from AWS. Both sides are normalized first — duplicates dropped, empty
// customer-managed paths read as "/", session durations in normal form ("" as
// PT1H), inline policies compared canonically — so Diff(x, x) is empty and
// reading back what was applied never shows a change. Assignments and
// attachments are set differences: nothing that already matches is touched.
func Diff(desired, live PermissionSet) Changes {
	var c Changes
	c.Replace = desired.Name != live.Name
	c.UpdateAttributes = desired.Description != live.Description ||
		sessionOrDefault(desired.SessionDuration) != sessionOrDefault(live.SessionDuration)

	c.CreateAssignments, c.DeleteAssignments = diffAssignments(desired.Assignments, live.Assignments)
	c.AttachManagedPolicies, c.DetachManagedPolicies = diffStrings(desired.ManagedPolicies, live.ManagedPolicies)
	c.AttachCustomerManagedPolicies, c.DetachCustomerManagedPolicies = diffReferences(desired.CustomerManagedPolicies, live.CustomerManagedPolicies)

	switch {
	case desired.InlinePolicy == "" && live.InlinePolicy != "":
		c.DeleteInlinePolicy = true
	case desired.InlinePolicy != "" && !PolicyEqual(desired.InlinePolicy, live.InlinePolicy):
		c.PutInlinePolicy = true
	}

	db, lb := normalizeBoundary(desired.PermissionsBoundary), normalizeBoundary(live.PermissionsBoundary)
	switch {
	case db == nil && lb != nil:
		c.DeletePermissionsBoundary = true
	case db != nil && (lb == nil || !boundaryEqual(*db, *lb)):
		c.PutPermissionsBoundary = true
	}
	return c
}

func sessionOrDefault(s string) string {
	if s == "" {
		return DefaultSessionDuration
	}
	if n, err := NormalizeSessionDuration(s); err == nil {
		return n
	}
	return s // unparsable live value: compared verbatim, so it differs
}

func normalizeBoundary(b *Boundary) *Boundary {
	if b == nil || (b.ManagedPolicyARN == "" && b.CustomerManagedPolicy == nil) {
		return nil
	}
	return b
}

func boundaryEqual(a, b Boundary) bool {
	if a.ManagedPolicyARN != b.ManagedPolicyARN {
		return false
	}
	if (a.CustomerManagedPolicy == nil) != (b.CustomerManagedPolicy == nil) {
		return false
	}
	return a.CustomerManagedPolicy == nil || a.CustomerManagedPolicy.String() == b.CustomerManagedPolicy.String()
}

func diffStrings(desired, live []string) (add, remove []string) {
	want, have := map[string]bool{}, map[string]bool{}
	for _, s := range desired {
		want[s] = true
	}
	for _, s := range live {
		have[s] = true
	}
	for s := range want {
		if !have[s] {
			add = append(add, s)
		}
	}
	for s := range have {
		if !want[s] {
			remove = append(remove, s)
		}
	}
	sort.Strings(add)
	sort.Strings(remove)
	return add, remove
}

func diffReferences(desired, live []PolicyReference) (add, remove []PolicyReference) {
	d, l := normalizeReferences(desired), normalizeReferences(live)
	want, have := map[PolicyReference]bool{}, map[PolicyReference]bool{}
	for _, r := range d {
		want[r] = true
	}
	for _, r := range l {
		have[r] = true
	}
	for _, r := range d {
		if !have[r] {
			add = append(add, r)
		}
	}
	for _, r := range l {
		if !want[r] {
			remove = append(remove, r)
		}
	}
	return add, remove // already sorted: normalizeReferences sorts
}

func diffAssignments(desired, live []Assignment) (create, del []Assignment) {
	want, have := map[string]Assignment{}, map[string]Assignment{}
	for _, a := range desired {
		want[a.key()] = a
	}
	for _, a := range live {
		have[a.key()] = a
	}
	for k, a := range want {
		if _, ok := have[k]; !ok {
			create = append(create, a)
		}
	}
	for k, a := range have {
		if _, ok := want[k]; !ok {
			del = append(del, a)
		}
	}
	sortAssignments(create)
	sortAssignments(del)
	return create, del
}

func sortAssignments(as []Assignment) {
	sort.Slice(as, func(i, j int) bool {
		if as[i].AccountID != as[j].AccountID {
			return as[i].AccountID < as[j].AccountID
		}
		if as[i].PrincipalType != as[j].PrincipalType {
			return as[i].PrincipalType < as[j].PrincipalType
		}
		return as[i].PrincipalID < as[j].PrincipalID
	})
}
