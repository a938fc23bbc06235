package awsapi

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/uuid"
)

// Verified Access: the access proxy (an instance, its trust providers and
// their attachments, access logging). Every object the provider creates is
// tagged managed-by plus the id of the object that owns it, so a re-run after
// a partial failure finds what it already made instead of making it twice.

// Tag keys on Verified Access objects.
const (
	// TagProxy carries the access proxy's name on its instance.
	TagProxy = "zerotrust:proxy"
	// TagProxyID carries the owning instance id on a trust provider.
	TagProxyID = "zerotrust:proxy-id"
	// TagGroupsClaim and TagMFAEnforced record, on the user trust provider,
	// the two facts about the identity provider that compilation needs and
	// the Verified Access API does not hold.
	TagGroupsClaim = "zerotrust:groups-claim"
	TagMFAEnforced = "zerotrust:mfa-enforced"
	// TagClientSecretVersion records which client secret version was last
	// written to an OIDC trust provider (the secret itself is write-only).
	TagClientSecretVersion = "zerotrust:client-secret-version"
	// TagSurface carries a protect surface's name on its group.
	TagSurface = "zerotrust:surface"
	// TagSurfaceID carries the owning group id on an endpoint.
	TagSurfaceID = "zerotrust:surface-id"
	// TagApplication carries the application name on an endpoint.
	TagApplication = "zerotrust:application"
)

// Error codes of the Verified Access actions.
const (
	errVAInstanceNotFound      = "InvalidVerifiedAccessInstanceId.NotFound"
	errVATrustProviderNotFound = "InvalidVerifiedAccessTrustProviderId.NotFound"
	errVAGroupNotFound         = "InvalidVerifiedAccessGroupId.NotFound"
	errVAEndpointNotFound      = "InvalidVerifiedAccessEndpointId.NotFound"
	errIncorrectState          = "IncorrectState"
	errInvalidParameterValue   = "InvalidParameterValue"

	vaInstanceKind      = "Verified Access instance"
	vaTrustProviderKind = "Verified Access trust provider"
	vaGroupKind         = "Verified Access group"
	vaEndpointKind      = "Verified Access endpoint"
)

// Trust-provider kinds as the API spells them.
const (
	TrustProviderUser   = "user"
	TrustProviderDevice = "device"
)

// NotFoundAfterCreate bounds how long a mutating call on an object created
// moments ago may answer NotFound (eventual consistency) before the answer is
// believed.
var NotFoundAfterCreate = WaitOptions{Timeout: time.Minute, MinDelay: 100 * time.Millisecond, MaxDelay: 3 * time.Second}

// clientToken makes the idempotency token of one create. The same token is
// sent on every attempt the SDK retryer makes, so a create whose response
// was lost is answered with the object it already made, never a second one.
func clientToken() *string { return aws.String(uuid.NewString()) }

// retryNotFound runs call until it stops answering one of the NotFound codes
// (an object created moments ago not yet visible to this call) or the
// NotFoundAfterCreate window passes.
func retryNotFound(ctx context.Context, what string, call func(context.Context) error, codes ...string) error {
	var last error
	err := waitUntil(ctx, what, NotFoundAfterCreate, func(ctx context.Context) (bool, error) {
		last = call(ctx)
		if last != nil && hasCode(last, codes...) {
			return false, nil
		}
		return true, last
	})
	if err != nil && last != nil && hasCode(last, codes...) {
		return fmt.Errorf("%w (last answer: %v)", err, last)
	}
	return err
}

// VerifiedAccessInstance is the live state of an access proxy's instance.
type VerifiedAccessInstance struct {
	ID, Description string
	FIPSEnabled     bool
	// TrustProviderIDs are the attached trust providers, in the API's order.
	TrustProviderIDs []string
	Tags             map[string]string
	// CidrSubDomain is the custom subdomain of its CIDR endpoints, and
	// NameServers the name servers AWS answers for it (to delegate it to).
	CidrSubDomain string
	NameServers   []string
}

