package awsapi

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
)

// Tag keys on permission sets, besides TagManagedBy.
const (
	// TagPrivilegedAccess names the zerotrust_privileged_access that owns a permission set.
	TagPrivilegedAccess = "zerotrust:privileged-access"

	permissionSetKind = "permission set"
)

// ProvisioningWait bounds waits on Identity Center's asynchronous operations
// (account assignments, provisioning): they usually finish in seconds but
// can take minutes when many accounts are involved.
var ProvisioningWait = WaitOptions{Timeout: 10 * time.Minute, MinDelay: 500 * time.Millisecond, MaxDelay: 10 * time.Second}

// PermissionSet is the live state of a permission set that the provider reads.
type PermissionSet struct {
	ARN, Name, Description, SessionDuration string
	// InlinePolicy is the text as the API returns it, "" for none.
	InlinePolicy            string
	ManagedPolicies         []string
	CustomerManagedPolicies []identitycenter.PolicyReference
	Boundary                *identitycenter.Boundary
	Tags                    map[string]string
}

// FindPermissionSet reads a permission set with its policies, boundary and
// tags; a missing permission set is a *NotFoundError.
func FindPermissionSet(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string) (*PermissionSet, error) {
	out, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
	if isResourceNotFound(err) {
		return nil, &NotFoundError{Kind: permissionSetKind, ID: arn, Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("describing %s %s: %w", permissionSetKind, arn, err)
	}
	p, err := singleResult(permissionSetKind, arn, one(out.PermissionSet), func(p *ssotypes.PermissionSet) string { return aws.ToString(p.PermissionSetArn) })
	if err != nil {
		return nil, err
	}
	ps := &PermissionSet{ARN: arn, Name: aws.ToString(p.Name), Description: aws.ToString(p.Description), SessionDuration: aws.ToString(p.SessionDuration)}
	in := &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)}
	inline, err := c.GetInlinePolicyForPermissionSet(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("reading the inline policy of %s: %w", arn, err)
	}
	ps.InlinePolicy = aws.ToString(inline.InlinePolicy)

	mp := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(c, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
	for mp.HasMorePages() {
		page, err := mp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the managed policies of %s: %w", arn, err)
		}
		for _, p := range page.AttachedManagedPolicies {
			ps.ManagedPolicies = append(ps.ManagedPolicies, aws.ToString(p.Arn))
		}
	}
	sort.Strings(ps.ManagedPolicies)

	cp := ssoadmin.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(c, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the customer-managed policies of %s: %w", arn, err)
		}
		for _, r := range page.CustomerManagedPolicyReferences {
			ps.CustomerManagedPolicies = append(ps.CustomerManagedPolicies, identitycenter.PolicyReference{Name: aws.ToString(r.Name), Path: valueOr(aws.ToString(r.Path), "/")})
		}
	}
	sortReferences(ps.CustomerManagedPolicies)

	b, err := c.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
	switch {
	case err == nil:
		ps.Boundary = fromSDKBoundary(b.PermissionsBoundary)
	case isResourceNotFound(err): // AWS's answer when there is no boundary
	default:
		return nil, fmt.Errorf("reading the permissions boundary of %s: %w", arn, err)
	}
	if ps.Tags, err = ListPermissionSetTags(ctx, c, instanceARN, arn); err != nil {
		return nil, err
	}
	return ps, nil
}

func fromSDKBoundary(b *ssotypes.PermissionsBoundary) *identitycenter.Boundary {
	if b == nil {
		return nil
	}
	if r := b.CustomerManagedPolicyReference; r != nil {
		return &identitycenter.Boundary{CustomerManagedPolicy: &identitycenter.PolicyReference{Name: aws.ToString(r.Name), Path: valueOr(aws.ToString(r.Path), "/")}}
	}
	if arn := aws.ToString(b.ManagedPolicyArn); arn != "" {
		return &identitycenter.Boundary{ManagedPolicyARN: arn}
	}
	return nil
}

