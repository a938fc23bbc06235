// Command zt-demo is `make demo`: it starts the local sandbox, creates the
// prerequisites examples/complete needs (VPC, subnets, load balancers,
// Identity Center users, a namespace) through the SDK and client-go, runs the
// real Terraform CLI (init, apply) on the example through the filesystem
// mirror of the freshly built provider, and prints for a person to read: the
// access matrix, the segment reachability and the routes into restricted
// segments, the maturity stages, what was created (read back through the SDK
// and client-go) and the API calls per service. It then re-plans (failing
// unless there are no changes), destroys, checks that nothing is left and
// stops the sandbox.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ztforge/terraform-provider-zerotrust/internal/demo"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox"
)

func main() {
	example := flag.String("example", "examples/complete", "example configuration to apply")
	cliConfig := flag.String("cli-config", ".tools/terraformrc", "Terraform CLI config with the provider's filesystem mirror")
	workDir := flag.String("work-dir", ".tools/demo", "scratch folder")
	keep := flag.Bool("keep", false, "leave the applied objects and the sandbox running (Ctrl-C to stop)")
	flag.Parse()
	start := time.Now()
	if err := run(*example, *cliConfig, *workDir, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
	fmt.Printf("\ndemo complete in %s\n", time.Since(start).Round(100*time.Millisecond))
}

type session struct {
	ctx      context.Context
	dir      string // the example's working copy
	logDir   string
	tf       string
	env      []string
	sandbox  map[string]string
	awsCfg   aws.Config
	kube     *kubernetes.Clientset
	dyn      dynamic.Interface
	timings  []string
	phaseAt  time.Time
	logIndex int
}

func run(example, cliConfig, workDir string, keep bool) error {
	ctx := context.Background()
	cliConfig, _ = filepath.Abs(cliConfig)
	// The sandbox's kubeconfig lives under workDir and Terraform runs
	// elsewhere: absolute paths keep it reachable.
	workDir, _ = filepath.Abs(workDir)
	if _, err := os.Stat(cliConfig); err != nil {
		return fmt.Errorf("CLI config %s missing (run `make install-mirror`): %w", cliConfig, err)
	}
	_ = os.RemoveAll(workDir)
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return err
	}
	s := &session{ctx: ctx, logDir: workDir, phaseAt: time.Now()}

	step("starting the local sandbox (moto_server, Verified Access front, etcd, kube-apiserver)")
	startCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	sb, err := sandbox.Start(startCtx, sandbox.Options{WorkDir: filepath.Join(workDir, "sandbox"), AWS: true, Kubernetes: true})
	cancel()
	if err != nil {
		return fmt.Errorf("starting the sandbox: %w", err)
	}
	defer func() {
		if err := sb.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the sandbox:", err)
		}
	}()
	s.sandbox = sb.Env()
	for k, v := range s.sandbox {
		os.Setenv(k, v)
	}
	fmt.Printf("  AWS endpoint %s, kubeconfig %s\n", s.sandbox["AWS_ENDPOINT_URL"], s.sandbox["KUBECONFIG"])
	if s.awsCfg, err = config.LoadDefaultConfig(ctx); err != nil {
		return err
	}
	kcfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		return fmt.Errorf("kubeconfig of the sandbox: %w", err)
	}
	if s.kube, err = kubernetes.NewForConfig(kcfg); err != nil {
		return err
	}
	if s.dyn, err = dynamic.NewForConfig(kcfg); err != nil {
		return err
	}
	s.phase("sandbox start")

	step("creating the prerequisites through the AWS SDK and client-go")
	pre, err := demo.Create(ctx, s.awsCfg, s.kube, "10.42.0.0/16")
	if err != nil {
		return err
	}
	fmt.Printf("  VPC %s, subnets %s\n", pre.VPCID, strings.Join(pre.SubnetIDs, ", "))
	for _, app := range demo.Applications {
		fmt.Printf("  internal load balancer of %-15s %s\n", app, pre.LoadBalancerARNs[app])
	}
	fmt.Printf("  ledger database cluster %s; ops network %s\n", pre.LedgerDBClusterARN, pre.OpsNetworkCIDR)
	fmt.Printf("  Identity Center users: %s\n", strings.Join(demo.Users(), ", "))
	fmt.Printf("  namespace %s; on-call grant expires %s\n", pre.Namespace, pre.OncallExpiresAt.Format(time.RFC3339))

	// Work on a copy, so the repository stays free of .terraform folders and state.
	s.dir = filepath.Join(workDir, "config", filepath.Base(example))
	if err := copyDir(example, s.dir); err != nil {
		return err
	}
	vars, _ := json.MarshalIndent(pre.Variables(), "", "  ")
	if err := os.WriteFile(filepath.Join(s.dir, "terraform.tfvars.json"), vars, 0o644); err != nil {
		return err
	}
	s.tf = terraformBinary()
	s.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	s.phase("prerequisites")

	step(fmt.Sprintf("%s init (offline, provider from the filesystem mirror)", filepath.Base(s.tf)))
	if _, _, err := s.terraform("init", "-input=false", "-no-color"); err != nil {
		return err
	}
	s.phase("init")

	step("apply " + example)
	before, err := s.calls()
	if err != nil {
		return err
	}
	out, _, err := s.terraform("apply", "-input=false", "-auto-approve", "-no-color")
	if err != nil {
		return err
	}
	printSummary(out)
	applyCalls, err := s.callsSince(before)
	if err != nil {
		return err
	}
	s.phase("apply")

	var o outputs
	raw, _, err := s.terraform("output", "-json")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		return fmt.Errorf("reading the outputs: %w", err)
	}
	step("access matrix: who reaches which protect surface from which device (zerotrust_access_decision / provider::zerotrust::evaluate)")
	printAccessMatrix(o.AccessMatrix.Value)
	step("decisions asserted by the configuration's check blocks")
	if err := printDecisionChecks(o.DecisionChecks.Value); err != nil {
		return err
	}
	step("segment reachability (zerotrust_reachability): what each source may open")
	printReachability(o.ReachabilityMatrix.Value)
	step("every route into a restricted segment")
	for _, p := range o.PathsIntoRestricted.Value {
		from := ""
		if p.FromInternet {
			from = "  <- from the internet"
		}
		fmt.Printf("  %-9s %d hop(s)  %s%s\n", p.Into, p.Hops, p.Path, from)
	}
	step("CISA Zero Trust Maturity Model v2 stages (zerotrust_maturity_assessment, measured from the resources), overall " + o.MaturityOverall.Value)
	for _, p := range o.Maturity.Value {
		fmt.Printf("  %-28s %s\n", p.Pillar, p.Stage)
		// The fact that earned the stage, and what the next one needs, each
		// naming the resource and attribute it came from.
		if n := len(p.Evidence); n > 0 {
			fmt.Printf("      because  %s\n", p.Evidence[n-1])
		}
		if len(p.NextSteps) > 0 {
			fmt.Printf("      next     %s\n", p.NextSteps[0])
		}
	}

	step("what was created, read back through the AWS SDK and client-go")
	inv, err := demo.Read(ctx, s.awsCfg, s.kube, s.dyn, pre.VPCID, pre.AccountID, pre.Namespace)
	if err != nil {
		return err
	}
	printInventory(inv)
	step("API calls made by the apply")
	printCalls(applyCalls)

	step("plan again: expecting no changes (no drift, no perpetual diff)")
	before, err = s.calls()
	if err != nil {
		return err
	}
	out, code, err := s.terraform("plan", "-input=false", "-detailed-exitcode", "-no-color")
	if code != 0 || err != nil {
		return fmt.Errorf("re-plan after apply was not clean (exit %d, want 0): %v\n%s", code, err, tail(out, 40))
	}
	printSummary(out)
	refreshCalls, err := s.callsSince(before)
	if err != nil {
		return err
	}
	fmt.Println("  exit code 0: the live state matches the configuration")
	step("API calls made by the refresh")
	printCalls(refreshCalls)
	s.phase("re-plan")

	if keep {
		step("leaving everything running in " + s.dir + "; press Ctrl-C to stop")
		select {}
	}
	step("destroy")
	out, _, err = s.terraform("destroy", "-input=false", "-auto-approve", "-no-color")
	if err != nil {
		return err
	}
	printSummary(out)
	left, err := demo.Read(ctx, s.awsCfg, s.kube, s.dyn, pre.VPCID, pre.AccountID, pre.Namespace)
	if err != nil {
		return err
	}
	if empty, what := left.Empty(); !empty {
		return fmt.Errorf("objects left after destroy: %s", what)
	}
	fmt.Println("  nothing of the provider's is left in the account or the cluster")
	if err := pre.Delete(ctx, s.awsCfg); err != nil {
		return fmt.Errorf("deleting the prerequisites: %w", err)
	}
	s.phase("destroy")
	step("wall time by phase")
	for _, t := range s.timings {
		fmt.Println("  " + t)
	}
	return nil
}

