package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// faultsAccount is the account examples/faults assigns the privileged access in.
const faultsAccount = "111111111111"

// faultsExpected is what one apply of examples/faults adds: the proxy (one
// instance, an identity and a device trust provider), three surfaces (three
// groups, one CIDR endpoint each), two access groups with three memberships,
// one permission set with one account assignment.
var faultsExpected = objectCounts{
	"ec2 VA instances":             1,
	"ec2 VA trust providers":       2,
	"ec2 VA groups":                3,
	"ec2 VA endpoints":             3,
	"identitystore groups":         2,
	"identitystore memberships":    3,
	"ssoadmin permission sets":     1,
	"ssoadmin account assignments": 1,
}

// TestFaultsConverge applies examples/faults through the real CLI, first
// without faults, then with 20% throttling and a not-found-after-create window
// on every request (EC2, SSO Admin and Identity Store alike). After each apply
// it counts the objects through the SDK (no duplicates, nothing orphaned),
// re-plans expecting no changes, destroys and checks nothing is left. The
// front's per-action request counters are logged for every phase.
func TestFaultsConverge(t *testing.T) {
	acctest.PreCheck(t)
	ctrl := faultsControl(t)
	users, subnetID := faultsPrerequisites(t, "fc")
	baseline := countObjects(t, "fc-")
	// ZT_FAULTS_SEED replays the faulty phase with another seed.
	seed := uint64(20260101)
	if v := os.Getenv("ZT_FAULTS_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("ZT_FAULTS_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("fault seed %d", seed)

	phases := []struct {
		name   string
		prefix string
		faults *vafront.Faults
	}{
		{"no_faults", "fc-clean", nil},
		{"faults", "fc-faulty", &vafront.Faults{ThrottleRate: 0.2, NotFoundAfterCreateMS: 2000, Seed: seed}},
	}
	for _, ph := range phases {
		ok := t.Run(ph.name, func(t *testing.T) {
			ctx := context.Background()
			opts := options(t, "examples/faults", faultsVars(ph.prefix, users, subnetID))
			terraform.Init(t, opts)
			setFaults := func() {
				if ph.faults != nil {
					if err := ctrl.SetFaults(ctx, *ph.faults); err != nil {
						t.Fatal(err)
					}
				}
			}
			destroyed := false
			defer func() {
				if destroyed {
					return
				}
				// Clean up whatever the failed phase left, without faults.
				_ = ctrl.ClearFaults(ctx)
				terraform.Destroy(t, opts)
			}()

			setFaults()
			resetCounters(t, ctrl)
			terraform.Apply(t, opts)
			logCounters(t, ctrl, ph.name+" apply")
			_ = ctrl.ClearFaults(ctx)

			assertCounts(t, "after apply", countObjects(t, "fc-"), baseline.plus(faultsExpected))

			setFaults()
			resetCounters(t, ctrl)
			code := terraform.PlanExitCode(t, opts)
			logCounters(t, ctrl, ph.name+" refresh+plan")
			_ = ctrl.ClearFaults(ctx)
			if code != 0 {
				t.Errorf("re-plan after apply: exit code %d, want 0 (no changes)", code)
			}

			setFaults()
			resetCounters(t, ctrl)
			terraform.Destroy(t, opts)
			destroyed = true
			logCounters(t, ctrl, ph.name+" destroy")
			_ = ctrl.ClearFaults(ctx)

			assertCounts(t, "after destroy", countObjects(t, "fc-"), baseline)
		})
		if !ok {
			break
		}
	}
}

func faultsControl(t *testing.T) *vafront.Control {
	t.Helper()
	if acctest.Sandbox == nil || acctest.Sandbox.Control() == nil {
		t.Skip("fault injection needs the local sandbox's Verified Access front")
	}
	ctrl := acctest.Sandbox.Control()
	if err := ctrl.ClearFaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ctrl.ClearFaults(context.Background()) })
	return ctrl
}

