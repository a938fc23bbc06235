package vafront

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
)

func ssoAdminClient() *ssoadmin.Client {
	return ssoadmin.NewFromConfig(awsConfig(), func(o *ssoadmin.Options) {
		o.BaseEndpoint = aws.String(testFront.URL)
	})
}

// ssoInstance returns the ARN and identity-store ID of moto's instance.
func ssoInstance(t *testing.T, c *ssoadmin.Client) (string, string) {
	t.Helper()
	out, err := c.ListInstances(context.Background(), &ssoadmin.ListInstancesInput{})
	if err != nil || len(out.Instances) == 0 {
		t.Fatalf("ListInstances: %v %+v", err, out)
	}
	return aws.ToString(out.Instances[0].InstanceArn), aws.ToString(out.Instances[0].IdentityStoreId)
}

func newPermissionSet(t *testing.T, c *ssoadmin.Client, inst, name string, tags ...ssotypes.Tag) string {
	t.Helper()
	out, err := c.CreatePermissionSet(context.Background(), &ssoadmin.CreatePermissionSetInput{
		InstanceArn: aws.String(inst), Name: aws.String(name), SessionDuration: aws.String("PT2H"), Tags: tags,
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.PermissionSet.PermissionSetArn)
}

func ssoTags(t *testing.T, c *ssoadmin.Client, inst, ps string) map[string]string {
	t.Helper()
	out, err := c.ListTagsForResource(context.Background(), &ssoadmin.ListTagsForResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(ps)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, tg := range out.Tags {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

func tag(k, v string) ssotypes.Tag { return ssotypes.Tag{Key: aws.String(k), Value: aws.String(v)} }

// TestPermissionSetTags checks SSO Admin tagging of permission sets
// (SSO Admin API reference: CreatePermissionSet Tags, TagResource,
// UntagResource, ListTagsForResource): the Tags given at creation are
// listed, TagResource adds and overwrites, UntagResource removes, an
// unknown permission set is ResourceNotFoundException, a malformed tag is
// ValidationException, more than 50 tags is ServiceQuotaExceededException.
func TestPermissionSetTags(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	c := ssoAdminClient()
	inst, _ := ssoInstance(t, c)
	ps := newPermissionSet(t, c, inst, "Admins", tag("team", "platform"), tag("env", "prod"))
	other := newPermissionSet(t, c, inst, "Readers")

	if got := ssoTags(t, c, inst, ps); len(got) != 2 || got["team"] != "platform" || got["env"] != "prod" {
		t.Fatalf("tags after create %v", got)
	}
	if got := ssoTags(t, c, inst, other); len(got) != 0 {
		t.Fatalf("untagged permission set has %v", got)
	}
	if _, err := c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(ps),
		Tags: []ssotypes.Tag{tag("env", "staging"), tag("owner", "")}}); err != nil {
		t.Fatal(err)
	}
	if got := ssoTags(t, c, inst, ps); len(got) != 3 || got["env"] != "staging" || got["owner"] != "" || got["team"] != "platform" {
		t.Fatalf("tags after TagResource %v", got)
	}
	if _, err := c.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(ps),
		TagKeys: []string{"team", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if got := ssoTags(t, c, inst, ps); len(got) != 2 || got["env"] != "staging" {
		t.Fatalf("tags after UntagResource %v", got)
	}
	if got := ssoTags(t, c, inst, other); len(got) != 0 {
		t.Fatalf("tagging one permission set tagged another: %v", got)
	}

	_, err := c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(ps),
		Tags: []ssotypes.Tag{tag("bad#key", "x")}})
	wantCode(t, err, "ValidationException")
	_, err = c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(ps),
		Tags: []ssotypes.Tag{tag("aws:reserved", "x")}})
	wantCode(t, err, "ValidationException")
	var many []ssotypes.Tag
	for i := range 49 {
		many = append(many, tag("k"+string(rune('A'+i%26))+string(rune('a'+i/26)), "v"))
	}
	_, err = c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(ps), Tags: many})
	wantCode(t, err, "ServiceQuotaExceededException")
	if got := ssoTags(t, c, inst, ps); len(got) != 2 {
		t.Fatalf("a refused TagResource changed the tags: %v", got)
	}

	missing := ps[:len(ps)-4] + "zzzz"
	_, err = c.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(missing)})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(missing), Tags: []ssotypes.Tag{tag("a", "b")}})
	wantCode(t, err, "ResourceNotFoundException")

	// Deleting the permission set deletes its tags with it.
	if _, err := c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: aws.String(inst), ResourceArn: aws.String(ps)})
	wantCode(t, err, "ResourceNotFoundException")
	testFront.Front.mu.Lock()
	left := len(testFront.Front.sso.tags[psKey{inst, ps}])
	testFront.Front.mu.Unlock()
	if left != 0 {
		t.Fatalf("the front kept %d tags of a deleted permission set", left)
	}
}

