package acctest

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// State checks on Verified Access groups and endpoints (protect surfaces).

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
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		g, err := describeVAGroup(ctx, c, id)
		if err != nil {
			return err
		}
		return expectTags("group", tagMap(g.Tags), want)
	})
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

// ExpectVerifiedAccessGroupOwnership checks that the live group of the
// protect surface at address carries the ownership id in its state and is
// no longer marked pending.
func ExpectVerifiedAccessGroupOwnership(address string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, s state, id string) error {
		own, err := stateOwnership(s, address)
		if err != nil {
			return err
		}
		g, err := describeVAGroup(ctx, c, id)
		if err != nil {
			return err
		}
		return expectOwnershipTags("group "+id, tagMap(g.Tags), own)
	})
}

// ExpectVerifiedAccessGroupsOfProxy checks that the live groups on the
// proxy of the protect surface at address (its proxy_id in state) are
// exactly the surface's own.
func ExpectVerifiedAccessGroupsOfProxy(address string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, s state, id string) error {
		proxyID, err := stateString(s, address, "proxy_id")
		if err != nil {
			return err
		}
		groups, err := groupsOf(ctx, c, proxyID)
		if err != nil {
			return err
		}
		if len(groups) != 1 || groups[0] != id {
			return fmt.Errorf("groups on the proxy %s: %v, want only %s", proxyID, groups, id)
		}
		return nil
	})
}

// ExpectVerifiedAccessGroupPolicyDocument checks the live policy document
// of the group of the protect surface at address against want (whether it
// is enabled is not looked at: ExpectVerifiedAccessGroupPolicy does).
func ExpectVerifiedAccessGroupPolicyDocument(address string, want knownvalue.Check) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		p, err := groupPolicy(ctx, c, id)
		if err != nil {
			return err
		}
		return checkLive("policy document of "+id, p.Document, want)
	})
}

// endpointObject renders a live endpoint as an object: id, status,
// application_domain, endpoint_domain, tags, load_balancer_arn,
// load_balancer_port, load_balancer_protocol, subnet_ids, cidr and
// cidr_protocol.
func endpointObject(e VerifiedAccessEndpoint) map[string]any {
	return map[string]any{
		"id": e.ID, "status": e.Status, "application_domain": e.ApplicationDomain, "endpoint_domain": e.EndpointDomain,
		"tags": stringMap(e.Tags), "load_balancer_arn": e.LoadBalancerARN, "load_balancer_port": number(int64(e.LoadBalancerPort)),
		"load_balancer_protocol": e.LoadBalancerProtocol, "subnet_ids": stringList(e.SubnetIDs), "cidr": e.Cidr, "cidr_protocol": e.CidrProtocol,
		"cidr_port_ranges": stringList(e.CidrPortRanges), "rds_db_instance_arn": e.RdsInstanceARN, "rds_db_cluster_arn": e.RdsClusterARN,
		"rds_db_proxy_arn": e.RdsProxyARN, "rds_endpoint": e.RdsEndpoint, "rds_port": number(int64(e.RdsPort)), "rds_protocol": e.RdsProtocol,
	}
}

// ExpectVerifiedAccessEndpoints checks the live endpoints of the group of
// the protect surface at address against want, a list of objects rendered
// as ExpectVerifiedAccessEndpoint describes (knownvalue.ListSizeExact counts
// them).
func ExpectVerifiedAccessEndpoints(address string, want knownvalue.Check) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		eps, err := endpointsOf(ctx, c, id)
		if err != nil {
			return err
		}
		live := make([]any, 0, len(eps))
		for _, e := range eps {
			live = append(live, endpointObject(e))
		}
		return checkLive("endpoints of "+id, live, want)
	})
}

// ExpectVerifiedAccessEndpoint checks the live endpoint of application on
// the protect surface at address (endpoints[application].id in state)
// against want, the endpoint rendered as an object: id, status,
// application_domain, endpoint_domain, tags, load_balancer_arn,
// load_balancer_port, load_balancer_protocol, subnet_ids, cidr,
// cidr_protocol and policy_enabled (whether its endpoint policy is on).
func ExpectVerifiedAccessEndpoint(address, application string, want knownvalue.Check) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, s state, groupID string) error {
		id, err := stateStringAt(s, address, tfjsonpath.New("endpoints").AtMapKey(application).AtMapKey("id"))
		if err != nil {
			return err
		}
		eps, err := endpointsOf(ctx, c, groupID)
		if err != nil {
			return err
		}
		for _, e := range eps {
			if e.ID != id {
				continue
			}
			p, err := endpointPolicy(ctx, c, id)
			if err != nil {
				return err
			}
			live := endpointObject(e)
			live["policy_enabled"] = p.Enabled
			return checkLive(application+" endpoint "+id, live, want)
		}
		return fmt.Errorf("%s endpoint %s not among the live endpoints of %s", application, id, groupID)
	})
}

// DisappearProtectSurface deletes the live group of the protect surface at
// address out of band, after the step's apply, with its endpoints (a
// "disappears" test: the next plan must re-create it).
func DisappearProtectSurface(address string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		eps, err := endpointsOf(ctx, c, id)
		if err != nil {
			return err
		}
		for _, e := range eps {
			if _, err := c.DeleteVerifiedAccessEndpoint(ctx, &ec2.DeleteVerifiedAccessEndpointInput{VerifiedAccessEndpointId: aws.String(e.ID)}); err != nil {
				return err
			}
		}
		_, err = c.DeleteVerifiedAccessGroup(ctx, &ec2.DeleteVerifiedAccessGroupInput{VerifiedAccessGroupId: aws.String(id)})
		return err
	})
}
