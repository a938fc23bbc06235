package provider_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

const (
	paResource = "zerotrust_privileged_access.test"
	acctA      = "111111111111"
	acctB      = "222222222222"
	// motoAccount is the sandbox's own account: the only one moto reports in
	// ListAccountsForProvisionedPermissionSet (see TestAccPrivilegedAccess_import).
	motoAccount = "123456789012"
)

const basicInline = `{"Statement":[{"Action":["ecs:UpdateService"],"Effect":"Allow","Resource":"arn:aws:ecs:us-east-1:111111111111:service/prod/payments","Sid":"Restart"}],"Version":"2012-10-17"}`

func TestAccPrivilegedAccess_basic(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	var ps acctest.PermissionSetRef
	name := acctest.RandomName("payments-oncall-basic")
	cfg := acctest.Config(acctest.ProviderBlock(), acctest.AccessGroup("oncall", acctest.RandomName("pa-basic-oncall"))) + `
resource "zerotrust_privileged_access" "test" {
  name             = "` + name + `"
  description      = "Payments on-call"
  group            = zerotrust_access_group.oncall.id
  accounts         = ["111111111111", "222222222222"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  customer_managed_policies = [{ name = "OnCallExtras", path = "/payments/" }]
  # Written out of order and indented: the plan shows the canonical text.
  inline_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Sid": "Restart",
        "Resource": "arn:aws:ecs:us-east-1:111111111111:service/prod/payments",
        "Effect": "Allow",
        "Action": ["ecs:UpdateService"]
      }]
    }
  EOT
  session_duration = "PT90M"
  expires_at       = "2099-01-01T00:00:00Z"
}
`
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckPermissionSetGone(t, &ps),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				// Reviewers read the real policy and name in the plan.
				plancheck.ExpectKnownValue(paResource, tfjsonpath.New("inline_policy_canonical"), knownvalue.StringExact(basicInline)),
				plancheck.ExpectKnownValue(paResource, tfjsonpath.New("permission_set_name"), knownvalue.StringExact(name)),
				plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expired"), knownvalue.Bool(false)),
				// The group is created in the same plan, so its assignments are not known yet.
				plancheck.ExpectUnknownValue(paResource, tfjsonpath.New("assignments")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(paResource, tfjsonpath.New("assignments"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue(paResource, tfjsonpath.New("expired"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(paResource, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`/ps-[a-z0-9]+$`))),
				acctest.CapturePermissionSet(paResource, &ps),
				acctest.ExpectPermissionSet(paResource, knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"name": knownvalue.StringExact(name), "description": knownvalue.StringExact("Payments on-call"), "session_duration": knownvalue.StringExact("PT1H30M"),
					// The canonical text.
					"inline_policy":             knownvalue.StringExact(basicInline),
					"managed_policies":          knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("arn:aws:iam::aws:policy/ReadOnlyAccess")}),
					"customer_managed_policies": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("/payments/OnCallExtras")}),
					"tags": knownvalue.MapPartial(map[string]knownvalue.Check{
						"managed-by": knownvalue.StringExact("terraform-provider-zerotrust"), "zerotrust:privileged-access": knownvalue.StringExact(name),
					}),
				})),
				acctest.ExpectPermissionSetAssignments(paResource, map[string][]string{
					acctA: {"GROUP:${zerotrust_access_group.oncall}"}, acctB: {"GROUP:${zerotrust_access_group.oncall}"},
				}),
			},
		}},
	})
}

func privilegedConfig(group, body string) string {
	return acctest.Config(acctest.ProviderBlock(), acctest.Resource("zerotrust_privileged_access", "test", acctest.Attr("group", group), body))
}

// TestAccPrivilegedAccess_import imports by `<instance arn>,<permission set arn>`,
// with the import command and with an import block.
func TestAccPrivilegedAccess_import(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	group := acctest.CreateIdentityGroup(t, acctest.RandomName("pa-import-group"))
	var ps acctest.PermissionSetRef
	cfg := privilegedConfig(group, `
  name             = "`+acctest.RandomName("import-me")+`"
  description      = "imported"
  accounts         = ["`+motoAccount+`"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  customer_managed_policies = [{ name = "Base", path = "/" }]
  inline_policy    = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::reports/*" }] })
  session_duration = "PT2H"
`)
	// AWS provisions a permission set to an account when it is assigned there;
	// moto records provisioning only on ProvisionPermissionSet, and only for
	// its own account. Import finds assignments through the provisioned
	// accounts, so the sandbox is brought in line with AWS here.
	provision := func() { acctest.ProvisionPermissionSet(t, ps.Instance, ps.ARN) }
	importID := func(*terraform.State) (string, error) { return ps.Instance + "," + ps.ARN, nil }
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckPermissionSetGone(t, &ps),
		Steps: []resource.TestStep{
			{Config: cfg, ConfigStateChecks: []statecheck.StateCheck{acctest.CapturePermissionSet(paResource, &ps)}},
			{
				PreConfig:         provision,
				ResourceName:      paResource,
				ImportState:       true,
				ImportStateIdFunc: importID,
				ImportStateVerify: true,
			},
			{
				Config:            importBlockProviderSource() + cfg,
				ResourceName:      paResource,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: importID,
			},
			{
				// -generate-config-out writes configuration that passes the
				// resource's own validation and plans a no-op import.
				ResourceName:      paResource,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				GenerateConfig:    true,
				ImportStateIdFunc: importID,
			},
			{
				ResourceName:  paResource,
				ImportState:   true,
				ImportStateId: "ps-0123456789abcdef",
				ExpectError:   regexp.MustCompile(`(?s)Invalid import id.*expected <instance arn>,<permission set arn>`),
			},
		},
	})
}

