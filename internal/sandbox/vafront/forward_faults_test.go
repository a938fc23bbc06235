package vafront

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
)

func TestForwardingAndCounters(t *testing.T) {
	ctx, c, ctl := fresh(t)
	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("web"), Description: aws.String("web tier")})
	if err != nil {
		t.Fatal(err)
	}
	// The group exists in moto itself.
	direct := ec2Client(testMoto.URL)
	out, err := direct.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{aws.ToString(sg.GroupId)}})
	if err != nil || len(out.SecurityGroups) != 1 || aws.ToString(out.SecurityGroups[0].GroupName) != "web" {
		t.Fatalf("moto does not have the group: %v %+v", err, out)
	}
	if _, err := c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{}); err != nil {
		t.Fatal(err)
	}
	inst := newInstance(t, c)
	newGroup(t, c, inst)
	newGroup(t, c, inst)
	ids := identityStoreClient()
	if _, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String("d-1234567890"), DisplayName: aws.String("engineers")}); err != nil {
		t.Fatal(err)
	}

	got, err := ctl.Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{
		"ec2:CreateSecurityGroup":          1,
		"ec2:DescribeSecurityGroupRules":   1,
		"ec2:CreateVerifiedAccessInstance": 1,
		"ec2:CreateVerifiedAccessGroup":    2,
		"identitystore:CreateGroup":        1,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("counter %s = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
	// Requests sent straight to moto are not counted.
	if got["ec2:DescribeSecurityGroups"] != 0 {
		t.Errorf("direct moto call counted: %v", got)
	}
	if err := ctl.ResetCounters(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := ctl.Counters(ctx); len(got) != 0 {
		t.Fatalf("counters after reset %v", got)
	}
}

func TestThrottlingRetriedAndCounted(t *testing.T) {
	ctx, c, ctl := fresh(t)
	inst := newInstance(t, c)

	// Always throttled: the SDK retries (3 attempts by default) then fails.
	if err := ctl.SetFaults(ctx, Faults{ThrottleRate: 1, Actions: []string{"ec2:CreateVerifiedAccessGroup"}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateVerifiedAccessGroup(ctx, &ec2.CreateVerifiedAccessGroupInput{VerifiedAccessInstanceId: aws.String(inst)})
	wantCode(t, err, "RequestLimitExceeded")
	counts, err := ctl.Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["ec2:CreateVerifiedAccessGroup"] != 3 {
		t.Fatalf("want 3 attempts counted, got %v", counts)
	}
	// Other actions are not affected.
	if _, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{}); err != nil {
		t.Fatal(err)
	}

	// Sometimes throttled: retries make every call succeed, and the counter
	// shows more requests than calls.
	if err := ctl.SetFaults(ctx, Faults{ThrottleRate: 0.3, Seed: 7, Actions: []string{"CreateVerifiedAccessGroup"}}); err != nil {
		t.Fatal(err)
	}
	if err := ctl.ResetCounters(ctx); err != nil {
		t.Fatal(err)
	}
	patient := ec2Client("", func(o *ec2.Options) { o.RetryMaxAttempts = 10 })
	const calls = 20
	for range calls {
		if _, err := patient.CreateVerifiedAccessGroup(ctx, &ec2.CreateVerifiedAccessGroupInput{VerifiedAccessInstanceId: aws.String(inst)}); err != nil {
			t.Fatal(err)
		}
	}
	counts, _ = ctl.Counters(ctx)
	if n := counts["ec2:CreateVerifiedAccessGroup"]; n <= calls {
		t.Fatalf("throttling at 30%% produced no retries: %d requests for %d calls", n, calls)
	}
	groups, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{})
	if err != nil || len(groups.VerifiedAccessGroups) != calls {
		t.Fatalf("throttled retries created %d groups, want %d (%v)", len(groups.VerifiedAccessGroups), calls, err)
	}
}

func TestJSONProtocolThrottling(t *testing.T) {
	ctx, _, ctl := fresh(t)
	if err := ctl.SetFaults(ctx, Faults{ThrottleRate: 1, Actions: []string{"identitystore:CreateGroup"}}); err != nil {
		t.Fatal(err)
	}
	ids := identityStoreClient()
	_, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String("d-1234567890"), DisplayName: aws.String("ops")})
	wantCode(t, err, "ThrottlingException")
	var status interface{ HTTPStatusCode() int }
	if !asStatus(err, &status) || status.HTTPStatusCode() != http.StatusBadRequest {
		t.Fatalf("want HTTP 400, got %v", err)
	}
	counts, _ := ctl.Counters(ctx)
	if counts["identitystore:CreateGroup"] != 3 {
		t.Fatalf("want 3 attempts, got %v", counts)
	}
	if err := ctl.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String("d-1234567890"), DisplayName: aws.String("ops")}); err != nil {
		t.Fatal(err)
	}
}

