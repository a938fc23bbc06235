package awsapi

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	cedar "github.com/cedar-policy/cedar-go"
)

// Verified Access: a protect surface is a group (with the compiled group
// policy) and one endpoint per application (with its endpoint policy).

// VerifiedAccessGroup is the live state of a surface's group.
type VerifiedAccessGroup struct {
	ID, ARN, InstanceID, Description, Owner string
	Tags                                    map[string]string
	KMSKeyARN                               string // customer-managed key; "" for the AWS-owned one
}

func fromSDKGroupVA(g types.VerifiedAccessGroup) *VerifiedAccessGroup {
	return &VerifiedAccessGroup{
		ID:          aws.ToString(g.VerifiedAccessGroupId),
		ARN:         aws.ToString(g.VerifiedAccessGroupArn),
		InstanceID:  aws.ToString(g.VerifiedAccessInstanceId),
		Description: aws.ToString(g.Description),
		Owner:       aws.ToString(g.Owner),
		Tags:        tagMap(g.Tags),
		KMSKeyARN:   keyOf(g.SseSpecification),
	}
}

// FindVerifiedAccessGroup reads one group; a missing one is a *NotFoundError.
func FindVerifiedAccessGroup(ctx context.Context, c *ec2.Client, id string) (*VerifiedAccessGroup, error) {
	out, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessGroupIds: []string{id}})
	if hasCode(err, errVAGroupNotFound) {
		return nil, &NotFoundError{Kind: vaGroupKind, ID: id, Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("describing %s %s: %w", vaGroupKind, id, err)
	}
	g, err := singleResult(vaGroupKind, id, out.VerifiedAccessGroups, func(g types.VerifiedAccessGroup) string { return aws.ToString(g.VerifiedAccessGroupId) })
	if err != nil {
		return nil, err
	}
	return fromSDKGroupVA(g), nil
}

// CreateVerifiedAccessGroupInput describes a group to create. The policy
// document is set by the create itself (one call, enabled at once).
type CreateVerifiedAccessGroupInput struct {
	InstanceID, Description, PolicyDocument string
	Tags                                    map[string]string
	KMSKeyARN                               string // customer-managed key; "" for the AWS-owned one
}

// CreateVerifiedAccessGroup creates a group with its policy (idempotently)
// and waits until it can be read back.
func CreateVerifiedAccessGroup(ctx context.Context, c *ec2.Client, in CreateVerifiedAccessGroupInput) (*VerifiedAccessGroup, error) {
	req := &ec2.CreateVerifiedAccessGroupInput{
		ClientToken:              clientToken(),
		VerifiedAccessInstanceId: aws.String(in.InstanceID),
		Description:              aws.String(in.Description),
		PolicyDocument:           optString(in.PolicyDocument),
		SseSpecification:         createSse(in.KMSKeyARN),
		TagSpecifications:        []types.TagSpecification{{ResourceType: types.ResourceTypeVerifiedAccessGroup, Tags: sdkTags(in.Tags)}},
	}
	var out *ec2.CreateVerifiedAccessGroupOutput
	err := retryNotFound(ctx, "creating a group on "+in.InstanceID, func(ctx context.Context) (err error) {
		out, err = c.CreateVerifiedAccessGroup(ctx, req)
		return err
	}, errVAInstanceNotFound)
	if err != nil {
		return nil, fmt.Errorf("creating %s on %s: %w", vaGroupKind, in.InstanceID, err)
	}
	id := aws.ToString(out.VerifiedAccessGroup.VerifiedAccessGroupId)
	var live *VerifiedAccessGroup
	err = waitUntil(ctx, vaGroupKind+" "+id+" to be readable", DefaultWait, func(ctx context.Context) (bool, error) {
		g, err := FindVerifiedAccessGroup(ctx, c, id)
		if IsNotFound(err) {
			return false, nil
		}
		live = g
		return err == nil, err
	})
	if err != nil {
		return &VerifiedAccessGroup{ID: id, InstanceID: in.InstanceID}, err
	}
	return live, nil
}

