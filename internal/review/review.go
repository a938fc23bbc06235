package review

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/reach"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// Report is the review of one plan.
type Report struct {
	Tool, Version    string
	Access           []AccessChange
	Reach            []ReachChange
	Routes           []RouteChange
	Exposure         []Exposure
	Acknowledgements []Acknowledgement
	Privilege        []PrivilegeChange
	Membership       []MembershipChange
	Undecided        []Undecided
	// GroupNames and SegmentNames name ids for the reader: access group id
	// -> display name, segment id -> name (from either side of the plan).
	GroupNames   map[string]string
	SegmentNames map[string]string
}

// Review computes the report of a plan.
func Review(p *Plan) *Report {
	rep := &Report{Tool: p.Tool, Version: p.Version, GroupNames: map[string]string{}, SegmentNames: map[string]string{}}
	for _, r := range p.ByType("zerotrust_access_group") {
		for _, obj := range []map[string]any{r.Before, r.After} {
			id, ok1 := str(obj, "id")
			name, ok2 := str(obj, "display_name")
			if ok1 && ok2 && id != "" && name != "" {
				rep.GroupNames[id] = name
			}
		}
	}
	for _, after := range []bool{false, true} {
		names, _, _ := segmentIndex(p, after)
		for id, n := range names {
			rep.SegmentNames[id] = n
		}
	}

	var undecided []Undecided
	rep.Access, undecided = reviewAccess(p)
	rep.Undecided = append(rep.Undecided, undecided...)

	skip, undecided := undecidedPolicies(p)
	rep.Undecided = append(rep.Undecided, undecided...)
	before, after := buildNetwork(p, false, skip), buildNetwork(p, true, skip)
	rep.Reach, rep.Routes = diffReach(before, after)
	rep.Exposure = diffExposure(before, after)
	rep.Acknowledgements = append(rep.Acknowledgements, flowAcknowledgements(before, after)...)
	rep.Acknowledgements = append(rep.Acknowledgements, resourceAcknowledgements(p)...)

	rep.Privilege = reviewPrivilege(p)
	rep.Membership = reviewMembership(p)
	sortAccess(rep.Access)
	sort.SliceStable(rep.Undecided, func(i, j int) bool { return rep.Undecided[i].Address < rep.Undecided[j].Address })
	return rep
}

// resourceAcknowledgements lists new or changed acknowledgements of access
// rules (a rule below its surface's floor) and grants (over-privilege).
func resourceAcknowledgements(p *Plan) []Acknowledgement {
	var out []Acknowledgement
	for _, r := range p.ByType("zerotrust_protect_surface") {
		if r.After == nil {
			continue
		}
		prev := map[string]string{}
		rb, _ := objects(r.Before, "access_rule")
		for _, rule := range rb {
			name, _ := str(rule, "name")
			prev[name], _ = str(rule, "acknowledgement")
		}
		ra, _ := objects(r.After, "access_rule")
		for _, rule := range ra {
			name, _ := str(rule, "name")
			ack, ok := str(rule, "acknowledgement")
			if !ok {
				ack = "(known after apply)"
			}
			if ack != "" && ack != prev[name] {
				out = append(out, Acknowledgement{Address: r.Address, Subject: fmt.Sprintf("access_rule %q", name), Reason: ack, Previous: prev[name]})
			}
		}
	}
	for _, r := range p.ByType("zerotrust_privileged_access") {
		if r.After == nil {
			continue
		}
		b, _ := str(r.Before, "acknowledgement")
		a, ok := str(r.After, "acknowledgement")
		if !ok {
			a = "(known after apply)"
		}
		if a != "" && a != b {
			out = append(out, Acknowledgement{Address: r.Address, Subject: "over-privilege findings", Reason: a, Previous: b})
		}
	}
	return out
}

func sortAccess(cs []AccessChange) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.Address != b.Address {
			return a.Address < b.Address
		}
		if a.Gained != b.Gained {
			return a.Gained
		}
		return a.Class.Key() < b.Class.Key()
	})
}

// Fail-on conditions (--fail-on).
const (
	FailRestrictedGain     = "restricted-gain"     // access or reachability gained into a restricted surface or segment, or members added to a group a restricted surface admits
	FailConfidentialGain   = "confidential-gain"   // the same, into confidential or restricted
	FailAccessGain         = "access-gain"         // any access gained
	FailReachGain          = "reach-gain"          // any reachability gained
	FailInternet           = "internet"            // a new internet-facing flow
	FailAcknowledgement    = "acknowledgement"     // a new or changed acknowledgement
	FailPermanentPrivilege = "permanent-privilege" // a grant added without expiry or made permanent
	FailPrivilegeGain      = "privilege-gain"      // a grant added, widened, extended or made permanent
	FailUnknown            = "unknown"             // something the review cannot decide until apply
	FailAny                = "any"                 // any finding at all
)

