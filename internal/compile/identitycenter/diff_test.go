package identitycenter

import (
	"reflect"
	"testing"
)

func TestDiff(t *testing.T) {
	g := testGroup
	as := func(accts ...string) []Assignment {
		var out []Assignment
		for _, a := range accts {
			out = append(out, Assignment{AccountID: a, PrincipalType: PrincipalTypeGroup, PrincipalID: g})
		}
		return out
	}
	desired := PermissionSet{
		Name: "ps", Description: "d", SessionDuration: "PT1H30M",
		InlinePolicy:            `{"Statement":{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"},"Version":"2012-10-17"}`,
		ManagedPolicies:         []string{"arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"},
		CustomerManagedPolicies: []PolicyReference{{Name: "C", Path: "/"}, {Name: "D", Path: "/x/"}},
		PermissionsBoundary:     &Boundary{ManagedPolicyARN: "arn:aws:iam::aws:policy/PowerUserAccess"},
		Assignments:             as("111111111111", "222222222222"),
	}

	// Live as AWS returns it: reordered, pretty-printed policy, empty default path, PT90M.
	live := PermissionSet{
		Name: "ps", Description: "d", SessionDuration: "PT90M",
		InlinePolicy:            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Resource\": \"*\", \"Action\": \"s3:GetObject\"}\n}\n",
		ManagedPolicies:         []string{"arn:aws:iam::aws:policy/B", "arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/A"},
		CustomerManagedPolicies: []PolicyReference{{Name: "D", Path: "/x/"}, {Name: "C"}},
		PermissionsBoundary:     &Boundary{ManagedPolicyARN: "arn:aws:iam::aws:policy/PowerUserAccess"},
		Assignments:             as("222222222222", "111111111111"),
	}
	if c := Diff(desired, live); !c.Empty() || c.NeedsProvision() {
		t.Fatalf("no-op diff not empty: %+v", c)
	}
	if c := Diff(desired, desired); !c.Empty() {
		t.Fatalf("Diff(x, x) not empty: %+v", c)
	}

	live = PermissionSet{
		Name: "ps", Description: "old", SessionDuration: "",
		InlinePolicy:            `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
		ManagedPolicies:         []string{"arn:aws:iam::aws:policy/B", "arn:aws:iam::aws:policy/Z"},
		CustomerManagedPolicies: []PolicyReference{{Name: "C", Path: "/other/"}},
		PermissionsBoundary:     &Boundary{CustomerManagedPolicy: &PolicyReference{Name: "Bnd"}},
		Assignments:             append(as("222222222222", "333333333333"), Assignment{AccountID: "111111111111", PrincipalType: "USER", PrincipalID: g}),
	}
	got := Diff(desired, live)
	want := Changes{
		UpdateAttributes:              true,
		CreateAssignments:             as("111111111111"),
		DeleteAssignments:             []Assignment{{AccountID: "111111111111", PrincipalType: "USER", PrincipalID: g}, as("333333333333")[0]},
		AttachManagedPolicies:         []string{"arn:aws:iam::aws:policy/A"},
		DetachManagedPolicies:         []string{"arn:aws:iam::aws:policy/Z"},
		AttachCustomerManagedPolicies: []PolicyReference{{Name: "C", Path: "/"}, {Name: "D", Path: "/x/"}},
		DetachCustomerManagedPolicies: []PolicyReference{{Name: "C", Path: "/other/"}},
		PutInlinePolicy:               true,
		PutPermissionsBoundary:        true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if !got.NeedsProvision() {
		t.Fatal("policy changes need provisioning")
	}

	// Removing everything.
	got = Diff(PermissionSet{Name: "ps", Description: "old"}, live)
	if !got.DeleteInlinePolicy || !got.DeletePermissionsBoundary || got.PutInlinePolicy || got.PutPermissionsBoundary ||
		len(got.DeleteAssignments) != 3 || len(got.DetachManagedPolicies) != 2 || len(got.DetachCustomerManagedPolicies) != 1 || got.UpdateAttributes {
		t.Fatalf("removal diff: %+v", got)
	}
	// Rename forces replacement.
	if !Diff(PermissionSet{Name: "a"}, PermissionSet{Name: "b"}).Replace {
		t.Fatal("rename not detected")
	}
	// Unparsable live policy is rewritten.
	if !Diff(PermissionSet{InlinePolicy: "{}"}, PermissionSet{InlinePolicy: "{"}).PutInlinePolicy {
		t.Fatal("broken live policy not replaced")
	}
}
