package review

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// The saved plans in testdata are real: examples/complete applied to the
// local sandbox with the Terraform CLI, then one change planned per file
// (regenerate them with `go run ./internal/review/testdata/gen` after `make
// install-mirror`; see that command). The golden files are the review's
// text and Markdown of each; `go test ./internal/review -update` rewrites
// them after a deliberate change of the output.

var update = flag.Bool("update", false, "rewrite the golden files")

var goldenPlans = []string{
	"no-change", "new-group-restricted", "relaxed-device", "new-flow", "cidr-into-restricted", "internet-exposure",
	"widened-grant", "member-added", "extended-grant", "permanent-grant", "initial.terraform", "initial.tofu",
}

func reviewFile(t *testing.T, name string) *Report {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := ReadPlan(f)
	if err != nil {
		t.Fatal(err)
	}
	return Review(p)
}

func TestGolden(t *testing.T) {
	for _, name := range goldenPlans {
		t.Run(name, func(t *testing.T) {
			rep := reviewFile(t, name)
			for ext, write := range map[string]func(*bytes.Buffer) error{
				".txt": func(b *bytes.Buffer) error { return rep.WriteText(b) },
				".md":  func(b *bytes.Buffer) error { return rep.WriteMarkdown(b) },
			} {
				var got bytes.Buffer
				if err := write(&got); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", "golden", name+ext)
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("%s differs from the golden file (run with -update after a deliberate change):\n--- got\n%s\n--- want\n%s", path, got.String(), want)
				}
			}
		})
	}
}

// The done-when: a configuration that adds a CIDR flow into a
// restricted segment is reported as gained, naming the CIDR, the segment
// and the port.
func TestCIDRFlowIntoRestrictedSegmentIsGained(t *testing.T) {
	rep := reviewFile(t, "cidr-into-restricted")
	if len(rep.Reach) != 1 {
		t.Fatalf("want exactly the new flow, got %+v", rep.Reach)
	}
	c := rep.Reach[0]
	if !c.Gained || c.From.CIDR.String() != "198.51.100.0/24" || rep.SegmentNames[c.To.Segment] != "shop-db" ||
		c.ToSensitivity != "restricted" || c.Protocol != "tcp" || portsString(c.Ports) != "5432" {
		t.Errorf("reported %+v (to %q)", c, rep.SegmentNames[c.To.Segment])
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "+ 198.51.100.0/24 -> shop-db (") || !strings.Contains(text.String(), "[restricted] tcp 5432") {
		t.Errorf("the text does not name the CIDR, the segment and the port:\n%s", text.String())
	}
	if len(rep.Routes) != 1 || !rep.Routes[0].Gained || rep.Routes[0].Route.Hops() != 1 || rep.Routes[0].Route.Nodes[0] != "198.51.100.0/24" {
		t.Errorf("routes %+v, want the one-hop route from the CIDR", rep.Routes)
	}
	if got := rep.Failed([]string{FailRestrictedGain, FailInternet, FailPermanentPrivilege}); !slices.Equal(got, []string{FailRestrictedGain}) {
		t.Errorf("fail-on holds %v, want restricted-gain only (198.51.100.0/24 is not the internet)", got)
	}
}

