package review

import (
	"os"
	"strings"
	"testing"
)

// A plan in the JSON output format, reduced to what the reader reads: one
// resource of each kind of change, a data source and another provider's
// resource (both ignored), and a resource only the prior state holds (a
// targeted plan).
const readerPlan = `{
 "format_version": "1.2",
 "terraform_version": "1.11.4",
 "resource_changes": [
  {"address": "zerotrust_segment.new", "mode": "managed", "type": "zerotrust_segment", "provider_name": "registry.terraform.io/ztforge/zerotrust",
   "change": {"actions": ["create"], "before": null,
    "after": {"name": "new", "sensitivity": "restricted", "kubernetes": [{"namespace": "shop"}], "tags": null},
    "after_unknown": {"id": true, "security_group_id": true, "kubernetes": [{"pod_labels": true}]}}},
  {"address": "zerotrust_segment.gone", "mode": "managed", "type": "zerotrust_segment", "provider_name": "registry.terraform.io/ztforge/zerotrust",
   "change": {"actions": ["delete"], "before": {"id": "sg/vpc-0123456789abcdef0/gone", "name": "gone"}, "after": null, "after_unknown": {}}},
  {"address": "zerotrust_segment.same", "mode": "managed", "type": "zerotrust_segment", "provider_name": "registry.terraform.io/ztforge/zerotrust",
   "change": {"actions": ["no-op"], "before": {"id": "sg/vpc-0123456789abcdef0/same", "name": "same"}, "after": {"id": "sg/vpc-0123456789abcdef0/same", "name": "same"}, "after_unknown": {}}},
  {"address": "zerotrust_privileged_access.swap", "mode": "managed", "type": "zerotrust_privileged_access", "provider_name": "registry.terraform.io/ztforge/zerotrust",
   "change": {"actions": ["delete", "create"], "before": {"name": "old", "accounts": ["111111111111"]}, "after": {"name": "swap", "accounts": ["111111111111", null]},
    "after_unknown": {"accounts": [false, true], "id": true}}},
  {"address": "data.zerotrust_reachability.r", "mode": "data", "type": "zerotrust_reachability", "provider_name": "registry.terraform.io/ztforge/zerotrust",
   "change": {"actions": ["read"], "before": null, "after": {}, "after_unknown": {}}},
  {"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "provider_name": "registry.terraform.io/hashicorp/aws",
   "change": {"actions": ["create"], "before": null, "after": {}, "after_unknown": {"id": true}}}
 ],
 "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": [], "child_modules": [{"address": "module.m", "resources": [
  {"address": "module.m.zerotrust_segment.kept", "mode": "managed", "type": "zerotrust_segment", "provider_name": "registry.terraform.io/ztforge/zerotrust",
   "values": {"id": "sg/vpc-0123456789abcdef0/kept", "name": "kept"}}]}]}}}
}`

