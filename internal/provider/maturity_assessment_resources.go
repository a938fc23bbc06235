package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/maturity"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// The maturity assessment takes the resources themselves: each argument is
// a dynamic value holding resource objects as Terraform passes them
// (zerotrust_protect_surface.payments, values(zerotrust_segment.this), a
// for_each map as is). They are read by attribute name, not converted to
// the resources' types, so a value from a module output or an older state
// reads the same; a value that lacks a resource's identifying attributes is
// an error at its path saying what was expected.

// resourceKind describes the resource objects one argument accepts.
type resourceKind struct {
	typeName string
	// signature: attributes every object of the kind has; an object
	// without them is not such a resource.
	signature []string
	example   string
}

var (
	kindAccessProxy    = resourceKind{"zerotrust_access_proxy", []string{"name", "identity_provider", "device_trust_provider", "logging", "trust_context"}, "zerotrust_access_proxy.corp"}
	kindProtectSurface = resourceKind{"zerotrust_protect_surface", []string{"name", "sensitivity", "access_rule", "application", "policy_document"}, "[zerotrust_protect_surface.payments]"}
	kindSegment        = resourceKind{"zerotrust_segment", []string{"id", "name", "sensitivity", "vpc_id", "security_group_id", "kubernetes"}, "[zerotrust_segment.db]"}
	kindSegmentPolicy  = resourceKind{"zerotrust_segment_policy", []string{"segment", "name", "allow_from", "allow_to", "kubernetes", "kubernetes_manifests"}, "[zerotrust_segment_policy.db_in]"}
	kindPolicySet      = resourceKind{"zerotrust_segment_policy_set", []string{"name", "policy", "kubernetes", "kubernetes_manifests"}, "[zerotrust_segment_policy_set.shop]"}
	kindPrivileged     = resourceKind{"zerotrust_privileged_access", []string{"name", "group", "expires_at", "session_duration", "acknowledgement"}, "[zerotrust_privileged_access.oncall]"}
	kindDecision       = resourceKind{"data.zerotrust_access_decision", []string{"policy_document", "request", "allowed"}, "[data.zerotrust_access_decision.contractor_blocked]"}
)

func (k resourceKind) matches(obj map[string]any) bool {
	for _, a := range k.signature {
		if _, ok := obj[a]; !ok {
			return false
		}
	}
	return true
}

// resourceObject is one resource object read from an argument.
type resourceObject struct {
	at    path.Path
	kind  resourceKind
	attrs map[string]any
}

// decodeResourceObjects reads an argument holding resource objects of the
// given kinds: one object, a list, set or tuple of them, or a map or object
// of them (a for_each resource as is). many=false accepts one object only.
func decodeResourceObjects(ctx context.Context, name string, d types.Dynamic, many bool, diags *diag.Diagnostics, kinds ...resourceKind) []resourceObject {
	root := path.Root(name)
	if d.IsNull() || d.IsUnderlyingValueNull() {
		return nil
	}
	var v any
	tv, err := d.UnderlyingValue().ToTerraformValue(ctx)
	if err == nil {
		v, err = plainValue(tv)
	}
	if err != nil {
		diags.AddAttributeError(root, "Invalid "+name, fmt.Sprintf("%s cannot be read: %v.", name, err))
		return nil
	}
	var out []resourceObject
	take := func(at path.Path, e any) {
		obj, _ := e.(map[string]any)
		for _, k := range kinds {
			if obj != nil && k.matches(obj) {
				out = append(out, resourceObject{at: at, kind: k, attrs: obj})
				return
			}
		}
		diags.AddAttributeError(at, "Not a "+kindNames(kinds), notAResource(at, e, kinds, many))
	}
	switch x := v.(type) {
	case []any:
		if !many {
			diags.AddAttributeError(root, "Not a "+kindNames(kinds), notAResource(root, v, kinds, many))
			return nil
		}
		for i, e := range x {
			take(root.AtListIndex(i), e)
		}
	case map[string]any:
		if matchesAny(x, kinds) || !many {
			take(root, x)
			return out
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			take(root.AtMapKey(k), x[k])
		}
	default:
		take(root, v)
	}
	return out
}

