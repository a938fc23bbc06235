package acctest

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Acceptance tests run in a real account (ZT_ACC_REAL=1) only when they say
// they are safe there: they create every object they need through the
// provider or the SDK, name it with the run id, delete it when they end, and
// use nothing only the sandbox has (its control API, fault injection, call
// counts, clock). A test that does not say so is skipped before it creates
// anything: PreCheck and AWSConfig, which every SDK helper goes through,
// both refuse it.

// RealService is a part of a real account a test needs.
type RealService string

// The services a real-account run may enable (ZT_REAL_SERVICES, comma
// separated; EC2 alone by default because it costs nothing and needs no
// organisation).
const (
	RealEC2            RealService = "ec2"            // a VPC and security groups
	RealIdentityCenter RealService = "identitycenter" // an organisation instance of IAM Identity Center in the region
	RealVerifiedAccess RealService = "verifiedaccess" // Verified Access instances and trust providers (billed per hour once endpoints exist)
	RealKubernetes     RealService = "kubernetes"     // a cluster in KUBECONFIG
)

var realSafe sync.Map // test name → []RealService

// InRealAccount reports whether acceptance tests target a real account.
func InRealAccount() bool { return os.Getenv("ZT_ACC_REAL") != "" }

// SafeInRealAccounts marks the calling test as one that may run in a real
// account when every service it needs is enabled. Call it first, before any
// helper creates an object.
func SafeInRealAccounts(t *testing.T, needs ...RealService) {
	t.Helper()
	realSafe.Store(rootTestName(t.Name()), needs)
	realAccountGate(t)
}

// realAccountGate skips, in a real-account run, a test not marked safe or
// needing a service the run does not enable.
func realAccountGate(t *testing.T) {
	t.Helper()
	realAccountGateFor(t, rootTestName(t.Name()))
}

func realAccountGateFor(t *testing.T, name string) {
	t.Helper()
	if !InRealAccount() {
		return
	}
	v, ok := realSafe.Load(name)
	needs, _ := v.([]RealService)
	if !ok {
		t.Skip("not run in a real account: the test is not marked SafeInRealAccounts (it uses the sandbox's control API, injects faults or edits shared objects)")
	}
	enabled := EnabledRealServices(os.Getenv("ZT_REAL_SERVICES"))
	for _, s := range needs {
		if !enabled[s] {
			t.Skipf("not run in this real account: needs %q, which ZT_REAL_SERVICES does not enable", s)
		}
	}
}

func rootTestName(name string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		return name[:i]
	}
	return name
}

// EnabledRealServices parses ZT_REAL_SERVICES; empty means EC2 alone.
func EnabledRealServices(list string) map[RealService]bool {
	enabled := map[RealService]bool{}
	if strings.TrimSpace(list) == "" {
		enabled[RealEC2] = true
		return enabled
	}
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			enabled[RealService(s)] = true
		}
	}
	return enabled
}

// runIDPattern keeps a run id short and valid in every name it is put in
// (permission sets allow 32 characters, security groups 255).
var runIDPattern = regexp.MustCompile(`^[a-z0-9]{1,12}$`)

// RunID is ZT_RUN_ID, the id a CI run puts in the names of what it creates
// so that parallel runs in one account never collide and its sweep deletes
// only its own objects; empty outside such a run. An id that does not fit
// names panics at start-up rather than making names AWS would refuse.
func RunID() string {
	id := os.Getenv("ZT_RUN_ID")
	if id != "" && !runIDPattern.MatchString(id) {
		panic(fmt.Sprintf("ZT_RUN_ID %q: want 1–12 lowercase letters or digits", id))
	}
	return id
}

// withRunID puts the run id after the prefix: "ps" → "ps-r123".
func withRunID(prefix string) string {
	if id := RunID(); id != "" {
		return prefix + "-r" + id
	}
	return prefix
}
