// Package provider is the Terraform plugin framework layer: one file per
// resource, data source and function. It maps Terraform values onto the pure
// model, calls the compilers at plan time and the target reconcilers at apply.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ provider.Provider              = (*zeroTrustProvider)(nil)
	_ provider.ProviderWithFunctions = (*zeroTrustProvider)(nil)
)

// New returns a provider factory stamped with the release version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &zeroTrustProvider{version: version} }
}

type zeroTrustProvider struct {
	version string
}

type providerModel struct {
	AWS            *awsBlockModel            `tfsdk:"aws"`
	Kubernetes     *kubernetesBlockModel     `tfsdk:"kubernetes"`
	IdentityCenter *identityCenterBlockModel `tfsdk:"identity_center"`
	Floors         *floorsBlockModel         `tfsdk:"sensitivity_floors"`
}

// floorsBlockModel holds the opt-in sensitivity floors.
type floorsBlockModel struct {
	RequireCustomerManagedKeys types.Bool `tfsdk:"require_customer_managed_keys"`
}

type awsBlockModel struct {
	Region                 types.String          `tfsdk:"region"`
	Profile                types.String          `tfsdk:"profile"`
	SharedConfigFiles      types.List            `tfsdk:"shared_config_files"`
	SharedCredentialsFiles types.List            `tfsdk:"shared_credentials_files"`
	MaxRetries             types.Number          `tfsdk:"max_retries"`
	AssumeRole             *assumeRoleBlockModel `tfsdk:"assume_role"`
	Endpoints              *endpointsBlockModel  `tfsdk:"endpoints"`
}

type assumeRoleBlockModel struct {
	RoleARN     types.String `tfsdk:"role_arn"`
	SessionName types.String `tfsdk:"session_name"`
	ExternalID  types.String `tfsdk:"external_id"`
}

type endpointsBlockModel struct {
	EC2           types.String `tfsdk:"ec2"`
	SSOAdmin      types.String `tfsdk:"ssoadmin"`
	IdentityStore types.String `tfsdk:"identitystore"`
	STS           types.String `tfsdk:"sts"`
	IAM           types.String `tfsdk:"iam"`
	Scheduler     types.String `tfsdk:"scheduler"`
}

type kubernetesBlockModel struct {
	ConfigPath           types.String `tfsdk:"config_path"`
	ConfigContext        types.String `tfsdk:"config_context"`
	Host                 types.String `tfsdk:"host"`
	Token                types.String `tfsdk:"token"`
	ClusterCACertificate types.String `tfsdk:"cluster_ca_certificate"`
	Insecure             types.Bool   `tfsdk:"insecure"`
}

type identityCenterBlockModel struct {
	InstanceARN     types.String `tfsdk:"instance_arn"`
	IdentityStoreID types.String `tfsdk:"identity_store_id"`
}

func (p *zeroTrustProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "zerotrust"
	resp.Version = p.version
}

func (p *zeroTrustProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = providerSchema()
}

func (p *zeroTrustProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	clients, diags := newClientFactory(ctx, cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "zerotrust provider configured", map[string]any{
		"aws_configured":        cfg.AWS != nil,
		"kubernetes_configured": cfg.Kubernetes != nil,
	})
	resp.ResourceData = &resourceData{clients: clients, plan: &planMemory{}}
	resp.DataSourceData = clients
}

func (p *zeroTrustProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newSegmentResource,
		newSegmentPolicyResource,
		newSegmentPolicySetResource,
		newAccessGroupResource,
		newPrivilegedAccessResource,
		newAccessProxyResource,
		newProtectSurfaceResource,
	}
}

func (p *zeroTrustProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newPolicyDocumentDataSource,
		newAccessDecisionDataSource,
		newReachabilityDataSource,
		newMaturityAssessmentDataSource,
	}
}

func (p *zeroTrustProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		newEvaluateFunction,
		newCedarNormalizeFunction,
	}
}

