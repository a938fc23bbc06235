package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// policy_statements shows the compiled policy one access rule and one Cedar
// condition at a time, so that a plan in which groups (or the proxy) are
// created in the same apply still shows every condition that does not depend
// on them; policy_document, a single string, is then wholly unknown.

var statementAttrTypes = map[string]attr.Type{
	"id":         types.StringType,
	"effect":     types.StringType,
	"conditions": types.ListType{ElemType: types.StringType},
}

var statementObjectType = types.ObjectType{AttrTypes: statementAttrTypes}

func policyStatementsAttribute() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Computed: true,
		Description: "The compiled statements, one per `access_rule` in configuration order: the rule's `@id`, its effect and the " +
			"Cedar text of each `when` condition in the order the statement tests them. Unlike `policy_document`, known in the plan " +
			"even when the access groups or the access proxy are created in the same apply: only the conditions that name a value " +
			"not yet assigned (a group id; a trust provider's reference) are `(known after apply)`.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"id":         schema.StringAttribute{Computed: true, Description: "The rule's name, its statement's `@id`."},
			"effect":     schema.StringAttribute{Computed: true, Description: "`permit` or `forbid`."},
			"conditions": schema.ListAttribute{Computed: true, ElementType: types.StringType, Description: "Cedar text of each condition; all must hold."},
		}},
	}
}

// policyStatementsValue renders the statements of s against s.Proxy. unknown
// lists the paths whose values were stood in for (surfaceModelWithStandIns):
// a condition naming a stand-in group, or any proxy reference when
// proxyStoodIn, is unknown; a rule with any other stood-in value has unknown
// conditions (their number may depend on it).
func policyStatementsValue(s model.ProtectSurface, unknown []model.Path, proxyStoodIn bool) types.List {
	elems := make([]attr.Value, len(s.AccessRules))
	for i, r := range s.AccessRules {
		at := model.Root("access_rule").Index(i)
		stoodIn := func(p model.Path) bool {
			for _, u := range unknown {
				if pathHasPrefix(u, p) {
					return true
				}
			}
			return false
		}
		id, effect := types.StringValue(r.Name), types.StringValue(r.Effect)
		if stoodIn(at.At("name")) {
			id = types.StringUnknown()
		}
		if stoodIn(at.At("effect")) {
			effect = types.StringUnknown()
		}
		conditions := types.ListUnknown(types.StringType)
		if onlyGroupsStoodIn(unknown, at) {
			texts := verifiedaccess.ConditionTexts(r, s.Proxy)
			values := make([]attr.Value, len(texts))
			for j, t := range texts {
				values[j] = types.StringValue(t)
				if strings.Contains(t, standInGroup) || (proxyStoodIn && namesStandInProxy(t)) {
					values[j] = types.StringUnknown()
				}
			}
			conditions = types.ListValueMust(types.StringType, values)
		}
		elems[i] = types.ObjectValueMust(statementAttrTypes, map[string]attr.Value{"id": id, "effect": effect, "conditions": conditions})
	}
	return types.ListValueMust(statementObjectType, elems)
}

// onlyGroupsStoodIn reports whether, of rule at, nothing but its groups (and
// its name or effect, which are not conditions) was stood in for.
func onlyGroupsStoodIn(unknown []model.Path, at model.Path) bool {
	for _, u := range unknown {
		if !pathHasPrefix(u, at) {
			continue
		}
		if pathHasPrefix(u, at.At("groups")) || pathHasPrefix(u, at.At("name")) || pathHasPrefix(u, at.At("effect")) {
			continue
		}
		return false
	}
	return true
}

func namesStandInProxy(condition string) bool {
	if strings.Contains(condition, standInProxy.IdentityProvider.Reference) {
		return true
	}
	for _, d := range standInProxy.DeviceProviders {
		if strings.Contains(condition, d.Reference) {
			return true
		}
	}
	return false
}