func matchesAny(obj map[string]any, kinds []resourceKind) bool {
	for _, k := range kinds {
		if k.matches(obj) {
			return true
		}
	}
	return false
}

func kindNames(kinds []resourceKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.typeName
	}
	return strings.Join(names, " or ")
}

func notAResource(at path.Path, v any, kinds []resourceKind, many bool) string {
	got := valueKind(v)
	if obj, ok := v.(map[string]any); ok {
		var missing []string
		for _, a := range kinds[0].signature {
			if _, has := obj[a]; !has {
				missing = append(missing, a)
			}
		}
		got = "an object without " + strings.Join(missing, ", ")
	}
	examples := make([]string, len(kinds))
	for i, k := range kinds {
		examples[i] = k.example
		if !many {
			examples[i] = strings.Trim(k.example, "[]")
		}
	}
	return fmt.Sprintf("%s must be a %s passed whole, e.g. %s; got %s.", at, kindNames(kinds), strings.Join(examples, " or "), got)
}

// str reads a string attribute ("" when null); a value of another kind is
// an error at its path.
func (o resourceObject) str(diags *diag.Diagnostics, at path.Path, obj map[string]any, name string) string {
	v, ok := obj[name]
	if !ok || v == nil {
		return ""
	}
	s, ok := scalarText(v)
	if !ok {
		diags.AddAttributeError(at.AtName(name), "Invalid "+o.kind.typeName, fmt.Sprintf("%s must be a string, got %s.", at.AtName(name), valueKind(v)))
	}
	return s
}

func (o resourceObject) boolean(diags *diag.Diagnostics, at path.Path, obj map[string]any, name string) bool {
	v, ok := obj[name]
	if !ok || v == nil {
		return false
	}
	b, ok := v.(bool)
	if !ok {
		diags.AddAttributeError(at.AtName(name), "Invalid "+o.kind.typeName, fmt.Sprintf("%s must be a bool, got %s.", at.AtName(name), valueKind(v)))
	}
	return b
}

func (o resourceObject) strs(diags *diag.Diagnostics, at path.Path, obj map[string]any, name string) []string {
	var out []string
	for i, e := range o.list(diags, at, obj, name) {
		s, ok := scalarText(e)
		if !ok {
			diags.AddAttributeError(at.AtName(name).AtListIndex(i), "Invalid "+o.kind.typeName, fmt.Sprintf("%s must be a string, got %s.", at.AtName(name).AtListIndex(i), valueKind(e)))
			continue
		}
		out = append(out, s)
	}
	return out
}

func (o resourceObject) list(diags *diag.Diagnostics, at path.Path, obj map[string]any, name string) []any {
	v, ok := obj[name]
	if !ok || v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		diags.AddAttributeError(at.AtName(name), "Invalid "+o.kind.typeName, fmt.Sprintf("%s must be a list, got %s.", at.AtName(name), valueKind(v)))
	}
	return l
}

// objects reads a list of objects (a block) with the path of each.
func (o resourceObject) objects(diags *diag.Diagnostics, at path.Path, obj map[string]any, name string) ([]map[string]any, []path.Path) {
	var out []map[string]any
	var paths []path.Path
	for i, e := range o.list(diags, at, obj, name) {
		m, ok := e.(map[string]any)
		if !ok {
			diags.AddAttributeError(at.AtName(name).AtListIndex(i), "Invalid "+o.kind.typeName, fmt.Sprintf("%s must be an object, got %s.", at.AtName(name).AtListIndex(i), valueKind(e)))
			continue
		}
		out, paths = append(out, m), append(paths, at.AtName(name).AtListIndex(i))
	}
	return out, paths
}

