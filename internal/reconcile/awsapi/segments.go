package awsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Tags that record a segment's Kubernetes placement on its security group.
// Segment policies read the governed segment and its peers at plan time (one
// DescribeSecurityGroups, as they do for sensitivity), so the placement
// travels with the segment id and needs no other registry.
const (
	TagK8sNamespace      = "zerotrust:k8s-namespace"
	TagK8sPodLabels      = "zerotrust:k8s-pod-labels"
	TagK8sServiceAccount = "zerotrust:k8s-service-account"
	// TagK8sDNS is "deny" when the segment's pods get no DNS egress.
	TagK8sDNS = "zerotrust:k8s-dns"
	// MaxTagValue is EC2's limit on a tag value, in characters.
	MaxTagValue = 256
)

// SegmentTags are the tags that record a segment on its security group:
// ownership, name, sensitivity and Kubernetes placement. User tags are
// merged in by the caller; these win.
func SegmentTags(s model.Segment) map[string]string {
	tags := map[string]string{
		TagManagedBy:   ManagedByValue,
		TagSegment:     s.Name,
		TagSensitivity: s.Sensitivity,
	}
	if tags[TagSensitivity] == "" {
		tags[TagSensitivity] = model.DefaultSensitivity
	}
	if s.Exclusive {
		tags[TagExclusive] = "true"
	}
	for k, v := range KubernetesTags(s.Kubernetes) {
		tags[k] = v
	}
	return tags
}

// KubernetesTags returns the tags recording a placement (none when nil).
func KubernetesTags(sel *model.KubernetesSelector) map[string]string {
	if sel == nil {
		return map[string]string{}
	}
	tags := map[string]string{
		TagK8sNamespace: sel.Namespace,
		TagK8sPodLabels: EncodePodLabels(sel.PodLabels),
	}
	if sel.ServiceAccount != "" {
		tags[TagK8sServiceAccount] = sel.ServiceAccount
	}
	if sel.DenyDNS {
		tags[TagK8sDNS] = "deny"
	}
	return tags
}

// EncodePodLabels is the pod-label tag value: canonical JSON (sorted keys).
func EncodePodLabels(labels map[string]string) string {
	if labels == nil {
		labels = map[string]string{}
	}
	b, _ := json.Marshal(labels) // a map[string]string always marshals
	return string(b)
}

// SelectorFromTags reads a placement back from security-group tags; nil when
// the segment has none. A malformed label tag (edited out of band) reads as
// an empty label set, which differs from any configured one and so shows as
// drift.
func SelectorFromTags(tags map[string]string) *model.KubernetesSelector {
	ns, ok := tags[TagK8sNamespace]
	if !ok {
		return nil
	}
	sel := &model.KubernetesSelector{Namespace: ns, ServiceAccount: tags[TagK8sServiceAccount], PodLabels: map[string]string{}, DenyDNS: tags[TagK8sDNS] == "deny"}
	_ = json.Unmarshal([]byte(tags[TagK8sPodLabels]), &sel.PodLabels)
	return sel
}

// SegmentOf reads the segment a security group records. A group without the
// provider's tags reads as a segment named after the group, of the default
// sensitivity, without placement.
func SegmentOf(g *SecurityGroup) model.Segment {
	s := model.Segment{
		Name:            g.Tags[TagSegment],
		SecurityGroupID: g.ID,
		Sensitivity:     g.Tags[TagSensitivity],
		VPCID:           g.VPCID,
		Kubernetes:      SelectorFromTags(g.Tags),
	}
	if s.Name == "" {
		s.Name = g.Name
	}
	s.Foreign = g.Tags[TagManagedBy] != ManagedByValue
	s.Exclusive = !s.Foreign && g.Tags[TagExclusive] == "true"
	if s.Sensitivity == "" {
		s.Sensitivity = model.DefaultSensitivity
	}
	return s
}

