package sweep_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/kube"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/identity"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/sandboxtest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sweep"
)

const account = "123456789012"

func with(extra ...string) map[string]string {
	m := map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

func ec2Tags(m map[string]string, rt ec2types.ResourceType) []ec2types.TagSpecification {
	if len(m) == 0 {
		return nil
	}
	var ts []ec2types.Tag
	for k, v := range m {
		ts = append(ts, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: ts}}
}

// current is the running test, for must (Go cannot pass t alongside a
// multi-value call).
var current *testing.T

func must[T any](v T, err error) T {
	current.Helper()
	if err != nil {
		current.Fatal(err)
	}
	return v
}

// world is what the test made, by role.
type world struct {
	sgClaimed, sgOrphan, sgAdopted, sgForeign           string
	ruleClaimed, ruleGone, ruleOrphan, ruleAdopted      string
	ruleForeignInClaimed, ruleForeign                   string
	instClaimed, instOrphan, instForeign                string
	tpClaimed, tpOrphan, tpForeign                      string
	groupClaimed, groupOrphan                           string
	epClaimed, epOrphan                                 string
	instanceARN, storeID                                string
	psClaimed, psOrphan, psForeign                      string
	gClaimed, gOrphan, gForeign, gAssigned              string
	npClaimed, npOrphan, npForeign, apClaimed, apOrphan string
	recClaimed, recOrphan                               string
	recLegacyOrphan                                     string // a 0.1 registry ConfigMap
	policyClaimed                                       string
	kubeNS                                              string
}

func TestSweepSandbox(t *testing.T) {
	sandboxtest.Require(t, sandboxtest.Needs{AWS: true, Kubernetes: true})
	current = t
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	sb, err := sandbox.Start(ctx, sandbox.Options{WorkDir: t.TempDir(), AWS: true, Kubernetes: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Stop() })
	for k, v := range sb.Env() {
		t.Setenv(k, v)
	}
	clients := must(awsapi.NewClients(ctx, awsapi.Config{Region: sandbox.Region}))
	cfg := must(kube.RESTConfig(kube.Config{ConfigPath: sb.KubeconfigPath()}))
	dyn := must(dynamic.NewForConfig(cfg))
	src := sweep.Sources{AWS: clients, Kube: dyn}

	// The environment of a running sandbox proves itself and passes the
	// safety check; what is only loopback, or holds another key or CA, does
	// not.
	proveSandbox(t, ctx, sb, cfg)

	w := build(t, ctx, clients, dyn)
	claims := must(sweep.LoadClaims(writeStates(t, w)...))

	// Dry run: exact counts, and listing changes nothing.
	before := must(sweep.List(ctx, src, claims))
	want := map[sweep.Kind]sweep.Count{
		sweep.KindSecurityGroup:       {Total: 3, Claimed: 1, Unclaimed: 2},
		sweep.KindSecurityGroupRule:   {Total: 4, Claimed: 1, Unclaimed: 3},
		sweep.KindVAInstance:          {Total: 2, Claimed: 1, Unclaimed: 1},
		sweep.KindVATrustProvider:     {Total: 2, Claimed: 1, Unclaimed: 1},
		sweep.KindVAGroup:             {Total: 2, Claimed: 1, Unclaimed: 1},
		sweep.KindVAEndpoint:          {Total: 2, Claimed: 1, Unclaimed: 1},
		sweep.KindPermissionSet:       {Total: 2, Claimed: 1, Unclaimed: 1},
		sweep.KindAccountAssignment:   {Total: 3, Claimed: 2, Unclaimed: 1},
		sweep.KindIdentityStoreGroup:  {Total: 3, Claimed: 1, Unclaimed: 2},
		sweep.KindNetworkPolicy:       {Total: 2, Claimed: 1, Unclaimed: 1},
		sweep.KindAuthorizationPolicy: {Total: 2, Claimed: 1, Unclaimed: 1},
		sweep.KindSegmentRecord:       {Total: 2, Claimed: 1, Unclaimed: 1},
		sweep.KindLegacySegmentRecord: {Total: 1, Claimed: 0, Unclaimed: 1},
	}
	var out bytes.Buffer
	if err := before.Write(&out); err != nil {
		t.Fatal(err)
	}
	t.Logf("inventory:\n%s", out.String())
	if got := before.Counts(); !equalCounts(got, want) {
		t.Fatalf("counts = %v\nwant %v", got, want)
	}
	wantUnclaimed := []string{w.sgOrphan, w.sgAdopted, w.ruleGone, w.ruleOrphan, w.ruleAdopted, w.instOrphan, w.tpOrphan, w.groupOrphan, w.epOrphan,
		w.psOrphan, w.psOrphan + "," + account + ",GROUP," + w.gForeign, w.gOrphan, w.gAssigned, w.kubeNS + "/" + w.npOrphan, w.kubeNS + "/" + w.apOrphan, w.kubeNS + "/" + w.recOrphan, w.kubeNS + "/" + w.recLegacyOrphan}
	sort.Strings(wantUnclaimed)
	if got := ids(before.Unclaimed()); strings.Join(got, " ") != strings.Join(wantUnclaimed, " ") {
		t.Fatalf("unclaimed = %v\nwant      %v", got, wantUnclaimed)
	}
	again := must(sweep.List(ctx, src, claims))
	if a, b := snapshot(before), snapshot(again); a != b {
		t.Fatalf("a dry run changed something:\nbefore %s\nafter  %s", a, b)
	}

	// Delete: exactly the unclaimed owned objects go, except the adopted
	// group (it stays, without its provider-tagged rule) and the group a
	// claimed permission set assigns.
	var log bytes.Buffer
	res, err := sweep.Delete(ctx, src, before, &log)
	t.Logf("delete:\n%s", log.String())
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, k := range res.Kept {
		kept = append(kept, k.Object.ID)
	}
	sort.Strings(kept)
	wantKept := []string{w.gAssigned, w.sgAdopted}
	sort.Strings(wantKept)
	if strings.Join(kept, " ") != strings.Join(wantKept, " ") {
		t.Fatalf("kept = %v, want the adopted group and the assigned identity store group %v", kept, wantKept)
	}
	if len(res.Deleted) != len(wantUnclaimed)-len(wantKept) {
		t.Fatalf("%d deleted, want %d", len(res.Deleted), len(wantUnclaimed)-len(wantKept))
	}
	after := must(sweep.List(ctx, src, claims))
	var claimedBefore []string
	for _, o := range before.Objects {
		if o.Claimed {
			claimedBefore = append(claimedBefore, o.ID)
		}
	}
	wantAfter := append(append([]string{}, claimedBefore...), wantKept...)
	sort.Strings(wantAfter)
	gotAfter := ids(after.Objects)
	sort.Strings(gotAfter)
	if strings.Join(gotAfter, " ") != strings.Join(wantAfter, " ") {
		t.Fatalf("after the sweep: %v\nwant %v", gotAfter, wantAfter)
	}
	if u := ids(after.Unclaimed()); strings.Join(u, " ") != strings.Join(wantKept, " ") {
		t.Fatalf("unclaimed after the sweep: %v, want %v", u, wantKept)
	}

	// Foreign objects are intact, including foreign parts of swept ones.
	checkForeign(t, ctx, clients, dyn, w)
	// A second sweep finds nothing more to delete.
	res2, err := sweep.Delete(ctx, src, after, &log)
	if err != nil || len(res2.Deleted) != 0 {
		t.Fatalf("second sweep deleted %d: %v", len(res2.Deleted), err)
	}
}

func build(t *testing.T, ctx context.Context, c *awsapi.Clients, dyn dynamic.Interface) world {
	t.Helper()
	var w world
	e := c.EC2
	vpcs := must(e.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}}))
	if len(vpcs.Vpcs) == 0 {
		t.Fatal("no default VPC")
	}
	vpc := aws.ToString(vpcs.Vpcs[0].VpcId)
	sg := func(name string, tags map[string]string) string {
		out := must(e.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
			GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(vpc), TagSpecifications: ec2Tags(tags, ec2types.ResourceTypeSecurityGroup),
		}))
		return aws.ToString(out.GroupId)
	}
	port := int32(1000)
	rule := func(group string, tags map[string]string) string {
		port++
		out := must(e.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
			GroupId: aws.String(group),
			IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port),
				IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}},
			TagSpecifications: ec2Tags(tags, ec2types.ResourceTypeSecurityGroupRule),
		}))
		if len(out.SecurityGroupRules) != 1 {
			t.Fatalf("authorize returned %d rules", len(out.SecurityGroupRules))
		}
		return aws.ToString(out.SecurityGroupRules[0].SecurityGroupRuleId)
	}
	w.sgClaimed = sg("zt-claimed", with(awsapi.TagSegment, "claimed"))
	w.sgOrphan = sg("zt-orphan", with(awsapi.TagSegment, "orphan"))
	w.sgAdopted = sg("adopted", with(awsapi.TagSegment, "adopted", awsapi.TagAdopted, "true"))
	w.sgForeign = sg("foreign", map[string]string{"team": "other"})
	w.policyClaimed = w.sgClaimed + "/web"
	w.ruleClaimed = rule(w.sgClaimed, with(awsapi.TagPolicy, w.policyClaimed))
	w.ruleGone = rule(w.sgClaimed, with(awsapi.TagPolicy, w.sgClaimed+"/removed"))
	w.ruleForeignInClaimed = rule(w.sgClaimed, nil)
	w.ruleOrphan = rule(w.sgOrphan, with(awsapi.TagPolicy, w.sgOrphan+"/web"))
	rule(w.sgOrphan, nil) // a foreign rule in an orphan group goes with the group
	w.ruleAdopted = rule(w.sgAdopted, with(awsapi.TagPolicy, w.sgAdopted+"/web"))
	w.ruleForeign = rule(w.sgForeign, nil)

	// Verified Access.
	inst := func(tags map[string]string) string {
		return must(awsapi.CreateVerifiedAccessInstance(ctx, e, awsapi.CreateVerifiedAccessInstanceInput{Description: "i", Tags: tags})).ID
	}
	w.instClaimed = inst(with(awsapi.TagProxy, "claimed"))
	w.instOrphan = inst(with(awsapi.TagProxy, "orphan"))
	w.instForeign = inst(map[string]string{"team": "other"})
	tp := func(ref string, tags map[string]string, attachTo string) string {
		p := must(awsapi.CreateVerifiedAccessTrustProvider(ctx, e, awsapi.TrustProviderSpec{
			Kind: awsapi.TrustProviderDevice, Type: "jamf", Reference: ref, TenantID: "tenant-" + ref, Tags: tags,
		}))
		must(awsapi.WaitVerifiedAccessTrustProviders(ctx, e, []string{p.ID}))
		if err := awsapi.AttachVerifiedAccessTrustProvider(ctx, e, attachTo, p.ID); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	w.tpClaimed = tp("claimed", with(awsapi.TagProxyID, w.instClaimed), w.instClaimed)
	w.tpOrphan = tp("orphan", with(awsapi.TagProxyID, w.instOrphan), w.instOrphan)
	w.tpForeign = must(awsapi.CreateVerifiedAccessTrustProvider(ctx, e, awsapi.TrustProviderSpec{
		Kind: awsapi.TrustProviderUser, Type: "iam-identity-center", Reference: "foreign", Tags: map[string]string{"team": "other"},
	})).ID
	must(awsapi.WaitVerifiedAccessTrustProviders(ctx, e, []string{w.tpForeign}))
	if err := awsapi.AttachVerifiedAccessTrustProvider(ctx, e, w.instOrphan, w.tpForeign); err != nil {
		t.Fatal(err)
	}
	group := func(instance, surface string) string {
		return must(awsapi.CreateVerifiedAccessGroup(ctx, e, awsapi.CreateVerifiedAccessGroupInput{
			InstanceID: instance, Description: surface, Tags: with(awsapi.TagSurface, surface),
		})).ID
	}
	w.groupClaimed = group(w.instClaimed, "claimed")
	w.groupOrphan = group(w.instOrphan, "orphan")
	endpoint := func(group, app string) string {
		ep := must(awsapi.CreateVerifiedAccessEndpoint(ctx, e, group,
			awsapi.EndpointSpec{Type: awsapi.EndpointCIDR, CIDR: "10.1.0.0/24", Protocol: "tcp", Port: 22, SubnetIDs: []string{"subnet-1"}},
			"", app, with(awsapi.TagSurfaceID, group, awsapi.TagApplication, app)))
		must(awsapi.WaitVerifiedAccessEndpointsActive(ctx, e, group, []string{ep.ID}))
		return ep.ID
	}
	w.epClaimed = endpoint(w.groupClaimed, "claimed")
	w.epOrphan = endpoint(w.groupOrphan, "orphan")

	// IAM Identity Center.
	ic := must(awsapi.DiscoverIdentityCenter(ctx, c.SSOAdmin, ""))
	w.instanceARN, w.storeID = ic.InstanceARN, ic.IdentityStoreID
	w.gClaimed = must(awsapi.CreateGroup(ctx, c.IdentityStore, w.storeID, "zt-claimed", "claimed", awsapi.GroupOwnership{})).ID
	w.gOrphan = must(awsapi.CreateGroup(ctx, c.IdentityStore, w.storeID, "zt-orphan", "", awsapi.GroupOwnership{})).ID
	w.gAssigned = must(awsapi.CreateGroup(ctx, c.IdentityStore, w.storeID, "zt-assigned", "", awsapi.GroupOwnership{})).ID
	w.gForeign = aws.ToString(must(c.IdentityStore.CreateGroup(ctx, &identitystore.CreateGroupInput{
		IdentityStoreId: aws.String(w.storeID), DisplayName: aws.String("foreign"), Description: aws.String("made by hand"),
	})).GroupId)
	ps := func(name string, tags map[string]string) string {
		var ts []ssotypes.Tag
		for k, v := range tags {
			ts = append(ts, ssotypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		out := must(c.SSOAdmin.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{
			InstanceArn: aws.String(w.instanceARN), Name: aws.String(name), SessionDuration: aws.String("PT1H"), Tags: ts,
		}))
		return aws.ToString(out.PermissionSet.PermissionSetArn)
	}
	assign := func(ps, group string) {
		if _, err := awsapi.CreateAssignments(ctx, c.SSOAdmin, w.instanceARN, ps, []identitycenter.Assignment{{AccountID: account, PrincipalType: "GROUP", PrincipalID: group}}); err != nil {
			t.Fatal(err)
		}
		// Real AWS provisions a permission set to an account when it is
		// assigned there; the emulator only on request.
		must(c.SSOAdmin.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{
			InstanceArn: aws.String(w.instanceARN), PermissionSetArn: aws.String(ps), TargetType: ssotypes.ProvisionTargetTypeAwsAccount, TargetId: aws.String(account),
		}))
	}
	w.psClaimed = ps("zt-claimed", with(awsapi.TagPrivilegedAccess, "claimed"))
	w.psOrphan = ps("zt-orphan", with(awsapi.TagPrivilegedAccess, "orphan"))
	w.psForeign = ps("foreign", map[string]string{"team": "other"})
	assign(w.psClaimed, w.gClaimed)
	assign(w.psClaimed, w.gAssigned) // unclaimed, but a claimed permission set assigns it: kept
	assign(w.psOrphan, w.gForeign)
	assign(w.psForeign, w.gForeign)

	// Kubernetes.
	w.kubeNS = "default"
	kobj := func(gvr schema.GroupVersionResource, kind, name, owner string) string {
		o := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": gvr.GroupVersion().String(), "kind": kind,
			"metadata": map[string]any{"name": name, "namespace": w.kubeNS},
			"spec":     map[string]any{},
		}}
		if kind == "NetworkPolicy" {
			o.Object["spec"] = map[string]any{"podSelector": map[string]any{}, "policyTypes": []any{"Ingress"}}
		}
		if owner != "" {
			o.SetLabels(map[string]string{kubernetes.ManagedByLabel: kubernetes.ManagedByValue, kubernetes.OwnerLabel: kubernetes.OwnerLabelValue(owner)})
			o.SetAnnotations(map[string]string{kubernetes.OwnerAnnotation: owner})
		}
		must(dyn.Resource(gvr).Namespace(w.kubeNS).Create(ctx, o, metav1.CreateOptions{}))
		return name
	}
	w.npClaimed = kobj(kube.NetworkPolicyGVR, "NetworkPolicy", "zt-claimed", "sg-elsewhere/claimed-by-manifest-key")
	w.npOrphan = kobj(kube.NetworkPolicyGVR, "NetworkPolicy", "zt-orphan", w.sgOrphan+"/web")
	w.npForeign = kobj(kube.NetworkPolicyGVR, "NetworkPolicy", "foreign", "")
	w.apClaimed = kobj(kube.AuthorizationPolicyGVR, "AuthorizationPolicy", "zt-claimed-ap", w.policyClaimed)
	w.apOrphan = kobj(kube.AuthorizationPolicyGVR, "AuthorizationPolicy", "zt-orphan-ap", w.sgOrphan+"/web")
	record := func(name string) string {
		must(kube.NewFromDynamic(dyn).CreateSegment(ctx, kube.SegmentRecord{Segment: model.Segment{Name: name, Sensitivity: "internal",
			Kubernetes: &model.KubernetesSelector{Namespace: w.kubeNS, PodLabels: map[string]string{"app": name}}}}, name+"-owner"))
		return kube.RegistryName(name)
	}
	w.recClaimed, w.recOrphan = record("claimed-seg"), record("orphan-seg")
	legacy := must(kube.LegacyRecordObject(kube.SegmentRecord{Segment: model.Segment{Name: "legacy-seg", Sensitivity: "internal",
		Kubernetes: &model.KubernetesSelector{Namespace: w.kubeNS, PodLabels: map[string]string{"app": "legacy"}}}, OwnershipID: "legacy-owner"}))
	must(dyn.Resource(kube.LegacyConfigMapGVR).Namespace(w.kubeNS).Create(ctx, legacy, metav1.CreateOptions{}))
	w.recLegacyOrphan = kube.RegistryName("legacy-seg")
	return w
}

