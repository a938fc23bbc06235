package provider

import (
	"context"
)

// sameSegment reports whether two segment ids name one segment, as this run
// plans it or as it exists: a state written when a created segment was
// known by its group id (sg-…) whose configuration now refers to it as
// sg/<vpc_id>/<name>, or the reverse. Anything that cannot be decided is
// "no".
func (b *resourceBase) sameSegment(ctx context.Context, before, after string) bool {
	if before == after {
		return true
	}
	if b.clients == nil {
		return false
	}
	segments, err := b.segmentsAtPlan(ctx, []string{before, after})
	if err != nil {
		return false
	}
	x, okX := segments[before]
	y, okY := segments[after]
	return okX && okY && x.SecurityGroupID != "" && x.SecurityGroupID == y.SecurityGroupID
}
