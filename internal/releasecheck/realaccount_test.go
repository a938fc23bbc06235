package releasecheck

import (
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The real-account workflow: scheduled and manual, OIDC credentials from
// the two variables a fork sets, the safe acceptance tests, and a sweep of
// the run's objects that runs even when the tests fail.
func TestRealAccountWorkflow(t *testing.T) {
	var wf struct {
		On          map[string]any    `json:"true"` // YAML 1.1 reads `on` as true
		Permissions map[string]string `json:"permissions"`
		Jobs        map[string]struct {
			If             string            `json:"if"`
			TimeoutMinutes int               `json:"timeout-minutes"`
			Env            map[string]string `json:"env"`
			Steps          []struct {
				Name string            `json:"name"`
				Uses string            `json:"uses"`
				Run  string            `json:"run"`
				If   string            `json:"if"`
				With map[string]any    `json:"with"`
				Env  map[string]string `json:"env"`
			} `json:"steps"`
		} `json:"jobs"`
	}
	if err := yaml.Unmarshal(read(t, ".github/workflows/real-account.yml"), &wf); err != nil {
		t.Fatal(err)
	}
	if _, ok := wf.On["schedule"]; !ok {
		t.Error("the workflow is not scheduled")
	}
	if _, ok := wf.On["workflow_dispatch"]; !ok {
		t.Error("the workflow cannot be run by hand")
	}
	if _, ok := wf.On["pull_request"]; ok {
		t.Error("pull requests must never run in the account")
	}
	if wf.Permissions["id-token"] != "write" || wf.Permissions["contents"] != "read" {
		t.Errorf("permissions %v: want id-token: write (OIDC) and contents: read only", wf.Permissions)
	}
	if len(wf.Jobs) != 1 {
		t.Fatalf("want one job, got %d", len(wf.Jobs))
	}
	for name, job := range wf.Jobs {
		for _, v := range []string{"vars.ZT_REAL_ROLE_ARN", "vars.ZT_REAL_REGION"} {
			if !strings.Contains(job.If, v) {
				t.Errorf("job %s runs without %s set (if: %q): a fork without the variables must do nothing", name, v, job.If)
			}
		}
		if job.TimeoutMinutes == 0 || job.TimeoutMinutes > 90 {
			t.Errorf("job %s: timeout-minutes %d, want a bound of at most 90", name, job.TimeoutMinutes)
		}
		if job.Env["ZT_RUN_ID"] != "${{ github.run_id }}" {
			t.Errorf("job %s: ZT_RUN_ID = %q, want the run id", name, job.Env["ZT_RUN_ID"])
		}
		credentials, tests, sweep := -1, -1, -1
		for i, s := range job.Steps {
			switch {
			case strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@"):
				credentials = i
				if s.With["role-to-assume"] != "${{ vars.ZT_REAL_ROLE_ARN }}" || s.With["aws-region"] != "${{ vars.ZT_REAL_REGION }}" {
					t.Errorf("credentials step %v: want the role and region variables", s.With)
				}
				if _, static := s.With["aws-access-key-id"]; static {
					t.Error("credentials step uses a static key: the role is assumed through OIDC only")
				}
			case strings.TrimSpace(s.Run) == "make test-real":
				tests = i
			case strings.TrimSpace(s.Run) == "make sweep-real":
				sweep = i
				if s.If != "always()" {
					t.Errorf("the sweep runs with if: %q, want always(): a failed run must be cleaned too", s.If)
				}
			}
		}
		if credentials < 0 || tests < credentials || sweep < tests {
			t.Errorf("job %s: want credentials, then make test-real, then make sweep-real (positions %d, %d, %d)", name, credentials, tests, sweep)
		}
	}
}

// The make targets the workflow runs: the real-account mode and the run's
// sweep, both refusing to run without a run id.
func TestRealAccountMakeTargets(t *testing.T) {
	mk := string(read(t, "GNUmakefile"))
	target := func(name string) string {
		m := regexp.MustCompile(`(?ms)^` + name + `:.*?\n((?:\t.*\n)+)`).FindStringSubmatch(mk)
		if m == nil {
			t.Fatalf("no %s target in GNUmakefile", name)
		}
		return m[1]
	}
	run := target("test-real")
	for _, want := range []string{"ZT_RUN_ID", "ZT_ACC_REAL=1", "TF_ACC=1", "./internal/provider/"} {
		if !strings.Contains(run, want) {
			t.Errorf("test-real lacks %q:\n%s", want, run)
		}
	}
	sweep := target("sweep-real")
	for _, want := range []string{"-run-id $(ZT_RUN_ID)", "-delete", "-i-know-this-is-a-real-account"} {
		if !strings.Contains(sweep, want) {
			t.Errorf("sweep-real lacks %q:\n%s", want, sweep)
		}
	}
}
