package awsapi_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// The Verified Access tests run against the sandbox's Verified Access front
// (forwarding everything else to this package's moto_server), through the
// real aws-sdk-go-v2 client.
var (
	vaFrontOnce sync.Once
	vaFront     *vafront.Server
	vaFrontErr  error
)

func vaClient(t *testing.T) (*ec2.Client, *callCounter, *vafront.Control) {
	t.Helper()
	vaFrontOnce.Do(func() {
		vaFront, vaFrontErr = vafront.Start(vafront.Options{Upstream: motoURL, EndpointActivation: 300 * time.Millisecond}, "")
	})
	if vaFrontErr != nil {
		t.Fatalf("starting the Verified Access front: %v", vaFrontErr)
	}
	ctl := vaFront.Control()
	t.Cleanup(func() { _ = ctl.ClearFaults(context.Background()) })
	counter := &callCounter{counts: map[string]int{}}
	c := ec2.New(ec2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(vaFront.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:   http.DefaultClient,
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 10
			o.MaxBackoff = 50 * time.Millisecond
			o.RateLimiter = ratelimit.None
		}),
		APIOptions: []func(*middleware.Stack) error{func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				counter.add(middleware.GetOperationName(ctx))
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		}},
	})
	return c, counter, ctl
}

func TestVerifiedAccessProxyLifecycle(t *testing.T) {
	ctx := context.Background()
	c, calls, _ := vaClient(t)

	in, err := awsapi.CreateVerifiedAccessInstance(ctx, c, awsapi.CreateVerifiedAccessInstanceInput{
		Description: "corp", Tags: map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagProxy: "corp"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if in.Tags[awsapi.TagProxy] != "corp" || in.Description != "corp" {
		t.Fatalf("instance read back as %+v", in)
	}
	owner := map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagProxyID: in.ID}
	idp, err := awsapi.CreateVerifiedAccessTrustProvider(ctx, c, awsapi.TrustProviderSpec{
		Kind: "user", Type: "oidc", Reference: "okta", Description: "idp", Tags: owner,
		OIDC: &awsapi.OIDCOptions{Issuer: "https://idp.example.com", AuthorizationEndpoint: "https://idp.example.com/auth",
			TokenEndpoint: "https://idp.example.com/token", UserInfoEndpoint: "https://idp.example.com/userinfo", ClientID: "zt", ClientSecret: "s3cret", Scope: "openid"},
	})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := awsapi.CreateVerifiedAccessTrustProvider(ctx, c, awsapi.TrustProviderSpec{Kind: "device", Type: "jamf", Reference: "jamf", TenantID: "tenant-1", Tags: owner})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.WaitVerifiedAccessTrustProviders(ctx, c, []string{idp.ID, dev.ID}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{idp.ID, dev.ID} {
		if err := awsapi.AttachVerifiedAccessTrustProvider(ctx, c, in.ID, id); err != nil {
			t.Fatal(err)
		}
	}
	// Attaching again is success, not an error.
	if err := awsapi.AttachVerifiedAccessTrustProvider(ctx, c, in.ID, dev.ID); err != nil {
		t.Fatalf("re-attach: %v", err)
	}

	calls.reset()
	live, err := awsapi.ReadProxyTrustProviders(ctx, c, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := calls.get("DescribeVerifiedAccessInstances") + calls.get("DescribeVerifiedAccessTrustProviders"); n != 2 {
		t.Errorf("reading a proxy's trust providers took %d calls, want 2", n)
	}
	if len(live.Attached) != 2 || live.Attached[0].Type != "oidc" || live.Attached[0].Reference != "okta" || live.Attached[1].TenantID != "tenant-1" {
		t.Fatalf("attached = %+v %+v", live.Attached[0], live.Attached[1])
	}
	if live.Attached[0].OIDC == nil || live.Attached[0].OIDC.ClientSecret != "" || live.Attached[0].OIDC.Scope != "openid" {
		t.Fatalf("OIDC options read back as %+v", live.Attached[0].OIDC)
	}

	owned, err := awsapi.FindProxyTrustProviders(ctx, c, in.ID, in.TrustProviderIDs)
	if err != nil || len(owned) != 2 {
		t.Fatalf("owned trust providers: %v %v", owned, err)
	}

	if err := awsapi.ModifyVerifiedAccessTrustProviderOIDC(ctx, c, idp.ID, awsapi.OIDCOptions{Issuer: "https://idp.example.com", AuthorizationEndpoint: "https://idp.example.com/auth",
		TokenEndpoint: "https://idp.example.com/token", UserInfoEndpoint: "https://idp.example.com/userinfo", ClientID: "zt", Scope: "openid email"}); err != nil {
		t.Fatal(err)
	}

	l, err := awsapi.FindVerifiedAccessLogging(ctx, c, in.ID)
	if err != nil || !l.IsDefault() {
		t.Fatalf("new instance logging = %+v, %v", l, err)
	}
	want := awsapi.AccessLogging{CloudWatchLogGroup: "/va/corp", S3Bucket: "logs", S3Prefix: "va/", IncludeTrustContext: true, LogVersion: "ocsf-1.0.0-rc.2"}
	if err := awsapi.SetVerifiedAccessLogging(ctx, c, in.ID, want); err != nil {
		t.Fatal(err)
	}
	if got, err := awsapi.FindVerifiedAccessLogging(ctx, c, in.ID); err != nil || got != want {
		t.Fatalf("logging = %+v, %v; want %+v", got, err, want)
	}
	if err := awsapi.SetVerifiedAccessLogging(ctx, c, in.ID, awsapi.AccessLogging{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := awsapi.FindVerifiedAccessLogging(ctx, c, in.ID); !got.IsDefault() {
		t.Fatalf("logging after reset = %+v", got)
	}

	for _, id := range []string{idp.ID, dev.ID} {
		if err := awsapi.DetachVerifiedAccessTrustProvider(ctx, c, in.ID, id); err != nil {
			t.Fatal(err)
		}
		if err := awsapi.DetachVerifiedAccessTrustProvider(ctx, c, in.ID, id); err != nil {
			t.Fatalf("detaching twice: %v", err)
		}
		if err := awsapi.DeleteVerifiedAccessTrustProvider(ctx, c, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := awsapi.DeleteVerifiedAccessInstance(ctx, c, in.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.FindVerifiedAccessInstance(ctx, c, in.ID); !awsapi.IsNotFound(err) {
		t.Fatalf("deleted instance: %v", err)
	}
	// Deleting what is gone is success.
	if err := awsapi.DeleteVerifiedAccessInstance(ctx, c, in.ID); err != nil {
		t.Fatal(err)
	}
}

const (
	testPolicy = "@id(\"a\")\npermit ( principal, action, resource )\nwhen { context has idc };\n\n@id(\"b\")\nforbid ( principal, action, resource )\nwhen { context.http_request.http_method == \"DELETE\" };\n"
	// The same two statements, reordered, re-spaced, commented.
	testPolicyReordered = "// edited in the console\n@id(\"b\") forbid (principal, action, resource) when { context.http_request.http_method == \"DELETE\" };\n@id(\"a\")   permit(principal,action,resource) when {context has idc};"
	// A real edit: the forbid now covers PUT.
	testPolicyEdited = "@id(\"a\")\npermit ( principal, action, resource )\nwhen { context has idc };\n\n@id(\"b\")\nforbid ( principal, action, resource )\nwhen { context.http_request.http_method == \"PUT\" };\n"
)

func TestSamePolicy(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{testPolicy, testPolicy, true},
		{testPolicy, testPolicyReordered, true},
		{testPolicy, testPolicyEdited, false},
		{testPolicy, "", false},
		{"", "", true},
		{testPolicy, "not cedar", false},
		{"not cedar", "not cedar", true},
		// An annotation is part of the statement.
		{testPolicy, `@id("a2") permit (principal, action, resource) when { context has idc }; @id("b") forbid (principal, action, resource) when { context.http_request.http_method == "DELETE" };`, false},
	}
	for i, tc := range cases {
		if got := awsapi.SamePolicy(tc.a, tc.b); got != tc.want {
			t.Errorf("case %d: SamePolicy = %v, want %v", i, got, tc.want)
		}
	}
}

func TestVerifiedAccessSurfaceLifecycle(t *testing.T) {
	ctx := context.Background()
	c, calls, _ := vaClient(t)
	in, err := awsapi.CreateVerifiedAccessInstance(ctx, c, awsapi.CreateVerifiedAccessInstanceInput{Description: "surface test"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := awsapi.CreateVerifiedAccessGroup(ctx, c, awsapi.CreateVerifiedAccessGroupInput{InstanceID: in.ID, Description: "payments", PolicyDocument: testPolicy,
		Tags: map[string]string{awsapi.TagSurface: "payments"}})
	if err != nil {
		t.Fatal(err)
	}
	if g.InstanceID != in.ID || g.Tags[awsapi.TagSurface] != "payments" || g.ARN == "" {
		t.Fatalf("group = %+v", g)
	}
	p, err := awsapi.GetVerifiedAccessGroupPolicy(ctx, c, g.ID)
	if err != nil || !p.Enabled || p.Document != testPolicy {
		t.Fatalf("group policy = %+v, %v", p, err)
	}

	lb := awsapi.EndpointSpec{Type: "load-balancer", ApplicationDomain: "pay.example.com", DomainCertificateARN: "arn:aws:acm:us-east-1:123456789012:certificate/x",
		EndpointDomainPrefix: "pay", LoadBalancerARN: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/pay/1", Protocol: "https", Port: 443, SubnetIDs: []string{"subnet-1"}}
	cidr := awsapi.EndpointSpec{Type: "cidr", CIDR: "10.0.0.0/24", Protocol: "tcp", Port: 5432, SubnetIDs: []string{"subnet-1", "subnet-2"}}
	e1, err := awsapi.CreateVerifiedAccessEndpoint(ctx, c, g.ID, lb, testPolicy, "pay", map[string]string{awsapi.TagApplication: "pay"})
	if err != nil {
		t.Fatal(err)
	}
	e2, err := awsapi.CreateVerifiedAccessEndpoint(ctx, c, g.ID, cidr, "", "db", map[string]string{awsapi.TagApplication: "db"})
	if err != nil {
		t.Fatal(err)
	}
	if e1.Status != "pending" {
		t.Errorf("new endpoint status %q, want pending", e1.Status)
	}
	calls.reset()
	live, err := awsapi.WaitVerifiedAccessEndpointsActive(ctx, c, g.ID, []string{e1.ID, e2.ID})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("waiting for 2 endpoints to activate took %d describes", calls.get("DescribeVerifiedAccessEndpoints"))
	got := live[e1.ID]
	if got.EndpointDomainPrefix != "pay" || !got.SameImmutable(lb) || !got.SameMutable(lb) {
		t.Fatalf("lb endpoint read back as %+v", got.EndpointSpec)
	}
	if got := live[e2.ID]; !got.SameImmutable(cidr) || !got.SameMutable(cidr) {
		t.Fatalf("cidr endpoint read back as %+v", got.EndpointSpec)
	}

	lb.Port, lb.SubnetIDs = 8443, []string{"subnet-2", "subnet-3"}
	if err := awsapi.ModifyVerifiedAccessEndpoint(ctx, c, e1.ID, lb); err != nil {
		t.Fatal(err)
	}
	cidr.Port = 5433
	if err := awsapi.ModifyVerifiedAccessEndpoint(ctx, c, e2.ID, cidr); err != nil {
		t.Fatal(err)
	}
	live, err = awsapi.WaitVerifiedAccessEndpointsActive(ctx, c, g.ID, []string{e1.ID, e2.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !live[e1.ID].SameMutable(lb) || !live[e2.ID].SameMutable(cidr) {
		t.Fatalf("after modify: %+v / %+v", live[e1.ID].EndpointSpec, live[e2.ID].EndpointSpec)
	}

	if p, _ := awsapi.GetVerifiedAccessEndpointPolicy(ctx, c, e2.ID); p.Effective() != "" {
		t.Fatalf("endpoint created without a policy has %+v", p)
	}
	if err := awsapi.SetVerifiedAccessEndpointPolicy(ctx, c, e1.ID, ""); err != nil {
		t.Fatal(err)
	}
	if p, _ := awsapi.GetVerifiedAccessEndpointPolicy(ctx, c, e1.ID); p.Enabled {
		t.Fatalf("policy still enabled after clearing: %+v", p)
	}
	if err := awsapi.SetVerifiedAccessGroupPolicy(ctx, c, g.ID, testPolicyEdited); err != nil {
		t.Fatal(err)
	}
	if p, _ := awsapi.GetVerifiedAccessGroupPolicy(ctx, c, g.ID); p.Effective() != testPolicyEdited {
		t.Fatalf("group policy = %+v", p)
	}

	// The group cannot go before its endpoints; deleting waits them out.
	for _, id := range []string{e1.ID, e2.ID} {
		if err := awsapi.DeleteVerifiedAccessEndpoint(ctx, c, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := awsapi.WaitVerifiedAccessEndpointsGone(ctx, c, g.ID, []string{e1.ID, e2.ID}); err != nil {
		t.Fatal(err)
	}
	if err := awsapi.DeleteVerifiedAccessGroup(ctx, c, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.FindVerifiedAccessGroup(ctx, c, g.ID); !awsapi.IsNotFound(err) {
		t.Fatalf("deleted group: %v", err)
	}
	if err := awsapi.DeleteVerifiedAccessInstance(ctx, c, in.ID); err != nil {
		t.Fatal(err)
	}
}

// TestVerifiedAccessCreatesUnderFaults: with throttling and objects
// invisible for a while after creation, every create still makes exactly
// one object and every waiter converges.
func TestVerifiedAccessCreatesUnderFaults(t *testing.T) {
	ctx := context.Background()
	c, calls, ctl := vaClient(t)
	if err := ctl.ResetCounters(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ctl.SetFaults(ctx, vafront.Faults{ThrottleRate: 0.3, NotFoundAfterCreateMS: 400, Actions: []string{"*"}, Seed: 42}); err != nil {
		t.Fatal(err)
	}
	tag := map[string]string{"test": t.Name()}
	in, err := awsapi.CreateVerifiedAccessInstance(ctx, c, awsapi.CreateVerifiedAccessInstanceInput{Description: "faults", Tags: tag})
	if err != nil {
		t.Fatal(err)
	}
	owner := map[string]string{awsapi.TagProxyID: in.ID}
	tp, err := awsapi.CreateVerifiedAccessTrustProvider(ctx, c, awsapi.TrustProviderSpec{Kind: "user", Type: "iam-identity-center", Reference: "idc", Tags: owner})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.WaitVerifiedAccessTrustProviders(ctx, c, []string{tp.ID}); err != nil {
		t.Fatal(err)
	}
	if err := awsapi.AttachVerifiedAccessTrustProvider(ctx, c, in.ID, tp.ID); err != nil {
		t.Fatal(err)
	}
	g, err := awsapi.CreateVerifiedAccessGroup(ctx, c, awsapi.CreateVerifiedAccessGroupInput{InstanceID: in.ID, PolicyDocument: testPolicy, Tags: tag})
	if err != nil {
		t.Fatal(err)
	}
	e, err := awsapi.CreateVerifiedAccessEndpoint(ctx, c, g.ID, awsapi.EndpointSpec{Type: "cidr", CIDR: "10.1.0.0/24", Protocol: "tcp", Port: 22, SubnetIDs: []string{"subnet-1"}}, "", "", tag)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.WaitVerifiedAccessEndpointsActive(ctx, c, g.ID, []string{e.ID}); err != nil {
		t.Fatal(err)
	}
	if err := ctl.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	counts, _ := ctl.Counters(ctx)
	t.Logf("SDK operations (retries included in the front's counters): %v", calls.counts)
	t.Logf("front counters: %v", counts)

	count := func(out int, err error) int {
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	insts := count(func() (int, error) {
		out, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{Filters: tagFilter("test", t.Name())})
		if err != nil {
			return 0, err
		}
		return len(out.VerifiedAccessInstances), nil
	}())
	tps := count(func() (int, error) {
		out, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{Filters: tagFilter(awsapi.TagProxyID, in.ID)})
		if err != nil {
			return 0, err
		}
		return len(out.VerifiedAccessTrustProviders), nil
	}())
	groups := count(func() (int, error) {
		out, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessInstanceId: aws.String(in.ID)})
		if err != nil {
			return 0, err
		}
		return len(out.VerifiedAccessGroups), nil
	}())
	eps := count(func() (int, error) {
		out, err := c.DescribeVerifiedAccessEndpoints(ctx, &ec2.DescribeVerifiedAccessEndpointsInput{VerifiedAccessInstanceId: aws.String(in.ID)})
		if err != nil {
			return 0, err
		}
		return len(out.VerifiedAccessEndpoints), nil
	}())
	if insts != 1 || tps != 1 || groups != 1 || eps != 1 {
		t.Fatalf("objects after faulty creates: %d instances, %d trust providers, %d groups, %d endpoints; want one each", insts, tps, groups, eps)
	}
	_ = awsapi.DeleteVerifiedAccessEndpoint(ctx, c, e.ID)
	_ = awsapi.WaitVerifiedAccessEndpointsGone(ctx, c, g.ID, []string{e.ID})
	_ = awsapi.DeleteVerifiedAccessGroup(ctx, c, g.ID)
	_ = awsapi.DetachVerifiedAccessTrustProvider(ctx, c, in.ID, tp.ID)
	_ = awsapi.DeleteVerifiedAccessTrustProvider(ctx, c, tp.ID)
	_ = awsapi.DeleteVerifiedAccessInstance(ctx, c, in.ID)
}

func tagFilter(k, v string) []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String("tag:" + k), Values: []string{v}}}
}

// lostResponse forwards the first request of one action to the front, then
// discards the answer and reports a throttling error instead: to the SDK the
// create failed, although the front made the object.
type lostResponse struct {
	action string
	once   sync.Once
	fired  bool
}

func (l *lostResponse) RoundTrip(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !strings.Contains(string(body), "Action="+l.action+"&") {
		return resp, err
	}
	lost := false
	l.once.Do(func() { lost, l.fired = true, true })
	if !lost {
		return resp, nil
	}
	resp.Body.Close()
	throttled := `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>lost</Message></Error></Errors><RequestID>x</RequestID></Response>`
	return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{"Content-Type": {"text/xml"}},
		Body: io.NopCloser(strings.NewReader(throttled)), Request: req}, nil
}

// TestVerifiedAccessCreateIsIdempotent: when a create's answer is lost, the
// SDK retryer sends the same client token again and the service answers
// with the object it already made: one object, not two.
func TestVerifiedAccessCreateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	base, _, _ := vaClient(t)
	for _, action := range []string{"CreateVerifiedAccessInstance", "CreateVerifiedAccessTrustProvider", "CreateVerifiedAccessGroup", "CreateVerifiedAccessEndpoint"} {
		t.Run(action, func(t *testing.T) {
			lr := &lostResponse{action: action}
			c := ec2.New(base.Options(), func(o *ec2.Options) { o.HTTPClient = &http.Client{Transport: lr} })
			defer func() {
				if !lr.fired {
					t.Errorf("no %s answer was lost: the test did not test anything", action)
				}
			}()
			tag := map[string]string{"test": t.Name()}
			var instanceID string
			if action == "CreateVerifiedAccessInstance" {
				in, err := awsapi.CreateVerifiedAccessInstance(ctx, c, awsapi.CreateVerifiedAccessInstanceInput{Tags: tag})
				if err != nil {
					t.Fatal(err)
				}
				instanceID = in.ID
				out, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{Filters: tagFilter("test", t.Name())})
				if err != nil || len(out.VerifiedAccessInstances) != 1 {
					t.Fatalf("instances after a lost answer: %d, %v", len(out.VerifiedAccessInstances), err)
				}
				_ = awsapi.DeleteVerifiedAccessInstance(ctx, c, instanceID)
				return
			}
			in, err := awsapi.CreateVerifiedAccessInstance(ctx, base, awsapi.CreateVerifiedAccessInstanceInput{})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = awsapi.DeleteVerifiedAccessInstance(ctx, base, in.ID) }()
			switch action {
			case "CreateVerifiedAccessTrustProvider":
				if _, err := awsapi.CreateVerifiedAccessTrustProvider(ctx, c, awsapi.TrustProviderSpec{Kind: "device", Type: "jumpcloud", Reference: "jc", TenantID: "t", Tags: tag}); err != nil {
					t.Fatal(err)
				}
				out, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{Filters: tagFilter("test", t.Name())})
				if err != nil || len(out.VerifiedAccessTrustProviders) != 1 {
					t.Fatalf("trust providers after a lost answer: %d, %v", len(out.VerifiedAccessTrustProviders), err)
				}
				_ = awsapi.DeleteVerifiedAccessTrustProvider(ctx, base, toStr(out.VerifiedAccessTrustProviders[0].VerifiedAccessTrustProviderId))
			case "CreateVerifiedAccessGroup", "CreateVerifiedAccessEndpoint":
				gc := c
				if action != "CreateVerifiedAccessGroup" {
					gc = base
				}
				g, err := awsapi.CreateVerifiedAccessGroup(ctx, gc, awsapi.CreateVerifiedAccessGroupInput{InstanceID: in.ID, PolicyDocument: testPolicy, Tags: tag})
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = awsapi.DeleteVerifiedAccessGroup(ctx, base, g.ID) }()
				out, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessInstanceId: aws.String(in.ID)})
				if err != nil || len(out.VerifiedAccessGroups) != 1 {
					t.Fatalf("groups after a lost answer: %d, %v", len(out.VerifiedAccessGroups), err)
				}
				if action == "CreateVerifiedAccessEndpoint" {
					e, err := awsapi.CreateVerifiedAccessEndpoint(ctx, c, g.ID, awsapi.EndpointSpec{Type: "cidr", CIDR: "10.9.0.0/24", Protocol: "tcp", Port: 22, SubnetIDs: []string{"subnet-1"}}, "", "", tag)
					if err != nil {
						t.Fatal(err)
					}
					live, err := awsapi.FindVerifiedAccessEndpoints(ctx, base, g.ID)
					if err != nil || len(live) != 1 || live[e.ID] == nil {
						t.Fatalf("endpoints after a lost answer: %d, %v", len(live), err)
					}
					_ = awsapi.DeleteVerifiedAccessEndpoint(ctx, base, e.ID)
					_ = awsapi.WaitVerifiedAccessEndpointsGone(ctx, base, g.ID, []string{e.ID})
				}
			}
		})
	}
}

func toStr(s *string) string { return aws.ToString(s) }
