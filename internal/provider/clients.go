package provider

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/kube"
)

// clientFactory holds the provider configuration and builds API clients on
// first use, so a configuration that only uses AWS resources never needs a
// cluster (and the reverse).
type clientFactory struct {
	awsConfig  awsapi.Config
	kubeConfig kube.Config
	idcConfig  awsapi.IdentityCenterInstance
	// requireCustomerManagedKeys enforces the customer-managed-key floor
	// (sensitivity_floors.require_customer_managed_keys).
	requireCustomerManagedKeys bool

	awsOnce    sync.Once
	awsClients *awsapi.Clients
	awsErr     error

	kubeOnce   sync.Once
	kubeClient *kube.Client
	kubeErr    error

	idcOnce sync.Once
	idc     awsapi.IdentityCenterInstance
	idcErr  error

	envOnce sync.Once
	env     awsapi.AccountEnv
	envErr  error
}

func newClientFactory(ctx context.Context, cfg providerModel) (*clientFactory, diag.Diagnostics) {
	var diags diag.Diagnostics
	f := &clientFactory{}
	if fl := cfg.Floors; fl != nil {
		f.requireCustomerManagedKeys = fl.RequireCustomerManagedKeys.ValueBool()
	}
	if a := cfg.AWS; a != nil {
		f.awsConfig.Region = a.Region.ValueString()
		f.awsConfig.Profile = a.Profile.ValueString()
		diags.Append(a.SharedConfigFiles.ElementsAs(ctx, &f.awsConfig.SharedConfigFiles, false)...)
		diags.Append(a.SharedCredentialsFiles.ElementsAs(ctx, &f.awsConfig.SharedCredentialsFiles, false)...)
		// The schema's validator refuses a fraction or a value out of range;
		// this guards a value that was unknown when it ran.
		if !a.MaxRetries.IsNull() && !a.MaxRetries.IsUnknown() {
			n, ok := wholeValue(a.MaxRetries)
			if !ok || n < 1 || n > 100 {
				diags.AddAttributeError(path.Root("aws").AtName("max_retries"), "Invalid max_retries",
					fmt.Sprintf("max_retries must be a whole number from 1 to 100, got %s.", a.MaxRetries.ValueBigFloat().Text('g', -1)))
			}
			f.awsConfig.MaxRetries = int(n)
		}
		if r := a.AssumeRole; r != nil && r.RoleARN.ValueString() != "" {
			f.awsConfig.AssumeRole = &awsapi.AssumeRole{
				RoleARN:     r.RoleARN.ValueString(),
				SessionName: r.SessionName.ValueString(),
				ExternalID:  r.ExternalID.ValueString(),
			}
		}
		if e := a.Endpoints; e != nil {
			f.awsConfig.Endpoints = awsapi.Endpoints{
				EC2:           e.EC2.ValueString(),
				SSOAdmin:      e.SSOAdmin.ValueString(),
				IdentityStore: e.IdentityStore.ValueString(),
				STS:           e.STS.ValueString(),
				IAM:           e.IAM.ValueString(),
				Scheduler:     e.Scheduler.ValueString(),
			}
			for name, v := range map[string]types.String{"ec2": e.EC2, "ssoadmin": e.SSOAdmin, "identitystore": e.IdentityStore, "sts": e.STS, "iam": e.IAM, "scheduler": e.Scheduler} {
				if msg := checkEndpointURL(v.ValueString()); msg != "" {
					diags.AddAttributeError(path.Root("aws").AtName("endpoints").AtName(name), "Invalid endpoint URL", msg)
				}
			}
		}
	}
	if k := cfg.Kubernetes; k != nil {
		f.kubeConfig = kube.Config{
			ConfigPath:           k.ConfigPath.ValueString(),
			ConfigContext:        k.ConfigContext.ValueString(),
			Host:                 k.Host.ValueString(),
			Token:                k.Token.ValueString(),
			ClusterCACertificate: k.ClusterCACertificate.ValueString(),
			Insecure:             k.Insecure.ValueBool(),
		}
		if msg := checkEndpointURL(f.kubeConfig.Host); msg != "" {
			diags.AddAttributeError(path.Root("kubernetes").AtName("host"), "Invalid Kubernetes host", msg)
		}
		if f.kubeConfig.Token != "" && f.kubeConfig.Host == "" {
			diags.AddAttributeError(path.Root("kubernetes").AtName("token"), "Token without host",
				"kubernetes.token is only used together with kubernetes.host; set host, or use a kubeconfig context instead.")
		}
	}
	if c := cfg.IdentityCenter; c != nil {
		f.idcConfig = awsapi.IdentityCenterInstance{InstanceARN: c.InstanceARN.ValueString(), IdentityStoreID: c.IdentityStoreID.ValueString()}
	}
	return f, diags
}

// AWS returns the AWS clients, building them on first use.
func (f *clientFactory) AWS(ctx context.Context) (*awsapi.Clients, error) {
	f.awsOnce.Do(func() { f.awsClients, f.awsErr = awsapi.NewClients(ctx, f.awsConfig) })
	return f.awsClients, f.awsErr
}

// awsOrDiag returns the AWS clients, or nil after recording why they cannot
// be built, for resource methods that cannot go on without them.
func (f *clientFactory) awsOrDiag(ctx context.Context, diags *diag.Diagnostics) *awsapi.Clients {
	c, err := f.AWS(ctx)
	if err != nil {
		diags.AddError("AWS is not configured", err.Error())
		return nil
	}
	return c
}

