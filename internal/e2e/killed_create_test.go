package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

const killedProviderBlock = `
terraform {
  required_providers {
    zerotrust = { source = "ztforge/zerotrust" }
  }
}

provider "zerotrust" {
  aws {}
}
`

// killedApply runs `terraform apply` in dir with the sandbox delaying action,
// SIGKILLs terraform and its provider plugin (one process group) — or, with
// pluginOnly, the provider plugin alone — once action reached the sandbox,
// and clears the fault.
func killedApply(t *testing.T, ctrl *vafront.Control, dir, action string, pluginOnly ...bool) {
	t.Helper()
	ctx := context.Background()
	// The matching request waits long enough for the kill to land while it
	// is in flight.
	if err := ctrl.SetFaults(ctx, vafront.Faults{LatencyMS: 60_000, Actions: []string{action}}); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ctrl.ClearFaults(ctx) }()
	resetCounters(t, ctrl)
	cmd := exec.Command(acctest.TerraformBinary(t), "apply", "-auto-approve", "-input=false", "-no-color")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+os.Getenv("ZT_CLI_CONFIG"), "CHECKPOINT_DISABLE=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the kill reaches the plugin too
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		counts, err := ctrl.Counters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[action] > 0 {
			break
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			t.Fatalf("%s never reached the sandbox", action)
		}
	}
	target := -cmd.Process.Pid
	if len(pluginOnly) > 0 && pluginOnly[0] {
		target = pluginPID(t, cmd.Process.Pid)
	}
	if err := syscall.Kill(target, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // nothing of the run survives
	// A killed terraform leaves its state lock behind.
	_ = os.Remove(filepath.Join(dir, ".terraform.tfstate.lock.info"))
}

// pluginPID finds the provider plugin in terraform's process group.
func pluginPID(t *testing.T, pgid int) int {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces, so split after ")".
		line := string(raw)
		lp, rp := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
		if lp < 0 || rp < lp {
			continue
		}
		fields := strings.Fields(line[rp+1:])
		if len(fields) < 3 || fields[2] != strconv.Itoa(pgid) || !strings.HasPrefix(line[lp+1:rp], "terraform-provi") {
			continue
		}
		pid, _ := strconv.Atoi(strings.Fields(line)[0])
		return pid
	}
	t.Fatal("the provider plugin is not running in terraform's process group")
	return 0
}

func killedOptions(t *testing.T, hcl string) *terraform.Options {
	t.Helper()
	opts := options(t, "examples/provider", nil)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(killedProviderBlock+hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	opts.TerraformDir = dir
	return opts
}

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
			opts := killedOptions(t, `
resource "zerotrust_segment" "killed" {
  name   = "`+name+`"
  vpc_id = "`+vpcID+`"
}
`)
			terraform.Init(t, opts)
			defer terraform.Destroy(t, opts)
			killedApply(t, ctrl, opts.TerraformDir, tc.action)

			left := acctest.SecurityGroupsNamed(t, vpcID, name)
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
			after := acctest.SecurityGroupsNamed(t, vpcID, name)
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

// TestKilledCreates SIGKILLs terraform and its plugin at a create of every
// other object type — a Verified Access instance with its trust providers, a
// Verified Access group, an Identity Store group, a permission set — then
// applies again and counts the objects through the SDK: exactly what the
// configuration declares, nothing duplicated, nothing orphaned, and none
// left after destroy.
// jitGrant is a just-in-time grant to kc-oncall that expires in a year.
var jitGrant = `
resource "zerotrust_privileged_access" "oncall" {
  name             = "kc-jit"
  group            = zerotrust_access_group.oncall.id
  accounts         = ["` + faultsAccount + `"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  expires_at       = "` + time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339) + `"
}
`

// jitGrantCounts is what the group and the grant add: one permission set,
// its assignment, and the expiry's schedule group, schedule and role.
var jitGrantCounts = objectCounts{
	"identitystore groups": 1, "ssoadmin permission sets": 1, "ssoadmin account assignments": 1,
	"scheduler schedule groups": 1, "scheduler schedules": 1, "iam expiry roles": 1,
}

