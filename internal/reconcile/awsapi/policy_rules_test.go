package awsapi_test

import (
	"context"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/moto"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/sandboxtest"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// motoURL is the raw moto_server; awsURL the sandbox front before it, which
// fills in what moto lacks the way AWS behaves. Clients use awsURL.
var motoURL, awsURL string

func TestMain(m *testing.M) {
	if code, ok := sandboxtest.RequireMain(sandboxtest.Needs{AWS: true}); !ok {
		os.Exit(code)
	}
	dir, err := os.MkdirTemp("", "zt-reconcile-aws-*")
	if err != nil {
		panic(err)
	}
	srv, err := moto.Start(context.Background(), moto.Options{WorkDir: dir})
	if err != nil {
		// moto_server is part of the documented toolchain (make tools); say so loudly.
		println("reconcile/awsapi tests need moto_server:", err.Error())
		os.Exit(1)
	}
	motoURL = srv.URL
	front, err := vafront.Start(vafront.Options{Upstream: motoURL}, "")
	if err != nil {
		println("starting the sandbox front:", err.Error())
		os.Exit(1)
	}
	awsURL = front.URL
	code := m.Run()
	front.Close()
	srv.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// callCounter counts EC2 operations by name, to assert minimal API traffic.
type callCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *callCounter) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[op]++
}

func (c *callCounter) get(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts[op]
}

func (c *callCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts = map[string]int{}
}

func newClient(t *testing.T) (*ec2.Client, *callCounter) {
	t.Helper()
	counter := &callCounter{counts: map[string]int{}}
	c := ec2.New(ec2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(awsURL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:   http.DefaultClient,
		APIOptions: []func(*middleware.Stack) error{func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				counter.add(middleware.GetOperationName(ctx))
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		}},
	})
	return c, counter
}

func setup(t *testing.T, c *ec2.Client) (string, string) {
	t.Helper()
	ctx := context.Background()
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name string) string {
		sg, err := awsapi.CreateSegmentGroup(ctx, c, awsapi.CreateSegmentGroupInput{
			Name: name, Description: name, VPCID: aws.ToString(vpc.Vpc.VpcId),
			Tags: map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagSegment: name},
		})
		if err != nil {
			t.Fatal(err)
		}
		return sg.ID
	}
	return mk("payments"), mk("checkout")
}

