package vafront

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/iampolicy"
)

// Invoking a schedule's target as AWS does: EventBridge Scheduler assumes
// the execution role (its trust policy must admit the service principal
// scheduler.amazonaws.com with aws:SourceArn = the schedule group's ARN and
// aws:SourceAccount = the account, the confused-deputy keys AWS documents
// for Scheduler), then calls the target API with the role's session, whose
// identity policies (inline and attached, within the permissions boundary)
// must allow the IAM action on every resource the Service Authorization
// Reference lists for it. Nothing in the schedule's input is trusted: the
// resources are those the call names, checked before it is made.

// universalTarget is an aws-sdk:<service>:<apiAction> target the sandbox runs.
type universalTarget struct {
	iamAction string // e.g. sso:DeleteAccountAssignment
	// resources are the ARNs the action is authorized on, from the call's
	// parameters (a required one missing is a ValidationException).
	resources func(in map[string]any) ([]string, *apiFailure)
	// signingName and jsonTarget route the call through the front's own
	// handler: the SigV4 service and the X-Amz-Target of the operation.
	signingName, jsonTarget string
}

var universalTargets = map[string]universalTarget{
	"ssoadmin:deleteAccountAssignment": {
		iamAction: "sso:DeleteAccountAssignment",
		resources: func(in map[string]any) ([]string, *apiFailure) {
			// Service Authorization Reference, IAM Identity Center:
			// DeleteAccountAssignment needs Account*, Instance* and
			// PermissionSet*.
			vals := map[string]string{}
			for _, k := range []string{"InstanceArn", "PermissionSetArn", "PrincipalId", "PrincipalType", "TargetId", "TargetType"} {
				s, _ := in[k].(string)
				if s == "" {
					return nil, &apiFailure{"ValidationException", fmt.Sprintf("1 validation error detected: Value null at '%s%s' failed to satisfy constraint: Member must not be null", strings.ToLower(k[:1]), k[1:])}
				}
				vals[k] = s
			}
			return []string{vals["InstanceArn"], vals["PermissionSetArn"], "arn:aws:sso:::account/" + vals["TargetId"]}, nil
		},
		signingName: "sso", jsonTarget: "SWBExternalService.DeleteAccountAssignment",
	},
}

// invoke authorizes and makes the target call of s; nil is success.
func (f *Front) invoke(ctx context.Context, s *scheduler.GetScheduleOutput) *apiFailure {
	if s.Target == nil {
		return &apiFailure{"ValidationException", "the schedule has no target"}
	}
	arn, roleARN := aws.ToString(s.Target.Arn), aws.ToString(s.Target.RoleArn)
	spec, ok := strings.CutPrefix(arn, "arn:aws:scheduler:::aws-sdk:")
	if !ok {
		return &apiFailure{"UnsupportedTarget", fmt.Sprintf("the sandbox invokes universal targets (arn:aws:scheduler:::aws-sdk:…) only, not %s", arn)}
	}
	target, ok := universalTargets[spec]
	if !ok {
		return &apiFailure{"UnsupportedTarget", fmt.Sprintf("the sandbox does not implement the universal target %s", arn)}
	}
	body := []byte(aws.ToString(s.Target.Input))
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		return &apiFailure{"ValidationException", fmt.Sprintf("the target input is not a JSON object: %v", err)}
	}
	resources, fail := target.resources(in)
	if fail != nil {
		return fail
	}
	if fail := f.authorize(ctx, s, roleARN, target.iamAction, resources); fail != nil {
		return fail
	}
	return f.callOwnJSON(ctx, target.signingName, target.jsonTarget, body)
}

