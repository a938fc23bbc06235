package sweep

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/kube"
)

// Sources are the APIs to sweep; a nil field is not looked at.
type Sources struct {
	AWS  *awsapi.Clients
	Kube dynamic.Interface
	// IdentityCenter names the Identity Center instance; empty means the
	// account's only one (ListInstances), none means its kinds are skipped.
	IdentityCenter awsapi.IdentityCenterInstance
}

// managedByFilter selects the objects tagged managed-by this provider.
func managedByFilter() []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String("tag:" + awsapi.TagManagedBy), Values: []string{awsapi.ManagedByValue}}}
}

// List finds every object carrying the provider's marks and resolves which
// ones the claims cover. Reads are paginated: one tag:managed-by filtered
// call for security groups and each Verified Access kind; one call for the
// rules of those groups (group-id filter, tags checked here); permission
// sets have no tag filter (ListPermissionSets, then ListTagsForResource
// each, and the assignments of owned ones); identity store groups have no
// description filter (one ListGroups); Kubernetes, one labelled list per kind.
func List(ctx context.Context, src Sources, claims Claims) (*Inventory, error) {
	inv := &Inventory{}
	if src.AWS == nil {
		inv.Notes = append(inv.Notes, "AWS not configured: security groups, Verified Access and Identity Center not looked at")
	} else {
		if err := listSecurityGroups(ctx, src.AWS.EC2, inv); err != nil {
			return nil, err
		}
		if err := listVerifiedAccess(ctx, src.AWS.EC2, inv); err != nil {
			return nil, err
		}
		if err := listIdentityCenter(ctx, src, inv); err != nil {
			return nil, err
		}
	}
	if src.Kube == nil {
		inv.Notes = append(inv.Notes, "Kubernetes not configured: NetworkPolicies and AuthorizationPolicies not looked at")
	} else if err := listKube(ctx, src.Kube, inv); err != nil {
		return nil, err
	}
	inv.resolve(claims)
	return inv, nil
}

func tags(ts []ec2types.Tag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func listSecurityGroups(ctx context.Context, c *ec2.Client, inv *Inventory) error {
	var groupIDs []string
	p := ec2.NewDescribeSecurityGroupsPaginator(c, &ec2.DescribeSecurityGroupsInput{Filters: managedByFilter()})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing security groups: %w", err)
		}
		for _, g := range page.SecurityGroups {
			t := tags(g.Tags)
			id := aws.ToString(g.GroupId)
			groupIDs = append(groupIDs, id)
			inv.Objects = append(inv.Objects, &Object{
				Kind: KindSecurityGroup, ID: id, Name: aws.ToString(g.GroupName), Parent: aws.ToString(g.VpcId),
				Adopted: t[awsapi.TagAdopted] == "true",
				keys:    []string{id, aws.ToString(g.SecurityGroupArn)},
			})
		}
	}
	// The provider writes rules only into groups it tags (created or
	// adopted), so one paginated call over those groups finds them all.
	for len(groupIDs) > 0 {
		chunk := groupIDs[:min(len(groupIDs), 200)]
		groupIDs = groupIDs[len(chunk):]
		rp := ec2.NewDescribeSecurityGroupRulesPaginator(c, &ec2.DescribeSecurityGroupRulesInput{
			Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: chunk}}, MaxResults: aws.Int32(1000),
		})
		for rp.HasMorePages() {
			page, err := rp.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("listing security group rules: %w", err)
			}
			for _, r := range page.SecurityGroupRules {
				t := tags(r.Tags)
				if t[awsapi.TagManagedBy] != awsapi.ManagedByValue {
					continue
				}
				id := aws.ToString(r.SecurityGroupRuleId)
				o := &Object{
					Kind: KindSecurityGroupRule, ID: id, Name: t[awsapi.TagPolicy], Parent: aws.ToString(r.GroupId),
					egress: aws.ToBool(r.IsEgress), keys: []string{id}, ownerKeys: []string{t[awsapi.TagPolicy]},
				}
				if owner, ownership, ok := strings.Cut(t[awsapi.TagPolicy], "@"); ok {
					o.ownerKeys, o.ownerPair = nil, []string{owner, ownership}
				}
				inv.Objects = append(inv.Objects, o)
			}
		}
	}
	return nil
}

