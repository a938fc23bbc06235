package provider_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

const (
	jitGroup   = "zerotrust-jit-jit-scheduled"
	jitRoleARN = "arn:aws:iam::" + motoAccount + ":role/zerotrust-jit/" + jitGroup
)

// jitScheduleName is the schedule name the provider documents: "expire-",
// the account and 8 bytes of the SHA-256 of "GROUP/<group id>" in hex.
func jitScheduleName(account, groupID string) string {
	sum := sha256.Sum256([]byte("GROUP/" + groupID))
	return "expire-" + account + "-" + hex.EncodeToString(sum[:8])
}

// checkJITSchedules reads the grant's schedules and role through the SDK and
// checks them field by field: one schedule per account, at expression, the
// universal DeleteAccountAssignment target with exactly that assignment as
// input, run as a role that can do only that on exactly these resources.
func checkJITSchedules(t *testing.T, ps *psRef, groupID, expression string, accounts ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		got, err := acctest.ReadSchedules(t, jitGroup)
		if err != nil {
			return err
		}
		if len(got) != len(accounts) {
			return fmt.Errorf("%d schedules %v, want one per account %v", len(got), got, accounts)
		}
		for _, acct := range accounts {
			s, ok := got[jitScheduleName(acct, groupID)]
			if !ok {
				return fmt.Errorf("no schedule %s for account %s in %v", jitScheduleName(acct, groupID), acct, got)
			}
			want := acctest.Schedule{
				Name: jitScheduleName(acct, groupID), Expression: expression, Timezone: "UTC", FlexibleWindow: "OFF",
				ActionAfterCompletion: "DELETE", State: "ENABLED",
				TargetARN: "arn:aws:scheduler:::aws-sdk:ssoadmin:deleteAccountAssignment", RoleARN: jitRoleARN,
				Input: map[string]string{
					"InstanceArn": ps.instance, "PermissionSetArn": ps.arn, "TargetId": acct, "TargetType": "AWS_ACCOUNT",
					"PrincipalType": "GROUP", "PrincipalId": groupID,
				},
			}
			if !reflect.DeepEqual(s, want) {
				return fmt.Errorf("schedule for %s:\n%+v\nwant\n%+v", acct, s, want)
			}
		}
		role, ok, err := acctest.ReadRole(t, jitGroup)
		if err != nil || !ok {
			return fmt.Errorf("expiry role: exists %v, %v", ok, err)
		}
		if role.ARN != jitRoleARN || role.Path != "/zerotrust-jit/" || len(role.Attached) != 0 ||
			role.Tags["managed-by"] != "terraform-provider-zerotrust" || role.Tags["zerotrust:privileged-access"] != "jit-scheduled" || role.Tags["zerotrust:ownership"] == "" {
			return fmt.Errorf("expiry role %+v", role)
		}
		wantTrust := []acctest.PolicyStatement{{
			Effect: "Allow", Principal: map[string]string{"Service": "scheduler.amazonaws.com"}, Action: []string{"sts:AssumeRole"},
			Condition: map[string]map[string]string{"StringEquals": {
				"aws:SourceAccount": motoAccount, "aws:SourceArn": "arn:aws:scheduler:us-east-1:" + motoAccount + ":schedule-group/" + jitGroup,
			}},
		}}
		if !reflect.DeepEqual(role.Trust, wantTrust) {
			return fmt.Errorf("trust policy %+v, want %+v", role.Trust, wantTrust)
		}
		resources := []string{ps.instance, ps.arn}
		for _, a := range accounts {
			resources = append(resources, "arn:aws:sso:::account/"+a)
		}
		sort.Strings(resources)
		if len(role.Inline) != 1 || len(role.Inline["delete-expired-assignments"]) != 1 {
			return fmt.Errorf("inline policies %+v, want exactly delete-expired-assignments with one statement", role.Inline)
		}
		st := role.Inline["delete-expired-assignments"][0]
		gotResources := append([]string(nil), st.Resource...)
		sort.Strings(gotResources)
		if st.Effect != "Allow" || !reflect.DeepEqual(st.Action, []string{"sso:DeleteAccountAssignment"}) || st.Condition != nil || st.Principal != nil ||
			!reflect.DeepEqual(gotResources, resources) {
			return fmt.Errorf("role policy %+v, want only sso:DeleteAccountAssignment on exactly %v", st, resources)
		}
		return nil
	}
}

