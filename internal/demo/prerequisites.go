// Package demo holds what `make demo` and the end-to-end test of
// examples/complete share: the prerequisites the example expects to exist
// (a VPC with private subnets, internal load balancers in front of the
// protected applications, Identity Center users, a namespace), created
// through the AWS SDK and client-go, and the read-back of what the apply
// created.
package demo

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Members are the organisation's people by access group: the Identity
// Center users the prerequisites create and the example's `members`. A
// person may be in several groups (bob is an engineer and on call).
var Members = map[string][]string{
	"engineering": {"alice@acme.example", "bob@acme.example"},
	"oncall":      {"bob@acme.example"},
	"finance":     {"carol@acme.example"},
	"support":     {"dan@acme.example"},
	"contractors": {"erin@partner.example", "frank@partner.example"},
}

// Applications are the protected applications, each behind its own internal
// load balancer (the example's load_balancer_arns keys).
var Applications = []string{"wiki", "payments-admin", "hr-portal"}

// Namespace is where the shop's pods run.
const Namespace = "shop"

// Prerequisites are the objects examples/complete expects to exist.
type Prerequisites struct {
	VPCID            string
	SubnetIDs        []string
	LoadBalancerARNs map[string]string
	CertificateARN   string
	// LedgerDBClusterARN is the database the ledger surface puts behind the
	// proxy, OpsNetworkCIDR the network the ops surface does.
	LedgerDBClusterARN string
	OpsNetworkCIDR     string
	AccountID          string
	UserIDs            map[string]string
	Namespace          string
	// OncallExpiresAt ends the just-in-time grant: a fixed time for the whole
	// run (so a re-plan is clean), far enough ahead not to pass during it.
	OncallExpiresAt time.Time
}

// Variables are the example's input variables for these prerequisites.
func (p *Prerequisites) Variables() map[string]any {
	return map[string]any{
		"vpc_id":                p.VPCID,
		"subnet_ids":            p.SubnetIDs,
		"load_balancer_arns":    p.LoadBalancerARNs,
		"certificate_arn":       p.CertificateARN,
		"ledger_db_cluster_arn": p.LedgerDBClusterARN,
		"ops_network_cidr":      p.OpsNetworkCIDR,
		"account_id":            p.AccountID,
		"members":               Members,
		"oncall_expires_at":     p.OncallExpiresAt.UTC().Format(time.RFC3339),
		"kubernetes_namespace":  p.Namespace,
	}
}

// Create makes the prerequisites in the account and cluster the clients
// point at. On error, what was already made is deleted again.
func Create(ctx context.Context, cfg aws.Config, kube kubernetes.Interface, vpcCIDR string) (_ *Prerequisites, err error) {
	p := &Prerequisites{LoadBalancerARNs: map[string]string{}, UserIDs: map[string]string{}, Namespace: Namespace,
		OncallExpiresAt: time.Now().UTC().Add(8 * time.Hour).Truncate(time.Hour)}
	defer func() {
		if err != nil {
			err = errors.Join(err, p.Delete(ctx, cfg))
		}
	}()
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("reading the account id: %w", err)
	}
	p.AccountID = aws.ToString(id.Account)
	// The sandbox does not check certificates; on a real account pass one of yours.
	p.CertificateARN = fmt.Sprintf("arn:aws:acm:%s:%s:certificate/zt-demo-corp-example-com", cfg.Region, p.AccountID)
	// Verified Access in the sandbox checks an RDS target's ARN form, not that
	// the cluster exists; on a real account pass your cluster's ARN.
	p.LedgerDBClusterARN = fmt.Sprintf("arn:aws:rds:%s:%s:cluster:zt-demo-ledger", cfg.Region, p.AccountID)

	if err := p.createNetwork(ctx, cfg, vpcCIDR); err != nil {
		return nil, err
	}
	if err := p.createUsers(ctx, cfg); err != nil {
		return nil, err
	}
	if kube != nil {
		_, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: p.Namespace}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return nil, fmt.Errorf("creating namespace %s: %w", p.Namespace, err)
		}
	}
	return p, nil
}

