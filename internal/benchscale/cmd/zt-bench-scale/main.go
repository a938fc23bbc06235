// Command zt-bench-scale is `make bench-scale`: it starts the local sandbox,
// applies generated segment-policy configurations of 10 to 5,000 distinct
// flows through the real Terraform CLI and the freshly built provider, and
// prints per size the API calls of each phase against the physical limit
// and against one resource per rule, the CPU of a no-refresh plan against a
// configuration of as many terraform_data resources as compiled rules, and
// the kube-apiserver requests against the objects written. Every judgement
// is a ratio within one run, so the figures mean something on a shared
// machine; each size is destroyed, and checked gone, before the next.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ztforge/terraform-provider-zerotrust/internal/benchscale"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

func main() {
	cliConfig := flag.String("cli-config", ".tools/terraformrc", "Terraform CLI config with the provider's filesystem mirror (written by `make install-mirror`)")
	workDir := flag.String("work-dir", ".tools/bench-scale", "scratch folder (configurations, state, logs)")
	sizes := flag.String("flows", "", "comma-separated flow counts to measure (default: all of 10,100,500,1000,5000)")
	profile := flag.Bool("profile", false, "write CPU profiles of the provider during each measured no-refresh plan and print their top entries")
	pairs := flag.Int("cpu-pairs", 3, "interleaved (plan, floor) pairs measured per size; the median ratio is reported")
	mode := flag.String("mode", "set", "how the flows are declared: set (one zerotrust_segment_policy_set), policy (one zerotrust_segment_policy per segment) or both")
	flag.Parse()
	profileProvider = *profile
	cpuPairs = max(*pairs, 1)
	shapes, err := selectShapes(*sizes)
	if err == nil {
		shapes, err = withMode(shapes, *mode)
	}
	if err == nil {
		err = run(shapes, *cliConfig, *workDir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-scale failed:", err)
		os.Exit(1)
	}
}

func selectShapes(list string) ([]benchscale.Shape, error) {
	all := benchscale.DefaultShapes()
	if list == "" {
		return all, nil
	}
	var out []benchscale.Shape
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("-flows: %q is not a number", f)
		}
		found := false
		for _, s := range all {
			if s.Flows == n {
				out, found = append(out, s), true
			}
		}
		if !found {
			return nil, fmt.Errorf("-flows: no configuration of %d flows (have 10, 100, 500, 1000, 5000)", n)
		}
	}
	return out, nil
}

// withMode declares each shape's flows as a set, as separate policies, or
// both (each size measured twice).
func withMode(shapes []benchscale.Shape, mode string) ([]benchscale.Shape, error) {
	var out []benchscale.Shape
	for _, s := range shapes {
		switch mode {
		case "set", "policy":
			s.Set = mode == "set"
			out = append(out, s)
		case "both":
			s.Set = false
			out = append(out, s)
			s.Set = true
			out = append(out, s)
		default:
			return nil, fmt.Errorf("-mode: %q is not set, policy or both", mode)
		}
	}
	return out, nil
}

// bench holds what every size uses.
type bench struct {
	ctx     context.Context
	workDir string
	tf      string
	tfEnv   []string
	control *vafront.Control
	ec2     *ec2.Client
	kube    *kubernetes.Clientset
}

