package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

// The sandbox runs the expiry schedules as AWS would (package vafront):
// these tests see a grant end with no Terraform run, see it not end when its
// role was narrowed out of band, and check the next plan in both cases.

func expiringGrantConfig(groupID, name string, expires time.Time) string {
	return privilegedConfig(groupID, fmt.Sprintf(`
  name             = %q
  accounts         = [%q]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  expires_at       = %q
`, name, acctA, expires.UTC().Format(time.RFC3339)))
}

// notFiredWarning matches the plan warning of a grant whose expiry did not
// remove its assignments.
var notFiredWarning = regexp.MustCompile(`^warning: assignments: The expiry schedules did not remove the assignments: `)

// TestAccPrivilegedAccess_expiryFiresOnSandboxClock: the grant ends at
// expires_at by the sandbox's clock, with no Terraform run after its apply:
// the schedule runs as its role, the assignment is deleted and the schedule
// deletes itself. Terraform's clock is not moved, so the next plan still
// sees the grant in force and would assign it again — which is why this
// test is alone in moving the clock and puts it back afterwards (serial).
func TestAccPrivilegedAccess_expiryFiresOnSandboxClock(t *testing.T) {
	groupID := acctest.CreateIdentityGroup(t, acctest.RandomName("pa-fires-clock-group"))
	name := acctest.RandomName("jit-fires-clock")
	expires := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	var ps acctest.PermissionSetRef
	cfg := expiringGrantConfig(groupID, name, expires)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckGrantGone(t, &ps, name),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CapturePermissionSet(paResource, &ps),
					acctest.ExpectPermissionSetAssignments(paResource, map[string][]string{acctA: {"GROUP:" + groupID}}),
					acctest.ExpectExpiryScheduleCount(name, 1),
				},
			},
			{
				PreConfig: func() {
					if inv := acctest.ExpiryInvocations(t, name); len(inv) != 0 {
						t.Fatalf("the schedule ran before its time: %+v", inv)
					}
					acctest.AdvanceSandboxClock(t, time.Hour+5*time.Second)
					acctest.WaitExpiryFired(t, &ps, name, 15*time.Second, acctA)
					inv := acctest.ExpiryInvocations(t, name)
					if len(inv) != 1 || !inv[0].Succeeded || !inv[0].Deleted || inv[0].RoleARN != acctest.ExpiryRoleARN(motoAccount, name) {
						t.Fatalf("want one successful invocation as the expiry role, then the schedule deleted: %+v", inv)
					}
				},
				RefreshState: true,
				Check:        resource.TestCheckResourceAttr(paResource, "assignments.#", "0"),
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					// By Terraform's (real) clock the grant has not expired.
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expired"), knownvalue.Bool(false)),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("assignments"), knownvalue.ListSizeExact(1)),
				}},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccPrivilegedAccess_expiryFiresAtExpiresAt: in real time, the
// assignment is gone within seconds after expires_at with no Terraform run;
// the next plan is as documented (expired, no assignment, schedule group and
// role deleted), warns of nothing, and is empty after its apply.
func TestAccPrivilegedAccess_expiryFiresAtExpiresAt(t *testing.T) {
	// Parallel, but before the clock is read: a parallel test waits for
	// the serial ones, and expires_at must still be ahead when it resumes.
	t.Parallel()
	groupID := acctest.CreateIdentityGroup(t, acctest.RandomName("pa-fires-group"))
	name := acctest.RandomName("jit-fires")
	// Far enough ahead for the apply and its follow-up plans to end before it.
	expires := time.Now().Add(75 * time.Second).UTC().Truncate(time.Second)
	var ps acctest.PermissionSetRef
	rec := &acctest.DiagnosticsRecorder{}
	cfg := expiringGrantConfig(groupID, name, expires)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: rec.Factories(),
		CheckDestroy:             acctest.CheckGrantGone(t, &ps, name),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CapturePermissionSet(paResource, &ps),
					acctest.ExpectPermissionSetAssignments(paResource, map[string][]string{acctA: {"GROUP:" + groupID}}),
					acctest.ExpectExpiryScheduleCount(name, 1),
				},
			},
			{
				PreConfig: func() {
					if time.Now().After(expires) {
						t.Fatalf("the first apply outlasted expires_at %s: the test proves nothing", expires)
					}
					if inv := acctest.ExpiryInvocations(t, name); len(inv) != 0 {
						t.Fatalf("the schedule ran before its time: %+v", inv)
					}
					time.Sleep(time.Until(expires))
					acctest.WaitExpiryFired(t, &ps, name, 10*time.Second, acctA)
					if inv := acctest.ExpiryInvocations(t, name); len(inv) != 1 || !inv[0].Succeeded || !inv[0].Deleted || inv[0].At.Before(expires) {
						t.Fatalf("want one successful invocation at or after %s, then the schedule deleted: %+v", expires, inv)
					}
					rec.Reset()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expired"), knownvalue.Bool(true)),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("assignments"), knownvalue.ListExact([]knownvalue.Check{})),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListExact([]knownvalue.Check{})),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedule_group"), knownvalue.Null()),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_role_arn"), knownvalue.Null()),
					rec.ExpectWarning(notFiredWarning, false),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPermissionSetAssignments(paResource, map[string][]string{acctA: nil}),
					acctest.ExpectExpiryGone(name),
				},
			},
		},
	})
}

