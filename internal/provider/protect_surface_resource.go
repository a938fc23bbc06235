package provider

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

var (
	_ resource.ResourceWithConfigure   = (*protectSurfaceResource)(nil)
	_ resource.ResourceWithImportState = (*protectSurfaceResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*protectSurfaceResource)(nil)

	_ resource.ResourceWithValidateConfig = (*protectSurfaceResource)(nil)
)

func newProtectSurfaceResource() resource.Resource { return &protectSurfaceResource{} }

// protectSurfaceResource is a Verified Access group with the compiled group
// policy, and one endpoint per application with its compiled endpoint
// policy. Endpoints are owned through the zerotrust:surface-id and
// zerotrust:application tags.
type protectSurfaceResource struct{ resourceBase }

func (r *protectSurfaceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_protect_surface"
}

func (r *protectSurfaceResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withObjectTypes(protectSurfaceSchema())
}

// ValidateConfig checks each application's endpoint target and the options
// its type needs (no provider configuration is needed for that, so
// `terraform validate` reports them). Access rules are checked in
// ModifyPlan, where the proxy's trust providers are known.
func (r *protectSurfaceResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if unknownCollection(req.Config.Raw) {
		return // a dynamic block over values not known yet: checked at plan
	}
	var apps []surfaceAppModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("application"), &apps)...)
	if resp.Diagnostics.HasError() {
		return
	}
	validateApplications(apps, &resp.Diagnostics)
}

