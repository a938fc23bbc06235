package main

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/sandboxtest"
)

func TestRenderEnvQuotes(t *testing.T) {
	got := renderEnv(map[string]string{"B": "it's", "A": "http://127.0.0.1:1"})
	want := "export A='http://127.0.0.1:1'\nexport B='it'\\''s'\n"
	if got != want {
		t.Fatalf("got %q want %q", got, want)
	}
	// The quoting survives a real shell.
	out, err := exec.Command("sh", "-c", got+`printf %s "$B"`).Output()
	if err != nil || string(out) != "it's" {
		t.Fatalf("shell read %q (%v)", out, err)
	}
}

// TestUpDown builds the command and runs it the way the Makefile does: up in
// the background, wait for sandbox.env, use it, then down.
func TestUpDown(t *testing.T) {
	sandboxtest.Require(t, sandboxtest.Needs{AWS: true, Kubernetes: true})
	bin := filepath.Join(t.TempDir(), "zt-sandbox")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	state := t.TempDir()
	var upOut bytes.Buffer
	up := exec.Command(bin, "up", "--state-dir", state, "--aws")
	up.Stdout, up.Stderr = &upOut, &upOut
	if err := up.Start(); err != nil {
		t.Fatal(err)
	}
	// exited is closed once up has been reaped; waitErr is its result. A
	// closed channel (not a one-shot send) lets both the body and the
	// deferred cleanup observe the exit without blocking each other.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = up.Wait(); close(exited) }()
	defer func() {
		select {
		case <-exited:
		default:
			_ = up.Process.Kill()
			<-exited
		}
	}()

	envPath := filepath.Join(state, "sandbox.env")
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(envPath); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sandbox.env after 60s:\n%s", upOut.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	env := readEnvFile(t, envPath)
	resp, err := http.Get(env["ZT_SANDBOX_CONTROL_URL"] + "/counters")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("control API: HTTP %d", resp.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(state, "pid")); err != nil {
		t.Fatal(err)
	}

	// A second up in the same state dir is refused.
	if out, err := exec.Command(bin, "up", "--state-dir", state).CombinedOutput(); err == nil || !strings.Contains(string(out), "already running") {
		t.Fatalf("second up: %v %s", err, out)
	}

	if out, err := exec.Command(bin, "down", "--state-dir", state).CombinedOutput(); err != nil {
		t.Fatalf("down: %v %s", err, out)
	}
	select {
	case <-exited:
		if waitErr != nil {
			t.Fatalf("up exited with %v:\n%s", waitErr, upOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("up still running after down")
	}
	if _, err := http.Get(env["AWS_ENDPOINT_URL"]); err == nil {
		t.Fatal("front still answers after down")
	}
	for _, f := range []string{"sandbox.env", "pid"} {
		if _, err := os.Stat(filepath.Join(state, f)); !os.IsNotExist(err) {
			t.Fatalf("%s left behind (%v)", f, err)
		}
	}
}

func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if !ok {
			t.Fatalf("bad line %q", sc.Text())
		}
		env[k] = strings.Trim(v, "'")
	}
	return env
}