// faultsPrerequisites makes, through the SDK, the Identity Store users the
// access groups list and a VPC with a subnet for the CIDR endpoints.
func faultsPrerequisites(t *testing.T, prefix string) (map[string][]string, string) {
	t.Helper()
	ctx := context.Background()
	_, store := faultsIdentityCenter(t)
	is := identitystore.NewFromConfig(acctest.AWSConfig(t))
	users := map[string][]string{
		"engineers": {prefix + "-eng-alice", prefix + "-eng-bob"},
		"dbas":      {prefix + "-dba-carol"},
	}
	for _, names := range users {
		for _, n := range names {
			out, err := is.CreateUser(ctx, &identitystore.CreateUserInput{
				IdentityStoreId: aws.String(store), UserName: aws.String(n), DisplayName: aws.String(n),
				Name: &istypes.Name{GivenName: aws.String("Test"), FamilyName: aws.String(n)},
			})
			if err != nil {
				t.Fatalf("creating user %s: %v", n, err)
			}
			id := out.UserId
			t.Cleanup(func() {
				_, _ = is.DeleteUser(context.Background(), &identitystore.DeleteUserInput{IdentityStoreId: aws.String(store), UserId: id})
			})
		}
	}
	vpcID := acctest.CreateVPC(t, "10.61.0.0/16")
	c := acctest.EC2(t)
	sn, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String("10.61.0.0/20")})
	if err != nil {
		t.Fatalf("creating subnet: %v", err)
	}
	subnetID := aws.ToString(sn.Subnet.SubnetId)
	t.Cleanup(func() {
		_, _ = c.DeleteSubnet(context.Background(), &ec2.DeleteSubnetInput{SubnetId: aws.String(subnetID)})
	})
	return users, subnetID
}

func faultsVars(prefix string, users map[string][]string, subnetID string) map[string]any {
	return map[string]any{
		"prefix":     prefix,
		"engineers":  users["engineers"],
		"dbas":       users["dbas"],
		"account_id": faultsAccount,
		"subnet_ids": []string{subnetID},
	}
}

func faultsIdentityCenter(t *testing.T) (instanceARN, storeID string) {
	t.Helper()
	out, err := ssoadmin.NewFromConfig(acctest.AWSConfig(t)).ListInstances(context.Background(), &ssoadmin.ListInstancesInput{})
	if err != nil || len(out.Instances) == 0 {
		t.Fatalf("listing IAM Identity Center instances: %v", err)
	}
	return aws.ToString(out.Instances[0].InstanceArn), aws.ToString(out.Instances[0].IdentityStoreId)
}

// objectCounts counts live objects by kind.
type objectCounts map[string]int

func (o objectCounts) plus(d objectCounts) objectCounts {
	out := objectCounts{}
	for k, v := range o {
		out[k] = v
	}
	for k, v := range d {
		out[k] += v
	}
	return out
}

func (o objectCounts) String() string {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, o[k])
	}
	return strings.TrimSpace(b.String())
}

