package vafront

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

const (
	testDBInstanceARN = "arn:aws:rds:us-east-1:123456789012:db:payments-db"
	testDBClusterARN  = "arn:aws:rds:us-east-1:123456789012:cluster:payments-cluster"
	testDBProxyARN    = "arn:aws:rds:us-east-1:123456789012:db-proxy:prx-0123456789abcdef0"
)

func rdsEndpointInput(grp string, opts ec2types.CreateVerifiedAccessEndpointRdsOptions) *ec2.CreateVerifiedAccessEndpointInput {
	return &ec2.CreateVerifiedAccessEndpointInput{
		VerifiedAccessGroupId: aws.String(grp), AttachmentType: "vpc", EndpointType: ec2types.VerifiedAccessEndpointTypeRds,
		RdsOptions: &opts,
	}
}

func cidrEndpointInput(grp string, ranges ...[2]int32) *ec2.CreateVerifiedAccessEndpointInput {
	in := &ec2.CreateVerifiedAccessEndpointInput{
		VerifiedAccessGroupId: aws.String(grp), AttachmentType: "vpc", EndpointType: ec2types.VerifiedAccessEndpointTypeCidr,
		CidrOptions: &ec2types.CreateVerifiedAccessEndpointCidrOptions{Cidr: aws.String("10.20.0.0/24"), Protocol: "tcp", SubnetIds: []string{"subnet-1"}},
	}
	for _, r := range ranges {
		in.CidrOptions.PortRanges = append(in.CidrOptions.PortRanges, ec2types.CreateVerifiedAccessEndpointPortRange{FromPort: aws.Int32(r[0]), ToPort: aws.Int32(r[1])})
	}
	return in
}

