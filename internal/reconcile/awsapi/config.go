// Package awsapi builds aws-sdk-go-v2 clients and reconciles compiled desired
// state with live AWS objects (security groups, Verified Access, IAM Identity
// Center, and the EventBridge Scheduler schedules and IAM role that end
// just-in-time grants). It decides no policy: it only reads, diffs and applies.
package awsapi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Config is the provider's aws block, after environment fallbacks.
type Config struct {
	Region                 string
	Profile                string
	SharedConfigFiles      []string
	SharedCredentialsFiles []string
	AssumeRole             *AssumeRole
	Endpoints              Endpoints
	// MaxRetries bounds attempts for throttling, 5xx and transient faults
	// (0 means the default, DefaultMaxRetries).
	MaxRetries int
}

// AssumeRole is an optional role to assume with STS before any call.
type AssumeRole struct {
	RoleARN     string
	SessionName string
	ExternalID  string
}

// Endpoints overrides per-service endpoints (for emulators). Empty means the
// SDK's own resolution, which already honours AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>.
type Endpoints struct {
	EC2, SSOAdmin, IdentityStore, STS, IAM, Scheduler string
}

// AppID is the application id every request carries in its User-Agent
// (app/terraform-provider-zerotrust): AWS's CloudTrail and the sandbox tell
// the provider's calls from anyone else's by it.
const AppID = "terraform-provider-zerotrust"

// DefaultMaxRetries is generous because throttling is the normal state of a
// busy account; the backoff is jittered and capped.
const DefaultMaxRetries = 10

// Clients are the service clients the provider uses, built once per provider
// configuration.
type Clients struct {
	Region        string
	EC2           *ec2.Client
	SSOAdmin      *ssoadmin.Client
	IdentityStore *identitystore.Client
	STS           *sts.Client
	IAM           *iam.Client
	Scheduler     *scheduler.Client

	// ec2Reads is EC2's read cache (see readCache): this holder's, living
	// as long as it does; EC2 carries it to the functions it is passed to.
	ec2Reads *readCache
}

// ErrNoRegion is returned when neither configuration nor environment names a region.
var ErrNoRegion = errors.New("no AWS region: set aws.region in the provider block or AWS_REGION")

// NewClients loads the SDK configuration (shared files, profile, environment,
// assume role) and builds every client. It makes no API call.
func NewClients(ctx context.Context, c Config) (*Clients, error) {
	maxAttempts := c.MaxRetries
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxRetries
	}
	opts := []func(*config.LoadOptions) error{
		config.WithAppID(AppID),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.MaxBackoff = 20 * time.Second
			})
		}),
	}
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	if len(c.SharedConfigFiles) > 0 {
		opts = append(opts, config.WithSharedConfigFiles(c.SharedConfigFiles))
	}
	if len(c.SharedCredentialsFiles) > 0 {
		opts = append(opts, config.WithSharedCredentialsFiles(c.SharedCredentialsFiles))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, ErrNoRegion
	}
	stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) { setEndpoint(&o.BaseEndpoint, c.Endpoints.STS) })
	if c.AssumeRole != nil && c.AssumeRole.RoleARN != "" {
		ar := *c.AssumeRole
		provider := stscreds.NewAssumeRoleProvider(stsClient, ar.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			if ar.SessionName != "" {
				o.RoleSessionName = ar.SessionName
			}
			if ar.ExternalID != "" {
				o.ExternalID = aws.String(ar.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	ec2Client, ec2Reads := newCachedEC2(cfg, func(o *ec2.Options) { setEndpoint(&o.BaseEndpoint, c.Endpoints.EC2) })
	return &Clients{
		Region:        cfg.Region,
		EC2:           ec2Client,
		ec2Reads:      ec2Reads,
		SSOAdmin:      ssoadmin.NewFromConfig(cfg, func(o *ssoadmin.Options) { setEndpoint(&o.BaseEndpoint, c.Endpoints.SSOAdmin) }),
		IdentityStore: identitystore.NewFromConfig(cfg, func(o *identitystore.Options) { setEndpoint(&o.BaseEndpoint, c.Endpoints.IdentityStore) }),
		STS:           sts.NewFromConfig(cfg, func(o *sts.Options) { setEndpoint(&o.BaseEndpoint, c.Endpoints.STS) }),
		IAM:           iam.NewFromConfig(cfg, func(o *iam.Options) { setEndpoint(&o.BaseEndpoint, c.Endpoints.IAM) }),
		Scheduler:     scheduler.NewFromConfig(cfg, func(o *scheduler.Options) { setEndpoint(&o.BaseEndpoint, c.Endpoints.Scheduler) }),
	}, nil
}

func setEndpoint(dst **string, url string) {
	if url != "" {
		*dst = aws.String(url)
	}
}
