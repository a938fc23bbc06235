package vafront

import (
	"context"
	"errors"
	"fmt"
	"log"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // ScheduleExpressionTimezone names any IANA zone, whatever the host has

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/smithy-go"
)

// The scheduler runner plays EventBridge Scheduler's part that moto lacks:
// it fires one-time at() schedules when they are due on the sandbox clock
// and invokes their target as the schedule's execution role (invoke.go).
//
// Schedules are read from moto through its own Scheduler API, as a client
// would: ListSchedules (ENABLED) every tick, GetSchedule only for a
// schedule not seen yet or modified since (LastModificationDate), so
// schedules written by any client, in any way, are found, and a schedule
// updated after it failed starts afresh.
//
// Retries follow the schedule's RetryPolicy (moto fills AWS's default of
// 185 attempts within 86400 s): a failed invocation is retried with
// exponential backoff on the sandbox clock (1 s, 2 s, 4 s … at most
// 5 min; AWS documents no intervals) until the attempts or the event age
// run out. Only then is the invocation final and, with
// ActionAfterCompletion DELETE, the schedule deleted, as AWS does once a
// one-time schedule completes. AWS classifies no error as not retryable in
// its documentation, so neither does the sandbox.
//
// rate() and cron() schedules are never fired: nothing the provider writes
// uses them.

// Invocation is one attempt to invoke a schedule's target.
type Invocation struct {
	ScheduleARN string    `json:"schedule_arn"`
	Group       string    `json:"group"`
	Name        string    `json:"name"`
	TargetARN   string    `json:"target_arn"`
	RoleARN     string    `json:"role_arn"`
	Attempt     int       `json:"attempt"`
	At          time.Time `json:"at"` // on the sandbox clock
	Succeeded   bool      `json:"succeeded"`
	ErrorCode   string    `json:"error_code,omitempty"`
	Message     string    `json:"message,omitempty"`
	// Final: no retry follows (success, or retries exhausted).
	Final bool `json:"final"`
	// Deleted: the schedule was deleted after it (ActionAfterCompletion DELETE).
	Deleted bool `json:"deleted,omitempty"`
}

// trackedSchedule is what the runner knows of one schedule.
type trackedSchedule struct {
	modified time.Time
	sch      *scheduler.GetScheduleOutput
	due      time.Time // zero: not a one-time schedule (never fired)
	attempts int
	next     time.Time // earliest next attempt, sandbox clock
	done     bool
}

type schedulerRunner struct {
	mu          sync.Mutex
	offset      time.Duration // sandbox clock − real clock
	tracked     map[string]*trackedSchedule
	invocations []Invocation
	stop        context.CancelFunc
	stopped     chan struct{}
}

const maxInvocationsKept = 1000

// clock is the sandbox's time: the front's now plus the offset tests set.
func (f *Front) clock() time.Time {
	f.sched.mu.Lock()
	defer f.sched.mu.Unlock()
	return f.now().Add(f.sched.offset)
}

// AdvanceClock moves the sandbox clock forward by d (d >= 0).
func (f *Front) AdvanceClock(d time.Duration) {
	f.sched.mu.Lock()
	f.sched.offset += d
	f.sched.mu.Unlock()
}

// ResetClock puts the sandbox clock back on real time.
func (f *Front) ResetClock() {
	f.sched.mu.Lock()
	f.sched.offset = 0
	f.sched.mu.Unlock()
}

// Invocations returns every recorded invocation attempt, oldest first.
func (f *Front) Invocations() []Invocation {
	f.sched.mu.Lock()
	defer f.sched.mu.Unlock()
	return append([]Invocation{}, f.sched.invocations...)
}

func (f *Front) resetScheduler() {
	f.sched.mu.Lock()
	f.sched.offset = 0
	f.sched.tracked = map[string]*trackedSchedule{}
	f.sched.invocations = nil
	f.sched.mu.Unlock()
}