// ListPermissionSetTags reads every tag of a permission set (paginated).
func ListPermissionSetTags(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string) (map[string]string, error) {
	tags := map[string]string{}
	p := ssoadmin.NewListTagsForResourcePaginator(c, &ssoadmin.ListTagsForResourceInput{InstanceArn: aws.String(instanceARN), ResourceArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the tags of %s: %w", arn, err)
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	return tags, nil
}

// CreatePermissionSetInput is a permission set to create. SessionDuration is
// required (ISO-8601, e.g. PT1H).
type CreatePermissionSetInput struct {
	Name, Description, SessionDuration string
	// Tags must include TagManagedBy and TagPrivilegedAccess: they prove
	// ownership when an interrupted create is re-run.
	Tags map[string]string
}

// CreatePermissionSet creates a permission set tagged with in.Tags, which
// carry TagOwnership and TagCreatePending. A permission set of that name
// already there (AWS refuses duplicate names with ConflictException; moto
// accepts them, so the name is looked up first) is adopted only when its
// create is still pending — a lost response, or an apply killed before state
// was written — and then claimed for this create; any other is refused, the
// provider's with an OwnershipError, a foreign one with how to import it. It
// returns the ARN and, when an existing permission set was adopted, the
// ownership id its interrupted create had drawn ("" for a new one), so the
// objects that create made beside it (expiry role and schedules) can be
// adopted too.
//
// The look-up lists every permission set of the instance and describes each
// (the API has no name filter); it runs on create only, never on read.
func CreatePermissionSet(ctx context.Context, c *ssoadmin.Client, instanceARN string, in CreatePermissionSetInput) (arn, adoptedFrom string, err error) {
	if arn, adoptedFrom, err := adoptPendingPermissionSet(ctx, c, instanceARN, in); arn != "" || err != nil {
		return arn, adoptedFrom, err
	}
	tags := make([]ssotypes.Tag, 0, len(in.Tags))
	for _, k := range slices.Sorted(maps.Keys(in.Tags)) {
		tags = append(tags, ssotypes.Tag{Key: aws.String(k), Value: aws.String(in.Tags[k])})
	}
	out, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{
		InstanceArn:     aws.String(instanceARN),
		Name:            aws.String(in.Name),
		Description:     optional(in.Description),
		SessionDuration: aws.String(in.SessionDuration),
		Tags:            tags,
	})
	if hasCode(err, "ConflictException") {
		// Created by this create's lost earlier attempt, or by another: look again.
		if arn, adoptedFrom, aerr := adoptPendingPermissionSet(ctx, c, instanceARN, in); arn != "" || aerr != nil {
			return arn, adoptedFrom, aerr
		}
	}
	if err != nil {
		return "", "", fmt.Errorf("creating %s %q: %w", permissionSetKind, in.Name, err)
	}
	if out.PermissionSet == nil || aws.ToString(out.PermissionSet.PermissionSetArn) == "" {
		return "", "", fmt.Errorf("creating %s %q: the response carries no ARN", permissionSetKind, in.Name)
	}
	return aws.ToString(out.PermissionSet.PermissionSetArn), "", nil
}

// adoptPendingPermissionSet finds a permission set named in.Name: none (""),
// a pending one of ours (claimed; the ownership id its create had drawn is
// returned), or an error saying whose it is.
func adoptPendingPermissionSet(ctx context.Context, c *ssoadmin.Client, instanceARN string, in CreatePermissionSetInput) (string, string, error) {
	arn, tags, err := findPermissionSetByName(ctx, c, instanceARN, in.Name)
	switch {
	case err != nil || arn == "":
		return "", "", err
	case tags[TagManagedBy] != ManagedByValue:
		return "", "", foreignPermissionSet(instanceARN, in.Name, arn)
	case !recoverable(tags):
		return "", "", &OwnershipError{Kind: permissionSetKind, Name: in.Name, ID: arn, Owner: tags[TagOwnership], Import: instanceARN + "," + arn}
	}
	previous := tags[TagOwnership]
	if own := in.Tags[TagOwnership]; previous != own {
		if err := TagPermissionSet(ctx, c, instanceARN, arn, map[string]string{TagOwnership: own, TagCreatePending: own}); err != nil {
			return "", "", err
		}
	}
	return arn, valueOr(previous, in.Tags[TagOwnership]), nil
}

// CompletePermissionSetCreate removes the pending mark once the permission
// set is recorded in state.
func CompletePermissionSetCreate(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string) error {
	_, err := c.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: aws.String(instanceARN), ResourceArn: aws.String(arn), TagKeys: []string{TagCreatePending}})
	if err != nil {
		return fmt.Errorf("completing the create of %s: %w", arn, err)
	}
	return nil
}

func foreignPermissionSet(instanceARN, name, arn string) error {
	return fmt.Errorf("a permission set named %q already exists (%s) and is not managed by this provider; "+
		"import it (import id %s,%s) or choose another name", name, arn, instanceARN, arn)
}

// findPermissionSetByName returns the permission set named name, if any, and
// its tags.
func findPermissionSetByName(ctx context.Context, c *ssoadmin.Client, instanceARN, name string) (string, map[string]string, error) {
	p := ssoadmin.NewListPermissionSetsPaginator(c, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(instanceARN)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", nil, fmt.Errorf("listing permission sets: %w", err)
		}
		for _, arn := range page.PermissionSets {
			out, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
			if isResourceNotFound(err) {
				continue // deleted meanwhile
			}
			if err != nil {
				return "", nil, fmt.Errorf("describing %s %s: %w", permissionSetKind, arn, err)
			}
			if out.PermissionSet == nil || aws.ToString(out.PermissionSet.Name) != name {
				continue
			}
			tags, err := ListPermissionSetTags(ctx, c, instanceARN, arn)
			if err != nil {
				return "", nil, err
			}
			return arn, tags, nil
		}
	}
	return "", nil, nil
}

// UpdatePermissionSet sets the description and session duration.
func UpdatePermissionSet(ctx context.Context, c *ssoadmin.Client, instanceARN, arn, description, sessionDuration string) error {
	_, err := c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn),
		Description: optional(description), SessionDuration: aws.String(sessionDuration),
	})
	if err != nil {
		return fmt.Errorf("updating %s %s: %w", permissionSetKind, arn, err)
	}
	return nil
}

// TagPermissionSet sets tags (used to restore ownership tags removed out of band).
func TagPermissionSet(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string, tags map[string]string) error {
	if len(tags) == 0 {
		return nil
	}
	sdk := make([]ssotypes.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		sdk = append(sdk, ssotypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	_, err := c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: aws.String(instanceARN), ResourceArn: aws.String(arn), Tags: sdk})
	if err != nil {
		return fmt.Errorf("tagging %s: %w", arn, err)
	}
	return nil
}

// PutInlinePolicy sets the inline policy.
func PutInlinePolicy(ctx context.Context, c *ssoadmin.Client, instanceARN, arn, policy string) error {
	_, err := c.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), InlinePolicy: aws.String(policy),
	})
	if err != nil {
		return fmt.Errorf("putting the inline policy of %s: %w", arn, err)
	}
	return nil
}

// DeleteInlinePolicy removes the inline policy; none is success.
func DeleteInlinePolicy(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string) error {
	_, err := c.DeleteInlinePolicyFromPermissionSet(ctx, &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
	if err != nil && !isResourceNotFound(err) {
		return fmt.Errorf("deleting the inline policy of %s: %w", arn, err)
	}
	return nil
}

// AttachManagedPolicies attaches AWS-managed policies; already attached is success.
func AttachManagedPolicies(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string, policyARNs []string) error {
	for _, p := range policyARNs {
		_, err := c.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{
			InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), ManagedPolicyArn: aws.String(p),
		})
		if err != nil && !hasCode(err, "ConflictException") {
			return fmt.Errorf("attaching %s to %s: %w", p, arn, err)
		}
	}
	return nil
}

// DetachManagedPolicies detaches AWS-managed policies; not attached is success.
func DetachManagedPolicies(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string, policyARNs []string) error {
	for _, p := range policyARNs {
		_, err := c.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{
			InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), ManagedPolicyArn: aws.String(p),
		})
		if err != nil && !isResourceNotFound(err) {
			return fmt.Errorf("detaching %s from %s: %w", p, arn, err)
		}
	}
	return nil
}

// AttachCustomerManagedPolicies attaches customer-managed policy references.
func AttachCustomerManagedPolicies(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string, refs []identitycenter.PolicyReference) error {
	for _, r := range refs {
		_, err := c.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{
			InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), CustomerManagedPolicyReference: sdkReference(r),
		})
		if err != nil && !hasCode(err, "ConflictException") {
			return fmt.Errorf("attaching customer-managed policy %s%s to %s: %w", valueOr(r.Path, "/"), r.Name, arn, err)
		}
	}
	return nil
}

