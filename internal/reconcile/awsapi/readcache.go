package awsapi

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go/middleware"
)

// A refresh reads every security group several times: the segment reads its
// group and rules, each policy reads its segment at refresh and again with
// its peers at plan. readCache keeps, for one provider instance (Terraform
// configures a fresh one for each plan or apply), the groups and the rule
// lists of groups already described, so each is described once per refresh.
//
// Any EC2 call that is not a read (Describe, Get, List) empties the cache before it is sent
// and again after it returns, and a description is only kept when no such
// call was in flight while it was made: nothing read before a write is ever
// served after it. Not-found answers are never kept (a group being created
// is polled until it is visible).
//
// The cache belongs to the Clients holder that NewClients builds (one per
// provider instance) and lives exactly as long: it hangs on that holder's
// EC2 client, whose options carry it (readCacheCarrier), so the functions
// of this package that take an *ec2.Client find it without any
// process-wide registry. A client built elsewhere (tests, the sweep) has
// none and always calls the API; a client derived from a cached one with
// ec2.New(c.Options(), …) shares its cache and its invalidation.
type readCache struct {
	mu       sync.Mutex
	gen      uint64
	inFlight int
	groups   map[string]*SecurityGroup
	rules    map[string][]types.SecurityGroupRule
}

// readCacheCarrier is the HTTP client of an EC2 client with a read cache:
// it sends every request with the client it wraps, and carries the cache.
type readCacheCarrier struct {
	ec2.HTTPClient
	cache *readCache
}

// cacheOf returns the read cache of an EC2 client, nil for one without.
func cacheOf(c *ec2.Client) *readCache {
	if carrier, ok := c.Options().HTTPClient.(*readCacheCarrier); ok {
		return carrier.cache
	}
	return nil
}

// newCachedEC2 builds an EC2 client with a read cache of its own, and
// returns both.
func newCachedEC2(cfg aws.Config, optFns ...func(*ec2.Options)) (*ec2.Client, *readCache) {
	rc := &readCache{gen: 1} // generation 0 marks reads never kept
	c := ec2.NewFromConfig(cfg, append(slices.Clone(optFns), rc.install)...)
	return c, rc
}

// install makes EC2 options carry the cache and installs the middleware
// that empties it around every write.
func (rc *readCache) install(o *ec2.Options) {
	httpClient := o.HTTPClient
	if httpClient == nil {
		httpClient = awshttp.NewBuildableClient()
	}
	o.HTTPClient = &readCacheCarrier{HTTPClient: httpClient, cache: rc}
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("zerotrust-read-cache",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if readOnly(middleware.GetOperationName(ctx)) {
					return next.HandleInitialize(ctx, in)
				}
				rc.beginWrite()
				defer rc.endWrite()
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	})
}

// readOnly reports whether an EC2 operation only reads (EC2 names every
// read Describe…, Get… or List…).
func readOnly(op string) bool {
	for _, p := range []string{"Describe", "Get", "List"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

func (rc *readCache) beginWrite() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.inFlight++
	rc.flush()
}

func (rc *readCache) endWrite() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.inFlight--
	rc.flush()
}

func (rc *readCache) flush() {
	rc.gen++
	rc.groups, rc.rules = nil, nil
}

// start returns the generation a read begins in.
func (rc *readCache) start() uint64 {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.inFlight > 0 {
		return 0 // never kept: generation 0 is never current
	}
	return rc.gen
}

// keep stores what a read that began in generation gen found, unless a
// write began since.
func (rc *readCache) keep(gen uint64, store func()) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if gen == 0 || gen != rc.gen || rc.inFlight > 0 {
		return
	}
	store()
}

func (rc *readCache) group(id string) (*SecurityGroup, bool) {
	if rc == nil {
		return nil, false
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	g, ok := rc.groups[id]
	if ok {
		return cloneGroup(g), true
	}
	return nil, false
}

func cloneGroup(g *SecurityGroup) *SecurityGroup {
	cp := *g
	cp.Tags = make(map[string]string, len(g.Tags))
	for k, v := range g.Tags {
		cp.Tags[k] = v
	}
	return &cp
}

func (rc *readCache) keepGroups(gen uint64, groups ...*SecurityGroup) {
	if rc == nil {
		return
	}
	rc.keep(gen, func() {
		if rc.groups == nil {
			rc.groups = map[string]*SecurityGroup{}
		}
		for _, g := range groups {
			rc.groups[g.ID] = cloneGroup(g)
		}
	})
}

func (rc *readCache) groupRules(id string) ([]types.SecurityGroupRule, bool) {
	if rc == nil {
		return nil, false
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	r, ok := rc.rules[id]
	return append([]types.SecurityGroupRule(nil), r...), ok
}

func (rc *readCache) keepRules(gen uint64, id string, rules []types.SecurityGroupRule) {
	if rc == nil {
		return
	}
	rc.keep(gen, func() {
		if rc.rules == nil {
			rc.rules = map[string][]types.SecurityGroupRule{}
		}
		rc.rules[id] = append([]types.SecurityGroupRule(nil), rules...)
	})
}

func (rc *readCache) generation() uint64 {
	if rc == nil {
		return 0
	}
	return rc.start()
}
