package acctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/smithy-go"
)

// EventBridge Scheduler schedules and the IAM role that end just-in-time
// privileged access, read back as an auditor would.

func schedulerClient(t *testing.T) *scheduler.Client {
	t.Helper()
	return scheduler.NewFromConfig(AWSConfig(t))
}

func iamClient(t *testing.T) *iam.Client {
	t.Helper()
	return iam.NewFromConfig(AWSConfig(t))
}

func notFound(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode() == "ResourceNotFoundException" || apiErr.ErrorCode() == "NoSuchEntity")
}

// Schedule is a schedule as GetSchedule returns it, with its target's input
// decoded.
type Schedule struct {
	Name, Expression, Timezone, FlexibleWindow, ActionAfterCompletion, State string
	TargetARN, RoleARN                                                       string
	Input                                                                    map[string]string
}

// ReadSchedules reads every schedule of a group in full, by name; a missing
// group reads as none.
func ReadSchedules(t *testing.T, group string) (map[string]Schedule, error) {
	t.Helper()
	ctx := context.Background()
	c := schedulerClient(t)
	out := map[string]Schedule{}
	p := scheduler.NewListSchedulesPaginator(c, &scheduler.ListSchedulesInput{GroupName: aws.String(group)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if notFound(err) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		for _, sum := range page.Schedules {
			s, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{GroupName: aws.String(group), Name: sum.Name})
			if err != nil {
				return nil, err
			}
			got := Schedule{
				Name: aws.ToString(s.Name), Expression: aws.ToString(s.ScheduleExpression), Timezone: aws.ToString(s.ScheduleExpressionTimezone),
				ActionAfterCompletion: string(s.ActionAfterCompletion), State: string(s.State),
			}
			if s.FlexibleTimeWindow != nil {
				got.FlexibleWindow = string(s.FlexibleTimeWindow.Mode)
			}
			if s.Target != nil {
				got.TargetARN, got.RoleARN = aws.ToString(s.Target.Arn), aws.ToString(s.Target.RoleArn)
				if err := json.Unmarshal([]byte(aws.ToString(s.Target.Input)), &got.Input); err != nil {
					return nil, fmt.Errorf("schedule %s: input %q: %w", got.Name, aws.ToString(s.Target.Input), err)
				}
			}
			out[got.Name] = got
		}
	}
	return out, nil
}

// ScheduleGroupExists says whether the schedule group exists.
func ScheduleGroupExists(t *testing.T, name string) (bool, error) {
	t.Helper()
	_, err := schedulerClient(t).GetScheduleGroup(context.Background(), &scheduler.GetScheduleGroupInput{Name: aws.String(name)})
	if notFound(err) {
		return false, nil
	}
	return err == nil, err
}

// DeleteSchedule deletes a schedule out of band.
func DeleteSchedule(t *testing.T, group, name string) {
	t.Helper()
	if _, err := schedulerClient(t).DeleteSchedule(context.Background(), &scheduler.DeleteScheduleInput{GroupName: aws.String(group), Name: aws.String(name)}); err != nil {
		t.Fatalf("deleting schedule %s/%s: %v", group, name, err)
	}
}

// PolicyStatement is one statement of an IAM policy read back, with Action
// and Resource as lists (the provider writes them so).
type PolicyStatement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// Role is an IAM role read back: trust policy, inline policies by name
// (decoded), attached managed policies, tags.
type Role struct {
	ARN, Path string
	Tags      map[string]string
	Trust     []PolicyStatement
	Inline    map[string][]PolicyStatement
	Attached  []string
}

func decodeStatements(doc string) ([]PolicyStatement, error) {
	if strings.HasPrefix(doc, "%7B") {
		dec, err := url.PathUnescape(doc)
		if err != nil {
			return nil, err
		}
		doc = dec
	}
	var p struct {
		Version   string            `json:"Version"`
		Statement []PolicyStatement `json:"Statement"`
	}
	d := json.NewDecoder(strings.NewReader(doc))
	d.DisallowUnknownFields() // a field the check does not know fails it
	if err := d.Decode(&p); err != nil {
		return nil, fmt.Errorf("policy %s: %w", doc, err)
	}
	if p.Version != "2012-10-17" {
		return nil, fmt.Errorf("policy version %q", p.Version)
	}
	return p.Statement, nil
}

// ReadRole reads an IAM role by name; ok is false when it does not exist.
func ReadRole(t *testing.T, name string) (r Role, ok bool, err error) {
	t.Helper()
	ctx := context.Background()
	c := iamClient(t)
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if notFound(err) {
		return Role{}, false, nil
	}
	if err != nil {
		return Role{}, false, err
	}
	r = Role{ARN: aws.ToString(out.Role.Arn), Path: aws.ToString(out.Role.Path), Tags: map[string]string{}, Inline: map[string][]PolicyStatement{}}
	for _, tg := range out.Role.Tags {
		r.Tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if r.Trust, err = decodeStatements(aws.ToString(out.Role.AssumeRolePolicyDocument)); err != nil {
		return r, true, err
	}
	names, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return r, true, err
	}
	for _, n := range names.PolicyNames {
		pol, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(n)})
		if err != nil {
			return r, true, err
		}
		if r.Inline[n], err = decodeStatements(aws.ToString(pol.PolicyDocument)); err != nil {
			return r, true, err
		}
	}
	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if err != nil {
		return r, true, err
	}
	for _, p := range attached.AttachedPolicies {
		r.Attached = append(r.Attached, aws.ToString(p.PolicyArn))
	}
	sort.Strings(r.Attached)
	return r, true, nil
}
