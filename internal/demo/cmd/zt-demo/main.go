// Command zt-demo is `make demo`: it starts the local sandbox, creates the
// prerequisites an example needs (a VPC) through the SDK, runs the real
// Terraform CLI (init, apply) on the example through the filesystem mirror of
// the freshly built provider, prints what was created and how many API calls
// it took, re-plans to show there is no drift, destroys, and stops the sandbox.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox"
)

func main() {
	example := flag.String("example", "examples/complete", "example configuration to apply")
	cliConfig := flag.String("cli-config", ".tools/terraformrc", "Terraform CLI config with the provider's filesystem mirror")
	workDir := flag.String("work-dir", ".tools/demo", "scratch folder")
	keep := flag.Bool("keep", false, "leave the applied objects and the sandbox running (Ctrl-C to stop)")
	flag.Parse()
	if err := run(*example, *cliConfig, *workDir, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func run(example, cliConfig, workDir string, keep bool) error {
	ctx := context.Background()
	cliConfig, _ = filepath.Abs(cliConfig)
	if _, err := os.Stat(cliConfig); err != nil {
		return fmt.Errorf("CLI config %s missing (run `make install-mirror`): %w", cliConfig, err)
	}
	_ = os.RemoveAll(workDir)
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		return err
	}
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
	env := sb.Env()
	for k, v := range env {
		os.Setenv(k, v)
	}
	for _, k := range sortedKeys(env) {
		if !strings.Contains(k, "SECRET") {
			fmt.Printf("  %s=%s\n", k, env[k])
		}
	}

	step("creating the prerequisites through the AWS SDK: a VPC")
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	ec2c := ec2.NewFromConfig(awsCfg)
	vpc, err := ec2c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.42.0.0/16")})
	if err != nil {
		return fmt.Errorf("creating the demo VPC: %w", err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)
	fmt.Println("  vpc:", vpcID)
	step("creating the prerequisites through client-go: namespace " + demoNamespace)
	kube, err := kubeClient()
	if err != nil {
		return err
	}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: demoNamespace}}, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating namespace %s: %w", demoNamespace, err)
	}

	// Copy the example with the modules beside it, so relative module
	// sources resolve and the repository stays free of .terraform folders.
	dir := filepath.Join(workDir, "config", example)
	if err := copyDir(example, dir); err != nil {
		return err
	}
	if err := copyDir("modules", filepath.Join(workDir, "config", "modules")); err != nil {
		return err
	}
	vars := map[string]any{"vpc_id": vpcID, "kubernetes_namespace": demoNamespace}
	b, _ := json.MarshalIndent(vars, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfvars.json"), b, 0o644); err != nil {
		return err
	}
	tf := terraformBinary()
	tfEnv := append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	terraform := func(args ...string) (int, error) {
		cmd := exec.CommandContext(ctx, tf, args...)
		cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, tfEnv, os.Stdout, os.Stderr
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), err
		}
		return 0, err
	}

	step(fmt.Sprintf("%s init (offline, provider from the filesystem mirror)", filepath.Base(tf)))
	if _, err := terraform("init", "-input=false", "-no-color"); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	resetCounters(env)
	step("apply " + example)
	if _, err := terraform("apply", "-input=false", "-auto-approve", "-no-color"); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	applyCalls := counters(env)

	step("outputs")
	if _, err := terraform("output", "-no-color"); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	step("what the sandbox now holds (read back through the AWS SDK)")
	if err := showSecurityGroups(ctx, ec2c, vpcID); err != nil {
		return err
	}
	step("what the cluster now holds (read back through client-go)")
	if err := showKubernetesObjects(ctx, kube); err != nil {
		return err
	}
	step("API calls made by the apply (counted by the sandbox front)")
	printCounters(applyCalls)

	step("plan again: expecting no changes (no drift, no perpetual diff)")
	resetCounters(env)
	code, err := terraform("plan", "-input=false", "-detailed-exitcode", "-no-color")
	if code != 0 {
		return fmt.Errorf("re-plan after apply was not clean (exit %d): %v", code, err)
	}
	fmt.Println("  no changes: the live state matches the configuration")
	step("API calls made by the refresh")
	printCounters(counters(env))

	if keep {
		step("leaving everything running; press Ctrl-C to stop")
		select {}
	}
	step("destroy")
	if _, err := terraform("destroy", "-input=false", "-auto-approve", "-no-color"); err != nil {
		return fmt.Errorf("destroy: %w", err)
	}
	step("demo complete")
	return nil
}

const demoNamespace = "shop"

func kubeClient() (*kubernetes.Clientset, error) {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig of the sandbox: %w", err)
	}
	return kubernetes.NewForConfig(cfg)
}

func showKubernetesObjects(ctx context.Context, cs *kubernetes.Clientset) error {
	list, err := cs.NetworkingV1().NetworkPolicies(demoNamespace).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=terraform-provider-zerotrust"})
	if err != nil {
		return err
	}
	for _, np := range list.Items {
		var ports []string
		for _, r := range np.Spec.Ingress {
			for _, p := range r.Ports {
				if p.Port != nil {
					ports = append(ports, p.Port.String())
				}
			}
		}
		fmt.Printf("  NetworkPolicy %s/%s  pods %v  types %v  ingress ports %v\n", np.Namespace, np.Name, np.Spec.PodSelector.MatchLabels, np.Spec.PolicyTypes, ports)
	}
	return nil
}

func showSecurityGroups(ctx context.Context, c *ec2.Client, vpcID string) error {
	out, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}},
		{Name: aws.String("tag:managed-by"), Values: []string{"terraform-provider-zerotrust"}},
	}})
	if err != nil {
		return err
	}
	for _, g := range out.SecurityGroups {
		fmt.Printf("  security group %s (%s)\n", aws.ToString(g.GroupId), aws.ToString(g.GroupName))
		rules, err := c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{aws.ToString(g.GroupId)}}}})
		if err != nil {
			return err
		}
		for _, r := range rules.SecurityGroupRules {
			dir := "in "
			if aws.ToBool(r.IsEgress) {
				dir = "out"
			}
			peer := aws.ToString(r.CidrIpv4) + aws.ToString(r.CidrIpv6) + aws.ToString(r.PrefixListId)
			if r.ReferencedGroupInfo != nil {
				peer = aws.ToString(r.ReferencedGroupInfo.GroupId)
			}
			fmt.Printf("    %s %-4s %5d-%-5d %s\n", dir, aws.ToString(r.IpProtocol), aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort), peer)
		}
	}
	return nil
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

func controlURL(env map[string]string) string { return env["ZT_SANDBOX_CONTROL_URL"] }

func resetCounters(env map[string]string) {
	if resp, err := http.Post(controlURL(env)+"/counters/reset", "application/json", nil); err == nil {
		resp.Body.Close()
	}
}

func counters(env map[string]string) map[string]int {
	resp, err := http.Get(controlURL(env) + "/counters")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	m := map[string]int{}
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return m
}

func printCounters(m map[string]int) {
	total := 0
	for _, k := range sortedKeys(m) {
		fmt.Printf("  %-50s %d\n", k, m[k])
		total += m[k]
	}
	fmt.Printf("  %-50s %d\n", "total", total)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
