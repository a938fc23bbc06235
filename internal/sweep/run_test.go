package sweep

import (
	"reflect"
	"testing"
)

func TestOnlyRunKeepsTheRunsObjectsAndWhatLivesInThem(t *testing.T) {
	inv := &Inventory{Objects: []*Object{
		{Kind: KindSecurityGroup, ID: "sg-run", Name: "payments", Parent: "vpc-run"},
		{Kind: KindSecurityGroupRule, ID: "sgr-run", Name: "policy", Parent: "sg-run"},
		{Kind: KindSecurityGroup, ID: "sg-other", Name: "payments", Parent: "vpc-other"},
		{Kind: KindSecurityGroupRule, ID: "sgr-other", Name: "policy", Parent: "sg-other"},
		{Kind: KindVAInstance, ID: "vai-run", Name: "proxy-r42-abc123"},
		{Kind: KindVATrustProvider, ID: "vatp-run", Name: "idc", Parent: "vai-run"},
		{Kind: KindVAInstance, ID: "vai-other", Name: "proxy-r421-abc123"},
		{Kind: KindPermissionSet, ID: "arn:ps-run", Name: "ps-r42-x1y2z3"},
		{Kind: KindAccountAssignment, ID: "asg-run", Name: "GROUP g in 1", Parent: "arn:ps-run"},
		{Kind: KindPermissionSet, ID: "arn:ps-none", Name: "ps-x1y2z3"},
		{Kind: KindNetworkPolicy, ID: "ns-r42-q/np", Name: "owner", kube: &kubeRef{namespace: "ns-r42-q", name: "np"}},
		{Kind: KindNetworkPolicy, ID: "shop/np", Name: "owner-r42", kube: &kubeRef{namespace: "shop", name: "np"}},
		{Kind: KindNetworkPolicy, ID: "shop/other", Name: "owner", kube: &kubeRef{namespace: "shop", name: "other"}},
	}}
	inv.OnlyRun("42", map[string]bool{"vpc-run": true})
	var got []string
	for _, o := range inv.Objects {
		got = append(got, o.ID)
	}
	// proxy-r421-… is run 421's, not 42's.
	want := []string{"sg-run", "sgr-run", "vai-run", "vatp-run", "arn:ps-run", "asg-run", "ns-r42-q/np", "shop/np"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	if len(inv.Notes) != 1 {
		t.Errorf("notes %v, want one naming the objects left out", inv.Notes)
	}
}
