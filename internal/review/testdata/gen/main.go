// Command gen regenerates the saved plans the review's golden tests read:
// it starts the local sandbox, creates the prerequisites of
// examples/complete (as `make demo` does), applies the example with the
// real Terraform CLI, then for each scenario edits a copy of the
// configuration, plans, and saves `show -json` of the plan. It also saves
// the first plan of the example from an empty state, by Terraform and by
// OpenTofu. Ids the sandbox draws at random are replaced by stable
// stand-ins so a regeneration changes only what changed.
//
//	make install-mirror
//	PATH=$PWD/.tools/bin:$PATH go run ./internal/review/testdata/gen
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ztforge/terraform-provider-zerotrust/internal/demo"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox"
)

// edit replaces old (which must occur exactly once) by new in main.tf.
type edit struct{ old, new string }

// scenarios are the changes to examples/complete the golden tests review.
var scenarios = []struct {
	name  string
	edits []edit
}{
	{"no-change", nil},
	{"new-group-restricted", []edit{{
		`{ name = "engineering-read", effect = "permit", groups = ["engineering"],`,
		`{ name = "engineering-read", effect = "permit", groups = ["engineering", "support"],`}}},
	{"relaxed-device", []edit{{
		`groups = ["contractors"], device = local.device_strong,`,
		`groups = ["contractors"], device = local.device_moderate,`}}},
	{"new-flow", []edit{{
		`    { to = "payments", from = "monitoring", cidr_blocks = [], ports = ["9100"] },`,
		`    { to = "payments", from = "monitoring", cidr_blocks = [], ports = ["9100"] },
    { to = "db", from = "monitoring", cidr_blocks = [], ports = ["9187"] },`}}},
	{"cidr-into-restricted", []edit{{
		`    { to = "db", from = "app", cidr_blocks = [], ports = ["5432"] },`,
		`    { to = "db", from = "app", cidr_blocks = [], ports = ["5432"] },
    { to = "db", from = null, cidr_blocks = ["198.51.100.0/24"], ports = ["5432"] },`}}},
	{"internet-exposure", []edit{{
		`    { to = "web", from = null, cidr_blocks = ["0.0.0.0/0"], ports = ["443"] },`,
		`    { to = "web", from = null, cidr_blocks = ["0.0.0.0/0"], ports = ["443"] },
    { to = "web", from = null, cidr_blocks = ["0.0.0.0/1", "128.0.0.0/1"], ports = ["80"] },`}}},
	{"widened-grant", []edit{
		{`      Action   = ["ce:GetCostAndUsage", "ce:GetCostForecast", "budgets:ViewBudget"]`,
			`      Action   = ["ce:GetCostAndUsage", "ce:GetCostForecast", "budgets:ViewBudget", "budgets:ModifyBudget"]`},
		{`  session_duration = "PT1H"
}

# Engineering's on-call`, `  session_duration = "PT4H"
  managed_policies = ["arn:aws:iam::aws:policy/job-function/Billing"]
  acknowledgement  = "Finance runs the quarter-end budget review"
}

# Engineering's on-call`},
	}},
	{"member-added", []edit{{
		`  members      = each.value`,
		`  members      = each.key == "support" ? concat(each.value, ["carol@acme.example"]) : each.value`}}},
	{"extended-grant", []edit{{`  expires_at       = var.oncall_expires_at`, `  expires_at       = timeadd(var.oncall_expires_at, "72h")`}}},
	{"permanent-grant", []edit{{`  expires_at       = var.oncall_expires_at`, ``}}},
}

