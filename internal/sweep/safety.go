package sweep

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Target describes where a sweep would delete, for CheckDelete.
type Target struct {
	// AWS is whether AWS objects are swept; AWSEndpoints are the endpoint
	// overrides in effect, by name (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EC2,
	// -endpoint…), empty values meaning none.
	AWS          bool
	AWSEndpoints map[string]string
	// KubeHost is the API server URL when Kubernetes objects are swept.
	KubeHost string
	// RealAccount is the explicit -i-know-this-is-a-real-account.
	RealAccount bool
}

// AWSEnvOverrides are the environment variables whose presence means the AWS
// clients talk to an emulator: the general one, or every per-service one the
// sweep uses.
var AWSEnvOverrides = []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_SSO_ADMIN", "AWS_ENDPOINT_URL_IDENTITYSTORE"}

// CheckDelete says why deleting must be refused: the sweep deletes only in a
// sandbox or test account. AWS counts as a sandbox when an endpoint override
// covers every service swept (AWS_ENDPOINT_URL or -endpoint, or all of
// AWS_ENDPOINT_URL_EC2, _SSO_ADMIN and _IDENTITYSTORE); a cluster when its
// API server is on a loopback address. Anything else needs RealAccount.
func CheckDelete(t Target) error {
	if t.RealAccount {
		return nil
	}
	var why []string
	if t.AWS {
		e := t.AWSEndpoints
		all := e["AWS_ENDPOINT_URL"] != "" || e["-endpoint"] != "" ||
			e["AWS_ENDPOINT_URL_EC2"] != "" && e["AWS_ENDPOINT_URL_SSO_ADMIN"] != "" && e["AWS_ENDPOINT_URL_IDENTITYSTORE"] != ""
		if !all {
			why = append(why, "no AWS endpoint override is configured (AWS_ENDPOINT_URL or -endpoint), so the AWS clients reach a real account")
		}
	}
	if t.KubeHost != "" && !loopback(t.KubeHost) {
		why = append(why, fmt.Sprintf("the Kubernetes API server %s is not a local sandbox (loopback)", t.KubeHost))
	}
	if len(why) == 0 {
		return nil
	}
	return fmt.Errorf("%w to delete: %s; the sweep deletes only in a sandbox or test account — pass -i-know-this-is-a-real-account if this is a test account you mean to clean",
		errRefused, strings.Join(why, "; "))
}

func loopback(host string) bool {
	h := host
	if u, err := url.Parse(host); err == nil && u.Host != "" {
		h = u.Hostname()
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
