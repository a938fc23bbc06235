package sweep

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
)

// Kind names a kind of object the provider creates.
type Kind string

// The kinds, in the order they are listed (deletion order differs: see Delete).
const (
	KindSecurityGroup       Kind = "ec2 security group"
	KindSecurityGroupRule   Kind = "ec2 security group rule"
	KindVAInstance          Kind = "verified access instance"
	KindVATrustProvider     Kind = "verified access trust provider"
	KindVAGroup             Kind = "verified access group"
	KindVAEndpoint          Kind = "verified access endpoint"
	KindPermissionSet       Kind = "sso permission set"
	KindAccountAssignment   Kind = "sso account assignment"
	KindIdentityStoreGroup  Kind = "identity store group"
	KindNetworkPolicy       Kind = "kubernetes NetworkPolicy"
	KindAuthorizationPolicy Kind = "istio AuthorizationPolicy"
	KindSegmentRecord       Kind = "kubernetes SegmentRecord"
	// KindLegacySegmentRecord is a segment record provider 0.1 wrote in a
	// ConfigMap (see reconcile/kube/segments.go).
	KindLegacySegmentRecord Kind = "kubernetes segment record (0.1 ConfigMap)"
)

// Kinds lists every kind in listing order.
var Kinds = []Kind{
	KindSecurityGroup, KindSecurityGroupRule,
	KindVAInstance, KindVATrustProvider, KindVAGroup, KindVAEndpoint,
	KindPermissionSet, KindAccountAssignment, KindIdentityStoreGroup,
	KindNetworkPolicy, KindAuthorizationPolicy, KindSegmentRecord, KindLegacySegmentRecord,
}

// Object is one object carrying the provider's ownership marks.
type Object struct {
	Kind Kind
	// ID is what the API calls it: sg-…, sgr-…, vai-…, an ARN, a group id,
	// a membership-less assignment key, or namespace/name for Kubernetes.
	ID   string
	Name string
	// Parent is the id of the object this one lives in (the group of a rule
	// or endpoint, the instance of a trust provider or group, the permission
	// set of an assignment).
	Parent string
	// Claimed: a state holds one of the object's ids, or one of its owner
	// references, or its parent is claimed (for objects a parent's resource
	// reconciles: rules by policy, trust providers, endpoints, assignments).
	Claimed bool
	// Adopted marks a security group the provider adopted (tagged
	// zerotrust:adopted=true): never deleted, only its provider-tagged rules.
	Adopted bool

	keys      []string // ids checked against the claims
	ownerKeys []string // owner references checked against the claims
	// ownerPair: an owner written id@ownership (a policy's or set's rules),
	// claimed when a state holds both the id and the ownership id.
	ownerPair  []string
	inheritsOf string // claimed when the object of this id is

	egress      bool                      // a security group rule
	instanceARN string                    // permission sets and assignments
	assignment  identitycenter.Assignment // an assignment
	storeID     string                    // identity store groups
	kube        *kubeRef                  // Kubernetes objects
}

// Inventory is what List found.
type Inventory struct {
	Objects []*Object
	// Notes say what could not be looked at (a service not configured, an
	// API not served) so an empty kind is never mistaken for a clean one.
	Notes []string
}

// resolve computes Claimed for every object: directly from its ids and owner
// references, then from the object it inherits from (one level is enough:
// parents never inherit).
func (inv *Inventory) resolve(c Claims) {
	byID := map[string]*Object{}
	for _, o := range inv.Objects {
		byID[o.ID] = o
		o.Claimed = c.Has(o.keys...) || c.Has(o.ownerKeys...) || (len(o.ownerPair) == 2 && c[o.ownerPair[0]] && c[o.ownerPair[1]])
	}
	for _, o := range inv.Objects {
		if p := byID[o.inheritsOf]; !o.Claimed && p != nil && p.Claimed {
			o.Claimed = true
		}
	}
	sort.SliceStable(inv.Objects, func(i, j int) bool {
		a, b := inv.Objects[i], inv.Objects[j]
		if a.Kind != b.Kind {
			return kindIndex(a.Kind) < kindIndex(b.Kind)
		}
		return a.ID < b.ID
	})
}

func kindIndex(k Kind) int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return len(Kinds)
}

// Count is the number of objects of one kind.
type Count struct{ Total, Claimed, Unclaimed int }

// Counts tallies the inventory by kind.
func (inv *Inventory) Counts() map[Kind]Count {
	out := map[Kind]Count{}
	for _, o := range inv.Objects {
		c := out[o.Kind]
		c.Total++
		if o.Claimed {
			c.Claimed++
		} else {
			c.Unclaimed++
		}
		out[o.Kind] = c
	}
	return out
}

// Unclaimed lists the objects no state claims.
func (inv *Inventory) Unclaimed() []*Object {
	var out []*Object
	for _, o := range inv.Objects {
		if !o.Claimed {
			out = append(out, o)
		}
	}
	return out
}

// Status is how an object is reported.
func (o *Object) Status() string {
	switch {
	case o.Claimed:
		return "claimed"
	case o.Adopted:
		return "unclaimed (adopted: kept, rules only)"
	}
	return "unclaimed"
}

// Write prints the inventory as a table (status, kind, id, name) followed by
// a per-kind summary and the notes.
func (inv *Inventory) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tKIND\tID\tNAME")
	for _, o := range inv.Objects {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Status(), o.Kind, o.ID, o.Name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	counts := inv.Counts()
	var parts []string
	for _, k := range Kinds {
		if c, ok := counts[k]; ok {
			parts = append(parts, fmt.Sprintf("%s: %d (%d claimed, %d unclaimed)", k, c.Total, c.Claimed, c.Unclaimed))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no object carries the provider's marks")
	}
	fmt.Fprintf(w, "\n%s\n", strings.Join(parts, "\n"))
	for _, n := range inv.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	return nil
}
