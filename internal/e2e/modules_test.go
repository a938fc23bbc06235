package e2e

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// The composable modules, each through its example in examples/modules: the
// real CLI and the freshly built provider apply it to the sandbox, the
// remote objects are read back through the SDK, a re-plan shows no change,
// and after destroy nothing of it is left.

const modulesPrefix = "e2e-mod-"

// destroyLeavesNothing destroys the example and checks that the objects
// counted before the apply are all that is left.
func destroyLeavesNothing(t *testing.T, opts *terraform.Options, before objectCounts) {
	t.Helper()
	terraform.Destroy(t, opts)
	assertCounts(t, "after destroy", countObjects(t, modulesPrefix), before)
}

func replanIsEmpty(t *testing.T, opts *terraform.Options) {
	t.Helper()
	if code := terraform.PlanExitCode(t, opts); code != 0 {
		t.Fatalf("re-plan after apply: exit code %d, want 0 (no changes)", code)
	}
}

func TestZeroTrustBaselineModule(t *testing.T) {
	acctest.PreCheck(t)
	start := time.Now()
	before := countObjects(t, modulesPrefix)
	name := modulesPrefix + "baseline"
	opts := options(t, "examples/modules/zero-trust-baseline", map[string]any{
		"name": name, "jamf_tenant_id": "jamf-tenant-e2e", "crowdstrike_tenant_id": "cs-tenant-e2e",
		"log_group": "/e2e/verified-access", "log_bucket": "e2e-verified-access-logs",
	})
	var proxyID string
	var trustProviderIDs []string
	defer func() {
		destroyLeavesNothing(t, opts, before)
		if ids := acctest.VerifiedAccessInstancesNamed(t, name); len(ids) != 0 {
			t.Errorf("instances of %s left after destroy: %v", name, ids)
		}
		for _, id := range trustProviderIDs {
			if acctest.TrustProviderExists(t, id) == nil {
				t.Errorf("trust provider %s left after destroy", id)
			}
		}
		t.Logf("wall time: %s", time.Since(start).Round(time.Second))
	}()
	terraform.InitAndApply(t, opts)

	proxyID = terraform.Output(t, opts, "proxy_id")
	in := acctest.GetVerifiedAccessInstance(t, proxyID)
	if in.Description != "Corporate access proxy" || in.Tags["zerotrust:proxy"] != name || in.Tags["team"] != "security" {
		t.Errorf("instance %+v", in)
	}
	attached := acctest.AttachedTrustProviders(t, proxyID)
	if got, want := acctest.DescribeTrustProviders(attached),
		"device/crowdstrike/falcon/cs-tenant-e2e device/jamf/jamf/jamf-tenant-e2e user/iam-identity-center/idc/"; got != want {
		t.Errorf("attached trust providers:\n got  %s\n want %s", got, want)
	}
	// The output the surfaces use names exactly the attached providers.
	outIDs := terraform.OutputMap(t, opts, "trust_provider_ids")
	for _, tp := range attached {
		trustProviderIDs = append(trustProviderIDs, tp.ID)
		if outIDs[tp.Reference] != tp.ID {
			t.Errorf("trust_provider_ids[%s] = %q, attached %s", tp.Reference, outIDs[tp.Reference], tp.ID)
		}
	}
	if len(outIDs) != len(attached) {
		t.Errorf("trust_provider_ids %v, attached %d providers", outIDs, len(attached))
	}
	if refs := terraform.OutputMap(t, opts, "device_references"); refs["jamf"] != "jamf" || refs["crowdstrike"] != "falcon" || len(refs) != 2 {
		t.Errorf("device_references %v", refs)
	}
	var tc struct {
		Identity struct{ Type, Reference string }   `json:"identity_provider"`
		Devices  []struct{ Type, Reference string } `json:"device_trust_providers"`
	}
	if err := json.Unmarshal([]byte(terraform.Output(t, opts, "trust_context")), &tc); err != nil || tc.Identity.Reference != "idc" || len(tc.Devices) != 2 {
		t.Errorf("trust_context %+v (%v)", tc, err)
	}

	// Access logs for the SIEM: both destinations, trust context included.
	logs := acctest.VerifiedAccessLogging(t, proxyID)
	want := acctest.AccessLogs{CloudWatchEnabled: true, CloudWatchLogGroup: "/e2e/verified-access", S3Enabled: true,
		S3Bucket: "e2e-verified-access-logs", IncludeTrustContext: true, LogVersion: "ocsf-1.0.0-rc.2"}
	if logs != want {
		t.Errorf("logging:\n got  %+v\n want %+v", logs, want)
	}

	// Deny by default: the proxy alone fronts nothing.
	groups, err := acctest.VerifiedAccessGroupsOf(t, proxyID)
	if err != nil || len(groups) != 0 {
		t.Errorf("groups on the bare proxy: %v (%v)", groups, err)
	}
	replanIsEmpty(t, opts)
}