// FailConditions are the accepted --fail-on values, documented in order.
var FailConditions = []string{FailRestrictedGain, FailConfidentialGain, FailAccessGain, FailReachGain, FailInternet, FailAcknowledgement,
	FailPermanentPrivilege, FailPrivilegeGain, FailUnknown, FailAny}

// Failed returns, sorted, the conditions of which the report has findings.
func (r *Report) Failed(conditions []string) []string {
	var out []string
	for _, c := range conditions {
		if r.holds(c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (r *Report) gainAtLeast(sensitivity string) bool {
	floor := model.SensitivityRank(sensitivity)
	for _, a := range r.Access {
		if a.Gained && model.SensitivityRank(a.Sensitivity) >= floor {
			return true
		}
	}
	for _, c := range r.Reach {
		if c.Gained && model.SensitivityRank(c.ToSensitivity) >= floor {
			return true
		}
	}
	for _, m := range r.Membership {
		if len(m.Added) > 0 && slices.ContainsFunc(m.Surfaces, func(s SurfaceRef) bool { return model.SensitivityRank(s.Sensitivity) >= floor }) {
			return true
		}
	}
	for _, rc := range r.Routes {
		if rc.Gained && model.SensitivityRank(rc.Route.Sensitivity) >= floor {
			return true
		}
	}
	return false
}

func (r *Report) holds(condition string) bool {
	switch condition {
	case FailRestrictedGain:
		return r.gainAtLeast("restricted")
	case FailConfidentialGain:
		return r.gainAtLeast("confidential")
	case FailAccessGain:
		return slices.ContainsFunc(r.Access, func(a AccessChange) bool { return a.Gained }) ||
			slices.ContainsFunc(r.Membership, func(m MembershipChange) bool { return len(m.Added) > 0 && len(m.Surfaces) > 0 })
	case FailReachGain:
		return slices.ContainsFunc(r.Reach, func(c ReachChange) bool { return c.Gained })
	case FailInternet:
		return len(r.Exposure) > 0
	case FailAcknowledgement:
		return len(r.Acknowledgements) > 0
	case FailPermanentPrivilege:
		return slices.ContainsFunc(r.Privilege, func(p PrivilegeChange) bool { return p.Has(GrantPermanent) })
	case FailPrivilegeGain:
		return slices.ContainsFunc(r.Privilege, func(p PrivilegeChange) bool {
			return p.Has(GrantAdded) || p.Has(GrantWidened) || p.Has(GrantExtended) || p.Has(GrantPermanent)
		})
	case FailUnknown:
		return len(r.Undecided) > 0 || slices.ContainsFunc(r.Membership, func(m MembershipChange) bool { return m.Unknown }) ||
			slices.ContainsFunc(r.Privilege, func(p PrivilegeChange) bool { return p.Has(GrantUnknown) })
	case FailAny:
		return !r.Empty()
	}
	return false
}

// Empty reports whether the review found nothing.
func (r *Report) Empty() bool {
	return len(r.Access) == 0 && len(r.Reach) == 0 && len(r.Routes) == 0 && len(r.Exposure) == 0 && len(r.Acknowledgements) == 0 &&
		len(r.Privilege) == 0 && len(r.Membership) == 0 && len(r.Undecided) == 0
}

// ParseFailOn reads a --fail-on list.
func ParseFailOn(s string) ([]string, error) {
	var out []string
	for _, c := range strings.Split(s, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if !slices.Contains(FailConditions, c) {
			return nil, fmt.Errorf("unknown --fail-on condition %q (one of %s)", c, strings.Join(FailConditions, ", "))
		}
		out = append(out, c)
	}
	return out, nil
}

// sideLabel names one end of a grant for the reader: a segment by its name
// and id, a CIDR block as written, a prefix list by id.
func (r *Report) sideLabel(s reach.Side) string {
	if s.Segment != "" {
		return r.segmentLabel(s.Segment)
	}
	return s.String()
}

func (r *Report) segmentLabel(id string) string {
	if n := r.SegmentNames[id]; n != "" && n != id {
		return n + " (" + id + ")"
	}
	return id
}

// groupsLabel names the users of a class by their groups.
func (r *Report) groupsLabel(ids []string) string {
	if len(ids) == 0 {
		return "users in none of the named groups"
	}
	labels := make([]string, len(ids))
	for i, id := range ids {
		labels[i] = r.groupLabel(id)
	}
	if len(ids) == 1 {
		return labels[0]
	}
	return "members of both " + strings.Join(labels, " and ")
}

func (r *Report) groupLabel(id string) string {
	if n := r.GroupNames[id]; n != "" {
		return n + " (" + id + ")"
	}
	return id
}
