package vafront

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestTags(t *testing.T) {
	ctx, c, _ := fresh(t)
	inst := newInstance(t, c)
	grp := newGroup(t, c, inst)

	if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{
		Resources: []string{inst, grp},
		Tags:      []ec2types.Tag{{Key: aws.String("managed-by"), Value: aws.String("zerotrust")}, {Key: aws.String("owner"), Value: aws.String("")}},
	}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessGroupIds: []string{grp}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tagMap(d.VerifiedAccessGroups[0].Tags); got["managed-by"] != "zerotrust" || len(got) != 2 {
		t.Fatalf("group tags %v", got)
	}

	tags, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []ec2types.Filter{
		{Name: aws.String("resource-id"), Values: []string{inst, grp}},
		{Name: aws.String("key"), Values: []string{"managed-by"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 2 || aws.ToString(tags.Tags[0].ResourceId) != inst || tags.Tags[0].ResourceType != "verified-access-instance" ||
		aws.ToString(tags.Tags[1].ResourceId) != grp || tags.Tags[1].ResourceType != "verified-access-group" {
		t.Fatalf("describe tags %+v", tags.Tags)
	}
	byType, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []ec2types.Filter{
		{Name: aws.String("resource-type"), Values: []string{"verified-access-group"}},
	}})
	if err != nil || len(byType.Tags) != 2 {
		t.Fatalf("describe tags by type: %v %+v", err, byType)
	}

	// DeleteTags: a value that does not match keeps the tag; no value deletes it.
	if _, err := c.DeleteTags(ctx, &ec2.DeleteTagsInput{
		Resources: []string{grp},
		Tags:      []ec2types.Tag{{Key: aws.String("managed-by"), Value: aws.String("someone-else")}, {Key: aws.String("owner")}},
	}); err != nil {
		t.Fatal(err)
	}
	d, err = c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessGroupIds: []string{grp}})
	if err != nil {
		t.Fatal(err)
	}
	if got := tagMap(d.VerifiedAccessGroups[0].Tags); len(got) != 1 || got["managed-by"] != "zerotrust" {
		t.Fatalf("after delete %v", got)
	}
	if _, err := c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{grp}}); err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessGroupIds: []string{grp}})
	if len(d.VerifiedAccessGroups[0].Tags) != 0 {
		t.Fatalf("delete without tags left %v", d.VerifiedAccessGroups[0].Tags)
	}

	_, err = c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"vagr-0123456789abcdef0"}, Tags: []ec2types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	wantCode(t, err, "InvalidVerifiedAccessGroupId.NotFound")

	// A request naming a moto resource and a Verified Access object is split.
	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("mixed"), Description: aws.String("mixed tags")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{
		Resources: []string{aws.ToString(sg.GroupId), inst},
		Tags:      []ec2types.Tag{{Key: aws.String("zone"), Value: aws.String("payments")}},
	}); err != nil {
		t.Fatal(err)
	}
	direct := ec2Client(testMoto.URL)
	sgs, err := direct.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{aws.ToString(sg.GroupId)}})
	if err != nil {
		t.Fatal(err)
	}
	if tagMap(sgs.SecurityGroups[0].Tags)["zone"] != "payments" {
		t.Fatalf("moto did not get the security group tag: %+v", sgs.SecurityGroups[0].Tags)
	}
	in, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{inst}})
	if err != nil || tagMap(in.VerifiedAccessInstances[0].Tags)["zone"] != "payments" {
		t.Fatalf("instance tags after mixed CreateTags: %v %+v", err, in)
	}
	// DescribeTags about moto resources still reaches moto.
	motoTags, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{aws.ToString(sg.GroupId)}}}})
	if err != nil || len(motoTags.Tags) != 1 || aws.ToString(motoTags.Tags[0].Key) != "zone" {
		t.Fatalf("moto DescribeTags through the front: %v %+v", err, motoTags)
	}
}
