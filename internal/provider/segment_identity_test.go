package provider

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestSegmentStateUpgrade upgrades the segments of a state written by the
// release before segment ids were derived from the configuration (captured
// from a real apply of that release against the sandbox: two created
// groups and an adopted one): the created segments become
// sg/<vpc_id>/<name>, the adopted one keeps its group id, and no other
// attribute changes.
func TestSegmentStateUpgrade(t *testing.T) {
	raw, err := os.ReadFile("testdata/state-v0-segments.json")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Type, Name string
			Instances  []struct {
				SchemaVersion int64           `json:"schema_version"`
				Attributes    json.RawMessage `json:"attributes"`
			}
		}
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemas.ResourceSchemas["zerotrust_segment"].ValueType()
	want := map[string]string{
		"web":    "sg/vpc-0452df84a17076b04/web",
		"db":     "sg/vpc-0452df84a17076b04/db",
		"legacy": "sg-48d14652183bf4093", // adopted: the id the configuration writes
	}
	upgraded := 0
	for _, r := range st.Resources {
		if r.Type != "zerotrust_segment" {
			continue
		}
		inst := r.Instances[0]
		if inst.SchemaVersion != 0 {
			t.Fatalf("%s: fixture schema version %d, want 0", r.Name, inst.SchemaVersion)
		}
		resp, err := server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
			TypeName: "zerotrust_segment", Version: 0, RawState: &tfprotov6.RawState{JSON: inst.Attributes},
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range resp.Diagnostics {
			t.Fatalf("%s: %s: %s", r.Name, d.Summary, d.Detail)
		}
		got, err := resp.UpgradedState.Unmarshal(typ)
		if err != nil {
			t.Fatal(err)
		}
		var attrs map[string]tftypes.Value
		if err := got.As(&attrs); err != nil {
			t.Fatal(err)
		}
		var before map[string]any
		if err := json.Unmarshal(inst.Attributes, &before); err != nil {
			t.Fatal(err)
		}
		for name, v := range attrs {
			var s string
			if !v.Type().Is(tftypes.String) || v.IsNull() {
				continue
			}
			if err := v.As(&s); err != nil {
				t.Fatal(err)
			}
			switch {
			case name == "id" && s != want[r.Name]:
				t.Errorf("%s: id %q, want %q", r.Name, s, want[r.Name])
			case name != "id" && s != before[name]:
				t.Errorf("%s: %s changed from %v to %q", r.Name, name, before[name], s)
			}
		}
		if before["security_group_id"] != before["id"] {
			t.Errorf("%s: the fixture's id %v is not its group id %v", r.Name, before["id"], before["security_group_id"])
		}
		upgraded++
	}
	if upgraded != 3 {
		t.Fatalf("upgraded %d segments, want 3", upgraded)
	}
}