// object reads a nested object; nil when null.
func (o resourceObject) object(diags *diag.Diagnostics, at path.Path, obj map[string]any, name string) map[string]any {
	v, ok := obj[name]
	if !ok || v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		diags.AddAttributeError(at.AtName(name), "Invalid "+o.kind.typeName, fmt.Sprintf("%s must be an object, got %s.", at.AtName(name), valueKind(v)))
	}
	return m
}

// resource names the object for evidence: "<type>.<name attribute>". The
// data source sees values, not addresses, so the name attribute stands in
// for the label.
func (o resourceObject) resource(diags *diag.Diagnostics) string {
	return o.kind.typeName + "." + o.str(diags, o.at, o.attrs, "name")
}

// proxyFacts reads what the access proxy establishes.
func proxyFacts(o resourceObject, diags *diag.Diagnostics) *maturity.Proxy {
	res := o.resource(diags)
	p := &maturity.Proxy{Resource: res}
	if idp := o.object(diags, o.at, o.attrs, "identity_provider"); idp != nil {
		at := o.at.AtName("identity_provider")
		p.IdentityProvider = o.str(diags, at, idp, "type")
		p.MFAEnforced = o.boolean(diags, at, idp, "mfa_enforced")
	}
	devices, paths := o.objects(diags, o.at, o.attrs, "device_trust_provider")
	for i, d := range devices {
		p.DeviceProviders = append(p.DeviceProviders, o.str(diags, paths[i], d, "type"))
	}
	if l := o.object(diags, o.at, o.attrs, "logging"); l != nil {
		at := o.at.AtName("logging")
		for _, dest := range []string{"cloudwatch_log_group", "firehose_delivery_stream"} {
			if o.str(diags, at, l, dest) != "" && p.LoggingDestination == "" {
				p.LoggingDestination = res + ".logging." + dest
			}
		}
		if s3 := o.object(diags, at, l, "s3"); s3 != nil && o.str(diags, at.AtName("s3"), s3, "bucket") != "" && p.LoggingDestination == "" {
			p.LoggingDestination = res + ".logging.s3.bucket"
		}
		p.IncludeTrustContext = o.boolean(diags, at, l, "include_trust_context")
	}
	return p
}

// surfaceOf reads a protect surface into the domain value its rules and
// floors are judged on.
func surfaceOf(o resourceObject, diags *diag.Diagnostics) model.ProtectSurface {
	s := model.ProtectSurface{Name: o.str(diags, o.at, o.attrs, "name"), Sensitivity: o.str(diags, o.at, o.attrs, "sensitivity")}
	apps, appPaths := o.objects(diags, o.at, o.attrs, "application")
	for i, a := range apps {
		protocol := o.str(diags, appPaths[i], a, "protocol")
		if protocol == "" {
			protocol = model.ProtocolHTTPS
			if o.str(diags, appPaths[i], a, "cidr") != "" {
				protocol = model.ProtocolTCP
			}
		}
		s.Applications = append(s.Applications, model.Application{Name: o.str(diags, appPaths[i], a, "name"), Protocol: protocol})
	}
	rules, rulePaths := o.objects(diags, o.at, o.attrs, "access_rule")
	for i, r := range rules {
		at := rulePaths[i]
		rule := model.AccessRule{
			Name: o.str(diags, at, r, "name"), Effect: valueOr(o.str(diags, at, r, "effect"), model.EffectPermit),
			Groups: o.strs(diags, at, r, "groups"), RequireVerifiedEmail: o.boolean(diags, at, r, "require_verified_email"),
			RequireMFA: o.boolean(diags, at, r, "require_mfa"), Methods: o.strs(diags, at, r, "methods"),
			PathPrefixes: o.strs(diags, at, r, "path_prefixes"), ClientCIDRs: o.strs(diags, at, r, "client_cidrs"),
			Applications: o.strs(diags, at, r, "applications"), Acknowledgement: o.str(diags, at, r, "acknowledgement"),
		}
		if d := o.object(diags, at, r, "device"); d != nil {
			dat := at.AtName("device")
			req := &model.DeviceRequirement{Combine: o.str(diags, dat, d, "combine")}
			if j := o.object(diags, dat, d, "jamf"); j != nil {
				req.Jamf = &model.JamfRequirement{MaxRisk: o.str(diags, dat.AtName("jamf"), j, "max_risk")}
			}
			if c := o.object(diags, dat, d, "crowdstrike"); c != nil {
				score := 0
				if n, ok := c["min_overall_score"].(json.Number); ok {
					if i, err := n.Int64(); err == nil {
						score = int(i)
					}
				}
				req.CrowdStrike = &model.CrowdStrikeRequirement{MinOverallScore: score}
			}
			if j := o.object(diags, dat, d, "jumpcloud"); j != nil {
				req.JumpCloud = &model.JumpCloudRequirement{Managed: o.boolean(diags, dat.AtName("jumpcloud"), j, "managed")}
			}
			rule.Device = req
		}
		s.AccessRules = append(s.AccessRules, rule)
	}
	return s
}

