package sandbox

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/awsmodel"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/sandboxtest"
)

// TestAWSSandboxThroughEnv checks that a client configured only from Env()
// (the way the provider and Terraform pick it up) reaches the front: Verified
// Access is served, and the rest lands in moto.
func TestAWSSandboxThroughEnv(t *testing.T) {
	sandboxtest.Require(t, sandboxtest.Needs{AWS: true})
	ctx := context.Background()
	dir := t.TempDir()
	sb, err := Start(ctx, Options{WorkDir: dir, AWS: true})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			sb.Stop()
		}
	}()
	env := sb.Env()
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_EC2_METADATA_DISABLED", "ZT_SANDBOX_CONTROL_URL"} {
		if env[k] == "" {
			t.Fatalf("Env lacks %s: %v", k, env)
		}
	}
	if env["AWS_ENDPOINT_URL"] != sb.AWSEndpoint() || env["ZT_SANDBOX_CONTROL_URL"] != sb.AWSEndpoint()+"/_sandbox" {
		t.Fatalf("env %v", env)
	}
	if _, ok := env["KUBECONFIG"]; ok {
		t.Fatal("KUBECONFIG set without Kubernetes")
	}
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := ec2.NewFromConfig(cfg)
	in, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{Description: aws.String("env")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("env"), Description: aws.String("env")}); err != nil {
		t.Fatal(err)
	}
	counts, err := sb.Control().Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["ec2:CreateVerifiedAccessInstance"] != 1 || counts["ec2:CreateSecurityGroup"] != 1 {
		t.Fatalf("counters %v", counts)
	}
	if in.VerifiedAccessInstance.VerifiedAccessInstanceId == nil {
		t.Fatal("no instance id")
	}
	logPath := filepath.Join(sb.WorkDir(), "moto", "moto_server.log")
	if _, err := os.Stat(logPath); err != nil {
		t.Fatalf("moto log: %v", err)
	}

	front, motoURL := sb.AWSEndpoint(), sb.MotoEndpoint()
	if err := sb.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped = true
	for _, u := range []string{front + "/_sandbox/counters", motoURL + "/moto-api/"} {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			t.Fatalf("%s still answers after Stop", u)
		}
	}
}

func TestNothingToStart(t *testing.T) {
	if _, err := Start(context.Background(), Options{}); err == nil {
		t.Fatal("empty options accepted")
	}
}

// Without AWS's API models the sandbox does not start: it would accept
// requests AWS refuses.
func TestAWSSandboxNeedsAPIModels(t *testing.T) {
	t.Setenv(awsmodel.EnvDataDir, filepath.Join(t.TempDir(), "no-botocore"))
	sb, err := Start(context.Background(), Options{AWS: true})
	if err == nil {
		sb.Stop()
		t.Fatal("the sandbox started without API models")
	}
	if !strings.Contains(err.Error(), awsmodel.EnvDataDir) || !strings.Contains(err.Error(), "botocore") {
		t.Fatalf("the error does not say how to provide the models: %v", err)
	}
}
