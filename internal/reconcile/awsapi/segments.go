package awsapi

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

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
	sel := &model.KubernetesSelector{Namespace: ns, ServiceAccount: tags[TagK8sServiceAccount], PodLabels: map[string]string{}}
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
		Kubernetes:      SelectorFromTags(g.Tags),
	}
	if s.Name == "" {
		s.Name = g.Name
	}
	s.Foreign = g.Tags[TagManagedBy] != ManagedByValue
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
