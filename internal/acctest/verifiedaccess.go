package acctest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// Verified Access, as the access proxy (instance + trust providers) and
// protect surface (group + endpoints) tests read and edit it.

// VerifiedAccessInstance is a live Verified Access instance.
type VerifiedAccessInstance struct {
	ID, Description string
	Tags            map[string]string
}

// TrustProvider is a live trust provider.
type TrustProvider struct {
	ID string
	// Kind is user or device; Type the user or device provider type.
	Kind, Type, Reference, Tenant string
	// Scope is the OIDC scope of an OIDC user provider.
	Scope string
	Tags  map[string]string
}

// AccessLogs is an instance's logging configuration.
type AccessLogs struct {
	CloudWatchEnabled   bool
	CloudWatchLogGroup  string
	S3Enabled           bool
	S3Bucket            string
	IncludeTrustContext bool
	LogVersion          string
}

// VerifiedAccessGroup is a live Verified Access group.
type VerifiedAccessGroup struct {
	ID, InstanceID string
	Tags           map[string]string
}

// VerifiedAccessPolicy is a group's or endpoint's policy.
type VerifiedAccessPolicy struct {
	Enabled  bool
	Document string
}

// VerifiedAccessEndpoint is a live Verified Access endpoint.
type VerifiedAccessEndpoint struct {
	ID, Status                        string
	ApplicationDomain, EndpointDomain string
	Tags                              map[string]string
	// LoadBalancerARN, LoadBalancerPort, LoadBalancerProtocol and SubnetIDs
	// are set for load-balancer endpoints.
	LoadBalancerARN      string
	LoadBalancerPort     int32
	LoadBalancerProtocol string
	SubnetIDs            []string
	// Cidr and CidrProtocol are set for CIDR endpoints.
	Cidr, CidrProtocol string
}

func describeInstance(ctx context.Context, c *ec2.Client, id string) (ec2types.VerifiedAccessInstance, error) {
	out, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{id}})
	if err != nil || len(out.VerifiedAccessInstances) != 1 {
		return ec2types.VerifiedAccessInstance{}, fmt.Errorf("describing %s: %v", id, err)
	}
	return out.VerifiedAccessInstances[0], nil
}

