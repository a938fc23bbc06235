package sweep

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// Kept is an unclaimed object Delete left in place, and why.
type Kept struct {
	Object *Object
	Reason string
}

// Result says what Delete did.
type Result struct {
	Deleted []*Object
	Kept    []Kept
}

// Delete deletes the unclaimed objects of inv, in dependency order:
// Kubernetes objects; provider-tagged security group rules; Verified Access
// endpoints (waiting until gone), groups, trust providers (detached first),
// instances; account assignments, then permission sets; identity store
// groups (not one a claimed assignment names); last, security groups the
// provider created (adopted ones are kept). An object with a claimed or foreign dependent is kept, with the
// reason. Progress goes to log. Errors do not stop the sweep; they are
// joined in the returned error.
//
// Delete does not check where it deletes: the caller runs CheckDelete first.
func Delete(ctx context.Context, src Sources, inv *Inventory, log io.Writer) (Result, error) {
	d := &deleter{src: src, log: log, inv: inv, byKind: map[Kind][]*Object{}, claimed: map[string]bool{}}
	for _, o := range inv.Objects {
		if o.Claimed {
			d.claimed[o.ID] = true
			continue
		}
		d.byKind[o.Kind] = append(d.byKind[o.Kind], o)
	}
	d.kube(ctx)
	d.rules(ctx)
	d.endpoints(ctx)
	d.vaGroups(ctx)
	d.trustProviders(ctx)
	d.instances(ctx)
	d.permissionSets(ctx)
	d.identityStoreGroups(ctx)
	d.securityGroups(ctx)
	return d.res, errors.Join(d.errs...)
}

type deleter struct {
	src     Sources
	inv     *Inventory
	log     io.Writer
	byKind  map[Kind][]*Object
	claimed map[string]bool // ids of claimed objects
	res     Result
	errs    []error
}

func (d *deleter) done(o *Object) {
	d.res.Deleted = append(d.res.Deleted, o)
	fmt.Fprintf(d.log, "deleted %s %s %s\n", o.Kind, o.ID, o.Name)
}

func (d *deleter) keep(o *Object, reason string) {
	d.res.Kept = append(d.res.Kept, Kept{Object: o, Reason: reason})
	fmt.Fprintf(d.log, "kept %s %s: %s\n", o.Kind, o.ID, reason)
}

func (d *deleter) fail(o *Object, err error) {
	d.errs = append(d.errs, fmt.Errorf("%s %s: %w", o.Kind, o.ID, err))
	fmt.Fprintf(d.log, "FAILED %s %s: %v\n", o.Kind, o.ID, err)
}

// claimedChild returns the id of a claimed object living in the object id.
func (d *deleter) claimedChild(id string) string {
	for _, o := range d.inv.Objects {
		if o.Parent == id && o.Claimed {
			return o.ID
		}
	}
	return ""
}

func (d *deleter) kube(ctx context.Context) {
	for _, k := range kubeKinds {
		for _, o := range d.byKind[k.kind] {
			r := o.kube
			// The UID precondition guards against deleting an object that was
			// replaced by someone else's of the same name after the list.
			err := d.src.Kube.Resource(r.gvr).Namespace(r.namespace).Delete(ctx, r.name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &r.uid}})
			if err != nil && !apierrors.IsNotFound(err) {
				d.fail(o, err)
				continue
			}
			d.done(o)
		}
	}
}

func (d *deleter) rules(ctx context.Context) {
	byGroup := map[string][]*Object{}
	for _, o := range d.byKind[KindSecurityGroupRule] {
		byGroup[o.Parent] = append(byGroup[o.Parent], o)
	}
	for _, g := range slices.Sorted(maps.Keys(byGroup)) {
		rs := byGroup[g]
		ids := make([]string, len(rs))
		for i, r := range rs {
			ids[i] = r.ID
		}
		if err := awsapi.RevokeRuleIDs(ctx, d.src.AWS.EC2, g, ids); err != nil {
			for _, r := range rs {
				d.fail(r, err)
			}
			continue
		}
		for _, r := range rs {
			d.done(r)
		}
	}
}