// grantOf reads a privileged access grant's expiry, session and
// acknowledgement.
func grantOf(o resourceObject, diags *diag.Diagnostics) model.PrivilegedAccess {
	a := model.PrivilegedAccess{
		Name: o.str(diags, o.at, o.attrs, "name"), SessionDuration: o.str(diags, o.at, o.attrs, "session_duration"),
		Acknowledgement: o.str(diags, o.at, o.attrs, "acknowledgement"),
	}
	if e := o.str(diags, o.at, o.attrs, "expires_at"); e != "" {
		t, err := time.Parse(time.RFC3339, e)
		if err != nil {
			diags.AddAttributeError(o.at.AtName("expires_at"), "Invalid zerotrust_privileged_access", fmt.Sprintf("%s: %v.", o.at.AtName("expires_at"), err))
		}
		a.ExpiresAt = t
	}
	return a
}

// governedPolicy is one policy over one segment: a zerotrust_segment_policy,
// or one policy block of a set, with where its flows are written.
type governedPolicy struct {
	owner     resourceObject
	source    string // e.g. zerotrust_segment_policy_set.shop.policy[0]
	at        path.Path
	attrs     map[string]any
	segmentID string
}

// governedPolicies lists the policies over segments in the policies and sets
// given, and every compiled Kubernetes object they show. A segment policy's
// name is unique only per segment, so it is named <segment>/<name> after
// the segment it governs (its id when that segment is not given).
func governedPolicies(objs []resourceObject, segments []resourceObject, diags *diag.Diagnostics) ([]governedPolicy, []maturity.Manifest) {
	segmentNames := map[string]string{}
	for _, s := range segments {
		segmentNames[s.str(diags, s.at, s.attrs, "id")] = s.str(diags, s.at, s.attrs, "name")
	}
	var out []governedPolicy
	var manifests []maturity.Manifest
	for _, o := range objs {
		res := o.resource(diags)
		if o.kind.typeName == kindSegmentPolicy.typeName {
			segment := o.str(diags, o.at, o.attrs, "segment")
			res = o.kind.typeName + "." + valueOr(segmentNames[segment], segment) + "/" + o.str(diags, o.at, o.attrs, "name")
		}
		if o.kind.typeName == kindPolicySet.typeName {
			blocks, paths := o.objects(diags, o.at, o.attrs, "policy")
			for i, b := range blocks {
				out = append(out, governedPolicy{owner: o, source: fmt.Sprintf("%s.policy[%d]", res, i), at: paths[i], attrs: b, segmentID: o.str(diags, paths[i], b, "segment")})
			}
		} else {
			out = append(out, governedPolicy{owner: o, source: res, at: o.at, attrs: o.attrs, segmentID: o.str(diags, o.at, o.attrs, "segment")})
		}
		if m := o.object(diags, o.at, o.attrs, "kubernetes_manifests"); m != nil {
			for _, id := range sortedKeys(m) {
				y, ok := m[id].(string)
				if !ok {
					diags.AddAttributeError(o.at.AtName("kubernetes_manifests").AtMapKey(id), "Invalid "+o.kind.typeName, "a compiled manifest must be a string")
					continue
				}
				manifests = append(manifests, maturity.Manifest{Source: fmt.Sprintf("%s.kubernetes_manifests[%q]", res, id), YAML: y})
			}
		}
	}
	return out, manifests
}

