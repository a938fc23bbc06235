package vafront

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// Customer-managed keys (SseSpecification) on trust providers, groups and
// endpoints. Verified Access encrypts their policies and trust data with the
// key it is given; the key must exist, be enabled and be a symmetric
// encryption key. moto serves KMS, so the front asks moto's KMS
// (DescribeKey) whether the key named in a request is such a key, before the
// action is served.

// kmsKeyArnRe is the shape of a KMS key ARN (the parameter is a KmsKeyArn:
// aliases and bare key ids are not accepted).
var kmsKeyArnRe = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]{1,128}$`)

// sseActions are the actions that take SseSpecification (the EC2 API model,
// 2016-11-15): the creates of trust providers, groups and endpoints,
// ModifyVerifiedAccessTrustProvider, and the policy modifies of groups and
// endpoints.
var sseActions = map[string]bool{
	"CreateVerifiedAccessTrustProvider":  true,
	"ModifyVerifiedAccessTrustProvider":  true,
	"CreateVerifiedAccessGroup":          true,
	"ModifyVerifiedAccessGroupPolicy":    true,
	"CreateVerifiedAccessEndpoint":       true,
	"ModifyVerifiedAccessEndpointPolicy": true,
}

// checkSseKey refuses a request whose SseSpecification.KmsKeyArn is not a
// usable key in the sandbox's KMS (moto). It runs outside the state lock: it
// calls moto.
func (f *Front) checkSseKey(r *http.Request, ri requestInfo) *apiError {
	if !sseActions[ri.action] {
		return nil
	}
	arn := ri.form.get("SseSpecification.KmsKeyArn")
	if arn == "" {
		return nil // readSse reports a missing key when one is required
	}
	if !kmsKeyArnRe.MatchString(arn) {
		return errInvalid("Value (%s) for parameter KmsKeyArn is invalid. Expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>).", arn)
	}
	kmsReq := r.Clone(r.Context())
	// moto routes on the credential scope's service; the EC2 request's
	// credentials are reused for the KMS call with the scope rewritten.
	kmsReq.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/ec2/aws4_request", "/kms/aws4_request", 1))
	m, err := f.callMotoJSON(r.Context(), kmsReq, "TrentService.DescribeKey", map[string]string{"KeyId": arn})
	if err != nil {
		return &apiError{http.StatusInternalServerError, "InternalError", err.Error()}
	}
	if m.Status != http.StatusOK {
		return errInvalid("The KMS key %s does not exist or is not accessible.", arn)
	}
	var out struct {
		KeyMetadata struct {
			KeyState string
			KeySpec  string
			KeyUsage string
		}
	}
	if err := json.Unmarshal(m.Body, &out); err != nil {
		return &apiError{http.StatusInternalServerError, "InternalError", "reading the KMS answer: " + err.Error()}
	}
	k := out.KeyMetadata
	if k.KeyState != "Enabled" {
		return errInvalid("The KMS key %s is not enabled (state %s).", arn, k.KeyState)
	}
	if k.KeySpec != "SYMMETRIC_DEFAULT" || k.KeyUsage != "ENCRYPT_DECRYPT" {
		return errInvalid("The KMS key %s must be a symmetric encryption key (got %s, %s).", arn, k.KeySpec, k.KeyUsage)
	}
	return nil
}