func run(shapes []benchscale.Shape, cliConfig, workDir string) error {
	started := time.Now()
	ctx := context.Background()
	cliConfig, _ = filepath.Abs(cliConfig)
	if _, err := os.Stat(cliConfig); err != nil {
		return fmt.Errorf("CLI config %s missing (run `make install-mirror`): %w", cliConfig, err)
	}
	workDir, _ = filepath.Abs(workDir)
	_ = os.RemoveAll(workDir)
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return err
	}
	quota := 0
	for _, s := range shapes {
		quota = max(quota, s.MaxRulesPerDirection)
	}
	fmt.Println("==> starting the local sandbox (moto_server, front, etcd, kube-apiserver)")
	if quota > 0 {
		fmt.Printf("    EC2 rules per security group and direction raised to %d (AWS default 60; AWS raises it on request)\n", quota)
	}
	startCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	sb, err := sandbox.Start(startCtx, sandbox.Options{WorkDir: filepath.Join(workDir, "sandbox"), AWS: true, Kubernetes: true, RulesPerSecurityGroup: quota})
	cancel()
	if err != nil {
		return fmt.Errorf("starting the sandbox: %w", err)
	}
	defer func() {
		if err := sb.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the sandbox:", err)
		}
	}()
	for k, v := range sb.Env() {
		os.Setenv(k, v)
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	kcfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		return fmt.Errorf("kubeconfig of the sandbox: %w", err)
	}
	b := &bench{
		ctx: ctx, workDir: workDir, tf: terraformBinary(),
		tfEnv:   append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1"),
		control: sb.Control(), ec2: ec2.NewFromConfig(awsCfg), kube: kubernetes.NewForConfigOrDie(kcfg),
	}
	fmt.Printf("    %s; configurations and logs in %s\n", strings.SplitN(b.version(), "\n", 2)[0], workDir)

	var failed []string
	for i, s := range shapes {
		t0 := time.Now()
		r, err := b.measure(i, s)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%d flows: %v", s.Flows, err))
			fmt.Printf("\n!!! %d flows not measured: %v\n", s.Flows, err)
			continue
		}
		r.print(time.Since(t0))
		if len(r.leftAfterDestroy) > 0 {
			failed = append(failed, fmt.Sprintf("%d flows: destroy left %s", s.Flows, strings.Join(r.leftAfterDestroy, ", ")))
		}
	}
	fmt.Printf("\nbench-scale finished in %s (wall time, informative only)\n", time.Since(started).Round(time.Second))
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "; "))
	}
	return nil
}

// result is everything measured for one size.
type result struct {
	shape                 benchscale.Shape
	groups, policies      int
	rules                 benchscale.RuleCounts
	expected              benchscale.RuleCounts
	applyCalls, planCalls map[string]int64
	replanExit            int
	plan, floor           benchscale.CPUUsage
	planRatios            []float64 // plan ÷ floor of each interleaved pair, sorted
	kubeApply             map[string]int
	kubeRefresh           map[string]int
	kubeObjects           int
	kubeWrites            int // objects written, a shared object once per holder (each holder's claim is a write of it)
	kubeNamespaces        int
	// One more flow applied: EC2 calls, kube requests, objects changed,
	// rules added, and whether the flow's peer is a segment.
	plusOneCalls       map[string]int64
	kubePlusOne        map[string]int
	plusOneObjects     int
	plusOneRules       int
	plusOneSegmentPeer bool
	leftAfterDestroy   []string
}

