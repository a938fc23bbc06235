package awsapi

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Tag keys the provider writes on everything it creates, so ownership is
// explicit and visible in the console.
const (
	TagManagedBy   = "managed-by"
	ManagedByValue = model.ManagedBy
	TagSegment     = "zerotrust:segment"
	TagSensitivity = "zerotrust:sensitivity"
	// TagExclusive ("true") marks a segment whose owner refuses policies
	// and sets of other configurations over it.
	TagExclusive       = "zerotrust:exclusive"
	TagPolicy          = "zerotrust:policy"
	TagAdopted         = "zerotrust:adopted"
	securityGroupKind  = "security group"
	errGroupNotFound   = "InvalidGroup.NotFound"
	errGroupIDNotFound = "InvalidGroupId.NotFound"
	errGroupDuplicate  = "InvalidGroup.Duplicate"
	errRuleNotFound    = "InvalidSecurityGroupRuleId.NotFound"
	errPermNotFound    = "InvalidPermission.NotFound"
	errPermDuplicate   = "InvalidPermission.Duplicate"
	errDependency      = "DependencyViolation"
)

// SecurityGroup is the live state of a segment's group that the provider reads.
type SecurityGroup struct {
	ID, ARN, Name, Description, VPCID, OwnerID string
	Tags                                       map[string]string
	// Claimed is set by CreateSegmentGroup when the group is one an
	// interrupted create left pending, adopted instead of created: whatever
	// it holds was written by no create this state recorded.
	Claimed bool
}

// FindSecurityGroup reads one group; a missing group is a *NotFoundError.
func FindSecurityGroup(ctx context.Context, c *ec2.Client, id string) (*SecurityGroup, error) {
	rc := cacheOf(c)
	if g, ok := rc.group(id); ok {
		return g, nil
	}
	gen := rc.generation()
	out, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if hasCode(err, errGroupNotFound, errGroupIDNotFound) {
		return nil, &NotFoundError{Kind: securityGroupKind, ID: id, Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("describing security group %s: %w", id, err)
	}
	g, err := singleResult(securityGroupKind, id, out.SecurityGroups, func(g types.SecurityGroup) string { return aws.ToString(g.GroupId) })
	if err != nil {
		return nil, err
	}
	sg := fromSDKGroup(g)
	rc.keepGroups(gen, sg)
	return sg, nil
}

// FindSecurityGroupByName finds the group named name in VPC vpcID; a
// NotFoundError when there is none.
func FindSecurityGroupByName(ctx context.Context, c *ec2.Client, vpcID, name string) (*SecurityGroup, error) {
	out, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}},
		{Name: aws.String("group-name"), Values: []string{name}},
	}})
	if err != nil {
		return nil, fmt.Errorf("looking up security group %q in %s: %w", name, vpcID, err)
	}
	g, err := singleResult(securityGroupKind, vpcID+"/"+name, out.SecurityGroups, func(g types.SecurityGroup) string {
		return aws.ToString(g.VpcId) + "/" + aws.ToString(g.GroupName)
	})
	if err != nil {
		return nil, err
	}
	return fromSDKGroup(g), nil
}

func fromSDKGroup(g types.SecurityGroup) *SecurityGroup {
	sg := &SecurityGroup{
		ID:          aws.ToString(g.GroupId),
		ARN:         aws.ToString(g.SecurityGroupArn),
		Name:        aws.ToString(g.GroupName),
		Description: aws.ToString(g.Description),
		VPCID:       aws.ToString(g.VpcId),
		OwnerID:     aws.ToString(g.OwnerId),
		Tags:        tagMap(g.Tags),
	}
	return sg
}

// CreateSegmentGroupInput describes a group the provider creates for a segment.
type CreateSegmentGroupInput struct {
	Name, Description, VPCID string
	Tags                     map[string]string
}

