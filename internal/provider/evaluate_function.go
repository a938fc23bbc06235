package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/whatif"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

var _ function.Function = (*evaluateFunction)(nil)

func newEvaluateFunction() function.Function { return &evaluateFunction{} }

// evaluateFunction is provider::zerotrust::evaluate(policy, request): the
// decision data source as an expression, for locals, outputs, preconditions
// and check blocks that test many requests.
type evaluateFunction struct{}

var evaluateReturnAttrTypes = map[string]attr.Type{
	"allowed":        types.BoolType,
	"deciding_rules": types.ListType{ElemType: types.StringType},
	"reason":         types.StringType,
}

func (f *evaluateFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "evaluate"
}

func (f *evaluateFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Decide an access request against a Cedar policy document",
		MarkdownDescription: "Evaluates `request` against the Cedar `policy` with cedar-go, as AWS Verified Access would, and returns " +
			"`{ allowed, deciding_rules, reason }` — the same evaluation as the `zerotrust_access_decision` data source. For an " +
			"application with an endpoint policy, evaluate both documents (Verified Access requires both to allow) or use the data " +
			"source's `endpoint_policy_document`.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "policy",
				MarkdownDescription: "Cedar policy text, e.g. `zerotrust_protect_surface.<name>.policy_document`; not empty.",
			},
			function.DynamicParameter{
				Name: "request",
				MarkdownDescription: "An object; every attribute is optional: `groups` (list of strings), `email_verified` (bool), `mfa` " +
					"(bool), `device` (`{ jamf = { risk = \"LOW\" }, crowdstrike = { overall = 90 }, jumpcloud = { managed = true } }`), " +
					"`method`, `host`, `path`, `client_ip` (strings), `tcp` (bool: a TCP endpoint, whose context has no `http_request`), " +
					"`port` (number) and `port_ranges` (a cidr application's ranges, e.g. `[\"22\", \"8000-8080\"]`: a `port` outside every " +
					"range reaches no endpoint and is denied) and `trust_context` (a proxy's `trust_context` JSON). " +
					defaultTrustContextDoc + " An unknown attribute is an error, so a typo cannot silently weaken a test.",
			},
		},
		Return: function.ObjectReturn{AttributeTypes: evaluateReturnAttrTypes},
	}
}

// evaluateRequest is the request argument: whatif's request plus where the
// trust data goes.
type evaluateRequest struct {
	whatif.Request
	TrustContext string   `json:"trust_context"`
	TCP          bool     `json:"tcp"`
	PortRanges   []string `json:"port_ranges"`
}

func (f *evaluateFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var policy string
	var request types.Dynamic
	resp.Error = req.Arguments.Get(ctx, &policy, &request)
	if resp.Error != nil {
		return
	}
	if strings.TrimSpace(policy) == "" {
		resp.Error = function.NewArgumentFuncError(0, "Invalid policy: the policy is empty. A Cedar document with no statement permits nothing, "+
			"so every request would be denied; pass the policy's Cedar text, e.g. zerotrust_protect_surface.<name>.policy_document.")
		return
	}
	r, err := decodeEvaluateRequest(ctx, request)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(1, "Invalid request: "+err.Error())
		return
	}
	proxy, err := cachedDecisionProxy(r.TrustContext)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(1, "Invalid request.trust_context: "+err.Error())
		return
	}
	ports, err := parseRequestPortRanges(r.PortRanges)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(1, "Invalid request.port_ranges: "+err.Error())
		return
	}
	// The function returns no evaluation errors, so it takes the quick path.
	out, err := whatif.DecideQuickOnPorts(ports, policy, "", r.TCP, proxy, r.Request)
	if err != nil {
		var de whatif.DocumentError
		if errors.As(err, &de) {
			resp.Error = function.NewArgumentFuncError(0, "Invalid Cedar policy: "+de.Err.Error())
		} else {
			resp.Error = function.NewArgumentFuncError(1, "Invalid request: "+err.Error())
		}
		return
	}
	result, diags := types.ObjectValue(evaluateReturnAttrTypes, map[string]attr.Value{
		"allowed":        types.BoolValue(out.Allowed),
		"deciding_rules": stringList(out.Rules),
		"reason":         types.StringValue(out.Reason),
	})
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = resp.Result.Set(ctx, result)
}

// A plan calls the function many times with the same trust context, whose
// JSON decoding and validation cost more than the decision itself, so
// parsed contexts (and their errors) are kept by text. The cache is bounded
// crudely — emptied when full — as a plan uses few trust contexts.
const trustContextCacheSize = 64

type parsedTrustContext struct {
	proxy model.AccessProxy
	err   error
}

