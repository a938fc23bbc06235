package benchscale

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// CPUUsage is the CPU a command used.
type CPUUsage struct {
	// Total is user+system CPU of the command and every descendant it
	// waited for, from getrusage(RUSAGE_CHILDREN) of this process around
	// the command (Terraform waits for its provider plugins).
	Total time.Duration
	// Waited is the same figure from the command's own wait4 rusage, which
	// Linux reports for the child and its reaped descendants together.
	Waited time.Duration
	// Children is the CPU of the command's direct children (the provider
	// plugins), last seen in /proc while they ran: a lower bound that
	// shows they are inside Total.
	Children time.Duration
	// ChildProcesses counts the children seen.
	ChildProcesses int
}

// RunMeasured runs cmd to completion and measures its CPU. No other child
// of this process may end meanwhile (its CPU would be counted too).
func RunMeasured(cmd *exec.Cmd) (CPUUsage, error) {
	var before syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &before); err != nil {
		return CPUUsage{}, err
	}
	if err := cmd.Start(); err != nil {
		return CPUUsage{}, err
	}
	sampler := newChildSampler(cmd.Process.Pid)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			sampler.sample()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	waitErr := cmd.Wait()
	close(stop)
	wg.Wait()
	var after syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &after); err != nil {
		return CPUUsage{}, err
	}
	u := CPUUsage{Total: cpuOf(after) - cpuOf(before)}
	if cmd.ProcessState != nil {
		u.Waited = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	u.Children, u.ChildProcesses = sampler.result()
	return u, waitErr
}

func cpuOf(r syscall.Rusage) time.Duration {
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// clockTick is the unit of /proc/<pid>/stat CPU times (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// childSampler remembers the largest CPU time seen per child process.
type childSampler struct {
	parent int
	mu     sync.Mutex
	seen   map[int]time.Duration
}

func newChildSampler(parent int) *childSampler {
	return &childSampler{parent: parent, seen: map[int]time.Duration{}}
}

func (s *childSampler) sample() {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(s.parent) + "/task/*/children")
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, field := range strings.Fields(string(b)) {
			pid, err := strconv.Atoi(field)
			if err != nil {
				continue
			}
			if cpu, ok := procCPU(pid); ok {
				s.mu.Lock()
				s.seen[pid] = max(s.seen[pid], cpu)
				s.mu.Unlock()
			}
		}
	}
}

func (s *childSampler) result() (time.Duration, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sum time.Duration
	for _, d := range s.seen {
		sum += d
	}
	return sum, len(s.seen)
}

// procCPU is utime+stime of a process from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces; fields after its ')' are fixed.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * clockTick, true
}
