// Command zt-sandbox runs the local sandbox (moto + Verified Access front,
// and/or a local Kubernetes API server) in the foreground:
//
//	zt-sandbox up   --state-dir DIR [--aws] [--kubernetes]
//	zt-sandbox down --state-dir DIR
//
// `up` writes DIR/sandbox.env (export lines for a shell: `. DIR/sandbox.env`)
// and DIR/pid once everything is ready, then waits for SIGTERM or SIGINT and
// stops everything. `down` signals the running `up` and waits for it to end.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox"
)

const (
	envFile = "sandbox.env"
	pidFile = "pid"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "zt-sandbox:", err)
		os.Exit(1)
	}
}

func usage() error {
	return errors.New("usage: zt-sandbox up --state-dir DIR [--aws] [--kubernetes] | zt-sandbox down --state-dir DIR")
}

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return usage()
	}
	fs := flag.NewFlagSet("zt-sandbox "+args[0], flag.ContinueOnError)
	stateDir := fs.String("state-dir", "", "directory for sandbox.env, pid and logs")
	withAWS := fs.Bool("aws", false, "start moto and the Verified Access front")
	withKube := fs.Bool("kubernetes", false, "start a local kube-apiserver and etcd")
	timeout := fs.Duration("timeout", 60*time.Second, "down: how long to wait for the sandbox to stop")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *stateDir == "" {
		return usage()
	}
	dir, err := filepath.Abs(*stateDir)
	if err != nil {
		return err
	}
	switch args[0] {
	case "up":
		if !*withAWS && !*withKube {
			*withAWS = true // AWS alone is the default
		}
		return up(dir, sandbox.Options{WorkDir: filepath.Join(dir, "work"), AWS: *withAWS, Kubernetes: *withKube}, out)
	case "down":
		return down(dir, *timeout, out)
	}
	return usage()
}

func up(dir string, opts sandbox.Options, out io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if pid, ok := runningPid(dir); ok {
		return fmt.Errorf("a sandbox is already running in %s (pid %d)", dir, pid)
	}
	// A stale env file would make a waiting Makefile start too early.
	_ = os.Remove(filepath.Join(dir, envFile))

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	sb, err := sandbox.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer func() {
		_ = os.Remove(filepath.Join(dir, envFile))
		_ = os.Remove(filepath.Join(dir, pidFile))
	}()
	if err := writeAtomic(filepath.Join(dir, pidFile), strconv.Itoa(os.Getpid())+"\n"); err != nil {
		return errors.Join(err, sb.Stop())
	}
	env := sb.Env()
	// The env file is written last: its presence means "ready".
	if err := writeAtomic(filepath.Join(dir, envFile), renderEnv(env)); err != nil {
		return errors.Join(err, sb.Stop())
	}

	fmt.Fprintf(out, "zt-sandbox up (pid %d)\n", os.Getpid())
	if u := sb.AWSEndpoint(); u != "" {
		fmt.Fprintf(out, "  AWS endpoint (Verified Access front): %s\n", u)
		fmt.Fprintf(out, "  moto_server:                          %s\n", sb.MotoEndpoint())
		fmt.Fprintf(out, "  control API:                          %s\n", env["ZT_SANDBOX_CONTROL_URL"])
	}
	if k := sb.KubeconfigPath(); k != "" {
		fmt.Fprintf(out, "  Kubernetes API server:                %s\n", sb.KubeHost())
		fmt.Fprintf(out, "  kubeconfig:                           %s\n", k)
	}
	fmt.Fprintf(out, "  logs:                                 %s\n", sb.WorkDir())
	fmt.Fprintf(out, "Export the environment with:\n  . %s\n", filepath.Join(dir, envFile))
	fmt.Fprint(out, renderEnv(env))

	<-ctx.Done()
	fmt.Fprintln(out, "zt-sandbox: stopping")
	return sb.Stop()
}

// renderEnv renders sorted `export KEY='value'` lines.
func renderEnv(env map[string]string) string {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(env[k]))
	}
	return b.String()
}

// shellQuote single-quotes a value for POSIX shells.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func writeAtomic(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// runningPid reads DIR/pid and reports whether that process is alive.
func runningPid(dir string) (int, bool) {
	raw, err := os.ReadFile(filepath.Join(dir, pidFile))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, syscall.Kill(pid, 0) == nil
}

func down(dir string, timeout time.Duration, out io.Writer) error {
	pid, ok := runningPid(dir)
	if !ok {
		fmt.Fprintf(out, "zt-sandbox: nothing running in %s\n", dir)
		_ = os.Remove(filepath.Join(dir, envFile))
		_ = os.Remove(filepath.Join(dir, pidFile))
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return fmt.Errorf("signal pid %d: %w", pid, err)
	}
	deadline := time.Now().Add(timeout)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			return fmt.Errorf("pid %d still running after %s", pid, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintf(out, "zt-sandbox: stopped pid %d\n", pid)
	return nil
}
