package vafront

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

// TestResetDropsAddedState checks the sandbox's own contract (not an AWS
// behaviour): POST /_sandbox/reset forgets what the front keeps beside moto
// — permission-set tags and boundaries, provisioning statuses, group
// overlays, rule descriptions — as moto's reset forgets the rest.
func TestResetDropsAddedState(t *testing.T) {
	ctx, e, ctl := fresh(t)
	c := ssoAdminClient()
	inst, store := ssoInstance(t, c)
	ps := newPermissionSet(t, c, inst, "Admins", tag("team", "platform"))
	if _, err := c.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps),
		PermissionsBoundary: &ssotypes.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps),
		TargetType: ssotypes.ProvisionTargetTypeAllProvisionedAccounts}); err != nil {
		t.Fatal(err)
	}
	ids := identityStoreClient()
	if err := updateGroup(ids, store, newIDGroup(t, ids, store, "eng", "engineers"), "description", "all engineers"); err != nil {
		t.Fatal(err)
	}
	a, b := newSecurityGroup(t, e, "a"), newSecurityGroup(t, e, "b")
	if _, err := e.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(a), IpPermissions: []ec2types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: aws.String(b)}}}}}); err != nil {
		t.Fatal(err)
	}
	var rule string
	for _, r := range groupRules(t, e, a) {
		if r.ReferencedGroupInfo != nil {
			rule = aws.ToString(r.SecurityGroupRuleId)
		}
	}
	if _, err := e.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: aws.String(a), SecurityGroupRules: []ec2types.SecurityGroupRuleUpdate{{
		SecurityGroupRuleId: aws.String(rule), SecurityGroupRule: &ec2types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80),
			ReferencedGroupId: aws.String(b), Description: aws.String("http")}}}}); err != nil {
		t.Fatal(err)
	}

	f := testFront.Front
	sizes := func() [5]int {
		f.mu.Lock()
		defer f.mu.Unlock()
		return [5]int{len(f.sso.tags), len(f.sso.boundaries), len(f.sso.provisioning), len(f.ids.groups), len(f.sgrDesc)}
	}
	if got := sizes(); got != [5]int{1, 1, 1, 1, 1} {
		t.Fatalf("state before reset (tags, boundaries, provisioning, groups, rule descriptions) = %v", got)
	}
	if err := ctl.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sizes(); got != [5]int{} {
		t.Fatalf("state after reset = %v", got)
	}
}
