package provider

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
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
type accessProxyResource struct{ clients *clientFactory }

func (r *accessProxyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_proxy"
}

func (r *accessProxyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = accessProxySchema()
}

func (r *accessProxyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks the trust providers with the model's own rules
// (AccessProxy.Validate: Cedar-identifier references, unique references, one
// provider per device type, groups_claim only for OIDC) and the OIDC block,
// so every mistake is an attribute-pathed error at plan time.
func (r *accessProxyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
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
		case idp.OIDC != nil && idp.OIDC.ClientSecret.IsNull():
			resp.Diagnostics.AddAttributeError(idpPath.AtName("oidc").AtName("client_secret"), "Client secret required",
				"Verified Access needs the OIDC client secret to create the trust provider. It is write-only: never stored in state.")
		}
	}
	// Attributes a block needs when it is present (the framework enforces
	// Required even on an absent single nested block, so they are Optional
	// in the schema and checked here).
	if o := idp.OIDC; o != nil {
		for name, v := range map[string]types.String{"issuer": o.Issuer, "authorization_endpoint": o.AuthorizationEndpoint,
			"token_endpoint": o.TokenEndpoint, "user_info_endpoint": o.UserInfoEndpoint, "client_id": o.ClientID} {
			if v.IsNull() {
				resp.Diagnostics.AddAttributeError(idpPath.AtName("oidc").AtName(name), "Missing OIDC option", name+" is required in the oidc block.")
			}
		}
	}
	if l := cfg.Logging; l != nil && l.S3 != nil && l.S3.Bucket.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("logging").AtName("s3").AtName("bucket"), "Missing bucket", "bucket is required in the s3 block.")
	}
	proxy, known := proxyModelOf(cfg)
	if !known {
		return // checked again once the unknown values are known
	}
	appendProblems(&resp.Diagnostics, path.Empty(), proxy.Validate())
}

// proxyModelOf maps the configuration onto the model; known is false when a
// value the model needs is unknown.
func proxyModelOf(m accessProxyModel) (model.AccessProxy, bool) {
	p := model.AccessProxy{Name: m.Name.ValueString()}
	known := true
	check := func(vs ...attr.Value) {
		for _, v := range vs {
			if v.IsUnknown() {
				known = false
			}
		}
	}
	if idp := m.IdentityProvider; idp != nil {
		check(idp.Type, idp.Reference, idp.GroupsClaim, idp.MFAEnforced)
		p.IdentityProvider = model.IdentityProvider{
			Type: idp.Type.ValueString(), Reference: idp.Reference.ValueString(),
			GroupsClaim: idp.GroupsClaim.ValueString(), MFAEnforced: idp.MFAEnforced.ValueBool(),
		}
	}
	for _, d := range m.DeviceTrustProviders {
		check(d.Type, d.Reference)
		p.DeviceProviders = append(p.DeviceProviders, model.DeviceTrustProvider{Type: d.Type.ValueString(), Reference: d.Reference.ValueString()})
	}
	return p, known
}

