package provider

import (
	"context"
	"fmt"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// resourceBase is embedded by every resource: Configure takes the client
// factory and the run's plan memory the provider hands over.
type resourceBase struct {
	clients *clientFactory
	plan    *planMemory
}

func (b *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if data := configureResources(req.ProviderData, &resp.Diagnostics); data != nil {
		b.clients, b.plan = data.clients, data.plan
	}
}

// resourceData is what the provider hands every resource: the API clients
// and the plan memory of the run.
type resourceData struct {
	clients *clientFactory
	plan    *planMemory
}

// configureResources extracts the resource data handed over by the provider.
func configureResources(data any, diags *diag.Diagnostics) *resourceData {
	if data == nil {
		return nil // ValidateResourceConfig runs before the provider is configured.
	}
	d, ok := data.(*resourceData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *resourceData, got %T; this is a bug in the provider", data))
		return nil
	}
	return d
}

// segmentsAtPlan is the segments the ids name as this run's apply will find
// them: those this run plans (created, changed or unchanged) from the plan
// memory, with no cloud call — so a first plan needs none — and the others
// (another state's) read. Apply never uses it: it reads what exists.
func (b *resourceBase) segmentsAtPlan(ctx context.Context, ids []string) (map[string]model.Segment, error) {
	planned, all := b.plan.plannedSegments(ids)
	// A segment this run plans without knowing all of it is not read
	// either: it may not exist yet (nor its cluster be reachable), and the
	// callers leave what depends on it to apply (planMemory.anyPending).
	var rest []string
	for _, id := range all {
		if !b.plan.anyPending([]string{id}) {
			rest = append(rest, id)
		}
	}
	if len(rest) == 0 {
		return planned, nil
	}
	read, err := b.clients.readSegments(ctx, rest)
	if err != nil {
		return nil, err
	}
	maps.Copy(planned, read)
	return planned, nil
}
