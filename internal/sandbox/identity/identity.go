// Package identity is how a running sandbox proves that an endpoint is its
// own, for tools that must not act outside it (the sweep): not by an address
// (anything can listen on a loopback port, and a real account can be reached
// through one), but by secrets the sandbox draws when it starts and writes
// only into its own work directory.
//
//   - AWS: the sandbox's front answers GET /_sandbox/identity?nonce=N with
//     HMAC-SHA256(key, N); only an endpoint holding the key can.
//   - Kubernetes: the API server's serving certificate is signed by a CA the
//     sandbox generated; a client trusting only that CA completes a TLS
//     handshake with no other server.
package identity

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
)

// Env names the environment variable holding the path of a running
// sandbox's identity record (part of the sandbox's environment).
const Env = "ZT_SANDBOX_IDENTITY"

// Path is the control path of the AWS challenge.
const Path = "/_sandbox/identity"

// Record is what a sandbox writes about itself.
type Record struct {
	AWSKey string `json:"aws_key,omitempty"` // hex, the front's HMAC key
	KubeCA string `json:"kube_ca,omitempty"` // PEM, the CA of the API server's certificate
}

// NewKey draws a key for the AWS challenge.
func NewKey() ([]byte, error) {
	k := make([]byte, 32)
	_, err := rand.Read(k)
	return k, err
}

// NewNonce draws a challenge.
func NewNonce() string {
	n := make([]byte, 16)
	_, _ = rand.Read(n)
	return hex.EncodeToString(n)
}

// MAC is the answer to a challenge.
func MAC(key []byte, nonce string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(nonce))
	return hex.EncodeToString(m.Sum(nil))
}

// Write stores r at path, readable by the owner only.
func Write(path string, r Record) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// Read loads the record at path.
func Read(path string) (Record, error) {
	var r Record
	data, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("sandbox identity %s: %w", path, err)
	}
	return r, nil
}