// countObjects counts, through the SDK, every Verified Access object in the
// sandbox, and the Identity Center objects whose names start with namePrefix
// (groups, their memberships, permission sets and their assignments in
// faultsAccount). Faults must be off: the SDK goes through the front too.
func countObjects(t *testing.T, namePrefix string) objectCounts {
	t.Helper()
	ctx := context.Background()
	c := acctest.EC2(t)
	n := objectCounts{}

	inst, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	n["ec2 VA instances"] = len(inst.VerifiedAccessInstances)
	tps, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	n["ec2 VA trust providers"] = len(tps.VerifiedAccessTrustProviders)
	groups, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	n["ec2 VA groups"] = len(groups.VerifiedAccessGroups)
	eps, err := c.DescribeVerifiedAccessEndpoints(ctx, &ec2.DescribeVerifiedAccessEndpointsInput{})
	if err != nil {
		t.Fatal(err)
	}
	n["ec2 VA endpoints"] = len(eps.VerifiedAccessEndpoints)

	instanceARN, store := faultsIdentityCenter(t)
	is := identitystore.NewFromConfig(acctest.AWSConfig(t))
	n["identitystore groups"], n["identitystore memberships"] = 0, 0
	gp := identitystore.NewListGroupsPaginator(is, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(store)})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range page.Groups {
			if !strings.HasPrefix(aws.ToString(g.DisplayName), namePrefix) {
				continue
			}
			n["identitystore groups"]++
			ms, err := is.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: aws.String(store), GroupId: g.GroupId})
			if err != nil {
				t.Fatal(err)
			}
			n["identitystore memberships"] += len(ms.GroupMemberships)
		}
	}

	sso := ssoadmin.NewFromConfig(acctest.AWSConfig(t))
	n["ssoadmin permission sets"], n["ssoadmin account assignments"] = 0, 0
	pp := ssoadmin.NewListPermissionSetsPaginator(sso, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instanceARN)})
	for pp.HasMorePages() {
		page, err := pp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, arn := range page.PermissionSets {
			d, err := sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(aws.ToString(d.PermissionSet.Name), namePrefix) {
				continue
			}
			n["ssoadmin permission sets"]++
			as, err := sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{
				InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), AccountId: aws.String(faultsAccount)})
			if err != nil {
				t.Fatal(err)
			}
			n["ssoadmin account assignments"] += len(as.AccountAssignments)
		}
	}

	// Just-in-time expiry: the schedule group and the role are named
	// zerotrust-jit-<permission set name>.
	expiryPrefix := "zerotrust-jit-" + namePrefix
	sch := scheduler.NewFromConfig(acctest.AWSConfig(t))
	n["scheduler schedule groups"], n["scheduler schedules"], n["iam expiry roles"] = 0, 0, 0
	sgp := scheduler.NewListScheduleGroupsPaginator(sch, &scheduler.ListScheduleGroupsInput{NamePrefix: aws.String(expiryPrefix)})
	for sgp.HasMorePages() {
		page, err := sgp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range page.ScheduleGroups {
			if !strings.HasPrefix(aws.ToString(g.Name), expiryPrefix) {
				continue
			}
			n["scheduler schedule groups"]++
			sp := scheduler.NewListSchedulesPaginator(sch, &scheduler.ListSchedulesInput{GroupName: g.Name})
			for sp.HasMorePages() {
				sched, err := sp.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				n["scheduler schedules"] += len(sched.Schedules)
			}
		}
	}
	rp := iam.NewListRolesPaginator(iam.NewFromConfig(acctest.AWSConfig(t)), &iam.ListRolesInput{PathPrefix: aws.String(identitycenter.ExpiryRolePath)})
	for rp.HasMorePages() {
		page, err := rp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Roles {
			if strings.HasPrefix(aws.ToString(r.RoleName), expiryPrefix) {
				n["iam expiry roles"]++
			}
		}
	}
	return n
}

func assertCounts(t *testing.T, when string, got, want objectCounts) {
	t.Helper()
	t.Logf("objects %s: %s", when, got)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %s = %d, want %d (duplicate or orphan)", when, k, got[k], w)
		}
	}
}

