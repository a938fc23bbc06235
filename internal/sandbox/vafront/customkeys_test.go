package vafront

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// CreateVerifiedAccessInstance / ModifyVerifiedAccessInstance /
// DescribeVerifiedAccessInstances: CidrEndpointsCustomSubDomain is kept, and
// answered with the name servers to delegate it to; an invalid subdomain is
// InvalidParameterValue.
func TestCidrEndpointsCustomSubDomain(t *testing.T) {
	ctx, c, _ := fresh(t)
	out, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{CidrEndpointsCustomSubDomain: aws.String("net.corp.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	sd := out.VerifiedAccessInstance.CidrEndpointsCustomSubDomain
	if sd == nil || aws.ToString(sd.SubDomain) != "net.corp.example.com" || len(sd.Nameservers) != 4 {
		t.Fatalf("custom subdomain %+v", sd)
	}
	for _, ns := range sd.Nameservers {
		if !strings.HasPrefix(ns, "ns-") || !strings.Contains(ns, ".awsdns-") {
			t.Fatalf("name server %q is not in Route 53's shape", ns)
		}
	}
	id := out.VerifiedAccessInstance.VerifiedAccessInstanceId
	desc, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{*id}})
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.VerifiedAccessInstances[0].CidrEndpointsCustomSubDomain; got == nil || strings.Join(got.Nameservers, ",") != strings.Join(sd.Nameservers, ",") {
		t.Fatalf("describe answered %+v, create %+v", got, sd)
	}

	mod, err := c.ModifyVerifiedAccessInstance(ctx, &ec2.ModifyVerifiedAccessInstanceInput{VerifiedAccessInstanceId: id, CidrEndpointsCustomSubDomain: aws.String("vpn.corp.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	if got := mod.VerifiedAccessInstance.CidrEndpointsCustomSubDomain; aws.ToString(got.SubDomain) != "vpn.corp.example.com" || strings.Join(got.Nameservers, ",") == strings.Join(sd.Nameservers, ",") {
		t.Fatalf("modified subdomain %+v", got)
	}

	plain, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{})
	if err != nil {
		t.Fatal(err)
	}
	if plain.VerifiedAccessInstance.CidrEndpointsCustomSubDomain != nil {
		t.Fatalf("an instance without a subdomain answered %+v", plain.VerifiedAccessInstance.CidrEndpointsCustomSubDomain)
	}

	for _, bad := range []string{"localhost", "-net.example.com", "net..example.com", "Net.Example.com", "net_1.example.com", "net.example.com.", strings.Repeat("a", 64) + ".example.com"} {
		_, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{CidrEndpointsCustomSubDomain: aws.String(bad)})
		wantCode(t, err, "InvalidParameterValue")
		_, err = c.ModifyVerifiedAccessInstance(ctx, &ec2.ModifyVerifiedAccessInstanceInput{VerifiedAccessInstanceId: id, CidrEndpointsCustomSubDomain: aws.String(bad)})
		wantCode(t, err, "InvalidParameterValue")
	}
}

func nativeOidc(secret string) *ec2types.CreateVerifiedAccessNativeApplicationOidcOptions {
	return &ec2types.CreateVerifiedAccessNativeApplicationOidcOptions{
		PublicSigningKeyEndpoint: aws.String("https://idp.example.com/keys"),
		Issuer:                   aws.String("https://idp.example.com"),
		AuthorizationEndpoint:    aws.String("https://idp.example.com/authorize"),
		TokenEndpoint:            aws.String("https://idp.example.com/token"),
		UserInfoEndpoint:         aws.String("https://idp.example.com/userinfo"),
		ClientId:                 aws.String("native-client"),
		ClientSecret:             aws.String(secret),
		Scope:                    aws.String("openid groups"),
	}
}

func webOidcOptions() *ec2types.CreateVerifiedAccessTrustProviderOidcOptions {
	return &ec2types.CreateVerifiedAccessTrustProviderOidcOptions{
		Issuer: aws.String("https://idp.example.com"), AuthorizationEndpoint: aws.String("https://idp.example.com/authorize"),
		TokenEndpoint: aws.String("https://idp.example.com/token"), UserInfoEndpoint: aws.String("https://idp.example.com/userinfo"),
		ClientId: aws.String("web-client"), ClientSecret: aws.String("web-secret"),
	}
}

