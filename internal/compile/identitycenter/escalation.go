package identitycenter

import (
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// EscalationMethod is a set of actions that, granted together on broad
// resources, lets a principal obtain permissions it was not given.
type EscalationMethod struct {
	Name    string
	Actions []string // lower case, as the lint compares them
	How     string
}

// EscalationMethods follows cloudsplaining's PRIVILEGE_ESCALATION_METHODS
// (salesforce/cloudsplaining, cloudsplaining/shared/constants.py: the Rhino
// Security Labs set plus the pathfinding.cloud additions), with two
// deliberate differences:
//
//   - methods that need iam:PassRole are left out, because passrole-wildcard
//     already reports iam:PassRole on a broad resource as an error whatever
//     it is combined with (stricter than requiring the combination);
//   - AssumeAnyRole (sts:AssumeRole on a broad resource) is added: it
//     reaches every role whose trust policy trusts the account, which in
//     practice includes administrator roles.
//
// The methods are matched across statements, as a principal's permissions
// are the union of its Allow statements; only grants on broad resources
// count.
var EscalationMethods = []EscalationMethod{
	{"CreateAccessKey", []string{"iam:createaccesskey"}, "create access keys for another user"},
	{"CreateLoginProfile", []string{"iam:createloginprofile"}, "set a console password for another user"},
	{"UpdateLoginProfile", []string{"iam:updateloginprofile"}, "change another user's console password"},
	{"AddUserToGroup", []string{"iam:addusertogroup"}, "join a more privileged IAM group"},
	{"CreateNewPolicyVersion", []string{"iam:createpolicyversion"}, "rewrite a managed policy and make it the default version"},
	{"SetExistingDefaultPolicyVersion", []string{"iam:setdefaultpolicyversion"}, "switch a managed policy to a broader old version"},
	{"AttachUserPolicy", []string{"iam:attachuserpolicy"}, "attach AdministratorAccess to a user"},
	{"AttachGroupPolicy", []string{"iam:attachgrouppolicy"}, "attach AdministratorAccess to a group"},
	{"AttachRolePolicy", []string{"iam:attachrolepolicy"}, "attach AdministratorAccess to a role"},
	{"PutUserPolicy", []string{"iam:putuserpolicy"}, "write an inline policy on a user"},
	{"PutGroupPolicy", []string{"iam:putgrouppolicy"}, "write an inline policy on a group"},
	{"PutRolePolicy", []string{"iam:putrolepolicy"}, "write an inline policy on a role"},
	{"UpdateRolePolicyToAssumeIt", []string{"iam:updateassumerolepolicy"}, "make any role trust the caller"},
	{"AssumeAnyRole", []string{"sts:assumerole"}, "assume every role that trusts the account"},
	{"UpdateExistingGlueDevEndpoint", []string{"glue:updatedevendpoint"}, "log into a Glue endpoint and use its role"},
	{"EditExistingLambdaFunctionWithRole", []string{"lambda:updatefunctioncode"}, "run own code as a function's role"},
	{"ExecuteCloudFormationChangeSet", []string{"cloudformation:createchangeset", "cloudformation:executechangeset"}, "deploy through a stack's service role"},
	{"ModifyEC2InstanceUserDataThenRestart", []string{"ec2:modifyinstanceattribute", "ec2:stopinstances", "ec2:startinstances"}, "run own code at boot as an instance's role"},
	{"ModifyExistingEC2LaunchTemplate", []string{"ec2:createlaunchtemplateversion", "ec2:modifylaunchtemplate"}, "run own code on instances launched from a template"},
	{"EC2InstanceConnectSendSSHPublicKey", []string{"ec2-instance-connect:sendsshpublickey", "ec2:describeinstances"}, "log into instances and use their roles"},
	{"ECSExecuteCommandOnRunningTask", []string{"ecs:executecommand", "ecs:describetasks"}, "run commands in a task as its role"},
	{"CreatePresignedSageMakerNotebookUrl", []string{"sagemaker:createpresignednotebookinstanceurl"}, "open a notebook and use its role"},
	{"UpdateSageMakerNotebookLifecycleConfig", []string{"sagemaker:createnotebookinstancelifecycleconfig", "sagemaker:stopnotebookinstance",
		"sagemaker:updatenotebookinstance", "sagemaker:startnotebookinstance"}, "run own code in a notebook as its role"},
}

// lintEscalation reports, once per policy, the escalation methods completed
// by its grants on broad resources. A method is left out when its every
// action belongs to a service whose wildcard was already reported as an
// error, and nothing is reported after admin-wildcard: those findings
// already say more.
func lintEscalation(scan policyScan, path model.Path, ps *model.Problems) {
	if scan.admin || len(scan.broad) == 0 {
		return
	}
	var found []string
	for _, m := range EscalationMethods {
		complete, alreadySaid := true, true
		for _, action := range m.Actions {
			if !grantedBroadly(scan.broad, action) {
				complete = false
				break
			}
			svc, _, _ := strings.Cut(action, ":")
			alreadySaid = alreadySaid && scan.privileged[svc]
		}
		if complete && !alreadySaid {
			found = append(found, m.Name+" ("+m.How+")")
		}
	}
	if len(found) == 0 {
		return
	}
	add(ps, model.Error, path, "Privilege escalation", RulePrivilegeEscalation,
		"the policy allows, on wildcard resources, every action of these privilege-escalation methods: %s; %s.", strings.Join(found, "; "), ruleWhy(RulePrivilegeEscalation))
}

func grantedBroadly(broad []statement, action string) bool {
	for _, st := range broad {
		if st.coversAction(action) {
			return true
		}
	}
	return false
}

// broadResource reports whether a Resource pattern covers every resource of
// some type (a "wildcard resource"):
//
//   - nothing but asterisks: "*", "**";
//   - an ARN cut short by a wildcard field, which matches the rest
//     (an IAM "*" also matches ":"): "arn:*", "arn:aws:*", "arn:aws:iam::*";
//   - a wildcard in the service field: "arn:aws:*:*:*:*";
//   - a resource part of asterisks only: "arn:aws:iam::*:*";
//   - a resource type followed by asterisks only: "arn:aws:iam::123456789012:role/*",
//     "arn:aws:dynamodb:*:*:table/*", "arn:aws:logs:*:*:log-group:*";
//   - for S3, whose resource part is a bucket name, a bucket of asterisks
//     only: "arn:aws:s3:::*", "arn:aws:s3:::*/*".
//
// A name prefix (role/app-*), a path (role/service-role/*) or one bucket's
// objects (arn:aws:s3:::b/*) is scoped; a wildcard account or region does
// not make a named resource broad.
func broadResource(r string) bool {
	if r == "" {
		return false
	}
	if allStars(r) {
		return true
	}
	fields := strings.SplitN(r, ":", 6)
	if len(fields) < 6 {
		return strings.Contains(fields[len(fields)-1], "*")
	}
	service, resource := fields[2], fields[5]
	switch {
	case strings.Contains(service, "*"), allStars(resource):
		return true
	case strings.EqualFold(service, "s3"):
		bucket, _, _ := strings.Cut(resource, "/")
		return allStars(bucket)
	}
	i := strings.IndexAny(resource, "/:")
	if i < 0 {
		return false
	}
	return allStars(resource[:i]) || allStars(resource[i+1:])
}

func allStars(s string) bool { return s != "" && strings.Trim(s, "*") == "" }
