package vafront

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idstypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/awsmodel"
)

// capturedAnswer is one JSON-protocol answer as the client received it.
type capturedAnswer struct {
	service, operation string
	status             int
	body               []byte
}

// capturingTransport keeps every answer the SDK receives.
type capturingTransport struct {
	service string
	mu      sync.Mutex
	answers []capturedAnswer
}

func (c *capturingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	target := r.Header.Get("X-Amz-Target")
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	c.mu.Lock()
	c.answers = append(c.answers, capturedAnswer{c.service, target[strings.LastIndexByte(target, '.')+1:], resp.StatusCode, body})
	c.mu.Unlock()
	return resp, nil
}

// outputViolations checks each successful answer against its operation's
// output shape in AWS's model.
func outputViolations(t *testing.T, answers []capturedAnswer) map[string][]awsmodel.Violation {
	t.Helper()
	out := map[string][]awsmodel.Violation{}
	for _, a := range answers {
		if a.status != http.StatusOK {
			continue
		}
		svc := testModels.Service(a.service)
		op := svc.Operations[a.operation]
		if op == nil {
			t.Fatalf("%s has no operation %s", a.service, a.operation)
		}
		if op.Output == nil {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(a.body))
		dec.UseNumber()
		var doc any
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%s:%s answer is not JSON: %v: %s", a.service, a.operation, err, a.body)
		}
		if vs := awsmodel.CheckJSON(op.Output, doc); len(vs) > 0 {
			out[a.service+":"+a.operation] = append(out[a.service+":"+a.operation], vs...)
		}
	}
	return out
}

// The Identity Center operations the provider calls answer identifiers
// that match the patterns of AWS's output shapes (and every other
// constraint of those shapes).
func TestIdentityCenterAnswersMatchAWSModels(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	ssoCapture := &capturingTransport{service: "sso"}
	idsCapture := &capturingTransport{service: "identitystore"}
	sso := ssoadmin.NewFromConfig(awsConfig(), func(o *ssoadmin.Options) {
		o.BaseEndpoint = aws.String(testFront.URL)
		o.HTTPClient = &http.Client{Transport: ssoCapture}
	})
	ids := identitystore.NewFromConfig(awsConfig(), func(o *identitystore.Options) {
		o.BaseEndpoint = aws.String(testFront.URL)
		o.HTTPClient = &http.Client{Transport: idsCapture}
	})
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	inst, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil || len(inst.Instances) == 0 {
		t.Fatalf("ListInstances: %v", err)
	}
	instance, store := inst.Instances[0].InstanceArn, inst.Instances[0].IdentityStoreId
	if vs := awsmodel.CheckJSON(identityStoreIDShape(t), aws.ToString(store)); len(vs) > 0 {
		t.Fatalf("identity store id is not in AWS's form: %s", awsmodel.Summary(vs))
	}
	created, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: instance, Name: aws.String("readers"),
		SessionDuration: aws.String("PT8H"), Tags: []ssotypes.Tag{{Key: aws.String("team"), Value: aws.String("sec")}}})
	if err != nil {
		t.Fatal(err)
	}
	ps := created.PermissionSet.PermissionSetArn
	if !strings.Contains(aws.ToString(ps), ":permissionSet/") {
		t.Fatalf("permission set ARN %q is not in AWS's form", aws.ToString(ps))
	}
	must(sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: instance, PermissionSetArn: ps}))
	must(sso.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: instance}))
	must(sso.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: instance, ResourceArn: ps}))
	must(sso.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: instance, PermissionSetArn: ps,
		InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))
	must(sso.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: instance, PermissionSetArn: ps}))
	must(sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: instance, PermissionSetArn: ps,
		ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	must(sso.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: instance, PermissionSetArn: ps}))

	group, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: store, DisplayName: aws.String("readers")})
	if err != nil {
		t.Fatal(err)
	}
	user, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: store, UserName: aws.String("ada"), DisplayName: aws.String("Ada"),
		Name: &idstypes.Name{GivenName: aws.String("Ada"), FamilyName: aws.String("Lovelace")}})
	if err != nil {
		t.Fatal(err)
	}
	member, err := ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: store, GroupId: group.GroupId,
		MemberId: &idstypes.MemberIdMemberUserId{Value: aws.ToString(user.UserId)}})
	if err != nil {
		t.Fatal(err)
	}
	must(ids.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: store, GroupId: group.GroupId}))
	must(ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: store, UserId: user.UserId}))
	must(ids.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: store}))
	must(ids.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: store, AlternateIdentifier: &idstypes.AlternateIdentifierMemberUniqueAttribute{
		Value: idstypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("readers")}}}))
	must(ids.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: store, AlternateIdentifier: &idstypes.AlternateIdentifierMemberUniqueAttribute{
		Value: idstypes.UniqueAttribute{AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("ada")}}}))
	must(ids.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: store, GroupId: group.GroupId,
		MemberId: &idstypes.MemberIdMemberUserId{Value: aws.ToString(user.UserId)}}))
	must(ids.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: store, GroupId: group.GroupId}))

	account := aws.String("123456789012")
	assign, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: instance, PermissionSetArn: ps,
		PrincipalId: group.GroupId, PrincipalType: ssotypes.PrincipalTypeGroup, TargetId: account, TargetType: ssotypes.TargetTypeAwsAccount})
	if err != nil {
		t.Fatal(err)
	}
	if assign.AccountAssignmentCreationStatus.RequestId != nil {
		must(sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: instance,
			AccountAssignmentCreationRequestId: assign.AccountAssignmentCreationStatus.RequestId}))
	}
	must(sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: instance, AccountId: account, PermissionSetArn: ps}))
	must(sso.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: instance, PermissionSetArn: ps}))
	must(sso.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: instance, PermissionSetArn: ps, TargetType: ssotypes.ProvisionTargetTypeAllProvisionedAccounts}))
	must(sso.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: instance, PermissionSetArn: ps,
		PrincipalId: group.GroupId, PrincipalType: ssotypes.PrincipalTypeGroup, TargetId: account, TargetType: ssotypes.TargetTypeAwsAccount}))
	must(ids.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: store, MembershipId: member.MembershipId}))
	must(ids.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: store, GroupId: group.GroupId}))
	must(sso.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: instance, PermissionSetArn: ps}))

	answers := append(append([]capturedAnswer(nil), ssoCapture.answers...), idsCapture.answers...)
	if len(answers) < 25 {
		t.Fatalf("only %d answers captured", len(answers))
	}
	for op, vs := range outputViolations(t, answers) {
		t.Errorf("%s answers what AWS's output shape forbids: %s", op, awsmodel.Summary(vs))
	}
}