func TestProtectSurfaceModule(t *testing.T) {
	acctest.PreCheck(t)
	start := time.Now()
	vpcID := acctest.CreateVPC(t, "10.79.0.0/16")
	subnets := acctest.CreateSubnets(t, vpcID, "10.79.1.0/24", "10.79.2.0/24")
	lbARN := acctest.CreateInternalLoadBalancer(t, "e2e-mod-payments", subnets)
	engineers := acctest.CreateIdentityGroup(t, "e2e-payments-engineers")
	t.Cleanup(func() { _ = acctest.DeleteIdentityGroup(t, engineers) })

	before := countObjects(t, modulesPrefix)
	opts := options(t, "examples/modules/protect-surface", map[string]any{
		"name_prefix": modulesPrefix, "jamf_tenant_id": "jamf-tenant-e2e", "log_group": "/e2e/verified-access",
		"load_balancer_arn": lbARN, "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/e2e-payments",
		"subnet_ids": subnets, "engineers_group_id": engineers,
	})
	var groupID, proxyID string
	defer func() {
		destroyLeavesNothing(t, opts, before)
		if err := acctest.CheckVerifiedAccessSurfaceGone(t, &groupID, &proxyID)(nil); err != nil {
			t.Error(err)
		}
		// The application's load balancer is a prerequisite, not the surface's.
		if err := acctest.LoadBalancerExists(t, lbARN); err != nil {
			t.Errorf("after destroy: %v", err)
		}
		t.Logf("wall time: %s", time.Since(start).Round(time.Second))
	}()
	terraform.InitAndApply(t, opts)

	proxyID, groupID = terraform.Output(t, opts, "proxy_id"), terraform.Output(t, opts, "group_id")
	g := acctest.GetVerifiedAccessGroup(t, groupID)
	if g.InstanceID != proxyID || g.Tags["zerotrust:surface"] != modulesPrefix+"payments" || g.Tags["zerotrust:sensitivity"] != "restricted" || g.Tags["team"] != "payments" {
		t.Errorf("group %+v, want it on %s", g, proxyID)
	}

	// The live policy is exactly the compiled output, enabled, and holds
	// the rule's conditions: the group, the device posture, MFA, methods.
	doc := terraform.Output(t, opts, "policy_document")
	p := acctest.GetVerifiedAccessGroupPolicy(t, groupID)
	if !p.Enabled || p.Document != doc {
		t.Errorf("live policy (enabled=%v):\n%s\noutput:\n%s", p.Enabled, p.Document, doc)
	}
	for _, s := range []string{`@id("engineers-read-write")`, `context.idc.groups has "` + engineers + `"`, `context.jamf.risk`,
		`["GET", "POST"].contains(context.http_request.http_method)`, `@id("no-admin-deletes")`, "forbid"} {
		if !strings.Contains(doc, s) {
			t.Errorf("policy lacks %s:\n%s", s, doc)
		}
	}
	var statements []struct {
		ID, Effect string
		Conditions []string
	}
	terraform.OutputStruct(t, opts, "policy_statements", &statements)
	if len(statements) != 2 || statements[0].ID != "engineers-read-write" || statements[0].Effect != "permit" || len(statements[0].Conditions) != 4 ||
		statements[1].ID != "no-admin-deletes" || statements[1].Effect != "forbid" {
		t.Errorf("policy_statements %+v", statements)
	}

	// One endpoint, on the load balancer made for the test.
	epIDs := terraform.OutputMap(t, opts, "endpoint_ids")
	eps := acctest.VerifiedAccessEndpoints(t, groupID)
	if len(eps) != 1 || len(epIDs) != 1 {
		t.Fatalf("endpoints %+v, output %v", eps, epIDs)
	}
	e := eps[0]
	gotSubnets := append([]string(nil), e.SubnetIDs...)
	sort.Strings(gotSubnets)
	wantSubnets := append([]string(nil), subnets...)
	sort.Strings(wantSubnets)
	if e.ID != epIDs["payments-admin"] || e.LoadBalancerARN != lbARN || e.LoadBalancerPort != 443 || e.LoadBalancerProtocol != "https" ||
		e.ApplicationDomain != "pay.internal.example.com" || e.Status != "active" || strings.Join(gotSubnets, ",") != strings.Join(wantSubnets, ",") {
		t.Errorf("endpoint %+v, output %v", e, epIDs)
	}
	replanIsEmpty(t, opts)
}

