package review

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Class is one equivalence class of requests to a protect surface: requests
// that every access rule of the surface before and after the change treats
// alike, so one representative request decides for all. Its labels say
// which requests it stands for, in a reviewer's terms.
type Class struct {
	Application string // the application the request goes to
	// Groups are the user's groups among those the rules name: none, one,
	// or two. A decision for a user in more groups turns only if it turns
	// for one or two of them (a forbid matching any member group denies, a
	// permit matching any admits), so no change is missed.
	Groups   []string
	Identity string // MFA / verified e-mail, when a rule asks; "" when none does
	Device   string // device posture, e.g. "jamf SECURE–LOW, crowdstrike 80–100"
	Request  string // method and path, e.g. "GET under /directory"; "TCP" for a TCP application
	Client   string // client network, when a rule names one; "" when none does
	Req      analyze.Request
}

// Key identifies a class across two computations over the same surfaces.
func (c Class) Key() string {
	return strings.Join([]string{c.Application, strings.Join(c.Groups, "\x01"), c.Identity, c.Device, c.Request, c.Client}, "\x00")
}

// dimension is one axis of the classes: each value labels some requests
// and sets their facts on a representative request.
type dimension []dimValue

type dimValue struct {
	label  string
	groups []string // the group dimension's groups
	set    func(*analyze.Request)
}

// Classes partitions the requests to the surfaces' applications into the
// classes their rules distinguish, before and after (either may be nil, a
// surface that does not exist on that side): one value per group the rules
// name plus "in none of them"; the device postures between the thresholds
// the rules set, per device provider; the methods named plus any other; the
// paths under each prefix (and just beside it) plus outside all, and a path
// a server may resolve elsewhere; the client networks named, outside them,
// and an unknown client; MFA and verified e-mail when a rule asks for them.
// A dimension no rule uses has a single value, so the classes stay few;
// more than MaxClasses is an error rather than a review that never ends.
func Classes(before, after *model.ProtectSurface) ([]Class, error) {
	var rules []model.AccessRule
	apps := map[string]bool{} // name -> reached over TCP on every side it exists
	var appOrder []string
	mfaObservable := false
	for _, s := range []*model.ProtectSurface{before, after} {
		if s == nil {
			continue
		}
		rules = append(rules, s.AccessRules...)
		if !s.Proxy.IdentityProvider.MFAEnforced {
			mfaObservable = true
		}
		for _, a := range s.Applications {
			tcp, seen := apps[a.Name]
			if !seen {
				appOrder = append(appOrder, a.Name)
				tcp = true
			}
			apps[a.Name] = tcp && a.IsTCP()
		}
	}
	slices.Sort(appOrder)

	dims := []dimension{groupDimension(rules), identityDimension(rules, mfaObservable), deviceDimension(rules)}
	httpDims := []dimension{requestDimension(rules), clientDimension(rules)}
	count := 0
	for _, app := range appOrder {
		n := 1
		for _, d := range dims {
			n *= len(d)
		}
		if !apps[app] {
			for _, d := range httpDims {
				n *= len(d)
			}
		}
		count += n
	}
	if count > MaxClasses {
		return nil, fmt.Errorf("the rules before and after distinguish %d classes of requests, more than the %d a review decides; review this surface's change in smaller steps", count, MaxClasses)
	}
	out := make([]Class, 0, count)
	for _, app := range appOrder {
		all := dims
		if !apps[app] {
			all = append(slices.Clone(dims), httpDims...)
		}
		for _, combo := range product(all) {
			c := Class{Application: app, Request: "TCP"}
			req := analyze.Request{Identity: &analyze.Identity{Groups: []string{}}}
			for i, v := range combo {
				v.set(&req)
				switch i {
				case 0:
					c.Groups = v.groups
				case 1:
					c.Identity = v.label
				case 2:
					c.Device = v.label
				case 3:
					c.Request = v.label
				case 4:
					c.Client = v.label
				}
			}
			c.Req = req
			out = append(out, c)
		}
	}
	return out, nil
}

// MaxClasses bounds the classes of one surface's review (each is one
// decision before and one after, microseconds each).
const MaxClasses = 500_000

func product(dims []dimension) [][]dimValue {
	out := [][]dimValue{nil}
	for _, d := range dims {
		var next [][]dimValue
		for _, prefix := range out {
			for _, v := range d {
				next = append(next, append(slices.Clone(prefix), v))
			}
		}
		out = next
	}
	return out
}

func groupDimension(rules []model.AccessRule) dimension {
	var groups []string
	for _, r := range rules {
		groups = append(groups, r.Groups...)
	}
	slices.Sort(groups)
	groups = slices.Compact(groups)
	d := dimension{{label: "", set: func(*analyze.Request) {}}}
	for i, g := range groups {
		d = append(d, dimValue{label: g, groups: []string{g}, set: func(r *analyze.Request) { r.Identity.Groups = []string{g} }})
		for _, h := range groups[i+1:] {
			d = append(d, dimValue{label: g + " + " + h, groups: []string{g, h}, set: func(r *analyze.Request) { r.Identity.Groups = []string{g, h} }})
		}
	}
	return d
}

