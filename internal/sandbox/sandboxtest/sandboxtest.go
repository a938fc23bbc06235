// Package sandboxtest decides what a test does when the local sandbox's
// binaries (moto_server, etcd, kube-apiserver) are missing: a plain
// `go test ./...` on a fresh clone skips those tests and says how to get the
// binaries; `make test` sets ZT_REQUIRE_SANDBOX=1, so there a missing binary
// fails instead of hiding behind a skip.
package sandboxtest

import (
	"fmt"
	"os"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/kubeapi"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/moto"
)

// EnvRequire makes a missing sandbox binary a failure rather than a skip.
const EnvRequire = "ZT_REQUIRE_SANDBOX"

// Needs names the halves of the sandbox a test uses.
type Needs struct{ AWS, Kubernetes bool }

// Missing lists the binaries of needs that cannot be found.
func Missing(n Needs) []string {
	var out []string
	if n.AWS {
		if _, err := moto.ResolveBinary(""); err != nil {
			out = append(out, err.Error())
		}
	}
	if n.Kubernetes {
		if _, err := kubeapi.FindBinary("", kubeapi.EnvEtcd, "etcd"); err != nil {
			out = append(out, err.Error())
		}
		if _, err := kubeapi.FindBinary("", kubeapi.EnvKubeAPIServer, "kube-apiserver"); err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}

// Require skips tb (or fails it under ZT_REQUIRE_SANDBOX) when a binary it
// needs is missing.
func Require(tb testing.TB, n Needs) {
	tb.Helper()
	if missing := Missing(n); len(missing) > 0 {
		if os.Getenv(EnvRequire) != "" {
			tb.Fatalf("the local sandbox is incomplete: %v", missing)
		}
		tb.Skipf("skipped: the local sandbox is incomplete (%v); run `make tools`, or `make test`", missing)
	}
}

// RequireMain is Require for TestMain: when a binary is missing it reports
// why and returns the exit code to end with (0 = skipped, 1 = required);
// ok is true when everything is there.
func RequireMain(n Needs) (code int, ok bool) {
	missing := Missing(n)
	if len(missing) == 0 {
		return 0, true
	}
	if os.Getenv(EnvRequire) != "" {
		fmt.Fprintf(os.Stderr, "the local sandbox is incomplete: %v\n", missing)
		return 1, false
	}
	fmt.Fprintf(os.Stderr, "skipping the package's tests: the local sandbox is incomplete (%v); run `make tools`, or `make test`\n", missing)
	return 0, false
}