// ReadSegments reads the segments of several groups with one
// DescribeSecurityGroups; ids that do not exist are absent from the result.
func ReadSegments(ctx context.Context, c *ec2.Client, ids []string) (map[string]model.Segment, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	groups, err := FindSecurityGroups(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]model.Segment, len(groups))
	for id, g := range groups {
		out[id] = SegmentOf(g)
	}
	return out, nil
}

// ReadCreatedSegments reads segments by the ids of created segments
// (sg/<vpc>/<name>, see model.AWSSegmentID) with one DescribeSecurityGroups
// filtered by VPC and group name. A group of that name in that VPC counts
// only when the provider created it for a segment (managed, not adopted):
// the id names a created segment, never a group someone else made under the
// same name. Ids that name no such group are absent from the result, which
// is keyed by the ids given.
func ReadCreatedSegments(ctx context.Context, c *ec2.Client, ids []string) (map[string]model.Segment, error) {
	var vpcs, names []string
	for _, id := range ids {
		if vpc, name, ok := model.ParseAWSSegmentID(id); ok {
			vpcs, names = append(vpcs, vpc), append(names, name)
		}
	}
	out := map[string]model.Segment{}
	if len(vpcs) == 0 {
		return out, nil
	}
	rc := cacheOf(c)
	gen := rc.generation()
	var found []*SecurityGroup
	p := ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: slices.Compact(slices.Sorted(slices.Values(vpcs)))},
		{Name: aws.String("group-name"), Values: slices.Compact(slices.Sorted(slices.Values(names)))},
	}})
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("looking up the security groups of segments %v: %w", ids, err)
		}
		for _, g := range page.SecurityGroups {
			sg := fromSDKGroup(g)
			found = append(found, sg)
			id := model.AWSSegmentID(sg.VPCID, sg.Name)
			if !want[id] || !createdSegmentGroup(sg) {
				continue
			}
			out[id] = SegmentOf(sg)
		}
	}
	rc.keepGroups(gen, found...)
	return out, nil
}

// createdSegmentGroup reports whether the provider created g for a segment.
func createdSegmentGroup(g *SecurityGroup) bool {
	return g.Tags[TagManagedBy] == ManagedByValue && g.Tags[TagAdopted] != "true"
}

// SegmentIDsOfGroups maps security group ids to the ids of the segments
// they are, as the configuration writes them: sg/<vpc>/<name> for a group
// the provider created for a segment, the group id for any other (an
// adopted group, or a group that is no segment). Import rebuilds references
// with it. Groups that do not exist map to their own id.
func SegmentIDsOfGroups(ctx context.Context, c *ec2.Client, ids []string) (map[string]string, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	groups, err := FindSecurityGroups(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		out[id] = id
		if g, ok := groups[id]; ok && createdSegmentGroup(g) && g.VPCID != "" {
			out[id] = model.AWSSegmentID(g.VPCID, g.Name)
		}
	}
	return out, nil
}

// ActivePeerings lists the VPC pairs joined by an active peering connection
// (one paginated DescribeVpcPeeringConnections), each pair both ways round.
// A security-group rule may reference a group of a peered VPC only.
func ActivePeerings(ctx context.Context, c *ec2.Client) (map[[2]string]bool, error) {
	out := map[[2]string]bool{}
	p := ec2.NewDescribeVpcPeeringConnectionsPaginator(c, &ec2.DescribeVpcPeeringConnectionsInput{
		Filters: []types.Filter{{Name: aws.String("status-code"), Values: []string{string(types.VpcPeeringConnectionStateReasonCodeActive)}}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describing VPC peering connections: %w", err)
		}
		for _, pc := range page.VpcPeeringConnections {
			if pc.Status == nil || pc.Status.Code != types.VpcPeeringConnectionStateReasonCodeActive || pc.RequesterVpcInfo == nil || pc.AccepterVpcInfo == nil {
				continue
			}
			a, b := aws.ToString(pc.RequesterVpcInfo.VpcId), aws.ToString(pc.AccepterVpcInfo.VpcId)
			out[[2]string{a, b}], out[[2]string{b, a}] = true, true
		}
	}
	return out, nil
}