// CreateVerifiedAccessTrustProvider / ModifyVerifiedAccessTrustProvider /
// DescribeVerifiedAccessTrustProviders: NativeApplicationOidcOptions on an
// oidc provider, answered without the client secret; refused on any other
// provider type (InvalidParameterCombination); every endpoint, the client
// id and the secret are required (MissingParameter).
func TestNativeApplicationOidcOptions(t *testing.T) {
	ctx, c, _ := fresh(t)
	out, err := c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
		TrustProviderType: ec2types.TrustProviderTypeUser, UserTrustProviderType: ec2types.UserTrustProviderTypeOidc,
		PolicyReferenceName: aws.String("idp"), OidcOptions: webOidcOptions(), NativeApplicationOidcOptions: nativeOidc("native-secret"),
	})
	if err != nil {
		t.Fatal(err)
	}
	n := out.VerifiedAccessTrustProvider.NativeApplicationOidcOptions
	if n == nil || aws.ToString(n.PublicSigningKeyEndpoint) != "https://idp.example.com/keys" || aws.ToString(n.ClientId) != "native-client" || aws.ToString(n.Scope) != "openid groups" {
		t.Fatalf("native options %+v", n)
	}
	id := out.VerifiedAccessTrustProvider.VerifiedAccessTrustProviderId

	mod, err := c.ModifyVerifiedAccessTrustProvider(ctx, &ec2.ModifyVerifiedAccessTrustProviderInput{
		VerifiedAccessTrustProviderId: id,
		NativeApplicationOidcOptions:  &ec2types.ModifyVerifiedAccessNativeApplicationOidcOptions{ClientId: aws.String("native-2"), ClientSecret: aws.String("rotated")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := mod.VerifiedAccessTrustProvider.NativeApplicationOidcOptions; aws.ToString(n.ClientId) != "native-2" || aws.ToString(n.Issuer) != "https://idp.example.com" {
		t.Fatalf("modified native options %+v", n)
	}

	// An oidc provider created without them takes them later, complete.
	bare, err := c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
		TrustProviderType: ec2types.TrustProviderTypeUser, UserTrustProviderType: ec2types.UserTrustProviderTypeOidc,
		PolicyReferenceName: aws.String("idp2"), OidcOptions: webOidcOptions(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if bare.VerifiedAccessTrustProvider.NativeApplicationOidcOptions != nil {
		t.Fatal("a provider without native options answered some")
	}
	_, err = c.ModifyVerifiedAccessTrustProvider(ctx, &ec2.ModifyVerifiedAccessTrustProviderInput{
		VerifiedAccessTrustProviderId: bare.VerifiedAccessTrustProvider.VerifiedAccessTrustProviderId,
		NativeApplicationOidcOptions:  &ec2types.ModifyVerifiedAccessNativeApplicationOidcOptions{ClientId: aws.String("only-an-id")},
	})
	wantCode(t, err, "MissingParameter")

	incomplete := nativeOidc("s")
	incomplete.PublicSigningKeyEndpoint = nil
	_, err = c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
		TrustProviderType: ec2types.TrustProviderTypeUser, UserTrustProviderType: ec2types.UserTrustProviderTypeOidc,
		PolicyReferenceName: aws.String("idp3"), OidcOptions: webOidcOptions(), NativeApplicationOidcOptions: incomplete,
	})
	wantCode(t, err, "MissingParameter")

	plainHTTP := nativeOidc("s")
	plainHTTP.TokenEndpoint = aws.String("http://idp.example.com/token")
	_, err = c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
		TrustProviderType: ec2types.TrustProviderTypeUser, UserTrustProviderType: ec2types.UserTrustProviderTypeOidc,
		PolicyReferenceName: aws.String("idp4"), OidcOptions: webOidcOptions(), NativeApplicationOidcOptions: plainHTTP,
	})
	wantCode(t, err, "InvalidParameterValue")

	_, err = c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
		TrustProviderType: ec2types.TrustProviderTypeUser, UserTrustProviderType: ec2types.UserTrustProviderTypeIamIdentityCenter,
		PolicyReferenceName: aws.String("idc"), NativeApplicationOidcOptions: nativeOidc("s"),
	})
	wantCode(t, err, "InvalidParameterCombination")
	_, err = c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
		TrustProviderType: ec2types.TrustProviderTypeDevice, DeviceTrustProviderType: ec2types.DeviceTrustProviderTypeJamf,
		PolicyReferenceName: aws.String("jamf"), DeviceOptions: &ec2types.CreateVerifiedAccessTrustProviderDeviceOptions{TenantId: aws.String("t")},
		NativeApplicationOidcOptions: nativeOidc("s"),
	})
	wantCode(t, err, "InvalidParameterCombination")

	idc, err := c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
		TrustProviderType: ec2types.TrustProviderTypeUser, UserTrustProviderType: ec2types.UserTrustProviderTypeIamIdentityCenter,
		PolicyReferenceName: aws.String("idc"),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ModifyVerifiedAccessTrustProvider(ctx, &ec2.ModifyVerifiedAccessTrustProviderInput{
		VerifiedAccessTrustProviderId: idc.VerifiedAccessTrustProvider.VerifiedAccessTrustProviderId,
		NativeApplicationOidcOptions:  &ec2types.ModifyVerifiedAccessNativeApplicationOidcOptions{ClientId: aws.String("x")},
	})
	wantCode(t, err, "InvalidParameterCombination")
}