func (s *session) phase(name string) {
	s.timings = append(s.timings, fmt.Sprintf("%-14s %s", name, time.Since(s.phaseAt).Round(100*time.Millisecond)))
	s.phaseAt = time.Now()
}

// terraform runs the CLI in the example's copy with its output in a log
// file; a failure shows the end of that log.
func (s *session) terraform(args ...string) (out []byte, code int, err error) {
	s.logIndex++
	logPath := filepath.Join(s.logDir, fmt.Sprintf("%02d-%s.log", s.logIndex, args[0]))
	var buf bytes.Buffer
	cmd := exec.CommandContext(s.ctx, s.tf, args...)
	cmd.Dir, cmd.Env, cmd.Stdout = s.dir, s.env, &buf
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	_ = os.WriteFile(logPath, append(buf.Bytes(), stderr.Bytes()...), 0o644)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	if err != nil && !(args[0] == "plan" && code == 2) {
		return buf.Bytes(), code, fmt.Errorf("terraform %s (exit %d, log %s):\n%s%s", args[0], code, logPath, tail(buf.Bytes(), 30), stderr.String())
	}
	fmt.Printf("  log: %s\n", logPath)
	return buf.Bytes(), code, nil
}

var summaryLine = regexp.MustCompile(`^(Apply complete!|Destroy complete!|No changes\.|Plan: |Warning: |Error: )`)

