package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

func segmentK8sConfig(vpcID, kubernetesBlock string) string {
	return acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_segment" "test" {
  name   = "checkout"
  vpc_id = %q
%s
}
`, vpcID, kubernetesBlock)
}

// TestAccSegment_kubernetes records the placement on the group, reads it
// back (import included), notices a tag edited out of band, and removes the
// tags with the block.
func TestAccSegment_kubernetes(t *testing.T) {
	vpcID := acctest.CreateVPC(t, "10.11.0.0/16")
	var groupID string
	placement := `
  kubernetes {
    namespace       = "shop"
    pod_labels      = { app = "checkout", tier = "web" }
    service_account = "checkout"
  }`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkGroupsGone(t, &groupID),
		Steps: []resource.TestStep{
			{
				Config: segmentK8sConfig(vpcID, placement),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("kubernetes").AtMapKey("namespace"), knownvalue.StringExact("shop")),
					statecheck.ExpectKnownValue("zerotrust_segment.test", tfjsonpath.New("kubernetes").AtMapKey("pod_labels"), knownvalue.MapExact(map[string]knownvalue.Check{
						"app": knownvalue.StringExact("checkout"), "tier": knownvalue.StringExact("web"),
					})),
				},
				Check: func(s *terraform.State) error {
					groupID = s.RootModule().Resources["zerotrust_segment.test"].Primary.ID
					tags := tagsOf(describeGroup(t, groupID).Tags)
					for k, want := range map[string]string{
						"zerotrust:k8s-namespace": "shop", "zerotrust:k8s-pod-labels": `{"app":"checkout","tier":"web"}`, "zerotrust:k8s-service-account": "checkout",
					} {
						if tags[k] != want {
							return fmt.Errorf("tag %s = %q, want %q", k, tags[k], want)
						}
					}
					return nil
				},
			},
			{
				ResourceName:      "zerotrust_segment.test",
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				// Someone retags the group: the plan must put the placement back.
				PreConfig: func() {
					_, err := acctest.EC2(t).CreateTags(context.Background(), &ec2.CreateTagsInput{Resources: []string{groupID}, Tags: []ec2types.Tag{{Key: aws.String("zerotrust:k8s-namespace"), Value: aws.String("elsewhere")}}})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: segmentK8sConfig(vpcID, placement),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("zerotrust_segment.test", plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					if ns := tagsOf(describeGroup(t, groupID).Tags)["zerotrust:k8s-namespace"]; ns != "shop" {
						return fmt.Errorf("namespace tag not restored: %q", ns)
					}
					return nil
				},
			},
			{
				Config: segmentK8sConfig(vpcID, ""),
				Check: func(*terraform.State) error {
					tags := tagsOf(describeGroup(t, groupID).Tags)
					for _, k := range []string{"zerotrust:k8s-namespace", "zerotrust:k8s-pod-labels", "zerotrust:k8s-service-account"} {
						if _, ok := tags[k]; ok {
							return fmt.Errorf("tag %s left after the block was removed", k)
						}
					}
					return nil
				},
			},
		},
	})
}

func TestAccSegment_kubernetesBadInput(t *testing.T) {
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
