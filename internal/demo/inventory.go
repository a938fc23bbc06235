package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Inventory is what the provider's objects look like in the account and the
// cluster, read back through the AWS SDK and client-go (not from state).
type Inventory struct {
	SecurityGroups []SecurityGroup
	Proxies        []Proxy
	// TrustProviders counts every trust provider carrying the provider's
	// managed-by tag, attached to an instance or not.
	TrustProviders int
	IdentityGroups []IdentityGroup
	PermissionSets []PermissionSet
	// ExpirySchedules are the EventBridge Scheduler schedules that end
	// just-in-time grants, by schedule group; ExpiryRoles the IAM roles
	// they run as.
	ExpirySchedules map[string]int
	ExpiryRoles     []string
	NetworkPolicies []string
	// AuthorizationPolicies are Istio's, by name.
	AuthorizationPolicies []string
}

// SecurityGroup is a segment's group and its rule counts.
type SecurityGroup struct {
	ID, Name        string
	Ingress, Egress int
}

// Proxy is a Verified Access instance with what hangs off it.
type Proxy struct {
	ID, Name       string
	TrustProviders []string // "<type>:<reference>"
	Groups         []Surface
}

// Surface is a Verified Access group.
type Surface struct {
	ID, Name      string
	PolicyEnabled bool
	PolicyLines   int
	Endpoints     []string // what each endpoint reaches: its application domain, database or network
}

// IdentityGroup is an Identity Store group the provider created.
type IdentityGroup struct {
	Name    string
	Members int
}

// PermissionSet is an Identity Center permission set the provider created.
type PermissionSet struct {
	Name, SessionDuration string
	ManagedPolicies       int
	InlinePolicy          bool
	Assignments           int
}

var authorizationPolicies = schema.GroupVersionResource{Group: "security.istio.io", Version: "v1", Resource: "authorizationpolicies"}

const ownedSelector = "app.kubernetes.io/managed-by=" + model.ManagedBy

// Read takes the inventory of the provider's objects in vpcID, in the
// account's Identity Center (assignments in accountID) and in namespace.
func Read(ctx context.Context, cfg aws.Config, kube kubernetes.Interface, dyn dynamic.Interface, vpcID, accountID, namespace string) (*Inventory, error) {
	inv := &Inventory{}
	for _, read := range []func() error{
		func() error { return inv.readSecurityGroups(ctx, ec2.NewFromConfig(cfg), vpcID) },
		func() error { return inv.readVerifiedAccess(ctx, ec2.NewFromConfig(cfg)) },
		func() error { return inv.readIdentityCenter(ctx, cfg, accountID) },
		func() error { return inv.readExpiry(ctx, cfg) },
		func() error { return inv.readKubernetes(ctx, kube, dyn, namespace) },
	} {
		if err := read(); err != nil {
			return nil, err
		}
	}
	return inv, nil
}

func managedFilter() ec2types.Filter {
	return ec2types.Filter{Name: aws.String("tag:managed-by"), Values: []string{model.ManagedBy}}
}

func (inv *Inventory) readSecurityGroups(ctx context.Context, c *ec2.Client, vpcID string) error {
	out, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}}, managedFilter(),
	}})
	if err != nil {
		return fmt.Errorf("describing security groups: %w", err)
	}
	if len(out.SecurityGroups) == 0 {
		return nil
	}
	byID := map[string]*SecurityGroup{}
	var ids []string
	for _, g := range out.SecurityGroups {
		id := aws.ToString(g.GroupId)
		ids = append(ids, id)
		byID[id] = &SecurityGroup{ID: id, Name: aws.ToString(g.GroupName)}
	}
	p := ec2.NewDescribeSecurityGroupRulesPaginator(c, &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: ids}}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describing security group rules: %w", err)
		}
		for _, r := range page.SecurityGroupRules {
			if g := byID[aws.ToString(r.GroupId)]; g != nil {
				if aws.ToBool(r.IsEgress) {
					g.Egress++
				} else {
					g.Ingress++
				}
			}
		}
	}
	for _, id := range ids {
		inv.SecurityGroups = append(inv.SecurityGroups, *byID[id])
	}
	sort.Slice(inv.SecurityGroups, func(i, j int) bool { return inv.SecurityGroups[i].Name < inv.SecurityGroups[j].Name })
	return nil
}

