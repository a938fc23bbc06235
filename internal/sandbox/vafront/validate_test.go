package vafront

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idstypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
)

// rawRequest is a request the SDK would not send as it is (it checks
// required members itself), signed-looking for service so the front and
// moto attribute it.
type rawRequest struct {
	service string
	method  string
	path    string
	header  map[string]string
	body    string
}

type rawAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (a rawAnswer) String() string { return string(a.body) }

func send(t *testing.T, base string, rr rawRequest) rawAnswer {
	t.Helper()
	method := rr.method
	if method == "" {
		method = http.MethodPost
	}
	path := rr.path
	if path == "" {
		path = "/"
	}
	req, err := http.NewRequest(method, base+path, strings.NewReader(rr.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"+rr.service+"/aws4_request, SignedHeaders=host, Signature=00")
	for k, v := range rr.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawAnswer{resp.StatusCode, resp.Header, body}
}

func formRequest(service string, form url.Values) rawRequest {
	return rawRequest{service: service, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, body: form.Encode()}
}

func jsonRequest(service, target string, doc any) rawRequest {
	b, _ := json.Marshal(doc)
	return rawRequest{service: service, header: map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}, body: string(b)}
}

// ec2Error, queryError and jsonError read each protocol's error document.
func ec2Error(t *testing.T, a rawAnswer) (code, msg string) {
	t.Helper()
	var doc struct {
		Errors []struct{ Code, Message string } `xml:"Errors>Error"`
	}
	if err := xml.Unmarshal(a.body, &doc); err != nil || len(doc.Errors) != 1 {
		t.Fatalf("not an EC2 error document (%v): %d %s", err, a.status, a)
	}
	return doc.Errors[0].Code, doc.Errors[0].Message
}

func queryError(t *testing.T, a rawAnswer) (code, msg string) {
	t.Helper()
	var doc struct {
		Error struct{ Type, Code, Message string } `xml:"Error"`
	}
	if err := xml.Unmarshal(a.body, &doc); err != nil || doc.Error.Code == "" || doc.Error.Type != "Sender" {
		t.Fatalf("not an awsQuery Sender error document (%v): %d %s", err, a.status, a)
	}
	return doc.Error.Code, doc.Error.Message
}

func jsonError(t *testing.T, a rawAnswer) (code, msg string) {
	t.Helper()
	var doc struct {
		Type    string `json:"__type"`
		Message string `json:"Message"`
	}
	if err := json.Unmarshal(a.body, &doc); err != nil {
		t.Fatalf("not a JSON error document (%v): %d %s", err, a.status, a)
	}
	code = a.header.Get("X-Amzn-Errortype")
	if doc.Type != "" && doc.Type != code {
		t.Fatalf("__type %q and X-Amzn-Errortype %q differ", doc.Type, code)
	}
	return code, doc.Message
}

// refused asserts the front refuses rr with HTTP 400, code and a message
// naming path; when motoAccepts, the same request sent to moto directly
// succeeds, so the refusal is the model check's.
func refused(t *testing.T, rr rawRequest, read func(*testing.T, rawAnswer) (string, string), code, path string, motoAccepts bool) {
	t.Helper()
	a := send(t, testFront.URL, rr)
	if a.status != http.StatusBadRequest {
		t.Fatalf("want HTTP 400 %s, got %d %s", code, a.status, a)
	}
	gotCode, msg := read(t, a)
	if gotCode != code || !strings.Contains(msg, path) {
		t.Fatalf("want %s naming %q, got %s: %s", code, path, gotCode, msg)
	}
	if motoAccepts {
		if m := send(t, testMoto.URL, rr); m.status != http.StatusOK {
			t.Fatalf("moto itself refuses the request (%d %s): the case does not show the model check", m.status, m)
		}
	}
}

func TestModelCheckEC2Protocol(t *testing.T) {
	fresh(t)
	ec2Form := func(kv ...string) rawRequest {
		form := url.Values{"Version": {"2016-11-15"}}
		for i := 0; i+1 < len(kv); i += 2 {
			form.Set(kv[i], kv[i+1])
		}
		return formRequest("ec2", form)
	}
	t.Run("required", func(t *testing.T) {
		refused(t, ec2Form("Action", "DeleteVpc"), ec2Error, "MissingParameter", "VpcId", false)
	})
	t.Run("unknown member", func(t *testing.T) {
		refused(t, ec2Form("Action", "DescribeVpcs", "VpcName", "x"), ec2Error, "UnknownParameter", "VpcName", true)
	})
	t.Run("unknown member of a list element", func(t *testing.T) {
		refused(t, ec2Form("Action", "DescribeVpcs", "Filter.1.Name", "vpc-id", "Filter.1.Values.1", "vpc-1"), ec2Error, "UnknownParameter", "Filter.1.Values.1", true)
	})
	t.Run("integer range", func(t *testing.T) {
		refused(t, ec2Form("Action", "DescribeVpcs", "MaxResults", "1"), ec2Error, "InvalidParameterValue", "MaxResults", true)
	})
	t.Run("integer type", func(t *testing.T) {
		refused(t, ec2Form("Action", "DescribeVpcs", "MaxResults", "ten"), ec2Error, "InvalidParameterValue", "MaxResults", false)
	})
	t.Run("boolean type", func(t *testing.T) {
		refused(t, ec2Form("Action", "DescribeVpcs", "DryRun", "maybe"), ec2Error, "InvalidParameterValue", "DryRun", false)
	})
	t.Run("nested enum", func(t *testing.T) {
		refused(t, ec2Form("Action", "CreateVpc", "CidrBlock", "10.0.0.0/16", "TagSpecification.1.ResourceType", "vpcs",
			"TagSpecification.1.Tag.1.Key", "k", "TagSpecification.1.Tag.1.Value", "v"), ec2Error, "InvalidParameterValue", "TagSpecification.1.ResourceType", true)
	})
	t.Run("pattern and length", func(t *testing.T) {
		refused(t, ec2Form("Action", "CreateLaunchTemplate", "LaunchTemplateName", "has space", "LaunchTemplateData.ImageId", "ami-12c6146b"),
			ec2Error, "InvalidParameterValue", "LaunchTemplateName", true)
		refused(t, ec2Form("Action", "CreateLaunchTemplate", "LaunchTemplateName", "ab", "LaunchTemplateData.ImageId", "ami-12c6146b"),
			ec2Error, "InvalidParameterValue", "LaunchTemplateName", true)
	})
	t.Run("the front's own Verified Access actions", func(t *testing.T) {
		refused(t, ec2Form("Action", "CreateVerifiedAccessInstance", "FIPSEnabled", "yes"), ec2Error, "InvalidParameterValue", "FIPSEnabled", false)
		refused(t, ec2Form("Action", "CreateVerifiedAccessInstance", "FipsEnabled", "true"), ec2Error, "UnknownParameter", "FipsEnabled", false)
		refused(t, ec2Form("Action", "DescribeVerifiedAccessInstances", "InstanceId.1", "vai-0123456789abcdef0"), ec2Error, "UnknownParameter", "InstanceId.1", false)
	})
	t.Run("unknown action", func(t *testing.T) {
		refused(t, ec2Form("Action", "DescribeVpcz"), ec2Error, "InvalidAction", "DescribeVpcz", false)
	})
	t.Run("the SDK's request passes", func(t *testing.T) {
		_, err := ec2Client("").CreateVpc(context.Background(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.1.0.0/16"),
			TagSpecifications: tagSpec("vpc", "Name", "checked"), InstanceTenancy: ec2types.TenancyDefault})
		if err != nil {
			t.Fatal(err)
		}
		_, err = ec2Client("").CreateVpc(context.Background(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.2.0.0/16"), InstanceTenancy: "shared"})
		wantCode(t, err, "InvalidParameterValue")
	})
}

func TestModelCheckQueryProtocol(t *testing.T) {
	fresh(t)
	iamForm := func(kv ...string) rawRequest {
		form := url.Values{"Version": {"2010-05-08"}}
		for i := 0; i+1 < len(kv); i += 2 {
			form.Set(kv[i], kv[i+1])
		}
		return formRequest("iam", form)
	}
	trust := `{"Version":"2012-10-17","Statement":[]}`
	t.Run("pattern", func(t *testing.T) {
		refused(t, iamForm("Action", "CreateRole", "RoleName", "has space", "AssumeRolePolicyDocument", trust), queryError, "ValidationError", "RoleName", true)
	})
	t.Run("length", func(t *testing.T) {
		refused(t, iamForm("Action", "CreateRole", "RoleName", strings.Repeat("r", 65), "AssumeRolePolicyDocument", trust), queryError, "ValidationError", "RoleName", true)
	})
	t.Run("Java unicode escapes in a pattern", func(t *testing.T) {
		refused(t, iamForm("Action", "CreateRole", "RoleName", "unicode", "AssumeRolePolicyDocument", `{"Sid":"ĉ"}`), queryError, "ValidationError", "AssumeRolePolicyDocument", true)
	})
	t.Run("required", func(t *testing.T) {
		refused(t, iamForm("Action", "CreateRole", "RoleName", "r1"), queryError, "ValidationError", "AssumeRolePolicyDocument", false)
	})
	t.Run("unknown member", func(t *testing.T) {
		refused(t, iamForm("Action", "CreateRole", "RoleName", "r2", "AssumeRolePolicyDocument", trust, "Owner", "me"), queryError, "ValidationError", "Owner", true)
	})
	t.Run("integer range", func(t *testing.T) {
		refused(t, iamForm("Action", "CreateRole", "RoleName", "r3", "AssumeRolePolicyDocument", trust, "MaxSessionDuration", "60"), queryError, "ValidationError", "MaxSessionDuration", true)
	})
	t.Run("required member of a list element", func(t *testing.T) {
		refused(t, iamForm("Action", "CreateRole", "RoleName", "r4", "AssumeRolePolicyDocument", trust, "Tags.member.1.Key", "k"), queryError, "ValidationError", "Tags.member.1.Value", false)
	})
	t.Run("list length", func(t *testing.T) {
		rr := iamForm("Action", "CreateRole", "RoleName", "r5", "AssumeRolePolicyDocument", trust)
		form, _ := url.ParseQuery(rr.body)
		for i := 1; i <= 51; i++ {
			form.Set("Tags.member."+itoa(i)+".Key", "k"+itoa(i))
			form.Set("Tags.member."+itoa(i)+".Value", "v")
		}
		rr.body = form.Encode()
		refused(t, rr, queryError, "ValidationError", "Tags", false)
	})
	t.Run("enum (elbv2)", func(t *testing.T) {
		form := url.Values{"Version": {"2015-12-01"}, "Action": {"CreateLoadBalancer"}, "Name": {"lb1"}, "Scheme": {"public"}}
		refused(t, formRequest("elasticloadbalancing", form), queryError, "ValidationError", "Scheme", false)
	})
	t.Run("the SDK's request passes, and an invalid one is refused", func(t *testing.T) {
		client := iam.NewFromConfig(awsConfig(), func(o *iam.Options) { o.BaseEndpoint = aws.String(testFront.URL) })
		if _, err := client.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String("sdk-role"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
			t.Fatal(err)
		}
		_, err := client.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String("sdk role"), AssumeRolePolicyDocument: aws.String(trust)})
		wantCode(t, err, "ValidationError")
	})
}

func TestModelCheckJSONProtocol(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	instance, store := ssoInstance(t, ssoAdminClient())
	ps := func(doc map[string]any) rawRequest {
		return jsonRequest("sso", "SWBExternalService.CreatePermissionSet", doc)
	}
	t.Run("pattern", func(t *testing.T) {
		refused(t, ps(map[string]any{"InstanceArn": instance, "Name": "has space"}), jsonError, "ValidationException", "name", false)
	})
	t.Run("pattern with lookahead (regexp2)", func(t *testing.T) {
		refused(t, ps(map[string]any{"InstanceArn": instance, "Name": "dur", "SessionDuration": "8 hours"}), jsonError, "ValidationException", "sessionDuration", false)
	})
	t.Run("required", func(t *testing.T) {
		refused(t, ps(map[string]any{"InstanceArn": instance}), jsonError, "ValidationException", "name", false)
	})
	t.Run("unknown member", func(t *testing.T) {
		refused(t, ps(map[string]any{"InstanceArn": instance, "Name": "u1", "Owner": "me"}), jsonError, "ValidationException", "owner", false)
	})
	t.Run("string type", func(t *testing.T) {
		refused(t, ps(map[string]any{"InstanceArn": instance, "Name": 7}), jsonError, "ValidationException", "name", false)
	})
	t.Run("nested length", func(t *testing.T) {
		refused(t, ps(map[string]any{"InstanceArn": instance, "Name": "t1", "Tags": []any{map[string]any{"Key": strings.Repeat("k", 129), "Value": "v"}}}),
			jsonError, "ValidationException", "tags.1.key", false)
	})
	t.Run("integer range (identitystore)", func(t *testing.T) {
		refused(t, jsonRequest("identitystore", "AWSIdentityStore.ListGroups", map[string]any{"IdentityStoreId": "d-0123456789", "MaxResults": 0}),
			jsonError, "ValidationException", "maxResults", true)
	})
	t.Run("identifier pattern moto accepts (identitystore)", func(t *testing.T) {
		refused(t, jsonRequest("identitystore", "AWSIdentityStore.ListGroups", map[string]any{"IdentityStoreId": "d-notastore"}),
			jsonError, "ValidationException", "identityStoreId", true)
	})
	t.Run("the SDK's request passes, and an invalid one is refused", func(t *testing.T) {
		ids := identityStoreClient()
		if _, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String("checked")}); err != nil {
			t.Fatal(err)
		}
		_, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String(strings.Repeat("g", 1025))})
		wantCode(t, err, "ValidationException")
		//nolint:staticcheck // SA1019: the deprecated Filters member is still in AWS's model, and an empty path breaks its length rule
		_, err = ids.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(store),
			Filters: []idstypes.Filter{{AttributePath: aws.String(""), AttributeValue: aws.String("x")}}})
		wantCode(t, err, "ValidationException")
	})
}