// SetVerifiedAccessGroupDescription changes a group's description in place.
func SetVerifiedAccessGroupDescription(ctx context.Context, c *ec2.Client, id, description string) error {
	_, err := c.ModifyVerifiedAccessGroup(ctx, &ec2.ModifyVerifiedAccessGroupInput{
		VerifiedAccessGroupId: aws.String(id), Description: aws.String(description), ClientToken: clientToken(),
	})
	if err != nil {
		return fmt.Errorf("modifying %s %s: %w", vaGroupKind, id, err)
	}
	return nil
}

// DeleteVerifiedAccessGroup deletes a group, waiting out DependencyViolation
// while its endpoints finish deleting; a missing group is success.
func DeleteVerifiedAccessGroup(ctx context.Context, c *ec2.Client, id string) error {
	return waitUntil(ctx, vaGroupKind+" "+id+" to be deletable", WaitOptions{Timeout: 5 * time.Minute, MinDelay: 500 * time.Millisecond, MaxDelay: 15 * time.Second}, func(ctx context.Context) (bool, error) {
		_, err := c.DeleteVerifiedAccessGroup(ctx, &ec2.DeleteVerifiedAccessGroupInput{VerifiedAccessGroupId: aws.String(id), ClientToken: clientToken()})
		switch {
		case err == nil, hasCode(err, errVAGroupNotFound):
			return true, nil
		case hasCode(err, errDependency):
			return false, nil
		default:
			return false, fmt.Errorf("deleting %s %s: %w", vaGroupKind, id, err)
		}
	})
}

// Policy is a group or endpoint policy as the API reports it.
type Policy struct {
	Document string
	Enabled  bool
}

// Effective is the document Verified Access evaluates: none when disabled.
func (p Policy) Effective() string {
	if !p.Enabled {
		return ""
	}
	return p.Document
}

// GetVerifiedAccessGroupPolicy reads a group's policy.
func GetVerifiedAccessGroupPolicy(ctx context.Context, c *ec2.Client, id string) (Policy, error) {
	out, err := c.GetVerifiedAccessGroupPolicy(ctx, &ec2.GetVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: aws.String(id)})
	if hasCode(err, errVAGroupNotFound) {
		return Policy{}, &NotFoundError{Kind: vaGroupKind, ID: id, Cause: err}
	}
	if err != nil {
		return Policy{}, fmt.Errorf("reading the policy of %s %s: %w", vaGroupKind, id, err)
	}
	return Policy{Document: aws.ToString(out.PolicyDocument), Enabled: aws.ToBool(out.PolicyEnabled)}, nil
}

// SetVerifiedAccessGroupPolicy writes a group's policy: a document is always
// enabled; "" disables evaluation (keeping whatever document was stored).
func SetVerifiedAccessGroupPolicy(ctx context.Context, c *ec2.Client, id, document string) error {
	in := &ec2.ModifyVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: aws.String(id), PolicyEnabled: aws.Bool(document != ""), ClientToken: clientToken()}
	if document != "" {
		in.PolicyDocument = aws.String(document)
	}
	if _, err := c.ModifyVerifiedAccessGroupPolicy(ctx, in); err != nil {
		return fmt.Errorf("writing the policy of %s %s: %w", vaGroupKind, id, err)
	}
	return nil
}

// VerifiedAccessEndpoint is the live state of an application's endpoint.
type VerifiedAccessEndpoint struct {
	ID, GroupID, InstanceID string
	Status                  string // pending | active | updating | deleting | deleted | failed…
	StatusMessage           string
	EndpointDomain          string
	Description             string
	EndpointSpec
	Tags map[string]string
}

