package acctest

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// The sandbox's front counts the calls it serves per action and injects
// faults. Both are global to the sandbox: a test that resets or reads the
// counts, or sets faults, must not run beside another (it stays serial).

func sandboxControl() (*vafront.Control, error) {
	if Sandbox == nil || Sandbox.Control() == nil {
		return nil, fmt.Errorf("the sandbox's front is not running (call counts need it)")
	}
	return Sandbox.Control(), nil
}

// CaptureSandboxCalls records the front's per-action call counts (since the
// last reset) in *dst, for a test to log.
func CaptureSandboxCalls(dst *map[string]int64) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, _ state) error {
		ctl, err := sandboxControl()
		if err != nil {
			return err
		}
		calls, err := ctl.Counters(ctx)
		if err != nil {
			return err
		}
		*dst = calls
		return nil
	})
}

// ExpectSandboxCalls checks that the front served each action exactly the
// given number of times since its counters were last reset (other actions
// are not looked at).
func ExpectSandboxCalls(want map[string]int64) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, _ state) error {
		ctl, err := sandboxControl()
		if err != nil {
			return err
		}
		calls, err := ctl.Counters(ctx)
		if err != nil {
			return err
		}
		actions := make([]string, 0, len(want))
		for a := range want {
			actions = append(actions, a)
		}
		sort.Strings(actions)
		for _, a := range actions {
			if calls[a] != want[a] {
				return fmt.Errorf("%s called %d times, want %d (all counts: %v)", a, calls[a], want[a], calls)
			}
		}
		return nil
	})
}
