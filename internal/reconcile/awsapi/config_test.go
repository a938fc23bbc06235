package awsapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// Every request names the provider in its User-Agent: the sandbox and
// CloudTrail tell the provider's calls apart by it.
func TestClientsCarryTheProvidersAppID(t *testing.T) {
	var mu sync.Mutex
	var agent string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agent = r.Header.Get("User-Agent")
		mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(`<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/t</Arn><UserId>AIDA</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>`))
	}))
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", "/dev/null")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
	c, err := awsapi.NewClients(context.Background(), awsapi.Config{Region: "us-east-1", MaxRetries: 1, Endpoints: awsapi.Endpoints{STS: srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.STS.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(agent, "app/"+awsapi.AppID) {
		t.Errorf("User-Agent %q lacks app/%s", agent, awsapi.AppID)
	}
}
