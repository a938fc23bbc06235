package analyze

import (
	"slices"
	"sync"

	"github.com/cedar-policy/cedar-go/types"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Context builds the Cedar context Verified Access would send for a request
// through a proxy to an application at hostname (req.Host, when set,
// overrides it): the HTTP request under
// http_request and each attached trust provider's data under its policy
// reference name, shaped as Verified Access documents it (see
// verifiedaccess.ContextSchema). Data of providers the proxy does not have is
// not sent. Sub-records that take few values are built once and shared
// (cedar-go records are immutable), which keeps a context to a handful of
// allocations.
func Context(proxy model.AccessProxy, hostname string, req Request) types.Record {
	return buildContext(proxy, hostname, true, req)
}

// buildContext is Context for an HTTP(S) application, or, when http is
// false, for a TCP application: then no http_request is sent (the pessimistic
// reading of AWS's documentation, which shows none for TCP; see
// model.Application.Protocol), and Method, Path and ClientIP are ignored.
func buildContext(proxy model.AccessProxy, hostname string, http bool, req Request) types.Record {
	return newContext(proxy, types.String(hostname), http, req, nil)
}

// newContext is buildContext with the hostname already a Value, so that a
// caller deciding many requests to one application boxes it once, and with
// the identity records of the groups a surface names built in advance
// (identities may be nil).
//
// Building the context is most of a decision's cost, and most of that is
// allocation: every types.NewRecord hashes and copies its map, and every
// record or string stored in a map is boxed. So the maps handed to
// NewRecord are scratch maps reused across requests, and every sub-record
// that takes few values is built and boxed once.
func newContext(proxy model.AccessProxy, hostname types.Value, http bool, req Request, identities identityRecords) types.Record {
	// Returned to the pool only once emptied: a panic part-way drops them.
	m, ok := contextMapsPool.Get().(*contextMaps)
	if !ok { // the pool only ever holds *contextMaps
		m = newContextMaps()
	}
	ctx := m.top
	if req.Host != "" {
		hostname = types.String(req.Host)
	}
	if http {
		var clientIP types.Value = types.String("")
		if req.ClientIP.IsValid() {
			clientIP = types.String(req.ClientIP.Unmap().WithZone("").String())
		}
		rec := m.http
		rec["http_method"] = types.String(req.Method)
		rec["hostname"] = hostname
		rec["path"] = types.String(req.Path)
		rec["client_ip"] = clientIP
		ctx[model.HTTPRequestContextKey] = recordOf(rec)
	}
	if id := req.Identity; id != nil {
		idp := proxy.IdentityProvider
		rec, ok := identities.lookup(idp, id)
		if !ok {
			rec = identityRecord(m, idp, id)
		}
		if rec != nil {
			ctx[types.String(idp.Reference)] = rec
		}
	}
	for _, d := range proxy.DeviceProviders {
		var rec types.Value
		switch {
		case d.Type == model.DeviceJamf && req.Jamf != nil:
			rec = jamfRecord(req.Jamf.Risk)
		case d.Type == model.DeviceCrowdStrike && req.CrowdStrike != nil:
			rec = crowdStrikeRecord(req.CrowdStrike.Overall)
		case d.Type == model.DeviceJumpCloud && req.JumpCloud != nil:
			rec = jumpCloudRecords[triState(req.JumpCloud.Managed)]
		default:
			continue
		}
		ctx[types.String(d.Reference)] = rec
	}
	r := types.NewRecord(ctx)
	clear(ctx)
	contextMapsPool.Put(m)
	return r
}

// identityRecord is the identity provider's record of the user, or nil for
// a provider type that sends none.
func identityRecord(m *contextMaps, idp model.IdentityProvider, id *Identity) types.Value {
	switch idp.Type {
	case model.IdentityIAMIdentityCenter:
		rec := m.identity
		rec["user"] = idcUser[triState(id.EmailVerified)]
		if id.Groups != nil {
			groups := m.groups
			if len(id.Groups) > smallMap {
				groups = make(types.RecordMap, len(id.Groups))
			}
			for _, g := range id.Groups {
				groups[types.String(g)] = emptyRecord // {group_name?: String}, name not needed
			}
			rec["groups"] = recordOf(groups)
		}
		return recordOf(rec)
	case model.IdentityOIDC:
		rec := m.identity
		rec["sub"] = types.String("user-1")
		if id.EmailVerified != nil {
			rec["email_verified"] = types.Boolean(*id.EmailVerified)
		}
		if id.MFA != nil {
			rec["amr"] = oidcAMR[triState(id.MFA)]
		}
		if id.Groups != nil {
			vals := make([]types.Value, len(id.Groups))
			for i, g := range id.Groups {
				vals[i] = types.String(g)
			}
			rec[types.String(idp.GroupsClaimName())] = types.NewSet(vals...)
		}
		return recordOf(rec)
	}
	return nil
}

// identityRecords are the identity provider's records of a user in one
// group, for each group a surface's rules name and each email-verified (and,
// for OIDC, MFA) state. The requests a surface is asked about are mostly of
// a user in one of its groups (a group × posture matrix), and they then
// share these instead of building two records each.
type identityRecords map[identityKey]types.Value

type identityKey struct {
	group      string
	email, mfa int // triState; mfa is 0 for Identity Center, which sends none
}

func newIdentityRecords(idp model.IdentityProvider, groups []string) identityRecords {
	m := &contextMaps{identity: types.RecordMap{}, groups: types.RecordMap{}}
	out := identityRecords{}
	states := []*bool{nil, new(false), new(true)}
	for _, g := range groups {
		for email := range states {
			for mfa := range states {
				if mfa > 0 && idp.Type != model.IdentityOIDC {
					break
				}
				id := &Identity{Groups: []string{g}, EmailVerified: states[email], MFA: states[mfa]}
				if rec := identityRecord(m, idp, id); rec != nil {
					out[identityKey{g, email, mfa}] = rec
				}
			}
		}
	}
	return out
}

func (r identityRecords) lookup(idp model.IdentityProvider, id *Identity) (types.Value, bool) {
	if len(r) == 0 || len(id.Groups) != 1 {
		return nil, false
	}
	k := identityKey{group: id.Groups[0], email: triState(id.EmailVerified)}
	if idp.Type == model.IdentityOIDC {
		k.mfa = triState(id.MFA)
	}
	v, ok := r[k]
	return v, ok
}

// contextMaps are the scratch maps of one context under construction.
// Each holds at most smallMap entries (a larger group list gets a map of
// its own): a map that once grew keeps its capacity when cleared, and
// NewRecord's copy would copy that capacity too.
type contextMaps struct{ top, http, identity, groups types.RecordMap }

// smallMap is how many entries a Go map holds before it outgrows its first
// group of slots.
const smallMap = 8

var contextMapsPool = sync.Pool{New: func() any { return newContextMaps() }}

func newContextMaps() *contextMaps {
	return &contextMaps{top: types.RecordMap{}, http: types.RecordMap{}, identity: types.RecordMap{}, groups: types.RecordMap{}}
}

// recordOf makes a record of m and empties m for its next use.
func recordOf(m types.RecordMap) types.Value {
	r := types.NewRecord(m)
	clear(m)
	return r
}

// triState indexes absent / false / true.
func triState(b *bool) int {
	switch {
	case b == nil:
		return 0
	case !*b:
		return 1
	}
	return 2
}

// Shared immutable sub-records, boxed once; the arrays are indexed by
// triState.
var (
	emptyRecord types.Value = types.Record{}
	idcUser                 = func() (out [3]types.Value) {
		for i, verified := range []*bool{nil, new(false), new(true)} {
			email := types.RecordMap{"address": types.String("user@example.com")}
			if verified != nil {
				email["verified"] = types.Boolean(*verified)
			}
			out[i] = types.NewRecord(types.RecordMap{"user_id": types.String("user-1"), "email": types.NewRecord(email)})
		}
		return out
	}()
	oidcAMR = [3]types.Value{
		types.NewSet(),
		types.NewSet(types.String("pwd")),
		types.NewSet(types.String("pwd"), types.String("mfa")),
	}
	jumpCloudRecords = func() (out [3]types.Value) {
		out[0] = emptyRecord
		for i, managed := range []bool{false, true} {
			out[i+1] = types.NewRecord(types.RecordMap{"device": types.NewRecord(types.RecordMap{"is_managed": types.Boolean(managed)})})
		}
		return out
	}()
	jamfRecords = func() map[string]types.Value {
		out := map[string]types.Value{}
		for _, level := range append(slices.Clone(model.JamfRiskLevels), "NOT_APPLICABLE") {
			out[level] = types.NewRecord(types.RecordMap{"risk": types.String(level)})
		}
		return out
	}()
	crowdStrikeRecords = func() (out [101]types.Value) {
		for i := range out {
			out[i] = newCrowdStrikeRecord(i)
		}
		return out
	}()
)

func jamfRecord(risk *string) types.Value {
	if risk == nil {
		return emptyRecord
	}
	if r, ok := jamfRecords[*risk]; ok {
		return r
	}
	return types.NewRecord(types.RecordMap{"risk": types.String(*risk)})
}

func crowdStrikeRecord(overall *int) types.Value {
	switch {
	case overall == nil:
		return emptyRecord
	case *overall >= 0 && *overall < len(crowdStrikeRecords):
		return crowdStrikeRecords[*overall]
	}
	return newCrowdStrikeRecord(*overall)
}

func newCrowdStrikeRecord(overall int) types.Record {
	return types.NewRecord(types.RecordMap{"assessment": types.NewRecord(types.RecordMap{"overall": types.Long(overall)})})
}