// DetachCustomerManagedPolicies detaches customer-managed policy references.
func DetachCustomerManagedPolicies(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string, refs []identitycenter.PolicyReference) error {
	for _, r := range refs {
		_, err := c.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{
			InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), CustomerManagedPolicyReference: sdkReference(r),
		})
		if err != nil && !isResourceNotFound(err) {
			return fmt.Errorf("detaching customer-managed policy %s%s from %s: %w", valueOr(r.Path, "/"), r.Name, arn, err)
		}
	}
	return nil
}

func sdkReference(r identitycenter.PolicyReference) *ssotypes.CustomerManagedPolicyReference {
	return &ssotypes.CustomerManagedPolicyReference{Name: aws.String(r.Name), Path: aws.String(valueOr(r.Path, "/"))}
}

// PutPermissionsBoundary sets the boundary.
func PutPermissionsBoundary(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string, b identitycenter.Boundary) error {
	sdk := &ssotypes.PermissionsBoundary{}
	if b.CustomerManagedPolicy != nil {
		sdk.CustomerManagedPolicyReference = sdkReference(*b.CustomerManagedPolicy)
	} else {
		sdk.ManagedPolicyArn = aws.String(b.ManagedPolicyARN)
	}
	_, err := c.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), PermissionsBoundary: sdk,
	})
	if err != nil {
		return fmt.Errorf("putting the permissions boundary of %s: %w", arn, err)
	}
	return nil
}

// DeletePermissionsBoundary removes the boundary; none is success.
func DeletePermissionsBoundary(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string) error {
	_, err := c.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn),
	})
	if err != nil && !isResourceNotFound(err) {
		return fmt.Errorf("deleting the permissions boundary of %s: %w", arn, err)
	}
	return nil
}

// ProvisionPermissionSet pushes the permission set's current policies to
// every account it is provisioned in and waits (bounded) until that is done.
func ProvisionPermissionSet(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string) error {
	out, err := c.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{
		InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn), TargetType: ssotypes.ProvisionTargetTypeAllProvisionedAccounts,
	})
	if err != nil {
		return fmt.Errorf("provisioning %s: %w", arn, err)
	}
	st := out.PermissionSetProvisioningStatus
	if st == nil {
		return nil
	}
	return WaitPermissionSetProvisioning(ctx, c, instanceARN, aws.ToString(st.RequestId), st.Status, aws.ToString(st.FailureReason))
}

// WaitPermissionSetProvisioning polls DescribePermissionSetProvisioningStatus
// while the request is IN_PROGRESS (status is what the start call reported).
func WaitPermissionSetProvisioning(ctx context.Context, c *ssoadmin.Client, instanceARN, requestID string, status ssotypes.StatusValues, reason string) error {
	return waitUntil(ctx, "permission set provisioning "+requestID, ProvisioningWait, func(ctx context.Context) (bool, error) {
		switch status {
		case ssotypes.StatusValuesSucceeded:
			return true, nil
		case ssotypes.StatusValuesFailed:
			return false, fmt.Errorf("provisioning request %s failed: %s", requestID, reason)
		}
		out, err := c.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{
			InstanceArn: aws.String(instanceARN), ProvisionPermissionSetRequestId: aws.String(requestID),
		})
		if err != nil {
			return false, fmt.Errorf("reading provisioning request %s: %w", requestID, err)
		}
		if st := out.PermissionSetProvisioningStatus; st != nil {
			status, reason = st.Status, aws.ToString(st.FailureReason)
		}
		return status == ssotypes.StatusValuesSucceeded, nil
	})
}

// DeletePermissionSet deletes a permission set, waiting out the
// ConflictException AWS returns while assignments are still being removed; a
// missing permission set is success.
func DeletePermissionSet(ctx context.Context, c *ssoadmin.Client, instanceARN, arn string) error {
	return waitUntil(ctx, "permission set "+arn+" to be deletable", ProvisioningWait, func(ctx context.Context) (bool, error) {
		_, err := c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: aws.String(instanceARN), PermissionSetArn: aws.String(arn)})
		switch {
		case err == nil, isResourceNotFound(err):
			return true, nil
		case hasCode(err, "ConflictException"):
			return false, nil
		default:
			return false, fmt.Errorf("deleting %s %s: %w", permissionSetKind, arn, err)
		}
	})
}

func sortReferences(rs []identitycenter.PolicyReference) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Path != rs[j].Path {
			return rs[i].Path < rs[j].Path
		}
		return rs[i].Name < rs[j].Name
	})
}
