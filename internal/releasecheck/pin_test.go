package releasecheck

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// A release section of CHANGELOG.md is "## X.Y.Z — YYYY-MM-DD"; work not yet
// released sits under "## Unreleased" above them. 0.1.0 was numbered but
// never tagged: "## X.Y.Z (never tagged)" is history, not a release.
var (
	releaseHeading    = regexp.MustCompile(`^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$`)
	untaggedHeading   = regexp.MustCompile(`^## \d+\.\d+\.\d+ \(never tagged\)$`)
	unreleasedHeading = "## Unreleased"
	gitRef            = regexp.MustCompile(`git::[^"\s]*\?ref=([^"&\s]+)`)
	// A required_providers entry for this provider written with a version,
	// in one line or over several.
	snippetConstraint = regexp.MustCompile(`source\s*=\s*"ztforge/zerotrust"\s*,?\s*version\s*=\s*"([^"]+)"`)
	makefileVersion   = regexp.MustCompile(`(?m)^VERSION\s*\?=\s*(\S+)$`)
)

type release struct {
	version *goversion.Version
	date    time.Time
}

// datedReleases reads CHANGELOG.md's release sections, newest first, and
// fails on a section heading of any other form (an undated version
// included), so a release cannot be half cut.
func datedReleases(t *testing.T) []release {
	t.Helper()
	var out []release
	for i, line := range strings.Split(string(read(t, "CHANGELOG.md")), "\n") {
		if !strings.HasPrefix(line, "## ") {
			continue
		}
		if line == unreleasedHeading {
			if i != 0 {
				t.Errorf("CHANGELOG.md:%d: %q must be the first section", i+1, line)
			}
			continue
		}
		if untaggedHeading.MatchString(line) {
			continue
		}
		m := releaseHeading.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("CHANGELOG.md:%d: %q is neither %q nor \"## X.Y.Z — YYYY-MM-DD\"", i+1, line, unreleasedHeading)
			continue
		}
		v := goversion.Must(goversion.NewVersion(m[1]))
		d, err := time.Parse(time.DateOnly, m[2])
		if err != nil {
			t.Errorf("CHANGELOG.md:%d: date %q: %v", i+1, m[2], err)
			continue
		}
		if n := len(out); n > 0 && (!v.LessThan(out[n-1].version) || d.After(out[n-1].date)) {
			t.Errorf("CHANGELOG.md:%d: %s (%s) is not older than %s (%s) above it", i+1, v, m[2], out[n-1].version, out[n-1].date.Format(time.DateOnly))
		}
		out = append(out, release{v, d})
	}
	if len(out) == 0 {
		t.Fatal("CHANGELOG.md lists no dated release")
	}
	return out
}

// docFiles lists every file a user reads a snippet from: the README, the
// modules' READMEs, docs/, templates/ and examples/.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md"}
	for _, dir := range []string{"modules", "docs", "templates", "examples"} {
		err := filepath.WalkDir(filepath.Join(root(t), dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch filepath.Ext(path) {
			case ".md", ".tmpl", ".tf":
				rel, err := filepath.Rel(root(t), path)
				files = append(files, rel)
				return err
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// TestDocsPinTheLatestRelease: every `?ref=` a user copies names the newest
// release CHANGELOG.md dates (a tag the release routine pushes), and every
// version constraint a snippet shows for the provider admits it, so a
// snippet never points at a version that does not exist or at an older one
// than the modules need.
func TestDocsPinTheLatestRelease(t *testing.T) {
	latest := datedReleases(t)[0].version
	want := "v" + latest.String()
	refs := 0
	for _, name := range docFiles(t) {
		text := string(read(t, name))
		for _, m := range gitRef.FindAllStringSubmatch(text, -1) {
			refs++
			if m[1] != want {
				t.Errorf("%s: ?ref=%s, want ?ref=%s (the newest dated release in CHANGELOG.md)", name, m[1], want)
			}
		}
		for _, m := range snippetConstraint.FindAllStringSubmatch(text, -1) {
			c, err := goversion.NewConstraint(m[1])
			if err != nil {
				t.Errorf("%s: provider version %q: %v", name, m[1], err)
			} else if !c.Check(latest) {
				t.Errorf("%s: provider version %q does not admit the release %s", name, m[1], latest)
			}
		}
	}
	if refs == 0 {
		t.Error("no ?ref= found in the docs: the walk reads nothing")
	}
}

// moduleTerraformBlock returns the required_version and the zerotrust
// provider's source and version constraint a module declares.
func moduleTerraformBlock(t *testing.T, dir string) (requiredVersion, source, version string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: no .tf files (%v)", dir, err)
	}
	str := func(e hclsyntax.Expression) string {
		v, diags := e.Value(nil)
		if diags.HasErrors() || !v.Type().Equals(cty.String) || v.IsNull() {
			t.Errorf("%s: %s is not a literal string", dir, e.Range())
			return ""
		}
		return v.AsString()
	}
	p := hclparse.NewParser()
	for _, f := range files {
		file, diags := p.ParseHCLFile(f)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		for _, b := range file.Body.(*hclsyntax.Body).Blocks {
			if b.Type != "terraform" {
				continue
			}
			if a, ok := b.Body.Attributes["required_version"]; ok {
				requiredVersion = str(a.Expr)
			}
			for _, rp := range b.Body.Blocks {
				if rp.Type != "required_providers" {
					continue
				}
				a, ok := rp.Body.Attributes["zerotrust"]
				if !ok {
					continue
				}
				obj, ok := a.Expr.(*hclsyntax.ObjectConsExpr)
				if !ok {
					t.Fatalf("%s: required_providers.zerotrust is not an object", dir)
				}
				for _, item := range obj.Items {
					key, _ := item.KeyExpr.Value(nil)
					if key.Type() != cty.String {
						continue
					}
					switch key.AsString() {
					case "source":
						source = str(item.ValueExpr)
					case "version":
						version = str(item.ValueExpr)
					}
				}
			}
		}
	}
	return requiredVersion, source, version
}

// TestModulesPinTheProvider: every module declares the CLI versions it needs
// and a provider constraint that admits the newest dated release and the
// version `make install-mirror` serves to the end-to-end tests.
func TestModulesPinTheProvider(t *testing.T) {
	latest := datedReleases(t)[0].version
	m := makefileVersion.FindSubmatch(read(t, "GNUmakefile"))
	if m == nil {
		t.Fatal("GNUmakefile sets no VERSION ?= …")
	}
	built := goversion.Must(goversion.NewVersion(string(m[1])))
	dirs, err := filepath.Glob(filepath.Join(root(t), "modules", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no modules (%v)", err)
	}
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		name := filepath.Base(dir)
		requiredVersion, source, version := moduleTerraformBlock(t, dir)
		if _, err := goversion.NewConstraint(requiredVersion); requiredVersion == "" || err != nil {
			t.Errorf("%s: required_version %q (%v)", name, requiredVersion, err)
		}
		if source != "ztforge/zerotrust" {
			t.Errorf("%s: provider source %q, want ztforge/zerotrust", name, source)
		}
		c, err := goversion.NewConstraint(version)
		if version == "" || err != nil {
			t.Errorf("%s: provider version constraint %q (%v)", name, version, err)
			continue
		}
		if !c.Check(latest) {
			t.Errorf("%s: provider version %q does not admit the release %s", name, version, latest)
		}
		if !c.Check(built) {
			t.Errorf("%s: provider version %q does not admit %s, the version make install-mirror builds (GNUmakefile VERSION)", name, version, built)
		}
	}
}
