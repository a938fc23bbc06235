package verifiedaccess

import (
	"strings"
	"testing"

	"github.com/cedar-policy/cedar-go/ast"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// TestCheckStatementsRefusesTextThatIsNotWhatWasBuilt covers the proof
// checkStatements gives for each statement: text that does not parse, and
// text whose @id is not the rule's (cedar-go writes an invalid UTF-8 value
// as U+FFFD), are refused rather than returned.
func TestCheckStatementsRefusesTextThatIsNotWhatWasBuilt(t *testing.T) {
	schema, err := ContextSchema(model.AccessProxy{Name: "corp"}, nil).MarshalCedar()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, id string
		build    *ast.Policy
		want     string
	}{
		{"annotation key that is no identifier", "r", ast.Annotation("not an identifier", "r").Permit(), `the statement of "r" does not parse`},
		{"another @id", "r", ast.Annotation(IDAnnotation, "s").Permit(), `the statement of "r" parses with @id "s"`},
		{"@id rewritten on the way to text", "r\xff", ast.Annotation(IDAnnotation, "r\xff").Permit(), "the statement of \"r\\xff\" parses with @id \"r\uFFFD\""},
		{"no @id", "r", ast.Permit(), `the statement of "r" parses with @id ""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			texts, err := checkStatements(func(int) *ast.Policy { return tc.build }, []string{tc.id}, schema, CedarGoValidator{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %q, %v; want an error containing %q", texts, err, tc.want)
			}
		})
	}

	texts, err := checkStatements(func(int) *ast.Policy { return DenyByDefault() }, []string{DenyByDefaultID}, schema, CedarGoValidator{})
	if err != nil || len(texts) != 1 || !strings.HasPrefix(string(texts[0]), `@id("`+DenyByDefaultID+`")`) {
		t.Fatalf("deny by default: %q, %v", texts, err)
	}
}