// GetVerifiedAccessInstance reads an instance; the test fails if it cannot.
func GetVerifiedAccessInstance(t *testing.T, id string) VerifiedAccessInstance {
	t.Helper()
	in, err := describeInstance(context.Background(), EC2(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return VerifiedAccessInstance{ID: id, Description: aws.ToString(in.Description), Tags: tagMap(in.Tags)}
}

// VerifiedAccessInstanceExists says whether describing the instance succeeds.
func VerifiedAccessInstanceExists(t *testing.T, id string) bool {
	t.Helper()
	_, err := EC2(t).DescribeVerifiedAccessInstances(context.Background(), &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{id}})
	return err == nil
}

func trustProviders(tps []ec2types.VerifiedAccessTrustProvider) []TrustProvider {
	var out []TrustProvider
	for _, tp := range tps {
		v := TrustProvider{ID: aws.ToString(tp.VerifiedAccessTrustProviderId), Kind: string(tp.TrustProviderType), Type: string(tp.UserTrustProviderType),
			Reference: aws.ToString(tp.PolicyReferenceName), Tags: tagMap(tp.Tags)}
		if tp.TrustProviderType == "device" {
			v.Type = string(tp.DeviceTrustProviderType)
		}
		if tp.DeviceOptions != nil {
			v.Tenant = aws.ToString(tp.DeviceOptions.TenantId)
		}
		if tp.OidcOptions != nil {
			v.Scope = aws.ToString(tp.OidcOptions.Scope)
		}
		out = append(out, v)
	}
	return out
}

// AttachedTrustProviders reads the trust providers attached to an instance.
func AttachedTrustProviders(t *testing.T, id string) []TrustProvider {
	t.Helper()
	c := EC2(t)
	in, err := describeInstance(context.Background(), c, id)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tp := range in.VerifiedAccessTrustProviders {
		ids = append(ids, aws.ToString(tp.VerifiedAccessTrustProviderId))
	}
	if len(ids) == 0 {
		return nil
	}
	out, err := c.DescribeVerifiedAccessTrustProviders(context.Background(), &ec2.DescribeVerifiedAccessTrustProvidersInput{VerifiedAccessTrustProviderIds: ids})
	if err != nil {
		t.Fatalf("describing trust providers %v: %v", ids, err)
	}
	return trustProviders(out.VerifiedAccessTrustProviders)
}

// OwnedTrustProviders lists the trust providers tagged as owned by an instance.
func OwnedTrustProviders(t *testing.T, id string) []TrustProvider {
	t.Helper()
	out, err := EC2(t).DescribeVerifiedAccessTrustProviders(context.Background(), &ec2.DescribeVerifiedAccessTrustProvidersInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:zerotrust:proxy-id"), Values: []string{id}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return trustProviders(out.VerifiedAccessTrustProviders)
}

// TrustProviderExists says whether a trust provider can be described.
func TrustProviderExists(t *testing.T, id string) error {
	t.Helper()
	out, err := EC2(t).DescribeVerifiedAccessTrustProviders(context.Background(), &ec2.DescribeVerifiedAccessTrustProvidersInput{VerifiedAccessTrustProviderIds: []string{id}})
	if err != nil || len(out.VerifiedAccessTrustProviders) != 1 {
		return fmt.Errorf("trust provider %s: %v", id, err)
	}
	return nil
}

// DescribeTrustProviders renders providers as sorted kind/type/reference/tenant.
func DescribeTrustProviders(tps []TrustProvider) string {
	var out []string
	for _, tp := range tps {
		out = append(out, fmt.Sprintf("%s/%s/%s/%s", tp.Kind, tp.Type, tp.Reference, tp.Tenant))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// VerifiedAccessLogging reads an instance's logging configuration.
func VerifiedAccessLogging(t *testing.T, id string) AccessLogs {
	t.Helper()
	out, err := EC2(t).DescribeVerifiedAccessInstanceLoggingConfigurations(context.Background(), &ec2.DescribeVerifiedAccessInstanceLoggingConfigurationsInput{VerifiedAccessInstanceIds: []string{id}})
	if err != nil || len(out.LoggingConfigurations) != 1 {
		t.Fatalf("describing logging of %s: %v", id, err)
	}
	var l AccessLogs
	a := out.LoggingConfigurations[0].AccessLogs
	if a == nil {
		return l
	}
	if a.CloudWatchLogs != nil {
		l.CloudWatchEnabled, l.CloudWatchLogGroup = aws.ToBool(a.CloudWatchLogs.Enabled), aws.ToString(a.CloudWatchLogs.LogGroup)
	}
	if a.S3 != nil {
		l.S3Enabled, l.S3Bucket = aws.ToBool(a.S3.Enabled), aws.ToString(a.S3.BucketName)
	}
	l.IncludeTrustContext, l.LogVersion = aws.ToBool(a.IncludeTrustContext), aws.ToString(a.LogVersion)
	return l
}

// CheckVerifiedAccessInstanceGone is a CheckDestroy: the instance (id
// filled in by a step; empty is skipped) and its trust providers are gone.
func CheckVerifiedAccessInstanceGone(t *testing.T, id *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if *id == "" {
			return nil
		}
		if VerifiedAccessInstanceExists(t, *id) {
			return fmt.Errorf("the Verified Access instance %s still exists after destroy", *id)
		}
		if n := len(OwnedTrustProviders(t, *id)); n != 0 {
			return fmt.Errorf("%d trust providers of %s left after destroy", n, *id)
		}
		return nil
	}
}

// CheckVerifiedAccessSurfaceGone is a CheckDestroy for a protect surface
// and the proxy it sits on.
func CheckVerifiedAccessSurfaceGone(t *testing.T, groupID, proxyID *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if *groupID != "" {
			if _, err := EC2(t).DescribeVerifiedAccessGroups(context.Background(), &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessGroupIds: []string{*groupID}}); err == nil {
				return fmt.Errorf("the Verified Access group %s still exists after destroy", *groupID)
			}
		}
		return CheckVerifiedAccessInstanceGone(t, proxyID)(s)
	}
}

// VerifiedAccessInstancesNamed lists the ids of the instances of the proxy named name.
func VerifiedAccessInstancesNamed(t *testing.T, name string) []string {
	t.Helper()
	out, err := EC2(t).DescribeVerifiedAccessInstances(context.Background(), &ec2.DescribeVerifiedAccessInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:zerotrust:proxy"), Values: []string{name}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, in := range out.VerifiedAccessInstances {
		ids = append(ids, aws.ToString(in.VerifiedAccessInstanceId))
	}
	return ids
}

// ExpectVerifiedAccessObjects counts the objects of the proxy named name:
// instances, its trust providers, its groups and their endpoints.
func ExpectVerifiedAccessObjects(t *testing.T, name, id string, instances, providers, groups, endpoints int) error {
	ctx := context.Background()
	c := EC2(t)
	in, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{Filters: []ec2types.Filter{{Name: aws.String("tag:zerotrust:proxy"), Values: []string{name}}}})
	if err != nil {
		return err
	}
	g, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessInstanceId: aws.String(id)})
	if err != nil {
		return err
	}
	e, err := c.DescribeVerifiedAccessEndpoints(ctx, &ec2.DescribeVerifiedAccessEndpointsInput{VerifiedAccessInstanceId: aws.String(id)})
	if err != nil {
		return err
	}
	got := [4]int{len(in.VerifiedAccessInstances), len(OwnedTrustProviders(t, id)), len(g.VerifiedAccessGroups), len(e.VerifiedAccessEndpoints)}
	if got != [4]int{instances, providers, groups, endpoints} {
		return fmt.Errorf("objects of %s: %d instances, %d trust providers, %d groups, %d endpoints; want %d, %d, %d, %d",
			name, got[0], got[1], got[2], got[3], instances, providers, groups, endpoints)
	}
	return nil
}

