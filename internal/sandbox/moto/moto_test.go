package moto

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStartResetStop(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Start(ctx, Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("URL = %q", s.URL)
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	pgid := s.Pid()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	// The whole process group is gone: signal 0 to the group fails with ESRCH.
	deadline := time.Now().Add(3 * time.Second)
	for {
		err := syscall.Kill(-pgid, 0)
		if errors.Is(err, syscall.ESRCH) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("process group %d still alive after Stop (kill 0: %v)", pgid, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := http.Get(s.URL + "/moto-api/"); err == nil {
		t.Fatal("server still answers after Stop")
	}
	log, err := os.ReadFile(s.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "/moto-api/reset") {
		t.Fatalf("log does not record the reset request:\n%s", log)
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

func TestMissingBinary(t *testing.T) {
	_, err := Start(context.Background(), Options{WorkDir: t.TempDir(), Binary: "no-such-moto-server-binary"})
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("err = %v", err)
	}
}
