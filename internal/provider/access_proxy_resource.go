package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/google/uuid"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

var (
	_ resource.ResourceWithConfigure      = (*accessProxyResource)(nil)
	_ resource.ResourceWithImportState    = (*accessProxyResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*accessProxyResource)(nil)
	_ resource.ResourceWithValidateConfig = (*accessProxyResource)(nil)
)

func newAccessProxyResource() resource.Resource { return &accessProxyResource{} }

// accessProxyResource is a Verified Access instance, its trust providers,
// their attachments and its access logging. The instance is the identity of
// the proxy (id); trust providers are owned through the zerotrust:proxy-id
// tag, so an apply interrupted between creating a provider and attaching it
// finds and attaches it next time instead of creating another.
type accessProxyResource struct{ resourceBase }

func (r *accessProxyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_proxy"
}

func (r *accessProxyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = withObjectTypes(accessProxySchema())
}

// ValidateConfig checks the trust providers with the model's own rules
// (AccessProxy.Validate: Cedar-identifier references, unique references, one
// provider per device type, groups_claim only for OIDC) and the OIDC block,
// so every mistake is an attribute-pathed error at plan time.
func (r *accessProxyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if unknownCollection(req.Config.Raw) {
		return // a dynamic block over values not known yet: checked at plan
	}
	var cfg accessProxyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.IdentityProvider == nil {
		return
	}
	idp := cfg.IdentityProvider
	idpPath := path.Root("identity_provider")
	if !idp.Type.IsUnknown() {
		switch {
		case idp.Type.ValueString() == model.IdentityOIDC && idp.OIDC == nil:
			resp.Diagnostics.AddAttributeError(idpPath.AtName("type"), "OIDC options required",
				"An oidc identity provider needs an oidc { issuer, authorization_endpoint, token_endpoint, user_info_endpoint, client_id, client_secret } block.")
		case idp.Type.ValueString() != model.IdentityOIDC && idp.OIDC != nil:
			resp.Diagnostics.AddAttributeError(idpPath.AtName("oidc"), "OIDC options not applicable",
				fmt.Sprintf("The oidc block applies to oidc identity providers only, not %q.", idp.Type.ValueString()))
		}
	}
	// The oidc block's endpoints, client id and secret and logging.s3.bucket
	// are checked by their requiredInBlock validators.
	validateNativeOIDCConfig(idp, &resp.Diagnostics)
	proxy, known := expandAccessProxy(cfg)
	if !known {
		return // checked again once the unknown values are known
	}
	appendProblems(&resp.Diagnostics, path.Empty(), proxy.Validate())
}