// EndpointSpec is what an endpoint is made of. Type is load-balancer,
// network-interface, rds or cidr; only the target fields of its type are set.
type EndpointSpec struct {
	Type                 string
	ApplicationDomain    string
	DomainCertificateARN string
	EndpointDomainPrefix string // create only: the API reports the whole EndpointDomain
	SecurityGroupIDs     []string
	LoadBalancerARN      string
	NetworkInterfaceID   string
	CIDR                 string
	// RDS targets: one of the three ARNs or RDSEndpoint.
	RDSInstanceARN string
	RDSClusterARN  string
	RDSProxyARN    string
	RDSEndpoint    string
	Protocol       string
	Port           int32 // load-balancer, network-interface and rds endpoints
	// PortRanges are a cidr endpoint's ports, ascending and disjoint. A spec
	// with none but a Port means that one port.
	PortRanges []PortRange
	SubnetIDs  []string
	// KMSKeyARN is the customer-managed key ("" the AWS-owned one). It is
	// changed in place with the policy (ReconcileEndpointKeys), so neither
	// SameImmutable nor SameMutable compares it.
	KMSKeyARN string
}

// PortRange is an inclusive range of ports; From == To for one port.
type PortRange struct{ From, To int32 }

// Endpoint types.
const (
	EndpointLoadBalancer     = "load-balancer"
	EndpointNetworkInterface = "network-interface"
	EndpointRDS              = "rds"
	EndpointCIDR             = "cidr"
)

// CIDRPortRanges is a cidr endpoint's port ranges, Port standing for a
// one-port range when no ranges are given.
func (s EndpointSpec) CIDRPortRanges() []PortRange {
	if len(s.PortRanges) == 0 && s.Port != 0 {
		return []PortRange{{From: s.Port, To: s.Port}}
	}
	return s.PortRanges
}

// SameImmutable reports whether two specs agree on everything the API cannot
// modify in place (so the endpoint must be re-created when they differ):
// type, target, domain, certificate, domain prefix, security groups, the
// protocol of rds and cidr endpoints (their modify takes none) and the
// subnets of a cidr endpoint. An rds endpoint's RDSEndpoint can be modified,
// so it is compared only by SameMutable.
func (s EndpointSpec) SameImmutable(o EndpointSpec) bool {
	tcpOnly := s.Type == EndpointCIDR || s.Type == EndpointRDS
	return s.Type == o.Type && s.ApplicationDomain == o.ApplicationDomain && s.DomainCertificateARN == o.DomainCertificateARN &&
		s.EndpointDomainPrefix == o.EndpointDomainPrefix && sameSet(s.SecurityGroupIDs, o.SecurityGroupIDs) &&
		s.LoadBalancerARN == o.LoadBalancerARN && s.NetworkInterfaceID == o.NetworkInterfaceID && s.CIDR == o.CIDR &&
		s.RDSInstanceARN == o.RDSInstanceARN && s.RDSClusterARN == o.RDSClusterARN && s.RDSProxyARN == o.RDSProxyARN &&
		(!tcpOnly || s.Protocol == o.Protocol) &&
		(s.Type != EndpointCIDR || sameSet(s.SubnetIDs, o.SubnetIDs))
}

