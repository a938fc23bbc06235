package awsapi

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go/middleware"
)

type item struct{ id, value string }

func TestSingleResult(t *testing.T) {
	itemID := func(i item) string { return i.id }
	got, err := singleResult("thing", "t-1", []item{{"t-1", "v"}}, itemID)
	if err != nil || got.value != "v" {
		t.Fatalf("one matching result: %+v, %v", got, err)
	}

	_, err = singleResult("thing", "t-1", nil, itemID)
	var nf *NotFoundError
	if !errors.As(err, &nf) || !IsNotFound(err) || nf.Kind != "thing" || nf.ID != "t-1" {
		t.Fatalf("no result: %v, want a *NotFoundError for thing t-1", err)
	}

	_, err = singleResult("thing", "t-1", []item{{"t-1", "a"}, {"t-1", "b"}}, itemID)
	var many *TooManyResultsError
	if !errors.As(err, &many) || many.Count != 2 || many.Kind != "thing" || many.ID != "t-1" || IsNotFound(err) {
		t.Fatalf("two results: %v, want a *TooManyResultsError of 2", err)
	}
	if err.Error() != "looking up thing t-1 found 2 objects, want exactly one" {
		t.Fatalf("message %q", err)
	}

	_, err = singleResult("thing", "t-1", []item{{"t-2", "other"}}, itemID)
	var other *UnexpectedResultError
	if !errors.As(err, &other) || other.Kind != "thing" || other.ID != "t-1" || other.Got != "t-2" || IsNotFound(err) {
		t.Fatalf("another object: %v, want an *UnexpectedResultError naming t-2", err)
	}
	if err.Error() != `looking up thing t-1 returned thing "t-2" instead` {
		t.Fatalf("message %q", err)
	}

	ptrID := func(i *item) string { return i.id }
	if _, err := singleResult("thing", "t-1", one[item](nil), ptrID); !IsNotFound(err) {
		t.Fatalf("a nil object: %v, want not found", err)
	}
	if got, err := singleResult("thing", "t-1", one(&item{"t-1", "p"}), ptrID); err != nil || got.value != "p" {
		t.Fatalf("one object: %+v, %v", got, err)
	}
}

// canned makes every call of a client return its answer in outs (by
// operation name) without sending anything.
func canned(outs map[string]any) []func(*middleware.Stack) error {
	return []func(*middleware.Stack) error{func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("canned", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return middleware.InitializeOutput{Result: outs[middleware.GetOperationName(ctx)]}, middleware.Metadata{}, nil
		}), middleware.Before)
	}}
}

