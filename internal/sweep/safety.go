package sweep

import (
	"fmt"
	"strings"
)

// Target describes where a sweep would delete, for CheckDelete.
type Target struct {
	// AWS is whether AWS objects are swept; Kube whether Kubernetes ones are.
	AWS, Kube bool
	// Proof is what Prove established about the endpoints.
	Proof Proof
	// RealAccount is the explicit -i-know-this-is-a-real-account.
	RealAccount bool
}

// AWSEnvOverrides are the environment variables whose presence means the AWS
// clients talk to an emulator: the general one, or every per-service one the
// sweep uses.
var AWSEnvOverrides = []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_SSO_ADMIN", "AWS_ENDPOINT_URL_IDENTITYSTORE"}

// AWSEndpoints are the endpoints the sweep's AWS clients use, from the
// -endpoint flag or the environment (getenv), to be proven the sandbox's:
// none when some service has no override (its client reaches AWS itself).
func AWSEndpoints(flag string, getenv func(string) string) []string {
	switch {
	case flag != "":
		return []string{flag}
	case getenv("AWS_ENDPOINT_URL") != "":
		return []string{getenv("AWS_ENDPOINT_URL")}
	}
	var eps []string
	for _, k := range AWSEnvOverrides[1:] {
		if getenv(k) == "" {
			return nil
		}
		eps = append(eps, getenv(k))
	}
	return eps
}

// CheckDelete says why deleting must be refused: the sweep deletes only in
// the running sandbox — each half swept proven its own (Prove), not judged
// from an address — or where the user says explicitly that it is a test
// account (RealAccount).
func CheckDelete(t Target) error {
	if t.RealAccount {
		return nil
	}
	if (!t.AWS || t.Proof.AWS) && (!t.Kube || t.Proof.Kube) {
		return nil
	}
	why := t.Proof.Why
	if len(why) == 0 {
		why = []string{"the endpoints were not proven to be the sandbox's"}
	}
	return fmt.Errorf("%w to delete: %s; the sweep deletes only in the running sandbox — pass -i-know-this-is-a-real-account if this is a test account you mean to clean",
		errRefused, strings.Join(why, "; "))
}
