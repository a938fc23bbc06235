package acctest

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// Customer-managed keys, the CIDR-endpoint subdomain and native-application
// OIDC options, read from the live Verified Access objects.

// CreateKMSKey creates a symmetric encryption key in the sandbox's KMS and
// returns its ARN. Keys cannot be deleted at once (KMS schedules deletion),
// and the sandbox is discarded after the run, so nothing is cleaned up.
func CreateKMSKey(t *testing.T) string {
	t.Helper()
	if Sandbox == nil {
		t.Skip("customer-managed-key tests create their keys in the sandbox's KMS")
	}
	region := os.Getenv("AWS_REGION")
	arn, err := vafront.CreateSandboxKMSKey(context.Background(), Sandbox.AWSEndpoint(), region, true)
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

// ExpectTrustProviderKeys checks that every trust provider attached to the
// live instance of the proxy at address reports the customer-managed key
// want ("" for the AWS-owned key).
func ExpectTrustProviderKeys(address, want string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		in, err := describeInstance(ctx, c, id)
		if err != nil {
			return err
		}
		var ids []string
		for _, tp := range in.VerifiedAccessTrustProviders {
			ids = append(ids, aws.ToString(tp.VerifiedAccessTrustProviderId))
		}
		if len(ids) == 0 {
			return fmt.Errorf("no trust provider attached to %s", id)
		}
		out, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{VerifiedAccessTrustProviderIds: ids})
		if err != nil {
			return err
		}
		for _, tp := range out.VerifiedAccessTrustProviders {
			if got := keyARN(tp.SseSpecification); got != want {
				return fmt.Errorf("trust provider %s is encrypted with %q, want %q", aws.ToString(tp.VerifiedAccessTrustProviderId), got, want)
			}
		}
		return nil
	})
}

// ExpectSurfaceKeys checks that the live group of the surface at address
// and every endpoint in it report the customer-managed key want ("" for
// the AWS-owned key).
func ExpectSurfaceKeys(address, want string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		g, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessGroupIds: []string{id}})
		if err != nil {
			return err
		}
		if len(g.VerifiedAccessGroups) != 1 {
			return fmt.Errorf("group %s: %d found", id, len(g.VerifiedAccessGroups))
		}
		var wrong []string
		if s := g.VerifiedAccessGroups[0].SseSpecification; keyARN(s) != want {
			wrong = append(wrong, "group "+id)
		}
		eps, err := c.DescribeVerifiedAccessEndpoints(ctx, &ec2.DescribeVerifiedAccessEndpointsInput{VerifiedAccessGroupId: aws.String(id)})
		if err != nil {
			return err
		}
		if len(eps.VerifiedAccessEndpoints) == 0 {
			return fmt.Errorf("group %s has no endpoint", id)
		}
		for _, e := range eps.VerifiedAccessEndpoints {
			if s := e.SseSpecification; keyARN(s) != want {
				wrong = append(wrong, "endpoint "+aws.ToString(e.VerifiedAccessEndpointId))
			}
		}
		if len(wrong) > 0 {
			sort.Strings(wrong)
			return fmt.Errorf("not encrypted with %q: %s", want, strings.Join(wrong, ", "))
		}
		return nil
	})
}

func keyARN(s *ec2types.VerifiedAccessSseSpecificationResponse) string {
	if s == nil || !aws.ToBool(s.CustomerManagedKeyEnabled) {
		return ""
	}
	return aws.ToString(s.KmsKeyArn)
}

// ExpectCidrSubDomain checks the live instance's CIDR-endpoint subdomain
// and that it answers name servers for it.
func ExpectCidrSubDomain(address, want string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		in, err := describeInstance(ctx, c, id)
		if err != nil {
			return err
		}
		sd := in.CidrEndpointsCustomSubDomain
		if sd == nil || aws.ToString(sd.SubDomain) != want || len(sd.Nameservers) == 0 {
			return fmt.Errorf("instance %s: custom subdomain %+v, want %q with name servers", id, sd, want)
		}
		return nil
	})
}

// ExpectNativeOIDCClientID checks the client id of the live user trust
// provider's native-application OIDC options.
func ExpectNativeOIDCClientID(address, want string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		in, err := describeInstance(ctx, c, id)
		if err != nil {
			return err
		}
		var ids []string
		for _, tp := range in.VerifiedAccessTrustProviders {
			ids = append(ids, aws.ToString(tp.VerifiedAccessTrustProviderId))
		}
		out, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{VerifiedAccessTrustProviderIds: ids})
		if err != nil {
			return err
		}
		for _, tp := range out.VerifiedAccessTrustProviders {
			if tp.TrustProviderType != "user" {
				continue
			}
			n := tp.NativeApplicationOidcOptions
			if n == nil || aws.ToString(n.ClientId) != want {
				return fmt.Errorf("user trust provider %s: native-application options %+v, want client id %q", aws.ToString(tp.VerifiedAccessTrustProviderId), n, want)
			}
			return nil
		}
		return fmt.Errorf("no user trust provider attached to %s", id)
	})
}

// SetGroupKeyOutOfBand switches a live group to another key behind the
// provider's back (keeping its policy), as a console edit would.
func SetGroupKeyOutOfBand(t *testing.T, groupID, kmsKeyARN string) {
	t.Helper()
	ctx := context.Background()
	c := EC2(t)
	p, err := c.GetVerifiedAccessGroupPolicy(ctx, &ec2.GetVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: aws.String(groupID)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ModifyVerifiedAccessGroupPolicy(ctx, &ec2.ModifyVerifiedAccessGroupPolicyInput{
		VerifiedAccessGroupId: aws.String(groupID), PolicyEnabled: p.PolicyEnabled, PolicyDocument: p.PolicyDocument,
		SseSpecification: &ec2types.VerifiedAccessSseSpecificationRequest{CustomerManagedKeyEnabled: aws.Bool(true), KmsKeyArn: aws.String(kmsKeyARN)},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// SetTrustProviderKeyOutOfBand switches a live trust provider to another
// key behind the provider's back, as a console edit would.
func SetTrustProviderKeyOutOfBand(t *testing.T, trustProviderID, kmsKeyARN string) {
	t.Helper()
	_, err := EC2(t).ModifyVerifiedAccessTrustProvider(context.Background(), &ec2.ModifyVerifiedAccessTrustProviderInput{
		VerifiedAccessTrustProviderId: aws.String(trustProviderID),
		SseSpecification:              &ec2types.VerifiedAccessSseSpecificationRequest{CustomerManagedKeyEnabled: aws.Bool(true), KmsKeyArn: aws.String(kmsKeyARN)},
	})
	if err != nil {
		t.Fatal(err)
	}
}