func fromSDKInstance(in types.VerifiedAccessInstance) *VerifiedAccessInstance {
	out := &VerifiedAccessInstance{
		ID:          aws.ToString(in.VerifiedAccessInstanceId),
		Description: aws.ToString(in.Description),
		FIPSEnabled: aws.ToBool(in.FipsEnabled),
		Tags:        tagMap(in.Tags),
	}
	if sd := in.CidrEndpointsCustomSubDomain; sd != nil {
		out.CidrSubDomain, out.NameServers = aws.ToString(sd.SubDomain), sd.Nameservers
	}
	for _, tp := range in.VerifiedAccessTrustProviders {
		out.TrustProviderIDs = append(out.TrustProviderIDs, aws.ToString(tp.VerifiedAccessTrustProviderId))
	}
	return out
}

// FindVerifiedAccessInstance reads one instance; a missing one is a *NotFoundError.
func FindVerifiedAccessInstance(ctx context.Context, c *ec2.Client, id string) (*VerifiedAccessInstance, error) {
	out, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{id}})
	if hasCode(err, errVAInstanceNotFound) {
		return nil, &NotFoundError{Kind: vaInstanceKind, ID: id, Cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("describing %s %s: %w", vaInstanceKind, id, err)
	}
	in, err := singleResult(vaInstanceKind, id, out.VerifiedAccessInstances, func(in types.VerifiedAccessInstance) string { return aws.ToString(in.VerifiedAccessInstanceId) })
	if err != nil {
		return nil, err
	}
	return fromSDKInstance(in), nil
}

// CreateVerifiedAccessInstanceInput describes an instance to create.
type CreateVerifiedAccessInstanceInput struct {
	Description string
	FIPSEnabled bool
	Tags        map[string]string
	// CidrSubDomain: the custom subdomain of CIDR endpoints; "" for none.
	CidrSubDomain string
}

// CreateVerifiedAccessInstance creates an instance (idempotently, with a
// client token) and waits until it can be read back.
func CreateVerifiedAccessInstance(ctx context.Context, c *ec2.Client, in CreateVerifiedAccessInstanceInput) (*VerifiedAccessInstance, error) {
	out, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{
		ClientToken:                  clientToken(),
		Description:                  aws.String(in.Description),
		FIPSEnabled:                  aws.Bool(in.FIPSEnabled),
		CidrEndpointsCustomSubDomain: optString(in.CidrSubDomain),
		TagSpecifications:            []types.TagSpecification{{ResourceType: types.ResourceTypeVerifiedAccessInstance, Tags: sdkTags(in.Tags)}},
	})
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", vaInstanceKind, err)
	}
	id := aws.ToString(out.VerifiedAccessInstance.VerifiedAccessInstanceId)
	var live *VerifiedAccessInstance
	err = waitUntil(ctx, vaInstanceKind+" "+id+" to be readable", DefaultWait, func(ctx context.Context) (bool, error) {
		got, err := FindVerifiedAccessInstance(ctx, c, id)
		if IsNotFound(err) {
			return false, nil
		}
		live = got
		return err == nil, err
	})
	if err != nil {
		return &VerifiedAccessInstance{ID: id}, err
	}
	return live, nil
}

// SetVerifiedAccessInstanceDescription changes an instance's description in place.
func SetVerifiedAccessInstanceDescription(ctx context.Context, c *ec2.Client, id, description string) error {
	_, err := c.ModifyVerifiedAccessInstance(ctx, &ec2.ModifyVerifiedAccessInstanceInput{
		VerifiedAccessInstanceId: aws.String(id), Description: aws.String(description), ClientToken: clientToken(),
	})
	if err != nil {
		return fmt.Errorf("modifying %s %s: %w", vaInstanceKind, id, err)
	}
	return nil
}