func listVerifiedAccess(ctx context.Context, c *ec2.Client, inv *Inventory) error {
	ip := ec2.NewDescribeVerifiedAccessInstancesPaginator(c, &ec2.DescribeVerifiedAccessInstancesInput{Filters: managedByFilter()})
	for ip.HasMorePages() {
		page, err := ip.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing Verified Access instances: %w", err)
		}
		for _, in := range page.VerifiedAccessInstances {
			id := aws.ToString(in.VerifiedAccessInstanceId)
			inv.Objects = append(inv.Objects, &Object{Kind: KindVAInstance, ID: id, Name: tags(in.Tags)[awsapi.TagProxy], keys: []string{id}})
		}
	}
	tp := ec2.NewDescribeVerifiedAccessTrustProvidersPaginator(c, &ec2.DescribeVerifiedAccessTrustProvidersInput{Filters: managedByFilter()})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing Verified Access trust providers: %w", err)
		}
		for _, p := range page.VerifiedAccessTrustProviders {
			id, owner := aws.ToString(p.VerifiedAccessTrustProviderId), tags(p.Tags)[awsapi.TagProxyID]
			inv.Objects = append(inv.Objects, &Object{
				Kind: KindVATrustProvider, ID: id, Name: aws.ToString(p.PolicyReferenceName), Parent: owner,
				keys: []string{id}, ownerKeys: []string{owner}, inheritsOf: owner,
			})
		}
	}
	gp := ec2.NewDescribeVerifiedAccessGroupsPaginator(c, &ec2.DescribeVerifiedAccessGroupsInput{Filters: managedByFilter()})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing Verified Access groups: %w", err)
		}
		for _, g := range page.VerifiedAccessGroups {
			id := aws.ToString(g.VerifiedAccessGroupId)
			inv.Objects = append(inv.Objects, &Object{
				Kind: KindVAGroup, ID: id, Name: tags(g.Tags)[awsapi.TagSurface], Parent: aws.ToString(g.VerifiedAccessInstanceId),
				keys: []string{id, aws.ToString(g.VerifiedAccessGroupArn)},
			})
		}
	}
	ep := ec2.NewDescribeVerifiedAccessEndpointsPaginator(c, &ec2.DescribeVerifiedAccessEndpointsInput{Filters: managedByFilter()})
	for ep.HasMorePages() {
		page, err := ep.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing Verified Access endpoints: %w", err)
		}
		for _, e := range page.VerifiedAccessEndpoints {
			if s := e.Status; s != nil && (s.Code == ec2types.VerifiedAccessEndpointStatusCodeDeleted || s.Code == ec2types.VerifiedAccessEndpointStatusCodeDeleting) {
				continue
			}
			id, group := aws.ToString(e.VerifiedAccessEndpointId), aws.ToString(e.VerifiedAccessGroupId)
			t := tags(e.Tags)
			inv.Objects = append(inv.Objects, &Object{
				Kind: KindVAEndpoint, ID: id, Name: t[awsapi.TagApplication], Parent: group,
				keys: []string{id}, ownerKeys: []string{t[awsapi.TagSurfaceID]}, inheritsOf: group,
			})
		}
	}
	return nil
}

