package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/gruntwork-io/terratest/modules/terraform"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/demo"
)

// TestCompleteExample applies examples/complete — what `make demo` shows —
// on the prerequisites the demo creates (the same code), checks the decisions
// it asserts, the access matrix, and what exists in the account and the
// cluster, re-plans expecting no changes, destroys and checks that nothing of
// the provider's is left.
func TestCompleteExample(t *testing.T) {
	acctest.PreCheck(t)
	sb := newCompleteSandbox(t, "10.79.0.0/16")
	opts := sb.options(t)
	inventory := func() *demo.Inventory { return sb.inventory(t) }
	defer func() {
		terraform.Destroy(t, opts)
		if empty, left := inventory().Empty(); !empty {
			t.Errorf("left after destroy: %s", left)
		}
	}()

	out := terraform.InitAndApply(t, opts)
	// A failed assertion of a check block is only a warning to the CLI.
	if strings.Contains(out, "Check block assertion failed") {
		t.Errorf("a check block failed during apply:\n%s", out)
	}

	var checks map[string]struct {
		Expected, Allowed bool
		Reason            string
	}
	terraform.OutputStruct(t, opts, "decision_checks", &checks)
	if len(checks) < 5 {
		t.Errorf("only %d decision checks", len(checks))
	}
	for name, c := range checks {
		if c.Expected != c.Allowed {
			t.Errorf("decision %s: allowed=%v, expected %v (%s)", name, c.Allowed, c.Expected, c.Reason)
		}
	}

	// The maturity stages are measured from the resources the example
	// declares: each stage, and the source named for a fact of it.
	var pillars []struct {
		Pillar, Stage string
		Evidence      []string
		NextSteps     []string `json:"next_steps"`
	}
	terraform.OutputStruct(t, opts, "maturity", &pillars)
	wantMaturity := map[string]struct{ stage, names string }{
		"Identity":                   {"Advanced", "zerotrust_protect_surface.payments.access_rule[1].groups"},
		"Devices":                    {"Optimal", "zerotrust_protect_surface.payments.access_rule[1].device"},
		"Networks":                   {"Optimal", "zerotrust_segment_policy_set.shop.kubernetes_manifests[\"networking.k8s.io/v1/NetworkPolicy/"},
		"Applications & Workloads":   {"Optimal", "zerotrust_protect_surface.hr by [data.zerotrust_access_decision (decision_checks[\"support_hr_outside_directory\"])]"},
		"Data":                       {"Advanced", "zerotrust_segment.shop-db.sensitivity"},
		"Visibility & Analytics":     {"Advanced", "zerotrust_access_proxy.acme-corp.logging.include_trust_context"},
		"Automation & Orchestration": {"Initial", "zerotrust_privileged_access.finance-cost-read.expires_at"},
		"Governance":                 {"Initial", "zerotrust_privileged_access.finance-cost-read.expires_at"},
	}
	if len(pillars) != len(wantMaturity) {
		t.Errorf("%d maturity pillars, want %d", len(pillars), len(wantMaturity))
	}
	for _, p := range pillars {
		want, ok := wantMaturity[p.Pillar]
		if !ok {
			t.Errorf("unexpected pillar %q", p.Pillar)
			continue
		}
		if p.Stage != want.stage {
			t.Errorf("%s: %s, want %s (evidence %q, next %q)", p.Pillar, p.Stage, want.stage, p.Evidence, p.NextSteps)
		}
		if all := strings.Join(append(p.Evidence, p.NextSteps...), "\n"); !strings.Contains(all, want.names) {
			t.Errorf("%s names no %s:\n%s", p.Pillar, want.names, all)
		}
	}

	var matrix []struct {
		Group, Surface, Posture string
		Allowed                 bool
		DecidingRules           []string `json:"deciding_rules"`
	}
	terraform.OutputStruct(t, opts, "access_matrix", &matrix)
	if want := len(demo.Members) * 5 * 4; len(matrix) != want {
		t.Errorf("access matrix has %d entries, want %d (groups × surfaces × postures)", len(matrix), want)
	}
	decide := map[string]string{}
	for _, m := range matrix {
		d := "deny"
		if m.Allowed {
			d = "allow"
		}
		decide[m.Group+"/"+m.Surface+"/"+m.Posture] = d + " " + strings.Join(m.DecidingRules, ",")
	}
	for key, want := range map[string]string{
		"contractors/payments/compliant": "deny no-contractors",
		"contractors/wiki/compliant":     "allow contractors-read",
		"contractors/wiki/degraded":      "deny ",
		"engineering/wiki/compliant":     "allow staff",
		"engineering/payments/compliant": "allow engineering-read",
		"engineering/payments/degraded":  "deny ",
		"engineering/hr/compliant":       "deny ",
		"finance/payments/compliant":     "allow finance-operate",
		"finance/wiki/high-risk":         "deny ",
		"support/hr/degraded":            "allow support-directory",
		"support/wiki/unmanaged":         "deny ",
		"oncall/ledger/compliant":        "allow oncall-connect",
		"oncall/ledger/degraded":         "deny ",
		"engineering/ledger/compliant":   "deny ",
		"contractors/ledger/compliant":   "deny ",
		"oncall/ops/degraded":            "allow engineers-operate",
		"engineering/ops/compliant":      "allow engineers-operate",
		"engineering/ops/high-risk":      "deny ",
		"finance/ops/compliant":          "deny ",
		"contractors/ops/compliant":      "deny ",
	} {
		if decide[key] != want {
			t.Errorf("access matrix %s: %q, want %q", key, decide[key], want)
		}
	}

	var paths []struct {
		Into, Path   string
		Hops         int
		FromInternet bool `json:"from_internet"`
	}
	terraform.OutputStruct(t, opts, "paths_into_restricted", &paths)
	internet := 0
	for _, p := range paths {
		if p.FromInternet {
			internet++
			if p.Hops < 3 {
				t.Errorf("the internet reaches %s in %d hops: %s", p.Into, p.Hops, p.Path)
			}
		}
	}
	if internet == 0 {
		t.Error("no route from the internet reported, though web admits it")
	}

	live := inventory()
	// The database and the network are reached as AWS describes them: an rds
	// endpoint on the cluster's port, a cidr endpoint with both port ranges.
	reached := map[string]string{}
	for _, px := range live.Proxies {
		for _, g := range px.Groups {
			reached[g.Name] = strings.Join(g.Endpoints, "; ")
		}
	}
	for surface, want := range map[string]string{
		"ledger": "rds " + sb.pre.LedgerDBClusterARN + ":5432",
		"ops":    "cidr " + sb.pre.OpsNetworkCIDR + " ports 22,8443-8444",
	} {
		if reached[surface] != want {
			t.Errorf("surface %s reaches %q, want %q", surface, reached[surface], want)
		}
	}

	counts := live.Counts()
	for kind, want := range map[string]int{
		"security groups":                    5,
		"security group rules":               16,
		"Verified Access instances":          1,
		"Verified Access trust providers":    3,
		"Verified Access groups":             5,
		"Verified Access endpoints":          5, // three load-balancer, one rds, one cidr
		"Identity Store groups":              5,
		"Identity Store group memberships":   demo.Memberships(),
		"permission sets":                    2,
		"permission set account assignments": 2,
		"expiry schedule groups":             1, // only the on-call grant expires
		"expiry schedules":                   1,
		"expiry IAM roles":                   1,
	} {
		if counts[kind] != want {
			t.Errorf("%s: %d live, want %d", kind, counts[kind], want)
		}
	}
	if counts["NetworkPolicies"] == 0 || counts["AuthorizationPolicies"] == 0 {
		t.Errorf("no Kubernetes policies in namespace %s: %v", sb.pre.Namespace, counts)
	}

	if code := terraform.PlanExitCode(t, opts); code != 0 {
		t.Fatalf("re-plan after apply: exit code %d, want 0 (no changes)", code)
	}
}