// SetVerifiedAccessInstanceDescription edits an instance out of band.
func SetVerifiedAccessInstanceDescription(t *testing.T, id, description string) {
	t.Helper()
	if _, err := EC2(t).ModifyVerifiedAccessInstance(context.Background(), &ec2.ModifyVerifiedAccessInstanceInput{VerifiedAccessInstanceId: aws.String(id), Description: aws.String(description)}); err != nil {
		t.Fatal(err)
	}
}

// DisableVerifiedAccessCloudWatchLogs turns an instance's CloudWatch logging off out of band.
func DisableVerifiedAccessCloudWatchLogs(t *testing.T, id string) {
	t.Helper()
	if _, err := EC2(t).ModifyVerifiedAccessInstanceLoggingConfiguration(context.Background(), &ec2.ModifyVerifiedAccessInstanceLoggingConfigurationInput{VerifiedAccessInstanceId: aws.String(id),
		AccessLogs: &ec2types.VerifiedAccessLogOptions{CloudWatchLogs: &ec2types.VerifiedAccessLogCloudWatchLogsDestinationOptions{Enabled: aws.Bool(false)}}}); err != nil {
		t.Fatal(err)
	}
}

// CreateDeviceTrustProvider makes a device trust provider outside Terraform.
func CreateDeviceTrustProvider(t *testing.T, deviceType, reference, tenant string) string {
	t.Helper()
	out, err := EC2(t).CreateVerifiedAccessTrustProvider(context.Background(), &ec2.CreateVerifiedAccessTrustProviderInput{TrustProviderType: "device", DeviceTrustProviderType: ec2types.DeviceTrustProviderType(deviceType),
		PolicyReferenceName: aws.String(reference), DeviceOptions: &ec2types.CreateVerifiedAccessTrustProviderDeviceOptions{TenantId: aws.String(tenant)}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.VerifiedAccessTrustProvider.VerifiedAccessTrustProviderId)
}

// AttachTrustProvider attaches a trust provider to an instance out of band.
func AttachTrustProvider(t *testing.T, instanceID, trustProviderID string) {
	t.Helper()
	if _, err := EC2(t).AttachVerifiedAccessTrustProvider(context.Background(), &ec2.AttachVerifiedAccessTrustProviderInput{VerifiedAccessInstanceId: aws.String(instanceID), VerifiedAccessTrustProviderId: aws.String(trustProviderID)}); err != nil {
		t.Fatal(err)
	}
}

// DetachTrustProvider detaches a trust provider from an instance out of band.
func DetachTrustProvider(t *testing.T, instanceID, trustProviderID string) error {
	t.Helper()
	_, err := EC2(t).DetachVerifiedAccessTrustProvider(context.Background(), &ec2.DetachVerifiedAccessTrustProviderInput{VerifiedAccessInstanceId: aws.String(instanceID), VerifiedAccessTrustProviderId: aws.String(trustProviderID)})
	return err
}

// DeleteTrustProvider deletes a trust provider out of band.
func DeleteTrustProvider(t *testing.T, id string) error {
	t.Helper()
	_, err := EC2(t).DeleteVerifiedAccessTrustProvider(context.Background(), &ec2.DeleteVerifiedAccessTrustProviderInput{VerifiedAccessTrustProviderId: aws.String(id)})
	return err
}

// DeleteVerifiedAccessInstance deletes an instance out of band.
func DeleteVerifiedAccessInstance(t *testing.T, id string) error {
	t.Helper()
	_, err := EC2(t).DeleteVerifiedAccessInstance(context.Background(), &ec2.DeleteVerifiedAccessInstanceInput{VerifiedAccessInstanceId: aws.String(id)})
	return err
}

func describeVAGroup(ctx context.Context, c *ec2.Client, id string) (ec2types.VerifiedAccessGroup, error) {
	out, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessGroupIds: []string{id}})
	if err != nil || len(out.VerifiedAccessGroups) != 1 {
		return ec2types.VerifiedAccessGroup{}, fmt.Errorf("describing group %s: %v", id, err)
	}
	return out.VerifiedAccessGroups[0], nil
}

