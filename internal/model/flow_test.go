package model

import (
	"strings"
	"testing"
)

func TestFlowValidateBadInput(t *testing.T) {
	base := func() Flow {
		return Flow{Direction: Inbound, Peer: Peer{CIDR: "10.0.0.0/8"}, Protocol: "tcp", Ports: []PortRange{{443, 443}}, Path: Root("allow_from").Index(2)}
	}
	tests := []struct {
		name     string
		edit     func(*Flow)
		wantPath string // "" = no problem
		want     string
	}{
		{"allowed description punctuation", func(f *Flow) { f.Description = "web (prod) #1: a.b_c-d/e,f@g[h]+i=j&k;l{m}!$*" }, "", ""},
		{"empty description", func(f *Flow) { f.Description = "" }, "", ""},
		{"255-character description", func(f *Flow) { f.Description = strings.Repeat("d", 255) }, "", ""},
		{"256-character description", func(f *Flow) { f.Description = strings.Repeat("d", 256) }, "allow_from[2].description", "at most 255"},
		{"double quote in description", func(f *Flow) { f.Description = `say "hi"` }, "allow_from[2].description", `'"' (U+0022) at byte 4`},
		{"NUL in description", func(f *Flow) { f.Description = "a\x00" }, "allow_from[2].description", "U+0000"},
		{"newline in description", func(f *Flow) { f.Description = "a\nb" }, "allow_from[2].description", "U+000A"},
		{"non-ASCII description", func(f *Flow) { f.Description = "Zahlung für Kasse" }, "allow_from[2].description", "'ü' (U+00FC) at byte 9"},
		{"apostrophe in description", func(f *Flow) { f.Description = "ops' box" }, "allow_from[2].description", "U+0027"},
		{"single port 0 tcp", func(f *Flow) { f.Ports = []PortRange{{443, 443}, {0, 0}} }, "allow_from[2].ports[1]", "port 0"},
		{"single port 0 udp", func(f *Flow) { f.Protocol, f.Ports = "udp", []PortRange{{0, 0}} }, "allow_from[2].ports[0]", "port 0"},
		{"every port", func(f *Flow) { f.Ports = []PortRange{{0, 65535}} }, "", ""},
		{"range from 0", func(f *Flow) { f.Ports = []PortRange{{0, 1023}} }, "", ""},
		{"NUL in acknowledgement", func(f *Flow) { f.Acknowledgement = "ok\x00" }, "allow_from[2].acknowledgement", "NUL"},
		{"multi-line acknowledgement", func(f *Flow) { f.Acknowledgement = "partner range\nSEC-7" }, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base()
			tt.edit(&f)
			ps := f.Validate(restricted)
			if tt.wantPath == "" {
				if len(ps) != 0 {
					t.Fatalf("want no problem, got %v", ps)
				}
				return
			}
			if len(ps) != 1 || ps[0].Severity != Error || ps[0].Path.String() != tt.wantPath || !strings.Contains(ps[0].Detail, tt.want) {
				t.Fatalf("want one error at %s containing %q, got %+v", tt.wantPath, tt.want, ps)
			}
		})
	}
}

func TestKubernetesSegmentID(t *testing.T) {
	id := KubernetesSegmentID("shop", "web")
	if id != "k8s/shop/web" || !SegmentIDPattern.MatchString(id) || SecurityGroupIDPattern.MatchString(id) {
		t.Fatalf("id %q does not match the Kubernetes pattern only", id)
	}
	ns, name, ok := ParseKubernetesSegmentID(id)
	if !ok || ns != "shop" || name != "web" {
		t.Fatalf("parse %q = %q %q %v", id, ns, name, ok)
	}
	for _, bad := range []string{"k8s/Shop/web", "k8s/shop", "k8s//web", "k8s/shop/web/x", "sg-0123456789abcdef0", "k8s/-a/web"} {
		if _, _, ok := ParseKubernetesSegmentID(bad); ok {
			t.Errorf("%q parsed as a Kubernetes segment id", bad)
		}
	}
	if !SegmentIDPattern.MatchString("sg-0123456789abcdef0") || SegmentIDPattern.MatchString("sg-0123456789abcdef0x") {
		t.Error("SegmentIDPattern must accept exactly security group ids besides Kubernetes ids")
	}
	seg := Segment{Name: "web", Kubernetes: &KubernetesSelector{Namespace: "shop"}}
	if seg.ID() != id {
		t.Errorf("Segment.ID() = %q, want %q", seg.ID(), id)
	}
	seg.SecurityGroupID = "sg-0123456789abcdef0"
	if seg.ID() != "sg-0123456789abcdef0" {
		t.Errorf("a segment with a group is known by the group id, got %q", seg.ID())
	}
}

func TestAWSSegmentID(t *testing.T) {
	id := AWSSegmentID("vpc-0123456789abcdef0", "web")
	if id != "sg/vpc-0123456789abcdef0/web" || !SegmentIDPattern.MatchString(id) || SecurityGroupIDPattern.MatchString(id) || KubernetesSegmentIDPattern.MatchString(id) {
		t.Fatalf("id %q does not match the created-segment pattern only", id)
	}
	vpc, name, ok := ParseAWSSegmentID(id)
	if !ok || vpc != "vpc-0123456789abcdef0" || name != "web" {
		t.Fatalf("parse %q = %q %q %v", id, vpc, name, ok)
	}
	for _, bad := range []string{"sg/vpc-0123456789abcdef0", "sg//web", "sg/vpc-01234567/web/x", "sg/vpc-XYZ01234/web", "sg-0123456789abcdef0", "k8s/shop/web", "sg/vpc-01234567/-web"} {
		if _, _, ok := ParseAWSSegmentID(bad); ok {
			t.Errorf("%q parsed as a created segment's id", bad)
		}
		if bad != "sg-0123456789abcdef0" && bad != "k8s/shop/web" && SegmentIDPattern.MatchString(bad) {
			t.Errorf("SegmentIDPattern accepts %q", bad)
		}
	}
}
