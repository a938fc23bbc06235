package acctest

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// State checks on security groups (segments), and the CheckDestroy
// functions of the segment tests.

func compareRules(groupID string, rules []SecurityGroupRule, want []string) error {
	got := make([]string, 0, len(rules))
	for _, r := range rules {
		got = append(got, r.String())
	}
	want = append([]string(nil), want...)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		return fmt.Errorf("rules of %s:\n got:\n  %s\n want:\n  %s", groupID, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	return nil
}

// ExpectSecurityGroupRules checks that the live rules of the security group
// whose id is the id of the resource at address are exactly want ("in|out
// proto from-to peer"), order-insensitively. A ${address} in a want names
// the id of that resource in state (a segment peer). No want: no rule at all.
func ExpectSecurityGroupRules(address string, want ...string) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		id, err := stateObjectID(s, address)
		if err != nil {
			return err
		}
		expanded := make([]string, len(want))
		for i, w := range want {
			if expanded[i], err = expandRefs(s, w); err != nil {
				return err
			}
		}
		c, err := ec2Client(ctx)
		if err != nil {
			return err
		}
		rules, err := securityGroupRules(ctx, c, id)
		if err != nil {
			return err
		}
		return compareRules(id, rules, expanded)
	})
}

// liveSecurityGroupTags reads the tags of the security group whose id the
// resource at address holds.
func liveSecurityGroupTags(ctx context.Context, s state, address string) (string, map[string]string, error) {
	id, err := stateObjectID(s, address)
	if err != nil {
		return "", nil, err
	}
	c, err := ec2Client(ctx)
	if err != nil {
		return "", nil, err
	}
	g, err := describeSecurityGroup(ctx, c, id)
	if err != nil {
		return "", nil, err
	}
	return id, tagMap(g.Tags), nil
}

// ExpectSecurityGroupTags checks that the live security group of the
// resource at address carries each of want (other tags may be present).
func ExpectSecurityGroupTags(address string, want map[string]string) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		_, tags, err := liveSecurityGroupTags(ctx, s, address)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(want))
		for k := range want {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if tags[k] != want[k] {
				return fmt.Errorf("tag %s = %q, want %q (all: %v)", k, tags[k], want[k], tags)
			}
		}
		return nil
	})
}

// ExpectSecurityGroupTagsAbsent checks that the live security group of the
// resource at address carries none of the keys.
func ExpectSecurityGroupTagsAbsent(address string, keys ...string) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		id, tags, err := liveSecurityGroupTags(ctx, s, address)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if _, ok := tags[k]; ok {
				return fmt.Errorf("tag %s left on %s", k, id)
			}
		}
		return nil
	})
}

// CheckSecurityGroupsGone is a CheckDestroy: none of the groups (ids filled
// in by earlier steps; empty ones are skipped) may exist any more.
func CheckSecurityGroupsGone(t *testing.T, ids ...*string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, id := range ids {
			if *id == "" {
				continue
			}
			_, err := EC2(t).DescribeSecurityGroups(context.Background(), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{*id}})
			if err == nil {
				return fmt.Errorf("security group %s still exists after destroy", *id)
			}
		}
		return nil
	}
}

// expectOwnershipTags checks that tags carry the ownership id own recorded
// in state (not empty) and no create-pending mark.
func expectOwnershipTags(what string, tags map[string]string, own string) error {
	switch {
	case own == "" || tags[awsapi.TagOwnership] != own:
		return fmt.Errorf("%s: ownership id in state %q, on the object %q", what, own, tags[awsapi.TagOwnership])
	case tags[awsapi.TagCreatePending] != "":
		return fmt.Errorf("%s: the completed object is still marked pending: %v", what, tags)
	}
	return nil
}

// stateOwnership reads a resource's ownership_id; a null one reads as "".
func stateOwnership(s state, address string) (string, error) {
	r, err := stateResource(s, address)
	if err != nil {
		return "", err
	}
	own, _ := r["ownership_id"].(string)
	return own, nil
}