// printSummary shows the CLI's result lines and any warning (a failed check
// block is a warning).
func printSummary(out []byte) {
	for _, line := range strings.Split(string(out), "\n") {
		if summaryLine.MatchString(strings.TrimLeft(line, "│ ")) {
			fmt.Println("  " + strings.TrimLeft(line, "│ "))
		}
	}
}

func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}

// calls reads the API call counters: AWS calls counted by the sandbox front
// per "service:Action", Kubernetes requests from the API server's metrics.
func (s *session) calls() (map[string]int, error) {
	m, err := demo.AWSCalls(s.ctx, s.sandbox["ZT_SANDBOX_CONTROL_URL"])
	if err != nil {
		return nil, err
	}
	k, err := demo.KubernetesRequests(s.ctx, s.kube)
	if err != nil {
		return nil, err
	}
	for key, n := range k {
		m[key] = n
	}
	return m, nil
}

func (s *session) callsSince(before map[string]int) (map[string]int, error) {
	now, err := s.calls()
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for k, n := range now {
		if d := n - before[k]; d != 0 {
			out[k] = d
		}
	}
	return out, nil
}

// printCalls prints the calls per service, then per action.
func printCalls(m map[string]int) {
	byService := map[string][]string{}
	totals := map[string]int{}
	total := 0
	for _, k := range slices.Sorted(maps.Keys(m)) {
		service, action, _ := strings.Cut(k, ":")
		byService[service] = append(byService[service], fmt.Sprintf("%s %d", action, m[k]))
		totals[service] += m[k]
		total += m[k]
	}
	for _, svc := range slices.Sorted(maps.Keys(byService)) {
		fmt.Printf("  %-16s %4d  %s\n", svc, totals[svc], wrap(strings.Join(byService[svc], ", "), 90, 24))
	}
	fmt.Printf("  %-16s %4d\n", "total", total)
}