// GetVerifiedAccessGroup reads a group; the test fails if it cannot.
func GetVerifiedAccessGroup(t *testing.T, id string) VerifiedAccessGroup {
	t.Helper()
	g, err := describeVAGroup(context.Background(), EC2(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return VerifiedAccessGroup{ID: id, InstanceID: aws.ToString(g.VerifiedAccessInstanceId), Tags: tagMap(g.Tags)}
}

// VerifiedAccessGroupsOf lists the ids of an instance's groups.
func VerifiedAccessGroupsOf(t *testing.T, instanceID string) ([]string, error) {
	t.Helper()
	out, err := EC2(t).DescribeVerifiedAccessGroups(context.Background(), &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessInstanceId: aws.String(instanceID)})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, g := range out.VerifiedAccessGroups {
		ids = append(ids, aws.ToString(g.VerifiedAccessGroupId))
	}
	return ids, nil
}

func groupPolicy(ctx context.Context, c *ec2.Client, id string) (VerifiedAccessPolicy, error) {
	out, err := c.GetVerifiedAccessGroupPolicy(ctx, &ec2.GetVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: aws.String(id)})
	if err != nil {
		return VerifiedAccessPolicy{}, fmt.Errorf("reading the policy of %s: %v", id, err)
	}
	return VerifiedAccessPolicy{Enabled: aws.ToBool(out.PolicyEnabled), Document: aws.ToString(out.PolicyDocument)}, nil
}