// DeleteVerifiedAccessInstance deletes an instance, waiting out
// DependencyViolation while the groups of its protect surfaces are being
// deleted; a missing instance is success.
func DeleteVerifiedAccessInstance(ctx context.Context, c *ec2.Client, id string) error {
	return waitUntil(ctx, vaInstanceKind+" "+id+" to be deletable", WaitOptions{Timeout: 5 * time.Minute, MinDelay: 500 * time.Millisecond, MaxDelay: 15 * time.Second}, func(ctx context.Context) (bool, error) {
		_, err := c.DeleteVerifiedAccessInstance(ctx, &ec2.DeleteVerifiedAccessInstanceInput{VerifiedAccessInstanceId: aws.String(id), ClientToken: clientToken()})
		switch {
		case err == nil, hasCode(err, errVAInstanceNotFound):
			return true, nil
		case hasCode(err, errDependency):
			return false, nil
		default:
			return false, fmt.Errorf("deleting %s %s: %w", vaInstanceKind, id, err)
		}
	})
}

// OIDCOptions are an OIDC user trust provider's options. ClientSecret is
// only ever sent, never read back (the API does not return it).
type OIDCOptions struct {
	Issuer, AuthorizationEndpoint, TokenEndpoint, UserInfoEndpoint, ClientID, ClientSecret, Scope string
}

// VerifiedAccessTrustProvider is the live state of a trust provider.
type VerifiedAccessTrustProvider struct {
	ID          string
	Kind        string // user | device
	Type        string // iam-identity-center | oidc | jamf | crowdstrike | jumpcloud
	Reference   string // policy reference name
	Description string
	TenantID    string
	OIDC        *OIDCOptions
	NativeOIDC  *NativeOIDCOptions
	KMSKeyARN   string // customer-managed key; "" for the AWS-owned one
	Tags        map[string]string
}

func fromSDKTrustProvider(tp types.VerifiedAccessTrustProvider) *VerifiedAccessTrustProvider {
	out := &VerifiedAccessTrustProvider{
		ID:          aws.ToString(tp.VerifiedAccessTrustProviderId),
		Kind:        string(tp.TrustProviderType),
		Reference:   aws.ToString(tp.PolicyReferenceName),
		Description: aws.ToString(tp.Description),
		Tags:        tagMap(tp.Tags),
		NativeOIDC:  fromSDKNativeOIDC(tp.NativeApplicationOidcOptions),
		KMSKeyARN:   keyOf(tp.SseSpecification),
	}
	if out.Kind == TrustProviderUser {
		out.Type = string(tp.UserTrustProviderType)
	} else {
		out.Type = string(tp.DeviceTrustProviderType)
	}
	if d := tp.DeviceOptions; d != nil {
		out.TenantID = aws.ToString(d.TenantId)
	}
	if o := tp.OidcOptions; o != nil {
		out.OIDC = &OIDCOptions{
			Issuer: aws.ToString(o.Issuer), AuthorizationEndpoint: aws.ToString(o.AuthorizationEndpoint),
			TokenEndpoint: aws.ToString(o.TokenEndpoint), UserInfoEndpoint: aws.ToString(o.UserInfoEndpoint),
			ClientID: aws.ToString(o.ClientId), Scope: aws.ToString(o.Scope),
		}
	}
	return out
}

// FindVerifiedAccessTrustProviders reads the given trust providers with one
// filtered, paginated call; ids that do not exist are simply absent.
func FindVerifiedAccessTrustProviders(ctx context.Context, c *ec2.Client, ids []string) (map[string]*VerifiedAccessTrustProvider, error) {
	out := map[string]*VerifiedAccessTrustProvider{}
	if len(ids) == 0 {
		return out, nil
	}
	return out, describeTrustProviders(ctx, c, []types.Filter{{Name: aws.String("verified-access-trust-provider-id"), Values: ids}}, out)
}

// FindOwnedVerifiedAccessTrustProviders reads the trust providers tagged as
// owned by an instance (attached or not: an interrupted apply may have made
// one it never attached), with one filtered, paginated call.
func FindOwnedVerifiedAccessTrustProviders(ctx context.Context, c *ec2.Client, instanceID string) (map[string]*VerifiedAccessTrustProvider, error) {
	out := map[string]*VerifiedAccessTrustProvider{}
	return out, describeTrustProviders(ctx, c, []types.Filter{{Name: aws.String("tag:" + TagProxyID), Values: []string{instanceID}}}, out)
}

