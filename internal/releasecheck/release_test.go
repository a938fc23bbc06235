package releasecheck

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"

	"sigs.k8s.io/yaml"
)

// The subset of goreleaser's v2 schema this project uses. Strict decoding
// refuses any key not declared here, so a misspelt or misplaced key fails.
type goreleaser struct {
	Version     int    `json:"version"`
	ProjectName string `json:"project_name"`
	Before      struct {
		Hooks []string `json:"hooks"`
	} `json:"before"`
	Builds []struct {
		Env          []string `json:"env"`
		ModTimestamp string   `json:"mod_timestamp"`
		Flags        []string `json:"flags"`
		Ldflags      []string `json:"ldflags"`
		Goos         []string `json:"goos"`
		Goarch       []string `json:"goarch"`
		Ignore       []struct {
			Goos   string `json:"goos"`
			Goarch string `json:"goarch"`
		} `json:"ignore"`
		Binary string `json:"binary"`
	} `json:"builds"`
	Archives []struct {
		Formats      []string `json:"formats"`
		NameTemplate string   `json:"name_template"`
	} `json:"archives"`
	Checksum struct {
		ExtraFiles   []extraFile `json:"extra_files"`
		NameTemplate string      `json:"name_template"`
		Algorithm    string      `json:"algorithm"`
	} `json:"checksum"`
	Signs []struct {
		Artifacts string   `json:"artifacts"`
		Args      []string `json:"args"`
	} `json:"signs"`
	Release struct {
		ExtraFiles []extraFile `json:"extra_files"`
	} `json:"release"`
	Changelog struct {
		Disable bool `json:"disable"`
	} `json:"changelog"`
}

type extraFile struct {
	Glob         string `json:"glob"`
	NameTemplate string `json:"name_template"`
}

func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The name the registry expects every artifact to start with: the provider's
// repository name, terraform-provider-<type>.
const registryProjectName = "terraform-provider-zerotrust"

func loadGoreleaser(t *testing.T) goreleaser {
	t.Helper()
	var cfg goreleaser
	if err := yaml.UnmarshalStrict(read(t, ".goreleaser.yml"), &cfg); err != nil {
		t.Fatalf(".goreleaser.yml: %v", err)
	}
	return cfg
}

// render evaluates a goreleaser name template the way goreleaser does for
// the fields used here, with the project name the configuration declares
// (goreleaser falls back to the checkout folder's name when it has none).
func render(t *testing.T, cfg goreleaser, tmpl string, os, arch string) string {
	t.Helper()
	tp, err := template.New("name").Parse(tmpl)
	if err != nil {
		t.Fatalf("template %q: %v", tmpl, err)
	}
	var b bytes.Buffer
	data := map[string]string{"ProjectName": cfg.ProjectName, "Version": "1.2.3", "Os": os, "Arch": arch}
	if err := tp.Execute(&b, data); err != nil {
		t.Fatalf("template %q: %v", tmpl, err)
	}
	return b.String()
}

// TestGoreleaserConfig checks .goreleaser.yml against the registry's
// publishing requirements (the layout of hashicorp's scaffolding): static
// builds for the registry's platforms, binaries named
// terraform-provider-<name>_v<version>, zips named
// <project>_<version>_<os>_<arch>.zip, a SHA256SUMS file holding the
// registry manifest, a detached GPG signature of the sums, and the version
// stamped into main.version.
func TestGoreleaserConfig(t *testing.T) {
	cfg := loadGoreleaser(t)
	if cfg.ProjectName != registryProjectName {
		t.Errorf("project_name %q, want %s (without it artifacts are named after the checkout folder)", cfg.ProjectName, registryProjectName)
	}
	if cfg.Version != 2 {
		t.Errorf("version %d, want 2 (goreleaser v2 schema)", cfg.Version)
	}
	if len(cfg.Builds) != 1 {
		t.Fatalf("%d builds, want 1", len(cfg.Builds))
	}
	b := cfg.Builds[0]
	if !slices.Contains(b.Env, "CGO_ENABLED=0") || !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("build env %v flags %v: want a static (CGO_ENABLED=0), -trimpath build", b.Env, b.Flags)
	}
	if len(b.Ldflags) != 1 || !strings.Contains(b.Ldflags[0], "-X main.version={{ .Version }}") {
		t.Errorf("ldflags %v do not stamp main.version", b.Ldflags)
	}
	if !bytes.Contains(read(t, "main.go"), []byte("var version = ")) {
		t.Error("main.go has no `var version` for the ldflags to set")
	}
	for _, os := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(b.Goos, os) {
			t.Errorf("goos %v lacks %s", b.Goos, os)
		}
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if !slices.Contains(b.Goarch, arch) {
			t.Errorf("goarch %v lacks %s", b.Goarch, arch)
		}
	}
	if got := render(t, cfg, b.Binary, "linux", "amd64"); got != "terraform-provider-zerotrust_v1.2.3" {
		t.Errorf("binary name %q, want terraform-provider-zerotrust_v1.2.3 (what Terraform looks for)", got)
	}
	if len(cfg.Archives) != 1 || !slices.Equal(cfg.Archives[0].Formats, []string{"zip"}) {
		t.Fatalf("archives %+v, want one zip archive", cfg.Archives)
	}
	if got := render(t, cfg, cfg.Archives[0].NameTemplate, "darwin", "arm64") + ".zip"; got != "terraform-provider-zerotrust_1.2.3_darwin_arm64.zip" {
		t.Errorf("archive %q, want terraform-provider-zerotrust_1.2.3_darwin_arm64.zip", got)
	}
	if cfg.Checksum.Algorithm != "sha256" || render(t, cfg, cfg.Checksum.NameTemplate, "", "") != "terraform-provider-zerotrust_1.2.3_SHA256SUMS" {
		t.Errorf("checksum %+v, want sha256 in terraform-provider-zerotrust_1.2.3_SHA256SUMS", cfg.Checksum)
	}
	manifest := "terraform-provider-zerotrust_1.2.3_manifest.json"
	for what, files := range map[string][]extraFile{"checksum": cfg.Checksum.ExtraFiles, "release": cfg.Release.ExtraFiles} {
		if len(files) != 1 || files[0].Glob != "terraform-registry-manifest.json" || render(t, cfg, files[0].NameTemplate, "", "") != manifest {
			t.Errorf("%s extra files %+v, want terraform-registry-manifest.json as %s", what, files, manifest)
		}
	}
	if len(cfg.Signs) != 1 || cfg.Signs[0].Artifacts != "checksum" {
		t.Fatalf("signs %+v, want the checksum file signed", cfg.Signs)
	}
	args := strings.Join(cfg.Signs[0].Args, " ")
	for _, want := range []string{"--detach-sign", "{{ .Env.GPG_FINGERPRINT }}", "${signature}", "${artifact}", "--batch"} {
		if !strings.Contains(args, want) {
			t.Errorf("sign args %q lack %s", args, want)
		}
	}
}

