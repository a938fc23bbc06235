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
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
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

// profileProvider: -profile, profile the provider during the first measured plan.
var profileProvider bool

// cpuPairs: -cpu-pairs.
var cpuPairs = 3

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
