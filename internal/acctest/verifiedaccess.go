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
	// Cidr, CidrProtocol and CidrPortRanges ("22-22", "8000-8080": from-to
	// as the API reports them) are set for CIDR endpoints.
	Cidr, CidrProtocol string
	CidrPortRanges     []string
	// The Rds fields are set for rds endpoints (SubnetIDs too).
	RdsInstanceARN, RdsClusterARN, RdsProxyARN, RdsEndpoint string
	RdsPort                                                 int32
	RdsProtocol                                             string
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
	return instanceExists(context.Background(), EC2(t), id)
}

func instanceExists(ctx context.Context, c *ec2.Client, id string) bool {
	_, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{id}})
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
	tps, err := attachedTrustProviders(context.Background(), EC2(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return tps
}

func attachedTrustProviders(ctx context.Context, c *ec2.Client, id string) ([]TrustProvider, error) {
	in, err := describeInstance(ctx, c, id)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, tp := range in.VerifiedAccessTrustProviders {
		ids = append(ids, aws.ToString(tp.VerifiedAccessTrustProviderId))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	out, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{VerifiedAccessTrustProviderIds: ids})
	if err != nil {
		return nil, fmt.Errorf("describing trust providers %v: %v", ids, err)
	}
	return trustProviders(out.VerifiedAccessTrustProviders), nil
}

// OwnedTrustProviders lists the trust providers tagged as owned by an instance.
func OwnedTrustProviders(t *testing.T, id string) []TrustProvider {
	t.Helper()
	tps, err := ownedTrustProviders(context.Background(), EC2(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return tps
}

func ownedTrustProviders(ctx context.Context, c *ec2.Client, id string) ([]TrustProvider, error) {
	out, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:zerotrust:proxy-id"), Values: []string{id}}},
	})
	if err != nil {
		return nil, err
	}
	return trustProviders(out.VerifiedAccessTrustProviders), nil
}

// TrustProviderExists says whether a trust provider can be described.
func TrustProviderExists(t *testing.T, id string) error {
	t.Helper()
	return trustProviderExists(context.Background(), EC2(t), id)
}

func trustProviderExists(ctx context.Context, c *ec2.Client, id string) error {
	out, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{VerifiedAccessTrustProviderIds: []string{id}})
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
	l, err := accessLogs(context.Background(), EC2(t), id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func accessLogs(ctx context.Context, c *ec2.Client, id string) (AccessLogs, error) {
	out, err := c.DescribeVerifiedAccessInstanceLoggingConfigurations(ctx, &ec2.DescribeVerifiedAccessInstanceLoggingConfigurationsInput{VerifiedAccessInstanceIds: []string{id}})
	if err != nil || len(out.LoggingConfigurations) != 1 {
		return AccessLogs{}, fmt.Errorf("describing logging of %s: %v", id, err)
	}
	var l AccessLogs
	a := out.LoggingConfigurations[0].AccessLogs
	if a == nil {
		return l, nil
	}
	if a.CloudWatchLogs != nil {
		l.CloudWatchEnabled, l.CloudWatchLogGroup = aws.ToBool(a.CloudWatchLogs.Enabled), aws.ToString(a.CloudWatchLogs.LogGroup)
	}
	if a.S3 != nil {
		l.S3Enabled, l.S3Bucket = aws.ToBool(a.S3.Enabled), aws.ToString(a.S3.BucketName)
	}
	l.IncludeTrustContext, l.LogVersion = aws.ToBool(a.IncludeTrustContext), aws.ToString(a.LogVersion)
	return l, nil
}

// VerifiedAccessInstancesNamed lists the ids of the instances of the proxy named name.
func VerifiedAccessInstancesNamed(t *testing.T, name string) []string {
	t.Helper()
	ids, err := instancesNamed(context.Background(), EC2(t), name)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func instancesNamed(ctx context.Context, c *ec2.Client, name string) ([]string, error) {
	out, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:zerotrust:proxy"), Values: []string{name}}},
	})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, in := range out.VerifiedAccessInstances {
		ids = append(ids, aws.ToString(in.VerifiedAccessInstanceId))
	}
	return ids, nil
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
