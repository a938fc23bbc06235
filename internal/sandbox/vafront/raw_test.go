package vafront

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// rawEC2 posts an EC2 query request the SDK would refuse to send (it
// validates required members client side), signed-looking so the front
// attributes it to ec2.
func rawEC2(t *testing.T, form url.Values) (int, []byte) {
	t.Helper()
	form.Set("Version", "2016-11-15")
	req, err := http.NewRequest(http.MethodPost, testFront.URL+"/", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestRawErrorShape(t *testing.T) {
	fresh(t)
	status, body := rawEC2(t, url.Values{
		"Action":                {"CreateVerifiedAccessTrustProvider"},
		"TrustProviderType":     {"user"},
		"UserTrustProviderType": {"iam-identity-center"},
	})
	if status != http.StatusBadRequest {
		t.Fatalf("status %d: %s", status, body)
	}
	var doc struct {
		XMLName xml.Name `xml:"Response"`
		Errors  []struct {
			Code    string `xml:"Code"`
			Message string `xml:"Message"`
		} `xml:"Errors>Error"`
		RequestID string `xml:"RequestID"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if len(doc.Errors) != 1 || doc.Errors[0].Code != "MissingParameter" ||
		!strings.Contains(doc.Errors[0].Message, "PolicyReferenceName") || doc.RequestID == "" {
		t.Fatalf("error document %+v", doc)
	}

	status, body = rawEC2(t, url.Values{"Action": {"CreateVerifiedAccessGroup"}})
	if status != http.StatusBadRequest || !strings.Contains(string(body), "<Code>MissingParameter</Code>") {
		t.Fatalf("group without instance: %d %s", status, body)
	}

	// Verified Access actions the front does not implement do not reach
	// moto (the request is valid in EC2's model, so the model check passes it).
	status, body = rawEC2(t, url.Values{"Action": {"GetVerifiedAccessEndpointTargets"}, "VerifiedAccessEndpointId": {"vae-0123456789abcdef0"}})
	if status != http.StatusBadRequest || !strings.Contains(string(body), "<Code>UnsupportedOperation</Code>") {
		t.Fatalf("unimplemented action: %d %s", status, body)
	}

	// A successful answer is namespaced EC2 XML with a requestId.
	status, body = rawEC2(t, url.Values{"Action": {"DescribeVerifiedAccessInstances"}})
	if status != http.StatusOK || !strings.HasPrefix(string(body), xml.Header+`<DescribeVerifiedAccessInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>`) {
		t.Fatalf("success document: %d %s", status, body)
	}
}