func TestAccPrivilegedAccess_update(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	group := acctest.CreateIdentityGroup(t, acctest.RandomName("pa-update-group"))
	name, renamed := acctest.RandomName("update-me"), acctest.RandomName("update-me-v2")
	var ps acctest.PermissionSetRef
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckPermissionSetGone(t, &ps),
		Steps: []resource.TestStep{
			{
				Config: privilegedConfig(group, `
  name             = "`+name+`"
  accounts         = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
`),
				ConfigStateChecks: []statecheck.StateCheck{acctest.CapturePermissionSet(paResource, &ps)},
			},
			{
				Config: privilegedConfig(group, `
  name             = "`+name+`"
  description      = "now with an inline policy"
  accounts         = ["111111111111", "222222222222"]
  managed_policies = ["arn:aws:iam::aws:policy/SecurityAudit"]
  inline_policy    = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "logs:GetLogEvents", Resource = "*" }] })
  session_duration = "PT2H"
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("assignments"), knownvalue.ListSizeExact(2)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPermissionSet(paResource, knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"session_duration": knownvalue.StringExact("PT2H"), "description": knownvalue.StringExact("now with an inline policy"),
						"inline_policy":    knownvalue.StringRegexp(regexp.MustCompile(`logs:GetLogEvents`)),
						"managed_policies": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("arn:aws:iam::aws:policy/SecurityAudit")}),
					})),
					acctest.ExpectPermissionSetAssignments(paResource, map[string][]string{acctA: {"GROUP:" + group}, acctB: {"GROUP:" + group}}),
				},
			},
			{
				Config: privilegedConfig(group, `
  name     = "`+name+`"
  description = "now with an inline policy"
  accounts = ["222222222222"]
  customer_managed_policies = [{ name = "Base" }]
`),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPermissionSet(paResource, knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"inline_policy": knownvalue.StringExact(""), "managed_policies": knownvalue.ListExact([]knownvalue.Check{}),
						"customer_managed_policies": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("/Base")}),
					})),
					acctest.ExpectPermissionSetAssignments(paResource, map[string][]string{acctA: nil, acctB: {"GROUP:" + group}}),
				},
			},
			{
				// Identity Center cannot clear a description: removing it replaces the permission set.
				Config: privilegedConfig(group, `
  name     = "`+name+`"
  accounts = ["222222222222"]
  customer_managed_policies = [{ name = "Base" }]
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPermissionSetReplaced(paResource, &ps),
					acctest.ExpectPermissionSet(paResource, knownvalue.ObjectPartial(map[string]knownvalue.Check{"description": knownvalue.StringExact("")})),
				},
			},
			{
				// A permission set cannot be renamed: a new name replaces it.
				Config: privilegedConfig(group, `
  name     = "`+renamed+`"
  accounts = ["222222222222"]
  customer_managed_policies = [{ name = "Base" }]
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectPermissionSetReplaced(paResource, &ps)},
			},
		},
	})
}

// TestAccPrivilegedAccess_drift changes the permission set out of band; the
// plan shows it and apply restores it. A read-back that differs only in
// white space and key order is not drift.
func TestAccPrivilegedAccess_drift(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	group := acctest.CreateIdentityGroup(t, acctest.RandomName("pa-drift-group"))
	var ps acctest.PermissionSetRef
	inline := `{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"arn:aws:s3:::reports/*"}],"Version":"2012-10-17"}`
	cfg := privilegedConfig(group, `
  name             = "`+acctest.RandomName("drift-me")+`"
  accounts         = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  inline_policy    = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::reports/*" }] })
`)
	putInline := func(doc string) { acctest.PutInlinePolicy(t, ps.Instance, ps.ARN, doc) }
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, ConfigStateChecks: []statecheck.StateCheck{acctest.CapturePermissionSet(paResource, &ps)}},
			{
				// Same policy, pretty-printed with other key order: no change.
				PreConfig: func() {
					putInline("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ { \"Resource\": \"arn:aws:s3:::reports/*\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\" } ]\n}\n")
				},
				Config:   cfg,
				PlanOnly: true,
			},
			{
				PreConfig: func() {
					acctest.AttachManagedPolicy(t, ps.Instance, ps.ARN, "arn:aws:iam::aws:policy/AdministratorAccess")
					if err := acctest.DeleteGroupAssignment(t, ps.Instance, ps.ARN, acctA, group); err != nil {
						t.Fatal(err)
					}
					putInline(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
				},
				Config:             cfg,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: cfg,
				// The drift is corrected.
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPermissionSet(paResource, knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"managed_policies": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("arn:aws:iam::aws:policy/ReadOnlyAccess")}),
						"inline_policy":    knownvalue.StringExact(inline),
					})),
					acctest.ExpectPermissionSetAssignments(paResource, map[string][]string{acctA: {"GROUP:" + group}}),
				},
			},
		},
	})
}

func TestAccPrivilegedAccess_disappears(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	group := acctest.CreateIdentityGroup(t, acctest.RandomName("pa-gone-group"))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: privilegedConfig(group, `
  name     = "`+acctest.RandomName("gone")+`"
  accounts = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
`),
			// Deleted out of band after the apply: the next plan re-creates it.
			ConfigStateChecks:  []statecheck.StateCheck{acctest.DisappearPermissionSet(paResource, acctA, group)},
			ExpectNonEmptyPlan: true,
		}},
	})
}

// TestAccPrivilegedAccess_expiry: an expires_at in the past plans every
// assignment away, sets expired and deletes the expiry schedules and their
// role; the permission set stays.
func TestAccPrivilegedAccess_expiry(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	group := acctest.CreateIdentityGroup(t, acctest.RandomName("pa-expiry-group"))
	name := acctest.RandomName("jit-oncall")
	var ps acctest.PermissionSetRef
	body := func(expires string) string {
		return fmt.Sprintf(`
  name             = "`+name+`"
  accounts         = ["111111111111", "222222222222"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  expires_at       = %q
`, expires)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckPermissionSetGone(t, &ps),
		Steps: []resource.TestStep{
			{
				Config: privilegedConfig(group, body(time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339))),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.CapturePermissionSet(paResource, &ps),
					acctest.ExpectPermissionSetAssignments(paResource, map[string][]string{acctA: {"GROUP:" + group}, acctB: {"GROUP:" + group}}),
					acctest.ExpectExpiryScheduleCount(name, 2),
				},
			},
			{
				Config: privilegedConfig(group, body(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expired"), knownvalue.Bool(true)),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("assignments"), knownvalue.ListExact([]knownvalue.Check{})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					// The permission set outlives its expiry; its assignments do not.
					acctest.ExpectPermissionSetAssignments(paResource, map[string][]string{acctA: nil, acctB: nil}),
					// Expired: the schedules, their group and their role go too.
					acctest.ExpectExpiryGone(name),
				},
			},
		},
	})
}

// TestAccPrivilegedAccess_expiresWithoutChange: nothing in the configuration
// changes; once expires_at passes, the next plan shows the grant expired with
// no assignment (the sandbox's schedule has removed it by then, as AWS's
// would).
func TestAccPrivilegedAccess_expiresWithoutChange(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	// Parallel, but before the clock is read: a parallel test waits for
	// the serial ones, and expires_at must still be ahead when it resumes.
	t.Parallel()
	group := acctest.CreateIdentityGroup(t, acctest.RandomName("pa-expires-group"))
	// Far enough ahead that the schedule cannot fire between the apply and
	// its follow-up plans.
	expires := time.Now().Add(60 * time.Second).UTC().Truncate(time.Second)
	cfg := privilegedConfig(group, fmt.Sprintf(`
  name             = "`+acctest.RandomName("jit-timed")+`"
  accounts         = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  expires_at       = %q
`, expires.Format(time.RFC3339)))
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(paResource, tfjsonpath.New("assignments"), knownvalue.ListSizeExact(1)),
				},
			},
			{
				// Waiting for the clock is the point of this test.
				PreConfig: func() { time.Sleep(time.Until(expires) + time.Second) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expired"), knownvalue.Bool(true)),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("assignments"), knownvalue.ListExact([]knownvalue.Check{})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPermissionSetAssignments(paResource, map[string][]string{acctA: nil}),
				},
			},
		},
	})
}

// TestAccPrivilegedAccess_boundary: a permissions boundary is put, changed
// from an AWS-managed to a customer-managed policy, and removed, in place.
func TestAccPrivilegedAccess_boundary(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	group := acctest.CreateIdentityGroup(t, acctest.RandomName("pa-boundary-group"))
	name := acctest.RandomName("bounded")
	var ps acctest.PermissionSetRef
	cfg := func(boundary string) string {
		return privilegedConfig(group, `
  name             = "`+name+`"
  accounts         = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
`+boundary)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckPermissionSetGone(t, &ps),
		Steps: []resource.TestStep{
			{
				Config: cfg(`  permissions_boundary = { managed_policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess" }` + "\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPermissionSetBoundary(paResource, acctest.PermissionsBoundary{ManagedPolicyARN: "arn:aws:iam::aws:policy/PowerUserAccess"}),
					acctest.CapturePermissionSet(paResource, &ps),
				},
			},
			{
				Config: cfg(`  permissions_boundary = { customer_managed_policy_reference = { name = "Cap", path = "/limits/" } }` + "\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPermissionSetBoundary(paResource, acctest.PermissionsBoundary{CustomerManagedPolicyName: "Cap", CustomerManagedPolicyPath: "/limits/"}),
				},
			},
			{
				Config:            cfg(""),
				ConfigStateChecks: []statecheck.StateCheck{acctest.ExpectNoPermissionSetBoundary(paResource)},
			},
		},
	})
}

func TestAccPrivilegedAccess_badInput(t *testing.T) {
	const g = `group = "9067b2a3-1234-4c5d-8e9f-0123456789ab"` + "\n"
	cases := map[string]struct{ body, want string }{
		"bad account":         {g + `name = "a"` + "\n" + `accounts = ["12345"]`, `(?s)Invalid account id.*accounts = \["12345"\].*"12345" is not an AWS account id`},
		"bad session":         {g + `name = "a"` + "\n" + `session_duration = "PT13H"`, `(?s)Invalid session duration.*session_duration = "PT13H"`},
		"customer ARN":        {g + `name = "a"` + "\n" + `managed_policies = ["arn:aws:iam::123456789012:policy/Mine"]`, `(?s)Customer-managed policy ARN.*managed_policies = `},
		"bad JSON":            {g + `name = "a"` + "\n" + `inline_policy = "{not json"`, `(?s)Invalid policy JSON.*inline_policy = "\{not json"`},
		"admin managed":       {g + `name = "a"` + "\n" + `managed_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]`, `(?s)Administrator managed policy.*managed_policies = .*managed_policies\[0\]: .*set acknowledgement`},
		"admin inline":        {g + `name = "a"` + "\n" + `inline_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })`, `(?s)Full administrator access.*inline_policy = `},
		"passrole":            {g + `name = "a"` + "\n" + `inline_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }] })`, `(?s)iam:PassRole on every role.*inline_policy = `},
		"bad expiry":          {g + `name = "a"` + "\n" + `expires_at = "tomorrow"`, `(?s)Invalid timestamp.*expires_at = "tomorrow".*not an RFC 3339 time`},
		"bad group":           {`group = "payments"` + "\n" + `name = "a"`, `(?s)Invalid group id.*group = "payments"`},
		"two boundaries":      {g + `name = "a"` + "\n" + `permissions_boundary = { managed_policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess", customer_managed_policy_reference = { name = "B" } }`, `(?s)One boundary.*permissions_boundary = .*permissions_boundary: set either`},
		"bad policy path":     {g + `name = "a"` + "\n" + `customer_managed_policies = [{ name = "X", path = "team" }]`, `(?s)Invalid policy path.*customer_managed_policies\[0\]\.path: "team" is not an IAM path`},
		"description charset": {g + `name = "a"` + "\n" + `description = "on-call ☎"`, `(?s)Unsupported character in description.*description = `},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // plan-only, nothing in the sandbox is read or written
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderBlock() + "resource \"zerotrust_privileged_access\" \"test\" {\n" + tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccPrivilegedAccess_acknowledged: an acknowledgement turns the lint
// errors into warnings, so the plan goes through.
func TestAccPrivilegedAccess_acknowledged(t *testing.T) {
	acctest.SafeInRealAccounts(t, acctest.RealIdentityCenter)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: privilegedConfig("9067b2a3-1234-4c5d-8e9f-0123456789ab", `
  name             = "break-glass"
  accounts         = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]
  acknowledgement  = "break-glass role, reviewed by security (SEC-123)"
`),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}

// TestAccPrivilegedAccess_example plans the documented example against the
// sandbox: it must compile, lint (acknowledged) and resolve its members.
func TestAccPrivilegedAccess_example(t *testing.T) {
	acctest.CreateUsers(t, "alice@example.com", "bob@example.com")
	// Serial: the documented example names its users (alice@example.com...), which TestAccAccessGroup_example creates too.
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             exampleConfig(t, "zerotrust_privileged_access"),
			ConfigVariables:    config.Variables{"prod_account_id": config.StringVariable("123456789012")},
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
}
