package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// resourceBase is embedded by every resource: Configure takes the client
// factory the provider hands over.
type resourceBase struct{ clients *clientFactory }

func (b *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	b.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

// configureClients extracts the client factory handed over by the provider.
func configureClients(data any, diags *diag.Diagnostics) *clientFactory {
	if data == nil {
		return nil // ValidateResourceConfig runs before the provider is configured.
	}
	f, ok := data.(*clientFactory)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *clientFactory, got %T; this is a bug in the provider", data))
		return nil
	}
	return f
}
