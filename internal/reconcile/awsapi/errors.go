package awsapi

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// NotFoundError is what find* functions return when the object does not
// exist, so callers can tell "gone" (remove from state) from a failure.
type NotFoundError struct {
	Kind, ID string
	Cause    error
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %s not found", e.Kind, e.ID) }
func (e *NotFoundError) Unwrap() error { return e.Cause }

// IsNotFound reports whether err is (or wraps) a NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// errorCode returns the AWS error code of err, or "".
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func hasCode(err error, codes ...string) bool {
	c := errorCode(err)
	for _, want := range codes {
		if c == want {
			return true
		}
	}
	return false
}