// segmentFacts reads how each segment is enforced and exposed: its security
// group, the Kubernetes objects compiled over its pods, and the inbound CIDR
// flows of the policies governing it.
func segmentFacts(segments []resourceObject, policies []governedPolicy, manifests []maturity.Manifest, diags *diag.Diagnostics) []maturity.Segment {
	var out []maturity.Segment
	for _, o := range segments {
		res := o.resource(diags)
		s := maturity.Segment{Resource: res, Sensitivity: o.str(diags, o.at, o.attrs, "sensitivity")}
		switch {
		case o.str(diags, o.at, o.attrs, "security_group_id") != "":
			s.SecurityGroup = res + ".security_group_id"
		case o.str(diags, o.at, o.attrs, "vpc_id") != "":
			s.SecurityGroup = res + ".vpc_id"
		}
		if k := o.object(diags, o.at, o.attrs, "kubernetes"); k != nil {
			at := o.at.AtName("kubernetes")
			sel := model.KubernetesSelector{Namespace: o.str(diags, at, k, "namespace"), PodLabels: map[string]string{}}
			if labels := o.object(diags, at, k, "pod_labels"); labels != nil {
				for key := range labels {
					sel.PodLabels[key] = o.str(diags, at.AtName("pod_labels"), labels, key)
				}
			}
			s.KubernetesDefaultDeny, s.WorkloadIdentity = maturity.KubernetesEnforcement(sel, manifests)
		}
		id := o.str(diags, o.at, o.attrs, "id")
		var inbound []maturity.InboundCIDRFlow
		for _, p := range policies {
			if p.segmentID != id || id == "" {
				continue
			}
			flows, paths := p.owner.objects(diags, p.at, p.attrs, "allow_from")
			for i, f := range flows {
				src := fmt.Sprintf("%s.allow_from[%d]", p.source, i)
				cidrs := p.owner.strs(diags, paths[i], f, "cidr_blocks")
				ack := p.owner.str(diags, paths[i], f, "acknowledgement")
				if ack != "" {
					s.AcknowledgedFlows = append(s.AcknowledgedFlows, src)
				}
				if len(cidrs) > 0 {
					inbound = append(inbound, maturity.InboundCIDRFlow{Source: src, CIDRs: cidrs, Acknowledgement: ack})
				}
			}
		}
		s.InternetIngress = maturity.InternetIngress(inbound)
		out = append(out, s)
	}
	return out
}

// decisionChecksBySurface names each decision check and the surfaces whose
// policy_document it evaluates.
func decisionChecksBySurface(checks []resourceObject, surfaces []resourceObject, diags *diag.Diagnostics) (all []string, bySurface map[int][]string) {
	bySurface = map[int][]string{}
	docs := make([]string, len(surfaces))
	for i, s := range surfaces {
		docs[i] = s.str(diags, s.at, s.attrs, "policy_document")
	}
	for _, c := range checks {
		name := "data.zerotrust_access_decision (" + c.at.String() + ")"
		all = append(all, name)
		doc := c.str(diags, c.at, c.attrs, "policy_document")
		for i, d := range docs {
			if d != "" && d == doc {
				bySurface[i] = append(bySurface[i], name)
			}
		}
	}
	return all, bySurface
}