// CreateVerifiedAccessEndpoint, DescribeVerifiedAccessEndpoints and
// ModifyVerifiedAccessEndpoint with EndpointType rds: RdsOptions names one
// database (instance, cluster, proxy or RDS endpoint), a tcp port and
// subnets; describe reports them under rdsOptions; modify changes the port,
// subnets and RDS endpoint.
func TestRdsEndpointCreateDescribeModify(t *testing.T) {
	ctx, c, _ := fresh(t)
	grp := newGroup(t, c, newInstance(t, c))

	targets := map[string]ec2types.CreateVerifiedAccessEndpointRdsOptions{
		"instance": {RdsDbInstanceArn: aws.String(testDBInstanceARN)},
		"cluster":  {RdsDbClusterArn: aws.String(testDBClusterARN)},
		"proxy":    {RdsDbProxyArn: aws.String(testDBProxyARN)},
		"endpoint": {RdsEndpoint: aws.String("payments.cluster-abc.us-east-1.rds.amazonaws.com")},
	}
	ids := map[string]string{}
	for name, target := range targets {
		opts := target
		opts.Port, opts.Protocol, opts.SubnetIds = aws.Int32(5432), "tcp", []string{"subnet-1", "subnet-2"}
		out, err := c.CreateVerifiedAccessEndpoint(ctx, rdsEndpointInput(grp, opts))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ids[name] = aws.ToString(out.VerifiedAccessEndpoint.VerifiedAccessEndpointId)
	}
	for name, target := range targets {
		e := describeEndpoint(t, c, ids[name])
		o := e.RdsOptions
		if e.EndpointType != ec2types.VerifiedAccessEndpointTypeRds || o == nil || e.CidrOptions != nil || e.ApplicationDomain != nil ||
			aws.ToInt32(o.Port) != 5432 || o.Protocol != "tcp" || !slices.Equal(o.SubnetIds, []string{"subnet-1", "subnet-2"}) ||
			aws.ToString(o.RdsDbInstanceArn) != aws.ToString(target.RdsDbInstanceArn) || aws.ToString(o.RdsDbClusterArn) != aws.ToString(target.RdsDbClusterArn) ||
			aws.ToString(o.RdsDbProxyArn) != aws.ToString(target.RdsDbProxyArn) || aws.ToString(o.RdsEndpoint) != aws.ToString(target.RdsEndpoint) {
			t.Fatalf("%s: described %+v / %+v", name, e, o)
		}
	}

	id := ids["endpoint"]
	waitActive(t, c, id)
	mod, err := c.ModifyVerifiedAccessEndpoint(ctx, &ec2.ModifyVerifiedAccessEndpointInput{
		VerifiedAccessEndpointId: aws.String(id),
		RdsOptions: &ec2types.ModifyVerifiedAccessEndpointRdsOptions{
			Port: aws.Int32(5433), SubnetIds: []string{"subnet-3"}, RdsEndpoint: aws.String("payments-ro.cluster-abc.us-east-1.rds.amazonaws.com"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if o := mod.VerifiedAccessEndpoint.RdsOptions; o == nil || aws.ToInt32(o.Port) != 5433 || !slices.Equal(o.SubnetIds, []string{"subnet-3"}) ||
		aws.ToString(o.RdsEndpoint) != "payments-ro.cluster-abc.us-east-1.rds.amazonaws.com" {
		t.Fatalf("modified %+v", mod.VerifiedAccessEndpoint.RdsOptions)
	}
	waitActive(t, c, id)
	_, err = c.ModifyVerifiedAccessEndpoint(ctx, &ec2.ModifyVerifiedAccessEndpointInput{
		VerifiedAccessEndpointId: aws.String(id),
		CidrOptions:              &ec2types.ModifyVerifiedAccessEndpointCidrOptions{PortRanges: []ec2types.ModifyVerifiedAccessEndpointPortRange{{FromPort: aws.Int32(1), ToPort: aws.Int32(2)}}},
	})
	wantCode(t, err, "InvalidParameterCombination")
}

// CreateVerifiedAccessEndpoint refusals for rds endpoints: no target, two
// targets, an ARN of the wrong kind, options of another endpoint type,
// a protocol other than tcp, no port, no subnets.
func TestRdsEndpointRefusals(t *testing.T) {
	ctx, c, _ := fresh(t)
	grp := newGroup(t, c, newInstance(t, c))
	good := func() ec2types.CreateVerifiedAccessEndpointRdsOptions {
		return ec2types.CreateVerifiedAccessEndpointRdsOptions{
			RdsDbInstanceArn: aws.String(testDBInstanceARN), Port: aws.Int32(3306), Protocol: "tcp", SubnetIds: []string{"subnet-1"},
		}
	}
	cases := map[string]struct {
		in   *ec2.CreateVerifiedAccessEndpointInput
		code string
	}{
		"no options": {&ec2.CreateVerifiedAccessEndpointInput{VerifiedAccessGroupId: aws.String(grp), AttachmentType: "vpc", EndpointType: "rds"}, "MissingParameter"},
		"no target": {func() *ec2.CreateVerifiedAccessEndpointInput {
			o := good()
			o.RdsDbInstanceArn = nil
			return rdsEndpointInput(grp, o)
		}(), "MissingParameter"},
		"instance and cluster": {func() *ec2.CreateVerifiedAccessEndpointInput {
			o := good()
			o.RdsDbClusterArn = aws.String(testDBClusterARN)
			return rdsEndpointInput(grp, o)
		}(), "InvalidParameterCombination"},
		"instance and endpoint": {func() *ec2.CreateVerifiedAccessEndpointInput {
			o := good()
			o.RdsEndpoint = aws.String("db.example.rds.amazonaws.com")
			return rdsEndpointInput(grp, o)
		}(), "InvalidParameterCombination"},
		"cluster ARN as instance": {func() *ec2.CreateVerifiedAccessEndpointInput {
			o := good()
			o.RdsDbInstanceArn = aws.String(testDBClusterARN)
			return rdsEndpointInput(grp, o)
		}(), "InvalidParameterValue"},
		"http protocol": {func() *ec2.CreateVerifiedAccessEndpointInput {
			o := good()
			o.Protocol = "http"
			return rdsEndpointInput(grp, o)
		}(), "InvalidParameterValue"},
		"no port": {func() *ec2.CreateVerifiedAccessEndpointInput {
			o := good()
			o.Port = nil
			return rdsEndpointInput(grp, o)
		}(), "MissingParameter"},
		"no subnets": {func() *ec2.CreateVerifiedAccessEndpointInput {
			o := good()
			o.SubnetIds = nil
			return rdsEndpointInput(grp, o)
		}(), "MissingParameter"},
		"rds target and cidr": {func() *ec2.CreateVerifiedAccessEndpointInput {
			in := rdsEndpointInput(grp, good())
			in.CidrOptions = cidrEndpointInput(grp, [2]int32{22, 22}).CidrOptions
			return in
		}(), "InvalidParameterCombination"},
		"rds options on a cidr endpoint": {func() *ec2.CreateVerifiedAccessEndpointInput {
			in := cidrEndpointInput(grp, [2]int32{22, 22})
			o := good()
			in.RdsOptions = &o
			return in
		}(), "InvalidParameterCombination"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := c.CreateVerifiedAccessEndpoint(ctx, tc.in)
			wantCode(t, err, tc.code)
		})
	}
	all, err := c.DescribeVerifiedAccessEndpoints(ctx, &ec2.DescribeVerifiedAccessEndpointsInput{})
	if err != nil || len(all.VerifiedAccessEndpoints) != 0 {
		t.Fatalf("refused creates left endpoints: %v %+v", err, all)
	}
}

// CreateVerifiedAccessEndpoint, DescribeVerifiedAccessEndpoints and
// ModifyVerifiedAccessEndpoint with EndpointType cidr and several
// CidrOptions.PortRange: every range is kept and reported in portRangeSet,
// modify replaces them, and a range that ends before it starts, leaves
// 1-65535 or overlaps another is refused.
func TestCidrEndpointPortRanges(t *testing.T) {
	ctx, c, _ := fresh(t)
	grp := newGroup(t, c, newInstance(t, c))
	rangesOf := func(e ec2types.VerifiedAccessEndpoint) [][2]int32 {
		var out [][2]int32
		for _, r := range e.CidrOptions.PortRanges {
			out = append(out, [2]int32{aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort)})
		}
		return out
	}
	out, err := c.CreateVerifiedAccessEndpoint(ctx, cidrEndpointInput(grp, [2]int32{22, 22}, [2]int32{8000, 8080}))
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.VerifiedAccessEndpoint.VerifiedAccessEndpointId)
	if got := rangesOf(describeEndpoint(t, c, id)); !slices.Equal(got, [][2]int32{{22, 22}, {8000, 8080}}) {
		t.Fatalf("described ranges %v", got)
	}
	waitActive(t, c, id)
	mod, err := c.ModifyVerifiedAccessEndpoint(ctx, &ec2.ModifyVerifiedAccessEndpointInput{
		VerifiedAccessEndpointId: aws.String(id),
		CidrOptions: &ec2types.ModifyVerifiedAccessEndpointCidrOptions{PortRanges: []ec2types.ModifyVerifiedAccessEndpointPortRange{
			{FromPort: aws.Int32(22), ToPort: aws.Int32(22)}, {FromPort: aws.Int32(3389), ToPort: aws.Int32(3389)}, {FromPort: aws.Int32(9000), ToPort: aws.Int32(9100)},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := rangesOf(*mod.VerifiedAccessEndpoint); !slices.Equal(got, [][2]int32{{22, 22}, {3389, 3389}, {9000, 9100}}) {
		t.Fatalf("modified ranges %v", got)
	}
	waitActive(t, c, id)
	_, err = c.ModifyVerifiedAccessEndpoint(ctx, &ec2.ModifyVerifiedAccessEndpointInput{
		VerifiedAccessEndpointId: aws.String(id),
		CidrOptions: &ec2types.ModifyVerifiedAccessEndpointCidrOptions{PortRanges: []ec2types.ModifyVerifiedAccessEndpointPortRange{
			{FromPort: aws.Int32(100), ToPort: aws.Int32(200)}, {FromPort: aws.Int32(150), ToPort: aws.Int32(160)},
		}},
	})
	wantCode(t, err, "InvalidParameterValue")
	if got := rangesOf(describeEndpoint(t, c, id)); !slices.Equal(got, [][2]int32{{22, 22}, {3389, 3389}, {9000, 9100}}) {
		t.Fatalf("a refused modify changed the ranges to %v", got)
	}

	for name, ranges := range map[string][][2]int32{
		"from after to":  {{8080, 8000}},
		"port 0":         {{0, 22}},
		"above 65535":    {{65535, 65536}},
		"overlapping":    {{22, 100}, {100, 200}},
		"overlap hidden": {{5000, 6000}, {22, 22}, {5500, 5501}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := c.CreateVerifiedAccessEndpoint(ctx, cidrEndpointInput(grp, ranges...))
			wantCode(t, err, "InvalidParameterValue")
		})
	}
	t.Run("no ranges", func(t *testing.T) {
		_, err := c.CreateVerifiedAccessEndpoint(ctx, cidrEndpointInput(grp))
		wantCode(t, err, "MissingParameter")
	})
}

// The endpoint_activation_ms fault: CreateVerifiedAccessEndpoint leaves the
// endpoint pending (DescribeVerifiedAccessEndpoints) for the injected time,
// as a slow AWS activation would, and for the normal time once cleared.
func TestEndpointActivationFault(t *testing.T) {
	ctx, c, ctl := fresh(t)
	grp := newGroup(t, c, newInstance(t, c))
	if err := ctl.SetFaults(ctx, Faults{EndpointActivationMS: int(20 * activation / time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ctl.ClearFaults(ctx) })
	slow, err := c.CreateVerifiedAccessEndpoint(ctx, cidrEndpointInput(grp, [2]int32{22, 22}))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * activation)
	if e := describeEndpoint(t, c, aws.ToString(slow.VerifiedAccessEndpoint.VerifiedAccessEndpointId)); e.Status.Code != ec2types.VerifiedAccessEndpointStatusCodePending {
		t.Fatalf("slowed endpoint is %s after 3 normal activations, want pending", e.Status.Code)
	}
	if err := ctl.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	normal, err := c.CreateVerifiedAccessEndpoint(ctx, cidrEndpointInput(grp, [2]int32{23, 23}))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * activation)
	if e := describeEndpoint(t, c, aws.ToString(normal.VerifiedAccessEndpoint.VerifiedAccessEndpointId)); e.Status.Code != ec2types.VerifiedAccessEndpointStatusCodeActive {
		t.Fatalf("endpoint created after the fault cleared is %s, want active", e.Status.Code)
	}
	if err := ctl.SetFaults(ctx, Faults{EndpointActivationMS: -1}); err == nil {
		t.Fatal("a negative endpoint_activation_ms was accepted")
	}
}