func tag(tags []ec2types.Tag, key string) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

func (inv *Inventory) readVerifiedAccess(ctx context.Context, c *ec2.Client) error {
	tps, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{Filters: []ec2types.Filter{managedFilter()}})
	if err != nil {
		return fmt.Errorf("describing Verified Access trust providers: %w", err)
	}
	inv.TrustProviders = len(tps.VerifiedAccessTrustProviders)
	out, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{Filters: []ec2types.Filter{managedFilter()}})
	if err != nil {
		return fmt.Errorf("describing Verified Access instances: %w", err)
	}
	for _, in := range out.VerifiedAccessInstances {
		id := aws.ToString(in.VerifiedAccessInstanceId)
		px := Proxy{ID: id, Name: tag(in.Tags, "zerotrust:proxy")}
		for _, tp := range in.VerifiedAccessTrustProviders {
			typ := string(tp.UserTrustProviderType)
			if typ == "" {
				typ = string(tp.DeviceTrustProviderType)
			}
			px.TrustProviders = append(px.TrustProviders, typ+" ("+aws.ToString(tp.VerifiedAccessTrustProviderId)+")")
		}
		sort.Strings(px.TrustProviders)
		groups, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{VerifiedAccessInstanceId: aws.String(id)})
		if err != nil {
			return fmt.Errorf("describing Verified Access groups: %w", err)
		}
		endpoints, err := c.DescribeVerifiedAccessEndpoints(ctx, &ec2.DescribeVerifiedAccessEndpointsInput{VerifiedAccessInstanceId: aws.String(id)})
		if err != nil {
			return fmt.Errorf("describing Verified Access endpoints: %w", err)
		}
		for _, g := range groups.VerifiedAccessGroups {
			gid := aws.ToString(g.VerifiedAccessGroupId)
			s := Surface{ID: gid, Name: tag(g.Tags, "zerotrust:surface")}
			pol, err := c.GetVerifiedAccessGroupPolicy(ctx, &ec2.GetVerifiedAccessGroupPolicyInput{VerifiedAccessGroupId: aws.String(gid)})
			if err != nil {
				return fmt.Errorf("reading the policy of %s: %w", gid, err)
			}
			s.PolicyEnabled = aws.ToBool(pol.PolicyEnabled)
			s.PolicyLines = strings.Count(aws.ToString(pol.PolicyDocument), "\n")
			for _, e := range endpoints.VerifiedAccessEndpoints {
				if aws.ToString(e.VerifiedAccessGroupId) == gid {
					s.Endpoints = append(s.Endpoints, endpointTarget(e))
				}
			}
			px.Groups = append(px.Groups, s)
		}
		sort.Slice(px.Groups, func(i, j int) bool { return px.Groups[i].Name < px.Groups[j].Name })
		inv.Proxies = append(inv.Proxies, px)
	}
	return nil
}

// endpointTarget names what an endpoint reaches: an HTTP application's
// domain, a database and its port, or a network and its port ranges.
func endpointTarget(e ec2types.VerifiedAccessEndpoint) string {
	switch {
	case e.RdsOptions != nil:
		o := e.RdsOptions
		db := aws.ToString(o.RdsDbInstanceArn) + aws.ToString(o.RdsDbClusterArn) + aws.ToString(o.RdsDbProxyArn) + aws.ToString(o.RdsEndpoint)
		return fmt.Sprintf("rds %s:%d", db, aws.ToInt32(o.Port))
	case e.CidrOptions != nil:
		var ports []string
		for _, r := range e.CidrOptions.PortRanges {
			from, to := aws.ToInt32(r.FromPort), aws.ToInt32(r.ToPort)
			if from == to {
				ports = append(ports, fmt.Sprint(from))
			} else {
				ports = append(ports, fmt.Sprintf("%d-%d", from, to))
			}
		}
		return fmt.Sprintf("cidr %s ports %s", aws.ToString(e.CidrOptions.Cidr), strings.Join(ports, ","))
	}
	return aws.ToString(e.ApplicationDomain)
}