func TestServerErrors(t *testing.T) {
	ctx, c, ctl := fresh(t)
	if err := ctl.SetFaults(ctx, Faults{ServerErrorRate: 1, Actions: []string{"*"}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{})
	wantCode(t, err, "InternalError")
	var status interface{ HTTPStatusCode() int }
	if !asStatus(err, &status) || status.HTTPStatusCode() != http.StatusInternalServerError {
		t.Fatalf("want HTTP 500, got %v", err)
	}
	// Forwarded actions are faulted as well.
	_, err = c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
	wantCode(t, err, "InternalError")
	counts, _ := ctl.Counters(ctx)
	if counts["ec2:DescribeVerifiedAccessInstances"] != 3 || counts["ec2:DescribeSecurityGroups"] != 3 {
		t.Fatalf("want 3 attempts each, got %v", counts)
	}
}

func TestNotFoundAfterCreate(t *testing.T) {
	ctx, c, ctl := fresh(t)
	const window = 400 * time.Millisecond
	if err := ctl.SetFaults(ctx, Faults{NotFoundAfterCreateMS: int(window / time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	created := time.Now()
	inst := newInstance(t, c)
	grp := newGroup(t, c, inst)
	_, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{inst}})
	wantCode(t, err, "InvalidVerifiedAccessInstanceId.NotFound")
	_, err = c.GetVerifiedAccessGroupPolicy(ctx, &ec2.GetVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: aws.String(grp)})
	wantCode(t, err, "InvalidVerifiedAccessGroupId.NotFound")
	list, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{})
	if err != nil || len(list.VerifiedAccessGroups) != 0 {
		t.Fatalf("fresh group listed: %v %+v", err, list)
	}
	time.Sleep(time.Until(created.Add(window + 50*time.Millisecond)))
	if _, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{inst}}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	if _, err := c.GetVerifiedAccessGroupPolicy(ctx, &ec2.GetVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: aws.String(grp)}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestLatency(t *testing.T) {
	ctx, c, ctl := fresh(t)
	if err := ctl.SetFaults(ctx, Faults{LatencyMS: 250, Actions: []string{"DescribeVerifiedAccessInstances"}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Fatalf("latency not injected: %s", d)
	}
	start = time.Now()
	if _, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d >= 250*time.Millisecond {
		t.Fatalf("latency leaked to another action: %s", d)
	}
}

func TestControlAPI(t *testing.T) {
	ctx, c, ctl := fresh(t)
	want := Faults{ThrottleRate: 0.2, NotFoundAfterCreateMS: 500, Actions: []string{"*"}, Seed: 1}
	if err := ctl.SetFaults(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := ctl.Faults(ctx)
	if err != nil || got.ThrottleRate != 0.2 || got.NotFoundAfterCreateMS != 500 || got.Seed != 1 {
		t.Fatalf("faults read back %+v %v", got, err)
	}
	if err := ctl.SetFaults(ctx, Faults{ThrottleRate: 2}); err == nil || !strings.Contains(err.Error(), "throttle_rate") {
		t.Fatalf("invalid faults accepted: %v", err)
	}
	// Unknown JSON fields are refused, so typos do not silently disable a test.
	resp, err := http.DefaultClient.Do(mustRequest(t, http.MethodPut, testFront.ControlURL()+"/faults", `{"throttle":0.5}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown field: HTTP %d", resp.StatusCode)
	}

	// Full reset clears Verified Access state, moto state, counters and faults.
	newInstance(t, c)
	if _, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("x"), Description: aws.String("x")}); err != nil {
		t.Fatal(err)
	}
	if err := ctl.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if f, _ := ctl.Faults(ctx); f.ThrottleRate != 0 || f.NotFoundAfterCreateMS != 0 {
		t.Fatalf("faults survive reset: %+v", f)
	}
	if n, _ := ctl.Counters(ctx); len(n) != 0 {
		t.Fatalf("counters survive reset: %v", n)
	}
	in, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{})
	if err != nil || len(in.VerifiedAccessInstances) != 0 {
		t.Fatalf("instances survive reset: %v %+v", err, in)
	}
	sgs, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range sgs.SecurityGroups {
		if aws.ToString(g.GroupName) == "x" {
			t.Fatal("moto security group survives reset")
		}
	}

	resp, err = http.Get(testFront.ControlURL() + "/counters")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]int64
	if err := json.Unmarshal(body, &m); err != nil || m["ec2:DescribeSecurityGroups"] != 1 {
		t.Fatalf("raw counters %s (%v)", body, err)
	}
}

func mustRequest(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestLostResponse: the request is served — the object exists — but the
// client gets InternalError. A retry with the same idempotency token (the SDK
// fills ClientToken) returns the same object, as on AWS.
func TestLostResponse(t *testing.T) {
	ctx, c, ctl := fresh(t)
	if err := ctl.SetFaults(ctx, Faults{LostResponses: 2, Actions: []string{"ec2:CreateVerifiedAccessInstance"}}); err != nil {
		t.Fatal(err)
	}
	once := func(o *ec2.Options) { o.RetryMaxAttempts = 1 }
	_, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{}, once)
	wantCode(t, err, "InternalError")
	list, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{})
	if err != nil || len(list.VerifiedAccessInstances) != 1 {
		t.Fatalf("the request whose response was lost was not served: %v %+v", err, list)
	}
	// Retried with its token, a create whose response was lost is the same object.
	out, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{})
	if err != nil {
		t.Fatalf("the retry should succeed: %v", err)
	}
	list, _ = c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{})
	counts, _ := ctl.Counters(ctx)
	if len(list.VerifiedAccessInstances) != 2 || counts["ec2:CreateVerifiedAccessInstance"] != 3 || out.VerifiedAccessInstance == nil {
		t.Fatalf("want 2 instances after 3 calls (one lost alone, one lost then retried), got %d, counters %v", len(list.VerifiedAccessInstances), counts)
	}
	if err := ctl.SetFaults(ctx, Faults{LostResponses: -1}); err == nil {
		t.Fatal("a negative lost_responses was accepted")
	}
}
