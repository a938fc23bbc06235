package kubernetes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func sampleObjects(t testing.TB, owner string) Objects {
	return mustCompile(t, []Policy{{Segment: payments, Flows: []model.Flow{
		in(0, peerOf(checkout), "tcp", pr(8443, 8443)),
		in(1, model.Peer{CIDR: "2001:db8::/32"}, "udp", pr(5000, 5100)),
		out(2, peerOf(ledger), "all"),
		out(3, peerOf(seg("batch", "batch", "runner")), "tcp", pr(0, 65535)), // whole namespace: podSelector {}
	}}}, Options{Owner: owner, Istio: &IstioOptions{}})
}

// What is planned must equal what is read back: every manifest parses back
// into an object equal to the compiled one.
func TestManifestsRoundTrip(t *testing.T) {
	objs := sampleObjects(t, "sg-0123456789abcdef0/default")
	ms, err := objs.Manifests()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != len(objs.NetworkPolicies)+len(objs.AuthorizationPolicies) {
		t.Fatalf("%d manifests", len(ms))
	}
	for i, m := range ms {
		if !strings.HasSuffix(m.YAML, "\n") || strings.HasPrefix(m.YAML, "---") {
			t.Errorf("%s: not a canonical document", m.ID())
		}
		if i < len(objs.NetworkPolicies) {
			var back networkingv1.NetworkPolicy
			if err := yaml.UnmarshalStrict([]byte(m.YAML), &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, objs.NetworkPolicies[i]) {
				t.Errorf("%s does not read back equal:\n%s", m.ID(), m.YAML)
			}
			continue
		}
		var back AuthorizationPolicy
		if err := yaml.UnmarshalStrict([]byte(m.YAML), &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, objs.AuthorizationPolicies[i-len(objs.NetworkPolicies)]) {
			t.Errorf("%s does not read back equal:\n%s", m.ID(), m.YAML)
		}
	}

	var list struct {
		APIVersion, Kind string
		Items            []json.RawMessage
	}
	raw, err := objs.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &list); err != nil || list.Kind != "List" || len(list.Items) != len(ms) {
		t.Fatalf("JSON list: %v %+v", err, list.Kind)
	}
	var np networkingv1.NetworkPolicy
	if err := json.Unmarshal(list.Items[0], &np); err != nil || !reflect.DeepEqual(np, objs.NetworkPolicies[0]) {
		t.Fatalf("JSON item 0 does not read back equal: %v", err)
	}
	if !bytes.HasSuffix(raw, []byte("}\n")) {
		t.Fatal("JSON without trailing newline")
	}
}

// A hostile owner string lands in an annotation; the encoder escapes it, so
// it cannot add documents or keys.
func TestManifestsEscapeHostileStrings(t *testing.T) {
	owner := "x\n---\nkind: Secret\nmetadata: {name: pwned}\n\"'#&*!|>%@`"
	objs := sampleObjects(t, owner)
	stream, err := objs.YAML()
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(stream, "\n---\n")
	if len(docs) != len(objs.NetworkPolicies)+len(objs.AuthorizationPolicies) {
		t.Fatalf("%d documents for %d objects", len(docs), len(objs.NetworkPolicies)+len(objs.AuthorizationPolicies))
	}
	for _, d := range docs {
		var back map[string]any
		if err := yaml.Unmarshal([]byte(d), &back); err != nil {
			t.Fatal(err)
		}
		meta := back["metadata"].(map[string]any)
		if meta["labels"].(map[string]any)[SharedLabel] == "true" {
			continue // shared objects name no owner
		}
		if meta["annotations"].(map[string]any)[OwnerAnnotation] != owner {
			t.Fatalf("owner annotation changed: %q", meta["annotations"])
		}
		label := meta["labels"].(map[string]any)[OwnerLabel].(string)
		if errs := content.IsLabelValue(label); len(errs) > 0 {
			t.Fatalf("owner label %q: %v", label, errs)
		}
	}
	raw, _ := objs.JSON()
	if !json.Valid(raw) {
		t.Fatal("invalid JSON")
	}
}

