package whatif

import (
	"bytes"
	"cmp"
	"slices"

	cedar "github.com/cedar-policy/cedar-go"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/verifiedaccess"
)

// Normalize parses a Cedar policy document with cedar-go and renders it the
// way the verifiedaccess compiler renders its output: each statement
// marshalled by cedar-go, forbid before permit, then by @id (byte order;
// statements without one after those with one, then by their text), one
// blank line between statements, exactly one trailing newline. Statement
// order does not change a Cedar decision, so sorting preserves meaning, and
// documents that differ only in layout, comments or order normalize to the
// same text; a compiled document is its own normal form. An empty document
// (no statement) normalizes to "".
func Normalize(text string) (string, error) {
	list, err := cedar.NewPolicyListFromBytes("", []byte(text))
	if err != nil {
		return "", err
	}
	type stmt struct {
		forbid bool
		id     string
		hasID  bool
		text   []byte
	}
	stmts := make([]stmt, len(list))
	for i, p := range list {
		id, ok := p.Annotations()[verifiedaccess.IDAnnotation]
		stmts[i] = stmt{forbid: p.Effect() == cedar.Forbid, id: string(id), hasID: ok, text: p.MarshalCedar()}
	}
	slices.SortStableFunc(stmts, func(a, b stmt) int {
		rank := func(s stmt) int {
			r := 0
			if !s.forbid {
				r += 2
			}
			if !s.hasID {
				r++
			}
			return r
		}
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.id, b.id), bytes.Compare(a.text, b.text))
	})
	if len(stmts) == 0 {
		return "", nil
	}
	parts := make([][]byte, len(stmts))
	for i, s := range stmts {
		parts[i] = s.text
	}
	return string(append(bytes.Join(parts, []byte("\n\n")), '\n')), nil
}