func TestIdentityCenterAccessModule(t *testing.T) {
	acctest.PreCheck(t)
	start := time.Now()
	instanceARN, storeID := acctest.IdentityCenter(t)
	users := acctest.CreateUsers(t, "e2e-mod-alice@example.com", "e2e-mod-bob@example.com")
	before := countObjects(t, modulesPrefix)
	vars := map[string]any{
		"identity_center_instance_arn": instanceARN, "identity_store_id": storeID, "name_prefix": modulesPrefix,
		"prod_account_id": faultsAccount, "engineers": []string{"e2e-mod-alice@example.com", "e2e-mod-bob@example.com"},
		"oncall_expires_at": "2030-01-01T00:00:00Z",
	}
	opts := options(t, "examples/modules/identity-center-access", vars)
	var groupID string
	var arns map[string]string
	defer func() {
		destroyLeavesNothing(t, opts, before)
		if _, err := acctest.GetIdentityGroup(t, groupID); groupID != "" && err == nil {
			t.Errorf("group %s left after destroy", groupID)
		}
		for name, arn := range arns {
			if acctest.PermissionSetExists(t, instanceARN, arn) {
				t.Errorf("permission set %s (%s) left after destroy", name, arn)
			}
		}
		t.Logf("wall time: %s", time.Since(start).Round(time.Second))
	}()
	terraform.InitAndApply(t, opts)

	groupID = terraform.OutputMap(t, opts, "group_ids")["payments-engineering"]
	if g, err := acctest.GetIdentityGroup(t, groupID); err != nil || g.DisplayName != modulesPrefix+"payments-engineering" || !strings.HasPrefix(g.Description, "Engineers of the payments team") {
		t.Errorf("group %s: %+v (%v)", groupID, g, err)
	}
	if err := acctest.ExpectGroupMembers(t, groupID, users, "e2e-mod-alice@example.com", "e2e-mod-bob@example.com"); err != nil {
		t.Error(err)
	}

	arns = terraform.OutputMap(t, opts, "permission_set_arns")
	read, oncall := modulesPrefix+"payments-read", modulesPrefix+"payments-oncall"
	assigned := []string{"GROUP:" + groupID}
	ps, err := acctest.ReadPermissionSet(t, instanceARN, arns[read], faultsAccount)
	if err != nil || ps.SessionDuration != "PT4H" || strings.Join(ps.ManagedPolicies, ",") != "arn:aws:iam::aws:policy/ReadOnlyAccess" ||
		ps.InlinePolicy != "" || strings.Join(ps.Assignments[faultsAccount], ",") != strings.Join(assigned, ",") {
		t.Errorf("standing permission set %s: %+v (%v)", read, ps, err)
	}
	jit, err := acctest.ReadPermissionSet(t, instanceARN, arns[oncall], faultsAccount)
	if err != nil || len(jit.ManagedPolicies) != 0 || !strings.Contains(jit.InlinePolicy, `"ecs:UpdateService"`) ||
		strings.Join(jit.Assignments[faultsAccount], ",") != strings.Join(assigned, ",") {
		t.Errorf("just-in-time permission set %s: %+v (%v)", oncall, jit, err)
	}
	if exp := terraform.OutputMap(t, opts, "grant_expiry"); len(exp) != 1 || exp[oncall] != "2030-01-01T00:00:00Z" {
		t.Errorf("grant_expiry %v", exp)
	}
	if expired := terraform.OutputMap(t, opts, "grants_expired"); expired[oncall] != "false" {
		t.Errorf("grants_expired %v", expired)
	}
	replanIsEmpty(t, opts)

	// The on-call grant runs out: its assignment goes, the standing one stays.
	vars["oncall_expires_at"] = time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	terraform.Apply(t, opts)
	if expired := terraform.OutputMap(t, opts, "grants_expired"); expired[oncall] != "true" {
		t.Errorf("grants_expired after expiry %v", expired)
	}
	if jit, err := acctest.ReadPermissionSet(t, instanceARN, arns[oncall], faultsAccount); err != nil || len(jit.Assignments[faultsAccount]) != 0 {
		t.Errorf("expired grant still assigned: %+v (%v)", jit.Assignments, err)
	}
	if ps, err := acctest.ReadPermissionSet(t, instanceARN, arns[read], faultsAccount); err != nil || strings.Join(ps.Assignments[faultsAccount], ",") != strings.Join(assigned, ",") {
		t.Errorf("standing assignment after the grant expired: %+v (%v)", ps.Assignments, err)
	}
	replanIsEmpty(t, opts)
}

