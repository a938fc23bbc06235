// Package acctest is the shared acceptance-test harness: it starts the local
// sandbox once per test binary (unless real endpoints are given), serves the
// provider in-process to the real Terraform CLI, and reads and edits live
// objects for the tests, one service per file (ec2.go, verifiedaccess.go and
// verifiedaccess_groups.go, identitycenter.go and
// identitycenter_permissionsets.go, kubernetes.go, scheduler.go, elbv2.go).
//
// What a test checks after a step is a statecheck.StateCheck of this
// package, named for what it checks, next to its service's readers
// (ec2_checks.go, verifiedaccess_checks.go, verifiedaccess_surface_checks.go,
// kubernetes_checks.go; the Identity Center and scheduler ones in their
// files; the sandbox's call counts in sandbox.go). state.go captures values
// from state for later steps and compares with them; config.go builds the
// HCL the tests share and names objects with a random suffix. The provider's
// test files need no SDK or client-go import of their own, and no Check
// closure.
package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/ztforge/terraform-provider-zerotrust/internal/provider"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// ProtoV6ProviderFactories serves the provider in-process for resource.Test.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"zerotrust": providerserver.NewProtocol6WithError(provider.New("test")()),
}

// Sandbox is the running local sandbox, nil when tests target real endpoints
// (ZT_ACC_REAL=1) or when TF_ACC is unset.
var Sandbox *sandbox.Sandbox

// Options choose which halves of the sandbox a test binary needs.
type Options struct {
	AWS, Kubernetes bool
}

// Main runs a package's tests with the sandbox started around them.
func Main(m *testing.M, o Options) {
	os.Exit(run(m, o))
}

func run(m *testing.M, o Options) int {
	if os.Getenv("TF_ACC") == "" {
		// A plain `go test ./...`: acceptance tests skip, and the unit tests
		// that drive the provider through the CLI (plan-only bad input) must
		// not reach whatever cloud the developer's credentials point at.
		isolate()
		return m.Run()
	}
	if os.Getenv("ZT_ACC_REAL") != "" {
		return m.Run()
	}
	work, err := os.MkdirTemp("", "zt-acc-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	defer os.RemoveAll(work)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	sb, err := sandbox.Start(ctx, sandbox.Options{WorkDir: work, AWS: o.AWS, Kubernetes: o.Kubernetes})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest: starting the sandbox:", err)
		return 1
	}
	defer func() {
		if err := sb.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "acctest: stopping the sandbox:", err)
		}
	}()
	for k, v := range sb.Env() {
		os.Setenv(k, v)
	}
	Sandbox = sb
	code := m.Run()
	ops := reportOperations(sb)
	if err := checkRolePolicy(ops); err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// EnvOperationsFile names a file that receives, after the run, the
// operations the sandbox checked against AWS's API models (JSON).
const EnvOperationsFile = "ZT_SANDBOX_OPERATIONS_FILE"

// reportOperations says how many distinct operations the run exercised
// under the sandbox's model check, and which requests it refused.
func reportOperations(sb *sandbox.Sandbox) []vafront.OperationRecord {
	ctl := sb.Control()
	if ctl == nil {
		return nil
	}
	ops, err := ctl.Operations(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest: reading the sandbox's checked operations:", err)
		return nil
	}
	fromProvider, refused := 0, 0
	for _, op := range ops {
		if op.FromProvider {
			fromProvider++
		}
		if op.Violations > 0 {
			refused++
			fmt.Fprintf(os.Stderr, "acctest: the sandbox refused %d of %d %s:%s requests as AWS's model does\n", op.Violations, op.Count, op.Service, op.Operation)
		}
	}
	fmt.Fprintf(os.Stderr, "acctest: %d distinct operations checked against AWS's API models (%d called by the provider, %d with refused requests)\n", len(ops), fromProvider, refused)
	if path := os.Getenv(EnvOperationsFile); path != "" {
		out, err := json.MarshalIndent(ops, "", "  ")
		if err == nil {
			err = os.WriteFile(path, append(out, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "acctest: writing", path+":", err)
		}
	}
	return ops
}

// isolate points every client the provider could build at nothing: a closed
// loopback port with static credentials for AWS, no cluster for Kubernetes.
func isolate() {
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            "http://127.0.0.1:9", // discard port: nothing listens
		"AWS_ACCESS_KEY_ID":           "offline",
		"AWS_SECRET_ACCESS_KEY":       "offline",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_REGION":                  "us-east-1",
		"AWS_MAX_ATTEMPTS":            "1",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"KUBECONFIG":                  os.DevNull,
	} {
		os.Setenv(k, v)
	}
}

// RequireAcc skips a test that creates or reads cloud objects unless
// acceptance tests were asked for (TF_ACC=1).
func RequireAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test-acc runs it against the local sandbox)")
	}
}

// PreCheck skips nothing silently: a test that needs the sandbox fails loudly
// when it is missing.
func PreCheck(t *testing.T) {
	t.Helper()
	RequireAcc(t)
	realAccountGate(t)
	if os.Getenv("ZT_ACC_REAL") == "" && Sandbox == nil {
		t.Fatal("the sandbox is not running: acceptance tests must be run with TF_ACC=1 through acctest.Main")
	}
	if os.Getenv("AWS_REGION") == "" {
		t.Fatal("AWS_REGION must be set")
	}
}

// AWSConfig loads an SDK configuration from the same environment the
// provider uses. Outside acceptance runs it skips the test.
func AWSConfig(t *testing.T) aws.Config {
	t.Helper()
	RequireAcc(t)
	realAccountGate(t)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// RepoRoot finds the repository root (the folder with go.mod) from a test's working directory.
func RepoRoot(t *testing.T) string {
	t.Helper()
	dir, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TerraformBinary is the CLI the tests drive: TF_ACC_TERRAFORM_PATH, else
// terraform on the PATH, else OpenTofu's tofu (built by `make tools`).
func TerraformBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no terraform or tofu on the PATH: run `make tools`")
	return ""
}