func TestReadPlanKindsOfChange(t *testing.T) {
	p, err := ReadPlan(strings.NewReader(readerPlan))
	if err != nil {
		t.Fatal(err)
	}
	if p.Tool != "terraform" || p.Version != "1.11.4" {
		t.Errorf("tool %q %q, want terraform 1.11.4", p.Tool, p.Version)
	}
	got := map[string]Resource{}
	var order []string
	for _, r := range p.Resources {
		got[r.Address] = r
		order = append(order, r.Address)
	}
	want := []string{"module.m.zerotrust_segment.kept", "zerotrust_privileged_access.swap", "zerotrust_segment.gone", "zerotrust_segment.new", "zerotrust_segment.same"}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Fatalf("resources %v, want %v (data sources and other providers left out)", order, want)
	}

	created := got["zerotrust_segment.new"]
	if !created.Created() || created.Deleted() {
		t.Errorf("new segment: created %v deleted %v", created.Created(), created.Deleted())
	}
	if id, known := str(created.After, "id"); known || id != "" {
		t.Errorf("planned id read as %q known=%v; the plan leaves it unknown", id, known)
	}
	if s, known := str(created.After, "sensitivity"); !known || s != "restricted" {
		t.Errorf("sensitivity %q known=%v", s, known)
	}
	k8s, _ := objects(created.After, "kubernetes")
	if len(k8s) != 1 || !isUnknown(k8s[0]["pod_labels"]) {
		t.Errorf("nested unknown lost: %#v", k8s)
	}
	if _, known := str(created.After, "tags"); !known {
		t.Error("a null attribute is known (empty), not unknown")
	}

	gone := got["zerotrust_segment.gone"]
	if !gone.Deleted() || gone.After != nil {
		t.Errorf("deleted segment: %+v", gone)
	}
	if changed(got["zerotrust_segment.same"]) {
		t.Error("a no-op counts as a change")
	}

	swap := got["zerotrust_privileged_access.swap"]
	if swap.Before == nil || swap.After == nil || !changed(swap) {
		t.Fatalf("a replacement keeps both sides: %+v", swap)
	}
	accounts, known := strs(swap.After, "accounts")
	if known || len(accounts) != 1 || accounts[0] != "111111111111" {
		t.Errorf("accounts %v known=%v: want the known element and known=false", accounts, known)
	}

	kept := got["module.m.zerotrust_segment.kept"]
	if changed(kept) || kept.Before == nil || kept.After == nil {
		t.Errorf("a prior-state-only resource is carried unchanged: %+v", kept)
	}
}

func TestReadPlanRefusesOtherJSON(t *testing.T) {
	for name, in := range map[string]string{
		"not JSON":     "plan.out",
		"state JSON":   `{"format_version": "1.0", "terraform_version": "1.11.4", "values": {}}`,
		"no version":   `{"resource_changes": []}`,
		"format 2":     `{"format_version": "2.0", "resource_changes": []}`,
		"empty object": `{}`,
	} {
		if _, err := ReadPlan(strings.NewReader(in)); err == nil {
			t.Errorf("%s: read without error", name)
		}
	}
}

func TestWholeObjectUnknown(t *testing.T) {
	in := `{"format_version": "1.2", "resource_changes": [{"address": "zerotrust_segment.x", "mode": "managed", "type": "zerotrust_segment",
	  "change": {"actions": ["create"], "before": null, "after": null, "after_unknown": true}}]}`
	p, err := ReadPlan(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Resources) != 1 || p.Resources[0].After == nil {
		t.Fatalf("a wholly unknown planned object must still exist after the change: %+v", p.Resources)
	}
}

// The first plan of examples/complete by Terraform and by OpenTofu (see
// testdata/gen): every resource is created, and values that only apply
// assigns (the access groups' ids) are unknown; both CLIs' JSON reads the
// same.
func TestReadPlanTerraformAndOpenTofu(t *testing.T) {
	var counts []int
	for _, tool := range []string{"terraform", "tofu"} {
		f, err := os.Open("testdata/initial." + tool + ".json")
		if err != nil {
			t.Fatal(err)
		}
		p, err := ReadPlan(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		wantTool := map[string]string{"terraform": "terraform", "tofu": "opentofu"}[tool]
		if p.Tool != wantTool {
			t.Errorf("%s plan read as %q", tool, p.Tool)
		}
		for _, r := range p.Resources {
			if !r.Created() {
				t.Errorf("%s: %s not created in the first plan", tool, r.Address)
			}
		}
		rep := Review(p)
		undecided := map[string]bool{}
		for _, u := range rep.Undecided {
			undecided[u.Address] = true
			if !strings.Contains(u.Reason, "unknown") {
				t.Errorf("%s: %s undecided for another reason: %s", tool, u.Address, u.Reason)
			}
		}
		for _, s := range []string{"wiki", "hr", "payments"} {
			if a := `zerotrust_protect_surface.this["` + s + `"]`; !undecided[a] {
				t.Errorf("%s: %s is reviewed although its groups are unknown until apply", tool, a)
			}
		}
		for _, a := range rep.Access {
			t.Errorf("%s: access decided from unknown values: %+v", tool, a)
		}
		counts = append(counts, len(p.Resources))
	}
	if counts[0] != counts[1] {
		t.Errorf("terraform read %d resources, OpenTofu %d", counts[0], counts[1])
	}
}
