package acctest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest/rolepolicy"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sweep"
)

// The sweep of a CI run finds the run's objects by the marker its names
// carry: the names the harness makes must carry the sweep's marker.
func TestRunIDNamesCarryTheSweepsMarker(t *testing.T) {
	t.Setenv("ZT_RUN_ID", "7731")
	if n := RandomName("ps"); !strings.Contains(n+"-", sweep.RunMarker("7731")) || len(n) > 32 {
		t.Errorf("RandomName = %q: want the marker %q, at most 32 characters", n, sweep.RunMarker("7731"))
	}
	if v := withRunID("zt-acc") + "-TestX"; !strings.HasPrefix(v, sweep.RunVPCPrefix("7731")) {
		t.Errorf("VPC name %q does not start with %q", v, sweep.RunVPCPrefix("7731"))
	}
	t.Setenv("ZT_RUN_ID", "")
	if n := RandomName("ps"); strings.Contains(n, "-r") {
		t.Errorf("RandomName = %q outside a run: want no run marker", n)
	}
}

func TestRunIDRefusesIDsThatDoNotFitNames(t *testing.T) {
	t.Setenv("ZT_RUN_ID", "Run/1")
	defer func() {
		if recover() == nil {
			t.Error("RunID accepted an id with characters AWS names refuse")
		}
	}()
	RunID()
}

func TestRealAccountGate(t *testing.T) {
	t.Setenv("ZT_ACC_REAL", "1")
	t.Setenv("ZT_REAL_SERVICES", "ec2,identitycenter")
	for _, tc := range []struct {
		name  string
		mark  bool
		needs []RealService
		skip  bool
	}{
		{"unmarked", false, nil, true},
		{"ec2", true, []RealService{RealEC2}, false},
		{"idc", true, []RealService{RealEC2, RealIdentityCenter}, false},
		{"va not enabled", true, []RealService{RealVerifiedAccess}, true},
	} {
		skipped := true
		t.Run(tc.name, func(t *testing.T) {
			if tc.mark {
				realSafe.Store(t.Name(), tc.needs)
			}
			// A subtest's gate looks up its root test's mark, as a table
			// test's subtests do; mark this subtest as its own root.
			realAccountGateFor(t, t.Name())
			skipped = false
		})
		if skipped != tc.skip {
			t.Errorf("%s: skipped = %v, want %v", tc.name, skipped, tc.skip)
		}
	}
}

func TestMissingFromRolePolicyLooksAtTheProvidersOperations(t *testing.T) {
	doc := rolepolicy.Document{Version: "2012-10-17", Statement: []rolepolicy.Statement{{Effect: "Allow", Action: []string{"ec2:DescribeVpcs", "sso:ListInstances"}}}}
	ops := []vafront.OperationRecord{
		{Service: "ec2", Operation: "DescribeVpcs", FromProvider: true},
		{Service: "ec2", Operation: "CreateVpc"}, // the harness's, not the provider's
		{Service: "sso", Operation: "ListInstances", FromProvider: true},
		{Service: "scheduler", Operation: "CreateSchedule", FromProvider: true},
		{Service: "iam", Operation: "PutRolePolicy", FromProvider: true},
	}
	got := MissingFromRolePolicy(doc, ops)
	if want := []string{"iam:PutRolePolicy", "scheduler:CreateSchedule"}; !reflect.DeepEqual(got, want) {
		t.Errorf("missing = %v, want %v", got, want)
	}
}
