// Command terraform-provider-zerotrust serves the zerotrust provider to
// Terraform and OpenTofu over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/ztforge/terraform-provider-zerotrust/internal/provider"
)

// version is set by goreleaser (-ldflags "-X main.version=...").
var version = "dev"

// profileEnv names a folder in which each provider process writes a CPU
// profile (cpu-<pid>.pprof) of its whole life, for `make bench-scale
// ARGS=-profile`. Unset, nothing is profiled.
const profileEnv = "ZT_CPU_PROFILE_DIR"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	quietFrameworkTrace(os.Getenv, os.Setenv)
	if dir := os.Getenv(profileEnv); dir != "" {
		stop, err := startProfile(dir)
		if err != nil {
			log.Fatal(err.Error())
		}
		defer stop()
	}
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/ztforge/zerotrust",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// loggingEnv are the variables with which Terraform or OpenTofu show a
// provider's logs; with none of them set, no provider log is shown.
var loggingEnv = []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_SDK_PROTO"}

// quietFrameworkTrace turns the framework's own logs off when no log is
// shown. Its loggers default to TRACE and leave the filtering to the CLI,
// so unless told otherwise the framework formats a JSON line for every
// attribute it validates or converts, only for the CLI to drop it: 60% of
// the provider's CPU in a 500-flow plan.
func quietFrameworkTrace(getenv func(string) string, setenv func(string, string) error) {
	for _, v := range loggingEnv {
		if getenv(v) != "" {
			return
		}
	}
	_ = setenv("TF_LOG_SDK_FRAMEWORK", "off")
}

// startProfile starts a CPU profile written when the server stops
// (Terraform shuts its plugins down gracefully at the end of a command).
func startProfile(dir string) (func(), error) {
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", os.Getpid())))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", profileEnv, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w", profileEnv, err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
