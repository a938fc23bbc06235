package provider

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// proxyTrustContext is the part of an access proxy that protect surfaces
// compile against, exchanged as canonical JSON (the proxy's computed
// trust_context, a surface's proxy_trust_context). It carries what the
// Verified Access API holds (types, policy reference names) and what only
// the provider knows (groups claim, MFA enforcement; recorded as tags on the
// user trust provider so that a live proxy can be read back into it).
type proxyTrustContext struct {
	IdentityProvider     proxyTrustIdentity `json:"identity_provider"`
	DeviceTrustProviders []proxyTrustDevice `json:"device_trust_providers"`
}

type proxyTrustIdentity struct {
	Type        string `json:"type"`
	Reference   string `json:"reference"`
	GroupsClaim string `json:"groups_claim,omitempty"`
	MFAEnforced bool   `json:"mfa_enforced"`
}

type proxyTrustDevice struct {
	Type      string `json:"type"`
	Reference string `json:"reference"`
}

// canonical sorts device providers by type; JSON field order is fixed by the
// struct, so equal contexts marshal to equal text.
func (p proxyTrustContext) canonical() proxyTrustContext {
	out := p
	out.DeviceTrustProviders = slices.Clone(p.DeviceTrustProviders)
	if out.DeviceTrustProviders == nil {
		out.DeviceTrustProviders = []proxyTrustDevice{}
	}
	slices.SortFunc(out.DeviceTrustProviders, func(a, b proxyTrustDevice) int {
		if c := strings.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		return strings.Compare(a.Reference, b.Reference)
	})
	return out
}

func (p proxyTrustContext) String() string {
	b, _ := json.Marshal(p.canonical())
	return string(b)
}

// model returns the access proxy the compiler needs.
func (p proxyTrustContext) model() model.AccessProxy {
	const name = "proxy" // the model needs a name; the trust context has none
	out := model.AccessProxy{
		Name: name,
		IdentityProvider: model.IdentityProvider{
			Type: p.IdentityProvider.Type, Reference: p.IdentityProvider.Reference,
			GroupsClaim: p.IdentityProvider.GroupsClaim, MFAEnforced: p.IdentityProvider.MFAEnforced,
		},
	}
	for _, d := range p.DeviceTrustProviders {
		out.DeviceProviders = append(out.DeviceProviders, model.DeviceTrustProvider{Type: d.Type, Reference: d.Reference})
	}
	return out
}

// parseProxyTrustContext reads a trust_context value.
func parseProxyTrustContext(s string) (proxyTrustContext, error) {
	var p proxyTrustContext
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("not a trust context (use the access proxy's trust_context attribute): %v", err)
	}
	return p.canonical(), nil
}

// liveTrustContext reads the trust context of a live proxy from its attached
// trust providers.
func liveTrustContext(live *awsapi.ProxyTrustProviders) (proxyTrustContext, error) {
	var p proxyTrustContext
	users := 0
	for _, tp := range live.Attached {
		if tp.Kind == awsapi.TrustProviderUser {
			users++
			p.IdentityProvider = proxyTrustIdentity{
				Type: tp.Type, Reference: tp.Reference,
				GroupsClaim: tp.Tags[awsapi.TagGroupsClaim], MFAEnforced: tp.Tags[awsapi.TagMFAEnforced] == "true",
			}
			continue
		}
		p.DeviceTrustProviders = append(p.DeviceTrustProviders, proxyTrustDevice{Type: tp.Type, Reference: tp.Reference})
	}
	if users == 0 {
		return p, fmt.Errorf("the Verified Access instance %s has no user trust provider attached", live.Instance.ID)
	}
	return p.canonical(), nil
}

// diff explains how two contexts differ, "" when they agree.
func (p proxyTrustContext) diff(other proxyTrustContext) string {
	a, b := p.String(), other.String()
	if a == b {
		return ""
	}
	return fmt.Sprintf("declared %s, live %s", a, b)
}