// trustContextOf is the plan-time trust context of a configuration.
func trustContextOf(m accessProxyModel) (proxyTrustContext, bool) {
	p, known := proxyModelOf(m)
	if !known || m.IdentityProvider == nil {
		return proxyTrustContext{}, false
	}
	out := proxyTrustContext{IdentityProvider: proxyTrustIdentity{
		Type: p.IdentityProvider.Type, Reference: p.IdentityProvider.Reference,
		GroupsClaim: p.IdentityProvider.GroupsClaim, MFAEnforced: p.IdentityProvider.MFAEnforced,
	}}
	for _, d := range p.DeviceProviders {
		out.DeviceTrustProviders = append(out.DeviceTrustProviders, proxyTrustDevice{Type: d.Type, Reference: d.Reference})
	}
	return out.canonical(), true
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

	if tc, ok := trustContextOf(plan); ok {
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

// desiredTrustProviders turns the plan into trust-provider specs owned by
// instanceID; secret is the write-only client secret from the configuration.
func desiredTrustProviders(m accessProxyModel, instanceID, secret string) []awsapi.TrustProviderSpec {
	owner := func() map[string]string {
		return map[string]string{awsapi.TagManagedBy: awsapi.ManagedByValue, awsapi.TagProxyID: instanceID}
	}
	var out []awsapi.TrustProviderSpec
	if idp := m.IdentityProvider; idp != nil {
		s := awsapi.TrustProviderSpec{
			Kind: awsapi.TrustProviderUser, Type: idp.Type.ValueString(), Reference: idp.Reference.ValueString(),
			Description: "Identity provider of a zero-trust access proxy (managed by terraform-provider-zerotrust)",
			Tags:        owner(),
		}
		for k, v := range userProviderTags(m) {
			s.Tags[k] = v
		}
		if o := idp.OIDC; o != nil {
			s.OIDC = &awsapi.OIDCOptions{
				Issuer: o.Issuer.ValueString(), AuthorizationEndpoint: o.AuthorizationEndpoint.ValueString(),
				TokenEndpoint: o.TokenEndpoint.ValueString(), UserInfoEndpoint: o.UserInfoEndpoint.ValueString(),
				ClientID: o.ClientID.ValueString(), ClientSecret: secret, Scope: o.Scope.ValueString(),
			}
		}
		out = append(out, s)
	}
	for _, d := range m.DeviceTrustProviders {
		out = append(out, awsapi.TrustProviderSpec{
			Kind: awsapi.TrustProviderDevice, Type: d.Type.ValueString(), Reference: d.Reference.ValueString(), TenantID: d.TenantID.ValueString(),
			Description: "Device trust provider of a zero-trust access proxy (managed by terraform-provider-zerotrust)",
			Tags:        owner(),
		})
	}
	return out
}

// userProviderTags are the facts recorded on the user trust provider.
func userProviderTags(m accessProxyModel) map[string]string {
	idp := m.IdentityProvider
	tags := map[string]string{awsapi.TagMFAEnforced: fmt.Sprint(idp.MFAEnforced.ValueBool())}
	if v := idp.GroupsClaim.ValueString(); v != "" {
		tags[awsapi.TagGroupsClaim] = v
	}
	if o := idp.OIDC; o != nil && o.ClientSecretVersion.ValueString() != "" {
		tags[awsapi.TagClientSecretVersion] = o.ClientSecretVersion.ValueString()
	}
	return tags
}

var userProviderTagKeys = []string{awsapi.TagGroupsClaim, awsapi.TagMFAEnforced, awsapi.TagClientSecretVersion}

func proxyInstanceTags(m accessProxyModel, user map[string]string) map[string]string {
	tags := map[string]string{}
	for k, v := range user {
		tags[k] = v
	}
	tags["Name"] = valueOr(tags["Name"], m.Name.ValueString())
	tags[awsapi.TagManagedBy] = awsapi.ManagedByValue
	tags[awsapi.TagProxy] = m.Name.ValueString()
	return tags
}

func proxyLoggingOf(m *proxyLoggingModel) awsapi.AccessLogging {
	if m == nil {
		return awsapi.AccessLogging{LogVersion: awsapi.DefaultLogVersion}
	}
	l := awsapi.AccessLogging{
		CloudWatchLogGroup:  m.CloudWatchLogGroup.ValueString(),
		FirehoseStream:      m.FirehoseDeliveryStream.ValueString(),
		IncludeTrustContext: m.IncludeTrustContext.ValueBool(),
		LogVersion:          valueOr(m.LogVersion.ValueString(), awsapi.DefaultLogVersion),
	}
	if s := m.S3; s != nil {
		l.S3Bucket, l.S3Prefix, l.S3BucketOwner = s.Bucket.ValueString(), s.Prefix.ValueString(), s.BucketOwner.ValueString()
	}
	return l
}

func (r *accessProxyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan accessProxyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	secret := proxyClientSecret(ctx, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	in, err := awsapi.CreateVerifiedAccessInstance(ctx, c.EC2, awsapi.CreateVerifiedAccessInstanceInput{
		Description: plan.Description.ValueString(), FIPSEnabled: plan.FIPSEnabled.ValueBool(),
		Tags: proxyInstanceTags(plan, stringMap(ctx, plan.Tags, &resp.Diagnostics)),
	})
	if in == nil || in.ID == "" {
		resp.Diagnostics.AddError("Creating the Verified Access instance failed", err.Error())
		return
	}
	plan.ID = types.StringValue(in.ID)
	tflog.Info(ctx, "verified access instance created", map[string]any{"instance": in.ID})
	ids := map[string]string{}
	if err == nil {
		ids, _, err = awsapi.ReconcileTrustProviders(ctx, c.EC2, in.ID, desiredTrustProviders(plan, in.ID, secret), nil, nil)
	}
	if err == nil && !proxyLoggingOf(plan.Logging).IsDefault() {
		err = awsapi.SetVerifiedAccessLogging(ctx, c.EC2, in.ID, proxyLoggingOf(plan.Logging))
	}
	plan.TrustProviderIDs = stringMapValue(ids)
	if err != nil {
		// The instance exists: record it (and whatever is attached) so it
		// is not orphaned. Terraform marks the resource tainted; the next
		// apply deletes it with everything it owns and creates it afresh.
		resp.Diagnostics.AddError("Creating the access proxy failed", err.Error())
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// proxyClientSecret reads the write-only client secret from the configuration.
func proxyClientSecret(ctx context.Context, cfg tfsdk.Config, diags *diag.Diagnostics) string {
	var secret types.String
	d := cfg.GetAttribute(ctx, path.Root("identity_provider").AtName("oidc").AtName("client_secret"), &secret)
	if d.HasError() {
		return "" // no oidc block
	}
	diags.Append(d...)
	return secret.ValueString()
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

// readAccessProxy refreshes m from the live instance (three calls: the
// instance, its owned and attached trust providers, its logging). Declared
// providers are matched by kind and type; attached providers that match
// nothing declared are listed as unmanaged. With an empty m (import) every
// attached provider the proxy owns becomes a declared one.
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

	m.ID = types.StringValue(in.ID)
	m.Description = types.StringValue(in.Description)
	m.FIPSEnabled = types.BoolValue(in.FIPSEnabled)
	if n := in.Tags[awsapi.TagProxy]; n != "" {
		m.Name = types.StringValue(n)
	} else if m.Name.IsNull() {
		m.Name = types.StringValue(in.ID)
	}
	if importing {
		m.Tags = importedUserTags(in.Tags, m.Name.ValueString())
	} else {
		m.Tags = userTagsOf(in.Tags, m.Tags)
	}

	ids := map[string]string{}
	var unmanaged []string
	var liveDevices []*awsapi.VerifiedAccessTrustProvider
	for _, tpID := range in.TrustProviderIDs {
		tp := tps[tpID]
		if tp == nil || tp.Tags[awsapi.TagProxyID] != id {
			unmanaged = append(unmanaged, tpID)
			continue
		}
		if tp.Kind == awsapi.TrustProviderUser {
			idp := m.IdentityProvider
			if idp == nil {
				idp = &proxyIdentityModel{GroupsClaim: types.StringNull(), MFAEnforced: types.BoolValue(false)}
				m.IdentityProvider = idp
			} else if idp.Type.ValueString() != tp.Type || idp.Reference.ValueString() != tp.Reference {
				unmanaged = append(unmanaged, tpID)
				continue
			}
			idp.Type, idp.Reference = types.StringValue(tp.Type), types.StringValue(tp.Reference)
			if v, ok := tp.Tags[awsapi.TagGroupsClaim]; ok {
				idp.GroupsClaim = types.StringValue(v)
			} else {
				idp.GroupsClaim = types.StringNull()
			}
			idp.MFAEnforced = types.BoolValue(tp.Tags[awsapi.TagMFAEnforced] == "true")
			if tp.OIDC != nil {
				o := idp.OIDC
				if o == nil {
					o = &proxyOIDCModel{ClientSecret: types.StringNull(), Scope: types.StringNull(), ClientSecretVersion: types.StringNull()}
					idp.OIDC = o
				}
				o.Issuer, o.AuthorizationEndpoint = types.StringValue(tp.OIDC.Issuer), types.StringValue(tp.OIDC.AuthorizationEndpoint)
				o.TokenEndpoint, o.UserInfoEndpoint = types.StringValue(tp.OIDC.TokenEndpoint), types.StringValue(tp.OIDC.UserInfoEndpoint)
				o.ClientID = types.StringValue(tp.OIDC.ClientID)
				o.ClientSecret = types.StringNull() // write-only
				if tp.OIDC.Scope != "" || !o.Scope.IsNull() {
					o.Scope = types.StringValue(tp.OIDC.Scope)
				}
				if v, ok := tp.Tags[awsapi.TagClientSecretVersion]; ok {
					o.ClientSecretVersion = types.StringValue(v)
				} else {
					o.ClientSecretVersion = types.StringNull()
				}
			}
			ids[tp.Reference] = tpID
			continue
		}
		liveDevices = append(liveDevices, tp)
	}
	// Device providers: declared ones are refreshed by type; with nothing
	// declared (import) the owned attached ones are taken, sorted by type.
	sort.Slice(liveDevices, func(i, j int) bool { return liveDevices[i].Type < liveDevices[j].Type })
	if importing {
		for _, tp := range liveDevices {
			m.DeviceTrustProviders = append(m.DeviceTrustProviders, proxyDeviceModel{Type: types.StringValue(tp.Type), Reference: types.StringValue(tp.Reference), TenantID: types.StringValue(tp.TenantID)})
			ids[tp.Reference] = tp.ID
		}
	} else {
		for _, tp := range liveDevices {
			matched := false
			for i := range m.DeviceTrustProviders {
				d := &m.DeviceTrustProviders[i]
				if d.Type.ValueString() == tp.Type && d.Reference.ValueString() == tp.Reference && d.TenantID.ValueString() == tp.TenantID {
					ids[tp.Reference] = tp.ID
					matched = true
				}
			}
			if !matched {
				unmanaged = append(unmanaged, tp.ID)
			}
		}
	}
	m.TrustProviderIDs = stringMapValue(ids)
	sort.Strings(unmanaged)
	m.UnmanagedTrustProviderIDs = stringList(unmanaged)
	if unmanaged == nil {
		m.UnmanagedTrustProviderIDs = types.ListValueMust(types.StringType, []attr.Value{})
	}

	if m.Logging != nil || !logging.IsDefault() {
		lm := &proxyLoggingModel{
			CloudWatchLogGroup:     nullIfEmpty(logging.CloudWatchLogGroup),
			FirehoseDeliveryStream: nullIfEmpty(logging.FirehoseStream),
			IncludeTrustContext:    types.BoolValue(logging.IncludeTrustContext),
			LogVersion:             types.StringValue(valueOr(logging.LogVersion, awsapi.DefaultLogVersion)),
		}
		if logging.S3Bucket != "" {
			lm.S3 = &proxyS3Model{Bucket: types.StringValue(logging.S3Bucket), Prefix: nullIfEmpty(logging.S3Prefix), BucketOwner: nullIfEmpty(logging.S3BucketOwner)}
		}
		m.Logging = lm
	}

	if tc, ok := trustContextOf(*m); ok {
		m.TrustContext = types.StringValue(tc.String())
		refs := map[string]string{tc.IdentityProvider.Type: tc.IdentityProvider.Reference}
		for _, d := range tc.DeviceTrustProviders {
			refs[d.Type] = d.Reference
		}
		m.ReferenceNames = stringMapValue(refs)
	} else {
		m.TrustContext = types.StringNull()
		m.ReferenceNames = types.MapValueMust(types.StringType, map[string]attr.Value{})
	}
	return true, diags
}

func (r *accessProxyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state accessProxyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	secret := proxyClientSecret(ctx, req.Config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.clients.awsOrDiag(ctx, &resp.Diagnostics)
	if c == nil {
		return
	}
	id := state.ID.ValueString()
	plan.ID = state.ID
	in, err := awsapi.FindVerifiedAccessInstance(ctx, c.EC2, id)
	if err != nil {
		resp.Diagnostics.AddError("Reading the Verified Access instance failed", err.Error())
		return
	}
	known, err := awsapi.FindProxyTrustProviders(ctx, c.EC2, id, in.TrustProviderIDs)
	if err != nil {
		resp.Diagnostics.AddError("Reading the trust providers failed", err.Error())
		return
	}
	desired := desiredTrustProviders(plan, id, secret)
	ids, kept, err := awsapi.ReconcileTrustProviders(ctx, c.EC2, id, desired, in.TrustProviderIDs, known)
	if err == nil {
		err = r.updateUserProvider(ctx, c, plan, state, kept, secret)
	}
	if err == nil && in.Description != plan.Description.ValueString() {
		err = awsapi.SetVerifiedAccessInstanceDescription(ctx, c.EC2, id, plan.Description.ValueString())
	}
	if err == nil {
		managed := append(sortedKeys(stringMap(ctx, state.Tags, &resp.Diagnostics)), "Name")
		err = awsapi.SetTags(ctx, c.EC2, id, in.Tags, proxyInstanceTags(plan, stringMap(ctx, plan.Tags, &resp.Diagnostics)), managed)
	}
	if err == nil {
		var live awsapi.AccessLogging
		if live, err = awsapi.FindVerifiedAccessLogging(ctx, c.EC2, id); err == nil && live != proxyLoggingOf(plan.Logging) {
			err = awsapi.SetVerifiedAccessLogging(ctx, c.EC2, id, proxyLoggingOf(plan.Logging))
		}
	}
	if err != nil {
		resp.Diagnostics.AddError("Updating the access proxy failed", err.Error())
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
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// updateUserProvider brings a kept user trust provider in line: OIDC options
// (rewritten with the secret when they changed or the secret version did)
// and the tags recording groups claim, MFA enforcement and secret version.
func (r *accessProxyResource) updateUserProvider(ctx context.Context, clients *awsapi.Clients, plan, state accessProxyModel, kept map[string]*awsapi.VerifiedAccessTrustProvider, secret string) error {
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
	}
	return awsapi.SetTags(ctx, clients.EC2, tp.ID, tp.Tags, userProviderTags(plan), userProviderTagKeys)
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
	id := state.ID.ValueString()
	var attached []string
	in, err := awsapi.FindVerifiedAccessInstance(ctx, c.EC2, id)
	switch {
	case err == nil:
		attached = in.TrustProviderIDs
	case !awsapi.IsNotFound(err):
		resp.Diagnostics.AddError("Reading the Verified Access instance failed", err.Error())
		return
	}
	owned, err := awsapi.FindOwnedVerifiedAccessTrustProviders(ctx, c.EC2, id)
	if err != nil {
		resp.Diagnostics.AddError("Reading the trust providers failed", err.Error())
		return
	}
	for _, tpID := range attached {
		if err := awsapi.DetachVerifiedAccessTrustProvider(ctx, c.EC2, id, tpID); err != nil {
			resp.Diagnostics.AddError("Detaching a trust provider failed", err.Error())
			return
		}
	}
	if in != nil {
		if err := awsapi.DeleteVerifiedAccessInstance(ctx, c.EC2, id); err != nil {
			resp.Diagnostics.AddError("Deleting the Verified Access instance failed",
				err.Error()+"\nA protect surface (Verified Access group) still on the instance blocks deletion.")
			return
		}
	}
	for tpID := range owned {
		if err := awsapi.DeleteVerifiedAccessTrustProvider(ctx, c.EC2, tpID); err != nil {
			resp.Diagnostics.AddError("Deleting a trust provider failed", err.Error())
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
	m := accessProxyModel{Name: types.StringNull(), Tags: types.MapNull(types.StringType)}
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