func sandboxKey(t *testing.T, ctx context.Context, enabled bool) string {
	t.Helper()
	arn, err := CreateSandboxKMSKey(ctx, testFront.URL, "us-east-1", enabled)
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

func cmk(arn string) *ec2types.VerifiedAccessSseSpecificationRequest {
	return &ec2types.VerifiedAccessSseSpecificationRequest{CustomerManagedKeyEnabled: aws.Bool(true), KmsKeyArn: aws.String(arn)}
}

// SseSpecification on CreateVerifiedAccessTrustProvider,
// ModifyVerifiedAccessTrustProvider, CreateVerifiedAccessGroup and
// ModifyVerifiedAccessGroupPolicy: a key of the sandbox's KMS is taken and
// answered; a key that does not exist, a disabled key, or something that is
// not a key ARN is InvalidParameterValue, and nothing is created.
func TestSseSpecificationCustomerManagedKey(t *testing.T) {
	ctx, c, _ := fresh(t)
	key, other, disabled := sandboxKey(t, ctx, true), sandboxKey(t, ctx, true), sandboxKey(t, ctx, false)
	missing := key[:strings.LastIndex(key, "/")+1] + "00000000-0000-0000-0000-000000000000"

	tp, err := c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
		TrustProviderType: ec2types.TrustProviderTypeUser, UserTrustProviderType: ec2types.UserTrustProviderTypeIamIdentityCenter,
		PolicyReferenceName: aws.String("idc"), SseSpecification: cmk(key),
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := tp.VerifiedAccessTrustProvider.SseSpecification; s == nil || !aws.ToBool(s.CustomerManagedKeyEnabled) || aws.ToString(s.KmsKeyArn) != key {
		t.Fatalf("trust provider encryption %+v", s)
	}
	mod, err := c.ModifyVerifiedAccessTrustProvider(ctx, &ec2.ModifyVerifiedAccessTrustProviderInput{
		VerifiedAccessTrustProviderId: tp.VerifiedAccessTrustProvider.VerifiedAccessTrustProviderId, SseSpecification: cmk(other),
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := mod.VerifiedAccessTrustProvider.SseSpecification; aws.ToString(s.KmsKeyArn) != other {
		t.Fatalf("modified trust provider encryption %+v", s)
	}

	in, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.CreateVerifiedAccessGroup(ctx, &ec2.CreateVerifiedAccessGroupInput{
		VerifiedAccessInstanceId: in.VerifiedAccessInstance.VerifiedAccessInstanceId, SseSpecification: cmk(key),
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := g.VerifiedAccessGroup.SseSpecification; aws.ToString(s.KmsKeyArn) != key {
		t.Fatalf("group encryption %+v", s)
	}
	gp, err := c.ModifyVerifiedAccessGroupPolicy(ctx, &ec2.ModifyVerifiedAccessGroupPolicyInput{
		VerifiedAccessGroupId: g.VerifiedAccessGroup.VerifiedAccessGroupId, PolicyEnabled: aws.Bool(false), SseSpecification: cmk(other),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(gp.SseSpecification.KmsKeyArn) != other {
		t.Fatalf("group policy encryption %+v", gp.SseSpecification)
	}

	for name, bad := range map[string]string{"missing": missing, "disabled": disabled, "alias": "alias/verified-access"} {
		_, err = c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
			TrustProviderType: ec2types.TrustProviderTypeUser, UserTrustProviderType: ec2types.UserTrustProviderTypeIamIdentityCenter,
			PolicyReferenceName: aws.String("idc-" + name), SseSpecification: cmk(bad),
		})
		wantCode(t, err, "InvalidParameterValue")
		_, err = c.CreateVerifiedAccessGroup(ctx, &ec2.CreateVerifiedAccessGroupInput{
			VerifiedAccessInstanceId: in.VerifiedAccessInstance.VerifiedAccessInstanceId, SseSpecification: cmk(bad),
		})
		wantCode(t, err, "InvalidParameterValue")
		_, err = c.ModifyVerifiedAccessGroupPolicy(ctx, &ec2.ModifyVerifiedAccessGroupPolicyInput{
			VerifiedAccessGroupId: g.VerifiedAccessGroup.VerifiedAccessGroupId, PolicyEnabled: aws.Bool(false), SseSpecification: cmk(bad),
		})
		wantCode(t, err, "InvalidParameterValue")
	}
	tps, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tps.VerifiedAccessTrustProviders) != 1 {
		t.Fatalf("refused creates left trust providers behind: %d", len(tps.VerifiedAccessTrustProviders))
	}
	groups, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.VerifiedAccessGroups) != 1 || aws.ToString(groups.VerifiedAccessGroups[0].SseSpecification.KmsKeyArn) != other {
		t.Fatalf("groups after refusals: %+v", groups.VerifiedAccessGroups)
	}
}

// SseSpecification on CreateVerifiedAccessEndpoint and
// ModifyVerifiedAccessEndpointPolicy: taken from the sandbox's KMS, a key
// that does not exist refused with InvalidParameterValue.
func TestEndpointCustomerManagedKey(t *testing.T) {
	ctx, c, _ := fresh(t)
	key, other := sandboxKey(t, ctx, true), sandboxKey(t, ctx, true)
	missing := key[:strings.LastIndex(key, "/")+1] + "11111111-1111-1111-1111-111111111111"
	grp := newGroup(t, c, newInstance(t, c))
	input := func(sse *ec2types.VerifiedAccessSseSpecificationRequest) *ec2.CreateVerifiedAccessEndpointInput {
		return &ec2.CreateVerifiedAccessEndpointInput{
			VerifiedAccessGroupId: aws.String(grp), AttachmentType: "vpc", EndpointType: ec2types.VerifiedAccessEndpointTypeNetworkInterface,
			ApplicationDomain: aws.String("wiki.internal.example.com"), DomainCertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/def"),
			EndpointDomainPrefix: aws.String("wiki"),
			NetworkInterfaceOptions: &ec2types.CreateVerifiedAccessEndpointEniOptions{
				NetworkInterfaceId: aws.String("eni-0123456789abcdef0"), Protocol: "https", Port: aws.Int32(443),
			},
			SseSpecification: sse,
		}
	}
	_, err := c.CreateVerifiedAccessEndpoint(ctx, input(cmk(missing)))
	wantCode(t, err, "InvalidParameterValue")
	out, err := c.CreateVerifiedAccessEndpoint(ctx, input(cmk(key)))
	if err != nil {
		t.Fatal(err)
	}
	if s := out.VerifiedAccessEndpoint.SseSpecification; s == nil || aws.ToString(s.KmsKeyArn) != key {
		t.Fatalf("endpoint encryption %+v", s)
	}
	id := out.VerifiedAccessEndpoint.VerifiedAccessEndpointId
	_, err = c.ModifyVerifiedAccessEndpointPolicy(ctx, &ec2.ModifyVerifiedAccessEndpointPolicyInput{
		VerifiedAccessEndpointId: id, PolicyEnabled: aws.Bool(false), SseSpecification: cmk(missing),
	})
	wantCode(t, err, "InvalidParameterValue")
	pol, err := c.ModifyVerifiedAccessEndpointPolicy(ctx, &ec2.ModifyVerifiedAccessEndpointPolicyInput{
		VerifiedAccessEndpointId: id, PolicyEnabled: aws.Bool(false), SseSpecification: cmk(other),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(pol.SseSpecification.KmsKeyArn) != other {
		t.Fatalf("endpoint policy encryption %+v", pol.SseSpecification)
	}
	desc, err := c.DescribeVerifiedAccessEndpoints(ctx, &ec2.DescribeVerifiedAccessEndpointsInput{VerifiedAccessEndpointIds: []string{*id}})
	if err != nil {
		t.Fatal(err)
	}
	if s := desc.VerifiedAccessEndpoints[0].SseSpecification; aws.ToString(s.KmsKeyArn) != other {
		t.Fatalf("described endpoint encryption %+v", s)
	}
}
