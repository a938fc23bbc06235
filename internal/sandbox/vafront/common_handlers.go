package vafront

import (
	"net/http"
	"strings"

	"github.com/cedar-policy/cedar-go"
)

// vaHandlers maps every Verified Access EC2 action the front implements.
var vaHandlers = map[string]vaHandler{
	"CreateVerifiedAccessInstance":                        (*Front).createInstance,
	"DescribeVerifiedAccessInstances":                     (*Front).describeInstances,
	"ModifyVerifiedAccessInstance":                        (*Front).modifyInstance,
	"DeleteVerifiedAccessInstance":                        (*Front).deleteInstance,
	"CreateVerifiedAccessTrustProvider":                   (*Front).createTrustProvider,
	"DescribeVerifiedAccessTrustProviders":                (*Front).describeTrustProviders,
	"ModifyVerifiedAccessTrustProvider":                   (*Front).modifyTrustProvider,
	"DeleteVerifiedAccessTrustProvider":                   (*Front).deleteTrustProvider,
	"AttachVerifiedAccessTrustProvider":                   (*Front).attachTrustProvider,
	"DetachVerifiedAccessTrustProvider":                   (*Front).detachTrustProvider,
	"CreateVerifiedAccessGroup":                           (*Front).createGroup,
	"DescribeVerifiedAccessGroups":                        (*Front).describeGroups,
	"ModifyVerifiedAccessGroup":                           (*Front).modifyGroup,
	"DeleteVerifiedAccessGroup":                           (*Front).deleteGroup,
	"GetVerifiedAccessGroupPolicy":                        (*Front).getGroupPolicy,
	"ModifyVerifiedAccessGroupPolicy":                     (*Front).modifyGroupPolicy,
	"CreateVerifiedAccessEndpoint":                        (*Front).createEndpoint,
	"DescribeVerifiedAccessEndpoints":                     (*Front).describeEndpoints,
	"ModifyVerifiedAccessEndpoint":                        (*Front).modifyEndpoint,
	"DeleteVerifiedAccessEndpoint":                        (*Front).deleteEndpoint,
	"GetVerifiedAccessEndpointPolicy":                     (*Front).getEndpointPolicy,
	"ModifyVerifiedAccessEndpointPolicy":                  (*Front).modifyEndpointPolicy,
	"ModifyVerifiedAccessInstanceLoggingConfiguration":    (*Front).modifyLogging,
	"DescribeVerifiedAccessInstanceLoggingConfigurations": (*Front).describeLogging,
}

const maxTagsPerResource = 50

// validateTag applies the EC2 tag rules.
func validateTag(t tagKV) *apiError {
	switch {
	case t.Key == "":
		return errInvalid("Tag keys must not be empty.")
	case len(t.Key) > 128:
		return errInvalid("Tag key exceeds the maximum length of 128 characters.")
	case len(t.Value) > 256:
		return errInvalid("Tag value exceeds the maximum length of 256 characters.")
	case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
		return errInvalid("Tag keys starting with 'aws:' are reserved for internal use.")
	}
	return nil
}

func errTagLimit() *apiError {
	return &apiError{http.StatusBadRequest, "TagLimitExceeded",
		"The maximum number of tags per resource (50) has been exceeded."}
}

// tagSpecifications reads TagSpecification.N for a create action of kind k.
func tagSpecifications(p params, k kind) (map[string]string, *apiError) {
	tags := map[string]string{}
	for _, m := range p.members("TagSpecification") {
		rt := p.get(m + ".ResourceType")
		if rt == "" {
			return nil, errMissing(m + ".ResourceType")
		}
		if rt != k.ResourceType {
			return nil, errInvalid("'%s' is not a valid taggable resource type for this operation.", rt)
		}
		for _, t := range p.tags(m + ".Tag") {
			if err := validateTag(t); err != nil {
				return nil, err
			}
			tags[t.Key] = t.Value
		}
	}
	if len(tags) > maxTagsPerResource {
		return nil, errTagLimit()
	}
	return tags, nil
}

// replay implements ClientToken idempotency for creates: the same token with
// the same parameters answers the original response; with other parameters,
// IdempotentParameterMismatch.
func (f *Front) replay(action string, p params) (requestIDSetter, *apiError) {
	token := p.get("ClientToken")
	if token == "" {
		return nil, nil
	}
	e, ok := f.st.tokens[action+"\x00"+token]
	if !ok {
		return nil, nil
	}
	if e.Fingerprint != p.fingerprint() {
		return nil, errIdempotentMismatch(token)
	}
	return e.Replay(), nil
}

func (f *Front) remember(action string, p params, replay func() requestIDSetter) {
	token := p.get("ClientToken")
	if token == "" {
		return
	}
	f.st.tokens[action+"\x00"+token] = tokenEntry{Fingerprint: p.fingerprint(), Replay: replay}
}

// validatePolicy checks that a policy document is Cedar the way the service
// does before accepting it.
func validatePolicy(doc string) *apiError {
	if strings.TrimSpace(doc) == "" {
		return errInvalid("The policy document must not be empty.")
	}
	if _, err := cedar.NewPolicySetFromBytes("policy", []byte(doc)); err != nil {
		return errInvalid("The policy document is not valid: %s", err)
	}
	return nil
}

// readSse reads SseSpecification.* (create and modify of trust providers,
// groups, endpoints and their policies).
func readSse(p params, cur sseSpec) (sseSpec, *apiError) {
	if !p.hasPrefix("SseSpecification") {
		return cur, nil
	}
	cmk, err := p.optBool("SseSpecification.CustomerManagedKeyEnabled")
	if err != nil {
		return cur, err
	}
	out := sseSpec{Set: true, KmsKeyArn: p.get("SseSpecification.KmsKeyArn")}
	if cmk != nil {
		out.CMK = *cmk
	}
	if out.CMK && out.KmsKeyArn == "" {
		return cur, errInvalid("KmsKeyArn is required when CustomerManagedKeyEnabled is true.")
	}
	if !out.CMK && out.KmsKeyArn != "" {
		return cur, errCombination("KmsKeyArn can only be specified when CustomerManagedKeyEnabled is true.")
	}
	return out, nil
}

func optionalString(dst *string, p params, key string) {
	if v := p.optString(key); v != nil {
		*dst = *v
	}
}
