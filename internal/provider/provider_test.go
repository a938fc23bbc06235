package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

const anySegment = `
resource "zerotrust_segment" "test" {
  name   = "x"
  vpc_id = "vpc-0123456789abcdef0"
}
`

// TestProvider_misconfiguration: every bad provider setting is a diagnostic
// naming the attribute, raised before any API call.
func TestProvider_misconfiguration(t *testing.T) {
	cases := map[string]struct{ provider, want string }{
		"endpoint not a URL": {`provider "zerotrust" {
  aws {
    endpoints { ec2 = "localhost:4566" }
  }
}`, `(?s)Invalid endpoint URL.*ec2 = "localhost:4566"`},
		"max_retries out of range": {`provider "zerotrust" {
  aws { max_retries = 0 }
}`, `(?s)Invalid number.*max_retries = 0.*aws\.max_retries\s+must\s+be\s+a\s+whole\s+number\s+from\s+1\s+to\s+100,\s+got\s+0`},
		"kubernetes token without host": {`provider "zerotrust" {
  aws {}
  kubernetes { token = "abc" }
}`, `(?s)Token without host`},
		"assume_role without role_arn": {`provider "zerotrust" {
  aws {
    assume_role { session_name = "zt" }
  }
}`, `(?s)Missing role_arn.*aws.assume_role.role_arn\s+is\s+required\s+when\s+the\s+assume_role\s+block\s+is\s+present`},
		"kubernetes host not a URL": {`provider "zerotrust" {
  aws {}
  kubernetes { host = "cluster.local" }
}`, `(?s)Invalid Kubernetes host`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // plan-only, nothing in the sandbox is read or written
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.provider + anySegment,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestProvider_noRegion: with no region anywhere the error says how to fix it.
func TestProvider_noRegion(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `provider "zerotrust" {}` + "\n" + anySegment,
			ExpectError: regexp.MustCompile(`(?s)no AWS region: set aws.region in the provider block or AWS_REGION`),
		}},
	})
}
