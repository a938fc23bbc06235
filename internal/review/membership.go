package review

import (
	"slices"
	"sort"
)

// MembershipChange is an access group whose members the change adds or
// removes: each added member gains what the group is admitted to.
type MembershipChange struct {
	Address string
	Group   string // display name
	GroupID string // "" when unknown until apply
	Added   []string
	Removed []string
	Unknown bool // the members after the change are unknown until apply
	// NewID: the group's id is assigned by this apply, so which surfaces
	// name it is known only after it.
	NewID bool
	// Surfaces are the protect surfaces whose permit rules name the group
	// after the change, with their sensitivity: what the added members
	// gain (and the removed lose).
	Surfaces []SurfaceRef
}

// SurfaceRef names a protect surface and its sensitivity.
type SurfaceRef struct{ Name, Sensitivity string }

func reviewMembership(p *Plan) []MembershipChange {
	// Which surfaces admit each group, after the change.
	admits := map[string][]SurfaceRef{}
	for _, r := range p.ByType("zerotrust_protect_surface") {
		if r.After == nil {
			continue
		}
		s, _ := surfaceFromAttributes(r.After)
		for _, rule := range s.AccessRules {
			if !rule.IsPermit() {
				continue
			}
			for _, g := range rule.Groups {
				ref := SurfaceRef{s.Name, s.Sensitivity}
				if !slices.Contains(admits[g], ref) {
					admits[g] = append(admits[g], ref)
				}
			}
		}
	}
	var out []MembershipChange
	for _, r := range p.ByType("zerotrust_access_group") {
		if !changed(r) {
			continue
		}
		obj := r.After
		if obj == nil {
			obj = r.Before
		}
		c := MembershipChange{Address: r.Address}
		c.Group, _ = str(obj, "display_name")
		c.GroupID, _ = str(obj, "id")
		if c.GroupID == "" {
			c.GroupID, _ = str(r.Before, "id")
		}
		c.NewID = c.GroupID == ""
		before, _ := strs(r.Before, "members")
		after, known := strs(r.After, "members")
		c.Unknown = r.After != nil && !known
		c.Added, c.Removed = minus(after, before), minus(before, after)
		if c.Unknown {
			// An unknown member may be one of those before: only the known
			// new ones are certain.
			c.Removed = nil
		}
		if len(c.Added) == 0 && len(c.Removed) == 0 && !c.Unknown {
			continue
		}
		c.Surfaces = admits[c.GroupID]
		sort.Slice(c.Surfaces, func(i, j int) bool { return c.Surfaces[i].Name < c.Surfaces[j].Name })
		out = append(out, c)
	}
	return out
}