// FindProxyTrustProviders reads the trust providers owned by instanceID
// plus the attached ones: one tag-filtered call, and a second one only when
// something not owned is attached.
func FindProxyTrustProviders(ctx context.Context, c *ec2.Client, instanceID string, attached []string) (map[string]*VerifiedAccessTrustProvider, error) {
	out, err := FindOwnedVerifiedAccessTrustProviders(ctx, c, instanceID)
	if err != nil {
		return nil, err
	}
	var foreign []string
	for _, id := range attached {
		if out[id] == nil {
			foreign = append(foreign, id)
		}
	}
	if len(foreign) > 0 {
		more, err := FindVerifiedAccessTrustProviders(ctx, c, foreign)
		if err != nil {
			return nil, err
		}
		for id, tp := range more {
			out[id] = tp
		}
	}
	return out, nil
}

func describeTrustProviders(ctx context.Context, c *ec2.Client, filters []types.Filter, out map[string]*VerifiedAccessTrustProvider) error {
	p := ec2.NewDescribeVerifiedAccessTrustProvidersPaginator(c, &ec2.DescribeVerifiedAccessTrustProvidersInput{Filters: filters})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describing Verified Access trust providers: %w", err)
		}
		for _, tp := range page.VerifiedAccessTrustProviders {
			v := fromSDKTrustProvider(tp)
			out[v.ID] = v
		}
	}
	return nil
}

// TrustProviderSpec is a trust provider to create.
type TrustProviderSpec struct {
	Kind, Type, Reference, Description string
	TenantID                           string             // device providers
	OIDC                               *OIDCOptions       // oidc user providers
	NativeOIDC                         *NativeOIDCOptions // oidc user providers, for the connectivity client
	KMSKeyARN                          string             // customer-managed key; "" for the AWS-owned one
	Tags                               map[string]string
}

// Matches reports whether a live trust provider already is this spec in
// everything the API cannot change in place (kind, type, reference, tenant).
func (s TrustProviderSpec) Matches(tp *VerifiedAccessTrustProvider) bool {
	return tp.Kind == s.Kind && tp.Type == s.Type && tp.Reference == s.Reference && tp.TenantID == s.TenantID
}

// CreateVerifiedAccessTrustProvider creates a trust provider idempotently.
// The caller waits for visibility (WaitVerifiedAccessTrustProviders), so
// several creations share one wait.
func CreateVerifiedAccessTrustProvider(ctx context.Context, c *ec2.Client, s TrustProviderSpec) (*VerifiedAccessTrustProvider, error) {
	in := &ec2.CreateVerifiedAccessTrustProviderInput{
		ClientToken:         clientToken(),
		TrustProviderType:   types.TrustProviderType(s.Kind),
		PolicyReferenceName: aws.String(s.Reference),
		Description:         aws.String(s.Description),
		TagSpecifications:   []types.TagSpecification{{ResourceType: types.ResourceTypeVerifiedAccessTrustProvider, Tags: sdkTags(s.Tags)}},
		SseSpecification:    createSse(s.KMSKeyARN),
	}
	if s.Kind == TrustProviderUser {
		in.UserTrustProviderType = types.UserTrustProviderType(s.Type)
		if o := s.OIDC; o != nil {
			in.OidcOptions = &types.CreateVerifiedAccessTrustProviderOidcOptions{
				Issuer: aws.String(o.Issuer), AuthorizationEndpoint: aws.String(o.AuthorizationEndpoint),
				TokenEndpoint: aws.String(o.TokenEndpoint), UserInfoEndpoint: aws.String(o.UserInfoEndpoint),
				ClientId: aws.String(o.ClientID), ClientSecret: aws.String(o.ClientSecret), Scope: optString(o.Scope),
			}
			in.NativeApplicationOidcOptions = createNativeOIDC(s.NativeOIDC)
		}
	} else {
		in.DeviceTrustProviderType = types.DeviceTrustProviderType(s.Type)
		in.DeviceOptions = &types.CreateVerifiedAccessTrustProviderDeviceOptions{TenantId: aws.String(s.TenantID)}
	}
	out, err := c.CreateVerifiedAccessTrustProvider(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("creating the %s trust provider %q: %w", s.Type, s.Reference, err)
	}
	return fromSDKTrustProvider(*out.VerifiedAccessTrustProvider), nil
}