func (d *deleter) endpoints(ctx context.Context) {
	byGroup := map[string][]*Object{}
	for _, o := range d.byKind[KindVAEndpoint] {
		if err := awsapi.DeleteVerifiedAccessEndpoint(ctx, d.src.AWS.EC2, o.ID); err != nil {
			d.fail(o, err)
			continue
		}
		byGroup[o.Parent] = append(byGroup[o.Parent], o)
	}
	for _, g := range slices.Sorted(maps.Keys(byGroup)) {
		es := byGroup[g]
		ids := make([]string, len(es))
		for i, e := range es {
			ids[i] = e.ID
		}
		if err := awsapi.WaitVerifiedAccessEndpointsGone(ctx, d.src.AWS.EC2, g, ids); err != nil {
			for _, e := range es {
				d.fail(e, err)
			}
			continue
		}
		for _, e := range es {
			d.done(e)
		}
	}
}

func (d *deleter) vaGroups(ctx context.Context) {
	for _, o := range d.byKind[KindVAGroup] {
		left, err := awsapi.FindVerifiedAccessEndpoints(ctx, d.src.AWS.EC2, o.ID)
		if awsapi.IsVerifiedAccessNotFound(err) {
			d.done(o)
			continue
		}
		if err != nil {
			d.fail(o, err)
			continue
		}
		if len(left) > 0 {
			d.keep(o, fmt.Sprintf("still has endpoints %v (claimed, foreign or not deleted)", slices.Sorted(maps.Keys(left))))
			continue
		}
		if err := awsapi.DeleteVerifiedAccessGroup(ctx, d.src.AWS.EC2, o.ID); err != nil {
			d.fail(o, err)
			continue
		}
		d.done(o)
	}
}

// attachments maps each trust provider id to the instances it is attached
// to, over every instance of the account (foreign ones too).
func (d *deleter) attachments(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	p := ec2.NewDescribeVerifiedAccessInstancesPaginator(d.src.AWS.EC2, &ec2.DescribeVerifiedAccessInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing Verified Access instances: %w", err)
		}
		for _, in := range page.VerifiedAccessInstances {
			for _, tp := range in.VerifiedAccessTrustProviders {
				id := aws.ToString(tp.VerifiedAccessTrustProviderId)
				out[id] = append(out[id], aws.ToString(in.VerifiedAccessInstanceId))
			}
		}
	}
	return out, nil
}

func (d *deleter) trustProviders(ctx context.Context) {
	tps := d.byKind[KindVATrustProvider]
	if len(tps) == 0 {
		return
	}
	att, err := d.attachments(ctx)
	if err != nil {
		for _, o := range tps {
			d.fail(o, err)
		}
		return
	}
	for _, o := range tps {
		var derr error
		for _, in := range att[o.ID] {
			if derr = awsapi.DetachVerifiedAccessTrustProvider(ctx, d.src.AWS.EC2, in, o.ID); derr != nil {
				break
			}
		}
		if derr != nil {
			d.fail(o, derr)
			continue
		}
		if err := awsapi.DeleteVerifiedAccessTrustProvider(ctx, d.src.AWS.EC2, o.ID); err != nil {
			d.fail(o, err)
			continue
		}
		d.done(o)
	}
}

