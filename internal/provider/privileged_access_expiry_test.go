package provider_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

func jitExpression(t time.Time) string { return "at(" + t.UTC().Format("2006-01-02T15:04:05") + ")" }

// TestAccPrivilegedAccess_expirySchedules: a grant with expires_at gets one
// EventBridge Scheduler schedule per assignment and a least-privilege role,
// all shown in the plan; moving expires_at updates the schedules in place; a
// schedule deleted out of band is written again by the next apply; dropping
// an account drops its schedule and narrows the role; removing expires_at
// removes the schedules and role; destroy leaves nothing.
func TestAccPrivilegedAccess_expirySchedules(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	groupID := acctest.CreateIdentityGroup(t, acctest.RandomName("pa-jit-scheduled-group"))
	name := acctest.RandomName("jit-scheduled")
	jitGroup, jitRoleARN := acctest.ExpiryScheduleGroup(name), acctest.ExpiryRoleARN(motoAccount, name)
	var ps acctest.PermissionSetRef
	first := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	second := first.Add(24 * time.Hour)
	cfg := func(accounts string, expires time.Time) string {
		exp := ""
		if !expires.IsZero() {
			exp = fmt.Sprintf("expires_at = %q", expires.Format(time.RFC3339))
		}
		return privilegedConfig(groupID, fmt.Sprintf(`
  name             = "`+name+`"
  accounts         = %s
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  %s
`, accounts, exp))
	}
	schedule := func(acct string, at time.Time) knownvalue.Check {
		schedule := acctest.ExpiryScheduleName(acct, groupID)
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name": knownvalue.StringExact(schedule), "arn": knownvalue.StringExact("arn:aws:scheduler:us-east-1:" + motoAccount + ":schedule/" + jitGroup + "/" + schedule),
			"account_id": knownvalue.StringExact(acct), "principal_type": knownvalue.StringExact("GROUP"), "principal_id": knownvalue.StringExact(groupID),
			"schedule_expression": knownvalue.StringExact(jitExpression(at)),
		})
	}
	both := `["111111111111", "222222222222"]`
	// The grant's expiry as the SDK reads it back, at the given time, for the given accounts.
	expiry := func(at time.Time, accounts ...string) statecheck.StateCheck {
		return acctest.ExpectExpirySchedules(paResource, acctest.ExpiryGrant{
			Name: name, Account: motoAccount, Region: "us-east-1", GroupID: groupID, Expression: jitExpression(at), Accounts: accounts,
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckGrantGone(t, &ps, name),
		Steps: []resource.TestStep{
			{
				Config: cfg(both, first),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// Reviewers see what AWS will run, and as whom, before the first apply.
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedule_group"), knownvalue.StringExact(jitGroup)),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_role_arn"), knownvalue.StringExact(jitRoleARN)),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListExact([]knownvalue.Check{schedule(acctA, first), schedule(acctB, first)})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{acctest.CapturePermissionSet(paResource, &ps), expiry(first, acctA, acctB)},
			},
			{
				Config: cfg(both, second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListExact([]knownvalue.Check{schedule(acctA, second), schedule(acctB, second)})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{expiry(second, acctA, acctB)},
			},
			{
				// Drift: a schedule deleted outside Terraform shows in the
				// plan and is written again.
				PreConfig: func() { acctest.DeleteSchedule(t, jitGroup, acctest.ExpiryScheduleName(acctA, groupID)) },
				Config:    cfg(both, second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListExact([]knownvalue.Check{schedule(acctA, second), schedule(acctB, second)})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{expiry(second, acctA, acctB)},
			},
			{
				Config: cfg(`["222222222222"]`, second),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListExact([]knownvalue.Check{schedule(acctB, second)})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{expiry(second, acctB)},
			},
			{
				Config: cfg(`["222222222222"]`, time.Time{}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedule_group"), knownvalue.Null()),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_role_arn"), knownvalue.Null()),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListExact([]knownvalue.Check{})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectExpiryGone(name)},
			},
			{
				// Back to a just-in-time grant, so destroy has schedules to remove.
				Config:            cfg(`["222222222222"]`, first),
				ConfigStateChecks: []statecheck.StateCheck{expiry(first, acctB)},
			},
		},
	})
}

// TestAccPrivilegedAccess_expiryPlannedForNewGroup: for a grant to a group
// created in the same apply, the first plan shows the schedule group and the
// execution role, which derive from the grant's name and the account alone;
// only the schedules, named after the group's id, are known after apply.
func TestAccPrivilegedAccess_expiryPlannedForNewGroup(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	name := acctest.RandomName("jit-new-group")
	jitGroup, jitRoleARN := acctest.ExpiryScheduleGroup(name), acctest.ExpiryRoleARN(motoAccount, name)
	expires := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	var ps acctest.PermissionSetRef
	cfg := acctest.Config(acctest.ProviderBlock(),
		acctest.AccessGroup("oncall", acctest.RandomName("pa-jit-new-group")),
		acctest.PrivilegedAccess("test", name, acctest.Ref("zerotrust_access_group.oncall"),
			acctest.Attr("accounts", []string{acctA}),
			acctest.Attr("managed_policies", []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}),
			acctest.Attr("expires_at", expires.Format(time.RFC3339)),
		))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckGrantGone(t, &ps, name),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue("zerotrust_access_group.oncall", tfjsonpath.New("id")),
				plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedule_group"), knownvalue.StringExact(jitGroup)),
				plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_role_arn"), knownvalue.StringExact(jitRoleARN)),
				plancheck.ExpectUnknownValue(paResource, tfjsonpath.New("expiry_schedules")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				acctest.CapturePermissionSet(paResource, &ps),
				statecheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedule_group"), knownvalue.StringExact(jitGroup)),
				statecheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_role_arn"), knownvalue.StringExact(jitRoleARN)),
				statecheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListSizeExact(1)),
				statecheck.CompareValuePairs(paResource, tfjsonpath.New("expiry_schedules").AtSliceIndex(0).AtMapKey("principal_id"),
					"zerotrust_access_group.oncall", tfjsonpath.New("id"), compare.ValuesSame()),
			},
		}},
	})
}