func TestKilledCreates(t *testing.T) {
	acctest.PreCheck(t)
	ctrl := faultsControl(t)
	proxy := func(name string) string {
		return `
resource "zerotrust_access_proxy" "corp" {
  name = "` + name + `"
  identity_provider {
    type         = "iam-identity-center"
    reference    = "idc"
    mfa_enforced = true
  }
  device_trust_provider {
    type      = "jamf"
    reference = "jamf"
    tenant_id = "jamf-tenant"
  }
}
`
	}
	group := `
resource "zerotrust_access_group" "oncall" {
  display_name = "kc-oncall"
}
`
	type killCase struct {
		name, setup, killed, action string
		// want is what the whole configuration adds, counted after the rerun.
		want objectCounts
		// pluginOnly kills the provider plugin, not terraform.
		pluginOnly bool
	}
	cases := []killCase{
		{
			name: "proxy_while_creating_its_trust_providers", killed: proxy("kc-proxy-1"),
			action: "ec2:CreateVerifiedAccessTrustProvider",
			want:   objectCounts{"ec2 VA instances": 1, "ec2 VA trust providers": 2},
		},
		{
			name: "proxy_before_its_create_completes", killed: proxy("kc-proxy-2"),
			action: "ec2:DeleteTags",
			want:   objectCounts{"ec2 VA instances": 1, "ec2 VA trust providers": 2},
		},
		{
			name: "surface_before_its_create_completes", setup: proxy("kc-proxy-3"),
			killed: `
resource "zerotrust_protect_surface" "app" {
  name                = "kc-app"
  sensitivity         = "internal"
  proxy_id            = zerotrust_access_proxy.corp.id
  proxy_trust_context = zerotrust_access_proxy.corp.trust_context
}
`,
			action: "ec2:DeleteTags",
			want:   objectCounts{"ec2 VA instances": 1, "ec2 VA trust providers": 2, "ec2 VA groups": 1},
		},
		{
			name: "access_group_before_its_create_completes", killed: group,
			action: "identitystore:UpdateGroup",
			want:   objectCounts{"identitystore groups": 1},
		},
		{
			name: "permission_set_before_its_create_completes", setup: group,
			killed: `
resource "zerotrust_privileged_access" "oncall" {
  name             = "kc-oncall"
  group            = zerotrust_access_group.oncall.id
  accounts         = ["` + faultsAccount + `"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}
`,
			action: "sso:UntagResource",
			want:   objectCounts{"identitystore groups": 1, "ssoadmin permission sets": 1, "ssoadmin account assignments": 1},
		},
		// A just-in-time grant killed after its assignments exist and before
		// its expiry does: the permission set stays pending until the expiry
		// is complete, so the rerun adopts it, with what its expiry already
		// had, and the grant expires — never a live grant without expiry.
		{
			name: "jit_grant_while_creating_its_expiry_role", setup: group, killed: jitGrant,
			action: "iam:CreateRole",
			want:   jitGrantCounts,
		},
		{
			name: "jit_grant_before_its_create_completes", setup: group, killed: jitGrant,
			action: "sso:UntagResource",
			want:   jitGrantCounts,
		},
	}
	for _, tc := range cases[:len(cases):len(cases)] {
		tc.name, tc.pluginOnly = tc.name+"_plugin_only", true
		cases = append(cases, tc)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			baseline := countObjects(t, "kc-")
			opts := killedOptions(t, tc.setup)
			terraform.Init(t, opts)
			defer func() {
				terraform.Destroy(t, opts)
				assertCounts(t, "after destroy", countObjects(t, "kc-"), baseline)
			}()
			if tc.setup != "" {
				terraform.Apply(t, opts)
			}
			if err := os.WriteFile(filepath.Join(opts.TerraformDir, "main.tf"), []byte(killedProviderBlock+tc.setup+tc.killed), 0o644); err != nil {
				t.Fatal(err)
			}
			killedApply(t, ctrl, opts.TerraformDir, tc.action, tc.pluginOnly)
			t.Logf("objects after the kill: %s", countObjects(t, "kc-"))

			terraform.Apply(t, opts)
			assertCounts(t, "after the rerun", countObjects(t, "kc-"), baseline.plus(tc.want))
			if code := terraform.PlanExitCode(t, opts); code != 0 {
				t.Errorf("re-plan after the rerun: exit code %d, want 0", code)
			}
		})
	}
}
