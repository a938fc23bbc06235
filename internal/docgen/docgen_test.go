package docgen

import (
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// TestGuidesCoverTheCode: every floor, every lint rule and every managed
// policy the lint knows appears in the generated guides, and the context
// reference carries a schema the compiler produced.
func TestGuidesCoverTheCode(t *testing.T) {
	g, err := Guides()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range model.Floors {
		if !strings.Contains(g["sensitivity-floors.md.tmpl"], "| `"+f.Sensitivity+"` |") {
			t.Errorf("floor %s missing", f.Sensitivity)
		}
	}
	// The opt-in key floor is a column of the table and names its switch.
	floors := g["sensitivity-floors.md.tmpl"]
	if !strings.Contains(floors, "customer-managed key (opt-in)") || !strings.Contains(floors, "require_customer_managed_keys") ||
		!strings.Contains(floors, "| `restricted` | yes | strong | yes | yes | yes | yes |") {
		t.Errorf("the customer-managed-key floor is not documented as the code has it:\n%s", floors)
	}
	for _, r := range identitycenter.Rules {
		if !strings.Contains(g["lint-rules.md.tmpl"], "| `"+r.ID+"` |") {
			t.Errorf("lint rule %s missing", r.ID)
		}
	}
	for name := range identitycenter.ManagedPolicyFindings {
		if !strings.Contains(g["lint-rules.md.tmpl"], "| `"+name+"` |") {
			t.Errorf("managed policy %s missing", name)
		}
	}
	if ctx := g["cedar-context.md.tmpl"]; !strings.Contains(ctx, "```cedar\n") || !strings.Contains(ctx, "jamf") || !strings.Contains(ctx, "http_request") {
		t.Errorf("context reference without the compiled schema:\n%s", ctx)
	}
}