// TestPermissionsBoundary checks PutPermissionsBoundaryToPermissionSet,
// GetPermissionsBoundaryForPermissionSet and
// DeletePermissionsBoundaryFromPermissionSet (SSO Admin API reference):
// Get without a boundary is ResourceNotFoundException, Put sets or
// replaces an AWS managed policy ARN or a customer managed policy reference
// (exactly one, else ValidationException), Delete removes it.
func TestPermissionsBoundary(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	c := ssoAdminClient()
	inst, _ := ssoInstance(t, c)
	ps := newPermissionSet(t, c, inst, "Developers")
	other := newPermissionSet(t, c, inst, "Auditors")
	get := func(ps string) (*ssotypes.PermissionsBoundary, error) {
		out, err := c.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)})
		if err != nil {
			return nil, err
		}
		return out.PermissionsBoundary, nil
	}
	put := func(b ssotypes.PermissionsBoundary) error {
		_, err := c.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{
			InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps), PermissionsBoundary: &b})
		return err
	}

	_, err := get(ps)
	wantCode(t, err, "ResourceNotFoundException")

	const managed = "arn:aws:iam::aws:policy/PowerUserAccess"
	if err := put(ssotypes.PermissionsBoundary{ManagedPolicyArn: aws.String(managed)}); err != nil {
		t.Fatal(err)
	}
	b, err := get(ps)
	if err != nil || aws.ToString(b.ManagedPolicyArn) != managed || b.CustomerManagedPolicyReference != nil {
		t.Fatalf("boundary after put: %v %+v", err, b)
	}
	_, err = get(other)
	wantCode(t, err, "ResourceNotFoundException")

	// A customer managed policy replaces it; Path defaults to "/".
	if err := put(ssotypes.PermissionsBoundary{CustomerManagedPolicyReference: &ssotypes.CustomerManagedPolicyReference{Name: aws.String("dev-boundary")}}); err != nil {
		t.Fatal(err)
	}
	b, err = get(ps)
	if err != nil || b.ManagedPolicyArn != nil || b.CustomerManagedPolicyReference == nil ||
		aws.ToString(b.CustomerManagedPolicyReference.Name) != "dev-boundary" || aws.ToString(b.CustomerManagedPolicyReference.Path) != "/" {
		t.Fatalf("boundary after replace: %v %+v", err, b)
	}

	wantCode(t, put(ssotypes.PermissionsBoundary{ManagedPolicyArn: aws.String(managed),
		CustomerManagedPolicyReference: &ssotypes.CustomerManagedPolicyReference{Name: aws.String("x")}}), "ValidationException")
	wantCode(t, put(ssotypes.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::123456789012:policy/mine")}), "ValidationException")
	wantCode(t, put(ssotypes.PermissionsBoundary{CustomerManagedPolicyReference: &ssotypes.CustomerManagedPolicyReference{
		Name: aws.String("x"), Path: aws.String("no-slashes")}}), "ValidationException")
	if b, err := get(ps); err != nil || aws.ToString(b.CustomerManagedPolicyReference.Name) != "dev-boundary" {
		t.Fatalf("a refused put changed the boundary: %v %+v", err, b)
	}

	del := func(ps string) error {
		_, err := c.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps)})
		return err
	}
	if err := del(ps); err != nil {
		t.Fatal(err)
	}
	_, err = get(ps)
	wantCode(t, err, "ResourceNotFoundException")

	missing := ps[:len(ps)-4] + "zzzz"
	wantCode(t, del(missing), "ResourceNotFoundException")
	_, err = c.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: aws.String(inst),
		PermissionSetArn: aws.String(missing), PermissionsBoundary: &ssotypes.PermissionsBoundary{ManagedPolicyArn: aws.String(managed)}})
	wantCode(t, err, "ResourceNotFoundException")
}

