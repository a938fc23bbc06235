package vafront

import (
	"crypto/rand"
	"encoding/hex"
	"sort"
	"time"
)

// timeFormat is how Verified Access renders its timestamps (no zone; UTC).
const timeFormat = "2006-01-02T15:04:05"

// common holds what every Verified Access object has.
type common struct {
	ID      string
	Seq     int64 // creation order; describes and pagination follow it
	Created time.Time
	Updated time.Time
	Tags    map[string]string
}

func (c *common) base() *common { return c }

func (c *common) tagList() []xTag {
	keys := make([]string, 0, len(c.Tags))
	for k := range c.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]xTag, 0, len(keys))
	for _, k := range keys {
		out = append(out, xTag{Key: k, Value: c.Tags[k]})
	}
	return out
}

type sseSpec struct {
	Set       bool
	CMK       bool
	KmsKeyArn string
}

func (s sseSpec) render() *xSse {
	// The service always reports its encryption settings; AWS-owned keys by default.
	return &xSse{CustomerManagedKeyEnabled: s.CMK, KmsKeyArn: s.KmsKeyArn}
}

type loggingConfig struct {
	S3Enabled    bool
	BucketName   string
	Prefix       string
	BucketOwner  string
	CWEnabled    bool
	LogGroup     string
	FHEnabled    bool
	Stream       string
	LogVersion   string
	IncludeTrust bool
}

type instance struct {
	common
	Description    string
	FIPS           bool
	SubDomain      string
	TrustProviders []string // attached, in attach order
	Logging        loggingConfig
}

type oidcOptions struct {
	Issuer                string
	AuthorizationEndpoint string
	TokenEndpoint         string
	UserInfoEndpoint      string
	ClientID              string
	ClientSecret          string
	Scope                 string
}

// nativeOidcOptions are an OIDC trust provider's native-application options.
type nativeOidcOptions struct {
	oidcOptions
	PublicSigningKeyEndpoint string
}

type trustProvider struct {
	common
	// NativeOidc: NativeApplicationOidcOptions (oidc providers, for the
	// connectivity client of non-HTTP applications).
	NativeOidc          *nativeOidcOptions
	Description         string
	Type                string // user | device
	UserType            string // iam-identity-center | oidc
	DeviceType          string // jamf | crowdstrike | jumpcloud
	PolicyReferenceName string
	Oidc                *oidcOptions
	TenantID            string
	PublicSigningKeyURL string
	Sse                 sseSpec
}

type group struct {
	common
	InstanceID    string
	Description   string
	Policy        string
	PolicyEnabled bool
	Sse           sseSpec
}

type portRange struct{ From, To int }

type endpoint struct {
	common
	GroupID           string
	InstanceID        string
	Description       string
	ApplicationDomain string
	AttachmentType    string
	EndpointType      string
	CertificateArn    string
	EndpointDomain    string
	SecurityGroupIDs  []string
	// Target options; which apply depends on EndpointType.
	LoadBalancerArn    string
	NetworkInterfaceID string
	Cidr               string
	RdsDbInstanceArn   string
	RdsDbClusterArn    string
	RdsDbProxyArn      string
	RdsEndpoint        string
	Protocol           string
	Port               *int
	PortRanges         []portRange
	SubnetIDs          []string

	Policy        string
	PolicyEnabled bool
	Sse           sseSpec
	// Status is Status until StatusUntil, then "active".
	Status      string
	StatusUntil time.Time
}

type tokenEntry struct {
	Fingerprint string
	// Replay renders the original response again (a fresh value each call).
	Replay func() requestIDSetter
}

// store is the whole Verified Access state of the front.
type store struct {
	seq            int64
	instances      map[string]*instance
	trustProviders map[string]*trustProvider
	groups         map[string]*group
	endpoints      map[string]*endpoint
	tokens         map[string]tokenEntry // action + "\x00" + client token
}

func newStore() *store {
	return &store{
		instances:      map[string]*instance{},
		trustProviders: map[string]*trustProvider{},
		groups:         map[string]*group{},
		endpoints:      map[string]*endpoint{},
		tokens:         map[string]tokenEntry{},
	}
}

func (s *store) newCommon(k kind, now time.Time, tags map[string]string) common {
	s.seq++
	if tags == nil {
		tags = map[string]string{}
	}
	return common{ID: newID(k.Prefix), Seq: s.seq, Created: now, Updated: now, Tags: tags}
}

// tagsOf finds the tag map of any Verified Access object by ID.
func (s *store) tagsOf(id string) (map[string]string, bool) {
	if o, ok := s.instances[id]; ok {
		return o.Tags, true
	}
	if o, ok := s.trustProviders[id]; ok {
		return o.Tags, true
	}
	if o, ok := s.groups[id]; ok {
		return o.Tags, true
	}
	if o, ok := s.endpoints[id]; ok {
		return o.Tags, true
	}
	return nil, false
}

// newID renders prefix + 17 hex digits, the shape of EC2 resource IDs.
func newID(prefix string) string {
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return prefix + hex.EncodeToString(b[:])[:17]
}

type hasBase interface{ base() *common }

// ordered returns the map's values in creation order.
func ordered[T hasBase](m map[string]T) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].base().Seq < out[j].base().Seq })
	return out
}

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }
