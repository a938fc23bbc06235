package vafront

import (
	"fmt"
	"net/http"
)

// apiError is an EC2 error answer: code, message and HTTP status.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errMissing(param string) *apiError {
	return &apiError{http.StatusBadRequest, "MissingParameter",
		fmt.Sprintf("The request must contain the parameter %s", param)}
}

func errInvalid(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf(format, args...)}
}

func errCombination(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterCombination", fmt.Sprintf(format, args...)}
}

func errDependency(id string) *apiError {
	return &apiError{http.StatusBadRequest, "DependencyViolation",
		fmt.Sprintf("resource %s has a dependent object", id)}
}

func errIncorrectState(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "IncorrectState", fmt.Sprintf(format, args...)}
}

func errDryRun() *apiError {
	return &apiError{http.StatusPreconditionFailed, "DryRunOperation",
		"Request would have succeeded, but DryRun flag is set."}
}

func errIdempotentMismatch(token string) *apiError {
	return &apiError{http.StatusBadRequest, "IdempotentParameterMismatch",
		fmt.Sprintf("The client token %q was already used with different parameters.", token)}
}

// kind names one Verified Access object type: its ID prefix, its NotFound
// error code, the human name used in messages and its tag resource type.
type kind struct {
	Prefix       string
	NotFoundCode string
	Noun         string
	ResourceType string
}

var (
	kindInstance = kind{"vai-", "InvalidVerifiedAccessInstanceId.NotFound",
		"Verified Access instance", "verified-access-instance"}
	kindTrustProvider = kind{"vatp-", "InvalidVerifiedAccessTrustProviderId.NotFound",
		"Verified Access trust provider", "verified-access-trust-provider"}
	kindGroup = kind{"vagr-", "InvalidVerifiedAccessGroupId.NotFound",
		"Verified Access group", "verified-access-group"}
	kindEndpoint = kind{"vae-", "InvalidVerifiedAccessEndpointId.NotFound",
		"Verified Access endpoint", "verified-access-endpoint"}
)

var kinds = []kind{kindInstance, kindTrustProvider, kindGroup, kindEndpoint}

func (k kind) notFound(id string) *apiError {
	return &apiError{http.StatusBadRequest, k.NotFoundCode,
		fmt.Sprintf("The %s ID '%s' does not exist", k.Noun, id)}
}

// kindOfID reports which Verified Access kind an ID belongs to, by prefix.
func kindOfID(id string) (kind, bool) {
	for _, k := range kinds {
		if len(id) > len(k.Prefix) && id[:len(k.Prefix)] == k.Prefix {
			return k, true
		}
	}
	return kind{}, false
}

func kindOfResourceType(rt string) (kind, bool) {
	for _, k := range kinds {
		if k.ResourceType == rt {
			return k, true
		}
	}
	return kind{}, false
}