func identityDimension(rules []model.AccessRule, mfaObservable bool) dimension {
	mfa := mfaObservable && slices.ContainsFunc(rules, func(r model.AccessRule) bool { return r.RequireMFA })
	email := slices.ContainsFunc(rules, func(r model.AccessRule) bool { return r.RequireVerifiedEmail })
	yes, no := true, false
	d := dimension{{label: "", set: func(r *analyze.Request) {}}}
	if mfa {
		d = dimension{
			{label: "MFA", set: func(r *analyze.Request) { r.Identity.MFA = &yes }},
			{label: "no MFA", set: func(r *analyze.Request) { r.Identity.MFA = &no }},
		}
	}
	if email {
		var out dimension
		for _, v := range d {
			for _, verified := range []bool{true, false} {
				label := "e-mail verified"
				if !verified {
					label = "e-mail not verified"
				}
				if v.label != "" {
					label = v.label + ", " + label
				}
				out = append(out, dimValue{label: label, set: func(r *analyze.Request) {
					v.set(r)
					r.Identity.EmailVerified = &verified
				}})
			}
		}
		d = out
	}
	return d
}

// deviceDimension splits each device provider's readings at the thresholds
// the rules set; a device no provider reports on is always a class.
func deviceDimension(rules []model.AccessRule) dimension {
	var jamf, crowd []int
	jumpcloud := false
	for _, r := range rules {
		if r.Device == nil {
			continue
		}
		if r.Device.Jamf != nil {
			jamf = append(jamf, model.JamfRiskRank(r.Device.Jamf.MaxRisk))
		}
		if r.Device.CrowdStrike != nil {
			crowd = append(crowd, r.Device.CrowdStrike.MinOverallScore)
		}
		if r.Device.JumpCloud != nil {
			jumpcloud = true
		}
	}
	d := dimension{{label: "any device", set: func(*analyze.Request) {}}}
	if len(jamf) == 0 && len(crowd) == 0 && !jumpcloud {
		return d
	}
	var axes []dimension
	if len(jamf) > 0 {
		var axis dimension
		slices.Sort(jamf)
		jamf = slices.Compact(jamf)
		// Levels accepted by the same thresholds are one class.
		for lo := 0; lo < len(model.JamfRiskLevels); {
			hi := lo
			for hi+1 < len(model.JamfRiskLevels) && !slices.Contains(jamf, hi) {
				hi++
			}
			level := model.JamfRiskLevels[lo]
			label := "jamf " + level
			if hi > lo {
				label += "–" + model.JamfRiskLevels[hi]
			}
			axis = append(axis, dimValue{label: label, set: func(r *analyze.Request) { r.Jamf = &analyze.JamfFacts{Risk: &level} }})
			lo = hi + 1
		}
		axis = append(axis, dimValue{label: "no jamf report", set: func(*analyze.Request) {}})
		axes = append(axes, axis)
	}
	if len(crowd) > 0 {
		var axis dimension
		bounds := append([]int{0}, crowd...)
		slices.Sort(bounds)
		bounds = slices.Compact(bounds)
		for i, lo := range bounds {
			if lo > 100 {
				break
			}
			hi := 100
			if i+1 < len(bounds) {
				hi = min(bounds[i+1]-1, 100)
			}
			label := "crowdstrike " + strconv.Itoa(lo) + "–" + strconv.Itoa(hi)
			if lo == hi {
				label = "crowdstrike " + strconv.Itoa(lo)
			}
			axis = append(axis, dimValue{label: label, set: func(r *analyze.Request) { r.CrowdStrike = &analyze.CrowdStrikeFacts{Overall: &lo} }})
		}
		axis = append(axis, dimValue{label: "no crowdstrike report", set: func(*analyze.Request) {}})
		axes = append(axes, axis)
	}
	if jumpcloud {
		yes := true
		axes = append(axes, dimension{
			{label: "jumpcloud managed", set: func(r *analyze.Request) { r.JumpCloud = &analyze.JumpCloudFacts{Managed: &yes} }},
			{label: "jumpcloud not managed", set: func(*analyze.Request) {}},
		})
	}
	d = nil
	for _, combo := range product(axes) {
		labels := make([]string, len(combo))
		for i, v := range combo {
			labels[i] = v.label
		}
		d = append(d, dimValue{label: strings.Join(labels, ", "), set: func(r *analyze.Request) {
			for _, v := range combo {
				v.set(r)
			}
		}})
	}
	return d
}

// otherMethods are tried, in order, for "a method no rule names".
var otherMethods = []string{"DELETE", "PUT", "PATCH", "OPTIONS", "POST", "GET", "HEAD", "TRACE", "CONNECT"}

