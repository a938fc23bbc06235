package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

func segmentK8sConfig(vpcID, kubernetesBlock string) string {
	return acctest.Config(acctest.ProviderBlock(), acctest.Segment("test", "checkout", vpcID, kubernetesBlock))
}

// TestAccSegment_kubernetes records the placement on the group, reads it
// back (import included), notices a tag edited out of band, and removes the
// tags with the block.
func TestAccSegment_kubernetes(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealEC2, acctest.RealKubernetes)
	vpcID := acctest.CreateVPC(t, "10.11.0.0/16")
	var groupID string
	placement := `
  kubernetes {
    namespace       = "shop"
    pod_labels      = { app = "checkout", tier = "web" }
    service_account = "checkout"
  }`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckSecurityGroupsGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config: segmentK8sConfig(vpcID, placement),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("kubernetes").AtMapKey("namespace"), knownvalue.StringExact("shop")),
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("kubernetes").AtMapKey("pod_labels"), knownvalue.MapExact(map[string]knownvalue.Check{
						"app": knownvalue.StringExact("checkout"), "tier": knownvalue.StringExact("web"),
					})),
					acctest.ExpectSecurityGroupTags("zerotrust_segment.test", map[string]string{
						"zerotrust:k8s-namespace": "shop", "zerotrust:k8s-pod-labels": `{"app":"checkout","tier":"web"}`, "zerotrust:k8s-service-account": "checkout",
					}),
					acctest.CaptureGroupID("zerotrust_segment.test", &groupID),
				},
			},
			{
				ResourceName:      "zerotrust_segment.test",
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// Someone retags the group: the plan must put the placement back.
				PreConfig: func() { acctest.TagResource(t, groupID, "zerotrust:k8s-namespace", "elsewhere") },
				Config:    segmentK8sConfig(vpcID, placement),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_segment.test", plancheck.ResourceActionUpdate)},
				},
				// The namespace tag is restored.
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupTags("zerotrust_segment.test", map[string]string{"zerotrust:k8s-namespace": "shop"}),
				},
			},
			{
				Config: segmentK8sConfig(vpcID, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectSecurityGroupTagsAbsent("zerotrust_segment.test", "zerotrust:k8s-namespace", "zerotrust:k8s-pod-labels", "zerotrust:k8s-service-account"),
				},
			},
		},
	})
}

func TestAccSegment_kubernetesBadInput(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealKubernetes)
	// Terraform shows a diagnostic's attribute by quoting the configuration
	// line it points at, so each pattern matches the summary and that line.
	cases := map[string]struct{ block, want string }{
		"missing namespace":    {"kubernetes {\n pod_labels = { app = \"a\" }\n}", `(?s)Missing namespace.*kubernetes\.namespace is required`},
		"namespace not DNS":    {"kubernetes {\n namespace = \"Shop_1\"\n}", `(?s)Invalid namespace.*namespace = "Shop_1".*RFC 1123 label`},
		"label key invalid":    {"kubernetes {\n namespace = \"shop\"\n pod_labels = { \"bad key!\" = \"a\" }\n}", `(?s)Invalid label key.*pod_labels = .*"bad key!": name part must consist`},
		"label value invalid":  {"kubernetes {\n namespace = \"shop\"\n pod_labels = { app = \"-bad-\" }\n}", `(?s)Invalid label value.*pod_labels = .*"-bad-": a valid label must be`},
		"service account name": {"kubernetes {\n namespace = \"shop\"\n service_account = \"No_Such\"\n}", `(?s)Invalid service account name.*service_account = "No_Such"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // plan-only, nothing in the sandbox is read or written
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      segmentK8sConfig("vpc-0123456789abcdef0", tc.block),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