// ModifyPlan makes the trust context and reference names known in the plan,
// decides which device-provider changes force replacement (a reference or
// tenant changed under the same type: the API cannot modify either), and
// plans away trust providers attached out of band.
func (r *accessProxyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan accessProxyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *accessProxyModel
	if !req.State.Raw.IsNull() {
		state = &accessProxyModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	if tc, ok := expandProxyTrustContext(plan); ok {
		plan.TrustContext = types.StringValue(tc.String())
		refs := map[string]string{tc.IdentityProvider.Type: tc.IdentityProvider.Reference}
		for _, d := range tc.DeviceTrustProviders {
			refs[d.Type] = d.Reference
		}
		plan.ReferenceNames = stringMapValue(refs)
	} else {
		plan.TrustContext = types.StringUnknown()
		plan.ReferenceNames = types.MapUnknown(types.StringType)
	}
	plan.UnmanagedTrustProviderIDs = types.ListValueMust(types.StringType, []attr.Value{})
	plan.CidrNameServers = planCidrNameServers(plan, state)
	nativeOIDCRemoved(plan, state, resp)

	if state == nil {
		plan.TrustProviderIDs = types.MapUnknown(types.StringType)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}

	// A device provider whose type stays but whose reference or tenant
	// changes cannot be modified: replace, and say which attribute forces it.
	prior := map[string]proxyDeviceModel{}
	for _, d := range state.DeviceTrustProviders {
		prior[d.Type.ValueString()] = d
	}
	for i, d := range plan.DeviceTrustProviders {
		old, ok := prior[d.Type.ValueString()]
		if !ok || d.Type.IsUnknown() {
			continue
		}
		if !d.Reference.IsUnknown() && d.Reference.ValueString() != old.Reference.ValueString() {
			resp.RequiresReplace.Append(path.Root("device_trust_provider").AtListIndex(i).AtName("reference"))
		}
		if !d.TenantID.IsUnknown() && d.TenantID.ValueString() != old.TenantID.ValueString() {
			resp.RequiresReplace.Append(path.Root("device_trust_provider").AtListIndex(i).AtName("tenant_id"))
		}
	}

	// The attached providers stay when the declared set is unchanged and
	// every one of them is still attached (Read drops the ones that are not).
	if sameProviderSet(plan, *state) && providersAllAttached(*state) {
		plan.TrustProviderIDs = state.TrustProviderIDs
	} else {
		plan.TrustProviderIDs = types.MapUnknown(types.StringType)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// sameProviderSet reports whether a and b declare the same trust providers
// (kind, type, reference, tenant).
func sameProviderSet(a, b accessProxyModel) bool {
	key := func(m accessProxyModel) []string {
		var out []string
		if idp := m.IdentityProvider; idp != nil {
			out = append(out, "user/"+idp.Type.ValueString()+"/"+idp.Reference.ValueString())
		}
		for _, d := range m.DeviceTrustProviders {
			out = append(out, "device/"+d.Type.ValueString()+"/"+d.Reference.ValueString()+"/"+d.TenantID.ValueString())
		}
		sort.Strings(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

// providersAllAttached reports whether every declared provider of m has an
// attached trust provider id, and no other is recorded.
func providersAllAttached(m accessProxyModel) bool {
	if m.TrustProviderIDs.IsNull() || m.TrustProviderIDs.IsUnknown() {
		return false
	}
	ids := m.TrustProviderIDs.Elements()
	want := len(m.DeviceTrustProviders)
	if m.IdentityProvider != nil {
		want++
		if _, ok := ids[m.IdentityProvider.Reference.ValueString()]; !ok {
			return false
		}
	}
	for _, d := range m.DeviceTrustProviders {
		if _, ok := ids[d.Reference.ValueString()]; !ok {
			return false
		}
	}
	return len(ids) == want
}

func (r *accessProxyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan accessProxyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	secret := expandProxyClientSecret(ctx, req.Config, &resp.Diagnostics)
	nativeSecret := expandProxyNativeClientSecret(ctx, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := boundOperation(ctx, plan.Timeouts, opCreate, proxyCreateTimeout, &resp.Diagnostics)
	defer cancel()
	own := uuid.NewString()
	tags := expandProxyInstanceTags(plan, stringMap(ctx, plan.Tags, &resp.Diagnostics))
	tags[awsapi.TagOwnership], tags[awsapi.TagCreatePending] = own, own
	plan.OwnershipID = types.StringValue(own)
	ids := map[string]string{}
	in, err := awsapi.FindPendingVerifiedAccessInstance(ctx, c.EC2, plan.Name.ValueString())
	if err != nil {
		resp.Diagnostics.AddError("Creating the access proxy failed", operationError(ctx, err))
		return
	}
	if in != nil {
		// Left by an interrupted create of this proxy: claimed, then brought
		// to the configuration like an update (its trust providers included).
		tflog.Warn(ctx, "recovering the Verified Access instance of an interrupted create", map[string]any{"instance": in.ID})
		if err = awsapi.ClaimPending(ctx, c.EC2, in.ID, own); err == nil {
			ids, in, err = r.converge(ctx, c, in, plan, tags, sortedKeys(in.Tags), secret, nativeSecret)
		}
	} else {
		in, err = awsapi.CreateVerifiedAccessInstance(ctx, c.EC2, awsapi.CreateVerifiedAccessInstanceInput{
			Description: plan.Description.ValueString(), FIPSEnabled: plan.FIPSEnabled.ValueBool(), Tags: tags,
			CidrSubDomain: plan.CidrSubDomain.ValueString(),
		})
		if in == nil || in.ID == "" {
			resp.Diagnostics.AddError("Creating the Verified Access instance failed", operationError(ctx, err))
			return
		}
		tflog.Info(ctx, "verified access instance created", map[string]any{"instance": in.ID})
		if err == nil {
			ids, _, err = awsapi.ReconcileTrustProviders(ctx, c.EC2, in.ID, expandTrustProviders(plan, in.ID, secret, nativeSecret), nil, nil)
		}
		if err == nil && !expandProxyLogging(plan.Logging).IsDefault() {
			err = awsapi.SetVerifiedAccessLogging(ctx, c.EC2, in.ID, expandProxyLogging(plan.Logging))
		}
	}
	plan.ID = types.StringValue(in.ID)
	plan.CidrNameServers = stringList(in.NameServers)
	if err == nil {
		err = awsapi.CompleteCreate(ctx, c.EC2, in.ID)
	}
	plan.TrustProviderIDs = stringMapValue(ids)
	if err != nil {
		// The instance exists: record it (and whatever is attached) so it
		// is not orphaned. Terraform marks the resource tainted; the next
		// apply deletes it with everything it owns and creates it afresh.
		resp.Diagnostics.AddError("Creating the access proxy failed", operationError(ctx, err))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *accessProxyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state accessProxyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	found, diags := readAccessProxy(ctx, c, state.ID.ValueString(), &state)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		tflog.Warn(ctx, "verified access instance disappeared; removing the access proxy from state", map[string]any{"instance": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *accessProxyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state accessProxyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	secret := expandProxyClientSecret(ctx, req.Config, &resp.Diagnostics)
	nativeSecret := expandProxyNativeClientSecret(ctx, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := boundOperation(ctx, plan.Timeouts, opUpdate, proxyUpdateTimeout, &resp.Diagnostics)
	defer cancel()
	id := state.ID.ValueString()
	plan.ID = state.ID
	in, err := awsapi.FindVerifiedAccessInstance(ctx, c.EC2, id)
	if err != nil {
		resp.Diagnostics.AddError("Reading the Verified Access instance failed", operationError(ctx, err))
		return
	}
	if err := awsapi.CheckOwnership("verified access instance", id, in.Tags, state.OwnershipID.ValueString()); err != nil {
		resp.Diagnostics.AddError("Access proxy owned by another resource", operationError(ctx, err))
		return
	}
	plan.OwnershipID = state.OwnershipID
	managed := append(sortedKeys(stringMap(ctx, state.Tags, &resp.Diagnostics)), "Name")
	ids, in, err := r.converge(ctx, c, in, plan, expandProxyInstanceTags(plan, stringMap(ctx, plan.Tags, &resp.Diagnostics)), managed, secret, nativeSecret)
	if err != nil {
		resp.Diagnostics.AddError("Updating the access proxy failed", operationError(ctx, err))
		// Record what is live, so the next plan shows what is left to do.
		found, diags := readAccessProxy(ctx, c, id, &state)
		resp.Diagnostics.Append(diags...)
		if found {
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		}
		return
	}
	plan.TrustProviderIDs = stringMapValue(ids)
	plan.UnmanagedTrustProviderIDs = types.ListValueMust(types.StringType, []attr.Value{})
	plan.CidrNameServers = stringList(in.NameServers)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// readAccessProxy refreshes m from the live instance (three calls: the
// instance, its owned and attached trust providers, its logging; see
// flattenAccessProxy). With an empty m (import) every attached provider the
// proxy owns becomes a declared one.
func readAccessProxy(ctx context.Context, clients *awsapi.Clients, id string, m *accessProxyModel) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	in, err := awsapi.FindVerifiedAccessInstance(ctx, clients.EC2, id)
	if awsapi.IsNotFound(err) {
		return false, diags
	}
	if err != nil {
		diags.AddError("Reading the Verified Access instance failed", err.Error())
		return false, diags
	}
	tps, err := awsapi.FindProxyTrustProviders(ctx, clients.EC2, id, in.TrustProviderIDs)
	if err != nil {
		diags.AddError("Reading the trust providers failed", err.Error())
		return false, diags
	}
	logging, err := awsapi.FindVerifiedAccessLogging(ctx, clients.EC2, id)
	if err != nil {
		diags.AddError("Reading the access logging configuration failed", err.Error())
		return false, diags
	}
	importing := m.IdentityProvider == nil && m.Name.IsNull()
	if importing {
		m.OwnershipID = nullIfEmpty(in.Tags[awsapi.TagOwnership])
	} else if err := awsapi.CheckOwnership("verified access instance", in.ID, in.Tags, m.OwnershipID.ValueString()); err != nil {
		diags.AddWarning("Access proxy owned by another resource", err.Error())
	}

	flattenAccessProxy(m, in, tps, logging, importing)
	return true, diags
}

// updateUserProvider brings a kept user trust provider in line: OIDC options
// (rewritten with the secret when they changed or the secret version did)
// and the tags recording groups claim, MFA enforcement and secret version.
func (r *accessProxyResource) updateUserProvider(ctx context.Context, clients *awsapi.Clients, plan accessProxyModel, kept map[string]*awsapi.VerifiedAccessTrustProvider, secret, nativeSecret string) error {
	idp := plan.IdentityProvider
	if idp == nil {
		return nil
	}
	tp := kept[idp.Reference.ValueString()]
	if tp == nil {
		return nil // created with everything in place
	}
	if o := idp.OIDC; o != nil && tp.OIDC != nil {
		want := awsapi.OIDCOptions{
			Issuer: o.Issuer.ValueString(), AuthorizationEndpoint: o.AuthorizationEndpoint.ValueString(),
			TokenEndpoint: o.TokenEndpoint.ValueString(), UserInfoEndpoint: o.UserInfoEndpoint.ValueString(),
			ClientID: o.ClientID.ValueString(), Scope: o.Scope.ValueString(),
		}
		rotate := tp.Tags[awsapi.TagClientSecretVersion] != o.ClientSecretVersion.ValueString()
		if *tp.OIDC != want || rotate {
			if rotate && secret == "" {
				return fmt.Errorf("client_secret_version changed but no client_secret is configured")
			}
			want.ClientSecret = secret
			if err := awsapi.ModifyVerifiedAccessTrustProviderOIDC(ctx, clients.EC2, tp.ID, want); err != nil {
				return err
			}
			tflog.Info(ctx, "OIDC options updated", map[string]any{"trust_provider": tp.ID, "secret_rotated": rotate})
		}
		if err := updateNativeOIDC(ctx, clients, idp, tp, nativeSecret); err != nil {
			return err
		}
	}
	return awsapi.SetTags(ctx, clients.EC2, tp.ID, tp.Tags, expandUserProviderTags(plan), userProviderTagKeys)
}

// converge brings an existing instance to the plan: trust providers
// (reusing matching owned ones), the user provider's mutable settings,
// description, tags (wantTags; managedTags are removed when not wanted) and
// logging. It returns the attached trust provider ids by reference.
func (r *accessProxyResource) converge(ctx context.Context, c *awsapi.Clients, in *awsapi.VerifiedAccessInstance, plan accessProxyModel,
	wantTags map[string]string, managedTags []string, secret, nativeSecret string) (map[string]string, *awsapi.VerifiedAccessInstance, error) {
	id := in.ID
	known, err := awsapi.FindProxyTrustProviders(ctx, c.EC2, id, in.TrustProviderIDs)
	if err != nil {
		return nil, in, fmt.Errorf("reading the trust providers: %w", err)
	}
	ids, kept, err := awsapi.ReconcileTrustProviders(ctx, c.EC2, id, expandTrustProviders(plan, id, secret, nativeSecret), in.TrustProviderIDs, known)
	if err == nil {
		err = r.updateUserProvider(ctx, c, plan, kept, secret, nativeSecret)
	}
	if err == nil {
		// Providers created just now carry the key already; kept ones may not.
		err = awsapi.ReconcileTrustProviderKeys(ctx, c.EC2, slices.Collect(maps.Values(kept)), plan.KMSKeyARN.ValueString())
	}
	if want := plan.CidrSubDomain.ValueString(); err == nil && want != "" && want != in.CidrSubDomain {
		var modified *awsapi.VerifiedAccessInstance
		if modified, err = awsapi.SetVerifiedAccessInstanceSubDomain(ctx, c.EC2, id, want); err == nil {
			in.CidrSubDomain, in.NameServers = modified.CidrSubDomain, modified.NameServers
		}
	}
	if err == nil && in.Description != plan.Description.ValueString() {
		err = awsapi.SetVerifiedAccessInstanceDescription(ctx, c.EC2, id, plan.Description.ValueString())
	}
	if err == nil {
		err = awsapi.SetTags(ctx, c.EC2, id, in.Tags, wantTags, managedTags)
	}
	if err == nil {
		var live awsapi.AccessLogging
		if live, err = awsapi.FindVerifiedAccessLogging(ctx, c.EC2, id); err == nil && live != expandProxyLogging(plan.Logging) {
			err = awsapi.SetVerifiedAccessLogging(ctx, c.EC2, id, expandProxyLogging(plan.Logging))
		}
	}
	return ids, in, err
}

func (r *accessProxyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state accessProxyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	ctx, cancel := boundOperation(ctx, state.Timeouts, opDelete, proxyDeleteTimeout, &resp.Diagnostics)
	defer cancel()
	id := state.ID.ValueString()
	var attached []string
	in, err := awsapi.FindVerifiedAccessInstance(ctx, c.EC2, id)
	if err == nil {
		err = awsapi.CheckOwnership("verified access instance", id, in.Tags, state.OwnershipID.ValueString())
	}
	switch {
	case err == nil:
		attached = in.TrustProviderIDs
	case !awsapi.IsNotFound(err):
		resp.Diagnostics.AddError("Reading the Verified Access instance failed", operationError(ctx, err))
		return
	}
	owned, err := awsapi.FindOwnedVerifiedAccessTrustProviders(ctx, c.EC2, id)
	if err != nil {
		resp.Diagnostics.AddError("Reading the trust providers failed", operationError(ctx, err))
		return
	}
	for _, tpID := range attached {
		if err := awsapi.DetachVerifiedAccessTrustProvider(ctx, c.EC2, id, tpID); err != nil {
			resp.Diagnostics.AddError("Detaching a trust provider failed", operationError(ctx, err))
			return
		}
	}
	if in != nil {
		if err := awsapi.DeleteVerifiedAccessInstance(ctx, c.EC2, id); err != nil {
			resp.Diagnostics.AddError("Deleting the Verified Access instance failed",
				operationError(ctx, err)+"\nA protect surface (Verified Access group) still on the instance blocks deletion.")
			return
		}
	}
	for tpID := range owned {
		if err := awsapi.DeleteVerifiedAccessTrustProvider(ctx, c.EC2, tpID); err != nil {
			resp.Diagnostics.AddError("Deleting a trust provider failed", operationError(ctx, err))
			return
		}
	}
	tflog.Info(ctx, "access proxy deleted", map[string]any{"instance": id, "trust_providers": len(owned)})
}

// ImportState takes a Verified Access instance id. The trust providers the
// proxy owns (tagged zerotrust:proxy-id) become its declared providers; the
// OIDC client secret cannot be read back and must be configured.
func (r *accessProxyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if !vaInstanceIDRe.MatchString(req.ID) {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("expected a Verified Access instance id such as vai-0123456789abcdef0, got %q", req.ID))
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	m := accessProxyModel{Name: types.StringNull(), Tags: types.MapNull(types.StringType), Timeouts: timeoutsNull(opCreate, opUpdate, opDelete)}
	found, diags := readAccessProxy(ctx, c, req.ID, &m)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		resp.Diagnostics.AddError("Cannot import access proxy", fmt.Sprintf("Verified Access instance %s not found", req.ID))
		return
	}
	if m.IdentityProvider == nil {
		resp.Diagnostics.AddError("Cannot import access proxy",
			fmt.Sprintf("Verified Access instance %s has no user trust provider created by this provider attached; an access proxy needs one", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
