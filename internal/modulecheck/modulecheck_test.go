package modulecheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestModuleReadmes keeps every module's README Inputs/Outputs tables
// exactly in step with its variables and outputs.
func TestModuleReadmes(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "..", "modules", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no modules found: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			mod, err := ParseModule(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(mod.Inputs) == 0 || len(mod.Outputs) == 0 {
				t.Fatalf("module declares %d inputs and %d outputs", len(mod.Inputs), len(mod.Outputs))
			}
			doc, err := ParseReadme(filepath.Join(dir, "README.md"))
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range Diff(mod, doc) {
				t.Error(d)
			}
		})
	}
}

var providerSource = regexp.MustCompile(`source\s*=\s*"ztforge/zerotrust"`)

// TestModuleReadmesUseGitSources: a README is read outside this repository,
// where a local path means nothing.
func TestModuleReadmesUseGitSources(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "modules", "*"))
	for _, dir := range dirs {
		raw, err := os.ReadFile(filepath.Join(dir, "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		want := "git::https://github.com/ztforge/terraform-provider-zerotrust.git//modules/" + filepath.Base(dir) + "?ref="
		if !strings.Contains(text, want) {
			t.Errorf("%s: README has no git source %s…", dir, want)
		}
		if !providerSource.MatchString(text) {
			t.Errorf("%s: README has no required_providers source ztforge/zerotrust", dir)
		}
		for _, line := range strings.Split(text, "\n") {
			if s := strings.TrimSpace(line); strings.HasPrefix(s, "source") && (strings.Contains(s, `"./`) || strings.Contains(s, `"../`)) {
				t.Errorf("%s: README uses a local source: %s", dir, s)
			}
		}
	}
}

// The checks must catch what they exist for.
func TestDiffFindsMissingAndExtra(t *testing.T) {
	mod := Interface{Inputs: map[string]bool{"name": true, "tags": false}, Outputs: map[string]bool{"id": true}}
	doc := Interface{Inputs: map[string]bool{"name": false, "extra": true}, Outputs: map[string]bool{"id": true, "arn": true}}
	got := strings.Join(Diff(mod, doc), "\n")
	for _, want := range []string{
		"input tags is not in the README",
		"input name: README says required=false, variables.tf true",
		"the README lists input extra, which the module does not declare",
		"the README lists output arn, which the module does not declare",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("diff lacks %q:\n%s", want, got)
		}
	}
	if d := Diff(mod, mod); len(d) != 0 {
		t.Errorf("a module against itself: %v", d)
	}
}

func TestParseReadme(t *testing.T) {
	path := filepath.Join(t.TempDir(), "README.md")
	text := "# m\n\n## Inputs\n\n| Name | Description | Type | Default | Required |\n|---|---|---|---|:---:|\n" +
		"| `name` | Name. | `string` | n/a | yes |\n| `tags` | Tags. | `map(string)` | `{}` | no |\n\n" +
		"## Outputs\n\n| Name | Description |\n|---|---|\n| `id` | The id. |\n\n## Notes\n\n| `not_an_output` | x |\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ParseReadme(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Inputs) != 2 || !got.Inputs["name"] || got.Inputs["tags"] || len(got.Outputs) != 1 || !got.Outputs["id"] {
		t.Errorf("parsed %+v", got)
	}
}