func listIdentityCenter(ctx context.Context, src Sources, inv *Inventory) error {
	ic := src.IdentityCenter
	if ic.InstanceARN == "" || ic.IdentityStoreID == "" {
		found, err := awsapi.DiscoverIdentityCenter(ctx, src.AWS.SSOAdmin, ic.InstanceARN)
		if err != nil {
			// An account without Identity Center holds nothing of ours there.
			inv.Notes = append(inv.Notes, "Identity Center not looked at: "+err.Error())
			return nil //nolint:nilerr // a note, not a failure
		}
		ic = found
	}
	sso := src.AWS.SSOAdmin
	p := ssoadmin.NewListPermissionSetsPaginator(sso, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(ic.InstanceARN)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing permission sets: %w", err)
		}
		for _, arn := range page.PermissionSets {
			t, err := awsapi.ListPermissionSetTags(ctx, sso, ic.InstanceARN, arn)
			if err != nil {
				return err
			}
			if t[awsapi.TagManagedBy] != awsapi.ManagedByValue {
				continue
			}
			name := t[awsapi.TagPrivilegedAccess]
			if out, err := sso.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(ic.InstanceARN), PermissionSetArn: aws.String(arn)}); err == nil && out.PermissionSet != nil {
				name = aws.ToString(out.PermissionSet.Name)
			}
			inv.Objects = append(inv.Objects, &Object{Kind: KindPermissionSet, ID: arn, Name: name, instanceARN: ic.InstanceARN, keys: []string{arn}})
			as, err := awsapi.ListAssignments(ctx, sso, ic.InstanceARN, arn, nil)
			if err != nil {
				return err
			}
			for _, a := range as {
				inv.Objects = append(inv.Objects, &Object{
					Kind: KindAccountAssignment, ID: arn + "," + a.AccountID + "," + a.PrincipalType + "," + a.PrincipalID,
					Name: a.PrincipalType + " " + a.PrincipalID + " in " + a.AccountID, Parent: arn,
					instanceARN: ic.InstanceARN, assignment: a, inheritsOf: arn,
				})
			}
		}
	}
	gp := identitystore.NewListGroupsPaginator(src.AWS.IdentityStore, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(ic.IdentityStoreID)})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing identity store groups: %w", err)
		}
		for _, g := range page.Groups {
			if _, owned := awsapi.ParseGroupDescription(aws.ToString(g.Description)); !owned {
				continue
			}
			id := aws.ToString(g.GroupId)
			inv.Objects = append(inv.Objects, &Object{Kind: KindIdentityStoreGroup, ID: id, Name: aws.ToString(g.DisplayName), storeID: ic.IdentityStoreID, keys: []string{id}})
		}
	}
	return nil
}

// kubeRef is what deleting a Kubernetes object needs.
type kubeRef struct {
	gvr       schema.GroupVersionResource
	namespace string
	name      string
	uid       types.UID
}

var kubeKinds = []struct {
	kind Kind
	gvr  schema.GroupVersionResource
}{
	{KindNetworkPolicy, kube.NetworkPolicyGVR},
	{KindAuthorizationPolicy, kube.AuthorizationPolicyGVR},
	// The registry records of Kubernetes-only segments, and those provider
	// 0.1 wrote in ConfigMaps (the only ConfigMaps the provider labels).
	{KindSegmentRecord, kube.SegmentRecordGVR},
	{KindLegacySegmentRecord, kube.LegacyConfigMapGVR},
}

func listKube(ctx context.Context, dyn dynamic.Interface, inv *Inventory) error {
	sel := labels.SelectorFromSet(labels.Set{kubernetes.ManagedByLabel: kubernetes.ManagedByValue}).String()
	for _, k := range kubeKinds {
		opts := metav1.ListOptions{LabelSelector: sel, Limit: 500}
		for {
			list, err := dyn.Resource(k.gvr).Namespace(metav1.NamespaceAll).List(ctx, opts)
			if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
				inv.Notes = append(inv.Notes, fmt.Sprintf("%s: the API %s is not served by the cluster", k.kind, k.gvr.GroupResource()))
				break
			}
			if err != nil {
				return fmt.Errorf("listing %s: %w", k.gvr.Resource, err)
			}
			for _, o := range list.Items {
				ns, name := o.GetNamespace(), o.GetName()
				gvk := o.GroupVersionKind()
				owner := o.GetAnnotations()[kubernetes.OwnerAnnotation]
				keys := []string{ns + "/" + name, gvk.GroupVersion().String() + "/" + gvk.Kind + "/" + ns + "/" + name}
				if k.kind == KindSegmentRecord || k.kind == KindLegacySegmentRecord {
					segment, ok := kube.RecordSegmentName(&o)
					if !ok || o.GetLabels()[kube.RegistryLabel] != "true" {
						continue
					}
					// Claimed by the segment's id, k8s/<namespace>/<name>.
					owner = model.KubernetesSegmentID(ns, segment)
					keys = append(keys, owner)
				}
				inv.Objects = append(inv.Objects, &Object{
					Kind: k.kind, ID: ns + "/" + name, Name: owner,
					keys:      keys,
					ownerKeys: []string{owner},
					kube:      &kubeRef{gvr: k.gvr, namespace: ns, name: name, uid: o.GetUID()},
				})
			}
			if list.GetContinue() == "" {
				break
			}
			opts.Continue = list.GetContinue()
		}
	}
	return nil
}

var errRefused = errors.New("refused")
