package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// TestKilledSegmentCreate SIGKILLs terraform and its provider plugin while a
// segment's security group is being created — before CreateSecurityGroup is
// served, and after it was served but before the create completed — then
// applies again: exactly one group exists, recorded in state with its
// ownership id, and a clean re-plan follows.
func TestKilledSegmentCreate(t *testing.T) {
	acctest.PreCheck(t)
	ctrl := faultsControl(t)
	cases := []struct {
		name, action string
		// leftBehind is the number of groups the killed apply leaves.
		leftBehind int
	}{
		{"during_CreateSecurityGroup", "ec2:CreateSecurityGroup", 0},
		{"before_the_create_completes", "ec2:DeleteTags", 1},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vpcID := acctest.CreateVPC(t, "10."+itoa(int32(40+i))+".0.0/16")
			name := "killed-" + strings.ToLower(strings.ReplaceAll(tc.name, "_", "-"))
			opts := options(t, "examples/provider", nil)
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`
terraform {
  required_providers {
    zerotrust = { source = "ztforge/zerotrust" }
  }
}

provider "zerotrust" {
  aws {}
}

resource "zerotrust_segment" "killed" {
  name   = "`+name+`"
  vpc_id = "`+vpcID+`"
}
`), 0o644); err != nil {
				t.Fatal(err)
			}
			opts.TerraformDir = dir
			terraform.Init(t, opts)
			defer terraform.Destroy(t, opts)

			ctx := context.Background()
			// The matching request waits long enough for the kill to land
			// while it is in flight.
			if err := ctrl.SetFaults(ctx, vafront.Faults{LatencyMS: 60_000, Actions: []string{tc.action}}); err != nil {
				t.Fatal(err)
			}
			resetCounters(t, ctrl)
			cmd := exec.Command(acctest.TerraformBinary(t), "apply", "-auto-approve", "-input=false", "-no-color")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+os.Getenv("ZT_CLI_CONFIG"), "CHECKPOINT_DISABLE=1")
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the kill reaches the plugin too
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(2 * time.Minute)
			for {
				counts, err := ctrl.Counters(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if counts[tc.action] > 0 {
					break
				}
				if time.Now().After(deadline) {
					_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
					t.Fatalf("%s never reached the sandbox", tc.action)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			if err := ctrl.ClearFaults(ctx); err != nil {
				t.Fatal(err)
			}
			// A killed terraform leaves its state lock behind.
			_ = os.Remove(filepath.Join(dir, ".terraform.tfstate.lock.info"))

			left := groupsNamed(t, vpcID, name)
			if len(left) != tc.leftBehind {
				t.Fatalf("after the kill: %d groups named %s, want %d", len(left), name, tc.leftBehind)
			}
			if tc.leftBehind == 1 {
				if tags := acctest.SecurityGroupTags(t, left[0]); tags[awsapi.TagCreatePending] == "" {
					t.Fatalf("the interrupted create's group is not marked pending: %v", tags)
				}
			}
			if out, _ := terraform.RunTerraformCommandE(t, opts, "state", "list"); strings.Contains(out, "zerotrust_segment.killed") {
				t.Fatalf("the killed apply recorded the segment: %s", out)
			}

			terraform.Apply(t, opts)
			after := groupsNamed(t, vpcID, name)
			if len(after) != 1 {
				t.Fatalf("after the rerun: %d groups named %s (%v), want exactly 1", len(after), name, after)
			}
			if tc.leftBehind == 1 && after[0] != left[0] {
				t.Fatalf("the rerun made %s instead of adopting the interrupted %s", after[0], left[0])
			}
			state := terraform.RunTerraformCommand(t, opts, "show", "-no-color")
			tags := acctest.SecurityGroupTags(t, after[0])
			if !strings.Contains(state, after[0]) || !strings.Contains(state, tags[awsapi.TagOwnership]) || tags[awsapi.TagCreatePending] != "" {
				t.Fatalf("state does not record %s with its ownership id %q (pending %q):\n%s", after[0], tags[awsapi.TagOwnership], tags[awsapi.TagCreatePending], state)
			}
			if code := terraform.PlanExitCode(t, opts); code != 0 {
				t.Errorf("re-plan after the rerun: exit code %d, want 0", code)
			}
		})
	}
}

func groupsNamed(t *testing.T, vpcID, name string) []string {
	t.Helper()
	return acctest.SecurityGroupsNamed(t, vpcID, name)
}
