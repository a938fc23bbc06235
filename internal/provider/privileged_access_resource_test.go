package provider_test

import (
	"fmt"
	"regexp"
	"strings"
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

// psRef is the permission set a test created, filled from state by a Check.
type psRef struct{ instance, arn string }

func (p *psRef) capture(s *terraform.State) error {
	rs := s.RootModule().Resources[paResource]
	p.instance, p.arn = rs.Primary.Attributes["instance_arn"], rs.Primary.ID
	return nil
}

// readPS reads the permission set back through the SDK, as an auditor
// would, with its assignments in accounts.
func readPS(t *testing.T, p psRef, accounts ...string) (acctest.PermissionSet, error) {
	t.Helper()
	return acctest.ReadPermissionSet(t, p.instance, p.arn, accounts...)
}

func checkPermissionSetGone(t *testing.T, p *psRef) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if p.arn == "" {
			return nil
		}
		if acctest.PermissionSetExists(t, p.instance, p.arn) {
			return fmt.Errorf("permission set %s still exists after destroy", p.arn)
		}
		return nil
	}
}

const basicInline = `{"Statement":[{"Action":["ecs:UpdateService"],"Effect":"Allow","Resource":"arn:aws:ecs:us-east-1:111111111111:service/prod/payments","Sid":"Restart"}],"Version":"2012-10-17"}`

