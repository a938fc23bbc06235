package sweep

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// A CI run in a shared account (see the real-account guide) names what it
// creates with its run id: "-r<id>" after the prefix of every name, and
// "zt-acc-r<id>-" before the name of every VPC its tests make. OnlyRun keeps
// in the inventory just the objects of one run, so its sweep never judges
// (or deletes) what a run beside it is still using.

// RunMarker is the token a run's names carry, ended by a dash or the end of
// the name (so run 42 never claims run 421's objects).
func RunMarker(runID string) string { return "-r" + runID + "-" }

// RunVPCPrefix starts the Name tag of every VPC a run's tests create.
func RunVPCPrefix(runID string) string { return "zt-acc" + RunMarker(runID) }

func carriesMarker(name, marker string) bool { return strings.Contains(name+"-", marker) }

// RunVPCs finds the VPCs a run created, by their Name tag.
func RunVPCs(ctx context.Context, c *ec2.Client, runID string) (map[string]bool, error) {
	vpcs := map[string]bool{}
	p := ec2.NewDescribeVpcsPaginator(c, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{{
		Name: aws.String("tag:Name"), Values: []string{RunVPCPrefix(runID) + "*"},
	}}})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the VPCs of run %s: %w", runID, err)
		}
		for _, v := range out.Vpcs {
			vpcs[aws.ToString(v.VpcId)] = true
		}
	}
	return vpcs, nil
}

// OnlyRun drops every object that is not the run's: an object is the run's
// when its name carries the run's marker, when it lives in one of the run's
// VPCs or Kubernetes namespaces, or when its parent is the run's.
func (inv *Inventory) OnlyRun(runID string, vpcs map[string]bool) {
	marker := RunMarker(runID)
	byID := map[string]*Object{}
	for _, o := range inv.Objects {
		byID[o.ID] = o
	}
	var own func(o *Object, depth int) bool
	own = func(o *Object, depth int) bool {
		switch {
		case carriesMarker(o.Name, marker):
			return true
		case o.kube != nil && carriesMarker(o.kube.namespace, marker):
			return true
		case o.Kind == KindSecurityGroup && vpcs[o.Parent]:
			return true
		}
		if p := byID[o.Parent]; p != nil && depth < 3 {
			return own(p, depth+1)
		}
		return false
	}
	kept := inv.Objects[:0]
	dropped := 0
	for _, o := range inv.Objects {
		if own(o, 0) {
			kept = append(kept, o)
		} else {
			dropped++
		}
	}
	inv.Objects = kept
	if dropped > 0 {
		inv.Notes = append(inv.Notes, fmt.Sprintf("%d object(s) not of run %s left out (-run-id)", dropped, runID))
	}
}
