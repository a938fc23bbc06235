package identitycenter_test

import (
	"fmt"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/identitycenter"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

func printProblems(ps model.Problems) {
	for _, p := range ps { // already in a deterministic order
		sev := "error"
		if p.Severity == model.Warning {
			sev = "warning"
		}
		fmt.Printf("%s at %s: %s\n  %s\n", sev, p.Path, p.Summary, p.Detail)
	}
}

// A just-in-time on-call access compiles into a permission set whose every
// field is normalized: PT90M becomes PT1H30M, the inline policy is canonical
// JSON, lists are sorted and deduplicated, and the group is assigned in each
// account until expires_at.
func ExampleCompile() {
	access := model.PrivilegedAccess{
		Name:            "payments-oncall",
		Group:           "9067b2a3-1234-4c5d-8e9f-0123456789ab",
		Accounts:        []string{"210987654321", "123456789012"},
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		InlinePolicy: `{
		  "Version": "2012-10-17",
		  "Statement": [{
		    "Sid": "RestartPayments",
		    "Effect": "Allow",
		    "Action": ["ecs:UpdateService"],
		    "Resource": "arn:aws:ecs:us-east-1:123456789012:service/prod/payments"
		  }]
		}`,
		PermissionsBoundary: &model.PermissionsBoundary{CustomerManagedPolicy: &model.PolicyReference{Name: "OnCallBoundary"}},
		SessionDuration:     "PT90M",
		ExpiresAt:           time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
		Description:         "Payments on-call (JIT)",
	}
	set, problems := identitycenter.Compile(access, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	printProblems(problems)
	fmt.Println("name:            ", set.Name)
	fmt.Println("description:     ", set.Description)
	fmt.Println("session duration:", set.SessionDuration)
	fmt.Println("inline policy:   ", set.InlinePolicy)
	fmt.Println("managed policies:", set.ManagedPolicies)
	fmt.Println("boundary:        ", set.PermissionsBoundary.CustomerManagedPolicy)
	for _, a := range set.Assignments {
		fmt.Println("assignment:      ", a)
	}

	// After expires_at the same access compiles with no assignments.
	expired, problems := identitycenter.Compile(access, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	printProblems(problems)
	fmt.Println("assignments after expiry:", len(expired.Assignments))
	// Output:
	// name:             payments-oncall
	// description:      Payments on-call (JIT)
	// session duration: PT1H30M
	// inline policy:    {"Statement":[{"Action":["ecs:UpdateService"],"Effect":"Allow","Resource":"arn:aws:ecs:us-east-1:123456789012:service/prod/payments","Sid":"RestartPayments"}],"Version":"2012-10-17"}
	// managed policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
	// boundary:         /OnCallBoundary
	// assignment:       GROUP 9067b2a3-1234-4c5d-8e9f-0123456789ab in 123456789012
	// assignment:       GROUP 9067b2a3-1234-4c5d-8e9f-0123456789ab in 210987654321
	// warning at expires_at: Access expired
	//   the access expired at 2026-12-31T00:00:00Z; its account assignments are removed
	// assignments after expiry: 0
}

// The over-privilege lint: full admin, iam:PassRole on every role and a
// wildcard over a privileged service are errors; NotAction and s3:* on every
// resource are warnings; AdministratorAccess is an error at its list index.
func ExampleLint() {
	access := model.PrivilegedAccess{
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"},
		InlinePolicy: `{"Version": "2012-10-17", "Statement": [
		  {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
		  {"Sid": "Deploy", "Effect": "Allow", "Action": ["ecs:*", "IAM:Pass*"], "Resource": "*"},
		  {"Sid": "Keys", "Effect": "Allow", "Action": "kms:*", "Resource": "arn:aws:kms:us-east-1:123456789012:key/abc"},
		  {"Sid": "Data", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
		  {"Sid": "AllButIam", "Effect": "Allow", "NotAction": ["iam:*", "sts:*", "organizations:*", "sso:*", "sso-directory:*", "identitystore:*", "account:*", "kms:*", "cloudtrail:*", "secretsmanager:*"], "Resource": "arn:aws:s3:::logs/*"}
		]}`,
	}
	printProblems(identitycenter.Lint(access))

	fmt.Println("--- with acknowledgement")
	access.InlinePolicy = ""
	access.Acknowledgement = "break-glass, approved in SEC-42"
	printProblems(identitycenter.Lint(access))
	// Output:
	// error at inline_policy: Full administrator access
	//   [admin-wildcard] Statement[0] (Sid "Everything") allows Action "*" on Resource "*": full administrator access to every assigned account, including rewriting its own permissions. Narrow it, or set acknowledgement to the reason this is accepted.
	// error at inline_policy: iam:PassRole on every role
	//   [passrole-wildcard] Statement[1] (Sid "Deploy") allows Action ["ecs:*", "IAM:Pass*"] on Resource "*", which includes iam:PassRole on every role: passing any role to a service (EC2, Lambda, CloudFormation…) escalates to that role's permissions, up to administrator. Narrow it, or set acknowledgement to the reason this is accepted.
	// warning at inline_policy: Wildcard over a privileged service
	//   [privileged-service-wildcard] Statement[2] (Sid "Keys") allows Action "kms:*" on Resource "arn:aws:kms:us-east-1:123456789012:key/abc", which grants kms:*: identity, key, organization and audit-trail control planes: a wildcard there is privilege escalation or defense evasion, so even a scoped resource is worth a warning.
	// warning at inline_policy: Wildcard over a data service on every resource
	//   [data-service-wildcard] Statement[3] (Sid "Data") allows Action "s3:*" on Resource "*", which grants s3:*: data exfiltration and resource exposure across the account; a warning because scoped administration by wildcard is common and is not escalation by itself.
	// warning at inline_policy: Allow with NotAction
	//   [not-action-allow] Statement[4] (Sid "AllButIam") allows NotAction ["iam:*", "sts:*", "organizations:*", "sso:*", "sso-directory:*", … 5 more] on Resource "arn:aws:s3:::logs/*": this allows every action of every service except those listed, including services AWS launches later.
	// error at managed_policies[1]: Administrator managed policy
	//   [admin-managed-policy] arn:aws:iam::aws:policy/AdministratorAccess: Action "*" on Resource "*". This is administrator access, or control of identity or the organization from which administrator access is one step away: the opposite of least privilege. Narrow it, or set acknowledgement to the reason this is accepted.
	// --- with acknowledgement
	// warning at managed_policies[1]: Acknowledged: Administrator managed policy
	//   [admin-managed-policy] arn:aws:iam::aws:policy/AdministratorAccess: Action "*" on Resource "*". This is administrator access, or control of identity or the organization from which administrator access is one step away: the opposite of least privilege. Acknowledged because: break-glass, approved in SEC-42
}

// Diff normalizes both sides, so reading back what AWS returns (pretty
// printed, reordered, PT90M) is no change; real differences become the
// minimal create/delete sets.
func ExampleDiff() {
	group := "9067b2a3-1234-4c5d-8e9f-0123456789ab"
	desired := identitycenter.PermissionSet{
		Name: "payments-oncall", SessionDuration: "PT1H30M",
		InlinePolicy:    `{"Statement":{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"},"Version":"2012-10-17"}`,
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		Assignments: []identitycenter.Assignment{
			{AccountID: "111111111111", PrincipalType: "GROUP", PrincipalID: group},
			{AccountID: "222222222222", PrincipalType: "GROUP", PrincipalID: group},
		},
	}
	live := identitycenter.PermissionSet{
		Name: "payments-oncall", SessionDuration: "PT90M",
		InlinePolicy:    "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}\n}",
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"},
		Assignments: []identitycenter.Assignment{
			{AccountID: "222222222222", PrincipalType: "GROUP", PrincipalID: group},
			{AccountID: "333333333333", PrincipalType: "GROUP", PrincipalID: group},
		},
	}
	c := identitycenter.Diff(desired, live)
	fmt.Println("create:", c.CreateAssignments)
	fmt.Println("delete:", c.DeleteAssignments)
	fmt.Println("detach:", c.DetachManagedPolicies)
	fmt.Println("put inline policy:", c.PutInlinePolicy, "update attributes:", c.UpdateAttributes, "provision:", c.NeedsProvision())
	// Output:
	// create: [GROUP 9067b2a3-1234-4c5d-8e9f-0123456789ab in 111111111111]
	// delete: [GROUP 9067b2a3-1234-4c5d-8e9f-0123456789ab in 333333333333]
	// detach: [arn:aws:iam::aws:policy/AdministratorAccess]
	// put inline policy: false update attributes: false provision: true
}

func ExamplePermissionSetName() {
	fmt.Println(identitycenter.PermissionSetName("payments-oncall"))
	fmt.Println(identitycenter.PermissionSetName("payments on-call (EU)"))
	fmt.Println(identitycenter.PermissionSetName("production-payments-database-break-glass"))
	// Output:
	// payments-oncall
	// payments-on-call-EU-2d99b64d
	// production-payments-dat-1e0939da
}

func ExampleCanonicalPolicy() {
	out, err := identitycenter.CanonicalPolicy(`{
	  "Version": "2012-10-17",
	  "Statement": {"Sid": "Café", "Resource": "arn:aws:s3:::b/<x>", "Effect": "Allow", "Action": "s3:GetObject"}
	}`)
	fmt.Println(out, err)
	// Output:
	// {"Statement":{"Action":"s3:GetObject","Effect":"Allow","Resource":"arn:aws:s3:::b/<x>","Sid":"Caf\u00e9"},"Version":"2012-10-17"} <nil>
}

// A grant's expiry compiles, given the account it lives in, into everything
// AWS holds to end it on time: the schedule group, the execution role with
// its trust and permissions policies, and one schedule per assignment with
// its ARN, expression and DeleteAccountAssignment input. The reconciler only
// compares these with what exists and writes the difference.
func ExampleCompileExpiry() {
	env := identitycenter.AccountEnv{AccountID: "123456789012", Partition: "aws", Region: "us-east-1"}
	expiry, err := identitycenter.CompileExpiry(env, identitycenter.ExpiryGrant{
		PermissionSetName: "payments-oncall",
		InstanceARN:       "arn:aws:sso:::instance/ssoins-1111111111111111",
		PermissionSetARN:  "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222",
		ExpiresAt:         time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
		Assignments: []identitycenter.Assignment{
			{AccountID: "210987654321", PrincipalType: "GROUP", PrincipalID: "9067b2a3-1234-4c5d-8e9f-0123456789ab"},
			{AccountID: "123456789012", PrincipalType: "GROUP", PrincipalID: "9067b2a3-1234-4c5d-8e9f-0123456789ab"},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("schedule group:", expiry.Name)
	fmt.Println("group ARN:     ", expiry.GroupARN)
	fmt.Println("role ARN:      ", expiry.Role.ARN)
	fmt.Println("trust policy:  ", expiry.Role.TrustPolicy)
	fmt.Println("role policy:   ", expiry.Role.PolicyName, expiry.Role.Policy)
	fmt.Println("target:        ", expiry.Target.ARN)
	for _, s := range expiry.Schedules {
		fmt.Println("schedule:      ", s.ARN)
		fmt.Println("  expression:  ", s.Expression, expiry.Target.Timezone)
		fmt.Println("  input:       ", s.Input)
	}
	fmt.Println("complete:      ", expiry.Complete())
	// Output:
	// schedule group: zerotrust-jit-payments-oncall
	// group ARN:      arn:aws:scheduler:us-east-1:123456789012:schedule-group/zerotrust-jit-payments-oncall
	// role ARN:       arn:aws:iam::123456789012:role/zerotrust-jit/zerotrust-jit-payments-oncall
	// trust policy:   {"Statement":[{"Action":["sts:AssumeRole"],"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012","aws:SourceArn":"arn:aws:scheduler:us-east-1:123456789012:schedule-group/zerotrust-jit-payments-oncall"}},"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"}}],"Version":"2012-10-17"}
	// role policy:    delete-expired-assignments {"Statement":[{"Action":["sso:DeleteAccountAssignment"],"Effect":"Allow","Resource":["arn:aws:sso:::instance/ssoins-1111111111111111","arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222","arn:aws:sso:::account/123456789012","arn:aws:sso:::account/210987654321"],"Sid":"DeleteThisGrantsAssignments"}],"Version":"2012-10-17"}
	// target:         arn:aws:scheduler:::aws-sdk:ssoadmin:deleteAccountAssignment
	// schedule:       arn:aws:scheduler:us-east-1:123456789012:schedule/zerotrust-jit-payments-oncall/expire-123456789012-a11ddecf49adab9a
	//   expression:   at(2026-12-31T00:00:00) UTC
	//   input:        {"InstanceArn":"arn:aws:sso:::instance/ssoins-1111111111111111","TargetId":"123456789012","TargetType":"AWS_ACCOUNT","PermissionSetArn":"arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222","PrincipalType":"GROUP","PrincipalId":"9067b2a3-1234-4c5d-8e9f-0123456789ab"}
	// schedule:       arn:aws:scheduler:us-east-1:123456789012:schedule/zerotrust-jit-payments-oncall/expire-210987654321-a11ddecf49adab9a
	//   expression:   at(2026-12-31T00:00:00) UTC
	//   input:        {"InstanceArn":"arn:aws:sso:::instance/ssoins-1111111111111111","TargetId":"210987654321","TargetType":"AWS_ACCOUNT","PermissionSetArn":"arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222","PrincipalType":"GROUP","PrincipalId":"9067b2a3-1234-4c5d-8e9f-0123456789ab"}
	// complete:       true
}