// CreateSegmentGroup creates a security group with the given tags and revokes
// its default allow-all egress rule, so a new segment starts deny-all in both
// directions. When an earlier, interrupted apply already created the group
// (same name, our managed-by and segment tags), that group is taken over
// instead of failing, so a re-run converges without orphans.
func CreateSegmentGroup(ctx context.Context, c *ec2.Client, in CreateSegmentGroupInput) (*SecurityGroup, error) {
	out, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName:   aws.String(in.Name),
		Description: aws.String(in.Description),
		VpcId:       aws.String(in.VPCID),
		TagSpecifications: []types.TagSpecification{{
			ResourceType: types.ResourceTypeSecurityGroup,
			Tags:         sdkTags(in.Tags),
		}},
	})
	var id string
	claimed := false
	switch {
	case hasCode(err, errGroupDuplicate):
		existing, ferr := FindSecurityGroupByName(ctx, c, in.VPCID, in.Name)
		if ferr != nil {
			return nil, fmt.Errorf("creating security group %q: %w", in.Name, err)
		}
		switch {
		case existing.Tags[TagManagedBy] != ManagedByValue:
			return nil, fmt.Errorf("a security group named %q already exists in %s (%s) and is not managed by this provider; "+
				"adopt it with security_group_id = %q or choose another name", in.Name, in.VPCID, existing.ID, existing.ID)
		case !recoverable(existing.Tags):
			return nil, &OwnershipError{Kind: securityGroupKind, Name: in.Name, ID: existing.ID, Owner: existing.Tags[TagOwnership], Import: existing.ID}
		case existing.Tags[TagOwnership] != in.Tags[TagOwnership]:
			// Left by an interrupted create of an earlier run: claimed now,
			// so no other create adopts it too, and given this create's tags.
			if cerr := ClaimPending(ctx, c, existing.ID, in.Tags[TagOwnership]); cerr != nil {
				return nil, cerr
			}
			if terr := SetTags(ctx, c, existing.ID, existing.Tags, in.Tags, slices.Sorted(maps.Keys(existing.Tags))); terr != nil {
				return nil, terr
			}
		}
		id, claimed = existing.ID, true
	case err != nil:
		return nil, fmt.Errorf("creating security group %q: %w", in.Name, err)
	default:
		id = aws.ToString(out.GroupId)
	}
	// EC2 is eventually consistent: a new group may not be describable at once.
	var sg *SecurityGroup
	err = waitUntil(ctx, "security group "+id+" to exist", DefaultWait, func(ctx context.Context) (bool, error) {
		g, ferr := FindSecurityGroup(ctx, c, id)
		if IsNotFound(ferr) {
			return false, nil
		}
		sg = g
		return ferr == nil, ferr
	})
	if err != nil {
		return &SecurityGroup{ID: id}, err
	}
	if own := in.Tags[TagOwnership]; own != "" && sg.Tags[TagOwnership] != own {
		// Another create claimed the same pending group at the same moment.
		return nil, &OwnershipError{Kind: securityGroupKind, Name: in.Name, ID: id, Owner: sg.Tags[TagOwnership], Import: id}
	}
	if err := revokeDefaultEgress(ctx, c, id); err != nil {
		return sg, err
	}
	sg.Claimed = claimed
	return sg, nil
}

// revokeDefaultEgress removes the allow-all egress rule EC2 adds to new groups.
func revokeDefaultEgress(ctx context.Context, c *ec2.Client, id string) error {
	_, err := c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{
		GroupId: aws.String(id),
		IpPermissions: []types.IpPermission{{
			IpProtocol: aws.String("-1"),
			IpRanges:   []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
		}},
	})
	if err != nil && !hasCode(err, errPermNotFound) {
		return fmt.Errorf("revoking the default egress rule of %s: %w", id, err)
	}
	return nil
}

// DeleteSecurityGroup deletes a group, waiting out DependencyViolation while
// network interfaces or references detach; a missing group is success.
func DeleteSecurityGroup(ctx context.Context, c *ec2.Client, id string) error {
	return waitUntil(ctx, "security group "+id+" to be deletable", WaitOptions{Timeout: 5 * time.Minute, MinDelay: 500 * time.Millisecond, MaxDelay: 15 * time.Second}, func(ctx context.Context) (bool, error) {
		_, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
		switch {
		case err == nil, hasCode(err, errGroupNotFound, errGroupIDNotFound):
			return true, nil
		case hasCode(err, errDependency):
			return false, nil
		default:
			return false, fmt.Errorf("deleting security group %s: %w", id, err)
		}
	})
}

// SetTags makes the given keys of a resource's tags equal to want: keys in
// want are created or updated, keys in managedKeys but not in want removed.
// Tags outside managedKeys and want are never touched.
func SetTags(ctx context.Context, c *ec2.Client, resourceID string, have, want map[string]string, managedKeys []string) error {
	var put []types.Tag
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if v, ok := have[k]; !ok || v != want[k] {
			put = append(put, types.Tag{Key: aws.String(k), Value: aws.String(want[k])})
		}
	}
	var del []types.Tag
	for _, k := range managedKeys {
		if _, keep := want[k]; !keep {
			if _, ok := have[k]; ok {
				del = append(del, types.Tag{Key: aws.String(k)})
			}
		}
	}
	if len(put) > 0 {
		if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{resourceID}, Tags: put}); err != nil {
			return fmt.Errorf("tagging %s: %w", resourceID, err)
		}
	}
	if len(del) > 0 {
		if _, err := c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{resourceID}, Tags: del}); err != nil {
			return fmt.Errorf("untagging %s: %w", resourceID, err)
		}
	}
	return nil
}

func tagMap(tags []types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func sdkTags(m map[string]string) []types.Tag {
	out := make([]types.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// FindSecurityGroups reads several groups with one filtered, paginated
// DescribeSecurityGroups; groups that do not exist are simply absent from
// the result (a group-id filter, unlike GroupIds, does not fail on them).
func FindSecurityGroups(ctx context.Context, c *ec2.Client, ids []string) (map[string]*SecurityGroup, error) {
	out := map[string]*SecurityGroup{}
	rc := cacheOf(c)
	var missing []string
	for _, id := range ids {
		if g, ok := rc.group(id); ok {
			out[id] = g
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	gen := rc.generation()
	var found []*SecurityGroup
	p := ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{{Name: aws.String("group-id"), Values: missing}}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing security groups %v: %w", missing, err)
		}
		for _, g := range page.SecurityGroups {
			sg := fromSDKGroup(g)
			out[sg.ID] = sg
			found = append(found, sg)
		}
	}
	rc.keepGroups(gen, found...)
	return out, nil
}