func (f *Front) record(inv Invocation) {
	f.sched.mu.Lock()
	f.sched.invocations = append(f.sched.invocations, inv)
	if n := len(f.sched.invocations); n > maxInvocationsKept {
		f.sched.invocations = f.sched.invocations[n-maxInvocationsKept:]
	}
	f.sched.mu.Unlock()
	outcome := "succeeded"
	if !inv.Succeeded {
		outcome = "failed: " + inv.ErrorCode + ": " + inv.Message
	}
	f.logf("scheduler: %s attempt %d (target %s as %s) %s", inv.ScheduleARN, inv.Attempt, inv.TargetARN, inv.RoleARN, outcome)
}

func (f *Front) logf(format string, args ...any) {
	l := f.opts.Logger
	if l == nil {
		l = log.Default()
	}
	l.Printf("vafront: "+format, args...)
}

// awsConfig is the configuration of the front's own clients of moto (the
// scheduler runner's): moto's default account, the front's region.
func (f *Front) awsConfig() aws.Config {
	return aws.Config{
		Region:       f.opts.Region,
		Credentials:  credentials.NewStaticCredentialsProvider(motoAccessKey, motoAccessKey, ""),
		BaseEndpoint: aws.String(f.upstream.String()),
	}
}

// motoAccessKey is the access key of moto's default account, which is the
// front's (Options.AccountID defaults to it).
const motoAccessKey = "test"

// StartScheduler runs the scheduler runner every interval until
// StopScheduler.
func (f *Front) StartScheduler(interval time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	f.sched.mu.Lock()
	if f.sched.stop != nil {
		f.sched.mu.Unlock()
		cancel()
		return
	}
	f.sched.stop, f.sched.stopped = cancel, make(chan struct{})
	stopped := f.sched.stopped
	f.sched.mu.Unlock()
	go func() {
		defer close(stopped)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				tickCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
				if err := f.RunSchedules(tickCtx); err != nil && ctx.Err() == nil {
					f.logf("scheduler: %v", err)
				}
				cancel()
			}
		}
	}()
}

// StopScheduler stops the runner and waits for its tick in progress.
func (f *Front) StopScheduler() {
	f.sched.mu.Lock()
	stop, stopped := f.sched.stop, f.sched.stopped
	f.sched.stop = nil
	f.sched.mu.Unlock()
	if stop != nil {
		stop()
		<-stopped
	}
}

// RunSchedules is one pass of the runner: it fires every due schedule once
// (or retries it when its backoff has passed).
func (f *Front) RunSchedules(ctx context.Context) error {
	f.runMu.Lock()
	defer f.runMu.Unlock()
	c := scheduler.NewFromConfig(f.awsConfig())
	live := map[string]schedtypes.ScheduleSummary{}
	p := scheduler.NewListSchedulesPaginator(c, &scheduler.ListSchedulesInput{State: schedtypes.ScheduleStateEnabled})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list schedules: %w", err)
		}
		for _, s := range page.Schedules {
			live[aws.ToString(s.GroupName)+"/"+aws.ToString(s.Name)] = s
		}
	}
	keys := make([]string, 0, len(live))
	for k := range live {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	f.sched.mu.Lock()
	for k := range f.sched.tracked {
		if _, ok := live[k]; !ok {
			delete(f.sched.tracked, k)
		}
	}
	f.sched.mu.Unlock()

	for _, k := range keys {
		sum := live[k]
		f.sched.mu.Lock()
		ts := f.sched.tracked[k]
		f.sched.mu.Unlock()
		if ts == nil || !ts.modified.Equal(aws.ToTime(sum.LastModificationDate)) {
			out, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{GroupName: sum.GroupName, Name: sum.Name})
			if notFoundErr := new(schedtypes.ResourceNotFoundException); errors.As(err, &notFoundErr) {
				continue // deleted since the list
			}
			if err != nil {
				return fmt.Errorf("get schedule %s: %w", k, err)
			}
			ts = &trackedSchedule{modified: aws.ToTime(sum.LastModificationDate), sch: out}
			due, oneTime, err := atTime(aws.ToString(out.ScheduleExpression), aws.ToString(out.ScheduleExpressionTimezone))
			switch {
			case err != nil:
				f.logf("scheduler: %s: %v; not fired", aws.ToString(out.Arn), err)
				ts.done = true
			case !oneTime:
				f.logf("scheduler: %s: %s schedules are not fired by the sandbox", aws.ToString(out.Arn), aws.ToString(out.ScheduleExpression))
				ts.done = true
			default:
				ts.due, ts.next = due, due
			}
			f.sched.mu.Lock()
			f.sched.tracked[k] = ts
			f.sched.mu.Unlock()
		}
		if ts.done || f.clock().Before(ts.next) {
			continue
		}
		if err := f.fire(ctx, c, k, ts); err != nil {
			return err
		}
	}
	return nil
}