// TestFindersAssertSingleResult: every finder that reads one object by id
// accepts exactly that object and refuses an answer with none, several (for
// the APIs that answer with a list) or another object.
func TestFindersAssertSingleResult(t *testing.T) {
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	ec2With := func(outs map[string]any) *ec2.Client {
		return ec2.New(ec2.Options{Region: "us-east-1", Credentials: creds, APIOptions: canned(outs)})
	}
	ssoWith := func(outs map[string]any) *ssoadmin.Client {
		return ssoadmin.New(ssoadmin.Options{Region: "us-east-1", Credentials: creds, APIOptions: canned(outs)})
	}
	isWith := func(outs map[string]any) *identitystore.Client {
		return identitystore.New(identitystore.Options{Region: "us-east-1", Credentials: creds, APIOptions: canned(outs)})
	}
	const inst, psARN = "arn:aws:sso:::instance/ssoins-1", "arn:aws:sso:::permissionSet/ssoins-1/ps-1"
	for _, tc := range []struct {
		name string
		id   string
		list bool // the API answers with a list
		// find runs the finder against a client whose describe answers
		// with objects carrying ids.
		find func(ids ...string) error
	}{
		{"FindSecurityGroup", "sg-1", true, func(ids ...string) error {
			out := &ec2.DescribeSecurityGroupsOutput{}
			for _, id := range ids {
				out.SecurityGroups = append(out.SecurityGroups, ec2types.SecurityGroup{GroupId: aws.String(id)})
			}
			_, err := FindSecurityGroup(ctx, ec2With(map[string]any{"DescribeSecurityGroups": out}), "sg-1")
			return err
		}},
		{"FindSecurityGroupByName", "vpc-1/web", true, func(ids ...string) error {
			out := &ec2.DescribeSecurityGroupsOutput{}
			for _, id := range ids {
				vpc, name, _ := strings.Cut(id, "/")
				out.SecurityGroups = append(out.SecurityGroups, ec2types.SecurityGroup{GroupId: aws.String("sg-1"), VpcId: aws.String(vpc), GroupName: aws.String(name)})
			}
			_, err := FindSecurityGroupByName(ctx, ec2With(map[string]any{"DescribeSecurityGroups": out}), "vpc-1", "web")
			return err
		}},
		{"FindVerifiedAccessInstance", "vai-1", true, func(ids ...string) error {
			out := &ec2.DescribeVerifiedAccessInstancesOutput{}
			for _, id := range ids {
				out.VerifiedAccessInstances = append(out.VerifiedAccessInstances, ec2types.VerifiedAccessInstance{VerifiedAccessInstanceId: aws.String(id)})
			}
			_, err := FindVerifiedAccessInstance(ctx, ec2With(map[string]any{"DescribeVerifiedAccessInstances": out}), "vai-1")
			return err
		}},
		{"FindVerifiedAccessLogging", "vai-1", true, func(ids ...string) error {
			out := &ec2.DescribeVerifiedAccessInstanceLoggingConfigurationsOutput{}
			for _, id := range ids {
				out.LoggingConfigurations = append(out.LoggingConfigurations, ec2types.VerifiedAccessInstanceLoggingConfiguration{
					VerifiedAccessInstanceId: aws.String(id), AccessLogs: &ec2types.VerifiedAccessLogs{},
				})
			}
			_, err := FindVerifiedAccessLogging(ctx, ec2With(map[string]any{"DescribeVerifiedAccessInstanceLoggingConfigurations": out}), "vai-1")
			return err
		}},
		{"FindVerifiedAccessGroup", "vagr-1", true, func(ids ...string) error {
			out := &ec2.DescribeVerifiedAccessGroupsOutput{}
			for _, id := range ids {
				out.VerifiedAccessGroups = append(out.VerifiedAccessGroups, ec2types.VerifiedAccessGroup{VerifiedAccessGroupId: aws.String(id)})
			}
			_, err := FindVerifiedAccessGroup(ctx, ec2With(map[string]any{"DescribeVerifiedAccessGroups": out}), "vagr-1")
			return err
		}},
		{"FindPermissionSet", psARN, false, func(ids ...string) error {
			out := &ssoadmin.DescribePermissionSetOutput{}
			if len(ids) == 1 {
				out.PermissionSet = &ssotypes.PermissionSet{PermissionSetArn: aws.String(ids[0])}
			}
			_, err := FindPermissionSet(ctx, ssoWith(map[string]any{
				"DescribePermissionSet":                              out,
				"GetInlinePolicyForPermissionSet":                    &ssoadmin.GetInlinePolicyForPermissionSetOutput{},
				"ListManagedPoliciesInPermissionSet":                 &ssoadmin.ListManagedPoliciesInPermissionSetOutput{},
				"ListCustomerManagedPolicyReferencesInPermissionSet": &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetOutput{},
				"GetPermissionsBoundaryForPermissionSet":             &ssoadmin.GetPermissionsBoundaryForPermissionSetOutput{},
				"ListTagsForResource":                                &ssoadmin.ListTagsForResourceOutput{},
			}), inst, psARN)
			return err
		}},
		{"FindGroup", "g-1", false, func(ids ...string) error {
			out := &identitystore.DescribeGroupOutput{}
			if len(ids) == 1 {
				out.GroupId = aws.String(ids[0])
			}
			_, err := FindGroup(ctx, isWith(map[string]any{"DescribeGroup": out}), "d-1", "g-1")
			return err
		}},
		{"FindUserName", "u-1", false, func(ids ...string) error {
			out := &identitystore.DescribeUserOutput{UserName: aws.String("alice")}
			if len(ids) == 1 {
				out.UserId = aws.String(ids[0])
			}
			_, err := FindUserName(ctx, isWith(map[string]any{"DescribeUser": out}), "d-1", "u-1")
			return err
		}},
	} {
		if err := tc.find(tc.id); err != nil {
			t.Errorf("%s: the object asked for: %v", tc.name, err)
		}
		var other *UnexpectedResultError
		if err := tc.find("vpc-2/other"); !errors.As(err, &other) || other.ID != tc.id {
			t.Errorf("%s: another object gave %v, want an *UnexpectedResultError", tc.name, err)
		}
		if !tc.list {
			continue // these APIs answer with one object (or an error)
		}
		if err := tc.find(); !IsNotFound(err) {
			t.Errorf("%s: no result gave %v, want not found", tc.name, err)
		}
		var many *TooManyResultsError
		if err := tc.find(tc.id, tc.id); !errors.As(err, &many) || many.Count != 2 {
			t.Errorf("%s: two results gave %v, want a *TooManyResultsError", tc.name, err)
		}
	}
}
