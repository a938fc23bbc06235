package acctest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/acctest/rolepolicy"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/vafront"
)

// checkRolePolicy holds the real-account role's policy to what the provider
// did in this run: every operation the sandbox served to the provider (its
// requests carry the provider's app id) must be an action the policy
// allows. The operations are the ones the run exercised, so the policy
// cannot lag behind the code that calls AWS.
func checkRolePolicy(ops []vafront.OperationRecord) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	doc, err := rolepolicy.Load(filepath.Join(root, rolepolicy.Path))
	if err != nil {
		return err
	}
	missing := MissingFromRolePolicy(doc, ops)
	if len(missing) > 0 {
		return fmt.Errorf("the provider called %s, which the real-account role's policy %s does not allow: add them (docs/guides/real-account-ci.md shows the file)",
			strings.Join(missing, ", "), rolepolicy.Path)
	}
	return nil
}

// MissingFromRolePolicy lists the actions of the provider's operations the
// policy does not allow, sorted.
func MissingFromRolePolicy(doc rolepolicy.Document, ops []vafront.OperationRecord) []string {
	var missing []string
	for _, op := range ops {
		if !op.FromProvider {
			continue
		}
		if a := rolepolicy.Action(op.Service, op.Operation); !doc.Allows(a) {
			missing = append(missing, a)
		}
	}
	sort.Strings(missing)
	return missing
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test directory")
		}
		dir = parent
	}
}
