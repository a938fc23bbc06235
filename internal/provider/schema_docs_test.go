package provider

import (
	"context"
	"slices"
	"testing"
)

// TestDocRequirements: the blocks and attributes a configuration must write
// although the schema says optional are found for the docs, in resources,
// data sources and the provider configuration alike.
func TestDocRequirements(t *testing.T) {
	got := DocRequirements(context.Background())
	want := map[string]RequiredPaths{
		"provider": {Attributes: []string{"aws.assume_role.role_arn"}},
		"zerotrust_access_proxy": {
			Blocks: []string{"identity_provider"},
			Attributes: []string{
				"identity_provider.oidc.authorization_endpoint", "identity_provider.oidc.client_id", "identity_provider.oidc.client_secret", "identity_provider.oidc.issuer",
				"identity_provider.oidc.token_endpoint", "identity_provider.oidc.user_info_endpoint", "logging.s3.bucket",
			},
		},
		"zerotrust_segment":            {Attributes: []string{"kubernetes.namespace"}},
		"zerotrust_segment_policy_set": {Blocks: []string{"policy"}},
	}
	for name, w := range want {
		g := got[name]
		if !slices.Equal(g.Blocks, w.Blocks) || !slices.Equal(g.Attributes, w.Attributes) {
			t.Errorf("%s: got %+v, want %+v", name, g, w)
		}
	}
	for name, g := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: unexpected required paths %+v (add them to this test if they are right)", name, g)
		}
	}
}
