// Command zt-review reads the JSON of a saved Terraform or OpenTofu plan
// (`terraform show -json plan.out`, as a file argument or on stdin) and
// reports what the change does to zero-trust access: access gained and
// lost per protect surface and class of requests, reachability between
// segments and from networks, new routes into confidential and restricted
// segments, internet exposure, acknowledgements and privileged access.
//
// Exit status: 0 when no --fail-on condition holds, 3 when one does, 1
// when the plan cannot be read, 2 on a usage error.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/review"
)

// Exit codes.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitFindings = 3
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("zt-review", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text (terminal) or markdown (pull-request comment)")
	failOn := fs.String("fail-on", "", "comma-separated conditions that make the exit status "+fmt.Sprint(exitFindings)+": "+strings.Join(review.FailConditions, ", "))
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: zt-review [--format text|markdown] [--fail-on conditions] [plan.json | -]\n\n"+
			"Reads `terraform show -json <planfile>` (or `tofu show -json <planfile>`) from the file or stdin and reports\n"+
			"who gains or loses access to what. Exit status: 0 none of --fail-on holds, %d one does, %d unreadable plan, %d usage.\n\n", exitFindings, exitError, exitUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	if *format != "text" && *format != "markdown" {
		fmt.Fprintf(stderr, "zt-review: --format must be text or markdown, got %q\n", *format)
		return exitUsage
	}
	conditions, err := review.ParseFailOn(*failOn)
	if err != nil {
		fmt.Fprintln(stderr, "zt-review:", err)
		return exitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "zt-review: at most one plan file")
		fs.Usage()
		return exitUsage
	}
	in := stdin
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(stderr, "zt-review:", err)
			return exitError
		}
		defer f.Close()
		in = f
	}
	plan, err := review.ReadPlan(in)
	if err != nil {
		fmt.Fprintln(stderr, "zt-review:", err)
		return exitError
	}
	rep := review.Review(plan)
	if *format == "markdown" {
		err = rep.WriteMarkdown(stdout)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "zt-review:", err)
		return exitError
	}
	if failed := rep.Failed(conditions); len(failed) > 0 {
		fmt.Fprintf(stderr, "zt-review: --fail-on conditions hold: %s\n", strings.Join(failed, ", "))
		return exitFindings
	}
	return exitOK
}