func (b *bench) measure(i int, s benchscale.Shape) (_ *result, err error) {
	res := &result{shape: s, expected: s.ExpectedRules()}
	fmt.Printf("\n==> %d flows over %d segments%s: apply, refresh+plan, no-refresh plan, floor, destroy\n", s.Flows, s.Segments, map[bool]string{true: " (also placed in Kubernetes)", false: ""}[s.Kubernetes])
	vpc, err := b.ec2.CreateVpc(b.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(fmt.Sprintf("10.%d.0.0/16", 100+i))})
	if err != nil {
		return nil, fmt.Errorf("creating a VPC: %w", err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	// A namespace per size: what one size leaves behind cannot disturb the next.
	mode := map[bool]string{true: "set", false: "policy"}[s.Set]
	namespace := fmt.Sprintf("bench-%d-%s", s.Flows, mode)
	if _, err := b.kube.CoreV1().Namespaces().Create(b.ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{}); err != nil {
		return nil, fmt.Errorf("creating namespace %s: %w", namespace, err)
	}
	dir := filepath.Join(b.workDir, fmt.Sprintf("flows-%d-%s", s.Flows, mode))
	cfg, err := s.Config(vpcID, namespace)
	if err != nil {
		return nil, err
	}
	if err := writeConfig(dir, cfg); err != nil {
		return nil, err
	}
	if _, err := b.terraform(dir, "init", "init", "-input=false", "-no-color"); err != nil {
		return nil, err
	}
	applied := false
	defer func() {
		if !applied {
			return
		}
		if _, derr := b.terraform(dir, "destroy", "destroy", "-input=false", "-auto-approve", "-no-color"); derr != nil {
			err = errors.Join(err, derr)
			return
		}
		left, lerr := b.leftovers(vpcID, namespace)
		if lerr != nil {
			err = errors.Join(err, lerr)
			return
		}
		res.leftAfterDestroy = left
	}()

	if err := b.control.ResetCounters(b.ctx); err != nil {
		return nil, err
	}
	kubeBefore, err := b.kubeRequests()
	if err != nil {
		return nil, err
	}
	applied = true
	if _, err := b.terraform(dir, "apply", "apply", "-input=false", "-auto-approve", "-no-color"); err != nil {
		return nil, err
	}
	if res.applyCalls, err = b.control.Counters(b.ctx); err != nil {
		return nil, err
	}
	kubeAfter, err := b.kubeRequests()
	if err != nil {
		return nil, err
	}
	res.kubeApply = diff(kubeAfter, kubeBefore)

	st, err := b.readState(dir)
	if err != nil {
		return nil, err
	}
	res.groups, res.policies, res.rules, res.kubeObjects, res.kubeWrites = len(st.groups), st.policies, st.counts, len(st.manifests), st.manifestWrites
	res.kubeNamespaces = 1 // one namespace per size

	if err := b.control.ResetCounters(b.ctx); err != nil {
		return nil, err
	}
	if kubeBefore, err = b.kubeRequests(); err != nil {
		return nil, err
	}
	code, err := b.terraform(dir, "replan", "plan", "-input=false", "-detailed-exitcode", "-no-color")
	if err != nil && code != 2 {
		return nil, err
	}
	res.replanExit = code
	if res.planCalls, err = b.control.Counters(b.ctx); err != nil {
		return nil, err
	}
	if kubeAfter, err = b.kubeRequests(); err != nil {
		return nil, err
	}
	res.kubeRefresh = diff(kubeAfter, kubeBefore)

	floorDir := filepath.Join(b.workDir, fmt.Sprintf("floor-%d-%s", s.Flows, mode))
	floorCfg, err := benchscale.FloorConfig(st.floor)
	if err != nil {
		return nil, err
	}
	if err := writeConfig(floorDir, floorCfg); err != nil {
		return nil, err
	}
	// Terraform applies one resource of the floor; its state entry is then
	// written for every other rule. Applying thousands of terraform_data
	// resources one by one takes Terraform longer than the whole bench
	// (the state is rewritten after each), and the no-refresh plan only
	// needs the state to exist: a wrong entry would show as a change, which
	// fails the measured plan.
	for _, step := range [][]string{{"init", "-input=false", "-no-color"}, {"apply", "-input=false", "-auto-approve", "-no-color", "-target=terraform_data." + benchscale.FloorName(0)}} {
		if _, err := b.terraform(floorDir, "floor-"+step[0], step...); err != nil {
			return nil, err
		}
	}
	if err := benchscale.ReplicateFloorState(filepath.Join(floorDir, "terraform.tfstate"), st.floor); err != nil {
		return nil, err
	}
	// Plan and floor alternate, pair by pair: a slower spell of a shared
	// machine then slows both halves of a pair, and the median pair is
	// reported.
	for i := range cpuPairs {
		plan, err := b.measuredPlan(dir, fmt.Sprintf("plan-norefresh-%d", i+1), i == 0)
		if err != nil {
			return nil, err
		}
		floor, err := b.measuredPlan(floorDir, fmt.Sprintf("floor-plan-norefresh-%d", i+1), false)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			res.plan, res.floor = plan, floor
		}
		res.planRatios = append(res.planRatios, plan.Total.Seconds()/floor.Total.Seconds())
	}
	slices.Sort(res.planRatios)

	// One more flow: what a small change costs.
	plusOne := s
	plusOne.Flows++
	cfg, err = plusOne.Config(vpcID, namespace)
	if err != nil {
		return nil, err
	}
	if err := writeConfig(dir, cfg); err != nil {
		return nil, err
	}
	if err := b.control.ResetCounters(b.ctx); err != nil {
		return nil, err
	}
	if kubeBefore, err = b.kubeRequests(); err != nil {
		return nil, err
	}
	if _, err := b.terraform(dir, "apply-plus-one", "apply", "-input=false", "-auto-approve", "-no-color"); err != nil {
		return nil, err
	}
	if res.plusOneCalls, err = b.control.Counters(b.ctx); err != nil {
		return nil, err
	}
	if kubeAfter, err = b.kubeRequests(); err != nil {
		return nil, err
	}
	res.kubePlusOne = diff(kubeAfter, kubeBefore)
	after, err := b.readState(dir)
	if err != nil {
		return nil, err
	}
	for k, y := range after.yaml {
		if st.yaml[k] != y {
			res.plusOneObjects++
		}
	}
	res.plusOneRules = after.counts.Total() - st.counts.Total()
	res.plusOneSegmentPeer = plusOne.FlowList()[s.Flows].Src >= 0
	return res, nil
}