// writeStates writes the claims of the "claimed" objects as a
// terraform.tfstate and a `terraform show -json` document, the way the
// provider's resources record them.
func writeStates(t *testing.T, w world) []string {
	t.Helper()
	res := func(typ string, attrs map[string]any) map[string]any {
		return map[string]any{"mode": "managed", "type": typ, "name": "x", "instances": []any{map[string]any{"schema_version": 0, "attributes": attrs}}}
	}
	state := map[string]any{
		"version": 4, "terraform_version": "1.9.0", "serial": 1, "lineage": "l", "outputs": map[string]any{},
		"resources": []any{
			res("zerotrust_segment", map[string]any{"id": w.sgClaimed, "name": "claimed"}),
			res("zerotrust_segment", map[string]any{"id": "k8s/" + w.kubeNS + "/claimed-seg", "name": "claimed-seg"}),
			res("zerotrust_segment_policy", map[string]any{"id": w.policyClaimed, "kubernetes_manifests": map[string]any{
				"networking.k8s.io/v1/NetworkPolicy/" + w.kubeNS + "/" + w.npClaimed: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n",
			}}),
			res("zerotrust_access_proxy", map[string]any{"id": "corp", "instance_id": w.instClaimed}),
			res("zerotrust_protect_surface", map[string]any{"id": "pay", "group": []any{map[string]any{"group_id": w.groupClaimed}}}),
		},
	}
	show := map[string]any{
		"format_version": "1.0", "terraform_version": "1.9.0",
		"values": map[string]any{"root_module": map[string]any{
			"resources": []any{map[string]any{"address": "zerotrust_identity_group.g", "values": map[string]any{"id": w.gClaimed}}},
			"child_modules": []any{map[string]any{"resources": []any{map[string]any{
				"address": "module.pa.zerotrust_privileged_access.a", "values": map[string]any{"id": w.instanceARN + "," + w.psClaimed},
			}}}},
		}},
	}
	dir := t.TempDir()
	var paths []string
	for name, doc := range map[string]any{"terraform.tfstate": state, "show.json": show} {
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func checkForeign(t *testing.T, ctx context.Context, c *awsapi.Clients, dyn dynamic.Interface, w world) {
	t.Helper()
	e := c.EC2
	groups := must(awsapi.FindSecurityGroups(ctx, e, []string{w.sgForeign, w.sgAdopted, w.sgOrphan}))
	if groups[w.sgForeign] == nil || groups[w.sgAdopted] == nil || groups[w.sgOrphan] != nil {
		t.Errorf("security groups after the sweep: %v (want foreign and adopted, not orphan)", slices.Sorted(maps.Keys(groups)))
	}
	rules := must(e.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{
		Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{w.sgClaimed, w.sgForeign, w.sgAdopted}}},
	}))
	have := map[string]bool{}
	for _, r := range rules.SecurityGroupRules {
		have[aws.ToString(r.SecurityGroupRuleId)] = true
	}
	for id, want := range map[string]bool{w.ruleClaimed: true, w.ruleForeignInClaimed: true, w.ruleForeign: true, w.ruleGone: false, w.ruleAdopted: false} {
		if have[id] != want {
			t.Errorf("rule %s present = %v, want %v", id, have[id], want)
		}
	}
	in := must(awsapi.FindVerifiedAccessInstance(ctx, e, w.instForeign))
	if in == nil {
		t.Error("the foreign instance is gone")
	}
	tps := must(awsapi.FindVerifiedAccessTrustProviders(ctx, e, []string{w.tpForeign, w.tpClaimed, w.tpOrphan}))
	if tps[w.tpForeign] == nil || tps[w.tpClaimed] == nil || tps[w.tpOrphan] != nil {
		t.Errorf("trust providers after the sweep: %v (want the foreign and the claimed one)", slices.Sorted(maps.Keys(tps)))
	}
	claimedInst := must(awsapi.FindVerifiedAccessInstance(ctx, e, w.instClaimed))
	if len(claimedInst.TrustProviderIDs) != 1 || claimedInst.TrustProviderIDs[0] != w.tpClaimed {
		t.Errorf("the claimed instance's trust providers: %v", claimedInst.TrustProviderIDs)
	}
	if eps := must(awsapi.FindVerifiedAccessEndpoints(ctx, e, w.groupClaimed)); eps[w.epClaimed] == nil {
		t.Error("the claimed endpoint is gone")
	}
	if _, err := awsapi.FindPermissionSet(ctx, c.SSOAdmin, w.instanceARN, w.psForeign); err != nil {
		t.Errorf("the foreign permission set: %v", err)
	}
	if as := must(awsapi.ListAssignments(ctx, c.SSOAdmin, w.instanceARN, w.psForeign, []string{account})); len(as) != 1 {
		t.Errorf("the foreign permission set's assignments: %v", as)
	}
	if as := must(awsapi.ListAssignments(ctx, c.SSOAdmin, w.instanceARN, w.psClaimed, []string{account})); len(as) != 2 {
		t.Errorf("the claimed permission set's assignments: %v", as)
	}
	if _, err := awsapi.FindGroup(ctx, c.IdentityStore, w.storeID, w.gForeign); err != nil {
		t.Errorf("the foreign identity store group: %v", err)
	}
	if _, err := awsapi.FindGroup(ctx, c.IdentityStore, w.storeID, w.gOrphan); !awsapi.IsNotFound(err) {
		t.Errorf("the orphan identity store group: %v, want not found", err)
	}
	if _, err := dyn.Resource(kube.NetworkPolicyGVR).Namespace(w.kubeNS).Get(ctx, w.npForeign, metav1.GetOptions{}); err != nil {
		t.Errorf("the foreign NetworkPolicy: %v", err)
	}
	if _, err := dyn.Resource(kube.NetworkPolicyGVR).Namespace(w.kubeNS).Get(ctx, w.npOrphan, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the orphan NetworkPolicy: %v, want not found", err)
	}
	records := kube.NewFromDynamic(dyn)
	if _, err := records.FindSegment(ctx, w.kubeNS, "claimed-seg"); err != nil {
		t.Errorf("the claimed segment record: %v", err)
	}
	if _, err := records.FindSegment(ctx, w.kubeNS, "orphan-seg"); !errors.Is(err, kube.ErrSegmentNotFound) {
		t.Errorf("the orphan segment record: %v, want not found", err)
	}
	if _, err := records.FindSegment(ctx, w.kubeNS, "legacy-seg"); !errors.Is(err, kube.ErrSegmentNotFound) {
		t.Errorf("the orphan 0.1 segment record: %v, want not found", err)
	}
}