// fire invokes one due schedule once and applies the outcome.
func (f *Front) fire(ctx context.Context, c *scheduler.Client, key string, ts *trackedSchedule) error {
	s := ts.sch
	now := f.clock()
	ts.attempts++
	inv := Invocation{
		ScheduleARN: aws.ToString(s.Arn), Group: aws.ToString(s.GroupName), Name: aws.ToString(s.Name),
		Attempt: ts.attempts, At: now,
	}
	if s.Target != nil {
		inv.TargetARN, inv.RoleARN = aws.ToString(s.Target.Arn), aws.ToString(s.Target.RoleArn)
	}
	if fail := f.invoke(ctx, s); fail != nil {
		inv.ErrorCode, inv.Message = fail.Code, fail.Message
		maxAttempts, maxAge := 185, 86400*time.Second
		if s.Target != nil && s.Target.RetryPolicy != nil {
			if r := s.Target.RetryPolicy.MaximumRetryAttempts; r != nil {
				maxAttempts = int(*r)
			}
			if a := s.Target.RetryPolicy.MaximumEventAgeInSeconds; a != nil {
				maxAge = time.Duration(*a) * time.Second
			}
		}
		backoff := time.Second << min(ts.attempts-1, 9)
		backoff = min(backoff, 5*time.Minute)
		retries := ts.attempts - 1
		inv.Final = retries >= maxAttempts || now.Add(backoff).Sub(ts.due) > maxAge
		ts.next = now.Add(backoff)
	} else {
		inv.Succeeded, inv.Final = true, true
	}
	if !inv.Final {
		f.record(inv)
		return nil
	}
	ts.done = true
	if s.ActionAfterCompletion == schedtypes.ActionAfterCompletionDelete {
		_, err := c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{GroupName: s.GroupName, Name: s.Name})
		var nf *schedtypes.ResourceNotFoundException
		if err != nil && !errors.As(err, &nf) {
			f.record(inv)
			return fmt.Errorf("delete completed schedule %s: %w", key, err)
		}
		inv.Deleted = true
	}
	f.record(inv)
	return nil
}

var atExpression = regexp.MustCompile(`^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$`)

// atTime reads a one-time schedule's time in its time zone (UTC when none);
// oneTime is false for rate() and cron().
func atTime(expr, zone string) (t time.Time, oneTime bool, err error) {
	m := atExpression.FindStringSubmatch(expr)
	if m == nil {
		if strings.HasPrefix(expr, "rate(") || strings.HasPrefix(expr, "cron(") {
			return time.Time{}, false, nil
		}
		return time.Time{}, false, fmt.Errorf("schedule expression %q is not at(yyyy-mm-ddThh:mm:ss), rate() or cron()", expr)
	}
	loc := time.UTC
	if zone != "" {
		if loc, err = time.LoadLocation(zone); err != nil {
			return time.Time{}, false, fmt.Errorf("time zone %q: %w", zone, err)
		}
	}
	t, err = time.ParseInLocation("2006-01-02T15:04:05", m[1], loc)
	return t, true, err
}

// apiFailure is why an invocation failed, as AWS names it.
type apiFailure struct{ Code, Message string }

func failureOf(err error) *apiFailure {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return &apiFailure{apiErr.ErrorCode(), apiErr.ErrorMessage()}
	}
	return &apiFailure{"InternalServerException", err.Error()}
}
