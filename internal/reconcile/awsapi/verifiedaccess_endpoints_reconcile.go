package awsapi

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// NamedEndpointSpec is the endpoint one application of a protect surface
// needs.
type NamedEndpointSpec struct {
	Application string
	EndpointSpec
}

// ReconcileEndpoints makes a Verified Access group's owned endpoints exactly
// the applications': endpoints no longer wanted or whose immutable options
// changed are deleted first (freeing their domains; one already deleting is
// waited out, never kept), then missing ones are created with their
// policies, changed ones modified in place, and policies rewritten where
// they differ from livePolicies (the refreshed state). out receives the
// endpoints by application as they end.
func ReconcileEndpoints(ctx context.Context, c *ec2.Client, groupID, surfaceName string, applications []NamedEndpointSpec,
	policies map[string]string, live map[string]*VerifiedAccessEndpoint, livePolicies map[string]string, out map[string]*VerifiedAccessEndpoint) error {
	byApp, _ := OwnedEndpoints(groupID, live)
	desired := map[string]EndpointSpec{}
	var order []string
	for _, a := range applications {
		desired[a.Application] = a.EndpointSpec
		order = append(order, a.Application)
	}
	var gone []string
	for app, e := range byApp {
		spec, keep := desired[app]
		if e.Status == string(types.VerifiedAccessEndpointStatusCodeDeleting) {
			// Already going (an apply interrupted while waiting for it):
			// wait it out, and re-create it below if still wanted.
			gone = append(gone, e.ID)
			continue
		}
		if keep && spec.SameImmutable(e.EndpointSpec) {
			out[app] = e
			continue
		}
		if err := DeleteVerifiedAccessEndpoint(ctx, c, e.ID); err != nil {
			return err
		}
		tflog.Info(ctx, "endpoint deleted", map[string]any{"endpoint": e.ID, "application": app, "recreate": keep})
		gone = append(gone, e.ID)
	}
	if err := WaitVerifiedAccessEndpointsGone(ctx, c, groupID, gone); err != nil {
		return err
	}
	// An endpoint still pending or updating (changed out of band a moment
	// ago, say) cannot be modified yet: wait for those first.
	var settling []string
	for _, app := range order {
		if e := out[app]; e != nil && e.Status != "active" && !desired[app].SameMutable(e.EndpointSpec) {
			settling = append(settling, e.ID)
		}
	}
	if len(settling) > 0 {
		if _, err := WaitVerifiedAccessEndpointsActive(ctx, c, groupID, settling); err != nil {
			return err
		}
	}
	var touched []string
	for _, app := range order {
		spec := desired[app]
		if e := out[app]; e != nil {
			if !spec.SameMutable(e.EndpointSpec) {
				if err := ModifyVerifiedAccessEndpoint(ctx, c, e.ID, spec); err != nil {
					return err
				}
				touched = append(touched, e.ID)
			}
			if policies[app] != livePolicies[app] {
				if err := SetVerifiedAccessEndpointPolicy(ctx, c, e.ID, policies[app]); err != nil {
					return err
				}
			}
			continue
		}
		e, err := CreateVerifiedAccessEndpoint(ctx, c, groupID, spec, policies[app], "Application "+app+" of protect surface "+surfaceName, EndpointTags(groupID, app))
		if err != nil {
			return err
		}
		tflog.Info(ctx, "endpoint created", map[string]any{"endpoint": e.ID, "application": app})
		out[app] = e
		touched = append(touched, e.ID)
	}
	if len(touched) == 0 {
		return nil
	}
	active, err := WaitVerifiedAccessEndpointsActive(ctx, c, groupID, touched)
	for app, e := range out {
		if a := active[e.ID]; a != nil {
			out[app] = a
		}
	}
	return err
}

// EndpointTags are the tags an application endpoint of a surface carries.
func EndpointTags(groupID, app string) map[string]string {
	return map[string]string{
		TagManagedBy:   ManagedByValue,
		TagSurfaceID:   groupID,
		TagApplication: app,
		"Name":         app,
	}
}

// OwnedEndpoints indexes a group's live endpoints that this surface created,
// by application name; others are returned apart.
func OwnedEndpoints(groupID string, live map[string]*VerifiedAccessEndpoint) (byApp map[string]*VerifiedAccessEndpoint, foreign []*VerifiedAccessEndpoint) {
	byApp = map[string]*VerifiedAccessEndpoint{}
	ids := make([]string, 0, len(live))
	for id := range live {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		e := live[id]
		app := e.Tags[TagApplication]
		if e.Tags[TagSurfaceID] != groupID || app == "" || byApp[app] != nil {
			foreign = append(foreign, e)
			continue
		}
		byApp[app] = e
	}
	return byApp, foreign
}
