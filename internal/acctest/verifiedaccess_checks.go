package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// State checks on Verified Access instances and trust providers (access
// proxies), and the CheckDestroy functions of the proxy and surface tests.
// The group and endpoint checks are in verifiedaccess_surface_checks.go.

// ec2Check is a state check on the live object whose id is the id of the
// resource at address, with an EC2 client.
func ec2Check(address string, f func(ctx context.Context, c *ec2.Client, s state, id string) error) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		id, err := stateObjectID(s, address)
		if err != nil {
			return err
		}
		c, err := ec2Client(ctx)
		if err != nil {
			return err
		}
		return f(ctx, c, s, id)
	})
}

// ec2Live is a state check that needs only an EC2 client (ids captured by
// earlier steps).
func ec2Live(f func(ctx context.Context, c *ec2.Client) error) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, _ state) error {
		c, err := ec2Client(ctx)
		if err != nil {
			return err
		}
		return f(ctx, c)
	})
}

// ExpectAttachedTrustProviders checks that the trust providers attached to
// the live instance of the access proxy at address are exactly want, each
// "kind/type/reference/tenant" as DescribeTrustProviders renders them.
func ExpectAttachedTrustProviders(address string, want ...string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		tps, err := attachedTrustProviders(ctx, c, id)
		if err != nil {
			return err
		}
		w := append([]string(nil), want...)
		sort.Strings(w)
		if got := DescribeTrustProviders(tps); got != strings.Join(w, " ") {
			return fmt.Errorf("trust providers attached to %s: %s, want %s", id, got, strings.Join(w, " "))
		}
		return nil
	})
}

// ExpectTrustProvidersOwned checks that every trust provider attached to
// the live instance of the access proxy at address carries the provider's
// managed-by tag and the instance's id (zerotrust:proxy-id).
func ExpectTrustProvidersOwned(address string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		tps, err := attachedTrustProviders(ctx, c, id)
		if err != nil {
			return err
		}
		for _, tp := range tps {
			if tp.Tags["managed-by"] != "terraform-provider-zerotrust" || tp.Tags["zerotrust:proxy-id"] != id {
				return fmt.Errorf("trust provider %s tags %v", tp.ID, tp.Tags)
			}
		}
		return nil
	})
}

// ExpectUserTrustProvider checks each user trust provider attached to the
// live instance of the access proxy at address against want, the provider
// rendered as an object: type, reference, scope (OIDC) and tags.
func ExpectUserTrustProvider(address string, want knownvalue.Check) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		tps, err := attachedTrustProviders(ctx, c, id)
		if err != nil {
			return err
		}
		for _, tp := range tps {
			if tp.Kind != "user" {
				continue
			}
			live := map[string]any{"type": tp.Type, "reference": tp.Reference, "scope": tp.Scope, "tags": stringMap(tp.Tags)}
			if err := checkLive("user trust provider "+tp.ID, live, want); err != nil {
				return err
			}
		}
		return nil
	})
}

// ExpectAccessLogs checks the live logging configuration of the instance
// of the access proxy at address against want, rendered as an object:
// cloudwatch_enabled, cloudwatch_log_group, s3_enabled, s3_bucket,
// include_trust_context and log_version.
func ExpectAccessLogs(address string, want knownvalue.Check) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		l, err := accessLogs(ctx, c, id)
		if err != nil {
			return err
		}
		live := map[string]any{
			"cloudwatch_enabled": l.CloudWatchEnabled, "cloudwatch_log_group": l.CloudWatchLogGroup,
			"s3_enabled": l.S3Enabled, "s3_bucket": l.S3Bucket,
			"include_trust_context": l.IncludeTrustContext, "log_version": l.LogVersion,
		}
		return checkLive("logging of "+id, live, want)
	})
}

// ExpectVerifiedAccessInstanceDescription checks the live description of
// the instance of the access proxy at address.
func ExpectVerifiedAccessInstanceDescription(address, want string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		in, err := describeInstance(ctx, c, id)
		if err != nil {
			return err
		}
		if d := aws.ToString(in.Description); d != want {
			return fmt.Errorf("description of %s: %q, want %q", id, d, want)
		}
		return nil
	})
}

// ExpectVerifiedAccessInstanceOwnership checks that the live instance of
// the access proxy at address carries the ownership id in its state and is
// no longer marked pending.
func ExpectVerifiedAccessInstanceOwnership(address string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, s state, id string) error {
		own, err := stateOwnership(s, address)
		if err != nil {
			return err
		}
		in, err := describeInstance(ctx, c, id)
		if err != nil {
			return err
		}
		return expectOwnershipTags("instance "+id, tagMap(in.Tags), own)
	})
}

