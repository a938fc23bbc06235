package awsapi

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Customer-managed keys, native-application OIDC and the CIDR-endpoint
// subdomain: the Verified Access settings the connectivity client and
// regulated organisations need. Every key change is made in place: the API
// takes SseSpecification on ModifyVerifiedAccessTrustProvider and on the
// policy modifies of groups and endpoints.

// sseRequest is the SseSpecification for a key ARN: "" is the AWS-owned key.
func sseRequest(kmsKeyARN string) *types.VerifiedAccessSseSpecificationRequest {
	if kmsKeyARN == "" {
		return &types.VerifiedAccessSseSpecificationRequest{CustomerManagedKeyEnabled: aws.Bool(false)}
	}
	return &types.VerifiedAccessSseSpecificationRequest{CustomerManagedKeyEnabled: aws.Bool(true), KmsKeyArn: aws.String(kmsKeyARN)}
}

// createSse is the SseSpecification of a create: none for the AWS-owned
// key, so a create without a key sends exactly what it always sent.
func createSse(kmsKeyARN string) *types.VerifiedAccessSseSpecificationRequest {
	if kmsKeyARN == "" {
		return nil
	}
	return sseRequest(kmsKeyARN)
}

// keyOf is the customer-managed key an object reports, "" for the AWS-owned one.
func keyOf(s *types.VerifiedAccessSseSpecificationResponse) string {
	if s == nil || !aws.ToBool(s.CustomerManagedKeyEnabled) {
		return ""
	}
	return aws.ToString(s.KmsKeyArn)
}

// NativeOIDCOptions are an OIDC trust provider's native-application options
// (what the Verified Access connectivity client signs in with).
// ClientSecret is only ever sent, never read back.
type NativeOIDCOptions struct {
	PublicSigningKeyEndpoint, Issuer, AuthorizationEndpoint, TokenEndpoint, UserInfoEndpoint string
	ClientID, ClientSecret, Scope                                                            string
}

func fromSDKNativeOIDC(o *types.NativeApplicationOidcOptions) *NativeOIDCOptions {
	if o == nil {
		return nil
	}
	return &NativeOIDCOptions{
		PublicSigningKeyEndpoint: aws.ToString(o.PublicSigningKeyEndpoint), Issuer: aws.ToString(o.Issuer),
		AuthorizationEndpoint: aws.ToString(o.AuthorizationEndpoint), TokenEndpoint: aws.ToString(o.TokenEndpoint),
		UserInfoEndpoint: aws.ToString(o.UserInfoEndpoint), ClientID: aws.ToString(o.ClientId), Scope: aws.ToString(o.Scope),
	}
}

func createNativeOIDC(o *NativeOIDCOptions) *types.CreateVerifiedAccessNativeApplicationOidcOptions {
	if o == nil {
		return nil
	}
	return &types.CreateVerifiedAccessNativeApplicationOidcOptions{
		PublicSigningKeyEndpoint: aws.String(o.PublicSigningKeyEndpoint), Issuer: aws.String(o.Issuer),
		AuthorizationEndpoint: aws.String(o.AuthorizationEndpoint), TokenEndpoint: aws.String(o.TokenEndpoint),
		UserInfoEndpoint: aws.String(o.UserInfoEndpoint), ClientId: aws.String(o.ClientID),
		ClientSecret: aws.String(o.ClientSecret), Scope: optString(o.Scope),
	}
}

// ModifyVerifiedAccessTrustProviderNativeOIDC rewrites an OIDC provider's
// native-application options in place. An empty ClientSecret leaves the
// stored secret unchanged.
func ModifyVerifiedAccessTrustProviderNativeOIDC(ctx context.Context, c *ec2.Client, id string, o NativeOIDCOptions) error {
	_, err := c.ModifyVerifiedAccessTrustProvider(ctx, &ec2.ModifyVerifiedAccessTrustProviderInput{
		VerifiedAccessTrustProviderId: aws.String(id), ClientToken: clientToken(),
		NativeApplicationOidcOptions: &types.ModifyVerifiedAccessNativeApplicationOidcOptions{
			PublicSigningKeyEndpoint: aws.String(o.PublicSigningKeyEndpoint), Issuer: aws.String(o.Issuer),
			AuthorizationEndpoint: aws.String(o.AuthorizationEndpoint), TokenEndpoint: aws.String(o.TokenEndpoint),
			UserInfoEndpoint: aws.String(o.UserInfoEndpoint), ClientId: aws.String(o.ClientID),
			ClientSecret: optString(o.ClientSecret), Scope: aws.String(o.Scope),
		},
	})
	if err != nil {
		return fmt.Errorf("modifying the native-application OIDC options of trust provider %s: %w", id, err)
	}
	return nil
}