// TestModuleBadInputs: a bad module input fails the plan with the module's
// own message, before anything is created.
func TestModuleBadInputs(t *testing.T) {
	acctest.PreCheck(t)
	const lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/pay/50dc6c495c0c9188"
	surface := map[string]any{"jamf_tenant_id": "j", "log_group": "/e2e/va", "load_balancer_arn": lb,
		"certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/x", "subnet_ids": []string{"subnet-0123456789abcdef0"},
		"engineers_group_id": "9067b2a3-1234-4c5d-8e9f-0123456789ab"}
	with := func(base map[string]any, k string, v any) map[string]any {
		m := map[string]any{}
		for key, val := range base {
			m[key] = val
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		name, example string
		vars          map[string]any
		want          string
	}{
		{"baseline log group", "examples/modules/zero-trust-baseline",
			map[string]any{"jamf_tenant_id": "j", "crowdstrike_tenant_id": "c", "log_group": "bad log group!"}, "logging.cloudwatch_log_group must be a log group name"},
		{"baseline bucket", "examples/modules/zero-trust-baseline",
			map[string]any{"jamf_tenant_id": "j", "crowdstrike_tenant_id": "c", "log_group": "/e2e/va", "log_bucket": "Bad_Bucket"}, "logging.s3.bucket must be an S3 bucket name"},
		{"baseline proxy name", "examples/modules/zero-trust-baseline",
			map[string]any{"name": "-corp", "jamf_tenant_id": "j", "crowdstrike_tenant_id": "c", "log_group": "/e2e/va"}, "name must be 1-63 characters"},
		{"surface load balancer", "examples/modules/protect-surface", with(surface, "load_balancer_arn", "not-an-arn"), "load_balancer_arn must be an Application or Network Load Balancer ARN"},
		{"access account", "examples/modules/identity-center-access",
			map[string]any{"identity_center_instance_arn": "arn:aws:sso:::instance/ssoins-0123456789abcdef", "identity_store_id": "d-0123456789",
				"prod_account_id": "12345", "engineers": []string{"a"}}, "permission_sets accounts must be 12-digit AWS account ids"},
		{"access expiry", "examples/modules/identity-center-access",
			map[string]any{"identity_center_instance_arn": "arn:aws:sso:::instance/ssoins-0123456789abcdef", "identity_store_id": "d-0123456789",
				"prod_account_id": faultsAccount, "engineers": []string{"a"}, "oncall_expires_at": "next friday"}, "just_in_time expires_at must be an RFC 3339 time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := options(t, tc.example, tc.vars)
			out, err := terraform.InitAndPlanE(t, opts)
			if err == nil {
				t.Fatalf("plan succeeded, want %q", tc.want)
			}
			if !strings.Contains(strings.Join(strings.Fields(out), " "), tc.want) {
				t.Errorf("plan output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}