// TestAccPrivilegedAccess_expiryFiresDeniedWhenRoleNarrowed: the expiry
// role's policy, narrowed out of band to another permission set, makes
// AWS's call fail: at expires_at the assignment stays, the sandbox records
// AccessDeniedException for the role and keeps retrying (the schedule
// stays). The next plan warns that the schedules did not remove the
// assignments, plans them away with the schedules, group and role, and is
// empty after its apply.
func TestAccPrivilegedAccess_expiryFiresDeniedWhenRoleNarrowed(t *testing.T) {
	t.Parallel()
	groupID := acctest.CreateIdentityGroup(t, acctest.RandomName("pa-fires-denied-group"))
	name := acctest.RandomName("jit-fires-denied")
	expires := time.Now().Add(75 * time.Second).UTC().Truncate(time.Second)
	var ps acctest.PermissionSetRef
	rec := &acctest.DiagnosticsRecorder{}
	cfg := expiringGrantConfig(groupID, name, expires)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: rec.Factories(),
		CheckDestroy:             acctest.CheckGrantGone(t, &ps, name),
		Steps: []resource.TestStep{
			{
				Config:            cfg,
				ConfigStateChecks: []statecheck.StateCheck{acctest.CapturePermissionSet(paResource, &ps)},
			},
			{
				PreConfig: func() {
					if time.Now().After(expires) {
						t.Fatalf("the first apply outlasted expires_at %s: the test proves nothing", expires)
					}
					acctest.NarrowExpiryRole(t, name, &ps, acctA)
					time.Sleep(time.Until(expires) + 5*time.Second)
					live, err := acctest.ReadPermissionSet(t, ps.Instance, ps.ARN, acctA)
					if err != nil {
						t.Fatal(err)
					}
					if got := live.Assignments[acctA]; len(got) != 1 || got[0] != "GROUP:"+groupID {
						t.Fatalf("assignments after a denied expiry: %v, want the grant's still there", live.Assignments)
					}
					inv := acctest.ExpiryInvocations(t, name)
					if len(inv) == 0 {
						t.Fatal("the schedule was not attempted at expires_at")
					}
					for _, i := range inv {
						if i.Succeeded || i.Final || i.ErrorCode != "AccessDeniedException" ||
							!strings.Contains(i.Message, "assumed-role/"+acctest.ExpiryScheduleGroup(name)+"/") ||
							!strings.Contains(i.Message, "not authorized to perform: sso:DeleteAccountAssignment on resource: "+ps.ARN) {
							t.Fatalf("invocation %+v: want a retried AccessDeniedException of the role on the permission set", i)
						}
					}
					rec.Reset()
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expired"), knownvalue.Bool(true)),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("assignments"), knownvalue.ListExact([]knownvalue.Check{})),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedules"), knownvalue.ListExact([]knownvalue.Check{})),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_schedule_group"), knownvalue.Null()),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expiry_role_arn"), knownvalue.Null()),
					rec.ExpectWarning(notFiredWarning, true),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPermissionSetAssignments(paResource, map[string][]string{acctA: nil}),
					acctest.ExpectExpiryGone(name),
				},
			},
		},
	})
}
