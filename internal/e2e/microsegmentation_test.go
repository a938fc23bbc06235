package e2e

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/gruntwork-io/terratest/modules/terraform"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// TestMicrosegmentationExample applies examples/microsegmentation with the
// real CLI and the freshly built provider from the filesystem mirror, checks
// the security-group rules in the sandbox through the SDK, re-plans expecting
// no changes, destroys, and checks that nothing is left.
func TestMicrosegmentationExample(t *testing.T) {
	acctest.PreCheck(t)
	vpcID := acctest.CreateVPC(t, "10.77.0.0/16")
	opts := options(t, "examples/microsegmentation", map[string]any{"vpc_id": vpcID})
	defer func() {
		terraform.Destroy(t, opts)
		if left := managedGroups(t, vpcID); len(left) != 0 {
			t.Errorf("security groups left after destroy: %v", left)
		}
	}()
	terraform.InitAndApply(t, opts)

	// Segments are known by ids derived from the configuration; their
	// groups by the ids AWS assigned.
	segmentIDs := terraform.OutputMap(t, opts, "segment_ids")
	ids := terraform.OutputMap(t, opts, "security_group_ids")
	for _, tier := range []string{"web", "app", "db"} {
		if !strings.HasPrefix(segmentIDs[tier], "sg/"+vpcID+"/") || !strings.HasSuffix(segmentIDs[tier], tier) {
			t.Fatalf("segment id of tier %s: %q, want sg/%s/<prefix>%s", tier, segmentIDs[tier], vpcID, tier)
		}
		if !strings.HasPrefix(ids[tier], "sg-") {
			t.Fatalf("no security group id output for tier %s: %v", tier, ids)
		}
	}
	c := acctest.EC2(t)
	// db accepts only app on 5432, and sends nothing.
	assertRules(t, c, ids["db"], []string{"in tcp 5432-5432 " + ids["app"]})
	// app accepts web on 8443 and may reach db on 5432.
	assertRules(t, c, ids["app"], []string{"in tcp 8443-8443 " + ids["web"], "out tcp 5432-5432 " + ids["db"]})
	// web accepts the corporate range on 443 and may reach app on 8443.
	assertRules(t, c, ids["web"], []string{"in tcp 443-443 10.0.0.0/8", "out tcp 8443-8443 " + ids["app"]})

	if code := terraform.PlanExitCode(t, opts); code != 0 {
		t.Fatalf("re-plan after apply: exit code %d, want 0 (no changes)", code)
	}
}

func options(t *testing.T, example string, vars map[string]any) *terraform.Options {
	t.Helper()
	cliConfig := os.Getenv("ZT_CLI_CONFIG")
	if cliConfig == "" {
		t.Fatal("ZT_CLI_CONFIG is not set: run through `make test-e2e`, which mirrors the freshly built provider")
	}
	root := acctest.RepoRoot(t)
	// Work on a copy so the repository stays free of .terraform folders and state.
	work := t.TempDir()
	copyTree(t, filepath.Join(root, example), filepath.Join(work, example))
	copyTree(t, filepath.Join(root, "modules"), filepath.Join(work, "modules"))
	return &terraform.Options{
		TerraformDir:    filepath.Join(work, example),
		TerraformBinary: acctest.TerraformBinary(t),
		Vars:            vars,
		EnvVars:         map[string]string{"TF_CLI_CONFIG_FILE": cliConfig, "CHECKPOINT_DISABLE": "1"},
		NoColor:         true,
	}
}

func assertRules(t *testing.T, c *ec2.Client, groupID string, want []string) {
	t.Helper()
	out, err := c.DescribeSecurityGroupRules(context.Background(), &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: []string{groupID}}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.SecurityGroupRules {
		dir := "in"
		if aws.ToBool(r.IsEgress) {
			dir = "out"
		}
		peer := aws.ToString(r.CidrIpv4) + aws.ToString(r.CidrIpv6) + aws.ToString(r.PrefixListId)
		if r.ReferencedGroupInfo != nil {
			peer = aws.ToString(r.ReferencedGroupInfo.GroupId)
		}
		got = append(got, dir+" "+aws.ToString(r.IpProtocol)+" "+itoa(aws.ToInt32(r.FromPort))+"-"+itoa(aws.ToInt32(r.ToPort))+" "+peer)
	}
	sort.Strings(got)
	sort.Strings(want)
	if len(got) != len(want) {
		t.Fatalf("rules of %s:\n got  %v\n want %v", groupID, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("rules of %s:\n got  %v\n want %v", groupID, got, want)
		}
	}
}

func managedGroups(t *testing.T, vpcID string) []string {
	t.Helper()
	out, err := acctest.EC2(t).DescribeSecurityGroups(context.Background(), &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpcID}},
		{Name: aws.String("tag:managed-by"), Values: []string{"terraform-provider-zerotrust"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, g := range out.SecurityGroups {
		ids = append(ids, aws.ToString(g.GroupId))
	}
	return ids
}