func wrap(s string, width, indent int) string {
	var b strings.Builder
	line := 0
	for i, w := range strings.Split(s, " ") {
		if i > 0 && line+len(w)+1 > width {
			b.WriteString("\n" + strings.Repeat(" ", indent))
			line = 0
		} else if i > 0 {
			b.WriteString(" ")
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}

// matrixRow is one decision of the access matrix output.
type matrixRow struct {
	Group, Surface, Posture, Sensitivity string
	Request                              string
	Allowed                              bool
	DecidingRules                        []string `json:"deciding_rules"`
	Reason                               string
}

type outputs struct {
	AccessMatrix struct {
		Value []matrixRow
	} `json:"access_matrix"`
	DecisionChecks struct {
		Value map[string]struct {
			Expected, Allowed bool
			Reason            string
		}
	} `json:"decision_checks"`
	ReachabilityMatrix struct {
		Value []struct {
			From, To, Protocol string
			Ports              []string
		}
	} `json:"reachability_matrix"`
	PathsIntoRestricted struct {
		Value []struct {
			Into, Path   string
			Hops         int
			FromInternet bool `json:"from_internet"`
		}
	} `json:"paths_into_restricted"`
	Maturity struct {
		Value []struct {
			Pillar, Stage string
			Evidence      []string
			NextSteps     []string `json:"next_steps"`
		}
	} `json:"maturity"`
	MaturityOverall struct{ Value string } `json:"maturity_overall"`
}

func printAccessMatrix(rows []matrixRow) {
	var groups, postures, surfaces []string
	add := func(list []string, v string) []string {
		if slices.Contains(list, v) {
			return list
		}
		return append(list, v)
	}
	cells := map[[3]string]string{}
	sensitivity, request := map[string]string{}, map[string]string{}
	for _, r := range rows {
		groups, postures, surfaces = add(groups, r.Group), add(postures, r.Posture), add(surfaces, r.Surface)
		sensitivity[r.Surface], request[r.Surface] = r.Sensitivity, r.Request
		cell := "deny"
		switch {
		case r.Allowed:
			cell = "ALLOW " + strings.Join(r.DecidingRules, ",")
		case len(r.DecidingRules) > 0:
			cell = "deny (forbid " + strings.Join(r.DecidingRules, ",") + ")"
		}
		cells[[3]string{r.Group, r.Posture, r.Surface}] = cell
	}
	// Least to most sensitive, as the example's readers expect.
	rank := map[string]int{"public": 0, "internal": 1, "confidential": 2, "restricted": 3}
	sort.SliceStable(surfaces, func(i, j int) bool { return rank[sensitivity[surfaces[i]]] < rank[sensitivity[surfaces[j]]] })
	fmt.Printf("  %-12s %-10s", "group", "device")
	for _, sf := range surfaces {
		fmt.Printf(" %-30s", sf+" ("+sensitivity[sf]+")")
	}
	fmt.Println()
	for _, g := range groups {
		for _, p := range postures {
			fmt.Printf("  %-12s %-10s", g, p)
			for _, sf := range surfaces {
				fmt.Printf(" %-30s", cells[[3]string{g, p, sf}])
			}
			fmt.Println()
		}
	}
	var probes []string
	for _, sf := range surfaces {
		probes = append(probes, sf+" "+request[sf])
	}
	fmt.Println("  requests: " + strings.Join(probes, ", "))
	fmt.Println("  devices: compliant = Jamf LOW + CrowdStrike 92, degraded = MEDIUM + 60, high-risk = HIGH + 15, unmanaged = no device data")
}

func printDecisionChecks(checks map[string]struct {
	Expected, Allowed bool
	Reason            string
}) error {
	var wrong []string
	for _, name := range slices.Sorted(maps.Keys(checks)) {
		c := checks[name]
		mark := "ok"
		if c.Expected != c.Allowed {
			mark = "WRONG"
			wrong = append(wrong, name)
		}
		fmt.Printf("  %-5s %-32s %s\n", mark, name, c.Reason)
	}
	if len(wrong) > 0 {
		return fmt.Errorf("decisions differ from what the configuration expects: %s", strings.Join(wrong, ", "))
	}
	return nil
}

func printReachability(rows []struct {
	From, To, Protocol string
	Ports              []string
}) {
	for _, r := range rows {
		fmt.Printf("  %-12s -> %-10s %s %s\n", r.From, r.To, r.Protocol, strings.Join(r.Ports, ","))
	}
}

func printInventory(inv *demo.Inventory) {
	fmt.Println("  EC2 security groups (segments):")
	for _, g := range inv.SecurityGroups {
		fmt.Printf("    %-22s %s  %d ingress, %d egress rules\n", g.Name, g.ID, g.Ingress, g.Egress)
	}
	fmt.Println("  AWS Verified Access:")
	for _, p := range inv.Proxies {
		fmt.Printf("    instance %s (%s), trust providers: %s\n", p.ID, p.Name, strings.Join(p.TrustProviders, ", "))
		for _, g := range p.Groups {
			fmt.Printf("      group %-9s %s  policy enabled=%v (%d lines)  endpoints: %s\n", g.Name, g.ID, g.PolicyEnabled, g.PolicyLines, strings.Join(g.Endpoints, ", "))
		}
	}
	fmt.Println("  IAM Identity Center:")
	for _, g := range inv.IdentityGroups {
		fmt.Printf("    group %-12s %d member(s)\n", g.Name, g.Members)
	}
	for _, p := range inv.PermissionSets {
		fmt.Printf("    permission set %-18s session %s, %d managed + inline=%v, %d account assignment(s)\n", p.Name, p.SessionDuration, p.ManagedPolicies, p.InlinePolicy, p.Assignments)
	}
	for _, g := range slices.Sorted(maps.Keys(inv.ExpirySchedules)) {
		fmt.Printf("    EventBridge Scheduler group %s: %d schedule(s) removing assignments at expires_at\n", g, inv.ExpirySchedules[g])
	}
	if len(inv.ExpiryRoles) > 0 {
		fmt.Printf("    IAM role(s) the schedules run as: %s\n", strings.Join(inv.ExpiryRoles, ", "))
	}
	fmt.Println("  Kubernetes (namespace " + demo.Namespace + "):")
	fmt.Printf("    %d NetworkPolicies: %s\n", len(inv.NetworkPolicies), strings.Join(inv.NetworkPolicies, ", "))
	fmt.Printf("    %d Istio AuthorizationPolicies: %s\n", len(inv.AuthorizationPolicies), strings.Join(inv.AuthorizationPolicies, ", "))
	counts := inv.Counts()
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	fmt.Println("  in all: " + wrap(strings.Join(parts, ", "), 100, 10))
}

func terraformBinary() string {
	if p, err := exec.LookPath("terraform"); err == nil {
		return p
	}
	if p, err := exec.LookPath("tofu"); err == nil {
		return p
	}
	return "terraform"
}

func step(s string) { fmt.Printf("\n==> %s\n", s) }

func copyDir(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if strings.HasPrefix(rel, ".terraform") || strings.HasSuffix(rel, ".tfstate") {
			return nil
		}
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
}
