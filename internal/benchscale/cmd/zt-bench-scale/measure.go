package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ztforge/terraform-provider-zerotrust/internal/benchscale"
)

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
