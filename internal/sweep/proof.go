package sweep

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"k8s.io/client-go/rest"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/identity"
)

// Proof says which halves of a target proved to be the running sandbox's own
// (package identity), and why the others did not.
type Proof struct {
	AWS, Kube bool
	Why       []string
}

// Prove checks the AWS endpoints the sweep's clients use (every one must
// answer the sandbox's challenge) and the cluster (its API server must
// complete a TLS handshake trusting only the sandbox's CA) against the
// identity record at identityPath. An empty path proves nothing.
func Prove(ctx context.Context, identityPath string, awsEndpoints []string, kube *rest.Config) Proof {
	var p Proof
	if identityPath == "" {
		p.Why = append(p.Why, "no sandbox identity record ("+identity.Env+" or -sandbox-identity), so nothing proves the endpoints are a sandbox's")
		return p
	}
	rec, err := identity.Read(identityPath)
	if err != nil {
		p.Why = append(p.Why, err.Error())
		return p
	}
	if len(awsEndpoints) > 0 {
		p.AWS = true
		for _, ep := range awsEndpoints {
			if err := proveAWS(ctx, rec, ep); err != nil {
				p.AWS = false
				p.Why = append(p.Why, fmt.Sprintf("the AWS endpoint %s is not the sandbox's: %v", ep, err))
			}
		}
	} else {
		p.Why = append(p.Why, "no AWS endpoint override is configured (AWS_ENDPOINT_URL or -endpoint), so the AWS clients reach a real account")
	}
	if kube != nil {
		if err := proveKube(ctx, rec, kube); err != nil {
			p.Why = append(p.Why, fmt.Sprintf("the Kubernetes API server %s is not the sandbox's: %v", kube.Host, err))
		} else {
			p.Kube = true
		}
	}
	return p
}

func proveAWS(ctx context.Context, rec identity.Record, endpoint string) error {
	if rec.AWSKey == "" {
		return fmt.Errorf("the sandbox record has no AWS key")
	}
	key, err := hexKey(rec.AWSKey)
	if err != nil {
		return err
	}
	nonce := identity.NewNonce()
	u := strings.TrimSuffix(endpoint, "/") + identity.Path + "?nonce=" + url.QueryEscape(nonce)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var answer struct {
		MAC string `json:"mac"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&answer) != nil {
		return fmt.Errorf("it does not answer the sandbox's identity challenge (HTTP %d)", resp.StatusCode)
	}
	if !hmac.Equal([]byte(answer.MAC), []byte(identity.MAC(key, nonce))) {
		return fmt.Errorf("its answer to the identity challenge is not the sandbox's key's")
	}
	return nil
}

func proveKube(ctx context.Context, rec identity.Record, cfg *rest.Config) error {
	if rec.KubeCA == "" {
		return fmt.Errorf("the sandbox record has no cluster CA")
	}
	if cfg.Insecure {
		return fmt.Errorf("the client skips TLS verification")
	}
	ca := cfg.CAData
	if len(ca) == 0 && cfg.CAFile != "" {
		var err error
		if ca, err = os.ReadFile(cfg.CAFile); err != nil {
			return err
		}
	}
	if !bytes.Equal(bytes.TrimSpace(ca), bytes.TrimSpace([]byte(rec.KubeCA))) {
		return fmt.Errorf("the client does not trust the sandbox's CA alone")
	}
	// The client trusts only the sandbox's CA: a completed handshake proves
	// the server holds a certificate the sandbox signed. Any HTTP status
	// will do.
	tlsOnly := rest.CopyConfig(cfg)
	tlsOnly.TLSClientConfig = rest.TLSClientConfig{CAData: ca, ServerName: cfg.ServerName}
	tlsOnly.BearerToken, tlsOnly.BearerTokenFile, tlsOnly.Username, tlsOnly.Password = "", "", "", ""
	tlsOnly.ExecProvider, tlsOnly.AuthProvider = nil, nil
	rt, err := rest.TransportFor(tlsOnly)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(cfg.Host, "/")+"/version", nil)
	if err != nil {
		return err
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func hexKey(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("the sandbox record's AWS key is not hex")
	}
	return b, nil
}