// createNetwork makes the VPC, two private subnets in two zones and one
// internal application load balancer per application.
func (p *Prerequisites) createNetwork(ctx context.Context, cfg aws.Config, vpcCIDR string) error {
	ec2c := ec2.NewFromConfig(cfg)
	vpc, err := ec2c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(vpcCIDR), TagSpecifications: []ec2types.TagSpecification{{
		ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("zt-demo")}},
	}}})
	if err != nil {
		return fmt.Errorf("creating the VPC: %w", err)
	}
	p.VPCID = aws.ToString(vpc.Vpc.VpcId)
	prefix, err := subnetPrefix(vpcCIDR)
	if err != nil {
		return err
	}
	p.OpsNetworkCIDR = prefix + ".8.0/24"
	for i, zone := range []string{"a", "b"} {
		sn, err := ec2c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(p.VPCID),
			CidrBlock: aws.String(fmt.Sprintf("%s.%d.0/24", prefix, i+1)), AvailabilityZone: aws.String(cfg.Region + zone)})
		if err != nil {
			return fmt.Errorf("creating a subnet: %w", err)
		}
		p.SubnetIDs = append(p.SubnetIDs, aws.ToString(sn.Subnet.SubnetId))
	}
	lbc := elb.NewFromConfig(cfg)
	for _, app := range Applications {
		lb, err := lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
			Name: aws.String("zt-demo-" + app), Scheme: elbtypes.LoadBalancerSchemeEnumInternal,
			Type: elbtypes.LoadBalancerTypeEnumApplication, Subnets: p.SubnetIDs,
		})
		if err != nil {
			return fmt.Errorf("creating the load balancer of %s: %w", app, err)
		}
		if len(lb.LoadBalancers) != 1 {
			return fmt.Errorf("creating the load balancer of %s: %d load balancers returned", app, len(lb.LoadBalancers))
		}
		p.LoadBalancerARNs[app] = aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	}
	return nil
}

// subnetPrefix is the first two octets of a /16 VPC block ("10.42").
func subnetPrefix(cidr string) (string, error) {
	var a, b, c, d, bits int
	if _, err := fmt.Sscanf(cidr, "%d.%d.%d.%d/%d", &a, &b, &c, &d, &bits); err != nil || bits != 16 {
		return "", fmt.Errorf("the VPC block must be an IPv4 /16, got %q", cidr)
	}
	return fmt.Sprintf("%d.%d", a, b), nil
}

func identityStoreID(ctx context.Context, cfg aws.Config) (string, error) {
	out, err := ssoadmin.NewFromConfig(cfg).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		return "", fmt.Errorf("listing IAM Identity Center instances: %w", err)
	}
	if len(out.Instances) == 0 {
		return "", errors.New("no IAM Identity Center instance")
	}
	return aws.ToString(out.Instances[0].IdentityStoreId), nil
}

func (p *Prerequisites) createUsers(ctx context.Context, cfg aws.Config) error {
	store, err := identityStoreID(ctx, cfg)
	if err != nil {
		return err
	}
	c := identitystore.NewFromConfig(cfg)
	for _, name := range Users() {
		out, err := c.CreateUser(ctx, &identitystore.CreateUserInput{
			IdentityStoreId: aws.String(store), UserName: aws.String(name), DisplayName: aws.String(name),
			Name: &istypes.Name{GivenName: aws.String(name), FamilyName: aws.String("Acme")},
		})
		if err != nil {
			return fmt.Errorf("creating user %s: %w", name, err)
		}
		p.UserIDs[name] = aws.ToString(out.UserId)
	}
	return nil
}

// Users are every member's user name, sorted, each once.
func Users() []string {
	seen := map[string]bool{}
	var out []string
	for _, ms := range Members {
		for _, m := range ms {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Memberships is how many group memberships Members holds.
func Memberships() int {
	n := 0
	for _, ms := range Members {
		n += len(ms)
	}
	return n
}

// Delete removes the AWS prerequisites (what exists of them). The namespace
// is left: deleting one takes the controller manager's namespace
// controller, which the sandbox does not run.
func (p *Prerequisites) Delete(ctx context.Context, cfg aws.Config) error {
	var errs []error
	if len(p.UserIDs) > 0 {
		store, err := identityStoreID(ctx, cfg)
		errs = append(errs, err)
		c := identitystore.NewFromConfig(cfg)
		for name, id := range p.UserIDs {
			if _, err := c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(store), UserId: aws.String(id)}); err != nil {
				errs = append(errs, fmt.Errorf("deleting user %s: %w", name, err))
			}
		}
	}
	lbc := elb.NewFromConfig(cfg)
	for app, arn := range p.LoadBalancerARNs {
		if _, err := lbc.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(arn)}); err != nil {
			errs = append(errs, fmt.Errorf("deleting the load balancer of %s: %w", app, err))
		}
	}
	ec2c := ec2.NewFromConfig(cfg)
	for _, id := range p.SubnetIDs {
		if _, err := ec2c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(id)}); err != nil {
			errs = append(errs, fmt.Errorf("deleting subnet %s: %w", id, err))
		}
	}
	if p.VPCID != "" {
		if _, err := ec2c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(p.VPCID)}); err != nil {
			errs = append(errs, fmt.Errorf("deleting VPC %s: %w", p.VPCID, err))
		}
	}
	return errors.Join(errs...)
}
