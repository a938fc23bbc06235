package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
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
