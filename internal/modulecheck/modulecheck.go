// Package modulecheck reads a Terraform module's interface (its variables
// and outputs, parsed with HCL) and the Inputs/Outputs tables of its README,
// so a test can keep the hand-written tables in step with the code.
package modulecheck

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Interface is what a module declares: its variables (true when required,
// i.e. without a default) and its outputs.
type Interface struct {
	Inputs  map[string]bool
	Outputs map[string]bool
}

// ParseModule reads every .tf file of dir.
func ParseModule(dir string) (Interface, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return Interface{}, err
	}
	if len(files) == 0 {
		return Interface{}, fmt.Errorf("%s: no .tf files", dir)
	}
	sort.Strings(files)
	in := Interface{Inputs: map[string]bool{}, Outputs: map[string]bool{}}
	p := hclparse.NewParser()
	for _, f := range files {
		file, diags := p.ParseHCLFile(f)
		if diags.HasErrors() {
			return Interface{}, diags
		}
		body, ok := file.Body.(*hclsyntax.Body)
		if !ok {
			return Interface{}, fmt.Errorf("%s: not native HCL syntax", f)
		}
		for _, b := range body.Blocks {
			if len(b.Labels) != 1 {
				continue
			}
			switch b.Type {
			case "variable":
				_, hasDefault := b.Body.Attributes["default"]
				in.Inputs[b.Labels[0]] = !hasDefault
			case "output":
				in.Outputs[b.Labels[0]] = true
			}
		}
	}
	return in, nil
}

// ParseReadme reads the "## Inputs" and "## Outputs" tables of a README: the
// first cell of each row is the name in backticks; an Inputs row's last cell
// is "yes" or "no" (required).
func ParseReadme(path string) (Interface, error) {
	f, err := os.Open(path)
	if err != nil {
		return Interface{}, err
	}
	defer f.Close()
	in := Interface{Inputs: map[string]bool{}, Outputs: map[string]bool{}}
	var section map[string]bool
	var inputs bool
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "#"):
			heading := strings.TrimSpace(strings.TrimLeft(line, "#"))
			section, inputs = nil, false
			if heading == "Inputs" {
				section, inputs = in.Inputs, true
			} else if heading == "Outputs" {
				section = in.Outputs
			}
		case section != nil && strings.HasPrefix(line, "|"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			name := strings.TrimSpace(cells[0])
			if !strings.HasPrefix(name, "`") {
				continue // the header and its separator
			}
			name = strings.Trim(name, "`")
			if _, dup := section[name]; dup {
				return Interface{}, fmt.Errorf("%s:%d: %s listed twice", path, n, name)
			}
			section[name] = true
			if inputs {
				switch req := strings.TrimSpace(cells[len(cells)-1]); req {
				case "yes", "no":
					section[name] = req == "yes"
				default:
					return Interface{}, fmt.Errorf("%s:%d: the Required cell of %s is %q, want yes or no", path, n, name, req)
				}
			}
		}
	}
	return in, sc.Err()
}

// Diff lists how the README's tables differ from the module.
func Diff(module, readme Interface) []string {
	var out []string
	for _, side := range []struct {
		what     string
		mod, doc map[string]bool
		required bool
	}{{"input", module.Inputs, readme.Inputs, true}, {"output", module.Outputs, readme.Outputs, false}} {
		for name, req := range side.mod {
			docReq, ok := side.doc[name]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("%s %s is not in the README", side.what, name))
			case side.required && docReq != req:
				out = append(out, fmt.Sprintf("input %s: README says required=%v, variables.tf %v", name, docReq, req))
			}
		}
		for name := range side.doc {
			if _, ok := side.mod[name]; !ok {
				out = append(out, fmt.Sprintf("the README lists %s %s, which the module does not declare", side.what, name))
			}
		}
	}
	sort.Strings(out)
	return out
}