// authorize decides whether EventBridge Scheduler, as the schedule's
// execution role, may perform action on every resource.
func (f *Front) authorize(ctx context.Context, s *scheduler.GetScheduleOutput, roleARN, action string, resources []string) *apiFailure {
	roleName := roleARN[strings.LastIndexByte(roleARN, '/')+1:]
	if !strings.HasPrefix(roleARN, "arn:aws:iam::") || !strings.Contains(roleARN, ":role/") || roleName == "" {
		return &apiFailure{"AccessDeniedException", fmt.Sprintf("the execution role %q is not an IAM role ARN", roleARN)}
	}
	c := iam.NewFromConfig(f.awsConfig())
	role, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
	if err != nil {
		fail := failureOf(err)
		return &apiFailure{"AccessDeniedException", fmt.Sprintf("EventBridge Scheduler could not assume the execution role %s: %s: %s", roleARN, fail.Code, fail.Message)}
	}
	if got := aws.ToString(role.Role.Arn); got != roleARN {
		return &apiFailure{"AccessDeniedException", fmt.Sprintf("EventBridge Scheduler could not assume the execution role %s: no such role (the role named %s is %s)", roleARN, roleName, got)}
	}
	// The request context names the schedule's own group, in the region
	// and account of the schedule's ARN (arn:aws:scheduler:R:A:schedule/G/N).
	region, account := f.opts.Region, f.opts.AccountID
	if parts := strings.SplitN(aws.ToString(s.Arn), ":", 6); len(parts) == 6 {
		region, account = parts[3], parts[4]
	}
	groupARN := fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule-group/%s", region, account, aws.ToString(s.GroupName))
	trust, err := iampolicy.Parse(aws.ToString(role.Role.AssumeRolePolicyDocument))
	if err != nil {
		return &apiFailure{"AccessDeniedException", fmt.Sprintf("the trust policy of %s: %v", roleARN, err)}
	}
	assume := iampolicy.Request{
		PrincipalType: "Service", PrincipalID: "scheduler.amazonaws.com",
		Action: "sts:AssumeRole", Resource: roleARN,
		Context: map[string][]string{"aws:SourceArn": {groupARN}, "aws:SourceAccount": {account}},
	}
	if d := iampolicy.Evaluate(assume, trust); d != iampolicy.Allow {
		return &apiFailure{"AccessDeniedException", fmt.Sprintf(
			"EventBridge Scheduler is not authorized to perform: sts:AssumeRole on resource: %s (%s by its trust policy for scheduler.amazonaws.com with aws:SourceArn %s and aws:SourceAccount %s)",
			roleARN, d, groupARN, account)}
	}
	identity, err := f.rolePolicies(ctx, c, roleName)
	if err != nil {
		return &apiFailure{"InternalServerException", fmt.Sprintf("reading the policies of %s: %v", roleARN, err)}
	}
	var boundary *iampolicy.Policy
	if b := role.Role.PermissionsBoundary; b != nil && aws.ToString(b.PermissionsBoundaryArn) != "" {
		if boundary, err = managedPolicy(ctx, c, aws.ToString(b.PermissionsBoundaryArn)); err != nil {
			return &apiFailure{"InternalServerException", fmt.Sprintf("reading the permissions boundary of %s: %v", roleARN, err)}
		}
	}
	session := "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + aws.ToString(s.Name)
	for _, res := range resources {
		req := iampolicy.Request{
			Action: action, Resource: res,
			Context: map[string][]string{
				"aws:PrincipalArn": {roleARN}, "aws:PrincipalAccount": {account}, "aws:PrincipalType": {"AssumedRole"},
				"aws:RequestedRegion": {region},
			},
		}
		d := iampolicy.Evaluate(req, identity...)
		why := ""
		switch {
		case d == iampolicy.ExplicitDeny:
			why = "with an explicit deny in an identity-based policy"
		case d == iampolicy.ImplicitDeny:
			why = "because no identity-based policy allows the " + action + " action"
		case boundary != nil && iampolicy.Evaluate(req, boundary) != iampolicy.Allow:
			why = "because no permissions boundary allows the " + action + " action"
		}
		if why != "" {
			return &apiFailure{"AccessDeniedException", fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", session, action, res, why)}
		}
	}
	return nil
}

// rolePolicies reads the role's inline and attached managed policies.
func (f *Front) rolePolicies(ctx context.Context, c *iam.Client, role string) ([]*iampolicy.Policy, error) {
	var out []*iampolicy.Policy
	inline := iam.NewListRolePoliciesPaginator(c, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, name := range page.PolicyNames {
			doc, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name)})
			if err != nil {
				return nil, err
			}
			p, err := iampolicy.Parse(aws.ToString(doc.PolicyDocument))
			if err != nil {
				return nil, fmt.Errorf("inline policy %s: %w", name, err)
			}
			out = append(out, p)
		}
	}
	attached := iam.NewListAttachedRolePoliciesPaginator(c, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, ap := range page.AttachedPolicies {
			p, err := managedPolicy(ctx, c, aws.ToString(ap.PolicyArn))
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// managedPolicy reads the default version of a managed policy.
func managedPolicy(ctx context.Context, c *iam.Client, arn string) (*iampolicy.Policy, error) {
	pol, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("managed policy %s: %w", arn, err)
	}
	ver, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: pol.Policy.DefaultVersionId})
	if err != nil {
		return nil, fmt.Errorf("managed policy %s: %w", arn, err)
	}
	p, err := iampolicy.Parse(aws.ToString(ver.PolicyVersion.Document))
	if err != nil {
		return nil, fmt.Errorf("managed policy %s: %w", arn, err)
	}
	return p, nil
}

// callOwnJSON makes a JSON-protocol call through the front itself (its
// handlers, counters and faults, then moto), exactly as a client's call
// goes, so the front's state and moto's agree afterwards.
func (f *Front) callOwnJSON(ctx context.Context, service, target string, body []byte) *apiFailure {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return &apiFailure{"InternalServerException", err.Error()}
	}
	req.Host = service + "." + f.opts.Region + ".amazonaws.com"
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	// moto reads service, region and account from the credential scope.
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=host;x-amz-target, Signature=0",
		motoAccessKey, f.now().UTC().Format("20060102"), f.opts.Region, service))
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, req)
	if rec.Code == http.StatusOK {
		return nil
	}
	var e struct {
		Type    string `json:"__type"`
		Message string `json:"Message"`
		Lower   string `json:"message"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	code := e.Type[strings.LastIndexByte(e.Type, '#')+1:]
	if code == "" {
		code = rec.Header().Get("X-Amzn-Errortype")
	}
	if code == "" {
		code = fmt.Sprintf("HTTP%d", rec.Code)
	}
	msg := e.Message
	if msg == "" {
		msg = e.Lower
	}
	if msg == "" {
		msg = strings.TrimSpace(rec.Body.String())
	}
	return &apiFailure{code, msg}
}