func (d *deleter) instances(ctx context.Context) {
	for _, o := range d.byKind[KindVAInstance] {
		c := d.src.AWS.EC2
		var groups []string
		p := ec2.NewDescribeVerifiedAccessGroupsPaginator(c, &ec2.DescribeVerifiedAccessGroupsInput{
			Filters: []ec2types.Filter{{Name: aws.String("verified-access-instance-id"), Values: []string{o.ID}}},
		})
		var err error
		for p.HasMorePages() && err == nil {
			var page *ec2.DescribeVerifiedAccessGroupsOutput
			if page, err = p.NextPage(ctx); err == nil {
				for _, g := range page.VerifiedAccessGroups {
					groups = append(groups, aws.ToString(g.VerifiedAccessGroupId))
				}
			}
		}
		if err != nil {
			d.fail(o, err)
			continue
		}
		if len(groups) > 0 {
			d.keep(o, fmt.Sprintf("still has groups %v (claimed, foreign or not deleted)", groups))
			continue
		}
		in, err := awsapi.FindVerifiedAccessInstance(ctx, c, o.ID)
		if awsapi.IsVerifiedAccessNotFound(err) {
			d.done(o)
			continue
		}
		if err != nil {
			d.fail(o, err)
			continue
		}
		if tp := firstClaimed(in.TrustProviderIDs, d.claimed); tp != "" {
			d.keep(o, "a claimed trust provider is attached: "+tp)
			continue
		}
		// What is still attached is foreign: detach it (it is not deleted).
		for _, tp := range in.TrustProviderIDs {
			if err = awsapi.DetachVerifiedAccessTrustProvider(ctx, c, o.ID, tp); err != nil {
				break
			}
		}
		if err == nil {
			err = awsapi.DeleteVerifiedAccessInstance(ctx, c, o.ID)
		}
		if err != nil {
			d.fail(o, err)
			continue
		}
		d.done(o)
	}
}

func firstClaimed(ids []string, claimed map[string]bool) string {
	for _, id := range ids {
		if claimed[id] {
			return id
		}
	}
	return ""
}

func (d *deleter) permissionSets(ctx context.Context) {
	byPS := map[string][]*Object{}
	for _, o := range d.byKind[KindAccountAssignment] {
		byPS[o.Parent] = append(byPS[o.Parent], o)
	}
	failed := map[string]bool{}
	for _, ps := range slices.Sorted(maps.Keys(byPS)) {
		objs := byPS[ps]
		as := make([]identitycenter.Assignment, len(objs))
		for i, o := range objs {
			as[i] = o.assignment
		}
		removed, err := awsapi.DeleteAssignments(ctx, d.src.AWS.SSOAdmin, objs[0].instanceARN, ps, as)
		for _, o := range objs {
			if slices.Contains(removed, o.assignment) {
				d.done(o)
			} else {
				failed[ps] = true
				d.fail(o, err)
			}
		}
	}
	for _, o := range d.byKind[KindPermissionSet] {
		if failed[o.ID] {
			d.keep(o, "some of its assignments could not be removed")
			continue
		}
		if c := d.claimedChild(o.ID); c != "" {
			d.keep(o, "an assignment is claimed: "+c)
			continue
		}
		if err := awsapi.DeletePermissionSet(ctx, d.src.AWS.SSOAdmin, o.instanceARN, o.ID); err != nil {
			d.fail(o, err)
			continue
		}
		d.done(o)
	}
}

func (d *deleter) identityStoreGroups(ctx context.Context) {
	for _, o := range d.byKind[KindIdentityStoreGroup] {
		if a := d.claimedAssignmentOf(o.ID); a != nil {
			d.keep(o, "a claimed permission set assigns it: "+a.ID)
			continue
		}
		if err := awsapi.DeleteGroup(ctx, d.src.AWS.IdentityStore, o.storeID, o.ID); err != nil {
			d.fail(o, err)
			continue
		}
		d.done(o)
	}
}

// claimedAssignmentOf returns a claimed account assignment whose principal
// is the given group: deleting the group would break a state's assignment.
func (d *deleter) claimedAssignmentOf(groupID string) *Object {
	for _, o := range d.inv.Objects {
		if o.Kind == KindAccountAssignment && o.Claimed && o.assignment.PrincipalID == groupID {
			return o
		}
	}
	return nil
}

func (d *deleter) securityGroups(ctx context.Context) {
	for _, o := range d.byKind[KindSecurityGroup] {
		if o.Adopted {
			d.keep(o, "adopted (zerotrust:adopted=true): not created by the provider, only its provider-tagged rules are removed")
			continue
		}
		if c := d.claimedChild(o.ID); c != "" {
			d.keep(o, "a rule in it is claimed: "+c)
			continue
		}
		if err := awsapi.DeleteSecurityGroup(ctx, d.src.AWS.EC2, o.ID); err != nil {
			d.fail(o, err)
			continue
		}
		d.done(o)
	}
}