// requestDimension is method × path.
func requestDimension(rules []model.AccessRule) dimension {
	var methods, prefixes []string
	for _, r := range rules {
		methods = append(methods, r.Methods...)
		prefixes = append(prefixes, r.PathPrefixes...)
	}
	slices.Sort(methods)
	methods = slices.Compact(methods)
	type methodClass struct{ label, method string }
	var mclasses []methodClass
	if len(methods) == 0 {
		mclasses = []methodClass{{"any method", "GET"}}
	} else {
		for _, m := range methods {
			mclasses = append(mclasses, methodClass{m, m})
		}
		other := "X-OTHER"
		for _, m := range otherMethods {
			if !slices.Contains(methods, m) {
				other = m
				break
			}
		}
		mclasses = append(mclasses, methodClass{"other methods (e.g. " + other + ")", other})
	}
	paths := pathClasses(prefixes)
	var d dimension
	for _, m := range mclasses {
		for _, p := range paths {
			label := m.label
			if p.label != "" {
				label += " " + p.label
			}
			d = append(d, dimValue{label: label, set: func(r *analyze.Request) { r.Method, r.Path = m.method, p.path }})
		}
	}
	return d
}

type pathClass struct{ label, path string }

// pathClasses are representative paths, one per distinct set of prefixes
// that match it (and whether a server may resolve it elsewhere).
func pathClasses(prefixes []string) []pathClass {
	slices.Sort(prefixes)
	prefixes = slices.Compact(prefixes)
	if len(prefixes) == 0 {
		return []pathClass{{"", "/"}}
	}
	var candidates []string
	for _, p := range prefixes {
		raw, isRaw := strings.CutSuffix(p, "*")
		candidates = append(candidates, raw, strings.TrimSuffix(raw, "/")+"/zt-review", raw+"zt-review")
		if isRaw {
			candidates = append(candidates, raw+"-zt-review")
		}
	}
	candidates = append(candidates, "/zt-review-outside", "/", "/zt-review/../admin")
	seen := map[string]bool{}
	var out []pathClass
	for _, c := range candidates {
		if c == "" {
			continue
		}
		var matched []string
		for _, p := range prefixes {
			if analyze.PathPrefixMatches(p, c) {
				matched = append(matched, p)
			}
		}
		unresolved := model.UnresolvedPath(c)
		sig := strconv.FormatBool(unresolved) + "\x00" + strings.Join(matched, "\x00")
		if seen[sig] {
			continue
		}
		seen[sig] = true
		var label string
		switch {
		case unresolved:
			label = "a path with dot-segments (e.g. " + c + ")"
		case len(matched) == 0:
			label = "outside " + strings.Join(prefixes, ", ")
		default:
			label = c + " (under " + strings.Join(matched, ", ") + ")"
		}
		out = append(out, pathClass{label, c})
	}
	return out
}

// outsideCandidates are tried for "a client outside every network named".
var outsideCandidates = []string{"192.0.2.1", "198.51.100.1", "203.0.113.1", "100.64.0.1", "2001:db8::1", "8.8.8.8"}

func clientDimension(rules []model.AccessRule) dimension {
	var cidrs []netip.Prefix
	for _, r := range rules {
		for _, c := range r.ClientCIDRs {
			if p, err := model.ParseClientCIDR(c); err == nil {
				cidrs = append(cidrs, p)
			}
		}
	}
	if len(cidrs) == 0 {
		return dimension{{label: "", set: func(*analyze.Request) {}}}
	}
	slices.SortFunc(cidrs, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return b.Bits() - a.Bits()
	})
	cidrs = slices.Compact(cidrs)
	var candidates []netip.Addr
	for _, p := range cidrs {
		candidates = append(candidates, p.Addr(), lastAddr(p))
	}
	for _, s := range outsideCandidates {
		candidates = append(candidates, netip.MustParseAddr(s))
	}
	seen := map[string]bool{}
	d := dimension{{label: "client address unknown", set: func(*analyze.Request) {}}}
	for _, a := range candidates {
		var in []netip.Prefix
		for _, p := range cidrs {
			if p.Contains(a) {
				in = append(in, p)
			}
		}
		var parts []string
		for _, p := range in {
			parts = append(parts, p.String())
		}
		key := strings.Join(parts, ",")
		if len(in) == 0 {
			key = "outside" // every address outside all networks is alike
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		label := "client outside " + joinPrefixes(cidrs)
		if len(in) > 0 {
			// The most specific network names the class.
			most := in[0]
			for _, p := range in {
				if p.Bits() > most.Bits() {
					most = p
				}
			}
			label = "client in " + most.String()
			if len(in) > 1 {
				label += " (within " + strings.Join(parts, ", ") + ")"
			}
		}
		d = append(d, dimValue{label: label, set: func(r *analyze.Request) { r.ClientIP = a }})
	}
	return d
}

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	host := len(b)*8 - p.Bits()
	for i := len(b) - 1; i >= 0 && host > 0; i-- {
		n := min(host, 8)
		b[i] |= byte(1<<n - 1)
		host -= n
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