func ids(objs []*sweep.Object) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.ID
	}
	sort.Strings(out)
	return out
}

func snapshot(inv *sweep.Inventory) string {
	var b strings.Builder
	for _, o := range inv.Objects {
		fmt.Fprintf(&b, "%s|%s|%s|%v;", o.Kind, o.ID, o.Name, o.Claimed)
	}
	return b.String()
}

func equalCounts(a, b map[sweep.Kind]sweep.Count) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// proveSandbox: the sweep deletes only where the endpoints prove to be the
// running sandbox's (package sandbox/identity), never on an address alone.
func proveSandbox(t *testing.T, ctx context.Context, sb *sandbox.Sandbox, cfg *rest.Config) {
	t.Helper()
	record := os.Getenv(identity.Env)
	aws := sweep.AWSEndpoints("", os.Getenv)
	target := sweep.Target{AWS: true, Kube: true, Proof: sweep.Prove(ctx, record, aws, cfg)}
	if err := sweep.CheckDelete(target); err != nil {
		t.Fatalf("the sandbox is refused: %v", err)
	}

	refused := func(name string, p sweep.Proof, why string) {
		t.Helper()
		err := sweep.CheckDelete(sweep.Target{AWS: true, Kube: true, Proof: p})
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: CheckDelete = %v, want a refusal saying %q", name, err, why)
		}
	}
	// moto_server itself: a loopback AWS emulator, but not this sandbox's front.
	refused("loopback emulator", sweep.Prove(ctx, record, []string{sb.MotoEndpoint()}, cfg), "does not answer the sandbox's identity challenge")
	refused("no identity record", sweep.Prove(ctx, "", aws, cfg), "no sandbox identity record")

	rec := must(identity.Read(record))
	forge := func(r identity.Record) string {
		path := filepath.Join(t.TempDir(), "identity.json")
		if err := identity.Write(path, r); err != nil {
			t.Fatal(err)
		}
		return path
	}
	otherKey := must(identity.NewKey())
	refused("another key", sweep.Prove(ctx, forge(identity.Record{AWSKey: hex.EncodeToString(otherKey), KubeCA: rec.KubeCA}), aws, cfg), "not the sandbox's key's")

	// A client trusting another CA: the record and the client agree, but the
	// API server's certificate was signed by the sandbox's CA, so the
	// handshake fails.
	other := otherCAPEM(t)
	otherCfg := rest.CopyConfig(cfg)
	otherCfg.CAData = other
	refused("another CA", sweep.Prove(ctx, forge(identity.Record{AWSKey: rec.AWSKey, KubeCA: string(other)}), aws, otherCfg), "Kubernetes API server")
	refused("client CA not the sandbox's", sweep.Prove(ctx, record, aws, otherCfg), "does not trust the sandbox's CA")
	insecure := rest.CopyConfig(cfg)
	insecure.Insecure, insecure.CAData = true, nil
	refused("TLS verification skipped", sweep.Prove(ctx, record, aws, insecure), "skips TLS verification")
}

func otherCAPEM(t *testing.T) []byte {
	t.Helper()
	key := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "not-the-sandbox"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	der := must(x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key))
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