// ExpectVerifiedAccessInstancesNamed checks that the instances tagged as
// the proxy named name are exactly the one of the access proxy at address.
func ExpectVerifiedAccessInstancesNamed(address, name string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		ids, err := instancesNamed(ctx, c, name)
		if err != nil {
			return err
		}
		if len(ids) != 1 || ids[0] != id {
			return fmt.Errorf("instances of the proxy %s: %v, want only %s", name, ids, id)
		}
		return nil
	})
}

// ExpectVerifiedAccessObjectCounts counts the live objects of the proxy
// named name whose instance is the access proxy at address: instances
// tagged with the name, the instance's trust providers, its groups and
// their endpoints.
func ExpectVerifiedAccessObjectCounts(address, name string, instances, providers, groups, endpoints int) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		in, err := instancesNamed(ctx, c, name)
		if err != nil {
			return err
		}
		tps, err := ownedTrustProviders(ctx, c, id)
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
		got := [4]int{len(in), len(tps), len(g.VerifiedAccessGroups), len(e.VerifiedAccessEndpoints)}
		if got != [4]int{instances, providers, groups, endpoints} {
			return fmt.Errorf("objects of %s: %d instances, %d trust providers, %d groups, %d endpoints; want %d, %d, %d, %d",
				name, got[0], got[1], got[2], got[3], instances, providers, groups, endpoints)
		}
		return nil
	})
}

// ExpectOwnedTrustProviders checks that exactly n trust providers are
// tagged as owned by the instance *id (captured by an earlier step).
func ExpectOwnedTrustProviders(id *string, n int) statecheck.StateCheck {
	return ec2Live(func(ctx context.Context, c *ec2.Client) error {
		tps, err := ownedTrustProviders(ctx, c, *id)
		if err != nil {
			return err
		}
		if len(tps) != n {
			return fmt.Errorf("%d trust providers owned by %s, want %d", len(tps), *id, n)
		}
		return nil
	})
}

// ExpectVerifiedAccessInstanceReplaced records the id of the access proxy
// at address in *id and checks that the instance *id held before (the
// replaced one) is gone, with every trust provider it owned.
func ExpectVerifiedAccessInstanceReplaced(address string, id *string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, current string) error {
		old := *id
		*id = current
		if instanceExists(ctx, c, old) {
			return fmt.Errorf("replaced instance %s still exists", old)
		}
		tps, err := ownedTrustProviders(ctx, c, old)
		if err != nil {
			return err
		}
		if len(tps) != 0 {
			return fmt.Errorf("%d trust providers of the replaced instance %s left", len(tps), old)
		}
		return nil
	})
}

// ExpectTrustProviderExists checks that the trust provider *id (made out of
// band by the test) can still be described.
func ExpectTrustProviderExists(id *string) statecheck.StateCheck {
	return ec2Live(func(ctx context.Context, c *ec2.Client) error {
		if err := trustProviderExists(ctx, c, *id); err != nil {
			return fmt.Errorf("trust provider deleted: %v", err)
		}
		return nil
	})
}

// DisappearAccessProxy deletes the live instance of the access proxy at
// address out of band, after the step's apply, with its trust providers
// (a "disappears" test: the next plan must re-create it).
func DisappearAccessProxy(address string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		tps, err := attachedTrustProviders(ctx, c, id)
		if err != nil {
			return err
		}
		for _, tp := range tps {
			if _, err := c.DetachVerifiedAccessTrustProvider(ctx, &ec2.DetachVerifiedAccessTrustProviderInput{VerifiedAccessInstanceId: aws.String(id), VerifiedAccessTrustProviderId: aws.String(tp.ID)}); err != nil {
				return err
			}
			if _, err := c.DeleteVerifiedAccessTrustProvider(ctx, &ec2.DeleteVerifiedAccessTrustProviderInput{VerifiedAccessTrustProviderId: aws.String(tp.ID)}); err != nil {
				return err
			}
		}
		_, err = c.DeleteVerifiedAccessInstance(ctx, &ec2.DeleteVerifiedAccessInstanceInput{VerifiedAccessInstanceId: aws.String(id)})
		return err
	})
}

// number renders an integer as state numbers are.
func number(n int64) json.Number { return json.Number(fmt.Sprint(n)) }

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

// ExpectVerifiedAccessInstanceTags checks that the live instance of the
// access proxy at address carries each of want.
func ExpectVerifiedAccessInstanceTags(address string, want map[string]string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
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