func main() {
	out := flag.String("out", "internal/review/testdata", "where the plans go")
	cliConfig := flag.String("cli-config", ".tools/terraformrc", "CLI config with the provider's filesystem mirror (make install-mirror)")
	example := flag.String("example", "examples/complete", "the configuration")
	flag.Parse()
	if err := run(*example, *out, *cliConfig); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(example, out, cliConfig string) error {
	ctx := context.Background()
	cliConfig, _ = filepath.Abs(cliConfig)
	out, _ = filepath.Abs(out)
	work, err := os.MkdirTemp("", "zt-review-gen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	sb, err := sandbox.Start(ctx, sandbox.Options{WorkDir: filepath.Join(work, "sandbox"), AWS: true, Kubernetes: true})
	if err != nil {
		return fmt.Errorf("starting the sandbox: %w", err)
	}
	defer sb.Stop()
	for k, v := range sb.Env() {
		os.Setenv(k, v)
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	kcfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		return err
	}
	kube, err := kubernetes.NewForConfig(kcfg)
	if err != nil {
		return err
	}
	pre, err := demo.Create(ctx, awsCfg, kube, "10.42.0.0/16")
	if err != nil {
		return err
	}
	// A fixed end of the on-call grant, so the saved plans do not depend on
	// the day they were made.
	pre.OncallExpiresAt = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	vars, _ := json.MarshalIndent(pre.Variables(), "", "  ")
	main, err := os.ReadFile(filepath.Join(example, "main.tf"))
	if err != nil {
		return err
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	cli := func(tool, dir string, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, tool, args...)
		var stdout, stderr bytes.Buffer
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("%s %s: %w\n%s%s", tool, args[0], err, tail(stdout.String()), stderr.String())
		}
		return stdout.Bytes(), nil
	}
	setup := func(tool, dir string) error {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), main, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "terraform.tfvars.json"), vars, 0o644); err != nil {
			return err
		}
		_, err := cli(tool, dir, "init", "-input=false", "-no-color")
		return err
	}
	norm := newNormalizer()
	save := func(tool, dir, name string) error {
		if _, err := cli(tool, dir, "plan", "-input=false", "-no-color", "-out=plan.out"); err != nil {
			return err
		}
		js, err := cli(tool, dir, "show", "-json", "plan.out")
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(norm.apply(js), &v); err != nil {
			return err
		}
		pretty, _ := json.MarshalIndent(v, "", " ")
		fmt.Println("wrote", name)
		return os.WriteFile(filepath.Join(out, name), append(pretty, '\n'), 0o644)
	}

	// The first plan, from an empty state, by both CLIs.
	for _, tool := range []string{"terraform", "tofu"} {
		dir := filepath.Join(work, "initial-"+tool)
		if err := setup(tool, dir); err != nil {
			return err
		}
		if err := save(tool, dir, "initial."+tool+".json"); err != nil {
			return err
		}
	}

	dir := filepath.Join(work, "applied")
	if err := setup("terraform", dir); err != nil {
		return err
	}
	if _, err := cli("terraform", dir, "apply", "-input=false", "-auto-approve", "-no-color"); err != nil {
		return err
	}
	for _, sc := range scenarios {
		text := string(main)
		for _, e := range sc.edits {
			if n := strings.Count(text, e.old); n != 1 {
				return fmt.Errorf("scenario %s: %q occurs %d times in main.tf, want once", sc.name, e.old, n)
			}
			text = strings.Replace(text, e.old, e.new, 1)
		}
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(text), 0o644); err != nil {
			return err
		}
		if err := save("terraform", dir, sc.name+".json"); err != nil {
			return fmt.Errorf("scenario %s: %w", sc.name, err)
		}
	}
	return nil
}

// normalizer replaces ids the sandbox draws at random by stand-ins of the
// same shape, the same id by the same stand-in in every plan (numbered in
// order of first appearance, which the JSON's fixed order keeps stable).
type normalizer struct {
	seen map[string]string
	n    map[string]int
}

func newNormalizer() *normalizer { return &normalizer{seen: map[string]string{}, n: map[string]int{}} }

// randomIDs are the ids to replace; kind names the counter (the id's
// prefix), stand builds the stand-in from the match and its number.
var randomIDs = []struct {
	re    *regexp.Regexp
	kind  func(m []string) string
	stand func(m []string, n int) string
}{
	{regexp.MustCompile(`\b(vpc|sg|subnet|vai|vagr|vae|vatp)-[0-9a-f]{8,17}\b`),
		func(m []string) string { return m[1] }, func(m []string, n int) string { return fmt.Sprintf("%s-%016x", m[1], n) }},
	{regexp.MustCompile(`\b(ssoins|ps)-[0-9a-z]{16}\b`),
		func(m []string) string { return m[1] }, func(m []string, n int) string { return fmt.Sprintf("%s-%016x", m[1], n) }},
	{regexp.MustCompile(`(loadbalancer/app/[a-z0-9-]+)/[0-9a-f]{16}\b`),
		func(m []string) string { return "lb" }, func(m []string, n int) string { return fmt.Sprintf("%s/%016x", m[1], n) }},
	{regexp.MustCompile(`\b([0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`),
		func(m []string) string { return "uuid" }, func(m []string, n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012x", n) }},
	{regexp.MustCompile(`"timestamp": ?"[^"]*"`),
		func(m []string) string { return "timestamp" }, func(m []string, n int) string { return `"timestamp":"2030-01-01T00:00:00Z"` }},
}

func (z *normalizer) apply(b []byte) []byte {
	for _, r := range randomIDs {
		b = r.re.ReplaceAllFunc(b, func(match []byte) []byte {
			if s, ok := z.seen[string(match)]; ok {
				return []byte(s)
			}
			m := r.re.FindStringSubmatch(string(match))
			kind := r.kind(m)
			z.n[kind]++
			s := r.stand(m, z.n[kind])
			z.seen[string(match)] = s
			return []byte(s)
		})
	}
	return b
}

func tail(s string) string {
	lines := strings.Split(s, "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}