// ExpectSecurityGroupOwnership checks that the live security group of the
// segment at address carries the ownership id in its state and is no
// longer marked pending.
func ExpectSecurityGroupOwnership(address string) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, s state) error {
		own, err := stateOwnership(s, address)
		if err != nil {
			return err
		}
		id, tags, err := liveSecurityGroupTags(ctx, s, address)
		if err != nil {
			return err
		}
		return expectOwnershipTags("security group "+id, tags, own)
	})
}

// ExpectSecurityGroupsNamed checks that the security groups named name in
// vpcID are exactly the one of the segment at address: a create (and its
// retries) left nothing else behind.
func ExpectSecurityGroupsNamed(address, vpcID, name string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		ids, err := securityGroupsNamed(ctx, c, vpcID, name)
		if err != nil {
			return err
		}
		if len(ids) != 1 || ids[0] != id {
			return fmt.Errorf("groups named %s: %v, want only %s (%s)", name, ids, id, address)
		}
		return nil
	})
}

// ExpectSecurityGroupRulesUnchanged checks that the live rules of the group
// groupID (not managed by the configuration) are still exactly before.
func ExpectSecurityGroupRulesUnchanged(groupID string, before []SecurityGroupRule) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, _ state) error {
		c, err := ec2Client(ctx)
		if err != nil {
			return err
		}
		rules, err := securityGroupRules(ctx, c, groupID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(rules, before) {
			return fmt.Errorf("the rules of %s changed: %+v, were %+v", groupID, rules, before)
		}
		return nil
	})
}

// DisappearSecurityGroup deletes the live security group of the segment at
// address out of band, after the step's apply (a "disappears" test: the
// next plan must re-create it).
func DisappearSecurityGroup(address string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		_, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
		return err
	})
}

// DisappearSecurityGroupRules revokes every live rule of the security
// group of the segment at address out of band, after the step's apply.
func DisappearSecurityGroupRules(address string) statecheck.StateCheck {
	return ec2Check(address, func(ctx context.Context, c *ec2.Client, _ state, id string) error {
		rules, err := securityGroupRules(ctx, c, id)
		if err != nil {
			return err
		}
		return revokeRules(ctx, c, id, rules)
	})
}

// CheckSecurityGroupAsBefore is a CheckDestroy for a group the provider
// adopted or imported: it must still exist, with exactly the tags and the
// rules it had before (rule ids included).
func CheckSecurityGroupAsBefore(t *testing.T, id string, tags map[string]string, rules []SecurityGroupRule) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		g, err := describeSecurityGroup(ctx, EC2(t), id)
		if err != nil {
			return fmt.Errorf("the group %s did not survive destroy: %v", id, err)
		}
		if got := tagMap(g.Tags); !reflect.DeepEqual(got, tags) {
			return fmt.Errorf("the tags of %s after destroy are %v, were %v", id, got, tags)
		}
		got, err := securityGroupRules(ctx, EC2(t), id)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, rules) {
			return fmt.Errorf("the rules of %s after destroy are %+v, were %+v", id, got, rules)
		}
		return nil
	}
}

// ExpectRulesOwnedBy checks that every rule on the security group of the
// segment at segmentAddress carries the rule owner of the policy or set at
// ownerAddress (zerotrust:policy = <id>@<ownership_id>) and none is still
// marked as written by an unrecorded create.
func ExpectRulesOwnedBy(segmentAddress, ownerAddress string) statecheck.StateCheck {
	return ec2Check(segmentAddress, func(ctx context.Context, c *ec2.Client, s state, groupID string) error {
		id, err := stateString(s, ownerAddress, "id")
		if err != nil {
			return err
		}
		ownership, err := stateString(s, ownerAddress, "ownership_id")
		if err != nil {
			return err
		}
		want := awsapi.RuleOwner(id, ownership)
		rules, err := securityGroupRules(ctx, c, groupID)
		if err != nil {
			return err
		}
		if len(rules) == 0 {
			return fmt.Errorf("no rule on %s", groupID)
		}
		for _, r := range rules {
			if r.Tags[awsapi.TagPolicy] != want || r.Tags[awsapi.TagCreatePending] != "" {
				return fmt.Errorf("rule %s on %s: owner %q, pending %q; want owner %q, not pending", r.ID, groupID, r.Tags[awsapi.TagPolicy], r.Tags[awsapi.TagCreatePending], want)
			}
		}
		return nil
	})
}