// WaitVerifiedAccessTrustProviders waits until every id can be read back
// (one filtered describe per poll for all of them).
func WaitVerifiedAccessTrustProviders(ctx context.Context, c *ec2.Client, ids []string) (map[string]*VerifiedAccessTrustProvider, error) {
	var live map[string]*VerifiedAccessTrustProvider
	err := waitUntil(ctx, fmt.Sprintf("trust providers %v to be readable", ids), DefaultWait, func(ctx context.Context) (bool, error) {
		got, err := FindVerifiedAccessTrustProviders(ctx, c, ids)
		if err != nil {
			return false, err
		}
		live = got
		for _, id := range ids {
			if got[id] == nil {
				return false, nil
			}
		}
		return true, nil
	})
	return live, err
}

// ModifyVerifiedAccessTrustProviderOIDC rewrites an OIDC provider's options
// in place. An empty ClientSecret leaves the stored secret unchanged.
func ModifyVerifiedAccessTrustProviderOIDC(ctx context.Context, c *ec2.Client, id string, o OIDCOptions) error {
	opts := &types.ModifyVerifiedAccessTrustProviderOidcOptions{
		Issuer: aws.String(o.Issuer), AuthorizationEndpoint: aws.String(o.AuthorizationEndpoint),
		TokenEndpoint: aws.String(o.TokenEndpoint), UserInfoEndpoint: aws.String(o.UserInfoEndpoint),
		ClientId: aws.String(o.ClientID), ClientSecret: optString(o.ClientSecret), Scope: aws.String(o.Scope),
	}
	_, err := c.ModifyVerifiedAccessTrustProvider(ctx, &ec2.ModifyVerifiedAccessTrustProviderInput{
		VerifiedAccessTrustProviderId: aws.String(id), OidcOptions: opts, ClientToken: clientToken(),
	})
	if err != nil {
		return fmt.Errorf("modifying the OIDC options of trust provider %s: %w", id, err)
	}
	return nil
}

