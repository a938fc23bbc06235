package vafront

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

const allowEngineers = `permit(principal, action, resource)
when { context.idc.groups has "engineers" };
`

func newInstance(t *testing.T, c *ec2.Client) string {
	t.Helper()
	out, err := c.CreateVerifiedAccessInstance(t.Context(), &ec2.CreateVerifiedAccessInstanceInput{})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.VerifiedAccessInstance.VerifiedAccessInstanceId)
}

func TestGroupLifecycleAndPolicy(t *testing.T) {
	ctx, c, _ := fresh(t)
	inst := newInstance(t, c)
	inst2 := newInstance(t, c)

	created, err := c.CreateVerifiedAccessGroup(ctx, &ec2.CreateVerifiedAccessGroupInput{
		VerifiedAccessInstanceId: aws.String(inst),
		Description:              aws.String("payments"),
		PolicyDocument:           aws.String(allowEngineers),
		TagSpecifications:        tagSpec("verified-access-group", "surface", "payments"),
	})
	if err != nil {
		t.Fatal(err)
	}
	g := created.VerifiedAccessGroup
	gid := aws.ToString(g.VerifiedAccessGroupId)
	if !strings.HasPrefix(gid, "vagr-") || aws.ToString(g.VerifiedAccessInstanceId) != inst || aws.ToString(g.Owner) != "123456789012" ||
		aws.ToString(g.VerifiedAccessGroupArn) != "arn:aws:ec2:us-east-1:123456789012:verified-access-group/"+gid ||
		tagMap(g.Tags)["surface"] != "payments" {
		t.Fatalf("created group %+v", g)
	}

	pol, err := c.GetVerifiedAccessGroupPolicy(ctx, &ec2.GetVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: aws.String(gid)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(pol.PolicyEnabled) || aws.ToString(pol.PolicyDocument) != allowEngineers {
		t.Fatalf("policy %v %q", aws.ToBool(pol.PolicyEnabled), aws.ToString(pol.PolicyDocument))
	}

	// Disabling keeps the document; enabling again needs no document.
	off, err := c.ModifyVerifiedAccessGroupPolicy(ctx, &ec2.ModifyVerifiedAccessGroupPolicyInput{
		VerifiedAccessGroupId: aws.String(gid), PolicyEnabled: aws.Bool(false),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToBool(off.PolicyEnabled) || aws.ToString(off.PolicyDocument) != allowEngineers {
		t.Fatalf("disabled policy %v %q", aws.ToBool(off.PolicyEnabled), aws.ToString(off.PolicyDocument))
	}
	on, err := c.ModifyVerifiedAccessGroupPolicy(ctx, &ec2.ModifyVerifiedAccessGroupPolicyInput{
		VerifiedAccessGroupId: aws.String(gid), PolicyEnabled: aws.Bool(true),
	})
	if err != nil || !aws.ToBool(on.PolicyEnabled) || aws.ToString(on.PolicyDocument) != allowEngineers {
		t.Fatalf("re-enabled policy: %v %+v", err, on)
	}
	_, err = c.ModifyVerifiedAccessGroupPolicy(ctx, &ec2.ModifyVerifiedAccessGroupPolicyInput{
		VerifiedAccessGroupId: aws.String(gid), PolicyEnabled: aws.Bool(true), PolicyDocument: aws.String("permit(principal,"),
	})
	wantCode(t, err, "InvalidParameterValue")

	// A group created without a policy cannot be enabled without one.
	bare, err := c.CreateVerifiedAccessGroup(ctx, &ec2.CreateVerifiedAccessGroupInput{VerifiedAccessInstanceId: aws.String(inst)})
	if err != nil {
		t.Fatal(err)
	}
	bareID := bare.VerifiedAccessGroup.VerifiedAccessGroupId
	barePol, err := c.GetVerifiedAccessGroupPolicy(ctx, &ec2.GetVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: bareID})
	if err != nil || aws.ToBool(barePol.PolicyEnabled) || barePol.PolicyDocument != nil {
		t.Fatalf("bare group policy: %v %+v", err, barePol)
	}
	_, err = c.ModifyVerifiedAccessGroupPolicy(ctx, &ec2.ModifyVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: bareID, PolicyEnabled: aws.Bool(true)})
	wantCode(t, err, "InvalidParameterValue")

	// Modify: description and moving to another instance.
	mod, err := c.ModifyVerifiedAccessGroup(ctx, &ec2.ModifyVerifiedAccessGroupInput{
		VerifiedAccessGroupId: aws.String(gid), Description: aws.String("payments v2"), VerifiedAccessInstanceId: aws.String(inst2),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(mod.VerifiedAccessGroup.Description) != "payments v2" || aws.ToString(mod.VerifiedAccessGroup.VerifiedAccessInstanceId) != inst2 {
		t.Fatalf("modified group %+v", mod.VerifiedAccessGroup)
	}
	_, err = c.CreateVerifiedAccessGroup(ctx, &ec2.CreateVerifiedAccessGroupInput{VerifiedAccessInstanceId: aws.String("vai-0123456789abcdef0")})
	wantCode(t, err, "InvalidVerifiedAccessInstanceId.NotFound")

	// The instance-id parameter of DescribeVerifiedAccessGroups narrows the list.
	byInst, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessInstanceId: aws.String(inst)})
	if err != nil || len(byInst.VerifiedAccessGroups) != 1 || aws.ToString(byInst.VerifiedAccessGroups[0].VerifiedAccessGroupId) != aws.ToString(bareID) {
		t.Fatalf("groups of %s: %v %+v", inst, err, byInst)
	}

	// An instance with groups cannot be deleted.
	_, err = c.DeleteVerifiedAccessInstance(ctx, &ec2.DeleteVerifiedAccessInstanceInput{VerifiedAccessInstanceId: aws.String(inst2)})
	wantCode(t, err, "DependencyViolation")
	del, err := c.DeleteVerifiedAccessGroup(ctx, &ec2.DeleteVerifiedAccessGroupInput{VerifiedAccessGroupId: aws.String(gid)})
	if err != nil || aws.ToString(del.VerifiedAccessGroup.DeletionTime) == "" {
		t.Fatalf("delete group: %v %+v", err, del)
	}
	_, err = c.GetVerifiedAccessGroupPolicy(ctx, &ec2.GetVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: aws.String(gid)})
	wantCode(t, err, "InvalidVerifiedAccessGroupId.NotFound")
	_, err = c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessGroupIds: []string{gid}})
	wantCode(t, err, "InvalidVerifiedAccessGroupId.NotFound")
	if _, err := c.DeleteVerifiedAccessInstance(ctx, &ec2.DeleteVerifiedAccessInstanceInput{VerifiedAccessInstanceId: aws.String(inst2)}); err != nil {
		t.Fatal(err)
	}
}

