package provider

import (
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// standInProxy accepts every proxy-dependent condition, so validating with it
// reports only what does not depend on the proxy.
var standInProxy = model.AccessProxy{
	Name:             "unknown",
	IdentityProvider: model.IdentityProvider{Type: model.IdentityOIDC, Reference: "unknown_identity", MFAEnforced: true},
	DeviceProviders: []model.DeviceTrustProvider{
		{Type: model.DeviceJamf, Reference: "unknown_jamf"},
		{Type: model.DeviceCrowdStrike, Reference: "unknown_crowdstrike"},
		{Type: model.DeviceJumpCloud, Reference: "unknown_jumpcloud"},
	},
}

// standInGroup is a syntactically valid group reference for either kind of
// identity provider, standing in for a group created in the same apply.
const standInGroup = "00000000-0000-4000-8000-000000000000"

// dropUnknown removes findings at or below a path whose value was stood in
// for: they judge the stand-in, not the configuration.
func dropUnknown(ps model.Problems, unknown []model.Path) model.Problems {
	var out model.Problems
	for _, p := range ps {
		covered := false
		for _, u := range unknown {
			if pathHasPrefix(p.Path, u) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}

func pathHasPrefix(p, prefix model.Path) bool {
	if len(prefix) > len(p) {
		return false
	}
	for i := range prefix {
		if p[i] != prefix[i] {
			return false
		}
	}
	return true
}

// onlyGroupsStoodIn reports whether, of rule at, nothing but its groups (and
// its name or effect, which are not conditions) was stood in for.
func onlyGroupsStoodIn(unknown []model.Path, at model.Path) bool {
	for _, u := range unknown {
		if !pathHasPrefix(u, at) {
			continue
		}
		if pathHasPrefix(u, at.At("groups")) || pathHasPrefix(u, at.At("name")) || pathHasPrefix(u, at.At("effect")) {
			continue
		}
		return false
	}
	return true
}

// namesStandInProxy reports whether a condition names a trust provider of
// standInProxy.
func namesStandInProxy(condition string) bool {
	if strings.Contains(condition, standInProxy.IdentityProvider.Reference) {
		return true
	}
	for _, d := range standInProxy.DeviceProviders {
		if strings.Contains(condition, d.Reference) {
			return true
		}
	}
	return false
}
