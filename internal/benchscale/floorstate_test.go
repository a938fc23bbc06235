package benchscale

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestReplicateFloorState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "terraform.tfstate")
	// The state Terraform writes after applying rule00000 alone.
	applied := `{"version":4,"serial":1,"lineage":"l","resources":[{"mode":"managed","type":"terraform_data","name":"rule00000",
	  "provider":"provider[\"terraform.io/builtin/terraform\"]","instances":[{"schema_version":0,"attributes":{"id":"x",
	  "input":{"value":{"direction":"ingress","from_port":443,"group_id":"sg-a","peer":"10.0.0.0/8","protocol":"tcp","to_port":443},"type":["object",{}]},
	  "output":{"value":{"direction":"ingress","from_port":443,"group_id":"sg-a","peer":"10.0.0.0/8","protocol":"tcp","to_port":443},"type":["object",{}]},
	  "triggers_replace":null},"sensitive_attributes":[]}]}]}`
	if err := os.WriteFile(path, []byte(applied), 0o644); err != nil {
		t.Fatal(err)
	}
	rules := []FloorRule{
		{GroupID: "sg-a", Direction: "ingress", Protocol: "tcp", FromPort: 443, ToPort: 443, Peer: "10.0.0.0/8"},
		{GroupID: "sg-b", Direction: "egress", Protocol: "udp", FromPort: 53, ToPort: 53, Peer: "sg-a"},
	}
	if err := ReplicateFloorState(path, rules); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	var st struct {
		Serial    int
		Resources []struct {
			Name      string
			Instances []struct {
				Attributes struct {
					ID            string
					Input, Output struct{ Value FloorRule }
				}
			}
		}
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	if st.Serial != 2 || len(st.Resources) != 2 {
		t.Fatalf("serial %d, %d resources; want 2 and 2", st.Serial, len(st.Resources))
	}
	ids := map[string]bool{}
	for i, r := range st.Resources {
		a := r.Instances[0].Attributes
		if r.Name != FloorName(i) || a.Input.Value != rules[i] || a.Output.Value != rules[i] || len(a.ID) != 36 || ids[a.ID] {
			t.Errorf("resource %d: %s input %+v output %+v id %q; want %s, %+v, a fresh id", i, r.Name, a.Input.Value, a.Output.Value, a.ID, FloorName(i), rules[i])
		}
		ids[a.ID] = true
	}
	if err := ReplicateFloorState(filepath.Join(t.TempDir(), "missing"), rules); err == nil {
		t.Error("a missing state replicated")
	}
}