// measuredPlan runs a no-refresh plan and measures its CPU; it must find
// nothing to change.
func (b *bench) measuredPlan(dir, logName string, profile bool) (benchscale.CPUUsage, error) {
	cmd, log, err := b.command(dir, logName, "plan", "-refresh=false", "-input=false", "-detailed-exitcode", "-no-color")
	if err != nil {
		return benchscale.CPUUsage{}, err
	}
	defer log.Close()
	profiles := ""
	if profileProvider && profile {
		profiles = filepath.Join(dir, "profile-"+logName)
		if err := os.MkdirAll(profiles, 0o755); err != nil {
			return benchscale.CPUUsage{}, err
		}
		cmd.Env = append(append([]string(nil), cmd.Env...), "ZT_CPU_PROFILE_DIR="+profiles)
	}
	u, err := benchscale.RunMeasured(cmd)
	if err != nil {
		return u, fmt.Errorf("%s (exit 2 means changes): %w; last lines of %s:\n%s", logName, err, log.Name(), tail(log.Name(), 15))
	}
	if profiles != "" {
		printProfileTop(profiles)
	}
	return u, nil
}

// profileProvider: -profile, profile the provider during the first measured plan.
var profileProvider bool

// cpuPairs: -cpu-pairs.
var cpuPairs = 3

// printProfileTop prints the top entries of the provider processes'
// merged CPU profiles (go tool pprof -top).
func printProfileTop(dir string) {
	files, _ := filepath.Glob(filepath.Join(dir, "cpu-*.pprof"))
	if len(files) == 0 {
		fmt.Println("    profile: no provider profile written")
		return
	}
	args := append([]string{"tool", "pprof", "-top", "-nodecount=25"}, files...)
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		fmt.Printf("    profile: go tool pprof failed: %v\n", err)
	}
	fmt.Printf("    provider CPU profile of the no-refresh plan (%d processes, %s):\n", len(files), dir)
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		fmt.Println("      " + line)
	}
}