func (inv *Inventory) readIdentityCenter(ctx context.Context, cfg aws.Config, accountID string) error {
	sso := ssoadmin.NewFromConfig(cfg)
	instances, err := sso.ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		return fmt.Errorf("listing IAM Identity Center instances: %w", err)
	}
	if len(instances.Instances) == 0 {
		return nil
	}
	instanceARN, store := instances.Instances[0].InstanceArn, instances.Instances[0].IdentityStoreId

	ids := identitystore.NewFromConfig(cfg)
	groups := identitystore.NewListGroupsPaginator(ids, &identitystore.ListGroupsInput{IdentityStoreId: store})
	for groups.HasMorePages() {
		page, err := groups.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing Identity Store groups: %w", err)
		}
		for _, g := range page.Groups {
			if !strings.Contains(aws.ToString(g.Description), "[managed-by="+model.ManagedBy) {
				continue
			}
			ms, err := ids.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: store, GroupId: g.GroupId})
			if err != nil {
				return fmt.Errorf("listing the members of %s: %w", aws.ToString(g.DisplayName), err)
			}
			inv.IdentityGroups = append(inv.IdentityGroups, IdentityGroup{Name: aws.ToString(g.DisplayName), Members: len(ms.GroupMemberships)})
		}
	}
	sort.Slice(inv.IdentityGroups, func(i, j int) bool { return inv.IdentityGroups[i].Name < inv.IdentityGroups[j].Name })

	sets := ssoadmin.NewListPermissionSetsPaginator(sso, &ssoadmin.ListPermissionSetsInput{InstanceArn: instanceARN})
	for sets.HasMorePages() {
		page, err := sets.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing permission sets: %w", err)
		}
		for _, arn := range page.PermissionSets {
			ps, err := readPermissionSet(ctx, sso, instanceARN, aws.String(arn), accountID)
			if err != nil {
				return err
			}
			if ps != nil {
				inv.PermissionSets = append(inv.PermissionSets, *ps)
			}
		}
	}
	sort.Slice(inv.PermissionSets, func(i, j int) bool { return inv.PermissionSets[i].Name < inv.PermissionSets[j].Name })
	return nil
}

// readPermissionSet reads a permission set the provider created (nil for
// any other).
func readPermissionSet(ctx context.Context, sso *ssoadmin.Client, instanceARN, arn *string, accountID string) (*PermissionSet, error) {
	tags, err := sso.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: instanceARN, ResourceArn: arn})
	if err != nil {
		return nil, fmt.Errorf("listing the tags of %s: %w", aws.ToString(arn), err)
	}
	owned := false
	for _, t := range tags.Tags {
		owned = owned || (aws.ToString(t.Key) == "managed-by" && aws.ToString(t.Value) == model.ManagedBy)
	}
	if !owned {
		return nil, nil
	}
	d, err := sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: instanceARN, PermissionSetArn: arn})
	if err != nil {
		return nil, fmt.Errorf("describing %s: %w", aws.ToString(arn), err)
	}
	ps := &PermissionSet{Name: aws.ToString(d.PermissionSet.Name), SessionDuration: aws.ToString(d.PermissionSet.SessionDuration)}
	mp, err := sso.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: instanceARN, PermissionSetArn: arn})
	if err != nil {
		return nil, fmt.Errorf("listing the managed policies of %s: %w", ps.Name, err)
	}
	ps.ManagedPolicies = len(mp.AttachedManagedPolicies)
	inline, err := sso.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: instanceARN, PermissionSetArn: arn})
	if err != nil {
		return nil, fmt.Errorf("reading the inline policy of %s: %w", ps.Name, err)
	}
	ps.InlinePolicy = aws.ToString(inline.InlinePolicy) != ""
	as, err := sso.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: instanceARN, PermissionSetArn: arn, AccountId: aws.String(accountID)})
	if err != nil {
		return nil, fmt.Errorf("listing the assignments of %s: %w", ps.Name, err)
	}
	ps.Assignments = len(as.AccountAssignments)
	return ps, nil
}

// expiryPrefix names what the provider makes to end just-in-time grants:
// schedule groups, and the path of their execution roles.
const expiryPrefix = "zerotrust-jit"