// GetVerifiedAccessGroupPolicy reads a group's policy; the test fails if it cannot.
func GetVerifiedAccessGroupPolicy(t *testing.T, id string) VerifiedAccessPolicy {
	t.Helper()
	p, err := groupPolicy(context.Background(), EC2(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// SetVerifiedAccessGroupPolicy edits a group's policy out of band; an empty
// document leaves the document as it is.
func SetVerifiedAccessGroupPolicy(t *testing.T, id, document string, enabled bool) {
	t.Helper()
	in := &ec2.ModifyVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: aws.String(id), PolicyEnabled: aws.Bool(enabled)}
	if document != "" {
		in.PolicyDocument = aws.String(document)
	}
	if _, err := EC2(t).ModifyVerifiedAccessGroupPolicy(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// DeleteVerifiedAccessGroup deletes a group out of band.
func DeleteVerifiedAccessGroup(t *testing.T, id string) error {
	t.Helper()
	_, err := EC2(t).DeleteVerifiedAccessGroup(context.Background(), &ec2.DeleteVerifiedAccessGroupInput{VerifiedAccessGroupId: aws.String(id)})
	return err
}

// VerifiedAccessEndpoints reads a group's endpoints.
func VerifiedAccessEndpoints(t *testing.T, groupID string) []VerifiedAccessEndpoint {
	t.Helper()
	out, err := EC2(t).DescribeVerifiedAccessEndpoints(context.Background(), &ec2.DescribeVerifiedAccessEndpointsInput{VerifiedAccessGroupId: aws.String(groupID)})
	if err != nil {
		t.Fatalf("describing the endpoints of %s: %v", groupID, err)
	}
	var eps []VerifiedAccessEndpoint
	for _, e := range out.VerifiedAccessEndpoints {
		v := VerifiedAccessEndpoint{ID: aws.ToString(e.VerifiedAccessEndpointId), ApplicationDomain: aws.ToString(e.ApplicationDomain),
			EndpointDomain: aws.ToString(e.EndpointDomain), Tags: tagMap(e.Tags)}
		if e.Status != nil {
			v.Status = string(e.Status.Code)
		}
		if e.LoadBalancerOptions != nil {
			v.LoadBalancerPort, v.LoadBalancerProtocol = aws.ToInt32(e.LoadBalancerOptions.Port), string(e.LoadBalancerOptions.Protocol)
			v.LoadBalancerARN, v.SubnetIDs = aws.ToString(e.LoadBalancerOptions.LoadBalancerArn), e.LoadBalancerOptions.SubnetIds
		}
		if e.CidrOptions != nil {
			v.Cidr, v.CidrProtocol = aws.ToString(e.CidrOptions.Cidr), string(e.CidrOptions.Protocol)
		}
		eps = append(eps, v)
	}
	return eps
}

func endpointPolicy(ctx context.Context, c *ec2.Client, id string) (VerifiedAccessPolicy, error) {
	out, err := c.GetVerifiedAccessEndpointPolicy(ctx, &ec2.GetVerifiedAccessEndpointPolicyInput{VerifiedAccessEndpointId: aws.String(id)})
	if err != nil {
		return VerifiedAccessPolicy{}, fmt.Errorf("reading the policy of %s: %v", id, err)
	}
	return VerifiedAccessPolicy{Enabled: aws.ToBool(out.PolicyEnabled), Document: aws.ToString(out.PolicyDocument)}, nil
}

// GetVerifiedAccessEndpointPolicy reads an endpoint's policy; the test fails if it cannot.
func GetVerifiedAccessEndpointPolicy(t *testing.T, id string) VerifiedAccessPolicy {
	t.Helper()
	p, err := endpointPolicy(context.Background(), EC2(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// SetVerifiedAccessEndpointPort changes a load-balancer endpoint's port out of band.
func SetVerifiedAccessEndpointPort(t *testing.T, id string, port int32) {
	t.Helper()
	if _, err := EC2(t).ModifyVerifiedAccessEndpoint(context.Background(), &ec2.ModifyVerifiedAccessEndpointInput{VerifiedAccessEndpointId: aws.String(id),
		LoadBalancerOptions: &ec2types.ModifyVerifiedAccessEndpointLoadBalancerOptions{Port: aws.Int32(port)}}); err != nil {
		t.Fatal(err)
	}
}

// DeleteVerifiedAccessEndpoint deletes an endpoint out of band.
func DeleteVerifiedAccessEndpoint(t *testing.T, id string) error {
	t.Helper()
	_, err := EC2(t).DeleteVerifiedAccessEndpoint(context.Background(), &ec2.DeleteVerifiedAccessEndpointInput{VerifiedAccessEndpointId: aws.String(id)})
	return err
}

// ExpectVerifiedAccessGroupPolicy checks that the live policy of the
// protect surface at address is enabled and is exactly its policy_document
// in state.
func ExpectVerifiedAccessGroupPolicy(address string) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		id, err := stateString(s, address, "id")
		if err != nil {
			return err
		}
		want, err := stateString(s, address, "policy_document")
		if err != nil {
			return err
		}
		c, err := ec2Client(ctx)
		if err != nil {
			return err
		}
		p, err := groupPolicy(ctx, c, id)
		if err != nil {
			return err
		}
		if !p.Enabled || p.Document != want {
			return fmt.Errorf("live policy of %s (enabled=%v):\n%s\nstate:\n%s", id, p.Enabled, p.Document, want)
		}
		return nil
	})
}

// ExpectVerifiedAccessEndpointPolicy checks that the live policy of the
// endpoint of application on the protect surface at address is enabled and
// is exactly endpoint_policy_documents[application] in state.
func ExpectVerifiedAccessEndpointPolicy(address, application string) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		r, err := stateResource(s, address)
		if err != nil {
			return err
		}
		eps, _ := r["endpoints"].(map[string]any)
		ep, _ := eps[application].(map[string]any)
		id, _ := ep["id"].(string)
		if id == "" {
			return fmt.Errorf("%s: no endpoint id for %s in state", address, application)
		}
		want, err := stateMapString(s, address, "endpoint_policy_documents", application)
		if err != nil {
			return err
		}
		c, err := ec2Client(ctx)
		if err != nil {
			return err
		}
		p, err := endpointPolicy(ctx, c, id)
		if err != nil {
			return err
		}
		if !p.Enabled || p.Document != want {
			return fmt.Errorf("%s endpoint policy (enabled=%v):\n%s\nstate:\n%s", application, p.Enabled, p.Document, want)
		}
		return nil
	})
}

// ExpectVerifiedAccessGroupTags checks that the live group of the protect
// surface at address carries each of want.
func ExpectVerifiedAccessGroupTags(address string, want map[string]string) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		id, err := stateString(s, address, "id")
		if err != nil {
			return err
		}
		c, err := ec2Client(ctx)
		if err != nil {
			return err
		}
		g, err := describeVAGroup(ctx, c, id)
		if err != nil {
			return err
		}
		return expectTags("group", tagMap(g.Tags), want)
	})
}

