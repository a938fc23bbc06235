package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestWholeNumberAttributes_stateFromInt64Schema: the whole-number
// attributes kept in a resource's state were Int64 attributes before they
// became Number ones. Terraform's type is number for both, so a state
// written by the Int64 schema — the state file holds a JSON number such as
// "port": 443 — reads with the Number schema, through the same
// UpgradeResourceState call Terraform makes when it loads the state, with
// no state upgrade and the same value.
func TestWholeNumberAttributes_stateFromInt64Schema(t *testing.T) {
	ctx := context.Background()
	server := providerserver.NewProtocol6(New("test")())()
	cases := []struct {
		resource string
		newRes   func() resource.Resource
		state    string // as written by the Int64 schema
		at       path.Path
		want     int64
	}{
		{"zerotrust_segment_policy", newSegmentPolicyResource,
			`{"id":"sg/vpc-0123456789abcdef0/db/default","segment":"sg/vpc-0123456789abcdef0/db","name":"default","max_rules_per_direction":60}`,
			path.Root("max_rules_per_direction"), 60},
		{"zerotrust_segment_policy_set", newSegmentPolicySetResource,
			`{"id":"shop","name":"shop","max_rules_per_direction":250}`,
			path.Root("max_rules_per_direction"), 250},
		{"zerotrust_protect_surface", newProtectSurfaceResource,
			`{"id":"payments","name":"payments","application":[{"name":"a","domain":"a.example.com","port":443}]}`,
			path.Root("application").AtListIndex(0).AtName("port"), 443},
	}
	for _, tc := range cases {
		t.Run(tc.resource, func(t *testing.T) {
			var schema resource.SchemaResponse
			tc.newRes().Schema(ctx, resource.SchemaRequest{}, &schema)
			if a, d := schema.Schema.AttributeAtPath(ctx, tc.at); d.HasError() || !a.GetType().TerraformType(ctx).Is(tftypes.Number) {
				t.Fatalf("%s is not a number attribute: %v", tc.at, d)
			}
			resp, err := server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
				TypeName: tc.resource,
				Version:  schema.Schema.Version,
				RawState: &tfprotov6.RawState{JSON: []byte(tc.state)},
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range resp.Diagnostics {
				t.Errorf("%s: %s: %s", d.Severity, d.Summary, d.Detail)
			}
			if resp.UpgradedState == nil {
				t.Fatal("no state")
			}
			raw, err := resp.UpgradedState.Unmarshal(schema.Schema.Type().TerraformType(ctx))
			if err != nil {
				t.Fatal(err)
			}
			var n types.Number
			if d := (tfsdk.State{Raw: raw, Schema: schema.Schema}).GetAttribute(ctx, tc.at, &n); d.HasError() {
				t.Fatal(d)
			}
			if got, ok := wholeValue(n); !ok || got != tc.want {
				t.Errorf("%s read as %s, want %d", tc.at, n, tc.want)
			}
		})
	}
}