func (inv *Inventory) readExpiry(ctx context.Context, cfg aws.Config) error {
	sc := scheduler.NewFromConfig(cfg)
	inv.ExpirySchedules = map[string]int{}
	groups, err := sc.ListScheduleGroups(ctx, &scheduler.ListScheduleGroupsInput{NamePrefix: aws.String(expiryPrefix + "-")})
	if err != nil {
		return fmt.Errorf("listing schedule groups: %w", err)
	}
	for _, g := range groups.ScheduleGroups {
		ss, err := sc.ListSchedules(ctx, &scheduler.ListSchedulesInput{GroupName: g.Name})
		if err != nil {
			return fmt.Errorf("listing the schedules of %s: %w", aws.ToString(g.Name), err)
		}
		inv.ExpirySchedules[aws.ToString(g.Name)] = len(ss.Schedules)
	}
	roles, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/" + expiryPrefix + "/")})
	if err != nil {
		return fmt.Errorf("listing expiry roles: %w", err)
	}
	for _, r := range roles.Roles {
		inv.ExpiryRoles = append(inv.ExpiryRoles, aws.ToString(r.RoleName))
	}
	sort.Strings(inv.ExpiryRoles)
	return nil
}

func (inv *Inventory) readKubernetes(ctx context.Context, kube kubernetes.Interface, dyn dynamic.Interface, namespace string) error {
	nps, err := kube.NetworkingV1().NetworkPolicies(namespace).List(ctx, metav1.ListOptions{LabelSelector: ownedSelector})
	if err != nil {
		return fmt.Errorf("listing NetworkPolicies: %w", err)
	}
	for _, np := range nps.Items {
		inv.NetworkPolicies = append(inv.NetworkPolicies, np.Name)
	}
	aps, err := dyn.Resource(authorizationPolicies).Namespace(namespace).List(ctx, metav1.ListOptions{LabelSelector: ownedSelector})
	if err != nil {
		return fmt.Errorf("listing AuthorizationPolicies: %w", err)
	}
	for _, ap := range aps.Items {
		inv.AuthorizationPolicies = append(inv.AuthorizationPolicies, ap.GetName())
	}
	sort.Strings(inv.NetworkPolicies)
	sort.Strings(inv.AuthorizationPolicies)
	return nil
}

// Counts summarises the inventory by kind of object.
func (inv *Inventory) Counts() map[string]int {
	c := map[string]int{
		"security groups":                    len(inv.SecurityGroups),
		"Verified Access instances":          len(inv.Proxies),
		"Identity Store groups":              len(inv.IdentityGroups),
		"permission sets":                    len(inv.PermissionSets),
		"NetworkPolicies":                    len(inv.NetworkPolicies),
		"AuthorizationPolicies":              len(inv.AuthorizationPolicies),
		"security group rules":               0,
		"Verified Access trust providers":    inv.TrustProviders,
		"Verified Access groups":             0,
		"Verified Access endpoints":          0,
		"Identity Store group memberships":   0,
		"permission set account assignments": 0,
		"expiry schedule groups":             len(inv.ExpirySchedules),
		"expiry schedules":                   0,
		"expiry IAM roles":                   len(inv.ExpiryRoles),
	}
	for _, g := range inv.SecurityGroups {
		c["security group rules"] += g.Ingress + g.Egress
	}
	for _, p := range inv.Proxies {
		c["Verified Access groups"] += len(p.Groups)
		for _, g := range p.Groups {
			c["Verified Access endpoints"] += len(g.Endpoints)
		}
	}
	for _, g := range inv.IdentityGroups {
		c["Identity Store group memberships"] += g.Members
	}
	for _, p := range inv.PermissionSets {
		c["permission set account assignments"] += p.Assignments
	}
	for _, n := range inv.ExpirySchedules {
		c["expiry schedules"] += n
	}
	return c
}

// Empty reports whether none of the provider's objects is left, and if some
// are, which kinds.
func (inv *Inventory) Empty() (bool, string) {
	var left []string
	for k, n := range inv.Counts() {
		if n != 0 {
			left = append(left, fmt.Sprintf("%d %s", n, k))
		}
	}
	sort.Strings(left)
	return len(left) == 0, strings.Join(left, ", ")
}