func TestCreateSegmentGroupStartsDenyAll(t *testing.T) {
	c, _ := newClient(t)
	a, _ := setup(t, c)
	rules, err := awsapi.UnmanagedRules(context.Background(), c, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 0 {
		t.Fatalf("a new segment group has rules %v; want none (default egress revoked)", awsapi.IDs(rules))
	}
}

// TestCreateSegmentGroupOwnership: a name taken by a group whose create is
// pending (lost response, killed apply) is claimed once by the next create; a
// completed group or a foreign one is refused, never taken over.
func TestCreateSegmentGroupOwnership(t *testing.T) {
	c, _ := newClient(t)
	ctx := context.Background()
	vpc, _ := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16")})
	input := func(name, own string) awsapi.CreateSegmentGroupInput {
		return awsapi.CreateSegmentGroupInput{Name: name, Description: "d", VPCID: aws.ToString(vpc.Vpc.VpcId), Tags: map[string]string{
			awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagSegment: name, awsapi.TagOwnership: own, awsapi.TagCreatePending: own}}
	}
	first, err := awsapi.CreateSegmentGroup(ctx, c, input("orphan", "run-1"))
	if err != nil {
		t.Fatal(err)
	}
	// The same create retried (its response lost): the same group.
	again, err := awsapi.CreateSegmentGroup(ctx, c, input("orphan", "run-1"))
	if err != nil || again.ID != first.ID {
		t.Fatalf("retry = %+v, %v; want %s", again, err, first.ID)
	}
	// An apply killed before completing: the next run claims the group.
	second, err := awsapi.CreateSegmentGroup(ctx, c, input("orphan", "run-2"))
	if err != nil || second.ID != first.ID || second.Tags[awsapi.TagOwnership] != "run-2" {
		t.Fatalf("re-create = %+v, %v; want %s claimed by run-2", second, err, first.ID)
	}
	// Completed, it belongs to run-2 only.
	if err := awsapi.CompleteCreate(ctx, c, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.CreateSegmentGroup(ctx, c, input("orphan", "run-3")); !awsapi.IsOwnershipError(err) {
		t.Fatalf("creating over a completed group: %v; want an OwnershipError", err)
	}
	// A foreign group of the same name is refused, not taken.
	_, err = c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("foreign"), Description: aws.String("x"), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.CreateSegmentGroup(ctx, c, input("foreign", "run-1")); err == nil {
		t.Fatal("creating over a foreign group of the same name succeeded; want a refusal naming it")
	}
}

func TestReconcilePolicyRulesMinimalCalls(t *testing.T) {
	c, calls := newClient(t)
	ctx := context.Background()
	payments, checkout := setup(t, c)
	policy := payments + "/default"
	desired := []securitygroup.Rule{
		{GroupID: payments, Protocol: "tcp", FromPort: 8443, ToPort: 8443, ReferencedGroupID: checkout, Description: "from checkout"},
		{GroupID: payments, Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRv4: "10.0.0.0/8"},
		{GroupID: payments, Protocol: "udp", FromPort: 53, ToPort: 53, CIDRv6: "2001:db8::/32"},
		{GroupID: payments, Egress: true, Protocol: "tcp", FromPort: 5432, ToPort: 5432, CIDRv4: "10.20.0.0/16"},
		{GroupID: checkout, Egress: true, Protocol: "tcp", FromPort: 8443, ToPort: 8443, ReferencedGroupID: payments, Description: "to payments"},
	}
	calls.reset()
	res, err := awsapi.ReconcilePolicyRules(ctx, c, policy, desired)
	if err != nil {
		t.Fatal(err)
	}
	if res.Authorized != 5 || res.Revoked != 0 {
		t.Fatalf("first reconcile: %+v, want 5 authorized", res)
	}
	// One read, one Authorize per group and direction with rules: 3 batches.
	if got := calls.get("AuthorizeSecurityGroupIngress") + calls.get("AuthorizeSecurityGroupEgress"); got != 3 {
		t.Fatalf("authorize calls = %d, want 3 (one per group and direction)", got)
	}
	if got := calls.get("DescribeSecurityGroupRules"); got != 1 {
		t.Fatalf("describe calls = %d, want 1", got)
	}

	live, err := awsapi.ReadPolicyRules(ctx, c, policy)
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 5 {
		t.Fatalf("read back %d owned rules, want 5: %+v", len(live), live)
	}

	// Re-reconciling the same desired state changes nothing and writes nothing.
	calls.reset()
	res, err = awsapi.ReconcilePolicyRules(ctx, c, policy, desired)
	if err != nil {
		t.Fatal(err)
	}
	if res != (awsapi.ReconcileResult{}) {
		t.Fatalf("idempotent reconcile changed %+v", res)
	}
	for _, op := range []string{"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "ModifySecurityGroupRules"} {
		if calls.get(op) != 0 {
			t.Fatalf("idempotent reconcile called %s", op)
		}
	}

	// Drop two rules, add one, change one description: one revoke per direction touched.
	next := append([]securitygroup.Rule{}, desired[0], desired[3], desired[4])
	next[1].Description = "payments database"
	next = append(next, securitygroup.Rule{GroupID: payments, Protocol: "tcp", FromPort: 9000, ToPort: 9100, PrefixListID: "pl-0123456789abcdef0"})
	calls.reset()
	res, err = awsapi.ReconcilePolicyRules(ctx, c, policy, next)
	if err != nil {
		t.Fatal(err)
	}
	if res.Authorized != 1 || res.Revoked != 2 || res.Redescribed != 1 {
		t.Fatalf("update reconcile = %+v, want 1 authorized, 2 revoked, 1 redescribed", res)
	}
	if got := calls.get("RevokeSecurityGroupIngress"); got != 1 {
		t.Fatalf("revoke ingress calls = %d, want 1 (batched by rule id)", got)
	}

	// Rules the policy does not own are never touched.
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(payments), IpProtocol: aws.String("tcp"),
		FromPort: aws.Int32(22), ToPort: aws.Int32(22), CidrIp: aws.String("192.0.2.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := awsapi.RevokePolicyRules(ctx, c, policy); err != nil || n != 4 {
		t.Fatalf("revoke all = %d, %v; want 4", n, err)
	}
	unmanaged, err := awsapi.UnmanagedRules(ctx, c, payments)
	if err != nil || len(unmanaged) != 1 {
		t.Fatalf("foreign rule should survive the policy's removal: %v %v", unmanaged, err)
	}
}

// TestReconcileAdoptsIdenticalUntaggedRule: an identical rule added by hand
// blocks Authorize with InvalidPermission.Duplicate; the reconciler adopts it.
func TestReconcileAdoptsIdenticalUntaggedRule(t *testing.T) {
	c, _ := newClient(t)
	ctx := context.Background()
	payments, _ := setup(t, c)
	_, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(payments),
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	policy := payments + "/default"
	desired := []securitygroup.Rule{
		{GroupID: payments, Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRv4: "10.0.0.0/8"},
		{GroupID: payments, Protocol: "tcp", FromPort: 80, ToPort: 80, CIDRv4: "10.0.0.0/8"},
	}
	res, err := awsapi.ReconcilePolicyRules(ctx, c, policy, desired)
	if err != nil {
		t.Fatal(err)
	}
	if res.Authorized != 2 {
		t.Fatalf("reconcile = %+v, want 2 (one adopted, one created)", res)
	}
	live, _ := awsapi.ReadPolicyRules(ctx, c, policy)
	if len(live) != 2 {
		t.Fatalf("owned rules after adoption = %d, want 2", len(live))
	}
	if rules, _ := awsapi.UnmanagedRules(ctx, c, payments); len(rules) != 0 {
		t.Fatalf("unmanaged rules left: %v", awsapi.IDs(rules))
	}
}

// TestUnmanagedRulesIgnoreACopiedManagedByTag: a rule someone added with the
// provider's managed-by tag copied but no policy's tag is still out of band,
// and it is described by what it allows.
func TestUnmanagedRulesIgnoreACopiedManagedByTag(t *testing.T) {
	c, _ := newClient(t)
	ctx := context.Background()
	payments, _ := setup(t, c)
	_, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(payments),
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(0), ToPort: aws.Int32(65535),
			IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroupRule,
			Tags: []types.Tag{{Key: aws.String(awsapi.TagManagedBy), Value: aws.String(awsapi.ManagedByValue)}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rules, err := awsapi.UnmanagedRules(ctx, c, payments)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 {
		t.Fatalf("unmanaged rules %v; want the forged one", awsapi.IDs(rules))
	}
	if got, want := rules[0].Describe(), rules[0].ID+" ingress tcp 0-65535 from 0.0.0.0/0"; got != want {
		t.Fatalf("Describe() = %q, want %q", got, want)
	}
}
