package provider

import (
	"context"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

type accessProxyModel struct {
	ID                   types.String        `tfsdk:"id"`
	Name                 types.String        `tfsdk:"name"`
	Description          types.String        `tfsdk:"description"`
	FIPSEnabled          types.Bool          `tfsdk:"fips_enabled"`
	Tags                 types.Map           `tfsdk:"tags"`
	IdentityProvider     *proxyIdentityModel `tfsdk:"identity_provider"`
	DeviceTrustProviders []proxyDeviceModel  `tfsdk:"device_trust_provider"`
	Logging              *proxyLoggingModel  `tfsdk:"logging"`
	CidrSubDomain        types.String        `tfsdk:"cidr_endpoints_custom_subdomain"`
	KMSKeyARN            types.String        `tfsdk:"kms_key_arn"`

	CidrNameServers types.List `tfsdk:"cidr_endpoints_name_servers"`

	TrustProviderIDs          types.Map      `tfsdk:"trust_provider_ids"`
	OwnershipID               types.String   `tfsdk:"ownership_id"`
	ReferenceNames            types.Map      `tfsdk:"reference_names"`
	TrustContext              types.String   `tfsdk:"trust_context"`
	UnmanagedTrustProviderIDs types.List     `tfsdk:"unmanaged_trust_provider_ids"`
	Timeouts                  timeouts.Value `tfsdk:"timeouts"`
}

// The proxy's waits are eventual consistency: the instance and its trust
// providers becoming readable (2 minutes each by default), an attach that
// AWS briefly refuses (1 minute), and on delete the instance and providers
// becoming deletable (5 and 2 minutes). Each operation gets the sum of its
// waits, rounded up; every wait inside it runs until the operation's time
// is up.
const (
	proxyCreateTimeout = 10 * time.Minute
	proxyUpdateTimeout = 10 * time.Minute
	proxyDeleteTimeout = 10 * time.Minute
)

type proxyIdentityModel struct {
	Type        types.String          `tfsdk:"type"`
	Reference   types.String          `tfsdk:"reference"`
	GroupsClaim types.String          `tfsdk:"groups_claim"`
	MFAEnforced types.Bool            `tfsdk:"mfa_enforced"`
	OIDC        *proxyOIDCModel       `tfsdk:"oidc"`
	NativeOIDC  *proxyNativeOIDCModel `tfsdk:"native_application_oidc"`
}

// proxyNativeOIDCModel is the OIDC client the AWS Verified Access
// connectivity client signs in with (NativeApplicationOidcOptions).
type proxyNativeOIDCModel struct {
	PublicSigningKeyEndpoint types.String `tfsdk:"public_signing_key_endpoint"`
	Issuer                   types.String `tfsdk:"issuer"`
	AuthorizationEndpoint    types.String `tfsdk:"authorization_endpoint"`
	TokenEndpoint            types.String `tfsdk:"token_endpoint"`
	UserInfoEndpoint         types.String `tfsdk:"user_info_endpoint"`
	ClientID                 types.String `tfsdk:"client_id"`
	ClientSecret             types.String `tfsdk:"client_secret"`
	ClientSecretVersion      types.String `tfsdk:"client_secret_version"`
	Scope                    types.String `tfsdk:"scope"`
}

type proxyOIDCModel struct {
	Issuer                types.String `tfsdk:"issuer"`
	AuthorizationEndpoint types.String `tfsdk:"authorization_endpoint"`
	TokenEndpoint         types.String `tfsdk:"token_endpoint"`
	UserInfoEndpoint      types.String `tfsdk:"user_info_endpoint"`
	ClientID              types.String `tfsdk:"client_id"`
	ClientSecret          types.String `tfsdk:"client_secret"`
	ClientSecretVersion   types.String `tfsdk:"client_secret_version"`
	Scope                 types.String `tfsdk:"scope"`
}

type proxyDeviceModel struct {
	Type      types.String `tfsdk:"type"`
	Reference types.String `tfsdk:"reference"`
	TenantID  types.String `tfsdk:"tenant_id"`
}

type proxyLoggingModel struct {
	CloudWatchLogGroup     types.String  `tfsdk:"cloudwatch_log_group"`
	S3                     *proxyS3Model `tfsdk:"s3"`
	FirehoseDeliveryStream types.String  `tfsdk:"firehose_delivery_stream"`
	IncludeTrustContext    types.Bool    `tfsdk:"include_trust_context"`
	LogVersion             types.String  `tfsdk:"log_version"`
}

type proxyS3Model struct {
	Bucket      types.String `tfsdk:"bucket"`
	Prefix      types.String `tfsdk:"prefix"`
	BucketOwner types.String `tfsdk:"bucket_owner"`
}

var (
	proxyNameRe    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)
	vaInstanceIDRe = regexp.MustCompile(`^vai-[0-9a-f]{8,17}$`)
	httpsURLRe     = regexp.MustCompile(`^https://[^\s]+$`)
	accountIDRe    = regexp.MustCompile(`^[0-9]{12}$`)
	claimNameRe    = regexp.MustCompile(`^[^\s\x00-\x1f\x7f]{1,128}$`)
	// subDomainRe is a lower-case DNS name of at least two labels, each
	// 1–63 letters, digits or hyphens not starting or ending with a hyphen.
	subDomainRe = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	// kmsKeyARNRe is a KMS key ARN: Verified Access takes a key ARN, not an alias or a bare key id.
	kmsKeyARNRe     = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]{1,128}$`)
	defaultProxyDoc = "Zero-trust access proxy (managed by terraform-provider-zerotrust)"
)

func accessProxySchema() schema.Schema {
	// The OIDC endpoints: Required in the oidc block (requiredInBlock: see
	// there why the schema says Optional).
	requiredHTTPSURL := []validator.String{requiredInBlock{}, stringvalidator.RegexMatches(httpsURLRe, "must be an https:// URL")}
	httpsURL := []validator.String{stringvalidator.RegexMatches(httpsURLRe, "must be an https:// URL")}
	return schema.Schema{
		Description: "An access proxy: the zero-trust policy enforcement point. On AWS it is a Verified Access instance with one user " +
			"trust provider (IAM Identity Center or OIDC), up to one device trust provider per type (Jamf, CrowdStrike, JumpCloud) " +
			"attached to it, and its access logging. Protect surfaces (`zerotrust_protect_surface`) are placed on it. Each trust " +
			"provider's `reference` is its policy reference name: the key under which Verified Access puts the provider's trust " +
			"data in the Cedar context, so the surfaces' compiled policies name it. Changing a reference, a provider type or a " +
			"tenant replaces the proxy (and, through `proxy_id`, the surfaces on it); everything else is updated in place.",
		Attributes: map[string]schema.Attribute{
			// Required
			"name": schema.StringAttribute{
				Required:    true,
				Description: "Proxy name, recorded in the `Name` and `zerotrust:proxy` tags of the instance. Updated in place.",
				Validators:  []validator.String{stringvalidator.RegexMatches(proxyNameRe, "must be 1–63 characters: letters, digits, '.', '_' or '-', starting with a letter or digit")},
			},

			// Optional
			"description": schema.StringAttribute{
				Optional:    true,
				Computed:    true,
				Default:     stringdefault.StaticString(defaultProxyDoc),
				Description: "Description of the Verified Access instance. Updated in place.",
				Validators:  []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"fips_enabled": schema.BoolAttribute{
				Optional:      true,
				Computed:      true,
				Default:       booldefault.StaticBool(false),
				Description:   "Create the instance FIPS-compliant. Verified Access cannot change this on an existing instance: changing it replaces the proxy.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"tags": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				Description: "Extra tags for the instance. The provider's own keys (`managed-by`, `zerotrust:*`) are reserved.",
				Validators:  []validator.Map{reservedTagKeys{}},
			},

			"cidr_endpoints_custom_subdomain": schema.StringAttribute{
				Optional: true,
				Description: "The DNS subdomain (e.g. `net.corp.example.com`) under which Verified Access names the CIDR (network) endpoints " +
					"of the surfaces on this proxy, for users of the AWS Verified Access connectivity client. Delegate it to " +
					"`cidr_endpoints_name_servers` in your DNS. Changed in place; removing it replaces the proxy (the API cannot unset it).",
				Validators: []validator.String{
					stringvalidator.LengthAtMost(253),
					stringvalidator.RegexMatches(subDomainRe, "must be a lower-case DNS name of at least two labels (letters, digits, hyphens; no trailing dot), e.g. net.corp.example.com"),
				},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(subDomainRemoved,
					"Removing the subdomain replaces the proxy: Verified Access cannot unset it.", "Removing the subdomain replaces the proxy: Verified Access cannot unset it.")},
			},
			"kms_key_arn": schema.StringAttribute{
				Optional: true,
				Description: "ARN of a customer-managed, symmetric KMS key that encrypts the trust data of every trust provider of the proxy " +
					"(their `SseSpecification`); unset, Verified Access uses an AWS-owned key. The key policy must let Verified Access use it. " +
					"Changed in place. Protect surfaces do not inherit it: each sets its own `kms_key_arn`.",
				Validators: []validator.String{stringvalidator.RegexMatches(kmsKeyARNRe, "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>); aliases are not accepted")},
			},

			// Computed
			"cidr_endpoints_name_servers": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "The name servers AWS answers for `cidr_endpoints_custom_subdomain`: create NS records for the subdomain pointing at them. Empty without a subdomain; unknown in the plan while the subdomain changes.",
			},
			"id": schema.StringAttribute{
				Computed:      true,
				Description:   "The Verified Access instance id (vai-…); protect surfaces refer to the proxy by it.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"ownership_id": ownershipIDAttribute("Random id drawn when this resource created the Verified Access instance, written on it as the `" + awsapi.TagOwnership + "` tag. " +
				"An instance whose tag no longer matches is neither changed nor deleted. A create interrupted before Terraform recorded it " +
				"(a killed apply) leaves the instance marked `" + awsapi.TagCreatePending + "`; the next create of a proxy with the same name " +
				"adopts it once, with whatever trust providers it already had, instead of creating a second one."),
			"trust_provider_ids": schema.MapAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "Attached trust provider ids (vatp-…) by policy reference name. Unknown in the plan when a provider is added or re-created.",
			},
			"reference_names": schema.MapAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "Policy reference names by provider type (`iam-identity-center` or `oidc`, `jamf`, `crowdstrike`, `jumpcloud`): the keys of the Cedar context the surfaces' policies read. Known in the plan.",
			},
			"trust_context": schema.StringAttribute{
				Computed: true,
				Description: "What protect surfaces compile against, as canonical JSON: the identity provider (type, reference, groups claim, " +
					"MFA enforcement) and the device trust providers (type, reference). Known in the plan, even when the proxy is being " +
					"created: pass it to `zerotrust_protect_surface.proxy_trust_context` to see the compiled policies in the same plan.",
			},
			"unmanaged_trust_provider_ids": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				Description: "Trust providers attached to the instance that the configuration does not declare (attached out of band). The plan shows them and apply detaches them; providers the proxy did not create are never deleted.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(context.Background(), timeouts.Opts{
				Create: true, Update: true, Delete: true,
				CreateDescription: timeoutDescription(opCreate, "creating the instance and its trust providers and waiting for them to be readable and attached", proxyCreateTimeout),
				UpdateDescription: timeoutDescription(opUpdate, "creating, modifying or detaching trust providers and waiting for each change", proxyUpdateTimeout),
				DeleteDescription: timeoutDescription(opDelete, "detaching the trust providers and waiting for the instance and each provider to be deletable", proxyDeleteTimeout),
			}),
			"identity_provider": schema.SingleNestedBlock{
				Description: "The user trust provider: exactly one.",
				Validators:  []validator.Object{objectvalidator.IsRequired()},
				Attributes: map[string]schema.Attribute{
					"type": schema.StringAttribute{
						Required:      true,
						Description:   "`iam-identity-center` or `oidc`. Changing it replaces the proxy.",
						Validators:    []validator.String{stringvalidator.OneOf(model.IdentityIAMIdentityCenter, model.IdentityOIDC)},
						PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
					},
					"reference": schema.StringAttribute{
						Required:      true,
						Description:   "Policy reference name (a Cedar identifier, e.g. `idc`): access rules read `context.<reference>`. Changing it replaces the proxy.",
						PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
					},
					"groups_claim": schema.StringAttribute{
						Optional:    true,
						Description: "OIDC only: the claim carrying group membership (default `groups`). Recorded as a tag on the trust provider; updated in place.",
						Validators:  []validator.String{stringvalidator.RegexMatches(claimNameRe, "must be a claim name: 1–128 characters, no white space or control character")},
					},
					"mfa_enforced": schema.BoolAttribute{
						Optional: true,
						Computed: true,
						Default:  booldefault.StaticBool(false),
						Description: "The identity provider demands MFA at every sign-in, so access rules may `require_mfa` by the mere presence of its " +
							"trust data (required for IAM Identity Center, whose trust data carries no MFA claim). Recorded as a tag; updated in place.",
					},
				},
				Blocks: map[string]schema.Block{
					"oidc": schema.SingleNestedBlock{
						Description: "OIDC options (required when `type = \"oidc\"`, refused otherwise). Updated in place.",
						Attributes: map[string]schema.Attribute{
							"issuer":                 schema.StringAttribute{Optional: true, Description: "OIDC issuer URL (https).", Validators: requiredHTTPSURL},
							"authorization_endpoint": schema.StringAttribute{Optional: true, Description: "Authorization endpoint URL (https).", Validators: requiredHTTPSURL},
							"token_endpoint":         schema.StringAttribute{Optional: true, Description: "Token endpoint URL (https).", Validators: requiredHTTPSURL},
							"user_info_endpoint":     schema.StringAttribute{Optional: true, Description: "User-info endpoint URL (https).", Validators: requiredHTTPSURL},
							"client_id":              schema.StringAttribute{Optional: true, Description: "OAuth 2.0 client id.", Validators: []validator.String{requiredInBlock{}}},
							"client_secret": schema.StringAttribute{
								Optional:  true,
								Sensitive: true,
								WriteOnly: true,
								Description: "OAuth 2.0 client secret, which Verified Access needs to create the trust provider. Write-only: sent to AWS " +
									"on create and whenever `client_secret_version` changes, never stored in state or plan (Terraform ≥ 1.11 / OpenTofu ≥ 1.11).",
								Validators: []validator.String{requiredInBlock{}},
							},
							"client_secret_version": schema.StringAttribute{
								Optional: true,
								Description: "Any label of the current client secret (e.g. `1`, a rotation date). Change it to rotate: the plan shows the " +
									"change and apply writes the new `client_secret`. Recorded as a tag on the trust provider.",
								Validators: []validator.String{stringvalidator.LengthBetween(1, 128)},
							},
							"scope": schema.StringAttribute{Optional: true, Description: "Space-separated OAuth 2.0 scopes, e.g. `openid email groups`."},
						},
					},
					"native_application_oidc": schema.SingleNestedBlock{
						Description: "OIDC options for native applications (`NativeApplicationOidcOptions`): the OAuth 2.0 client with which the AWS " +
							"Verified Access connectivity client signs users in to reach TCP (CIDR, network-interface, load-balancer TCP) and database " +
							"applications. Only for `type = \"oidc\"`. Updated in place.",
						Attributes: map[string]schema.Attribute{
							"public_signing_key_endpoint": schema.StringAttribute{Optional: true, Description: "The IdP's public signing key (JWKS) endpoint (https). Required in the block.", Validators: httpsURL},
							"issuer":                      schema.StringAttribute{Optional: true, Description: "OIDC issuer URL (https). Required in the block.", Validators: httpsURL},
							"authorization_endpoint":      schema.StringAttribute{Optional: true, Description: "Authorization endpoint URL (https). Required in the block.", Validators: httpsURL},
							"token_endpoint":              schema.StringAttribute{Optional: true, Description: "Token endpoint URL (https). Required in the block.", Validators: httpsURL},
							"user_info_endpoint":          schema.StringAttribute{Optional: true, Description: "User-info endpoint URL (https). Required in the block.", Validators: httpsURL},
							"client_id":                   schema.StringAttribute{Optional: true, Description: "OAuth 2.0 client id of the native application. Required in the block."},
							"client_secret": schema.StringAttribute{
								Optional:  true,
								Sensitive: true,
								WriteOnly: true,
								Description: "OAuth 2.0 client secret of the native application. Write-only: sent to AWS when the options are first set and " +
									"whenever `client_secret_version` changes, never stored in state or plan (Terraform ≥ 1.11 / OpenTofu ≥ 1.11). Required in the block.",
							},
							"client_secret_version": schema.StringAttribute{
								Optional: true,
								Description: "Any label of the current native client secret. Change it to rotate: the plan shows the change and apply " +
									"writes the new `client_secret`. Recorded as a tag on the trust provider.",
								Validators: []validator.String{stringvalidator.LengthBetween(1, 128)},
							},
							"scope": schema.StringAttribute{Optional: true, Description: "Space-separated OAuth 2.0 scopes, e.g. `openid email groups`."},
						},
					},
				},
			},
			"device_trust_provider": schema.ListNestedBlock{
				Description: "A device trust provider; at most one per type. Adding or removing one is done in place; changing the " +
					"reference or tenant of a type already attached replaces the proxy.",
				Validators: []validator.List{listvalidator.SizeAtMost(3)},
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"type": schema.StringAttribute{
							Required:    true,
							Description: "`jamf`, `crowdstrike` or `jumpcloud`.",
							Validators:  []validator.String{stringvalidator.OneOf(model.DeviceJamf, model.DeviceCrowdStrike, model.DeviceJumpCloud)},
						},
						"reference": schema.StringAttribute{
							Required:    true,
							Description: "Policy reference name (a Cedar identifier, e.g. `jamf`): device requirements read `context.<reference>`.",
						},
						"tenant_id": schema.StringAttribute{
							Required:    true,
							Description: "The device-management tenant id Verified Access trusts.",
							Validators:  []validator.String{stringvalidator.LengthBetween(1, 255)},
						},
					},
				},
			},
			"logging": schema.SingleNestedBlock{
				Description: "Access logging of the instance (ModifyVerifiedAccessInstanceLoggingConfiguration); a destination left out is " +
					"disabled, and removing the block disables logging. Updated in place.",
				Attributes: map[string]schema.Attribute{
					"cloudwatch_log_group":     schema.StringAttribute{Optional: true, Description: "CloudWatch Logs log group to deliver to."},
					"firehose_delivery_stream": schema.StringAttribute{Optional: true, Description: "Kinesis Data Firehose delivery stream to deliver to."},
					"include_trust_context": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(false),
						Description: "Include the trust data sent by the trust providers in the logs.",
					},
					"log_version": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(awsapi.DefaultLogVersion),
						Description: "OCSF log version: `ocsf-0.1` or `ocsf-1.0.0-rc.2`.",
						Validators:  []validator.String{stringvalidator.OneOf("ocsf-0.1", "ocsf-1.0.0-rc.2")},
					},
				},
				Blocks: map[string]schema.Block{
					"s3": schema.SingleNestedBlock{
						Description: "S3 destination.",
						Attributes: map[string]schema.Attribute{
							"bucket":       schema.StringAttribute{Optional: true, Description: "Bucket name.", Validators: []validator.String{requiredInBlock{}}},
							"prefix":       schema.StringAttribute{Optional: true, Description: "Key prefix of the log objects."},
							"bucket_owner": schema.StringAttribute{Optional: true, Description: "Account id owning the bucket, when another account's.", Validators: []validator.String{stringvalidator.RegexMatches(accountIDRe, "must be a 12-digit AWS account id")}},
						},
					},
				},
			},
		},
	}
}
