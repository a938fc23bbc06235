package vafront

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func newGroup(t *testing.T, c *ec2.Client, inst string) string {
	t.Helper()
	out, err := c.CreateVerifiedAccessGroup(t.Context(), &ec2.CreateVerifiedAccessGroupInput{VerifiedAccessInstanceId: aws.String(inst)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.VerifiedAccessGroup.VerifiedAccessGroupId)
}

func describeEndpoint(t *testing.T, c *ec2.Client, id string) ec2types.VerifiedAccessEndpoint {
	t.Helper()
	out, err := c.DescribeVerifiedAccessEndpoints(t.Context(), &ec2.DescribeVerifiedAccessEndpointsInput{VerifiedAccessEndpointIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.VerifiedAccessEndpoints) != 1 {
		t.Fatalf("describe %s: %d endpoints", id, len(out.VerifiedAccessEndpoints))
	}
	return out.VerifiedAccessEndpoints[0]
}

// waitActive polls like a provider waiter would.
func waitActive(t *testing.T, c *ec2.Client, id string) ec2types.VerifiedAccessEndpoint {
	t.Helper()
	deadline := time.Now().Add(10 * activation)
	for {
		e := describeEndpoint(t, c, id)
		if e.Status.Code == ec2types.VerifiedAccessEndpointStatusCodeActive {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("endpoint %s still %s", id, e.Status.Code)
		}
		time.Sleep(activation / 4)
	}
}

func TestEndpointLifecycle(t *testing.T) {
	ctx, c, _ := fresh(t)
	inst := newInstance(t, c)
	grp := newGroup(t, c, inst)
	grp2 := newGroup(t, c, inst)

	lb, err := c.CreateVerifiedAccessEndpoint(ctx, &ec2.CreateVerifiedAccessEndpointInput{
		VerifiedAccessGroupId: aws.String(grp),
		AttachmentType:        ec2types.VerifiedAccessEndpointAttachmentTypeVpc,
		EndpointType:          ec2types.VerifiedAccessEndpointTypeLoadBalancer,
		ApplicationDomain:     aws.String("pay.internal.example.com"),
		DomainCertificateArn:  aws.String("arn:aws:acm:us-east-1:123456789012:certificate/abc"),
		EndpointDomainPrefix:  aws.String("pay"),
		SecurityGroupIds:      []string{"sg-0123456789abcdef0"},
		LoadBalancerOptions: &ec2types.CreateVerifiedAccessEndpointLoadBalancerOptions{
			LoadBalancerArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/pay/1"),
			Port:            aws.Int32(443),
			Protocol:        ec2types.VerifiedAccessEndpointProtocolHttps,
			SubnetIds:       []string{"subnet-1", "subnet-2"},
		},
		PolicyDocument:    aws.String(allowEngineers),
		TagSpecifications: tagSpec("verified-access-endpoint", "app", "payments-admin"),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := lb.VerifiedAccessEndpoint
	id := aws.ToString(e.VerifiedAccessEndpointId)
	if !strings.HasPrefix(id, "vae-") || e.Status.Code != ec2types.VerifiedAccessEndpointStatusCodePending ||
		aws.ToString(e.VerifiedAccessInstanceId) != inst || aws.ToString(e.ApplicationDomain) != "pay.internal.example.com" ||
		!strings.HasPrefix(aws.ToString(e.EndpointDomain), "pay.edge-") || !strings.Contains(aws.ToString(e.EndpointDomain), "."+inst+".") ||
		len(e.SecurityGroupIds) != 1 || e.LoadBalancerOptions == nil || aws.ToInt32(e.LoadBalancerOptions.Port) != 443 ||
		e.LoadBalancerOptions.Protocol != "https" || len(e.LoadBalancerOptions.SubnetIds) != 2 || tagMap(e.Tags)["app"] != "payments-admin" {
		t.Fatalf("created endpoint %+v", e)
	}

	// Modifying while pending is refused; once active it is accepted and
	// the endpoint goes through updating back to active.
	_, err = c.ModifyVerifiedAccessEndpoint(ctx, &ec2.ModifyVerifiedAccessEndpointInput{VerifiedAccessEndpointId: aws.String(id), Description: aws.String("x")})
	wantCode(t, err, "IncorrectState")
	waitActive(t, c, id)
	mod, err := c.ModifyVerifiedAccessEndpoint(ctx, &ec2.ModifyVerifiedAccessEndpointInput{
		VerifiedAccessEndpointId: aws.String(id),
		VerifiedAccessGroupId:    aws.String(grp2),
		Description:              aws.String("payments admin"),
		LoadBalancerOptions:      &ec2types.ModifyVerifiedAccessEndpointLoadBalancerOptions{Port: aws.Int32(8443)},
	})
	if err != nil {
		t.Fatal(err)
	}
	me := mod.VerifiedAccessEndpoint
	if me.Status.Code != ec2types.VerifiedAccessEndpointStatusCodeUpdating || aws.ToInt32(me.LoadBalancerOptions.Port) != 8443 ||
		aws.ToString(me.VerifiedAccessGroupId) != grp2 || aws.ToString(me.Description) != "payments admin" ||
		aws.ToString(me.LoadBalancerOptions.LoadBalancerArn) == "" {
		t.Fatalf("modified endpoint %+v", me)
	}
	waitActive(t, c, id)
	_, err = c.ModifyVerifiedAccessEndpoint(ctx, &ec2.ModifyVerifiedAccessEndpointInput{
		VerifiedAccessEndpointId: aws.String(id),
		CidrOptions:              &ec2types.ModifyVerifiedAccessEndpointCidrOptions{PortRanges: []ec2types.ModifyVerifiedAccessEndpointPortRange{{FromPort: aws.Int32(1), ToPort: aws.Int32(2)}}},
	})
	wantCode(t, err, "InvalidParameterCombination")

	// Endpoint policy.
	pol, err := c.GetVerifiedAccessEndpointPolicy(ctx, &ec2.GetVerifiedAccessEndpointPolicyInput{VerifiedAccessEndpointId: aws.String(id)})
	if err != nil || !aws.ToBool(pol.PolicyEnabled) || aws.ToString(pol.PolicyDocument) != allowEngineers {
		t.Fatalf("endpoint policy: %v %+v", err, pol)
	}
	off, err := c.ModifyVerifiedAccessEndpointPolicy(ctx, &ec2.ModifyVerifiedAccessEndpointPolicyInput{
		VerifiedAccessEndpointId: aws.String(id), PolicyEnabled: aws.Bool(false),
	})
	if err != nil || aws.ToBool(off.PolicyEnabled) || aws.ToString(off.PolicyDocument) != allowEngineers {
		t.Fatalf("endpoint policy off: %v %+v", err, off)
	}

	// A group with endpoints cannot be deleted.
	_, err = c.DeleteVerifiedAccessGroup(ctx, &ec2.DeleteVerifiedAccessGroupInput{VerifiedAccessGroupId: aws.String(grp2)})
	wantCode(t, err, "DependencyViolation")

	del, err := c.DeleteVerifiedAccessEndpoint(ctx, &ec2.DeleteVerifiedAccessEndpointInput{VerifiedAccessEndpointId: aws.String(id)})
	if err != nil || del.VerifiedAccessEndpoint.Status.Code != ec2types.VerifiedAccessEndpointStatusCodeDeleting {
		t.Fatalf("delete endpoint: %v %+v", err, del)
	}
	_, err = c.DescribeVerifiedAccessEndpoints(ctx, &ec2.DescribeVerifiedAccessEndpointsInput{VerifiedAccessEndpointIds: []string{id}})
	wantCode(t, err, "InvalidVerifiedAccessEndpointId.NotFound")
	_, err = c.GetVerifiedAccessEndpointPolicy(ctx, &ec2.GetVerifiedAccessEndpointPolicyInput{VerifiedAccessEndpointId: aws.String(id)})
	wantCode(t, err, "InvalidVerifiedAccessEndpointId.NotFound")
	if _, err := c.DeleteVerifiedAccessGroup(ctx, &ec2.DeleteVerifiedAccessGroupInput{VerifiedAccessGroupId: aws.String(grp2)}); err != nil {
		t.Fatal(err)
	}
}

func TestEndpointTypes(t *testing.T) {
	ctx, c, _ := fresh(t)
	inst := newInstance(t, c)
	grp := newGroup(t, c, inst)

	eni, err := c.CreateVerifiedAccessEndpoint(ctx, &ec2.CreateVerifiedAccessEndpointInput{
		VerifiedAccessGroupId: aws.String(grp),
		AttachmentType:        "vpc",
		EndpointType:          ec2types.VerifiedAccessEndpointTypeNetworkInterface,
		ApplicationDomain:     aws.String("wiki.internal.example.com"),
		DomainCertificateArn:  aws.String("arn:aws:acm:us-east-1:123456789012:certificate/def"),
		EndpointDomainPrefix:  aws.String("wiki"),
		NetworkInterfaceOptions: &ec2types.CreateVerifiedAccessEndpointEniOptions{
			NetworkInterfaceId: aws.String("eni-0123456789abcdef0"),
			Protocol:           "http",
			PortRanges:         []ec2types.CreateVerifiedAccessEndpointPortRange{{FromPort: aws.Int32(80), ToPort: aws.Int32(81)}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ne := eni.VerifiedAccessEndpoint
	if ne.NetworkInterfaceOptions == nil || aws.ToString(ne.NetworkInterfaceOptions.NetworkInterfaceId) != "eni-0123456789abcdef0" ||
		len(ne.NetworkInterfaceOptions.PortRanges) != 1 || aws.ToInt32(ne.NetworkInterfaceOptions.PortRanges[0].ToPort) != 81 {
		t.Fatalf("eni endpoint %+v", ne)
	}

	cidr, err := c.CreateVerifiedAccessEndpoint(ctx, &ec2.CreateVerifiedAccessEndpointInput{
		VerifiedAccessGroupId: aws.String(grp),
		AttachmentType:        "vpc",
		EndpointType:          ec2types.VerifiedAccessEndpointTypeCidr,
		CidrOptions: &ec2types.CreateVerifiedAccessEndpointCidrOptions{
			Cidr:       aws.String("10.0.0.0/24"),
			Protocol:   "tcp",
			SubnetIds:  []string{"subnet-1"},
			PortRanges: []ec2types.CreateVerifiedAccessEndpointPortRange{{FromPort: aws.Int32(22), ToPort: aws.Int32(22)}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ce := cidr.VerifiedAccessEndpoint
	if ce.CidrOptions == nil || aws.ToString(ce.CidrOptions.Cidr) != "10.0.0.0/24" || ce.CidrOptions.Protocol != "tcp" || ce.ApplicationDomain != nil {
		t.Fatalf("cidr endpoint %+v", ce)
	}

	byType, err := c.DescribeVerifiedAccessEndpoints(ctx, &ec2.DescribeVerifiedAccessEndpointsInput{
		VerifiedAccessGroupId: aws.String(grp),
		Filters:               []ec2types.Filter{{Name: aws.String("endpoint-type"), Values: []string{"cidr"}}},
	})
	if err != nil || len(byType.VerifiedAccessEndpoints) != 1 || aws.ToString(byType.VerifiedAccessEndpoints[0].VerifiedAccessEndpointId) != aws.ToString(ce.VerifiedAccessEndpointId) {
		t.Fatalf("endpoint-type filter: %v %+v", err, byType)
	}

	base := func() *ec2.CreateVerifiedAccessEndpointInput {
		return &ec2.CreateVerifiedAccessEndpointInput{
			VerifiedAccessGroupId: aws.String(grp), AttachmentType: "vpc", EndpointType: "load-balancer",
			ApplicationDomain: aws.String("a.example.com"), DomainCertificateArn: aws.String("arn:cert"), EndpointDomainPrefix: aws.String("a"),
			LoadBalancerOptions: &ec2types.CreateVerifiedAccessEndpointLoadBalancerOptions{LoadBalancerArn: aws.String("arn:lb"), Port: aws.Int32(443), Protocol: "https"},
		}
	}
	invalid := map[string]struct {
		in   *ec2.CreateVerifiedAccessEndpointInput
		code string
	}{
		"no certificate": {func() *ec2.CreateVerifiedAccessEndpointInput { in := base(); in.DomainCertificateArn = nil; return in }(), "MissingParameter"},
		"no lb options":  {func() *ec2.CreateVerifiedAccessEndpointInput { in := base(); in.LoadBalancerOptions = nil; return in }(), "MissingParameter"},
		"bad port": {func() *ec2.CreateVerifiedAccessEndpointInput {
			in := base()
			in.LoadBalancerOptions.Port = aws.Int32(70000)
			return in
		}(), "InvalidParameterValue"},
		"bad protocol": {func() *ec2.CreateVerifiedAccessEndpointInput {
			in := base()
			in.LoadBalancerOptions.Protocol = "udp"
			return in
		}(), "InvalidParameterValue"},
		"bad attachment": {func() *ec2.CreateVerifiedAccessEndpointInput { in := base(); in.AttachmentType = "tgw"; return in }(), "InvalidParameterValue"},
		"unknown group": {func() *ec2.CreateVerifiedAccessEndpointInput {
			in := base()
			in.VerifiedAccessGroupId = aws.String("vagr-0123456789abcdef0")
			return in
		}(), "InvalidVerifiedAccessGroupId.NotFound"},
		"bad policy": {func() *ec2.CreateVerifiedAccessEndpointInput {
			in := base()
			in.PolicyDocument = aws.String("allow all")
			return in
		}(), "InvalidParameterValue"},
		"wrong tag type": {func() *ec2.CreateVerifiedAccessEndpointInput {
			in := base()
			in.TagSpecifications = tagSpec("verified-access-group", "a", "b")
			return in
		}(), "InvalidParameterValue"},
	}
	for name, tc := range invalid {
		t.Run(name, func(t *testing.T) {
			_, err := c.CreateVerifiedAccessEndpoint(ctx, tc.in)
			wantCode(t, err, tc.code)
		})
	}
	all, err := c.DescribeVerifiedAccessEndpoints(ctx, &ec2.DescribeVerifiedAccessEndpointsInput{})
	if err != nil || len(all.VerifiedAccessEndpoints) != 2 {
		t.Fatalf("invalid creates left endpoints: %v %d", err, len(all.VerifiedAccessEndpoints))
	}
}