func TestAccPrivilegedAccess_basic(t *testing.T) {
	var ps psRef
	var groupID string
	cfg := acctest.ProviderConfig + `
resource "zerotrust_access_group" "oncall" {
  display_name = "pa-basic-oncall"
}

resource "zerotrust_privileged_access" "test" {
  name             = "payments-oncall-basic"
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
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkPermissionSetGone(t, &ps),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				// Reviewers read the real policy and name in the plan.
				plancheck.ExpectKnownValue(paResource, tfjsonpath.New("inline_policy_canonical"), knownvalue.StringExact(basicInline)),
				plancheck.ExpectKnownValue(paResource, tfjsonpath.New("permission_set_name"), knownvalue.StringExact("payments-oncall-basic")),
				plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expired"), knownvalue.Bool(false)),
				// The group is created in the same plan, so its assignments are not known yet.
				plancheck.ExpectUnknownValue(paResource, tfjsonpath.New("assignments")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(paResource, tfjsonpath.New("assignments"), knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue(paResource, tfjsonpath.New("expired"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(paResource, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`/ps-[a-z0-9]+$`))),
			},
			Check: func(s *terraform.State) error {
				_ = ps.capture(s)
				groupID = groupIDFrom(s, "zerotrust_access_group.oncall")
				live, err := readPS(t, ps, acctA, acctB)
				if err != nil {
					return err
				}
				switch {
				case live.Name != "payments-oncall-basic", live.Description != "Payments on-call", live.SessionDuration != "PT1H30M":
					return fmt.Errorf("permission set attributes %+v", live)
				case live.InlinePolicy != basicInline:
					return fmt.Errorf("inline policy %s, want the canonical %s", live.InlinePolicy, basicInline)
				case strings.Join(live.ManagedPolicies, ",") != "arn:aws:iam::aws:policy/ReadOnlyAccess":
					return fmt.Errorf("managed policies %v", live.ManagedPolicies)
				case strings.Join(live.CustomerManagedPolicies, ",") != "/payments/OnCallExtras":
					return fmt.Errorf("customer-managed policies %v", live.CustomerManagedPolicies)
				case live.Tags["managed-by"] != "terraform-provider-zerotrust" || live.Tags["zerotrust:privileged-access"] != "payments-oncall-basic":
					return fmt.Errorf("tags %v", live.Tags)
				}
				for _, acct := range []string{acctA, acctB} {
					if got := strings.Join(live.Assignments[acct], ","); got != "GROUP:"+groupID {
						return fmt.Errorf("assignments in %s: %q, want GROUP:%s", acct, got, groupID)
					}
				}
				return nil
			},
		}},
	})
}

func privilegedConfig(group, body string) string {
	return acctest.ProviderConfig + fmt.Sprintf(`
resource "zerotrust_privileged_access" "test" {
  group = %q
%s
}
`, group, body)
}

// TestAccPrivilegedAccess_import imports by `<instance arn>,<permission set arn>`,
// with the import command and with an import block.
func TestAccPrivilegedAccess_import(t *testing.T) {
	group := acctest.CreateIdentityGroup(t, "pa-import-group")
	var ps psRef
	cfg := privilegedConfig(group, `
  name             = "import-me"
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
	provision := func() { acctest.ProvisionPermissionSet(t, ps.instance, ps.arn) }
	importID := func(*terraform.State) (string, error) { return ps.instance + "," + ps.arn, nil }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkPermissionSetGone(t, &ps),
		Steps: []resource.TestStep{
			{Config: cfg, Check: ps.capture},
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
	group := acctest.CreateIdentityGroup(t, "pa-update-group")
	var ps psRef
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkPermissionSetGone(t, &ps),
		Steps: []resource.TestStep{
			{
				Config: privilegedConfig(group, `
  name             = "update-me"
  accounts         = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
`),
				Check: ps.capture,
			},
			{
				Config: privilegedConfig(group, `
  name             = "update-me"
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
				Check: func(*terraform.State) error {
					live, err := readPS(t, ps, acctA, acctB)
					if err != nil {
						return err
					}
					if live.SessionDuration != "PT2H" || live.Description != "now with an inline policy" || !strings.Contains(live.InlinePolicy, "logs:GetLogEvents") ||
						strings.Join(live.ManagedPolicies, ",") != "arn:aws:iam::aws:policy/SecurityAudit" || len(live.Assignments[acctA]) != 1 || len(live.Assignments[acctB]) != 1 {
						return fmt.Errorf("after update: %+v", live)
					}
					return nil
				},
			},
			{
				Config: privilegedConfig(group, `
  name     = "update-me"
  description = "now with an inline policy"
  accounts = ["222222222222"]
  customer_managed_policies = [{ name = "Base" }]
`),
				Check: func(*terraform.State) error {
					live, err := readPS(t, ps, acctA, acctB)
					if err != nil {
						return err
					}
					if live.InlinePolicy != "" || len(live.ManagedPolicies) != 0 || strings.Join(live.CustomerManagedPolicies, ",") != "/Base" || len(live.Assignments[acctA]) != 0 || len(live.Assignments[acctB]) != 1 {
						return fmt.Errorf("after removals: %+v", live)
					}
					return nil
				},
			},
			{
				// Identity Center cannot clear a description: removing it replaces the permission set.
				Config: privilegedConfig(group, `
  name     = "update-me"
  accounts = ["222222222222"]
  customer_managed_policies = [{ name = "Base" }]
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(s *terraform.State) error {
					old := ps
					_ = ps.capture(s)
					live, err := readPS(t, ps, acctA, acctB)
					if err != nil {
						return err
					}
					if live.Description != "" {
						return fmt.Errorf("description %q after removal", live.Description)
					}
					return checkPermissionSetGone(t, &old)(s)
				},
			},
			{
				// A permission set cannot be renamed: a new name replaces it.
				Config: privilegedConfig(group, `
  name     = "update-me-v2"
  accounts = ["222222222222"]
  customer_managed_policies = [{ name = "Base" }]
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(s *terraform.State) error {
					old := ps
					_ = ps.capture(s)
					return checkPermissionSetGone(t, &old)(s)
				},
			},
		},
	})
}

// TestAccPrivilegedAccess_drift changes the permission set out of band; the
// plan shows it and apply restores it. A read-back that differs only in
// white space and key order is not drift.
func TestAccPrivilegedAccess_drift(t *testing.T) {
	group := acctest.CreateIdentityGroup(t, "pa-drift-group")
	var ps psRef
	inline := `{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"arn:aws:s3:::reports/*"}],"Version":"2012-10-17"}`
	cfg := privilegedConfig(group, `
  name             = "drift-me"
  accounts         = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  inline_policy    = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::reports/*" }] })
`)
	putInline := func(doc string) { acctest.PutInlinePolicy(t, ps.instance, ps.arn, doc) }
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: ps.capture},
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
					acctest.AttachManagedPolicy(t, ps.instance, ps.arn, "arn:aws:iam::aws:policy/AdministratorAccess")
					if err := acctest.DeleteGroupAssignment(t, ps.instance, ps.arn, acctA, group); err != nil {
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
				Check: func(*terraform.State) error {
					live, err := readPS(t, ps, acctA)
					if err != nil {
						return err
					}
					if strings.Join(live.ManagedPolicies, ",") != "arn:aws:iam::aws:policy/ReadOnlyAccess" || live.InlinePolicy != inline || strings.Join(live.Assignments[acctA], ",") != "GROUP:"+group {
						return fmt.Errorf("drift not corrected: %+v", live)
					}
					return nil
				},
			},
		},
	})
}

func TestAccPrivilegedAccess_disappears(t *testing.T) {
	group := acctest.CreateIdentityGroup(t, "pa-gone-group")
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: privilegedConfig(group, `
  name     = "gone"
  accounts = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
`),
			Check: func(s *terraform.State) error {
				var ps psRef
				_ = ps.capture(s)
				if err := acctest.DeleteGroupAssignment(t, ps.instance, ps.arn, acctA, group); err != nil {
					return err
				}
				return acctest.DeletePermissionSet(t, ps.instance, ps.arn)
			},
			ExpectNonEmptyPlan: true,
		}},
	})
}

// TestAccPrivilegedAccess_expiry: an expires_at in the past plans every
// assignment away, sets expired and deletes the expiry schedules and their
// role; the permission set stays.
func TestAccPrivilegedAccess_expiry(t *testing.T) {
	group := acctest.CreateIdentityGroup(t, "pa-expiry-group")
	var ps psRef
	body := func(expires string) string {
		return fmt.Sprintf(`
  name             = "jit-oncall"
  accounts         = ["111111111111", "222222222222"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  expires_at       = %q
`, expires)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkPermissionSetGone(t, &ps),
		Steps: []resource.TestStep{
			{
				Config: privilegedConfig(group, body(time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339))),
				Check: func(s *terraform.State) error {
					_ = ps.capture(s)
					live, err := readPS(t, ps, acctA, acctB)
					if err != nil {
						return err
					}
					if len(live.Assignments[acctA]) != 1 || len(live.Assignments[acctB]) != 1 {
						return fmt.Errorf("assignments before expiry: %v", live.Assignments)
					}
					if schedules, err := acctest.ReadSchedules(t, "zerotrust-jit-jit-oncall"); err != nil || len(schedules) != 2 {
						return fmt.Errorf("expiry schedules before expiry: %v, %v", schedules, err)
					}
					return nil
				},
			},
			{
				Config: privilegedConfig(group, body(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(paResource, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expired"), knownvalue.Bool(true)),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("assignments"), knownvalue.ListExact([]knownvalue.Check{})),
				}},
				Check: func(*terraform.State) error {
					live, err := readPS(t, ps, acctA, acctB)
					if err != nil {
						return fmt.Errorf("the permission set must outlive its expiry: %v", err)
					}
					if len(live.Assignments[acctA])+len(live.Assignments[acctB]) != 0 {
						return fmt.Errorf("assignments after expiry: %v", live.Assignments)
					}
					// Expired: the schedules, their group and their role go too.
					if exists, err := acctest.ScheduleGroupExists(t, "zerotrust-jit-jit-oncall"); err != nil || exists {
						return fmt.Errorf("schedule group after expiry: exists %v, %v", exists, err)
					}
					if _, exists, err := acctest.ReadRole(t, "zerotrust-jit-jit-oncall"); err != nil || exists {
						return fmt.Errorf("expiry role after expiry: exists %v, %v", exists, err)
					}
					return nil
				},
			},
		},
	})
}

// TestAccPrivilegedAccess_expiresWithoutChange: nothing in the configuration
// changes; once expires_at passes, the next plan removes the assignments.
func TestAccPrivilegedAccess_expiresWithoutChange(t *testing.T) {
	group := acctest.CreateIdentityGroup(t, "pa-expires-group")
	var ps psRef
	expires := time.Now().Add(30 * time.Second).UTC().Truncate(time.Second)
	cfg := privilegedConfig(group, fmt.Sprintf(`
  name             = "jit-timed"
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
				Check: ps.capture,
			},
			{
				// Waiting for the clock is the point of this test.
				PreConfig: func() { time.Sleep(time.Until(expires) + time.Second) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("expired"), knownvalue.Bool(true)),
					plancheck.ExpectKnownValue(paResource, tfjsonpath.New("assignments"), knownvalue.ListExact([]knownvalue.Check{})),
				}},
				Check: func(*terraform.State) error {
					live, err := readPS(t, ps, acctA)
					if err != nil {
						return err
					}
					if len(live.Assignments[acctA]) != 0 {
						return fmt.Errorf("assignments after expiry: %v", live.Assignments)
					}
					return nil
				},
			},
		},
	})
}

// TestAccPrivilegedAccess_boundary: a permissions boundary is put, changed
// from an AWS-managed to a customer-managed policy, and removed, in place.
func TestAccPrivilegedAccess_boundary(t *testing.T) {
	group := acctest.CreateIdentityGroup(t, "pa-boundary-group")
	var ps psRef
	cfg := func(boundary string) string {
		return privilegedConfig(group, `
  name             = "bounded"
  accounts         = ["111111111111"]
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
`+boundary)
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkPermissionSetGone(t, &ps),
		Steps: []resource.TestStep{
			{
				Config: cfg(`  permissions_boundary = { managed_policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess" }` + "\n"),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.ExpectPermissionSetBoundary(paResource, acctest.PermissionsBoundary{ManagedPolicyARN: "arn:aws:iam::aws:policy/PowerUserAccess"}),
				},
				Check: ps.capture,
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
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      acctest.ProviderConfig + "resource \"zerotrust_privileged_access\" \"test\" {\n" + tc.body + "\n}\n",
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
	resource.Test(t, resource.TestCase{
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
