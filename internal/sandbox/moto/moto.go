// Package moto runs a local moto_server (the AWS emulator installed on the
// machine image) as a child process for tests and the demo sandbox.
//
// The server runs in its own process group so Stop can end it together with
// whatever launcher chain (pyenv shims, python) sits in front of it.
package moto

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// EnvBinary names the environment variable that overrides the moto_server
// binary looked up on the PATH.
const EnvBinary = "ZT_MOTO_SERVER"

// Options configure Start.
type Options struct {
	// WorkDir receives the server log (moto_server.log). Required.
	WorkDir string
	// Binary is the moto_server executable; empty means $ZT_MOTO_SERVER, then PATH.
	Binary string
	// Port to listen on; 0 picks a free loopback port.
	Port int
	// StartTimeout bounds the wait for readiness; 0 means 60s.
	StartTimeout time.Duration
	// RulesPerSecurityGroup raises moto's quota of rules per VPC security
	// group and direction (moto hard-codes AWS's default, 60), as AWS raises
	// it on request (up to 1,000). 0 keeps moto's.
	RulesPerSecurityGroup int
}

// Server is a running moto_server.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:41234.
	URL string
	// LogPath is the file holding the server's stdout and stderr.
	LogPath string

	cmd     *exec.Cmd
	logFile *os.File
	done    chan struct{}
	waitErr error
	stopped sync.Once
	stopErr error
}

// Start launches moto_server and waits until it answers HTTP.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.WorkDir == "" {
		return nil, errors.New("moto: WorkDir is required")
	}
	bin, err := ResolveBinary(opts.Binary)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.WorkDir, 0o755); err != nil {
		return nil, fmt.Errorf("moto: work dir: %w", err)
	}
	port := opts.Port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return nil, err
		}
	}
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}

	logPath := filepath.Join(opts.WorkDir, "moto_server.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("moto: log file: %w", err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	if opts.RulesPerSecurityGroup > 0 {
		env, err := quotaEnv(opts.WorkDir, opts.RulesPerSecurityGroup)
		if err != nil {
			logFile.Close()
			return nil, err
		}
		cmd.Env = env
	}
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// Own process group: Stop signals the whole group (shim + python).
	// Pdeathsig: if this process dies without Stop, the child goes too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("moto: start %s: %w", bin, err)
	}
	s := &Server{
		URL:     "http://127.0.0.1:" + strconv.Itoa(port),
		LogPath: logPath,
		cmd:     cmd,
		logFile: logFile,
		done:    make(chan struct{}),
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()

	if err := s.waitReady(ctx, timeout); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// quotaSiteCustomize is imported by Python at start-up (sitecustomize on
// PYTHONPATH) and replaces moto's rule-count check with one using the
// raised quota. %d is the quota.
const quotaSiteCustomize = `# Written by the sandbox: the raised rules-per-security-group quota.
from moto.ec2.exceptions import RulesPerSecurityGroupLimitExceededError
from moto.ec2.models.security_groups import SecurityGroupBackend

def _verify_group_will_respect_rule_count_limit(self, group, current_rule_nb, ip_ranges, source_groups=None, egress=False):
    future = current_rule_nb + len(ip_ranges or []) + len(source_groups or [])
    if future > (%d if group.vpc_id else 100):
        raise RulesPerSecurityGroupLimitExceededError

SecurityGroupBackend._verify_group_will_respect_rule_count_limit = _verify_group_will_respect_rule_count_limit
`

// quotaEnv writes the sitecustomize that raises the quota and returns the
// environment that makes moto_server's Python load it.
func quotaEnv(workDir string, quota int) ([]string, error) {
	if quota > 1000 {
		return nil, fmt.Errorf("moto: %d rules per security group is above what AWS grants (1,000)", quota)
	}
	dir := filepath.Join(workDir, "site")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "sitecustomize.py"), []byte(fmt.Sprintf(quotaSiteCustomize, quota)), 0o644); err != nil {
		return nil, err
	}
	path := dir
	if old := os.Getenv("PYTHONPATH"); old != "" {
		path += string(os.PathListSeparator) + old
	}
	return append(os.Environ(), "PYTHONPATH="+path), nil
}

func ResolveBinary(explicit string) (string, error) {
	name := explicit
	if name == "" {
		name = os.Getenv(EnvBinary)
	}
	if name == "" {
		name = "moto_server"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("moto: %s not found (set %s or put moto_server on PATH): %w", name, EnvBinary, err)
	}
	return path, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("moto: free port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("moto: listener address %v is not TCP", l.Addr())
	}
	return addr.Port, nil
}

func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-s.done:
			return fmt.Errorf("moto: server exited before ready (%v); see %s", s.waitErr, s.LogPath)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/moto-api/", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto: not ready after %s; see %s", timeout, s.LogPath)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Reset drops every resource moto holds (POST /moto-api/reset).
func (s *Server) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/moto-api/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("moto: reset: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("moto: reset: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Pid is the process id of the launched command (the group leader).
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Stop ends the process group: SIGTERM, then SIGKILL after 5s. Safe to call twice.
func (s *Server) Stop() error {
	s.stopped.Do(func() {
		pgid := s.cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-s.done
		}
		// Anything left in the group (grandchildren that ignored SIGTERM) goes now.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		s.stopErr = s.logFile.Close()
	})
	return s.stopErr
}
