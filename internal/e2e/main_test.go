// Package e2e runs the modules and examples end to end with Terratest: the
// real Terraform CLI, the freshly built provider from a filesystem mirror,
// and the local sandbox.
package e2e

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest"
)

func TestMain(m *testing.M) {
	acctest.Main(m, acctest.Options{AWS: true, Kubernetes: true})
}

func itoa(v int32) string { return strconv.Itoa(int(v)) }

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			if info.Name() == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(filepath.Join(dst, rel))
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func sortStrings(s []string) { sort.Strings(s) }
