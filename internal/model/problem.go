// Package model holds the zero-trust domain: protect surfaces, access groups,
// device requirements, access rules, segments, flows and privileged access.
// It validates itself and imports nothing else of this project.
package model

import (
	"fmt"
	"sort"
	"strings"
)

// Path addresses a field inside a model value, e.g. access_rule[2].device.jamf.max_risk.
// Steps are attribute names or list indexes, so the provider can map them
// one-to-one onto Terraform attribute paths.
type Path []PathStep

// PathStep is one attribute name (Name != "") or one list index.
type PathStep struct {
	Name  string
	Index int
}

// Root starts a path at a top-level attribute.
func Root(name string) Path { return Path{{Name: name}} }

// At returns a copy of p extended by an attribute name.
func (p Path) At(name string) Path { return append(append(Path{}, p...), PathStep{Name: name}) }

// Index returns a copy of p extended by a list index.
func (p Path) Index(i int) Path { return append(append(Path{}, p...), PathStep{Index: i}) }

func (p Path) String() string {
	var b strings.Builder
	for _, s := range p {
		if s.Name != "" {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
			continue
		}
		fmt.Fprintf(&b, "[%d]", s.Index)
	}
	return b.String()
}

// Severity tells whether a problem blocks compilation.
type Severity int

const (
	Error Severity = iota
	Warning
)

// Problem is one validation finding, addressed to a field.
type Problem struct {
	Path     Path
	Severity Severity
	Summary  string
	Detail   string
}

func (p Problem) String() string { return p.Path.String() + ": " + p.Summary }

// Problems is a list of findings; validation returns every one it finds, not the first.
type Problems []Problem

// Errorf records an error at path.
func (ps *Problems) Errorf(path Path, summary string, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Severity: Error, Summary: summary, Detail: fmt.Sprintf(format, args...)})
}

// Warnf records a warning at path.
func (ps *Problems) Warnf(path Path, summary string, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Severity: Warning, Summary: summary, Detail: fmt.Sprintf(format, args...)})
}

// Append adds other findings.
func (ps *Problems) Append(other Problems) { *ps = append(*ps, other...) }

// HasErrors reports whether any finding is an error.
func (ps Problems) HasErrors() bool {
	for _, p := range ps {
		if p.Severity == Error {
			return true
		}
	}
	return false
}

// Sorted returns the problems ordered by path then summary, for stable output.
func (ps Problems) Sorted() Problems {
	out := append(Problems(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Path.String(), out[j].Path.String()
		if a != b {
			return a < b
		}
		return out[i].Summary < out[j].Summary
	})
	return out
}

// Error makes Problems usable as an error value when it holds errors.
func (ps Problems) Error() string {
	parts := make([]string, 0, len(ps))
	for _, p := range ps.Sorted() {
		parts = append(parts, p.String())
	}
	return strings.Join(parts, "; ")
}