func TestPagination(t *testing.T) {
	ctx, c, _ := fresh(t)
	inst := newInstance(t, c)
	var want []string
	for i := range 12 {
		out, err := c.CreateVerifiedAccessGroup(ctx, &ec2.CreateVerifiedAccessGroupInput{
			VerifiedAccessInstanceId: aws.String(inst), Description: aws.String(fmt.Sprintf("g%02d", i)),
		})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, aws.ToString(out.VerifiedAccessGroup.VerifiedAccessGroupId))
	}
	var got []string
	var pages []int
	p := ec2.NewDescribeVerifiedAccessGroupsPaginator(c, &ec2.DescribeVerifiedAccessGroupsInput{MaxResults: aws.Int32(5)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, len(page.VerifiedAccessGroups))
		for _, g := range page.VerifiedAccessGroups {
			got = append(got, aws.ToString(g.VerifiedAccessGroupId))
		}
	}
	if fmt.Sprint(pages) != "[5 5 2]" || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("pages %v; got %v want %v", pages, got, want)
	}

	// Filters apply before paging.
	filtered, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{
		MaxResults: aws.Int32(5),
		Filters:    []ec2types.Filter{{Name: aws.String("description"), Values: []string{"g1*"}}},
	})
	if err != nil || len(filtered.VerifiedAccessGroups) != 2 || filtered.NextToken != nil {
		t.Fatalf("filtered page: %v %+v", err, filtered)
	}

	_, err = c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{MaxResults: aws.Int32(2)})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{NextToken: aws.String("garbage")})
	wantCode(t, err, "InvalidParameterValue")
}
