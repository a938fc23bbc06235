package provider

import (
	"sort"
	"sync"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// planMemory is what the plans of one Terraform run remember across
// resources: the provider process serves one run (one plan, or one apply
// and the plan it makes first), and every resource's ModifyPlan sees the
// same memory. The API clients live apart, in the client factory.
type planMemory struct {
	// flows: the rules the segment policies and sets of this run plan.
	flows flowRegistry

	// planned: segments as this run plans them (created or changed in the
	// same apply, or unchanged), by id, so the policies planned after them
	// compile against what apply will find — with no cloud read, on a first
	// apply too.
	plannedMu sync.Mutex
	planned   map[string]model.Segment
	// pending: segments this run plans whose id is known but not all of
	// what policies are checked against (a sensitivity or placement known
	// only after apply). Policies over them wait for apply.
	pending map[string]bool
}

// planSegment records a segment as this run plans it, by its id: what
// apply will find once it is created or updated. A segment whose group is
// created in this apply carries its id as a stand-in for the group id.
func (p *planMemory) planSegment(id string, s model.Segment) {
	if p == nil {
		return
	}
	p.plannedMu.Lock()
	defer p.plannedMu.Unlock()
	if p.planned == nil {
		p.planned = map[string]model.Segment{}
	}
	p.planned[id] = s
	delete(p.pending, id)
}

// planPending records that this run plans segment id without knowing all
// of it yet.
func (p *planMemory) planPending(id string) {
	if p == nil {
		return
	}
	p.plannedMu.Lock()
	defer p.plannedMu.Unlock()
	if p.pending == nil {
		p.pending = map[string]bool{}
	}
	p.pending[id] = true
	delete(p.planned, id)
}

// anyPending reports whether this run plans one of ids without knowing all
// of it: a policy over it cannot be decided before apply, and its segments
// not being found is no error.
func (p *planMemory) anyPending(ids []string) bool {
	if p == nil {
		return false
	}
	p.plannedMu.Lock()
	defer p.plannedMu.Unlock()
	for _, id := range ids {
		if p.pending[id] {
			return true
		}
	}
	return false
}

// isPlanned reports whether this run plans segment id (fully or pending):
// whether the configuration being planned declares it.
func (p *planMemory) isPlanned(id string) bool {
	if p == nil {
		return false
	}
	p.plannedMu.Lock()
	defer p.plannedMu.Unlock()
	_, planned := p.planned[id]
	return planned || p.pending[id]
}

// plannedSegments returns, of the given ids, the segments this run plans,
// and the ids it does not plan (to be read from the cloud).
func (p *planMemory) plannedSegments(ids []string) (planned map[string]model.Segment, rest []string) {
	planned = map[string]model.Segment{}
	if p == nil {
		return planned, ids
	}
	p.plannedMu.Lock()
	defer p.plannedMu.Unlock()
	for _, id := range ids {
		if s, ok := p.planned[id]; ok {
			planned[id] = s
		} else {
			rest = append(rest, id)
		}
	}
	return planned, rest
}

// flowRegistry sees, within one Terraform run, the rules every segment
// policy of the configuration plans, so that two policies declaring the same
// flow are refused at plan — not left to whichever applies second. The
// provider process serves one run; each policy is keyed by its id (segment
// and name), so a policy planned again (the apply-time plan) never collides
// with itself. Only rules on groups that already exist are registered: the
// id of a group created in this apply is not known yet.
type flowRegistry struct {
	mu     sync.Mutex
	owners map[string]string // rule key -> policy id
	keys   map[string][]string
}

// claim records the rules of policy and returns, for each rule another
// policy of this run already planned, that policy's id (sorted by rule key).
func (r *flowRegistry) claim(policy string, rules []securitygroup.Rule) (conflicts []flowConflict) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.owners == nil {
		r.owners, r.keys = map[string]string{}, map[string][]string{}
	}
	// A policy planned again replaces what it claimed before.
	for _, k := range r.keys[policy] {
		if r.owners[k] == policy {
			delete(r.owners, k)
		}
	}
	var mine []string
	for _, rule := range rules {
		k := rule.Key()
		if other, taken := r.owners[k]; taken && other != policy {
			conflicts = append(conflicts, flowConflict{rule: rule, other: other})
			continue
		}
		r.owners[k] = policy
		mine = append(mine, k)
	}
	r.keys[policy] = mine
	sort.Slice(conflicts, func(i, j int) bool { return conflicts[i].rule.Key() < conflicts[j].rule.Key() })
	return conflicts
}

type flowConflict struct {
	rule  securitygroup.Rule
	other string
}
