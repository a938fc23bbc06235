package main

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// leftovers lists what remains of a size after destroy: security groups in
// its VPC other than the default one, any NetworkPolicy in its namespace
// (labelled or not: a shared object let go of by every holder has lost its
// labels), the segment registry's SegmentRecords there and ConfigMaps the
// provider labelled there (provider 0.1's registry).
func (b *bench) leftovers(vpcID, namespace string) ([]string, error) {
	var left []string
	out, err := b.ec2.DescribeSecurityGroups(b.ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}})
	if err != nil {
		return nil, err
	}
	for _, g := range out.SecurityGroups {
		if aws.ToString(g.GroupName) != "default" {
			left = append(left, "security group "+aws.ToString(g.GroupId))
		}
	}
	managed := metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=terraform-provider-zerotrust"}
	nps, err := b.kube.NetworkingV1().NetworkPolicies(namespace).List(b.ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, np := range nps.Items {
		left = append(left, fmt.Sprintf("NetworkPolicy %s/%s (labels %v)", namespace, np.Name, np.Labels))
	}
	cms, err := b.kube.CoreV1().ConfigMaps(namespace).List(b.ctx, managed)
	if err != nil {
		return nil, err
	}
	for _, cm := range cms.Items {
		left = append(left, "ConfigMap "+cm.Name)
	}
	raw, err := b.kube.RESTClient().Get().AbsPath("/apis/zerotrust.ztforge.io/v1alpha1/namespaces/" + namespace + "/segmentrecords").DoRaw(b.ctx)
	if err != nil {
		return nil, fmt.Errorf("listing SegmentRecords: %w", err)
	}
	var records struct {
		Items []struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &records); err != nil {
		return nil, err
	}
	for _, r := range records.Items {
		left = append(left, "SegmentRecord "+r.Metadata.Name)
	}
	return left, nil
}
