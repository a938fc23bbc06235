package vafront

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// CreateSandboxKMSKey creates a symmetric encryption key in the sandbox's
// KMS (moto, reached through the front at endpoint) and returns its ARN;
// disabled keys are made with enabled = false. It speaks KMS's JSON
// protocol itself: the module has no KMS SDK client, and moto does not
// check signatures (it routes on the credential scope).
func CreateSandboxKMSKey(ctx context.Context, endpoint, region string, enabled bool) (string, error) {
	var created struct{ KeyMetadata struct{ Arn, KeyId string } }
	if err := kmsCall(ctx, endpoint, region, "CreateKey", map[string]any{
		"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT", "Description": "Verified Access customer-managed key (sandbox)",
	}, &created); err != nil {
		return "", err
	}
	if !enabled {
		if err := kmsCall(ctx, endpoint, region, "DisableKey", map[string]any{"KeyId": created.KeyMetadata.KeyId}, nil); err != nil {
			return "", err
		}
	}
	return created.KeyMetadata.Arn, nil
}

func kmsCall(ctx context.Context, endpoint, region, action string, in any, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	date := time.Now().UTC().Format("20060102")
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=test/%s/%s/kms/aws4_request, SignedHeaders=host, Signature=sandbox", date, region))
	req.Header.Set("X-Amz-Target", "TrentService."+action)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("kms %s: %w", action, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("kms %s: %w", action, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("kms %s: HTTP %d: %s", action, resp.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}
