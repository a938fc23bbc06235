package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func (b *bench) command(dir, logName string, args ...string) (*exec.Cmd, *os.File, error) {
	log, err := os.Create(filepath.Join(dir, logName+".log"))
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(b.ctx, b.tf, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, b.tfEnv, log, log
	return cmd, log, nil
}

// terraform runs one CLI command with its output in dir/<logName>.log.
func (b *bench) terraform(dir, logName string, args ...string) (int, error) {
	cmd, log, err := b.command(dir, logName, args...)
	if err != nil {
		return 0, err
	}
	defer log.Close()
	if err := cmd.Run(); err != nil {
		code := -1
		if cmd.ProcessState != nil {
			code = cmd.ProcessState.ExitCode()
		}
		return code, fmt.Errorf("terraform %s: %w; last lines of %s:\n%s", args[0], err, log.Name(), tail(log.Name(), 15))
	}
	return 0, nil
}

func (b *bench) version() string {
	out, err := exec.Command(b.tf, "version").Output()
	if err != nil {
		return b.tf
	}
	return string(out)
}

func writeConfig(dir string, cfg []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.tf.json"), cfg, 0o644)
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func terraformBinary() string {
	if p, err := exec.LookPath("terraform"); err == nil {
		return p
	}
	if p, err := exec.LookPath("tofu"); err == nil {
		return p
	}
	return "terraform"
}