// SameMutable reports whether two specs agree on what can be modified in
// place: protocol and port (load-balancer, network-interface), port ranges
// (cidr), port and RDS endpoint (rds; the endpoint only when s names one:
// AWS may report the address of an instance, cluster or proxy target), and
// the subnets of load-balancer and rds endpoints.
func (s EndpointSpec) SameMutable(o EndpointSpec) bool {
	switch s.Type {
	case EndpointCIDR:
		return slices.Equal(s.CIDRPortRanges(), o.CIDRPortRanges())
	case EndpointRDS:
		return s.Port == o.Port && sameSet(s.SubnetIDs, o.SubnetIDs) && (s.RDSEndpoint == "" || s.RDSEndpoint == o.RDSEndpoint)
	}
	return s.Protocol == o.Protocol && s.Port == o.Port && (s.Type != EndpointLoadBalancer || sameSet(s.SubnetIDs, o.SubnetIDs))
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

func fromSDKEndpoint(e types.VerifiedAccessEndpoint) *VerifiedAccessEndpoint {
	out := &VerifiedAccessEndpoint{
		ID:             aws.ToString(e.VerifiedAccessEndpointId),
		GroupID:        aws.ToString(e.VerifiedAccessGroupId),
		InstanceID:     aws.ToString(e.VerifiedAccessInstanceId),
		EndpointDomain: aws.ToString(e.EndpointDomain),
		Description:    aws.ToString(e.Description),
		Tags:           tagMap(e.Tags),
		EndpointSpec: EndpointSpec{
			Type:                 string(e.EndpointType),
			ApplicationDomain:    aws.ToString(e.ApplicationDomain),
			DomainCertificateARN: aws.ToString(e.DomainCertificateArn),
			SecurityGroupIDs:     e.SecurityGroupIds,
			KMSKeyARN:            keyOf(e.SseSpecification),
		},
	}
	if s := e.Status; s != nil {
		out.Status, out.StatusMessage = string(s.Code), aws.ToString(s.Message)
	}
	// The prefix is the first label of the generated domain.
	if i := strings.IndexByte(out.EndpointDomain, '.'); i > 0 {
		out.EndpointDomainPrefix = out.EndpointDomain[:i]
	}
	firstPort := func(rs []types.VerifiedAccessEndpointPortRange) int32 {
		if len(rs) == 0 {
			return 0
		}
		return aws.ToInt32(rs[0].FromPort)
	}
	switch {
	case e.LoadBalancerOptions != nil:
		o := e.LoadBalancerOptions
		out.LoadBalancerARN, out.Protocol, out.SubnetIDs = aws.ToString(o.LoadBalancerArn), string(o.Protocol), o.SubnetIds
		out.Port = aws.ToInt32(o.Port)
		if out.Port == 0 {
			out.Port = firstPort(o.PortRanges)
		}
	case e.NetworkInterfaceOptions != nil:
		o := e.NetworkInterfaceOptions
		out.NetworkInterfaceID, out.Protocol = aws.ToString(o.NetworkInterfaceId), string(o.Protocol)
		out.Port = aws.ToInt32(o.Port)
		if out.Port == 0 {
			out.Port = firstPort(o.PortRanges)
		}
	case e.RdsOptions != nil:
		o := e.RdsOptions
		out.RDSInstanceARN, out.RDSClusterARN, out.RDSProxyARN = aws.ToString(o.RdsDbInstanceArn), aws.ToString(o.RdsDbClusterArn), aws.ToString(o.RdsDbProxyArn)
		out.RDSEndpoint, out.Protocol, out.SubnetIDs, out.Port = aws.ToString(o.RdsEndpoint), string(o.Protocol), o.SubnetIds, aws.ToInt32(o.Port)
	case e.CidrOptions != nil:
		o := e.CidrOptions
		out.CIDR, out.Protocol, out.SubnetIDs = aws.ToString(o.Cidr), string(o.Protocol), o.SubnetIds
		for _, r := range o.PortRanges {
			out.PortRanges = append(out.PortRanges, PortRange{From: aws.ToInt32(r.FromPort), To: aws.ToInt32(r.ToPort)})
		}
	}
	return out
}

// FindVerifiedAccessEndpoints reads every endpoint of a group (one
// paginated call); a group with none gives an empty map.
func FindVerifiedAccessEndpoints(ctx context.Context, c *ec2.Client, groupID string) (map[string]*VerifiedAccessEndpoint, error) {
	out := map[string]*VerifiedAccessEndpoint{}
	p := ec2.NewDescribeVerifiedAccessEndpointsPaginator(c, &ec2.DescribeVerifiedAccessEndpointsInput{VerifiedAccessGroupId: aws.String(groupID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if hasCode(err, errVAGroupNotFound) {
			return nil, &NotFoundError{Kind: vaGroupKind, ID: groupID, Cause: err}
		}
		if err != nil {
			return nil, fmt.Errorf("describing the endpoints of %s: %w", groupID, err)
		}
		for _, e := range page.VerifiedAccessEndpoints {
			v := fromSDKEndpoint(e)
			if v.Status == string(types.VerifiedAccessEndpointStatusCodeDeleted) {
				continue
			}
			out[v.ID] = v
		}
	}
	return out, nil
}

// CreateVerifiedAccessEndpoint creates an endpoint in a group, with its
// policy when document is not empty. It does not wait: the caller waits for
// all the endpoints it created at once (WaitVerifiedAccessEndpointsActive).
func CreateVerifiedAccessEndpoint(ctx context.Context, c *ec2.Client, groupID string, s EndpointSpec, document, description string, tags map[string]string) (*VerifiedAccessEndpoint, error) {
	in := &ec2.CreateVerifiedAccessEndpointInput{
		ClientToken:           clientToken(),
		VerifiedAccessGroupId: aws.String(groupID),
		AttachmentType:        types.VerifiedAccessEndpointAttachmentTypeVpc,
		EndpointType:          types.VerifiedAccessEndpointType(s.Type),
		Description:           aws.String(description),
		SecurityGroupIds:      s.SecurityGroupIDs,
		PolicyDocument:        optString(document),
		SseSpecification:      createSse(s.KMSKeyARN),
		TagSpecifications:     []types.TagSpecification{{ResourceType: types.ResourceTypeVerifiedAccessEndpoint, Tags: sdkTags(tags)}},
	}
	var port *int32
	if s.Port != 0 {
		port = aws.Int32(s.Port)
	}
	protocol := types.VerifiedAccessEndpointProtocol(s.Protocol)
	switch s.Type {
	case EndpointLoadBalancer:
		in.LoadBalancerOptions = &types.CreateVerifiedAccessEndpointLoadBalancerOptions{LoadBalancerArn: aws.String(s.LoadBalancerARN), Port: port, Protocol: protocol, SubnetIds: s.SubnetIDs}
	case EndpointNetworkInterface:
		in.NetworkInterfaceOptions = &types.CreateVerifiedAccessEndpointEniOptions{NetworkInterfaceId: aws.String(s.NetworkInterfaceID), Port: port, Protocol: protocol}
	case EndpointRDS:
		in.RdsOptions = &types.CreateVerifiedAccessEndpointRdsOptions{Port: port, Protocol: protocol, SubnetIds: s.SubnetIDs,
			RdsDbInstanceArn: optString(s.RDSInstanceARN), RdsDbClusterArn: optString(s.RDSClusterARN), RdsDbProxyArn: optString(s.RDSProxyARN), RdsEndpoint: optString(s.RDSEndpoint)}
	case EndpointCIDR:
		in.CidrOptions = &types.CreateVerifiedAccessEndpointCidrOptions{Cidr: aws.String(s.CIDR), Protocol: protocol, SubnetIds: s.SubnetIDs}
		for _, r := range s.CIDRPortRanges() {
			in.CidrOptions.PortRanges = append(in.CidrOptions.PortRanges, types.CreateVerifiedAccessEndpointPortRange{FromPort: aws.Int32(r.From), ToPort: aws.Int32(r.To)})
		}
	default:
		return nil, fmt.Errorf("unsupported endpoint type %q", s.Type)
	}
	if s.Type != EndpointCIDR && s.Type != EndpointRDS {
		in.ApplicationDomain = aws.String(s.ApplicationDomain)
		in.DomainCertificateArn = aws.String(s.DomainCertificateARN)
		in.EndpointDomainPrefix = aws.String(s.EndpointDomainPrefix)
	}
	var out *ec2.CreateVerifiedAccessEndpointOutput
	err := retryNotFound(ctx, "creating an endpoint in "+groupID, func(ctx context.Context) (err error) {
		out, err = c.CreateVerifiedAccessEndpoint(ctx, in)
		return err
	}, errVAGroupNotFound)
	if err != nil {
		return nil, fmt.Errorf("creating a %s endpoint in %s: %w", s.Type, groupID, err)
	}
	return fromSDKEndpoint(*out.VerifiedAccessEndpoint), nil
}

// ModifyVerifiedAccessEndpoint changes what can change in place (see
// SameMutable) and does not wait.
func ModifyVerifiedAccessEndpoint(ctx context.Context, c *ec2.Client, id string, s EndpointSpec) error {
	in := &ec2.ModifyVerifiedAccessEndpointInput{VerifiedAccessEndpointId: aws.String(id), ClientToken: clientToken()}
	var port *int32
	if s.Port != 0 {
		port = aws.Int32(s.Port)
	}
	protocol := types.VerifiedAccessEndpointProtocol(s.Protocol)
	switch s.Type {
	case EndpointLoadBalancer:
		in.LoadBalancerOptions = &types.ModifyVerifiedAccessEndpointLoadBalancerOptions{Port: port, Protocol: protocol, SubnetIds: s.SubnetIDs}
	case EndpointNetworkInterface:
		in.NetworkInterfaceOptions = &types.ModifyVerifiedAccessEndpointEniOptions{Port: port, Protocol: protocol}
	case EndpointRDS:
		in.RdsOptions = &types.ModifyVerifiedAccessEndpointRdsOptions{Port: port, SubnetIds: s.SubnetIDs, RdsEndpoint: optString(s.RDSEndpoint)}
	case EndpointCIDR:
		in.CidrOptions = &types.ModifyVerifiedAccessEndpointCidrOptions{}
		for _, r := range s.CIDRPortRanges() {
			in.CidrOptions.PortRanges = append(in.CidrOptions.PortRanges, types.ModifyVerifiedAccessEndpointPortRange{FromPort: aws.Int32(r.From), ToPort: aws.Int32(r.To)})
		}
	}
	if _, err := c.ModifyVerifiedAccessEndpoint(ctx, in); err != nil {
		return fmt.Errorf("modifying endpoint %s: %w", id, err)
	}
	return nil
}

// DeleteVerifiedAccessEndpoint starts deleting an endpoint; a missing one is
// success. Wait with WaitVerifiedAccessEndpointsGone.
func DeleteVerifiedAccessEndpoint(ctx context.Context, c *ec2.Client, id string) error {
	_, err := c.DeleteVerifiedAccessEndpoint(ctx, &ec2.DeleteVerifiedAccessEndpointInput{VerifiedAccessEndpointId: aws.String(id), ClientToken: clientToken()})
	if err != nil && !hasCode(err, errVAEndpointNotFound) {
		return fmt.Errorf("deleting endpoint %s: %w", id, err)
	}
	return nil
}

// EndpointWait bounds endpoint status waits: Verified Access takes minutes
// to activate an endpoint, so polls start slow.
var EndpointWait = WaitOptions{Timeout: 20 * time.Minute, MinDelay: 500 * time.Millisecond, MaxDelay: 15 * time.Second}

// WaitVerifiedAccessEndpointsActive waits until every id in the group
// reports active (pending and updating are transitional; an id not yet
// visible is waited for). One describe per poll covers all of them.
func WaitVerifiedAccessEndpointsActive(ctx context.Context, c *ec2.Client, groupID string, ids []string) (map[string]*VerifiedAccessEndpoint, error) {
	var live map[string]*VerifiedAccessEndpoint
	if len(ids) == 0 {
		return map[string]*VerifiedAccessEndpoint{}, nil
	}
	sort.Strings(ids)
	err := waitUntil(ctx, fmt.Sprintf("endpoints %v to be active", ids), EndpointWait, func(ctx context.Context) (bool, error) {
		got, err := FindVerifiedAccessEndpoints(ctx, c, groupID)
		if err != nil && !IsNotFound(err) {
			return false, err
		}
		live = got
		for _, id := range ids {
			e := got[id]
			switch {
			case e == nil, e.Status == string(types.VerifiedAccessEndpointStatusCodePending), e.Status == string(types.VerifiedAccessEndpointStatusCodeUpdating):
				return false, nil
			case e.Status != string(types.VerifiedAccessEndpointStatusCodeActive):
				return false, fmt.Errorf("endpoint %s is %s: %s", id, e.Status, e.StatusMessage)
			}
		}
		return true, nil
	})
	return live, err
}

// WaitVerifiedAccessEndpointsGone waits until none of ids is in the group.
func WaitVerifiedAccessEndpointsGone(ctx context.Context, c *ec2.Client, groupID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	return waitUntil(ctx, fmt.Sprintf("endpoints %v to be deleted", ids), EndpointWait, func(ctx context.Context) (bool, error) {
		got, err := FindVerifiedAccessEndpoints(ctx, c, groupID)
		if IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		for _, id := range ids {
			if got[id] != nil {
				return false, nil
			}
		}
		return true, nil
	})
}

// GetVerifiedAccessEndpointPolicy reads an endpoint's policy.
func GetVerifiedAccessEndpointPolicy(ctx context.Context, c *ec2.Client, id string) (Policy, error) {
	out, err := c.GetVerifiedAccessEndpointPolicy(ctx, &ec2.GetVerifiedAccessEndpointPolicyInput{VerifiedAccessEndpointId: aws.String(id)})
	if hasCode(err, errVAEndpointNotFound) {
		return Policy{}, &NotFoundError{Kind: vaEndpointKind, ID: id, Cause: err}
	}
	if err != nil {
		return Policy{}, fmt.Errorf("reading the policy of endpoint %s: %w", id, err)
	}
	return Policy{Document: aws.ToString(out.PolicyDocument), Enabled: aws.ToBool(out.PolicyEnabled)}, nil
}

// SetVerifiedAccessEndpointPolicy writes an endpoint's policy: a document is
// always enabled; "" disables evaluation.
func SetVerifiedAccessEndpointPolicy(ctx context.Context, c *ec2.Client, id, document string) error {
	in := &ec2.ModifyVerifiedAccessEndpointPolicyInput{VerifiedAccessEndpointId: aws.String(id), PolicyEnabled: aws.Bool(document != ""), ClientToken: clientToken()}
	if document != "" {
		in.PolicyDocument = aws.String(document)
	}
	if _, err := c.ModifyVerifiedAccessEndpointPolicy(ctx, in); err != nil {
		return fmt.Errorf("writing the policy of endpoint %s: %w", id, err)
	}
	return nil
}

// SamePolicy reports whether two Cedar documents hold the same statements:
// each is parsed with cedar-go and its statements re-marshalled to
// canonical text, so whitespace, comments and statement order do not count
// while any change to a statement (an annotation, an effect, a condition)
// does. A document that does not parse equals only itself, byte for byte.
// "" (no policy) equals only "".
func SamePolicy(a, b string) bool {
	if a == b {
		return true
	}
	if strings.TrimSpace(a) == "" || strings.TrimSpace(b) == "" {
		return false
	}
	ca, okA := canonicalStatements(a)
	cb, okB := canonicalStatements(b)
	return okA && okB && slices.Equal(ca, cb)
}

func canonicalStatements(doc string) ([]string, bool) {
	list, err := cedar.NewPolicyListFromBytes("", []byte(doc))
	if err != nil {
		return nil, false
	}
	out := make([]string, 0, len(list))
	for _, p := range list {
		out = append(out, string(p.MarshalCedar()))
	}
	sort.Strings(out)
	return out, true
}
