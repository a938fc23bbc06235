package awsapi

import "fmt"

// A lookup of one object by its id must find exactly that object. APIs
// that describe by id answer with a list (EC2) or an object (IAM, SSO
// Admin, Identity Store, Scheduler) that may — through a bug, an emulator
// or a filter that matched more than asked — hold nothing, several objects
// or another one. Like terraform-provider-aws's
// tfresource.AssertSingleValueResult, and in addition checking the id,
// every find… of this package that reads one object by id passes what came
// back through singleResult, so none of them mistakes another object for
// the one it was asked for.

// TooManyResultsError is what a lookup by id returns when more than one
// object came back.
type TooManyResultsError struct {
	Kind, ID string
	Count    int
}

func (e *TooManyResultsError) Error() string {
	return fmt.Sprintf("looking up %s %s found %d objects, want exactly one", e.Kind, e.ID, e.Count)
}

// UnexpectedResultError is what a lookup by id returns when the one object
// that came back carries another id.
type UnexpectedResultError struct {
	Kind, ID, Got string
}

func (e *UnexpectedResultError) Error() string {
	return fmt.Sprintf("looking up %s %s returned %s %q instead", e.Kind, e.ID, e.Kind, e.Got)
}

// singleResult returns the only element of found, which must carry id
// (idOf reads an element's id): none is a *NotFoundError, more than one a
// *TooManyResultsError, one with another id an *UnexpectedResultError.
func singleResult[T any](kind, id string, found []T, idOf func(T) string) (T, error) {
	var zero T
	switch len(found) {
	case 0:
		return zero, &NotFoundError{Kind: kind, ID: id}
	case 1:
	default:
		return zero, &TooManyResultsError{Kind: kind, ID: id, Count: len(found)}
	}
	if got := idOf(found[0]); got != id {
		return zero, &UnexpectedResultError{Kind: kind, ID: id, Got: got}
	}
	return found[0], nil
}

// one is the result list of an API that answers a lookup with one object,
// or none (nil).
func one[T any](p *T) []*T {
	if p == nil {
		return nil
	}
	return []*T{p}
}