func TestModelCheckRESTJSONProtocol(t *testing.T) {
	fresh(t)
	const role = "arn:aws:iam::123456789012:role/scheduler"
	const target = "arn:aws:scheduler:::aws-sdk:ssoadmin:deleteAccountAssignment"
	schedule := func(name string, doc map[string]any) rawRequest {
		b, _ := json.Marshal(doc)
		return rawRequest{service: "scheduler", path: "/schedules/" + name, header: map[string]string{"Content-Type": "application/json"}, body: string(b)}
	}
	valid := func() map[string]any {
		return map[string]any{"ScheduleExpression": "at(2030-01-01T00:00:00)", "FlexibleTimeWindow": map[string]any{"Mode": "OFF"},
			"Target": map[string]any{"Arn": target, "RoleArn": role}}
	}
	t.Run("pattern in the URI", func(t *testing.T) {
		refused(t, schedule("has%20space", valid()), jsonError, "ValidationException", "name", true)
	})
	t.Run("required body member", func(t *testing.T) {
		doc := valid()
		delete(doc, "ScheduleExpression")
		refused(t, schedule("s1", doc), jsonError, "ValidationException", "scheduleExpression", false)
	})
	t.Run("nested enum", func(t *testing.T) {
		doc := valid()
		doc["FlexibleTimeWindow"] = map[string]any{"Mode": "SOMETIMES"}
		refused(t, schedule("s2", doc), jsonError, "ValidationException", "flexibleTimeWindow.mode", false)
	})
	t.Run("nested integer range", func(t *testing.T) {
		doc := valid()
		doc["FlexibleTimeWindow"] = map[string]any{"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 0}
		refused(t, schedule("s3", doc), jsonError, "ValidationException", "flexibleTimeWindow.maximumWindowInMinutes", false)
	})
	t.Run("unknown body member", func(t *testing.T) {
		doc := valid()
		doc["Owner"] = "me"
		refused(t, schedule("s4", doc), jsonError, "ValidationException", "owner", true)
	})
	t.Run("query-string member", func(t *testing.T) {
		refused(t, rawRequest{service: "scheduler", method: http.MethodGet, path: "/schedules/s5?groupName=" + strings.Repeat("g", 65)},
			jsonError, "ValidationException", "groupName", false)
	})
	t.Run("the SDK's request passes, and an invalid one is refused", func(t *testing.T) {
		client := scheduler.NewFromConfig(awsConfig(), func(o *scheduler.Options) { o.BaseEndpoint = aws.String(testFront.URL) })
		in := &scheduler.CreateScheduleInput{Name: aws.String("sdk-schedule"), ScheduleExpression: aws.String("at(2030-01-01T00:00:00)"),
			FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
			Target:             &schedtypes.Target{Arn: aws.String(target), RoleArn: aws.String(role)}}
		if _, err := client.CreateSchedule(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		in.Name = aws.String("sdk-schedule-2")
		in.FlexibleTimeWindow.Mode = "SOMETIMES"
		_, err := client.CreateSchedule(context.Background(), in)
		wantCode(t, err, "ValidationException")
	})
}

func TestModelCheckRefusesServicesWithoutModel(t *testing.T) {
	fresh(t)
	a := send(t, testFront.URL, formRequest("sqs", url.Values{"Action": {"ListQueues"}}))
	if code, msg := ec2Error(t, a); a.status != http.StatusBadRequest || code != "InvalidAction" || !strings.Contains(msg, `"sqs"`) {
		t.Fatalf("service without a model: %d %s %s", a.status, code, msg)
	}
}

func TestOperationsRecord(t *testing.T) {
	ctx, _, ctl := fresh(t)
	if err := testFront.Control().do(ctx, http.MethodDelete, "/operations", nil, nil); err != nil {
		t.Fatal(err)
	}
	cfg := awsConfig()
	cfg.AppID = ProviderAppID
	provider := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(testFront.URL) })
	if _, err := provider.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Fatal(err)
	}
	_, err := ec2Client("").DescribeVpcs(ctx, &ec2.DescribeVpcsInput{MaxResults: aws.Int32(1)})
	wantCode(t, err, "InvalidParameterValue")
	if _, err := ssoAdminClient().ListInstances(ctx, &ssoadmin.ListInstancesInput{}); err != nil {
		t.Fatal(err)
	}
	ops, err := ctl.Operations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]OperationRecord{}
	for _, op := range ops {
		byKey[op.Service+":"+op.Operation] = op
	}
	vpcs := byKey["ec2:DescribeVpcs"]
	if vpcs.Count != 2 || vpcs.Violations != 1 || !vpcs.FromProvider || vpcs.Model != "ec2" || len(vpcs.AppIDs) != 1 || vpcs.AppIDs[0] != ProviderAppID {
		t.Fatalf("DescribeVpcs record %+v", vpcs)
	}
	sso := byKey["sso:ListInstances"]
	if sso.Count != 1 || sso.Violations != 0 || sso.FromProvider || sso.Model != "sso-admin" {
		t.Fatalf("ListInstances record %+v", sso)
	}
	if len(ops) != 2 {
		t.Fatalf("want 2 operations recorded, got %+v", ops)
	}
}

func TestModelPatternsGoCannotCompile(t *testing.T) {
	failures := testModels.PatternFailures()
	for _, f := range failures {
		if !f.Fallback {
			t.Errorf("%s shape %s: pattern %q is not checked: %s", f.Service, f.Shape, f.Pattern, f.Err)
			continue
		}
		t.Logf("%s shape %s: pattern %q needs lookaround, checked with regexp2 (%s)", f.Service, f.Shape, f.Pattern, f.Err)
	}
	if len(failures) == 0 {
		t.Fatal("no pattern needs the fallback: sso-admin's Duration uses a lookahead, so the list is not being built")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