// checkJITGone checks that the grant's schedule group and role are gone.
func checkJITGone(t *testing.T) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if exists, err := acctest.ScheduleGroupExists(t, jitGroup); err != nil || exists {
			return fmt.Errorf("schedule group %s: exists %v, %v", jitGroup, exists, err)
		}
		if _, exists, err := acctest.ReadRole(t, jitGroup); err != nil || exists {
			return fmt.Errorf("expiry role %s: exists %v, %v", jitGroup, exists, err)
		}
		return nil
	}
}

func jitExpression(t time.Time) string { return "at(" + t.UTC().Format("2006-01-02T15:04:05") + ")" }

// TestAccPrivilegedAccess_expirySchedules: a grant with expires_at gets one
// EventBridge Scheduler schedule per assignment and a least-privilege role,
// all shown in the plan; moving expires_at updates the schedules in place; a
// schedule deleted out of band is written again by the next apply; dropping
// an account drops its schedule and narrows the role; removing expires_at
// removes the schedules and role; destroy leaves nothing.
func TestAccPrivilegedAccess_expirySchedules(t *testing.T) {
	groupID := acctest.CreateIdentityGroup(t, "pa-jit-scheduled-group")
	var ps psRef
	first := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	second := first.Add(24 * time.Hour)
	cfg := func(accounts string, expires time.Time) string {
		exp := ""
		if !expires.IsZero() {
			exp = fmt.Sprintf("expires_at = %q", expires.Format(time.RFC3339))
		}
		return privilegedConfig(groupID, fmt.Sprintf(`
  name             = "jit-scheduled"
  accounts         = %s
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  %s
`, accounts, exp))
	}
	schedule := func(acct string, at time.Time) knownvalue.Check {
		name := jitScheduleName(acct, groupID)
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name": knownvalue.StringExact(name), "arn": knownvalue.StringExact("arn:aws:scheduler:us-east-1:" + motoAccount + ":schedule/" + jitGroup + "/" + name),
			"account_id": knownvalue.StringExact(acct), "principal_type": knownvalue.StringExact("GROUP"), "principal_id": knownvalue.StringExact(groupID),
			"schedule_expression": knownvalue.StringExact(jitExpression(at)),
		})
	}
	both := `["111111111111", "222222222222"]`
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(s *terraform.State) error {
			if err := checkPermissionSetGone(t, &ps)(s); err != nil {
				return err
			}
			return checkJITGone(t)(s)
		},
		Steps: []resource.TestStep{
			{
				Config: cfg(both, first),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// Reviewers see what AWS will run, and as whom, before the first apply.
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedule_group"), knownvalue.StringExact(jitGroup)),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_role_arn"), knownvalue.StringExact(jitRoleARN)),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListExact([]knownvalue.Check{schedule(acctA, first), schedule(acctB, first)})),
				}},
				Check: resource.ComposeTestCheckFunc(ps.capture, checkJITSchedules(t, &ps, groupID, jitExpression(first), acctA, acctB)),
			},
			{
				Config: cfg(both, second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListExact([]knownvalue.Check{schedule(acctA, second), schedule(acctB, second)})),
				}},
				Check: checkJITSchedules(t, &ps, groupID, jitExpression(second), acctA, acctB),
			},
			{
				// Drift: a schedule deleted outside Terraform shows in the
				// plan and is written again.
				PreConfig: func() { acctest.DeleteSchedule(t, jitGroup, jitScheduleName(acctA, groupID)) },
				Config:    cfg(both, second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListExact([]knownvalue.Check{schedule(acctA, second), schedule(acctB, second)})),
				}},
				Check: checkJITSchedules(t, &ps, groupID, jitExpression(second), acctA, acctB),
			},
			{
				Config: cfg(`["222222222222"]`, second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListExact([]knownvalue.Check{schedule(acctB, second)})),
				}},
				Check: checkJITSchedules(t, &ps, groupID, jitExpression(second), acctB),
			},
			{
				Config: cfg(`["222222222222"]`, time.Time{}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedule_group"), knownvalue.Null()),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_role_arn"), knownvalue.Null()),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListExact([]knownvalue.Check{})),
				}},
				Check: checkJITGone(t),
			},
			{
				// Back to a just-in-time grant, so destroy has schedules to remove.
				Config: cfg(`["222222222222"]`, first),
				Check:  checkJITSchedules(t, &ps, groupID, jitExpression(first), acctB),
			},
		},
	})
}