// completeSandbox is what examples/complete needs in the sandbox before its
// first apply — the prerequisites the demo creates, with the same code — and
// the clients that read what the provider made there.
type completeSandbox struct {
	ctx  context.Context
	cfg  aws.Config
	kube kubernetes.Interface
	dyn  dynamic.Interface
	pre  *demo.Prerequisites
	vars []byte // pre's variables, as a tfvars JSON file
}

// newCompleteSandbox creates the prerequisites in a VPC of cidr; they are
// deleted when the test ends.
func newCompleteSandbox(t *testing.T, cidr string) *completeSandbox {
	t.Helper()
	ctx := context.Background()
	cfg := acctest.AWSConfig(t)
	kcfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		t.Fatalf("kubeconfig from the sandbox: %v", err)
	}
	kube, dyn := kubernetes.NewForConfigOrDie(kcfg), dynamic.NewForConfigOrDie(kcfg)
	pre, err := demo.Create(ctx, cfg, kube, cidr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pre.Delete(ctx, cfg); err != nil {
			t.Errorf("deleting the prerequisites: %v", err)
		}
	})
	// A map of lists is passed as a variables file, as the demo does.
	vars, err := json.Marshal(pre.Variables())
	if err != nil {
		t.Fatal(err)
	}
	return &completeSandbox{ctx: ctx, cfg: cfg, kube: kube, dyn: dyn, pre: pre, vars: vars}
}

// options is a fresh copy of examples/complete with the prerequisites as its
// variables.
func (s *completeSandbox) options(t *testing.T) *terraform.Options {
	t.Helper()
	opts := options(t, "examples/complete", nil)
	if err := os.WriteFile(filepath.Join(opts.TerraformDir, "terraform.tfvars.json"), s.vars, 0o644); err != nil {
		t.Fatal(err)
	}
	return opts
}

// inventory reads every object of the provider's in the prerequisites'
// VPC, account and namespace.
func (s *completeSandbox) inventory(t *testing.T) *demo.Inventory {
	t.Helper()
	inv, err := demo.Read(s.ctx, s.cfg, s.kube, s.dyn, s.pre.VPCID, s.pre.AccountID, s.pre.Namespace)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}