func resetCounters(t *testing.T, ctrl *vafront.Control) {
	t.Helper()
	if err := ctrl.ResetCounters(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// logCounters logs the front's counters as one compact line per service
// (Action=count, sorted), with the total.
func logCounters(t *testing.T, ctrl *vafront.Control, phase string) map[string]int64 {
	t.Helper()
	m, err := ctrl.Counters(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byService := map[string][]string{}
	var total int64
	for k, v := range m {
		svc, action, ok := strings.Cut(k, ":")
		if !ok {
			svc, action = "?", k
		}
		byService[svc] = append(byService[svc], fmt.Sprintf("%s=%d", action, v))
		total += v
	}
	services := make([]string, 0, len(byService))
	for s := range byService {
		services = append(services, s)
	}
	sort.Strings(services)
	var b strings.Builder
	fmt.Fprintf(&b, "counters %s (total %d requests):", phase, total)
	for _, s := range services {
		sort.Strings(byService[s])
		fmt.Fprintf(&b, "\n  %-14s %s", s, strings.Join(byService[s], " "))
	}
	t.Log(b.String())
	return m
}

// TestFaultsInterruptedApply starts `terraform apply` of examples/faults as a
// subprocess, sends it SIGINT as soon as a given resource reports "Creation
// complete" (so that others are in flight), then applies again to completion
// and checks the objects through the SDK: an interrupted apply must not leave
// duplicates or orphans behind.
func TestFaultsInterruptedApply(t *testing.T) {
	acctest.PreCheck(t)
	ctrl := faultsControl(t)
	users, subnetID := faultsPrerequisites(t, "fi")
	baseline := countObjects(t, "fi-")

	cases := []struct {
		name, prefix, trigger string
	}{
		// Proxy and access groups in flight.
		{"first_creation", "fi-first", ": Creation complete"},
		// The three surfaces (groups, endpoints) and the privileged access in flight.
		{"after_proxy", "fi-proxy", "zerotrust_access_proxy.corp: Creation complete"},
		// Remaining surfaces and the privileged access in flight.
		{"after_first_surface", "fi-surface", "zerotrust_protect_surface.this["},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			interruptedApply(t, ctrl, baseline, faultsVars(tc.prefix, users, subnetID), tc.trigger)
		})
	}
}

func interruptedApply(t *testing.T, ctrl *vafront.Control, baseline objectCounts, vars map[string]any, trigger string) {
	ctx := context.Background()
	opts := options(t, "examples/faults", vars)
	// The subprocess reads the variables from a file rather than -var flags.
	raw, err := json.Marshal(vars)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(opts.TerraformDir, "terraform.tfvars.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	terraform.Init(t, opts)
	defer func() {
		_ = ctrl.ClearFaults(ctx)
		terraform.Destroy(t, opts)
		assertCounts(t, "after destroy", countObjects(t, "fi-"), baseline)
	}()

	// Latency keeps several creates in flight when the interrupt arrives.
	if err := ctrl.SetFaults(ctx, vafront.Faults{LatencyMS: 300, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	resetCounters(t, ctrl)
	cmd := exec.Command(acctest.TerraformBinary(t), "apply", "-auto-approve", "-input=false", "-no-color")
	cmd.Dir = opts.TerraformDir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+os.Getenv("ZT_CLI_CONFIG"), "CHECKPOINT_DISABLE=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var progress []string
	interrupted := false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, ": Creat") || strings.Contains(line, "Error:") || strings.Contains(line, "Interrupt") || strings.HasPrefix(line, "  with ") {
			progress = append(progress, line)
		}
		if !interrupted && strings.Contains(line, trigger) && strings.Contains(line, "Creation complete") {
			interrupted = true
			progress = append(progress, "--> SIGINT")
			_ = cmd.Process.Signal(syscall.SIGINT)
		}
	}
	waitErr := cmd.Wait()
	logCounters(t, ctrl, "interrupted apply")
	_ = ctrl.ClearFaults(ctx)
	t.Logf("interrupted apply (exit: %v), progress:\n%s", waitErr, strings.Join(progress, "\n"))
	if !interrupted {
		t.Fatalf("the apply finished without a %q creation to interrupt after", trigger)
	}
	t.Logf("objects after the interrupt: %s", countObjects(t, "fi-"))
	if st, err := terraform.RunTerraformCommandE(t, opts, "state", "list"); err == nil {
		t.Logf("state after the interrupt:\n%s", st)
	}

	resetCounters(t, ctrl)
	terraform.Apply(t, opts)
	logCounters(t, ctrl, "apply after interrupt")
	assertCounts(t, "after the second apply", countObjects(t, "fi-"), baseline.plus(faultsExpected))
	if code := terraform.PlanExitCode(t, opts); code != 0 {
		t.Errorf("re-plan after the second apply: exit code %d, want 0 (no changes)", code)
	}
}