func providerSchema() schema.Schema {
	return schema.Schema{
		Description: "Declares a zero-trust posture — protect surfaces, access groups, device requirements, access rules, " +
			"workload segments and allowed flows, least-privilege grants — and compiles it into AWS Verified Access, " +
			"EC2 security groups, AWS IAM Identity Center and Kubernetes. Clients are built lazily: a configuration " +
			"that uses only AWS resources needs no cluster, and the reverse.",
		Blocks: map[string]schema.Block{
			"aws": schema.SingleNestedBlock{
				Description: "AWS connection. Every attribute falls back to the AWS SDK's usual environment and shared files " +
					"(AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, ~/.aws/config).",
				Attributes: map[string]schema.Attribute{
					"region": schema.StringAttribute{
						Optional:    true,
						Description: "AWS region, e.g. `us-east-1`. Defaults to AWS_REGION / AWS_DEFAULT_REGION or the profile's region.",
					},
					"profile": schema.StringAttribute{
						Optional:    true,
						Description: "Named profile from the shared configuration files. Defaults to AWS_PROFILE.",
					},
					"shared_config_files": schema.ListAttribute{
						Optional:    true,
						ElementType: types.StringType,
						Description: "Shared configuration files to read instead of `~/.aws/config`.",
					},
					"shared_credentials_files": schema.ListAttribute{
						Optional:    true,
						ElementType: types.StringType,
						Description: "Shared credentials files to read instead of `~/.aws/credentials`.",
					},
					"max_retries": schema.NumberAttribute{
						Optional: true,
						Description: "Maximum attempts for a call that fails with throttling, a 5xx or a transient network error " +
							"(jittered exponential backoff), a whole number from 1 to 100. Defaults to 10.",
						Validators: []validator.Number{wholeNumber{min: 1, max: 100}},
					},
				},
				Blocks: map[string]schema.Block{
					"assume_role": schema.SingleNestedBlock{
						Description: "Role to assume with STS before making any call.",
						Attributes: map[string]schema.Attribute{
							"role_arn":     schema.StringAttribute{Optional: true, Description: "ARN of the role to assume.", Validators: []validator.String{requiredInBlock{}}},
							"session_name": schema.StringAttribute{Optional: true, Description: "Session name recorded in CloudTrail."},
							"external_id":  schema.StringAttribute{Optional: true, Description: "External id required by the role's trust policy."},
						},
					},
					"endpoints": schema.SingleNestedBlock{
						Description: "Per-service endpoint overrides, for emulators such as the local sandbox.",
						Attributes: map[string]schema.Attribute{
							"ec2":           schema.StringAttribute{Optional: true, Description: "EC2 endpoint (security groups, Verified Access)."},
							"ssoadmin":      schema.StringAttribute{Optional: true, Description: "IAM Identity Center (SSO Admin) endpoint."},
							"identitystore": schema.StringAttribute{Optional: true, Description: "Identity Store endpoint."},
							"sts":           schema.StringAttribute{Optional: true, Description: "STS endpoint."},
							"iam":           schema.StringAttribute{Optional: true, Description: "IAM endpoint (the execution roles of expiry schedules)."},
							"scheduler":     schema.StringAttribute{Optional: true, Description: "EventBridge Scheduler endpoint (the schedules that end just-in-time grants)."},
						},
					},
				},
			},
			"kubernetes": schema.SingleNestedBlock{
				Description: "Kubernetes connection. Without `host`, the kubeconfig at `config_path`, else KUBECONFIG, else `~/.kube/config` is used.",
				Attributes: map[string]schema.Attribute{
					"config_path":    schema.StringAttribute{Optional: true, Description: "Path to a kubeconfig file. Defaults to KUBECONFIG."},
					"config_context": schema.StringAttribute{Optional: true, Description: "Context of the kubeconfig to use. Defaults to its current context."},
					"host":           schema.StringAttribute{Optional: true, Description: "API server URL; overrides the kubeconfig's cluster."},
					"token":          schema.StringAttribute{Optional: true, Sensitive: true, Description: "Bearer token for the API server. Sensitive: never logged."},
					"cluster_ca_certificate": schema.StringAttribute{
						Optional:    true,
						Description: "PEM-encoded CA certificate of the API server.",
					},
					"insecure": schema.BoolAttribute{Optional: true, Description: "Skip TLS verification of the API server. For test clusters only."},
				},
			},
			"identity_center": schema.SingleNestedBlock{
				Description: "IAM Identity Center instance. When omitted, the account's single instance is discovered with ListInstances on first use.",
				Attributes: map[string]schema.Attribute{
					"instance_arn":      schema.StringAttribute{Optional: true, Description: "ARN of the IAM Identity Center instance."},
					"identity_store_id": schema.StringAttribute{Optional: true, Description: "Identity store id of that instance."},
				},
			},
			"sensitivity_floors": schema.SingleNestedBlock{
				Description: "Opt-in sensitivity floors, for organisations that demand more than the default floors (see the Sensitivity floors guide).",
				Attributes: map[string]schema.Attribute{
					"require_customer_managed_keys": schema.BoolAttribute{
						Optional: true,
						Description: "Protect surfaces whose floor demands a customer-managed key (`restricted`) must set `kms_key_arn` or " +
							"acknowledge the AWS-owned key (`customer_managed_key_acknowledgement`); otherwise the plan fails at `kms_key_arn`. " +
							"Default false, so existing configurations keep planning.",
					},
				},
			},
		},
	}
}
