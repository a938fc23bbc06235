package awsapi_test

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// liveEndpoints reads what the provider refreshes before reconciling a
// surface: the group's endpoints and, by application, the effective policy
// of each owned one.
func liveEndpoints(t *testing.T, c *ec2.Client, groupID string) (map[string]*awsapi.VerifiedAccessEndpoint, map[string]string) {
	t.Helper()
	ctx := context.Background()
	live, err := awsapi.FindVerifiedAccessEndpoints(ctx, c, groupID)
	if err != nil {
		t.Fatal(err)
	}
	byApp, _ := awsapi.OwnedEndpoints(groupID, live)
	policies := map[string]string{}
	for app, e := range byApp {
		p, err := awsapi.GetVerifiedAccessEndpointPolicy(ctx, c, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		policies[app] = p.Effective()
	}
	return live, policies
}

// TestReconcileEndpoints walks a surface's endpoints through
// ReconcileEndpoints with exact mutating-call counts: create with policies;
// a re-run changes nothing; a port change modifies in place; a CIDR change
// re-creates; a removed application's endpoint is deleted while an endpoint
// the surface does not own stays; a policy edited out of band is rewritten
// with exactly one call.
func TestReconcileEndpoints(t *testing.T) {
	ctx := context.Background()
	c, calls, _ := vaClient(t)
	in, err := awsapi.CreateVerifiedAccessInstance(ctx, c, awsapi.CreateVerifiedAccessInstanceInput{Description: "endpoints reconcile"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := awsapi.CreateVerifiedAccessGroup(ctx, c, awsapi.CreateVerifiedAccessGroupInput{InstanceID: in.ID, Description: "shop", PolicyDocument: testPolicy})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		live, _ := awsapi.FindVerifiedAccessEndpoints(ctx, c, g.ID)
		var ids []string
		for id := range live {
			_ = awsapi.DeleteVerifiedAccessEndpoint(ctx, c, id)
			ids = append(ids, id)
		}
		_ = awsapi.WaitVerifiedAccessEndpointsGone(ctx, c, g.ID, ids)
		_ = awsapi.DeleteVerifiedAccessGroup(ctx, c, g.ID)
		_ = awsapi.DeleteVerifiedAccessInstance(ctx, c, in.ID)
	})

	web := awsapi.NamedEndpointSpec{Application: "web", EndpointSpec: awsapi.EndpointSpec{
		Type: awsapi.EndpointLoadBalancer, ApplicationDomain: "shop-web.example.com", DomainCertificateARN: "arn:aws:acm:us-east-1:123456789012:certificate/shop",
		EndpointDomainPrefix: "shopweb", LoadBalancerARN: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/1",
		Protocol: "https", Port: 443, SubnetIDs: []string{"subnet-1"},
	}}
	db := awsapi.NamedEndpointSpec{Application: "db", EndpointSpec: awsapi.EndpointSpec{
		Type: awsapi.EndpointCIDR, CIDR: "10.50.0.0/24", Protocol: "tcp", Port: 5432, SubnetIDs: []string{"subnet-1", "subnet-2"},
	}}
	policies := map[string]string{"web": testPolicy, "db": testPolicyEdited}

	run := func(step string, apps []awsapi.NamedEndpointSpec) map[string]*awsapi.VerifiedAccessEndpoint {
		t.Helper()
		live, livePolicies := liveEndpoints(t, c, g.ID)
		calls.reset()
		out := map[string]*awsapi.VerifiedAccessEndpoint{}
		if err := awsapi.ReconcileEndpoints(ctx, c, g.ID, "shop", apps, policies, live, livePolicies, out); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if len(out) != len(apps) {
			t.Fatalf("%s: out has %d endpoints, want %d: %v", step, len(out), len(apps), out)
		}
		for _, a := range apps {
			e := out[a.Application]
			if e == nil || e.Status != "active" || !e.SameImmutable(a.EndpointSpec) || !e.SameMutable(a.EndpointSpec) {
				t.Fatalf("%s: endpoint of %s is %+v, want active and equal to %+v", step, a.Application, e, a.EndpointSpec)
			}
			if !reflect.DeepEqual(e.Tags, awsapi.EndpointTags(g.ID, a.Application)) {
				t.Fatalf("%s: endpoint of %s tagged %v, want %v", step, a.Application, e.Tags, awsapi.EndpointTags(g.ID, a.Application))
			}
		}
		return out
	}
	assertPolicies := func(step string, out map[string]*awsapi.VerifiedAccessEndpoint) {
		t.Helper()
		for app, e := range out {
			p, err := awsapi.GetVerifiedAccessEndpointPolicy(ctx, c, e.ID)
			if err != nil || p.Effective() != policies[app] {
				t.Fatalf("%s: policy of %s is %+v, %v; want %q", step, app, p, err, policies[app])
			}
		}
	}

	// 1. Create both, each with its policy in the create call.
	out := run("create", []awsapi.NamedEndpointSpec{web, db})
	wantCalls(t, "create", mutatingEC2(calls), map[string]int{"CreateVerifiedAccessEndpoint": 2})
	assertPolicies("create", out)
	if out["web"].Description != "Application web of protect surface shop" {
		t.Errorf("create: description %q", out["web"].Description)
	}
	first := map[string]string{"web": out["web"].ID, "db": out["db"].ID}

	// 2. Same state: nothing written, same endpoints.
	out = run("re-run", []awsapi.NamedEndpointSpec{web, db})
	wantCalls(t, "re-run", mutatingEC2(calls), nil)
	if out["web"].ID != first["web"] || out["db"].ID != first["db"] {
		t.Fatalf("re-run: endpoints %s/%s, want %v", out["web"].ID, out["db"].ID, first)
	}

	// 3. A port (mutable) change: one modify, same endpoint.
	web.Port = 8443
	out = run("modify", []awsapi.NamedEndpointSpec{web, db})
	wantCalls(t, "modify", mutatingEC2(calls), map[string]int{"ModifyVerifiedAccessEndpoint": 1})
	if out["web"].ID != first["web"] || out["web"].Port != 8443 {
		t.Fatalf("modify: web endpoint %s port %d, want %s port 8443", out["web"].ID, out["web"].Port, first["web"])
	}

	// 4. A CIDR (immutable) change: delete then create, with its policy.
	db.CIDR = "10.50.1.0/24"
	out = run("recreate", []awsapi.NamedEndpointSpec{web, db})
	wantCalls(t, "recreate", mutatingEC2(calls), map[string]int{"DeleteVerifiedAccessEndpoint": 1, "CreateVerifiedAccessEndpoint": 1})
	if out["db"].ID == first["db"] || out["web"].ID != first["web"] {
		t.Fatalf("recreate: db %s (old %s), web %s (old %s); want a new db only", out["db"].ID, first["db"], out["web"].ID, first["web"])
	}
	assertPolicies("recreate", out)
	if live, _ := liveEndpoints(t, c, g.ID); live[first["db"]] != nil || len(live) != 2 {
		t.Fatalf("recreate: live endpoints %v, want the old db endpoint gone", slices.Sorted(maps.Keys(live)))
	}

	// 5. An endpoint the surface does not own (another group's tags) sits in
	// the group; the db application is removed. Only db's endpoint goes.
	foreign, err := awsapi.CreateVerifiedAccessEndpoint(ctx, c, g.ID, awsapi.EndpointSpec{Type: awsapi.EndpointCIDR, CIDR: "10.60.0.0/24", Protocol: "tcp", Port: 22, SubnetIDs: []string{"subnet-9"}},
		"", "hand-made", map[string]string{awsapi.TagSurfaceID: "vagr-0another0group0", awsapi.TagApplication: "db"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsapi.WaitVerifiedAccessEndpointsActive(ctx, c, g.ID, []string{foreign.ID}); err != nil {
		t.Fatal(err)
	}
	live, _ := liveEndpoints(t, c, g.ID)
	byApp, others := awsapi.OwnedEndpoints(g.ID, live)
	if len(byApp) != 2 || len(others) != 1 || others[0].ID != foreign.ID || byApp["db"].ID != out["db"].ID {
		t.Fatalf("OwnedEndpoints = %v / %v; want web and db owned, %s foreign", byApp, others, foreign.ID)
	}
	dbID := out["db"].ID
	out = run("remove", []awsapi.NamedEndpointSpec{web})
	wantCalls(t, "remove", mutatingEC2(calls), map[string]int{"DeleteVerifiedAccessEndpoint": 1})
	if len(out) != 1 || out["web"] == nil || out["web"].ID != first["web"] {
		t.Fatalf("remove: reconciled endpoints %v; want only web (%s)", out, first["web"])
	}
	live, _ = liveEndpoints(t, c, g.ID)
	if live[dbID] != nil || live[foreign.ID] == nil || live[first["web"]] == nil || len(live) != 2 {
		t.Fatalf("remove: live endpoints %v; want web and the foreign one, db (%s) gone", slices.Sorted(maps.Keys(live)), dbID)
	}

	// 6. The web policy was edited out of band: exactly one policy write
	// restores it, nothing else changes.
	if err := awsapi.SetVerifiedAccessEndpointPolicy(ctx, c, first["web"], testPolicyEdited); err != nil {
		t.Fatal(err)
	}
	out = run("policy drift", []awsapi.NamedEndpointSpec{web})
	wantCalls(t, "policy drift", mutatingEC2(calls), map[string]int{"ModifyVerifiedAccessEndpointPolicy": 1})
	assertPolicies("policy drift", out)
	// And a desired policy removed disables it, again with one write.
	delete(policies, "web")
	out = run("policy removed", []awsapi.NamedEndpointSpec{web})
	wantCalls(t, "policy removed", mutatingEC2(calls), map[string]int{"ModifyVerifiedAccessEndpointPolicy": 1})
	assertPolicies("policy removed", out)

	// 7. A port and a policy change together: one modify, one policy write.
	web.Port, policies["web"] = 9443, testPolicy
	out = run("port and policy", []awsapi.NamedEndpointSpec{web})
	wantCalls(t, "port and policy", mutatingEC2(calls), map[string]int{"ModifyVerifiedAccessEndpoint": 1, "ModifyVerifiedAccessEndpointPolicy": 1})
	assertPolicies("port and policy", out)

	// 8. The port was changed out of band a moment ago: the endpoint is still
	// updating (it cannot be modified yet), so the reconciler waits for it
	// and then modifies it back once.
	oob := web.EndpointSpec
	oob.Port = 9000
	if err := awsapi.ModifyVerifiedAccessEndpoint(ctx, c, first["web"], oob); err != nil {
		t.Fatal(err)
	}
	live, livePolicies := liveEndpoints(t, c, g.ID)
	if s := live[first["web"]].Status; s != "updating" {
		t.Logf("the out-of-band change had settled (%s) before the reconcile: the wait for settling endpoints is not exercised", s)
	}
	calls.reset()
	out = map[string]*awsapi.VerifiedAccessEndpoint{}
	if err := awsapi.ReconcileEndpoints(ctx, c, g.ID, "shop", []awsapi.NamedEndpointSpec{web}, policies, live, livePolicies, out); err != nil {
		t.Fatalf("settling: %v", err)
	}
	wantCalls(t, "settling", mutatingEC2(calls), map[string]int{"ModifyVerifiedAccessEndpoint": 1})
	if e := out["web"]; e.ID != first["web"] || e.Port != 9443 || e.Status != "active" {
		t.Fatalf("settling: web endpoint %s port %d %s, want %s port 9443 active", e.ID, e.Port, e.Status, first["web"])
	}
}

// TestReconcileEndpointsReplacesADeletingEndpoint: a refresh that finds an
// application's endpoint already deleting (an apply interrupted while it
// waited for a deletion, then the application restored) must not keep that
// endpoint: it is waited out and the application gets a new one.
func TestReconcileEndpointsReplacesADeletingEndpoint(t *testing.T) {
	ctx := context.Background()
	c, calls, _ := vaClient(t)
	in, err := awsapi.CreateVerifiedAccessInstance(ctx, c, awsapi.CreateVerifiedAccessInstanceInput{Description: "deleting endpoint"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := awsapi.CreateVerifiedAccessGroup(ctx, c, awsapi.CreateVerifiedAccessGroupInput{InstanceID: in.ID, PolicyDocument: testPolicy})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		live, _ := awsapi.FindVerifiedAccessEndpoints(ctx, c, g.ID)
		var ids []string
		for id := range live {
			_ = awsapi.DeleteVerifiedAccessEndpoint(ctx, c, id)
			ids = append(ids, id)
		}
		_ = awsapi.WaitVerifiedAccessEndpointsGone(ctx, c, g.ID, ids)
		_ = awsapi.DeleteVerifiedAccessGroup(ctx, c, g.ID)
		_ = awsapi.DeleteVerifiedAccessInstance(ctx, c, in.ID)
	})
	ssh := awsapi.NamedEndpointSpec{Application: "ssh", EndpointSpec: awsapi.EndpointSpec{Type: awsapi.EndpointCIDR, CIDR: "10.70.0.0/24", Protocol: "tcp", Port: 22, SubnetIDs: []string{"subnet-1"}}}
	apps := []awsapi.NamedEndpointSpec{ssh}
	out := map[string]*awsapi.VerifiedAccessEndpoint{}
	if err := awsapi.ReconcileEndpoints(ctx, c, g.ID, "ops", apps, nil, nil, nil, out); err != nil {
		t.Fatal(err)
	}
	old := out["ssh"]

	// The deletion was started; the refresh caught the endpoint deleting.
	if err := awsapi.DeleteVerifiedAccessEndpoint(ctx, c, old.ID); err != nil {
		t.Fatal(err)
	}
	deleting := *old
	deleting.Status = "deleting"
	live := map[string]*awsapi.VerifiedAccessEndpoint{old.ID: &deleting}

	calls.reset()
	out = map[string]*awsapi.VerifiedAccessEndpoint{}
	if err := awsapi.ReconcileEndpoints(ctx, c, g.ID, "ops", apps, nil, live, map[string]string{"ssh": ""}, out); err != nil {
		t.Fatal(err)
	}
	if e := out["ssh"]; e == nil || e.ID == old.ID || e.Status != "active" {
		t.Fatalf("ssh endpoint after the refresh saw it deleting: %+v; want a new active endpoint, not %s", e, old.ID)
	}
	if n := calls.get("CreateVerifiedAccessEndpoint"); n != 1 {
		t.Fatalf("%d creates, want 1", n)
	}
	now, err := awsapi.FindVerifiedAccessEndpoints(ctx, c, g.ID)
	if err != nil || len(now) != 1 || now[out["ssh"].ID] == nil {
		t.Fatalf("live endpoints %v, %v; want just the new one", now, err)
	}
}

// TestReconcileEndpointsUnderFaults: with throttling and new endpoints
// invisible for a while, a reconcile still makes exactly one endpoint per
// application (one create operation each, retries included) and the next
// run has nothing to do.
func TestReconcileEndpointsUnderFaults(t *testing.T) {
	ctx := context.Background()
	c, calls, ctl := vaClient(t)
	in, err := awsapi.CreateVerifiedAccessInstance(ctx, c, awsapi.CreateVerifiedAccessInstanceInput{Description: "endpoints under faults"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := awsapi.CreateVerifiedAccessGroup(ctx, c, awsapi.CreateVerifiedAccessGroupInput{InstanceID: in.ID, PolicyDocument: testPolicy})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		live, _ := awsapi.FindVerifiedAccessEndpoints(ctx, c, g.ID)
		var ids []string
		for id := range live {
			_ = awsapi.DeleteVerifiedAccessEndpoint(ctx, c, id)
			ids = append(ids, id)
		}
		_ = awsapi.WaitVerifiedAccessEndpointsGone(ctx, c, g.ID, ids)
		_ = awsapi.DeleteVerifiedAccessGroup(ctx, c, g.ID)
		_ = awsapi.DeleteVerifiedAccessInstance(ctx, c, in.ID)
	})
	apps := []awsapi.NamedEndpointSpec{
		{Application: "a", EndpointSpec: awsapi.EndpointSpec{Type: awsapi.EndpointCIDR, CIDR: "10.80.0.0/24", Protocol: "tcp", Port: 22, SubnetIDs: []string{"subnet-1"}}},
		{Application: "b", EndpointSpec: awsapi.EndpointSpec{Type: awsapi.EndpointCIDR, CIDR: "10.80.1.0/24", Protocol: "tcp", Port: 5432, SubnetIDs: []string{"subnet-1"}}},
	}
	policies := map[string]string{"a": testPolicy, "b": testPolicyEdited}
	if err := ctl.ResetCounters(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ctl.SetFaults(ctx, vafront.Faults{ThrottleRate: 0.5, NotFoundAfterCreateMS: 400, Actions: []string{"*"}, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	calls.reset()
	out := map[string]*awsapi.VerifiedAccessEndpoint{}
	err = awsapi.ReconcileEndpoints(ctx, c, g.ID, "faults", apps, policies, nil, nil, out)
	if cerr := ctl.ClearFaults(ctx); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatal(err)
	}
	wantCalls(t, "under faults", mutatingEC2(calls), map[string]int{"CreateVerifiedAccessEndpoint": 2})
	// The front counts every attempt, the SDK middleware every operation:
	// more attempts than operations means faults were answered and retried.
	front, err := ctl.Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var attempts, operations int64
	for _, n := range front {
		attempts += n
	}
	for _, n := range calls.counts {
		operations += int64(n)
	}
	if attempts <= operations {
		t.Fatalf("%d requests for %d operations: no fault was injected, the test tested nothing", attempts, operations)
	}
	t.Logf("%d requests for %d operations", attempts, operations)
	live, livePolicies := liveEndpoints(t, c, g.ID)
	if len(live) != 2 || live[out["a"].ID] == nil || live[out["b"].ID] == nil {
		t.Fatalf("live endpoints %v, want exactly a's and b's", slices.Sorted(maps.Keys(live)))
	}
	if !maps.Equal(livePolicies, policies) {
		t.Fatalf("live policies %v, want %v", livePolicies, policies)
	}
	calls.reset()
	again := map[string]*awsapi.VerifiedAccessEndpoint{}
	if err := awsapi.ReconcileEndpoints(ctx, c, g.ID, "faults", apps, policies, live, livePolicies, again); err != nil {
		t.Fatal(err)
	}
	wantCalls(t, "after faults", mutatingEC2(calls), nil)
}