// SetVerifiedAccessTrustProviderKey switches a trust provider to a key
// ("" the AWS-owned one) in place.
func SetVerifiedAccessTrustProviderKey(ctx context.Context, c *ec2.Client, id, kmsKeyARN string) error {
	_, err := c.ModifyVerifiedAccessTrustProvider(ctx, &ec2.ModifyVerifiedAccessTrustProviderInput{
		VerifiedAccessTrustProviderId: aws.String(id), SseSpecification: sseRequest(kmsKeyARN), ClientToken: clientToken(),
	})
	if err != nil {
		return fmt.Errorf("changing the encryption key of trust provider %s: %w", id, err)
	}
	return nil
}

// ReconcileTrustProviderKeys puts every given trust provider on the key.
func ReconcileTrustProviderKeys(ctx context.Context, c *ec2.Client, tps []*VerifiedAccessTrustProvider, kmsKeyARN string) error {
	for _, tp := range tps {
		if tp == nil || tp.KMSKeyARN == kmsKeyARN {
			continue
		}
		if err := SetVerifiedAccessTrustProviderKey(ctx, c, tp.ID, kmsKeyARN); err != nil {
			return err
		}
		tflog.Info(ctx, "trust provider encryption key changed", map[string]any{"trust_provider": tp.ID, "customer_managed": kmsKeyARN != ""})
	}
	return nil
}

// SetVerifiedAccessInstanceSubDomain sets an instance's custom subdomain
// for CIDR endpoints in place and returns the instance as the API answers
// (with the name servers to delegate the subdomain to).
func SetVerifiedAccessInstanceSubDomain(ctx context.Context, c *ec2.Client, id, subDomain string) (*VerifiedAccessInstance, error) {
	out, err := c.ModifyVerifiedAccessInstance(ctx, &ec2.ModifyVerifiedAccessInstanceInput{
		VerifiedAccessInstanceId: aws.String(id), CidrEndpointsCustomSubDomain: aws.String(subDomain), ClientToken: clientToken(),
	})
	if err != nil {
		return nil, fmt.Errorf("setting the CIDR-endpoint subdomain of %s %s: %w", vaInstanceKind, id, err)
	}
	return fromSDKInstance(*out.VerifiedAccessInstance), nil
}

// SetVerifiedAccessGroupKey switches a group to a key ("" the AWS-owned
// one), rewriting its policy document with it (ModifyVerifiedAccessGroupPolicy
// carries the key; document "" keeps evaluation disabled).
func SetVerifiedAccessGroupKey(ctx context.Context, c *ec2.Client, id, document, kmsKeyARN string) error {
	in := &ec2.ModifyVerifiedAccessGroupPolicyInput{
		VerifiedAccessGroupId: aws.String(id), PolicyEnabled: aws.Bool(document != ""), SseSpecification: sseRequest(kmsKeyARN), ClientToken: clientToken(),
	}
	if document != "" {
		in.PolicyDocument = aws.String(document)
	}
	if _, err := c.ModifyVerifiedAccessGroupPolicy(ctx, in); err != nil {
		return fmt.Errorf("changing the encryption key of %s %s: %w", vaGroupKind, id, err)
	}
	return nil
}

// SetVerifiedAccessEndpointKey switches an endpoint to a key, rewriting its
// policy document with it (ModifyVerifiedAccessEndpointPolicy carries the key).
func SetVerifiedAccessEndpointKey(ctx context.Context, c *ec2.Client, id, document, kmsKeyARN string) error {
	in := &ec2.ModifyVerifiedAccessEndpointPolicyInput{
		VerifiedAccessEndpointId: aws.String(id), PolicyEnabled: aws.Bool(document != ""), SseSpecification: sseRequest(kmsKeyARN), ClientToken: clientToken(),
	}
	if document != "" {
		in.PolicyDocument = aws.String(document)
	}
	if _, err := c.ModifyVerifiedAccessEndpointPolicy(ctx, in); err != nil {
		return fmt.Errorf("changing the encryption key of endpoint %s: %w", id, err)
	}
	return nil
}

// ReconcileEndpointKeys puts the endpoints of out (by application) on the
// keys of their specs, with their policies (by application).
func ReconcileEndpointKeys(ctx context.Context, c *ec2.Client, applications []NamedEndpointSpec, policies map[string]string, out map[string]*VerifiedAccessEndpoint) error {
	for _, a := range applications {
		e := out[a.Application]
		if e == nil || e.KMSKeyARN == a.KMSKeyARN {
			continue
		}
		if err := SetVerifiedAccessEndpointKey(ctx, c, e.ID, policies[a.Application], a.KMSKeyARN); err != nil {
			return err
		}
		e.KMSKeyARN = a.KMSKeyARN
		tflog.Info(ctx, "endpoint encryption key changed", map[string]any{"endpoint": e.ID, "customer_managed": a.KMSKeyARN != ""})
	}
	return nil
}