// ownedRules reads the security-group rules that owner id (a segment
// policy or a set) holds, wherever they are; false after recording an
// error under summary.
func (f *clientFactory) ownedRules(ctx context.Context, id, summary string, diags *diag.Diagnostics) ([]securitygroup.Rule, bool) {
	c := f.awsOrDiag(ctx, diags)
	if c == nil {
		return nil, false
	}
	live, err := awsapi.ReadPolicyRules(ctx, c.EC2, id)
	if err != nil {
		diags.AddError(summary, err.Error())
		return nil, false
	}
	return awsapi.RulesOf(live), true
}

// importedOwnership finds the ownership id of the policy or set id being
// imported, from the rules it owns (see awsapi.RuleOwner): "" when they
// carry its id alone (created before ownership ids) or there are none. Rules
// of two resources of that id (two states) make the import ambiguous.
func (f *clientFactory) importedOwnership(ctx context.Context, id, summary string, diags *diag.Diagnostics) (string, bool) {
	c := f.awsOrDiag(ctx, diags)
	if c == nil {
		return "", false
	}
	owners, err := awsapi.RuleOwnersOf(ctx, c.EC2, id)
	switch {
	case err != nil:
		diags.AddError(summary, err.Error())
		return "", false
	case len(owners) > 1:
		diags.AddError(summary, fmt.Sprintf("rules of %d resources named %s exist (owners %s): each state owns its own; the import cannot choose.", len(owners), id, strings.Join(owners, ", ")))
		return "", false
	case len(owners) == 0:
		return "", true
	}
	_, ownership := awsapi.ParseRuleOwner(owners[0])
	return ownership, true
}

// Kube returns the Kubernetes client, building it on first use: one client
// per provider instance, shared by every resource.
func (f *clientFactory) Kube() (*kube.Client, error) {
	f.kubeOnce.Do(func() {
		cfg, err := kube.RESTConfig(f.kubeConfig)
		if err != nil {
			f.kubeErr = err
			return
		}
		f.kubeClient, f.kubeErr = kube.New(cfg)
		if f.kubeErr == nil {
			// One client per provider instance (one plan or apply), and
			// every write goes through it.
			f.kubeClient.CacheReads()
		}
	})
	return f.kubeClient, f.kubeErr
}

// IdentityCenter returns the configured instance, or discovers the account's
// only instance with ListInstances.
func (f *clientFactory) IdentityCenter(ctx context.Context) (awsapi.IdentityCenterInstance, error) {
	f.idcOnce.Do(func() {
		if f.idcConfig.InstanceARN != "" && f.idcConfig.IdentityStoreID != "" {
			f.idc = f.idcConfig
			return
		}
		c, err := f.AWS(ctx)
		if err != nil {
			f.idcErr = err
			return
		}
		f.idc, f.idcErr = awsapi.DiscoverIdentityCenter(ctx, c.SSOAdmin, f.idcConfig.InstanceARN)
	})
	return f.idc, f.idcErr
}

// readSegments reads segments by id, keyed by the ids given: security-group
// ids with one DescribeSecurityGroups, created segments' ids
// (sg/<vpc>/<name>) with one more filtered by VPC and name, Kubernetes-only
// segments from their registry records. A client is built only for the
// kinds of ids given, so policies between Kubernetes-only segments need no
// AWS configuration. Segments that do not exist are absent from the result.
func (f *clientFactory) readSegments(ctx context.Context, ids []string) (map[string]model.Segment, error) {
	var groups, created, k8s []string
	for _, id := range ids {
		switch {
		case model.KubernetesSegmentIDPattern.MatchString(id):
			k8s = append(k8s, id)
		case model.AWSSegmentIDPattern.MatchString(id):
			created = append(created, id)
		default:
			groups = append(groups, id)
		}
	}
	out := map[string]model.Segment{}
	if len(groups) > 0 || len(created) > 0 {
		c, err := f.AWS(ctx)
		if err != nil {
			return nil, err
		}
		if len(groups) > 0 {
			found, err := awsapi.ReadSegments(ctx, c.EC2, groups)
			if err != nil {
				return nil, err
			}
			maps.Copy(out, found)
		}
		if len(created) > 0 {
			found, err := awsapi.ReadCreatedSegments(ctx, c.EC2, created)
			if err != nil {
				return nil, err
			}
			maps.Copy(out, found)
		}
	}
	if len(k8s) > 0 {
		c, err := f.Kube()
		if err != nil {
			return nil, fmt.Errorf("segments placed only in Kubernetes are read from the cluster: %w", err)
		}
		found, err := c.ReadSegments(ctx, k8s)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, found)
	}
	return out, nil
}

// activePeerings lists the VPC pairs an active peering joins (see
// awsapi.ActivePeerings).
func (f *clientFactory) activePeerings(ctx context.Context) (map[[2]string]bool, error) {
	c, err := f.AWS(ctx)
	if err != nil {
		return nil, err
	}
	return awsapi.ActivePeerings(ctx, c.EC2)
}

// segmentIDsOfGroups maps security group ids to the segment ids the
// configuration writes for them (see awsapi.SegmentIDsOfGroups); no call
// when there is none.
func (f *clientFactory) segmentIDsOfGroups(ctx context.Context, groupIDs []string) (map[string]string, error) {
	if len(groupIDs) == 0 {
		return map[string]string{}, nil
	}
	c, err := f.AWS(ctx)
	if err != nil {
		return nil, err
	}
	return awsapi.SegmentIDsOfGroups(ctx, c.EC2, groupIDs)
}

// AccountEnv returns the account, partition and region the credentials act
// in (one STS GetCallerIdentity per provider instance).
func (f *clientFactory) AccountEnv(ctx context.Context) (awsapi.AccountEnv, error) {
	f.envOnce.Do(func() {
		c, err := f.AWS(ctx)
		if err != nil {
			f.envErr = err
			return
		}
		f.env, f.envErr = awsapi.CallerAccount(ctx, c)
	})
	return f.env, f.envErr
}
