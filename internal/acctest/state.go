package acctest

import (
	"context"
	"fmt"
	"os"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// stateCheck adapts a function to statecheck.StateCheck. Every live-object
// state check of this package is one: it loads its clients when it runs, and
// refuses to run outside acceptance tests (resource.Test skips those anyway).
type stateCheck func(ctx context.Context, s state) error

func (f stateCheck) CheckState(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if os.Getenv("TF_ACC") == "" {
		resp.Error = fmt.Errorf("live-object state check outside an acceptance test (TF_ACC unset)")
		return
	}
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("no state to check")
		return
	}
	resp.Error = f(ctx, state{req})
}

// stateRead is a state check that reads only the state (no live object).
type stateRead func(s state) error

func (f stateRead) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State == nil || req.State.Values == nil || req.State.Values.RootModule == nil {
		resp.Error = fmt.Errorf("no state to read")
		return
	}
	resp.Error = f(state{req})
}

// awsConfig is AWSConfig for code that runs without a *testing.T (state checks).
func awsConfig(ctx context.Context) (aws.Config, error) {
	return config.LoadDefaultConfig(ctx)
}

// state is the state a check reads (terraform show -json), as given to statecheck.
type state struct{ req statecheck.CheckStateRequest }

// stateResource finds the attributes of a root-module resource by address.
func stateResource(s state, address string) (map[string]any, error) {
	for _, r := range s.req.State.Values.RootModule.Resources {
		if r.Address == address {
			return r.AttributeValues, nil
		}
	}
	return nil, fmt.Errorf("%s: not in state", address)
}

// stateString reads a top-level string attribute of a resource in state.
func stateString(s state, address, attr string) (string, error) {
	return stateStringAt(s, address, tfjsonpath.New(attr))
}

// stateStringAt reads the string at path of a resource in state.
func stateStringAt(s state, address string, path tfjsonpath.Path) (string, error) {
	r, err := stateResource(s, address)
	if err != nil {
		return "", err
	}
	v, err := tfjsonpath.Traverse(r, path)
	if err != nil {
		return "", fmt.Errorf("%s.%s: %v", address, path, err)
	}
	str, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s.%s: not a string in state (%v)", address, path, v)
	}
	return str, nil
}

// stateObjectID reads the cloud id of the object a resource manages: a
// segment's security_group_id (its own id is derived from the
// configuration, see zerotrust_segment), any other resource's id.
func stateObjectID(s state, address string) (string, error) {
	if g, err := stateString(s, address, "security_group_id"); err == nil && g != "" {
		return g, nil
	}
	return stateString(s, address, "id")
}

// stateMapString reads attr[key] of a resource, attr being a map of strings.
func stateMapString(s state, address, attr, key string) (string, error) {
	return stateStringAt(s, address, tfjsonpath.New(attr).AtMapKey(key))
}

var stateRef = regexp.MustCompile(`\$\{([^}]+)\}`)

// expandRefs replaces each ${address} in text with the cloud id of that
// resource's object in state (see stateObjectID), so an expectation can name
// another resource's live object.
func expandRefs(s state, text string) (string, error) {
	var err error
	out := stateRef.ReplaceAllStringFunc(text, func(m string) string {
		id, e := stateObjectID(s, stateRef.FindStringSubmatch(m)[1])
		if e != nil && err == nil {
			err = e
		}
		return id
	})
	return out, err
}

// CaptureID records the id of the resource at address in *dst, for later
// steps, PreConfig edits and CheckDestroy. It fails when the resource is not
// in state.
func CaptureID(address string, dst *string) statecheck.StateCheck {
	return CaptureAttribute(address, tfjsonpath.New("id"), dst)
}

// CaptureGroupID records the security group id of the segment at address
// (security_group_id) in *dst.
func CaptureGroupID(address string, dst *string) statecheck.StateCheck {
	return CaptureAttribute(address, tfjsonpath.New("security_group_id"), dst)
}

// CaptureAttribute records the string at path of the resource at address in
// *dst. It fails when the value is not a string in state.
func CaptureAttribute(address string, path tfjsonpath.Path, dst *string) statecheck.StateCheck {
	return stateRead(func(s state) error {
		v, err := stateStringAt(s, address, path)
		if err != nil {
			return err
		}
		*dst = v
		return nil
	})
}

// KnownString is a knownvalue check that the value equals *want, read when
// the check runs (a value captured by an earlier step or check).
func KnownString(want *string) knownvalue.Check { return lazyString{want} }

type lazyString struct{ want *string }

func (c lazyString) CheckValue(v any) error { return knownvalue.StringExact(*c.want).CheckValue(v) }
func (c lazyString) String() string         { return *c.want }

// NotString is a knownvalue check that the value is a string other than
// *other, read when the check runs.
func NotString(other *string) knownvalue.Check { return otherString{other} }

type otherString struct{ other *string }

func (c otherString) CheckValue(v any) error {
	if s, ok := v.(string); !ok || s == *c.other {
		return fmt.Errorf("value %v, want a string other than %q", v, *c.other)
	}
	return nil
}
func (c otherString) String() string { return "not " + *c.other }

// checkLive applies a knownvalue check to a live object rendered as state
// values are (map[string]any, []any, string, bool, json.Number), naming the
// object in the error.
func checkLive(what string, live any, want knownvalue.Check) error {
	if err := want.CheckValue(live); err != nil {
		return fmt.Errorf("%s: %w (live: %v)", what, err, live)
	}
	return nil
}

// stringList renders strings as a state list.
func stringList(ss []string) []any {
	out := make([]any, 0, len(ss))
	for _, s := range ss {
		out = append(out, s)
	}
	return out
}

// stringMap renders a map of strings as a state map.
func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ExpectRefreshedValue is a plan check on the plan's prior state: the
// state as refreshed before planning (for RefreshState steps, whose
// refreshed state takes no state checks). The value at path of the resource
// at address must pass want.
func ExpectRefreshedValue(address string, path tfjsonpath.Path, want knownvalue.Check) plancheck.PlanCheck {
	return refreshedValue{address, path, want}
}

type refreshedValue struct {
	address string
	path    tfjsonpath.Path
	want    knownvalue.Check
}

func (c refreshedValue) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if req.Plan == nil || req.Plan.PriorState == nil || req.Plan.PriorState.Values == nil || req.Plan.PriorState.Values.RootModule == nil {
		resp.Error = fmt.Errorf("the plan has no prior state")
		return
	}
	for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
		if r.Address != c.address {
			continue
		}
		v, err := tfjsonpath.Traverse(r.AttributeValues, c.path)
		if err != nil {
			resp.Error = fmt.Errorf("%s.%s in the refreshed state: %v", c.address, c.path, err)
			return
		}
		if err := c.want.CheckValue(v); err != nil {
			resp.Error = fmt.Errorf("%s.%s in the refreshed state: %w", c.address, c.path, err)
		}
		return
	}
	resp.Error = fmt.Errorf("%s: not in the refreshed state", c.address)
}
