package provider

import (
	"fmt"
	"net/url"
)

// checkEndpointURL returns a reason when s is set but is not an absolute http(s) URL.
func checkEndpointURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Sprintf("must be an absolute http:// or https:// URL, got %q.", s)
	}
	return ""
}
