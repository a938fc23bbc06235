package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// ruleOwnership is who owns a policy's or a set's security-group rules: its
// id and the ownership id drawn when it was created (none for one created
// before ownership ids), recorded in state. Two resources of the same id in
// two states have different ownership ids, so neither takes the other's
// rules over, changes or revokes them (see awsapi.RuleOwner).
type ruleOwnership struct {
	id, ownership string
}

// ownershipOf is the rule ownership of a resource with id and ownership_id.
func ownershipOf(id, ownership types.String) ruleOwnership {
	return ruleOwnership{id: id.ValueString(), ownership: ownership.ValueString()}
}

// owner is the tag value its rules carry.
func (o ruleOwnership) owner() string { return awsapi.RuleOwner(o.id, o.ownership) }

// reconcileOwnedRules writes the rules o owns. A new owner first adopts the
// rules an interrupted create of the same id left pending, writes its own
// marked pending, and clears the mark once they all exist, so a create
// killed part-way is completed by the next one, never duplicated. A new
// owner whose rules collide with another's takes back what it wrote and
// records nothing, so it is not left tainted; fixing the configuration is
// all the next apply needs. On any other failure it returns, with ok, the
// rules that exist, so that they are recorded and nothing is orphaned.
func reconcileOwnedRules(ctx context.Context, c *awsapi.Clients, o ruleOwnership, kind string, rules []securitygroup.Rule, ack map[string]bool, isNew bool, diags *diag.Diagnostics) (live []securitygroup.Rule, ok bool) {
	owner, pending := o.owner(), ""
	if isNew && o.ownership != "" {
		pending = o.ownership
		n, err := awsapi.ClaimPendingRules(ctx, c.EC2, o.id, owner, pending)
		if err != nil {
			diags.AddError("Applying the segment "+kind+" failed", err.Error())
			return nil, false
		}
		if n > 0 {
			tflog.Info(ctx, "rules of an interrupted create adopted", map[string]any{kind: o.id, "rules": n})
		}
	}
	res, err := awsapi.ReconcileRules(ctx, c.EC2, awsapi.RuleWrite{Owner: owner, Desired: rules, Acknowledged: ack, Pending: pending})
	tflog.Info(ctx, "segment "+kind+" reconciled", map[string]any{kind: owner, "authorized": res.Authorized, "revoked": res.Revoked, "redescribed": res.Redescribed})
	var owned *awsapi.RuleOwnedError
	if errors.As(err, &owned) && isNew {
		if _, rerr := awsapi.RevokePolicyRules(ctx, c.EC2, owner); rerr != nil {
			err = errors.Join(err, rerr)
		} else {
			diags.AddError("Flow already declared by another policy", err.Error()+
				". Nothing of this "+kind+" was written; remove the flow from one of the two.")
			return nil, false
		}
	}
	if err == nil && pending != "" {
		err = awsapi.ClearPendingRules(ctx, c.EC2, owner)
	}
	if err != nil {
		diags.AddError("Applying the segment "+kind+" failed", err.Error())
		found, rerr := awsapi.ReadPolicyRules(ctx, c.EC2, owner)
		return awsapi.RulesOf(found), rerr == nil
	}
	return rules, true
}
