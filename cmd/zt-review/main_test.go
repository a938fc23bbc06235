package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ztforge/terraform-provider-zerotrust/internal/review"
)

const plans = "../../internal/review/testdata/"

func TestExitStatus(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		want  int
		out   string // in stdout
	}{
		{"no condition holds", []string{"--fail-on", "internet,permanent-privilege", plans + "cidr-into-restricted.json"}, "", exitOK, "198.51.100.0/24 -> shop-db"},
		{"restricted gain", []string{"--fail-on", "restricted-gain", plans + "cidr-into-restricted.json"}, "", exitFindings, "tcp 5432"},
		{"permanent privilege", []string{"--fail-on=permanent-privilege", plans + "permanent-grant.json"}, "", exitFindings, "made permanent"},
		{"markdown", []string{"--format", "markdown", plans + "new-flow.json"}, "", exitOK, "```mermaid"},
		{"unknown fails on unknown", []string{"--fail-on", "unknown", plans + "initial.tofu.json"}, "", exitFindings, "Unknown until apply"},
		{"no change", []string{"--fail-on", "any", plans + "no-change.json"}, "", exitOK, "No change"},
		{"bad format", []string{"--format", "html", plans + "no-change.json"}, "", exitUsage, ""},
		{"bad condition", []string{"--fail-on", "everything", plans + "no-change.json"}, "", exitUsage, ""},
		{"two files", []string{plans + "no-change.json", plans + "new-flow.json"}, "", exitUsage, ""},
		{"missing file", []string{plans + "absent.json"}, "", exitError, ""},
		{"not a plan", []string{"-"}, `{"format_version": "1.0", "values": {}}`, exitError, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(tc.args, strings.NewReader(tc.stdin), &stdout, &stderr); got != tc.want {
				t.Fatalf("exit %d, want %d; stderr: %s", got, tc.want, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.out) {
				t.Errorf("stdout lacks %q:\n%s", tc.out, stdout.String())
			}
		})
	}
}

func TestReadsStdin(t *testing.T) {
	plan, err := os.ReadFile(plans + "new-group-restricted.json")
	if err != nil {
		t.Fatal(err)
	}
	var fromFile, fromStdin, stderr bytes.Buffer
	run([]string{plans + "new-group-restricted.json"}, strings.NewReader(""), &fromFile, &stderr)
	if code := run(nil, bytes.NewReader(plan), &fromStdin, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if fromStdin.String() != fromFile.String() || !strings.Contains(fromStdin.String(), `allowed by "engineering-read"`) {
		t.Errorf("stdin gave:\n%s\nfile gave:\n%s", fromStdin.String(), fromFile.String())
	}
}

// The example workflow installs this command by its module path and passes
// conditions it accepts.
func TestExampleWorkflow(t *testing.T) {
	raw, err := os.ReadFile("../../examples/ci/access-review.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Env  map[string]string `json:"env"`
		Jobs map[string]struct {
			Steps []struct {
				Run string `json:"run"`
			} `json:"steps"`
		} `json:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatal(err)
	}
	if _, err := review.ParseFailOn(wf.Env["FAIL_ON"]); err != nil || wf.Env["FAIL_ON"] == "" {
		t.Errorf("FAIL_ON %q: %v", wf.Env["FAIL_ON"], err)
	}
	var runs []string
	for _, s := range wf.Jobs["review"].Steps {
		runs = append(runs, s.Run)
	}
	all := strings.Join(runs, "\n")
	for _, want := range []string{
		"go install \"github.com/ztforge/terraform-provider-zerotrust/cmd/zt-review@",
		"terraform show -json plan.out > plan.json",
		"zt-review --format markdown --fail-on \"$FAIL_ON\" plan.json",
		"3) echo \"needs-approval=true\"",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the review job does not run %q", want)
		}
	}
	if exitFindings != 3 {
		t.Errorf("the workflow reads exit status 3 as findings; the command uses %d", exitFindings)
	}
}