// TestRegistryManifest: the registry reads the plugin protocol from the
// manifest; a framework provider speaks protocol 6.
func TestRegistryManifest(t *testing.T) {
	var m struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	dec := json.NewDecoder(bytes.NewReader(read(t, "terraform-registry-manifest.json")))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if m.Version != 1 || !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
		t.Errorf("manifest %+v, want version 1 and protocol 6.0", m)
	}
}

// TestReleaseWorkflow: the release runs goreleaser on a tag with the GPG key
// imported and its fingerprint handed to the signing step.
func TestReleaseWorkflow(t *testing.T) {
	var wf struct {
		// YAML 1.1 reads the key `on` as the boolean true.
		On   map[string]any `json:"true"`
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `json:"uses"`
				ID   string            `json:"id"`
				With map[string]any    `json:"with"`
				Env  map[string]string `json:"env"`
			} `json:"steps"`
		} `json:"jobs"`
	}
	if err := yaml.Unmarshal(read(t, ".github/workflows/release.yml"), &wf); err != nil {
		t.Fatal(err)
	}
	push, _ := wf.On["push"].(map[string]any)
	if tags, _ := push["tags"].([]any); len(tags) == 0 {
		t.Errorf("the release is not triggered by pushed tags: on = %v", wf.On)
	}
	var gpgID string
	var released bool
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			switch {
			case strings.HasPrefix(s.Uses, "crazy-max/ghaction-import-gpg@"):
				gpgID = s.ID
			case strings.HasPrefix(s.Uses, "goreleaser/goreleaser-action@"):
				released = true
				if gpgID == "" || s.Env["GPG_FINGERPRINT"] != "${{ steps."+gpgID+".outputs.fingerprint }}" {
					t.Errorf("goreleaser runs without the imported key's fingerprint (env %v)", s.Env)
				}
			}
		}
	}
	if !released {
		t.Error("no goreleaser step in the release workflow")
	}
}

// TestReleaseArtifactNames renders, from project_name and the name
// templates, every file a release publishes for every platform the build
// matrix yields, and checks each against the registry's naming:
// <project>_<version>_<os>_<arch>.zip per platform, one
// <project>_<version>_SHA256SUMS and one <project>_<version>_manifest.json.
// Run with -v (make release-check) to list them.
func TestReleaseArtifactNames(t *testing.T) {
	cfg := loadGoreleaser(t)
	if len(cfg.Builds) != 1 || len(cfg.Archives) != 1 {
		t.Fatalf("%d builds and %d archives, want one of each", len(cfg.Builds), len(cfg.Archives))
	}
	b := cfg.Builds[0]
	ignored := map[[2]string]bool{}
	for _, i := range b.Ignore {
		ignored[[2]string{i.Goos, i.Goarch}] = true
	}
	// goreleaser skips the pairs Go cannot build (darwin/arm), as does this.
	list, err := exec.Command("go", "tool", "dist", "list").Output()
	if err != nil {
		t.Fatalf("go tool dist list: %v", err)
	}
	buildable := map[string]bool{}
	for _, p := range strings.Fields(string(list)) {
		buildable[p] = true
	}
	seen := map[string]bool{}
	for _, goos := range b.Goos {
		for _, goarch := range b.Goarch {
			if ignored[[2]string{goos, goarch}] || !buildable[goos+"/"+goarch] {
				continue
			}
			zip := render(t, cfg, cfg.Archives[0].NameTemplate, goos, goarch) + ".zip"
			if want := registryProjectName + "_1.2.3_" + goos + "_" + goarch + ".zip"; zip != want {
				t.Errorf("%s/%s archive %q, want %q", goos, goarch, zip, want)
			}
			if seen[zip] {
				t.Errorf("two platforms share the archive name %s", zip)
			}
			seen[zip] = true
			t.Log(zip)
		}
	}
	if len(seen) < 4 {
		t.Errorf("%d platforms, want at least linux, darwin and windows on amd64 and arm64", len(seen))
	}
	sums := render(t, cfg, cfg.Checksum.NameTemplate, "", "")
	manifest := render(t, cfg, cfg.Release.ExtraFiles[0].NameTemplate, "", "")
	for got, want := range map[string]string{sums: registryProjectName + "_1.2.3_SHA256SUMS", manifest: registryProjectName + "_1.2.3_manifest.json"} {
		if got != want {
			t.Errorf("artifact %q, want %q", got, want)
		}
		t.Log(got)
	}
}