var trustContextCache = struct {
	sync.Mutex
	m map[string]parsedTrustContext
}{m: map[string]parsedTrustContext{}}

// cachedDecisionProxy is decisionProxy(trustContext), parsed once per text.
// The caller gets its own copy of the device provider list.
func cachedDecisionProxy(trustContext string) (model.AccessProxy, error) {
	trustContextCache.Lock()
	c, ok := trustContextCache.m[trustContext]
	trustContextCache.Unlock()
	if !ok {
		c.proxy, c.err = decisionProxy(trustContext)
		trustContextCache.Lock()
		if len(trustContextCache.m) >= trustContextCacheSize {
			clear(trustContextCache.m)
		}
		trustContextCache.m[trustContext] = c
		trustContextCache.Unlock()
	}
	p := c.proxy
	p.DeviceProviders = slices.Clone(p.DeviceProviders)
	return p, c.err
}

// decodeEvaluateRequest reads the dynamic request through JSON into the
// typed request, refusing unknown attributes: the request's shape is fixed,
// and HCL object literals arrive as objects of tuples and numbers, which
// JSON maps onto the Go types without a hand-written walker per field.
func decodeEvaluateRequest(ctx context.Context, d types.Dynamic) (evaluateRequest, error) {
	var r evaluateRequest
	if d.IsNull() || d.IsUnderlyingValueNull() {
		return r, nil
	}
	tv, err := d.UnderlyingValue().ToTerraformValue(ctx)
	if err != nil {
		return r, err
	}
	v, err := plainValue(tv)
	if err != nil {
		return r, err
	}
	if _, ok := v.(map[string]any); !ok {
		return r, fmt.Errorf("must be an object such as { groups = [\"engineers\"], method = \"GET\" }, got %s", valueKind(v))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return r, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&r); err != nil {
		return r, requestDecodeError(err)
	}
	return r, nil
}

// requestAttributes are the request argument's attributes, for messages.
const requestAttributes = "groups, email_verified, mfa, device, method, host, path, client_ip, port, port_ranges, tcp and trust_context"

// parseRequestPortRanges reads the request's port_ranges: each a port or an
// inclusive range within 1–65535, ascending, not overlapping (as a cidr
// application's port_ranges).
func parseRequestPortRanges(specs []string) ([]model.PortRange, error) {
	var out []model.PortRange
	for i, spec := range specs {
		r, err := model.ParsePortSpec(spec)
		switch {
		case err != nil:
			return nil, fmt.Errorf("[%d]: %w", i, err)
		case r.From < 1 || r.To > 65535 || r.From > r.To:
			return nil, fmt.Errorf("[%d]: %q is not a port or range within 1–65535", i, spec)
		case len(out) > 0 && r.From <= out[len(out)-1].To:
			return nil, fmt.Errorf("[%d]: %q overlaps or precedes %q: list port ranges in ascending order", i, spec, out[len(out)-1].String())
		}
		out = append(out, r)
	}
	return out, nil
}

// requestDecodeError says what is wrong with the request in its own terms,
// not the JSON decoder's.
func requestDecodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if i := strings.LastIndex(field, "Request."); i >= 0 {
			field = field[i+len("Request."):]
		}
		return fmt.Errorf("request.%s cannot be %s: see the function's description for the type of each attribute", field, te.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Errorf("request has an attribute %s, which a request does not have: its attributes are %s (device: jamf, crowdstrike, jumpcloud)", name, requestAttributes)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// plainValue converts a Terraform value to JSON-ready Go values.
func plainValue(v tftypes.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsKnown() {
		return nil, errors.New("contains an unknown value")
	}
	t := v.Type()
	switch {
	case t.Is(tftypes.String):
		var s string
		err := v.As(&s)
		return s, err
	case t.Is(tftypes.Bool):
		var b bool
		err := v.As(&b)
		return b, err
	case t.Is(tftypes.Number):
		var n big.Float
		if err := v.As(&n); err != nil {
			return nil, err
		}
		return json.Number(n.Text('g', -1)), nil
	case t.Is(tftypes.Object{}) || t.Is(tftypes.Map{}):
		var m map[string]tftypes.Value
		if err := v.As(&m); err != nil {
			return nil, err
		}
		out := make(map[string]any, len(m))
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			pv, err := plainValue(m[k])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = pv
		}
		return out, nil
	case t.Is(tftypes.List{}) || t.Is(tftypes.Set{}) || t.Is(tftypes.Tuple{}):
		var l []tftypes.Value
		if err := v.As(&l); err != nil {
			return nil, err
		}
		out := make([]any, len(l))
		for i, e := range l {
			pv, err := plainValue(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = pv
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported value of type %s", t)
}