// ExpectVerifiedAccessInstanceTags checks that the live instance of the
// access proxy at address carries each of want.
func ExpectVerifiedAccessInstanceTags(address string, want map[string]string) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		id, err := stateString(s, address, "id")
		if err != nil {
			return err
		}
		c, err := ec2Client(ctx)
		if err != nil {
			return err
		}
		in, err := describeInstance(ctx, c, id)
		if err != nil {
			return err
		}
		return expectTags("instance", tagMap(in.Tags), want)
	})
}

func expectTags(what string, tags, want map[string]string) error {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if tags[k] != want[k] {
			return fmt.Errorf("%s tag %s = %q, want %q (all: %v)", what, k, tags[k], want[k], tags)
		}
	}
	return nil
}

// ExpectVerifiedAccessGroupInstance checks that the live group of the
// protect surface at surfaceAddress sits on the instance of the access
// proxy at proxyAddress.
func ExpectVerifiedAccessGroupInstance(surfaceAddress, proxyAddress string) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		id, err := stateString(s, surfaceAddress, "id")
		if err != nil {
			return err
		}
		proxyID, err := stateString(s, proxyAddress, "id")
		if err != nil {
			return err
		}
		c, err := ec2Client(ctx)
		if err != nil {
			return err
		}
		g, err := describeVAGroup(ctx, c, id)
		if err != nil {
			return err
		}
		if got := aws.ToString(g.VerifiedAccessInstanceId); got != proxyID {
			return fmt.Errorf("group %s on %s, want %s (%s)", id, got, proxyID, proxyAddress)
		}
		return nil
	})
}

// CreateTaggedVerifiedAccessInstance makes an instance carrying tags, as a
// create that was killed before Terraform recorded it leaves one.
func CreateTaggedVerifiedAccessInstance(t *testing.T, tags map[string]string) string {
	t.Helper()
	out, err := EC2(t).CreateVerifiedAccessInstance(context.Background(), &ec2.CreateVerifiedAccessInstanceInput{
		TagSpecifications: tagSpecifications(ec2types.ResourceTypeVerifiedAccessInstance, tags),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.VerifiedAccessInstance.VerifiedAccessInstanceId)
}

// CreateTaggedVerifiedAccessGroup makes a group on instanceID carrying tags,
// as a create that was killed before Terraform recorded it leaves one.
func CreateTaggedVerifiedAccessGroup(t *testing.T, instanceID string, tags map[string]string) string {
	t.Helper()
	out, err := EC2(t).CreateVerifiedAccessGroup(context.Background(), &ec2.CreateVerifiedAccessGroupInput{
		VerifiedAccessInstanceId: aws.String(instanceID), TagSpecifications: tagSpecifications(ec2types.ResourceTypeVerifiedAccessGroup, tags),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.VerifiedAccessGroup.VerifiedAccessGroupId)
}
