// Package collections holds small helpers over slices that several
// packages share. It imports only the standard library, so any package of
// the provider can use it without an import cycle.
package collections

import "slices"

// SortedUnique returns a sorted copy of s without duplicates, nil for
// none. s itself is left unchanged; empty strings are kept like any other.
func SortedUnique(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