// TestPermissionSetProvisioningStatus checks that
// DescribePermissionSetProvisioningStatus (SSO Admin API reference)
// answers the status of a request ProvisionPermissionSet started, and
// ResourceNotFoundException for an unknown request ID.
func TestPermissionSetProvisioningStatus(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	c := ssoAdminClient()
	inst, _ := ssoInstance(t, c)
	ps := newPermissionSet(t, c, inst, "Operators")
	prov, err := c.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(ps),
		TargetType: ssotypes.ProvisionTargetTypeAllProvisionedAccounts})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(prov.PermissionSetProvisioningStatus.RequestId)
	if id == "" {
		t.Fatalf("no request id: %+v", prov.PermissionSetProvisioningStatus)
	}
	st, err := c.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{
		InstanceArn: aws.String(inst), ProvisionPermissionSetRequestId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	s := st.PermissionSetProvisioningStatus
	if s.Status != ssotypes.StatusValuesSucceeded || aws.ToString(s.PermissionSetArn) != ps || aws.ToString(s.RequestId) != id {
		t.Fatalf("provisioning status %+v", s)
	}
	_, err = c.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{
		InstanceArn: aws.String(inst), ProvisionPermissionSetRequestId: aws.String("00000000-0000-0000-0000-000000000000")})
	wantCode(t, err, "ResourceNotFoundException")
}

// TestUpdatePermissionSetKeepsOmittedMembers checks UpdatePermissionSet
// (SSO Admin API reference) changes only the members it names, and that
// CreatePermissionSet without SessionDuration reads back the documented
// default PT1H (moto resets omitted members and stores a number the SDK
// cannot decode).
func TestUpdatePermissionSetKeepsOmittedMembers(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	c := ssoAdminClient()
	inst, _ := ssoInstance(t, c)
	out, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("Billing"),
		Description: aws.String("billing access"), SessionDuration: aws.String("PT4H"), RelayState: aws.String("https://console.aws.amazon.com/billing")})
	if err != nil {
		t.Fatal(err)
	}
	ps := out.PermissionSet.PermissionSetArn
	if _, err := c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: ps,
		Description: aws.String("billing read access")}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: ps})
	if err != nil {
		t.Fatal(err)
	}
	if p := d.PermissionSet; aws.ToString(p.Description) != "billing read access" || aws.ToString(p.SessionDuration) != "PT4H" ||
		aws.ToString(p.RelayState) != "https://console.aws.amazon.com/billing" {
		t.Fatalf("after update: %+v", p)
	}

	plain, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("Plain")})
	if err != nil {
		t.Fatal(err)
	}
	d, err = c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: plain.PermissionSet.PermissionSetArn})
	if err != nil || aws.ToString(d.PermissionSet.SessionDuration) != "PT1H" {
		t.Fatalf("default session duration: %v %+v", err, d)
	}
}

// TestPermissionSetNameConflict checks that CreatePermissionSet refuses a
// name the instance already has with ConflictException (SSO Admin API
// reference, CreatePermissionSet errors); moto accepts duplicate names.
func TestPermissionSetNameConflict(t *testing.T) {
	fresh(t)
	ctx := context.Background()
	c := ssoAdminClient()
	inst, _ := ssoInstance(t, c)
	first := newPermissionSet(t, c, inst, "Admins")
	_, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(inst), Name: aws.String("Admins"), SessionDuration: aws.String("PT1H")})
	wantCode(t, err, "ConflictException")
	list, err := c.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(inst)})
	if err != nil || len(list.PermissionSets) != 1 || list.PermissionSets[0] != first {
		t.Fatalf("permission sets after the refused create: %v %v", err, list)
	}
	// Once deleted, the name is free again.
	if _, err := c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: aws.String(inst), PermissionSetArn: aws.String(first)}); err != nil {
		t.Fatal(err)
	}
	newPermissionSet(t, c, inst, "Admins")
}