func TestEmptyObjectsRenderEmpty(t *testing.T) {
	y, err := Objects{}.YAML()
	if err != nil || len(y) != 0 {
		t.Fatalf("%q %v", y, err)
	}
	j, err := Objects{}.JSON()
	if err != nil || string(j) != "{\n  \"apiVersion\": \"v1\",\n  \"items\": [],\n  \"kind\": \"List\"\n}\n" {
		t.Fatalf("%q %v", j, err)
	}
}

func FuzzObjectName(f *testing.F) {
	f.Add("payments", "sg-0123456789abcdef0/default", "prod", "app=x,")
	f.Add("", "", "", "")
	f.Add(strings.Repeat("Ab-", 40), "ö/ü", "ns", "")
	f.Add("---", "owner", "a", "b")
	f.Add("日本語 segment", "o", "n", "")
	kinds := []string{kindDefaultDeny, kindAllowDNS, kindIngress, kindEgress, kindAllowNothing, kindAuthz}
	f.Fuzz(func(t *testing.T, readable, owner, ns, selector string) {
		for _, kind := range kinds {
			name := objectName(readable, kind, owner, kind, ns, selector)
			if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
				t.Fatalf("objectName(%q, %q) = %q: %v", readable, kind, name, errs)
			}
			if again := objectName(readable, kind, owner, kind, ns, selector); again != name {
				t.Fatalf("not deterministic: %q then %q", name, again)
			}
			if other := objectName(readable, kind, owner+"x", kind, ns, selector); other == name {
				t.Fatalf("owners %q and %q share name %q", owner, owner+"x", name)
			}
		}
		v := OwnerLabelValue(owner)
		if errs := content.IsLabelValue(v); len(errs) > 0 {
			t.Fatalf("OwnerLabelValue(%q) = %q: %v", owner, v, errs)
		}
		if OwnerLabelValue(owner) != v {
			t.Fatal("OwnerLabelValue not deterministic")
		}
		if len(content.IsLabelValue(owner)) == 0 && v != owner {
			t.Fatalf("valid label value %q changed to %q", owner, v)
		}
	})
}

// Property: whatever the segment names and owners, every compiled object
// name is a DNS-1123 label, unique per kind and namespace (also across
// owners), and the same on every compilation.
func TestNamesProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 42))
	alphabet := []rune("abcXYZ09-_. /ö日")
	randomString := func(n int) string {
		r := make([]rune, n)
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(r)
	}
	for range 100 {
		var segs []model.Segment
		for i := range 1 + rng.IntN(5) {
			s := seg(randomString(rng.IntN(90)), []string{"a", "b"}[rng.IntN(2)], "sa", "app", fmt.Sprintf("v%d", i))
			segs = append(segs, s)
		}
		var flows []model.Flow
		for i := range rng.IntN(6) {
			flows = append(flows, in(i, peerOf(segs[rng.IntN(len(segs))]), "tcp", pr(80, 80)))
		}
		seen := map[string]string{}
		for _, owner := range []string{randomString(rng.IntN(100)) + "x", randomString(rng.IntN(100)) + "y"} {
			opts := Options{Owner: owner, Istio: &IstioOptions{}}
			a := mustCompile(t, []Policy{{Segment: segs[0], Flows: flows}}, opts)
			b := mustCompile(t, []Policy{{Segment: segs[0], Flows: flows}}, opts)
			ma, _ := a.Manifests()
			mb, _ := b.Manifests()
			if !reflect.DeepEqual(ma, mb) {
				t.Fatal("compilation not deterministic")
			}
			for _, m := range ma {
				if errs := validation.IsDNS1123Label(m.Name); len(errs) > 0 {
					t.Fatalf("%q: %v", m.Name, errs)
				}
				if prev, dup := seen[m.ID()]; dup && !strings.Contains(m.YAML, SharedLabel) {
					t.Fatalf("%s compiled for owners %q and %q, and it is not shared", m.ID(), prev, owner)
				}
				seen[m.ID()] = owner
			}
		}
	}
}
