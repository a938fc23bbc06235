package provider

import (
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/securitygroup"
)

func TestFlattenSetBlocks(t *testing.T) {
	tcp := func(group string, egress bool, port int32, peerGroup, cidr string) securitygroup.Rule {
		return securitygroup.Rule{GroupID: group, Egress: egress, Protocol: "tcp", FromPort: port, ToPort: port, ReferencedGroupID: peerGroup, CIDRv4: cidr}
	}
	rules := []securitygroup.Rule{
		// app -> db 5432: both halves.
		tcp("sg-db", false, 5432, "sg-app", ""), tcp("sg-app", true, 5432, "sg-db", ""),
		// app -> legacy (not in any set: only app's half exists).
		tcp("sg-app", true, 8080, "sg-legacy", ""),
		// db -> app 9000: the halves of a flow the other way.
		tcp("sg-app", false, 9000, "sg-db", ""), tcp("sg-db", true, 9000, "sg-app", ""),
		// app's egress to db on another port has no ingress half: its own flow.
		tcp("sg-app", true, 6000, "sg-db", ""),
		// db -> the internet's 10.9.0.0/16.
		tcp("sg-db", true, 443, "", "10.9.0.0/16"),
	}
	// Created segments' groups are named by their segment ids; a group
	// that is no created segment keeps its group id.
	app, db := "sg/vpc-01234567/app", "sg/vpc-01234567/db"
	blocks := flattenSetBlocks(rules, map[string]string{"sg-app": app, "sg-db": db, "sg-legacy": "sg-legacy"})
	got := map[string][]string{}
	for _, b := range blocks {
		for _, f := range b.AllowFrom {
			got[b.Segment.ValueString()] = append(got[b.Segment.ValueString()], "from "+f.Segment.ValueString()+f.CIDRBlocks.String()+" "+f.Ports.Elements()[0].String())
		}
		for _, f := range b.AllowTo {
			got[b.Segment.ValueString()] = append(got[b.Segment.ValueString()], "to "+f.Segment.ValueString()+f.CIDRBlocks.String()+" "+f.Ports.Elements()[0].String())
		}
	}
	want := map[string][]string{
		app: {`from ` + db + `<null> "9000"`, `to sg-legacy<null> "8080"`, `to ` + db + `<null> "6000"`},
		db:  {`from ` + app + `<null> "5432"`, `to ["10.9.0.0/16"] "443"`},
	}
	if len(blocks) != 2 || blocks[0].Segment.ValueString() != app || blocks[1].Segment.ValueString() != db {
		t.Fatalf("blocks %v, want app then db", got)
	}
	for seg, flows := range want {
		if len(got[seg]) != len(flows) {
			t.Fatalf("%s: flows %q, want %q", seg, got[seg], flows)
		}
		for i := range flows {
			if got[seg][i] != flows[i] {
				t.Errorf("%s flow %d: %q, want %q", seg, i, got[seg][i], flows[i])
			}
		}
	}
}
