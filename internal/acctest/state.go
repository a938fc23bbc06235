package acctest

import (
	"context"
	"fmt"
	"os"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
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
	r, err := stateResource(s, address)
	if err != nil {
		return "", err
	}
	v, ok := r[attr].(string)
	if !ok {
		return "", fmt.Errorf("%s.%s: not a string in state (%v)", address, attr, r[attr])
	}
	return v, nil
}

// stateMapString reads attr[key] of a resource, attr being a map of strings.
func stateMapString(s state, address, attr, key string) (string, error) {
	r, err := stateResource(s, address)
	if err != nil {
		return "", err
	}
	m, _ := r[attr].(map[string]any)
	v, ok := m[key].(string)
	if !ok {
		return "", fmt.Errorf("%s.%s[%q]: not a string in state (%v)", address, attr, key, m[key])
	}
	return v, nil
}

var stateRef = regexp.MustCompile(`\$\{([^}]+)\}`)

// expandRefs replaces each ${address} in text with the id of that resource
// in state, so an expectation can name another resource's live object.
func expandRefs(s state, text string) (string, error) {
	var err error
	out := stateRef.ReplaceAllStringFunc(text, func(m string) string {
		id, e := stateString(s, stateRef.FindStringSubmatch(m)[1], "id")
		if e != nil && err == nil {
			err = e
		}
		return id
	})
	return out, err
}