// ModifyPlan compiles the surface so the plan shows the exact Cedar that
// will be written, enforces the sensitivity floors (errors at the rule's
// attribute; warnings when acknowledged), and marks the endpoints that will
// be created or re-created.
func (r *protectSurfaceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan protectSurfaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *protectSurfaceModel
	if !req.State.Raw.IsNull() {
		state = &protectSurfaceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	fillAppDefaults(plan.Applications)
	checkSurfaceKeyFloor(plan, r.clients, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	s, known := expandProtectSurface(plan)
	tc, source := surfaceTrustContext(ctx, r.clients, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	switch {
	case known && source != contextUnknown:
		s.Proxy = tc.model()
		res, ok := compileSurface(s, source, &resp.Diagnostics)
		if !ok {
			return
		}
		plan.PolicyDocument = types.StringValue(res.GroupPolicy)
		plan.PolicyStatements = flattenPolicyStatements(s, nil, false)
		plan.EndpointPolicyDocuments = stringMapValue(endpointPolicies(res))
		tflog.Debug(ctx, "protect surface compiled at plan time", map[string]any{"surface": s.Name, "statements_bytes": len(res.GroupPolicy), "context": source})
	default:
		// Validate what depends neither on the proxy nor on values created
		// in this apply (group ids, say) now; apply compiles against the
		// real proxy and values before any change.
		standIns, unknown := expandProtectSurfaceWithStandIns(plan)
		if !plan.Sensitivity.IsUnknown() {
			standIns.Proxy = standInProxy
			_, problems := verifiedaccess.Compile(standIns, verifiedaccess.Options{})
			if known := dropUnknown(problems, unknown); len(known) > 0 {
				withAttributeInDetail(known)
				appendProblems(&resp.Diagnostics, path.Empty(), known)
				if known.HasErrors() {
					return
				}
			}
		}
		plan.PolicyDocument = types.StringUnknown()
		plan.PolicyStatements = types.ListUnknown(statementObjectType)
		if source != contextUnknown {
			standIns.Proxy = tc.model()
			plan.PolicyStatements = flattenPolicyStatements(standIns, unknown, false)
		} else if !plan.Sensitivity.IsUnknown() {
			standIns.Proxy = standInProxy
			plan.PolicyStatements = flattenPolicyStatements(standIns, unknown, true)
		}
		plan.EndpointPolicyDocuments = types.MapUnknown(types.StringType)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	plan.Endpoints = plannedEndpoints(plan, state)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *protectSurfaceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan protectSurfaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := boundOperation(ctx, plan.Timeouts, opCreate, surfaceCreateTimeout, &resp.Diagnostics)
	defer cancel()
	res, statements, ok := r.compileForApply(ctx, plan, &resp.Diagnostics)
	if !ok {
		return
	}
	own := uuid.NewString()
	tags := expandSurfaceTags(plan, stringMap(ctx, plan.Tags, &resp.Diagnostics))
	tags[awsapi.TagOwnership], tags[awsapi.TagCreatePending] = own, own
	plan.OwnershipID = types.StringValue(own)
	policies := endpointPolicies(res)
	endpoints := map[string]*awsapi.VerifiedAccessEndpoint{}
	g, err := awsapi.FindPendingVerifiedAccessGroup(ctx, c.EC2, plan.ProxyID.ValueString(), plan.Name.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Creating the protect surface failed", operationError(ctx, err))
		return
	}
	if g != nil {
		// Left by an interrupted create of this surface: claimed, then
		// brought to the configuration like an update (endpoints included).
		tflog.Warn(ctx, "recovering the Verified Access group of an interrupted create", map[string]any{"group": g.ID})
		if err = awsapi.ClaimPending(ctx, c.EC2, g.ID, own); err == nil {
			endpoints, err = r.converge(ctx, c, g, plan, res, tags, sortedKeys(g.Tags), "", nil)
		}
	} else {
		g, err = awsapi.CreateVerifiedAccessGroup(ctx, c.EC2, awsapi.CreateVerifiedAccessGroupInput{
			InstanceID: plan.ProxyID.ValueString(), Description: surfaceDescription(plan.Name.ValueString()), PolicyDocument: res.GroupPolicy, Tags: tags,
			KMSKeyARN: plan.KMSKeyARN.ValueString(),
		})
		if g == nil {
			resp.Diagnostics.AddError("Creating the Verified Access group failed", operationError(ctx, err))
			return
		}
		tflog.Info(ctx, "verified access group created", map[string]any{"group": g.ID, "instance": g.InstanceID})
		if err == nil {
			err = awsapi.ReconcileEndpoints(ctx, c.EC2, g.ID, plan.Name.ValueString(), expandEndpoints(plan), policies, nil, nil, endpoints)
		}
	}
	plan.ID = types.StringValue(g.ID)
	plan.ARN = nullIfEmpty(g.ARN)
	plan.PolicyDocument = types.StringValue(res.GroupPolicy)
	plan.PolicyStatements = statements
	plan.EndpointPolicyDocuments = stringMapValue(policies)
	if err == nil {
		err = awsapi.CompleteCreate(ctx, c.EC2, g.ID)
	}
	plan.Endpoints = flattenEndpoints(plan, endpoints)
	if err != nil {
		// The group (and any endpoint made) is recorded so nothing is
		// orphaned; Terraform taints the resource and the next apply
		// deletes it with its endpoints and creates it afresh.
		resp.Diagnostics.AddError("Creating the protect surface failed", operationError(ctx, err))
		if plan.ARN.IsUnknown() {
			plan.ARN = types.StringNull()
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *protectSurfaceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state protectSurfaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	found, err := readProtectSurface(ctx, c, state.ID.ValueString(), &state)
	if err != nil {
		resp.Diagnostics.AddError("Reading the protect surface failed", err.Error())
		return
	}
	if !found {
		tflog.Warn(ctx, "verified access group disappeared; removing the protect surface from state", map[string]any{"group": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *protectSurfaceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state protectSurfaceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := boundOperation(ctx, plan.Timeouts, opUpdate, surfaceUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	res, statements, ok := r.compileForApply(ctx, plan, &resp.Diagnostics)
	if !ok {
		return
	}
	id := state.ID.ValueString()
	plan.ID, plan.ARN = state.ID, state.ARN
	g, err := awsapi.FindVerifiedAccessGroup(ctx, c.EC2, id)
	if err != nil {
		resp.Diagnostics.AddError("Reading the Verified Access group failed", operationError(ctx, err))
		return
	}
	if err := awsapi.CheckOwnership("verified access group", id, g.Tags, state.OwnershipID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Protect surface owned by another resource", operationError(ctx, err))
		return
	}
	plan.OwnershipID = state.OwnershipID
	policies := endpointPolicies(res)
	managed := append(sortedKeys(stringMap(ctx, state.Tags, &resp.Diagnostics)), "Name")
	prior := map[string]string{}
	for k, v := range state.EndpointPolicyDocuments.Elements() {
		if s, ok := v.(types.String); ok {
			prior[k] = s.ValueString()
		}
	}
	endpoints, err := r.converge(ctx, c, g, plan, res, expandSurfaceTags(plan, stringMap(ctx, plan.Tags, &resp.Diagnostics)), managed, state.PolicyDocument.ValueString(), prior)
	if err != nil {
		resp.Diagnostics.AddError("Updating the protect surface failed", operationError(ctx, err))
		// Record what is live, so the next plan shows what is left to do.
		if found, rerr := readProtectSurface(ctx, c, id, &state); rerr == nil && found {
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		}
		return
	}
	plan.PolicyDocument = types.StringValue(res.GroupPolicy)
	plan.PolicyStatements = statements
	plan.EndpointPolicyDocuments = stringMapValue(policies)
	plan.Endpoints = flattenEndpoints(plan, endpoints)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// converge brings an existing group to the plan: description, tags
// (wantTags; managedTags are removed when not wanted), group policy (written
// unless priorPolicy already is it) and endpoints (priorEndpointPolicies: the
// endpoint policies last written). It returns the live endpoints by
// application.
func (r *protectSurfaceResource) converge(ctx context.Context, c *awsapi.Clients, g *awsapi.VerifiedAccessGroup, plan protectSurfaceModel, res verifiedaccess.Result,
	wantTags map[string]string, managedTags []string, priorPolicy string, priorEndpointPolicies map[string]string) (map[string]*awsapi.VerifiedAccessEndpoint, error) {
	id := g.ID
	endpoints := map[string]*awsapi.VerifiedAccessEndpoint{}
	err := func() error {
		if want := surfaceDescription(plan.Name.ValueString()); g.Description != want {
			if err := awsapi.SetVerifiedAccessGroupDescription(ctx, c.EC2, id, want); err != nil {
				return err
			}
		}
		if err := awsapi.SetTags(ctx, c.EC2, id, g.Tags, wantTags, managedTags); err != nil {
			return err
		}
		if key := plan.KMSKeyARN.ValueString(); g.KMSKeyARN != key {
			// The key travels with the policy (ModifyVerifiedAccessGroupPolicy).
			if err := awsapi.SetVerifiedAccessGroupKey(ctx, c.EC2, id, res.GroupPolicy, key); err != nil {
				return err
			}
			tflog.Info(ctx, "group encryption key changed, policy written", map[string]any{"group": id})
		} else if priorPolicy != res.GroupPolicy {
			if err := awsapi.SetVerifiedAccessGroupPolicy(ctx, c.EC2, id, res.GroupPolicy); err != nil {
				return err
			}
			tflog.Info(ctx, "group policy written", map[string]any{"group": id})
		}
		live, err := awsapi.FindVerifiedAccessEndpoints(ctx, c.EC2, id)
		if err != nil {
			return err
		}
		if err := awsapi.ReconcileEndpoints(ctx, c.EC2, id, plan.Name.ValueString(), expandEndpoints(plan), endpointPolicies(res), live, priorEndpointPolicies, endpoints); err != nil {
			return err
		}
		return awsapi.ReconcileEndpointKeys(ctx, c.EC2, expandEndpoints(plan), endpointPolicies(res), endpoints)
	}()
	return endpoints, err
}

func (r *protectSurfaceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state protectSurfaceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := boundOperation(ctx, state.Timeouts, opDelete, surfaceDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	id := state.ID.ValueString()
	g, err := awsapi.FindVerifiedAccessGroup(ctx, c.EC2, id)
	if awsapi.IsNotFound(err) {
		return
	}
	if err == nil {
		err = awsapi.CheckOwnership("verified access group", id, g.Tags, state.OwnershipID.ValueString())
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot delete the protect surface", operationError(ctx, err))
		return
	}
	live, err := awsapi.FindVerifiedAccessEndpoints(ctx, c.EC2, id)
	if awsapi.IsNotFound(err) {
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Reading the endpoints failed", operationError(ctx, err))
		return
	}
	// Every endpoint in the group goes: the group cannot be deleted with any.
	var ids []string
	for eid := range live {
		if err := awsapi.DeleteVerifiedAccessEndpoint(ctx, c.EC2, eid); err != nil {
			resp.Diagnostics.AddError("Deleting an endpoint failed", operationError(ctx, err))
			return
		}
		ids = append(ids, eid)
	}
	if err := awsapi.WaitVerifiedAccessEndpointsGone(ctx, c.EC2, id, ids); err != nil {
		resp.Diagnostics.AddError("Waiting for the endpoints to be deleted failed", operationError(ctx, err))
		return
	}
	if err := awsapi.DeleteVerifiedAccessGroup(ctx, c.EC2, id); err != nil {
		resp.Diagnostics.AddError("Deleting the Verified Access group failed", operationError(ctx, err))
		return
	}
	tflog.Info(ctx, "protect surface deleted", map[string]any{"group": id, "endpoints": len(ids)})
}

// ImportState takes a Verified Access group id. Name, sensitivity, proxy,
// applications (from the endpoints the surface owns) and the live policies
// are read back. Access rules cannot be: Cedar does not record them whole
// (acknowledgements, for one, never reach it), so the first plan after an
// import shows the configured access_rule blocks being added; when they
// compile to the live policy, policy_document does not change and the apply
// writes nothing to AWS.
func (r *protectSurfaceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !vaGroupIDRe.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("expected a Verified Access group id such as vagr-0123456789abcdef0, got %q", req.ID))
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	m := protectSurfaceModel{
		Name: types.StringNull(), Sensitivity: types.StringNull(), Tags: types.MapNull(types.StringType),
		ProxyTrustContext: types.StringNull(), PolicyDocument: types.StringNull(), EndpointPolicyDocuments: types.MapNull(types.StringType),
		PolicyStatements: types.ListNull(statementObjectType), OwnershipID: types.StringNull(),
		Timeouts: timeoutsNull(opCreate, opUpdate, opDelete),
	}
	found, err := readProtectSurface(ctx, c, req.ID, &m)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import protect surface", err.Error())
		return
	}
	if !found {
		resp.Diagnostics.AddError("Cannot import protect surface", fmt.Sprintf("Verified Access group %s not found", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// readProtectSurface refreshes m from the live group, its policy, its owned
// endpoints and their policies (3 + one call per endpoint); what it reads is
// written into m by the flatteners of protect_surface_expand.go.
//
// Drift in the policies is decided semantically: a live document holding the
// same statements as the recorded one (compared as sets of canonical
// statements: each parsed with cedar-go and re-marshalled) keeps the
// recorded canonical text, so whitespace, comments and statement order
// edited in the console are not drift; any other difference, including a
// disabled policy, records the live text, and the next plan shows the
// compiled policy replacing it.
func readProtectSurface(ctx context.Context, clients *awsapi.Clients, id string, m *protectSurfaceModel) (bool, error) {
	g, err := awsapi.FindVerifiedAccessGroup(ctx, clients.EC2, id)
	if awsapi.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	policy, err := awsapi.GetVerifiedAccessGroupPolicy(ctx, clients.EC2, id)
	if err != nil {
		return false, err
	}
	live, err := awsapi.FindVerifiedAccessEndpoints(ctx, clients.EC2, id)
	if err != nil {
		return false, err
	}
	byApp, _ := awsapi.OwnedEndpoints(id, live)

	importing := m.Name.IsNull()
	flattenSurfaceGroup(m, g, policy.Effective(), importing)

	priorPolicies := map[string]string{}
	if !m.EndpointPolicyDocuments.IsNull() && !m.EndpointPolicyDocuments.IsUnknown() {
		for k, v := range m.EndpointPolicyDocuments.Elements() {
			if s, ok := v.(types.String); ok {
				priorPolicies[k] = s.ValueString()
			}
		}
	}
	if importing {
		m.Applications = append(m.Applications, flattenImportedApplications(byApp)...)
	}
	endpoints := map[string]*awsapi.VerifiedAccessEndpoint{}
	policies := map[string]string{}
	for i := range m.Applications {
		a := &m.Applications[i]
		e := byApp[a.Name.ValueString()]
		if e == nil {
			continue // gone: the plan re-creates it
		}
		flattenLiveEndpoint(a, e)
		endpoints[a.Name.ValueString()] = e
		p, err := awsapi.GetVerifiedAccessEndpointPolicy(ctx, clients.EC2, e.ID)
		if awsapi.IsNotFound(err) {
			delete(endpoints, a.Name.ValueString())
			continue
		}
		if err != nil {
			return false, err
		}
		if doc := p.Effective(); doc != "" {
			prior := priorPolicies[a.Name.ValueString()]
			if awsapi.SamePolicy(doc, prior) {
				doc = prior
			}
			policies[a.Name.ValueString()] = doc
		}
	}
	m.Endpoints = flattenEndpoints(*m, endpoints)
	m.EndpointPolicyDocuments = stringMapValue(policies)
	m.KMSKeyARN = flattenSurfaceKey(m.KMSKeyARN, g.KMSKeyARN, endpoints)
	return true, nil
}