// Without the front's translation the same check fails: moto's own answers
// break the output patterns, so the test above can fail.
func TestMotoIdentifiersBreakAWSModels(t *testing.T) {
	fresh(t)
	call := func(op string, doc any) capturedAnswer {
		a := send(t, testMoto.URL, jsonRequest("sso", "SWBExternalService."+op, doc))
		if a.status != http.StatusOK {
			t.Fatalf("moto %s: %d %s", op, a.status, a)
		}
		return capturedAnswer{"sso", op, a.status, a.body}
	}
	instances := call("ListInstances", map[string]any{})
	var list struct {
		Instances []struct{ InstanceArn, IdentityStoreId string }
	}
	if err := json.Unmarshal(instances.body, &list); err != nil || len(list.Instances) == 0 {
		t.Fatalf("ListInstances: %v %s", err, instances.body)
	}
	created := call("CreatePermissionSet", map[string]any{"InstanceArn": list.Instances[0].InstanceArn, "Name": "raw"})
	found := outputViolations(t, []capturedAnswer{instances, created})
	if !strings.Contains(awsmodel.Summary(found["sso:CreatePermissionSet"]), "permissionSet.permissionSetArn") {
		t.Fatalf("moto's permission-set ARN passes AWS's pattern: %s", created.body)
	}
	// sso-admin's own output shape allows any [a-zA-Z0-9-]*; Identity
	// Store's IdentityStoreId is AWS's form. moto's random letters can be
	// all hex by chance (once in ~10^5 runs): then there is nothing to show.
	if id := list.Instances[0].IdentityStoreId; !awsIdentityStoreID.MatchString(id) && len(awsmodel.CheckJSON(identityStoreIDShape(t), id)) == 0 {
		t.Fatalf("moto's identity store id %q passes AWS's pattern", id)
	}
}

func identityStoreIDShape(t *testing.T) *awsmodel.Shape {
	t.Helper()
	sh := testModels.Service("identitystore").Shape("IdentityStoreId")
	if sh == nil || sh.Pattern == "" {
		t.Fatal("identitystore model has no IdentityStoreId pattern")
	}
	return sh
}
