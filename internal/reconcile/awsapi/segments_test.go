package awsapi_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// TestReadSegmentsRoundTrip: the tags SegmentTags writes on a group read back
// (ReadSegments, one DescribeSecurityGroups for every id) as the same
// segment, Kubernetes placement included; a group without the provider's
// tags reads as its name with the default sensitivity; missing ids are absent.
func TestReadSegmentsRoundTrip(t *testing.T) {
	c, calls := newClient(t)
	ctx := context.Background()
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.40.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := aws.ToString(vpc.Vpc.VpcId)

	placed := model.Segment{Name: "seg-placed", Sensitivity: "restricted", Kubernetes: &model.KubernetesSelector{
		Namespace: "payments", PodLabels: map[string]string{"app": "ledger", "tier": "db"}, ServiceAccount: "ledger-sa",
	}}
	// No sensitivity: the tags carry the default. A placement without a
	// service account and without labels.
	plain := model.Segment{Name: "seg-plain", Kubernetes: &model.KubernetesSelector{Namespace: "web", PodLabels: map[string]string{}}}
	bare := model.Segment{Name: "seg-bare"} // no placement at all

	create := func(s model.Segment) string {
		t.Helper()
		g, err := awsapi.CreateSegmentGroup(ctx, c, awsapi.CreateSegmentGroupInput{Name: s.Name, Description: s.Name, VPCID: vpcID, Tags: awsapi.SegmentTags(s)})
		if err != nil {
			t.Fatal(err)
		}
		return g.ID
	}
	placedID, plainID, bareID := create(placed), create(plain), create(bare)
	foreign, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("hand-made-sg"), Description: aws.String("x"), VpcId: aws.String(vpcID)})
	if err != nil {
		t.Fatal(err)
	}
	foreignID := aws.ToString(foreign.GroupId)
	const missing = "sg-0123456789abcdef0"

	calls.reset()
	got, err := awsapi.ReadSegments(ctx, c, []string{placedID, foreignID, missing, plainID, bareID, placedID})
	if err != nil {
		t.Fatal(err)
	}
	if n := calls.get("DescribeSecurityGroups"); n != 1 {
		t.Errorf("ReadSegments of 5 distinct ids made %d DescribeSecurityGroups calls, want 1", n)
	}
	if len(calls.counts) != 1 {
		t.Errorf("ReadSegments made other calls: %v", calls.counts)
	}
	if len(got) != 4 {
		t.Fatalf("ReadSegments returned %d segments, want 4 (the missing id absent): %+v", len(got), got)
	}
	if _, ok := got[missing]; ok {
		t.Errorf("a missing id is present: %+v", got[missing])
	}

	placed.SecurityGroupID, placed.VPCID = placedID, vpcID
	if s := got[placedID]; !reflect.DeepEqual(s, placed) {
		t.Errorf("placed segment read back as %+v / %+v, want %+v / %+v", s, s.Kubernetes, placed, placed.Kubernetes)
	}
	wantPlain := plain
	wantPlain.SecurityGroupID, wantPlain.Sensitivity, wantPlain.VPCID = plainID, model.DefaultSensitivity, vpcID
	if s := got[plainID]; !reflect.DeepEqual(s, wantPlain) {
		t.Errorf("plain segment read back as %+v / %+v, want %+v / %+v", s, s.Kubernetes, wantPlain, wantPlain.Kubernetes)
	}
	wantBare := model.Segment{Name: "seg-bare", SecurityGroupID: bareID, Sensitivity: model.DefaultSensitivity, VPCID: vpcID}
	if s := got[bareID]; !reflect.DeepEqual(s, wantBare) {
		t.Errorf("segment without placement read back as %+v, want %+v", s, wantBare)
	}
	wantForeign := model.Segment{Name: "hand-made-sg", SecurityGroupID: foreignID, Sensitivity: model.DefaultSensitivity, VPCID: vpcID, Foreign: true}
	if s := got[foreignID]; !reflect.DeepEqual(s, wantForeign) {
		t.Errorf("untagged group read back as %+v, want %+v", s, wantForeign)
	}

	// By the ids of created segments (sg/<vpc>/<name>): one filtered call;
	// a group of that name the provider did not create is no segment.
	calls.reset()
	byName, err := awsapi.ReadCreatedSegments(ctx, c, []string{
		model.AWSSegmentID(vpcID, "seg-placed"), model.AWSSegmentID(vpcID, "hand-made-sg"), model.AWSSegmentID(vpcID, "seg-none"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := calls.get("DescribeSecurityGroups"); n != 1 || len(calls.counts) != 1 {
		t.Errorf("ReadCreatedSegments of 3 ids made calls %v, want one DescribeSecurityGroups", calls.counts)
	}
	if s, ok := byName[model.AWSSegmentID(vpcID, "seg-placed")]; len(byName) != 1 || !ok || !reflect.DeepEqual(s, placed) {
		t.Errorf("ReadCreatedSegments = %+v, want only seg-placed as %+v", byName, placed)
	}

	// Nothing to read: no call at all.
	calls.reset()
	if got, err := awsapi.ReadSegments(ctx, c, nil); err != nil || len(got) != 0 || len(calls.counts) != 0 {
		t.Errorf("ReadSegments(nil) = %v, %v with calls %v; want empty and no call", got, err, calls.counts)
	}
}

func TestSegmentTagsAndSelector(t *testing.T) {
	s := model.Segment{Name: "n", Sensitivity: "confidential", Kubernetes: &model.KubernetesSelector{
		Namespace: "ns", PodLabels: map[string]string{"b": "2", "a": "1"},
	}}
	tags := awsapi.SegmentTags(s)
	want := map[string]string{
		awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagSegment: "n", awsapi.TagSensitivity: "confidential",
		awsapi.TagK8sNamespace: "ns", awsapi.TagK8sPodLabels: `{"a":"1","b":"2"}`,
	}
	if !reflect.DeepEqual(tags, want) {
		t.Errorf("SegmentTags = %v, want %v (no service-account tag when none, canonical label JSON)", tags, want)
	}
	if sel := awsapi.SelectorFromTags(tags); !reflect.DeepEqual(sel, s.Kubernetes) {
		t.Errorf("SelectorFromTags = %+v, want %+v", sel, s.Kubernetes)
	}
	if sel := awsapi.SelectorFromTags(map[string]string{awsapi.TagSegment: "n"}); sel != nil {
		t.Errorf("no namespace tag: SelectorFromTags = %+v, want nil", sel)
	}
	// Label tag edited out of band: reads as an empty label set (drift), not an error.
	sel := awsapi.SelectorFromTags(map[string]string{awsapi.TagK8sNamespace: "ns", awsapi.TagK8sPodLabels: "{broken"})
	if sel == nil || sel.Namespace != "ns" || sel.PodLabels == nil || len(sel.PodLabels) != 0 {
		t.Errorf("malformed label tag: SelectorFromTags = %+v, want namespace ns and no labels", sel)
	}
	// A nil label map encodes as the empty object, so it reads back equal to an empty one.
	if v := awsapi.EncodePodLabels(nil); v != "{}" {
		t.Errorf("EncodePodLabels(nil) = %q, want {}", v)
	}
	// SegmentOf on a group carrying only the name tag: not the provider's.
	g := &awsapi.SecurityGroup{ID: "sg-1", Name: "group-name", Tags: map[string]string{awsapi.TagSegment: "tagged-name"}}
	if got := awsapi.SegmentOf(g); got != (model.Segment{Name: "tagged-name", SecurityGroupID: "sg-1", Sensitivity: model.DefaultSensitivity, Foreign: true}) {
		t.Errorf("SegmentOf = %+v", got)
	}
	g.Tags[awsapi.TagManagedBy] = awsapi.ManagedByValue
	if got := awsapi.SegmentOf(g); got.Foreign {
		t.Errorf("SegmentOf(managed group) = %+v, want not foreign", got)
	}
}