func TestScenarioFindings(t *testing.T) {
	t.Run("no change", func(t *testing.T) {
		if rep := reviewFile(t, "no-change"); !rep.Empty() {
			t.Errorf("a plan without changes has findings: %+v", rep)
		}
	})
	t.Run("new group on a restricted surface", func(t *testing.T) {
		rep := reviewFile(t, "new-group-restricted")
		if len(rep.Access) == 0 {
			t.Fatal("no access change")
		}
		for _, a := range rep.Access {
			if !a.Gained || a.Surface != "payments" || a.Sensitivity != "restricted" || !slices.ContainsFunc(a.Class.Groups, func(g string) bool { return rep.GroupNames[g] == "support" }) ||
				!slices.Equal(a.After.Rules, []string{"engineering-read"}) || a.Class.Request != "GET" {
				t.Errorf("unexpected change %+v", a)
			}
		}
		if !slices.Contains(rep.Failed(FailConditions), FailRestrictedGain) {
			t.Error("restricted-gain does not hold")
		}
	})
	t.Run("relaxed device requirement", func(t *testing.T) {
		rep := reviewFile(t, "relaxed-device")
		devices := map[string]bool{}
		for _, a := range rep.Access {
			if !a.Gained || a.Surface != "wiki" || !slices.ContainsFunc(a.Class.Groups, func(g string) bool { return rep.GroupNames[g] == "contractors" }) {
				t.Errorf("unexpected change %+v", a)
			}
			devices[a.Class.Device] = true
		}
		// device_strong (jamf <= LOW and crowdstrike >= 80) admitted one
		// posture class; device_moderate (jamf <= MEDIUM or crowdstrike >=
		// 50) admits eleven more, for GET and HEAD each.
		if len(devices) != 11 || len(rep.Access) != 22 || devices["jamf SECURE–LOW, crowdstrike 80–100"] || !devices["jamf MEDIUM, no crowdstrike report"] {
			t.Errorf("%d changes over device classes %v", len(rep.Access), devices)
		}
	})
	t.Run("new flow", func(t *testing.T) {
		rep := reviewFile(t, "new-flow")
		if len(rep.Reach) != 1 || rep.SegmentNames[rep.Reach[0].From.Segment] != "shop-monitoring" || rep.SegmentNames[rep.Reach[0].To.Segment] != "shop-db" || portsString(rep.Reach[0].Ports) != "9187" {
			t.Errorf("reach %+v", rep.Reach)
		}
	})
	t.Run("internet exposure", func(t *testing.T) {
		rep := reviewFile(t, "internet-exposure")
		if len(rep.Exposure) != 2 || !slices.Contains(rep.Failed(FailConditions), FailInternet) {
			t.Errorf("exposure %+v", rep.Exposure)
		}
		for _, e := range rep.Exposure {
			if !model.IsOpenInternet(e.Sources[0]) || rep.SegmentNames[e.To] != "shop-web" {
				t.Errorf("exposure %+v", e)
			}
		}
	})
	t.Run("widened grant", func(t *testing.T) {
		rep := reviewFile(t, "widened-grant")
		if len(rep.Privilege) != 1 || !rep.Privilege[0].Has(GrantWidened) || rep.Privilege[0].Has(GrantPermanent) || len(rep.Privilege[0].Details) != 3 {
			t.Errorf("privilege %+v", rep.Privilege)
		}
		if len(rep.Acknowledgements) != 1 || !strings.Contains(rep.Acknowledgements[0].Reason, "quarter-end") {
			t.Errorf("acknowledgements %+v", rep.Acknowledgements)
		}
	})
	t.Run("member added", func(t *testing.T) {
		rep := reviewFile(t, "member-added")
		if len(rep.Membership) != 1 {
			t.Fatalf("membership %+v", rep.Membership)
		}
		m := rep.Membership[0]
		if m.Group != "support" || !slices.Equal(m.Added, []string{"carol@acme.example"}) || len(m.Removed) != 0 ||
			!slices.Equal(m.Surfaces, []SurfaceRef{{"hr", "confidential"}, {"wiki", "internal"}}) {
			t.Errorf("membership %+v", m)
		}
		// support reaches no restricted surface: a second approval is asked
		// for confidential gains only.
		if got := rep.Failed([]string{FailRestrictedGain, FailConfidentialGain, FailAccessGain}); !slices.Equal(got, []string{FailAccessGain, FailConfidentialGain}) {
			t.Errorf("fail-on holds %v", got)
		}
	})
	t.Run("extended grant", func(t *testing.T) {
		rep := reviewFile(t, "extended-grant")
		if len(rep.Privilege) != 1 || !slices.Equal(rep.Privilege[0].Kinds, []string{GrantExtended}) {
			t.Errorf("privilege %+v", rep.Privilege)
		}
	})
	t.Run("permanent grant", func(t *testing.T) {
		rep := reviewFile(t, "permanent-grant")
		if len(rep.Privilege) != 1 || !slices.Equal(rep.Privilege[0].Kinds, []string{GrantPermanent}) {
			t.Errorf("privilege %+v", rep.Privilege)
		}
		if got := rep.Failed([]string{FailPermanentPrivilege, FailRestrictedGain}); !slices.Equal(got, []string{FailPermanentPrivilege}) {
			t.Errorf("fail-on holds %v", got)
		}
	})
}

// The guide's table lists every --fail-on condition, and no other.
func TestGuideListsFailConditions(t *testing.T) {
	guide, err := os.ReadFile("../../templates/guides/access-review.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, line := range strings.Split(string(guide), "\n") {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			listed = append(listed, rest[:strings.Index(rest, "`")])
		}
	}
	if !slices.Equal(listed, FailConditions) {
		t.Errorf("the guide lists %v, the command accepts %v", listed, FailConditions)
	}
}