func (b *bench) command(dir, logName string, args ...string) (*exec.Cmd, *os.File, error) {
	log, err := os.Create(filepath.Join(dir, logName+".log"))
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(b.ctx, b.tf, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, b.tfEnv, log, log
	return cmd, log, nil
}

// terraform runs one CLI command with its output in dir/<logName>.log.
func (b *bench) terraform(dir, logName string, args ...string) (int, error) {
	cmd, log, err := b.command(dir, logName, args...)
	if err != nil {
		return 0, err
	}
	defer log.Close()
	if err := cmd.Run(); err != nil {
		code := -1
		if cmd.ProcessState != nil {
			code = cmd.ProcessState.ExitCode()
		}
		return code, fmt.Errorf("terraform %s: %w; last lines of %s:\n%s", args[0], err, log.Name(), tail(log.Name(), 15))
	}
	return 0, nil
}

func (b *bench) version() string {
	out, err := exec.Command(b.tf, "version").Output()
	if err != nil {
		return b.tf
	}
	return string(out)
}

// state is what the bench reads back from `terraform show -json`.
type state struct {
	groups    map[string]bool
	policies  int
	counts    benchscale.RuleCounts
	manifests map[string]bool
	// yaml is each object's manifest (a shared one as the last resource
	// holding it shows it: all holders compile it alike).
	yaml map[string]string
	// manifestWrites counts each resource's manifests: a shared object
	// once per resource holding it.
	manifestWrites int
	floor          []benchscale.FloorRule
}

// addRules counts rule lines and adds each to the floor.
func (st *state) addRules(lines []string) error {
	for _, line := range lines {
		rule, err := benchscale.ParseRuleLine(line)
		if err != nil {
			return err
		}
		if rule.Direction == "egress" {
			st.counts.Egress++
		} else {
			st.counts.Ingress++
		}
		st.floor = append(st.floor, rule)
	}
	return nil
}

func (b *bench) readState(dir string) (*state, error) {
	cmd := exec.CommandContext(b.ctx, b.tf, "show", "-json")
	cmd.Dir, cmd.Env = dir, b.tfEnv
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("terraform show -json: %w", err)
	}
	var doc struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Type   string          `json:"type"`
					Values json.RawMessage `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, err
	}
	st := &state{groups: map[string]bool{}, manifests: map[string]bool{}, yaml: map[string]string{}}
	for _, r := range doc.Values.RootModule.Resources {
		switch r.Type {
		case "zerotrust_segment":
			var v struct {
				SecurityGroupID string `json:"security_group_id"`
			}
			if err := json.Unmarshal(r.Values, &v); err != nil {
				return nil, err
			}
			st.groups[v.SecurityGroupID] = true
		case "zerotrust_segment_policy_set", "zerotrust_segment_policy":
			// Both show their rules one line each, and their manifests.
			var v struct {
				Rules     []string          `json:"rules"`
				Manifests map[string]string `json:"kubernetes_manifests"`
				Policy    []json.RawMessage `json:"policy"` // a set's blocks
			}
			if err := json.Unmarshal(r.Values, &v); err != nil {
				return nil, err
			}
			if r.Type == "zerotrust_segment_policy" {
				st.policies++
			} else {
				st.policies = len(v.Policy)
			}
			if err := st.addRules(v.Rules); err != nil {
				return nil, err
			}
			for k, y := range v.Manifests {
				st.manifests[k] = true
				st.yaml[k] = y
			}
			st.manifestWrites += len(v.Manifests)
		}
	}
	return st, nil
}

// leftovers lists what remains of a size after destroy: security groups in
// its VPC other than the default one, any NetworkPolicy in its namespace
// (labelled or not: a shared object let go of by every holder has lost its
// labels) and ConfigMaps the provider labelled there.
func (b *bench) leftovers(vpcID, namespace string) ([]string, error) {
	var left []string
	out, err := b.ec2.DescribeSecurityGroups(b.ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}})
	if err != nil {
		return nil, err
	}
	for _, g := range out.SecurityGroups {
		if aws.ToString(g.GroupName) != "default" {
			left = append(left, "security group "+aws.ToString(g.GroupId))
		}
	}
	managed := metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=terraform-provider-zerotrust"}
	nps, err := b.kube.NetworkingV1().NetworkPolicies(namespace).List(b.ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, np := range nps.Items {
		left = append(left, fmt.Sprintf("NetworkPolicy %s/%s (labels %v)", namespace, np.Name, np.Labels))
	}
	cms, err := b.kube.CoreV1().ConfigMaps(namespace).List(b.ctx, managed)
	if err != nil {
		return nil, err
	}
	for _, cm := range cms.Items {
		left = append(left, "ConfigMap "+cm.Name)
	}
	return left, nil
}

// kubeResources are the kinds the provider reads or writes; the API
// server's own background requests (leases, events, …) are left out.
var kubeResources = map[string]bool{"networkpolicies": true, "authorizationpolicies": true, "namespaces": true, "configmaps": true, "pods": true, "customresourcedefinitions": true}

// kubeRequests reads apiserver_request_total by "verb resource".
func (b *bench) kubeRequests() (map[string]int, error) {
	raw, err := b.kube.RESTClient().Get().AbsPath("/metrics").DoRaw(b.ctx)
	if err != nil {
		return nil, fmt.Errorf("reading kube-apiserver /metrics: %w", err)
	}
	out := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	const metric = "apiserver_request_total{"
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, metric) {
			continue
		}
		labels, value, _ := strings.Cut(line[len(metric):], "} ")
		resource, verb := label(labels, "resource"), label(labels, "verb")
		if !kubeResources[resource] {
			continue
		}
		n, _ := strconv.ParseFloat(value, 64)
		out[verb+" "+resource] += int(n)
	}
	return out, nil
}

func label(labels, name string) string {
	_, rest, ok := strings.Cut(labels, name+`="`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

func diff(a, b map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range a {
		if d := v - b[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// ec2Calls sums the EC2 counters whose action passes keep.
func ec2Calls(m map[string]int64, keep func(action string) bool) (int64, string) {
	var n int64
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		action, ok := strings.CutPrefix(k, "ec2:")
		if !ok || !keep(action) {
			continue
		}
		n += m[k]
		parts = append(parts, fmt.Sprintf("%s %d", action, m[k]))
	}
	return n, strings.Join(parts, ", ")
}

func isRead(a string) bool {
	return strings.HasPrefix(a, "Describe") || strings.HasPrefix(a, "Get") || strings.HasPrefix(a, "List")
}

func isRuleWrite(a string) bool {
	return strings.HasPrefix(a, "AuthorizeSecurityGroup") || strings.HasPrefix(a, "RevokeSecurityGroup") ||
		a == "ModifySecurityGroupRules" || strings.HasPrefix(a, "UpdateSecurityGroupRuleDescriptions")
}

func (r *result) print(wall time.Duration) {
	s := r.shape
	rules := r.rules.Total()
	fmt.Printf("\n### %d flows · %d segments · %d policies%s · %d security groups · %d compiled rules (%d ingress, %d egress)%s\n",
		s.Flows, s.Segments, r.policies, map[bool]string{true: " in one zerotrust_segment_policy_set", false: " (zerotrust_segment_policy each)"}[s.Set],
		r.groups, rules, r.rules.Ingress, r.rules.Egress, map[bool]string{true: " · Kubernetes", false: ""}[s.Kubernetes])
	if r.rules != (benchscale.RuleCounts{Ingress: r.expected.Ingress, Egress: r.expected.Egress}) {
		fmt.Printf("    NOTE: the generator expects %d ingress and %d egress rules; state holds %d and %d\n", r.expected.Ingress, r.expected.Egress, r.rules.Ingress, r.rules.Egress)
	}
	ruleWrites, ruleDetail := ec2Calls(r.applyCalls, isRuleWrite)
	allWrites, allDetail := ec2Calls(r.applyCalls, func(a string) bool { return !isRead(a) })
	describes, descDetail := ec2Calls(r.planCalls, func(a string) bool { return strings.HasPrefix(a, "Describe") })
	applyDescribes, _ := ec2Calls(r.applyCalls, func(a string) bool { return strings.HasPrefix(a, "Describe") })
	g := int64(r.groups)
	fmt.Printf("%-44s %10s %34s %9s %24s %9s\n", "figure", "measured", "limit / floor", "÷ limit", "one resource per rule", "÷ that")
	row := func(name string, v int64, limitText string, limit int64, perRuleText string, perRule int64) {
		fmt.Printf("%-44s %10d %34s %9s %24s %9s\n", name, v, limitText, ratio(float64(v), float64(limit)), perRuleText, ratio(float64(v), float64(perRule)))
	}
	// The limits: one Authorize per group and direction for the flows; a
	// created group also costs its create, the revoke of the allow-all
	// egress rule EC2 adds to every new group (deny by default), and the
	// removal of its create-pending mark (an interrupted create is found
	// again by it, never duplicated). A refresh reads each group and its
	// rules once, and each policy resource asks once, by its owner tag, for
	// the rules it owns wherever they are (what keeps a rule left by a crash
	// or written on a group no longer referenced visible, and removed).
	authorizes, authDetail := ec2Calls(r.applyCalls, func(a string) bool { return strings.HasPrefix(a, "AuthorizeSecurityGroup") })
	resources := int64(r.policies)
	if s.Set {
		resources = 1
	}
	row("apply: EC2 Authorize calls", authorizes, fmt.Sprintf("%d (2 × %d groups)", 2*g, g), 2*g, fmt.Sprintf("%d (1 per rule)", rules), int64(rules))
	row("apply: EC2 rule writes (Authorize/Revoke)", ruleWrites, fmt.Sprintf("%d (+1 default-egress revoke/group)", 3*g), 3*g, fmt.Sprintf("%d (1 per rule)", rules), int64(rules))
	row("apply: all mutating EC2 calls", allWrites, fmt.Sprintf("%d (+create, revoke, unmark/group)", 5*g), 5*g, fmt.Sprintf("%d (rules + groups)", int64(rules)+g), int64(rules)+g)
	row("refresh+plan: EC2 Describe calls", describes, fmt.Sprintf("%d (2/group +1/resource)", 2*g+resources), 2*g+resources, fmt.Sprintf("%d (rules + groups)", int64(rules)+g), int64(rules)+g)
	median := r.planRatios[len(r.planRatios)/2]
	fmt.Printf("%-44s %10s %34s %9s\n", "plan -refresh=false: CPU", "—", fmt.Sprintf("%d terraform_data", rules), fmt.Sprintf("%.2f×", median))
	if s.Kubernetes {
		var kube, refresh int64
		for _, v := range r.kubeApply {
			kube += int64(v)
		}
		for _, v := range r.kubeRefresh {
			refresh += int64(v)
		}
		kindSet := map[string]bool{}
		for k := range r.kubeRefresh {
			_, resource, _ := strings.Cut(k, " ")
			kindSet[resource] = true
		}
		kinds := int64(len(kindSet))
		fmt.Printf("%-44s %10d %34s %9s\n", "apply: kube-apiserver requests", kube, fmt.Sprintf("%d object writes", r.kubeWrites), ratio(float64(kube), float64(r.kubeWrites)))
		fmt.Printf("%-44s %10d %34s %9s\n", "refresh+plan: kube-apiserver requests", refresh, fmt.Sprintf("%d (1 LIST/kind/ns)", kinds*int64(r.kubeNamespaces)), ratio(float64(refresh), float64(kinds*int64(r.kubeNamespaces))))
		fmt.Printf("    kube requests: apply %s; refresh+plan %s; %d distinct objects, a shared one written once by each resource holding it\n", renderInts(r.kubeApply), renderInts(r.kubeRefresh), r.kubeObjects)
	}
	// +1 flow: the new rules in one Authorize each (a segment peer's flow
	// is two rules on two groups), and in Kubernetes one LIST per kind for
	// the refresh, plus one APPLY per changed object: the apply writes
	// objects it already has by their recorded UIDs, without listing.
	plusWrites, plusDetail := ec2Calls(r.plusOneCalls, func(a string) bool { return !isRead(a) })
	peer := map[bool]string{true: "segment", false: "CIDR"}[r.plusOneSegmentPeer]
	row("+1 flow: mutating EC2 calls", plusWrites, fmt.Sprintf("%d (1 per rule added, %s peer)", r.plusOneRules, peer), int64(r.plusOneRules), "", 0)
	if s.Kubernetes {
		var kube int64
		for _, v := range r.kubePlusOne {
			kube += int64(v)
		}
		// terraform apply refreshes first (a fresh provider process, so
		// one LIST), then applies the changed objects.
		limit := int64(r.plusOneObjects) + 1
		fmt.Printf("%-44s %10d %34s %9s\n", "+1 flow: kube-apiserver requests", kube, fmt.Sprintf("%d (1 LIST + %d changed)", limit, r.plusOneObjects), ratio(float64(kube), float64(limit)))
		fmt.Printf("    +1 flow: kube %s; EC2 %s\n", renderInts(r.kubePlusOne), plusDetail)
	} else {
		fmt.Printf("    +1 flow: EC2 %s\n", plusDetail)
	}
	fmt.Printf("    apply EC2 Authorize: %s\n", authDetail)
	fmt.Printf("    apply EC2 writes: %s\n", allDetail)
	fmt.Printf("    apply EC2 rule writes: %s; Describe calls during apply: %d\n", ruleDetail, applyDescribes)
	fmt.Printf("    refresh+plan: %s; exit code %d (%s)\n", descDetail, r.replanExit, map[bool]string{true: "no changes", false: "CHANGES: not converged"}[r.replanExit == 0])
	fmt.Printf("    plan CPU: provider plan ÷ floor plan, %d interleaved pairs: %s (median %.2f×); provider plugins' share of the first plan (seen in /proc, %d processes) %s;"+
		" wait4 and RUSAGE_CHILDREN agree within %s\n",
		len(r.planRatios), renderRatios(r.planRatios), median, r.plan.ChildProcesses, percent(r.plan.Children, r.plan.Total), agreement(r.plan))
	if r.plan.Children > r.plan.Total {
		fmt.Println("    WARNING: the plugins' own CPU exceeds the measured total: the provider is not inside the measurement")
	}
	if len(r.leftAfterDestroy) == 0 {
		fmt.Println("    destroy: nothing left (no security group in the VPC but its default, no NetworkPolicy in the namespace)")
	} else {
		fmt.Printf("    destroy: LEFT BEHIND %s\n", strings.Join(r.leftAfterDestroy, ", "))
	}
	fmt.Printf("    (wall time of this size %s, informative only)\n", wall.Round(time.Second))
}

func renderRatios(rs []float64) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%.2f×", r)
	}
	return strings.Join(parts, " ")
}

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func percent(part, whole time.Duration) string {
	if whole == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*part.Seconds()/whole.Seconds())
}

func agreement(u benchscale.CPUUsage) string {
	if u.Total == 0 {
		return "n/a"
	}
	d := u.Total - u.Waited
	if d < 0 {
		d = -d
	}
	return fmt.Sprintf("%.1f%%", 100*d.Seconds()/u.Total.Seconds())
}

func renderInts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func writeConfig(dir string, cfg []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.tf.json"), cfg, 0o644)
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
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
