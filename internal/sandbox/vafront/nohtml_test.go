package vafront

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

// htmlRecorder is an http.RoundTripper that notes every answer that is an
// emulator's "not implemented" page: HTTP 500 with an HTML body.
type htmlRecorder struct {
	mu   sync.Mutex
	seen map[string]bool   // operations answered at all
	html map[string]string // operation → start of the HTML page
}

func (h *htmlRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	op := req.Header.Get("X-Amz-Target")
	if op == "" && req.Body != nil {
		raw, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(raw))
		if v, err := url.ParseQuery(string(raw)); err == nil {
			op = v.Get("Action")
		}
	}
	op = op[strings.LastIndexByte(op, '.')+1:]
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seen[op] = true
	if isHTMLServerError(resp.StatusCode, resp.Header.Get("Content-Type"), body) {
		h.html[op] = string(body[:min(len(body), 120)])
	}
	return resp, nil
}

func isHTMLServerError(status int, contentType string, body []byte) bool {
	if status < 500 {
		return false
	}
	head := strings.ToLower(strings.TrimSpace(string(body[:min(len(body), 64)])))
	return strings.Contains(contentType, "html") || strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html")
}

// TestNoOperationAnswersHTML sends every operation the provider calls, with
// minimal valid inputs, through the front with the real SDK clients (one
// attempt, no retries) and checks that none is answered by an HTTP 500 HTML
// page — the answer moto gives for actions it does not implement, which a
// real AWS endpoint never gives. Each call must also succeed: the inputs
// name objects created earlier in the sequence.
func TestNoOperationAnswersHTML(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	rec := &htmlRecorder{seen: map[string]bool{}, html: map[string]string{}}
	cfg := awsConfig()
	cfg.HTTPClient = &http.Client{Transport: rec}
	cfg.RetryMaxAttempts = 1
	e := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.BaseEndpoint = aws.String(testFront.URL) })
	s := ssoadmin.NewFromConfig(cfg, func(o *ssoadmin.Options) { o.BaseEndpoint = aws.String(testFront.URL) })
	ids := identitystore.NewFromConfig(cfg, func(o *identitystore.Options) { o.BaseEndpoint = aws.String(testFront.URL) })

	var (
		vpc, sgA, sgB, ingressRule, egressRule string
		inst, store, ps, provisionID           string
		group, user, membership                string
		createReq, deleteReq                   string
	)
	const account = "123456789012"
	target := func() *ssoadmin.CreateAccountAssignmentInput {
		return &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps),
			TargetId: aws.String(account), TargetType: ssotypes.TargetTypeAwsAccount, PrincipalType: ssotypes.PrincipalTypeGroup, PrincipalId: aws.String(group)}
	}
	steps := []struct {
		op   string
		call func() error
	}{
		// EC2 (moto)
		{"CreateVpc", func() error {
			out, err := e.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
			if err == nil {
				vpc = aws.ToString(out.Vpc.VpcId)
			}
			return err
		}},
		{"CreateSecurityGroup", func() error {
			a, err := e.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("app"), Description: aws.String("app"), VpcId: aws.String(vpc)})
			if err != nil {
				return err
			}
			b, err := e.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("lb"), Description: aws.String("lb"), VpcId: aws.String(vpc)})
			if err == nil {
				sgA, sgB = aws.ToString(a.GroupId), aws.ToString(b.GroupId)
			}
			return err
		}},
		{"AuthorizeSecurityGroupIngress", func() error {
			_, err := e.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sgA), IpPermissions: []ec2types.IpPermission{{
				IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
				UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(sgB), Description: aws.String("https")}}}}})
			return err
		}},
		{"AuthorizeSecurityGroupEgress", func() error {
			_, err := e.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(sgA), IpPermissions: []ec2types.IpPermission{{
				IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
				IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.30.0.0/16")}}}}})
			return err
		}},
		{"DescribeSecurityGroupRules", func() error {
			out, err := e.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{sgA}}}})
			if err != nil {
				return err
			}
			for _, r := range out.SecurityGroupRules {
				switch {
				case r.ReferencedGroupInfo != nil:
					ingressRule = aws.ToString(r.SecurityGroupRuleId)
				case aws.ToString(r.CidrIpv4) == "10.30.0.0/16":
					egressRule = aws.ToString(r.SecurityGroupRuleId)
				}
			}
			return nil
		}},
		{"ModifySecurityGroupRules", func() error {
			_, err := e.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: aws.String(sgA), SecurityGroupRules: []ec2types.SecurityGroupRuleUpdate{{
				SecurityGroupRuleId: aws.String(ingressRule), SecurityGroupRule: &ec2types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"),
					FromPort: aws.Int32(443), ToPort: aws.Int32(443), ReferencedGroupId: aws.String(sgB), Description: aws.String("https v2")}}}})
			return err
		}},
		{"DescribeSecurityGroups", func() error {
			_, err := e.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{sgA}})
			return err
		}},
		{"CreateTags", func() error {
			_, err := e.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{sgA}, Tags: []ec2types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}},
		{"DeleteTags", func() error {
			_, err := e.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{sgA}, Tags: []ec2types.Tag{{Key: aws.String("k")}}})
			return err
		}},
		{"RevokeSecurityGroupIngress", func() error {
			_, err := e.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(sgA), SecurityGroupRuleIds: []string{ingressRule}})
			return err
		}},
		{"RevokeSecurityGroupEgress", func() error {
			_, err := e.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(sgA), SecurityGroupRuleIds: []string{egressRule}})
			return err
		}},
		{"DeleteSecurityGroup", func() error {
			_, err := e.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(sgA)})
			return err
		}},

		// SSO Admin
		{"ListInstances", func() error {
			out, err := s.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
			if err == nil && len(out.Instances) > 0 {
				inst, store = aws.ToString(out.Instances[0].InstanceArn), aws.ToString(out.Instances[0].IdentityStoreId)
			}
			return err
		}},
		{"CreatePermissionSet", func() error {
			out, err := s.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("Admins"),
				SessionDuration: aws.String("PT1H"), Tags: []ssotypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
			if err == nil {
				ps = aws.ToString(out.PermissionSet.PermissionSetArn)
			}
			return err
		}},
		{"DescribePermissionSet", func() error {
			_, err := s.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)})
			return err
		}},
		{"UpdatePermissionSet", func() error {
			_, err := s.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps), Description: aws.String("admins")})
			return err
		}},
		{"TagResource", func() error {
			_, err := s.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(ps), Tags: []ssotypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
			return err
		}},
		{"ListTagsForResource", func() error {
			_, err := s.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(ps)})
			return err
		}},
		{"PutInlinePolicyToPermissionSet", func() error {
			_, err := s.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps),
				InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)})
			return err
		}},
		{"GetInlinePolicyForPermissionSet", func() error {
			_, err := s.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)})
			return err
		}},
		{"DeleteInlinePolicyFromPermissionSet", func() error {
			_, err := s.DeleteInlinePolicyFromPermissionSet(ctx, &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)})
			return err
		}},
		{"AttachManagedPolicyToPermissionSet", func() error {
			_, err := s.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps),
				ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}},
		{"ListManagedPoliciesInPermissionSet", func() error {
			_, err := s.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)})
			return err
		}},
		{"DetachManagedPolicyFromPermissionSet", func() error {
			_, err := s.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps),
				ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}},
		{"AttachCustomerManagedPolicyReferenceToPermissionSet", func() error {
			_, err := s.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{InstanceArn: aws.String(inst),
				PermissionSetArn: aws.String(ps), CustomerManagedPolicyReference: &ssotypes.CustomerManagedPolicyReference{Name: aws.String("app-access"), Path: aws.String("/")}})
			return err
		}},
		{"ListCustomerManagedPolicyReferencesInPermissionSet", func() error {
			_, err := s.ListCustomerManagedPolicyReferencesInPermissionSet(ctx, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)})
			return err
		}},
		{"DetachCustomerManagedPolicyReferenceFromPermissionSet", func() error {
			_, err := s.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{InstanceArn: aws.String(inst),
				PermissionSetArn: aws.String(ps), CustomerManagedPolicyReference: &ssotypes.CustomerManagedPolicyReference{Name: aws.String("app-access"), Path: aws.String("/")}})
			return err
		}},
		{"PutPermissionsBoundaryToPermissionSet", func() error {
			_, err := s.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps),
				PermissionsBoundary: &ssotypes.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}})
			return err
		}},
		{"GetPermissionsBoundaryForPermissionSet", func() error {
			_, err := s.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)})
			return err
		}},
		{"DeletePermissionsBoundaryFromPermissionSet", func() error {
			_, err := s.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)})
			return err
		}},
		{"ProvisionPermissionSet", func() error {
			out, err := s.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps),
				TargetType: ssotypes.ProvisionTargetTypeAwsAccount, TargetId: aws.String(account)})
			if err == nil {
				provisionID = aws.ToString(out.PermissionSetProvisioningStatus.RequestId)
			}
			return err
		}},
		{"DescribePermissionSetProvisioningStatus", func() error {
			_, err := s.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: aws.String(inst), ProvisionPermissionSetRequestId: aws.String(provisionID)})
			return err
		}},

		// Identity Store
		{"CreateGroup", func() error {
			out, err := ids.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String("engineers")})
			if err == nil {
				group = aws.ToString(out.GroupId)
			}
			return err
		}},
		{"DescribeGroup", func() error {
			_, err := ids.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(group)})
			return err
		}},
		{"UpdateGroup", func() error {
			_, err := ids.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(group),
				Operations: []idtypes.AttributeOperation{{AttributePath: aws.String("description"), AttributeValue: document.NewLazyDocument("all engineers")}}})
			return err
		}},
		{"GetGroupId", func() error {
			_, err := ids.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: aws.String(store), AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{
				Value: idtypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("engineers")}}})
			return err
		}},
		{"CreateUser", func() error {
			out, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: aws.String(store), UserName: aws.String("alice"), DisplayName: aws.String("Alice"),
				Name: &idtypes.Name{GivenName: aws.String("Alice"), FamilyName: aws.String("Example")}})
			if err == nil {
				user = aws.ToString(out.UserId)
			}
			return err
		}},
		{"DescribeUser", func() error {
			_, err := ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(store), UserId: aws.String(user)})
			return err
		}},
		{"GetUserId", func() error {
			_, err := ids.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(store), AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{
				Value: idtypes.UniqueAttribute{AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("alice")}}})
			return err
		}},
		{"CreateGroupMembership", func() error {
			out, err := ids.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(store), GroupId: aws.String(group),
				MemberId: &idtypes.MemberIdMemberUserId{Value: user}})
			if err == nil {
				membership = aws.ToString(out.MembershipId)
			}
			return err
		}},
		{"GetGroupMembershipId", func() error {
			_, err := ids.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: aws.String(store), GroupId: aws.String(group),
				MemberId: &idtypes.MemberIdMemberUserId{Value: user}})
			return err
		}},
		{"ListGroupMemberships", func() error {
			_, err := ids.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: aws.String(store), GroupId: aws.String(group)})
			return err
		}},
		{"DeleteGroupMembership", func() error {
			_, err := ids.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: aws.String(store), MembershipId: aws.String(membership)})
			return err
		}},

		// Account assignments, then clean-up.
		{"CreateAccountAssignment", func() error {
			out, err := s.CreateAccountAssignment(ctx, target())
			if err == nil {
				createReq = aws.ToString(out.AccountAssignmentCreationStatus.RequestId)
			}
			return err
		}},
		{"DescribeAccountAssignmentCreationStatus", func() error {
			_, err := s.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: aws.String(inst), AccountAssignmentCreationRequestId: aws.String(createReq)})
			return err
		}},
		{"ListAccountAssignments", func() error {
			_, err := s.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps), AccountId: aws.String(account)})
			return err
		}},
		{"DeleteAccountAssignment", func() error {
			in := target()
			out, err := s.DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: in.InstanceArn, PermissionSetArn: in.PermissionSetArn,
				TargetId: in.TargetId, TargetType: in.TargetType, PrincipalType: in.PrincipalType, PrincipalId: in.PrincipalId})
			if err == nil {
				deleteReq = aws.ToString(out.AccountAssignmentDeletionStatus.RequestId)
			}
			return err
		}},
		{"DescribeAccountAssignmentDeletionStatus", func() error {
			_, err := s.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: aws.String(inst), AccountAssignmentDeletionRequestId: aws.String(deleteReq)})
			return err
		}},
		{"DeletePermissionSet", func() error {
			_, err := s.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)})
			return err
		}},
		{"DeleteGroup", func() error {
			_, err := ids.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: aws.String(store), GroupId: aws.String(group)})
			return err
		}},
	}
	for _, st := range steps {
		if err := st.call(); err != nil {
			t.Errorf("%s: %v", st.op, err)
		}
	}
	rec.mu.Lock()
	for _, st := range steps {
		if !rec.seen[st.op] {
			t.Errorf("%s: no request reached the front", st.op)
		}
	}
	for op, page := range rec.html {
		t.Errorf("%s answered HTTP 500 HTML: %q", op, page)
	}
	rec.mu.Unlock()

	// Every Verified Access action of the EC2 API, even without parameters,
	// gets an EC2 XML answer from the front, never moto's HTML page.
	for i := range reflect.TypeOf(e).NumMethod() {
		name := reflect.TypeOf(e).Method(i).Name
		if !strings.Contains(name, "VerifiedAccess") {
			continue
		}
		status, body := rawEC2(t, url.Values{"Action": {name}})
		if isHTMLServerError(status, "", body) || !strings.Contains(string(body), "<?xml") {
			t.Errorf("%s: HTTP %d %.120s", name, status, body)
		}
	}
}