// AttachVerifiedAccessTrustProvider attaches a trust provider to an instance.
// Either created moments ago may not be visible yet (retried); a provider
// found attached already (a lost response) is success.
func AttachVerifiedAccessTrustProvider(ctx context.Context, c *ec2.Client, instanceID, tpID string) error {
	err := retryNotFound(ctx, "attaching "+tpID+" to "+instanceID, func(ctx context.Context) error {
		_, err := c.AttachVerifiedAccessTrustProvider(ctx, &ec2.AttachVerifiedAccessTrustProviderInput{
			VerifiedAccessInstanceId: aws.String(instanceID), VerifiedAccessTrustProviderId: aws.String(tpID), ClientToken: clientToken(),
		})
		return err
	}, errVAInstanceNotFound, errVATrustProviderNotFound)
	if err != nil && hasCode(err, errInvalidParameterValue) {
		if in, ferr := FindVerifiedAccessInstance(ctx, c, instanceID); ferr == nil && slices.Contains(in.TrustProviderIDs, tpID) {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("attaching trust provider %s to %s: %w", tpID, instanceID, err)
	}
	return nil
}

// DetachVerifiedAccessTrustProvider detaches a trust provider; one already
// detached (or gone) is success.
func DetachVerifiedAccessTrustProvider(ctx context.Context, c *ec2.Client, instanceID, tpID string) error {
	_, err := c.DetachVerifiedAccessTrustProvider(ctx, &ec2.DetachVerifiedAccessTrustProviderInput{
		VerifiedAccessInstanceId: aws.String(instanceID), VerifiedAccessTrustProviderId: aws.String(tpID), ClientToken: clientToken(),
	})
	switch {
	case err == nil, hasCode(err, errVATrustProviderNotFound, errVAInstanceNotFound):
		return nil
	case hasCode(err, errInvalidParameterValue):
		if in, ferr := FindVerifiedAccessInstance(ctx, c, instanceID); ferr == nil && !slices.Contains(in.TrustProviderIDs, tpID) {
			return nil
		}
	}
	return fmt.Errorf("detaching trust provider %s from %s: %w", tpID, instanceID, err)
}

// DeleteVerifiedAccessTrustProvider deletes a trust provider, waiting out
// IncorrectState while a detach settles; a missing one is success.
func DeleteVerifiedAccessTrustProvider(ctx context.Context, c *ec2.Client, id string) error {
	return waitUntil(ctx, "trust provider "+id+" to be deletable", WaitOptions{Timeout: 2 * time.Minute, MinDelay: 250 * time.Millisecond, MaxDelay: 5 * time.Second}, func(ctx context.Context) (bool, error) {
		_, err := c.DeleteVerifiedAccessTrustProvider(ctx, &ec2.DeleteVerifiedAccessTrustProviderInput{VerifiedAccessTrustProviderId: aws.String(id), ClientToken: clientToken()})
		switch {
		case err == nil, hasCode(err, errVATrustProviderNotFound):
			return true, nil
		case hasCode(err, errIncorrectState):
			return false, nil
		default:
			return false, fmt.Errorf("deleting trust provider %s: %w", id, err)
		}
	})
}

// DefaultLogVersion is the access-log version of a new instance.
const DefaultLogVersion = "ocsf-0.1"

// AccessLogging is an instance's access-logging configuration; an empty
// destination is disabled.
type AccessLogging struct {
	CloudWatchLogGroup  string
	S3Bucket, S3Prefix  string
	S3BucketOwner       string
	FirehoseStream      string
	IncludeTrustContext bool
	LogVersion          string
}

// IsDefault reports whether the configuration is a new instance's: nothing
// delivered anywhere.
func (l AccessLogging) IsDefault() bool {
	return l.CloudWatchLogGroup == "" && l.S3Bucket == "" && l.FirehoseStream == "" && !l.IncludeTrustContext &&
		(l.LogVersion == "" || l.LogVersion == DefaultLogVersion)
}

// FindVerifiedAccessLogging reads an instance's access-logging configuration.
func FindVerifiedAccessLogging(ctx context.Context, c *ec2.Client, instanceID string) (AccessLogging, error) {
	out, err := c.DescribeVerifiedAccessInstanceLoggingConfigurations(ctx, &ec2.DescribeVerifiedAccessInstanceLoggingConfigurationsInput{VerifiedAccessInstanceIds: []string{instanceID}})
	if hasCode(err, errVAInstanceNotFound) {
		return AccessLogging{}, &NotFoundError{Kind: vaInstanceKind, ID: instanceID, Cause: err}
	}
	if err != nil {
		return AccessLogging{}, fmt.Errorf("describing the logging configuration of %s: %w", instanceID, err)
	}
	const kind = vaInstanceKind + " logging configuration"
	lc, err := singleResult(kind, instanceID, out.LoggingConfigurations, func(lc types.VerifiedAccessInstanceLoggingConfiguration) string {
		return aws.ToString(lc.VerifiedAccessInstanceId)
	})
	if err != nil {
		return AccessLogging{}, err
	}
	a := lc.AccessLogs
	if a == nil {
		return AccessLogging{}, &NotFoundError{Kind: kind, ID: instanceID}
	}
	l := AccessLogging{LogVersion: aws.ToString(a.LogVersion), IncludeTrustContext: aws.ToBool(a.IncludeTrustContext)}
	if d := a.CloudWatchLogs; d != nil && aws.ToBool(d.Enabled) {
		l.CloudWatchLogGroup = aws.ToString(d.LogGroup)
	}
	if d := a.S3; d != nil && aws.ToBool(d.Enabled) {
		l.S3Bucket, l.S3Prefix, l.S3BucketOwner = aws.ToString(d.BucketName), aws.ToString(d.Prefix), aws.ToString(d.BucketOwner)
	}
	if d := a.KinesisDataFirehose; d != nil && aws.ToBool(d.Enabled) {
		l.FirehoseStream = aws.ToString(d.DeliveryStream)
	}
	return l, nil
}

// SetVerifiedAccessLogging replaces an instance's access-logging
// configuration: every destination is sent, enabled or not.
func SetVerifiedAccessLogging(ctx context.Context, c *ec2.Client, instanceID string, l AccessLogging) error {
	opts := &types.VerifiedAccessLogOptions{
		CloudWatchLogs:      &types.VerifiedAccessLogCloudWatchLogsDestinationOptions{Enabled: aws.Bool(l.CloudWatchLogGroup != ""), LogGroup: optString(l.CloudWatchLogGroup)},
		S3:                  &types.VerifiedAccessLogS3DestinationOptions{Enabled: aws.Bool(l.S3Bucket != ""), BucketName: optString(l.S3Bucket), Prefix: optString(l.S3Prefix), BucketOwner: optString(l.S3BucketOwner)},
		KinesisDataFirehose: &types.VerifiedAccessLogKinesisDataFirehoseDestinationOptions{Enabled: aws.Bool(l.FirehoseStream != ""), DeliveryStream: optString(l.FirehoseStream)},
		IncludeTrustContext: aws.Bool(l.IncludeTrustContext),
		LogVersion:          optString(l.LogVersion),
	}
	_, err := c.ModifyVerifiedAccessInstanceLoggingConfiguration(ctx, &ec2.ModifyVerifiedAccessInstanceLoggingConfigurationInput{
		VerifiedAccessInstanceId: aws.String(instanceID), AccessLogs: opts, ClientToken: clientToken(),
	})
	if err != nil {
		return fmt.Errorf("modifying the logging configuration of %s: %w", instanceID, err)
	}
	return nil
}

// ProxyTrustProviders is what the compiler needs to know about a live
// proxy: its attached trust providers.
type ProxyTrustProviders struct {
	Instance *VerifiedAccessInstance
	// Attached are the attached trust providers, sorted by kind (user first)
	// then type.
	Attached []*VerifiedAccessTrustProvider
}

// ReadProxyTrustProviders reads an instance and its attached trust providers
// (two calls).
func ReadProxyTrustProviders(ctx context.Context, c *ec2.Client, instanceID string) (*ProxyTrustProviders, error) {
	in, err := FindVerifiedAccessInstance(ctx, c, instanceID)
	if err != nil {
		return nil, err
	}
	tps, err := FindVerifiedAccessTrustProviders(ctx, c, in.TrustProviderIDs)
	if err != nil {
		return nil, err
	}
	out := &ProxyTrustProviders{Instance: in}
	for _, id := range in.TrustProviderIDs {
		tp, ok := tps[id]
		if !ok {
			return nil, fmt.Errorf("trust provider %s is attached to %s but cannot be read", id, instanceID)
		}
		out.Attached = append(out.Attached, tp)
	}
	sort.Slice(out.Attached, func(i, j int) bool {
		a, b := out.Attached[i], out.Attached[j]
		if a.Kind != b.Kind {
			return a.Kind == TrustProviderUser
		}
		return a.Type < b.Type
	})
	return out, nil
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// IsVerifiedAccessNotFound reports whether err is an API NotFound answer for
// any Verified Access object.
func IsVerifiedAccessNotFound(err error) bool {
	return hasCode(err, errVAInstanceNotFound, errVATrustProviderNotFound, errVAGroupNotFound, errVAEndpointNotFound) || IsNotFound(err)
}
