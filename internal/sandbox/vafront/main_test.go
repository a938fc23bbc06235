package vafront

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/smithy-go"

	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/awsmodel"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/moto"
	"github.com/ztforge/terraform-provider-zerotrust/internal/sandbox/sandboxtest"
)

// The tests drive a real moto_server through the front with the real
// aws-sdk-go-v2 clients.
var (
	testFront *Server
	testMoto  *moto.Server
	// testModels are AWS's API models; testFront checks every request against them.
	testModels *awsmodel.Models
)

// activation is the pending→active delay used by the tests.
const activation = 300 * time.Millisecond

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if code, ok := sandboxtest.RequireMain(sandboxtest.Needs{AWS: true}); !ok {
		return code
	}
	dir, err := os.MkdirTemp("", "vafront-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	testMoto, err = moto.Start(context.Background(), moto.Options{WorkDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer testMoto.Stop()
	dataDir, err := awsmodel.Locate()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	testModels, err = awsmodel.Load(dataDir, awsmodel.DefaultServices)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	testFront, err = Start(Options{Upstream: testMoto.URL, EndpointActivation: activation, Models: testModels}, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer testFront.Close()
	return m.Run()
}

func awsConfig() aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		// Fast retries, and no client-side retry quota, so fault tests run quickly.
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxBackoff = 20 * time.Millisecond
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// ec2Client talks to the front (or to base, when given).
func ec2Client(base string, opts ...func(*ec2.Options)) *ec2.Client {
	if base == "" {
		base = testFront.URL
	}
	return ec2.NewFromConfig(awsConfig(), append([]func(*ec2.Options){func(o *ec2.Options) {
		o.BaseEndpoint = aws.String(base)
	}}, opts...)...)
}

func identityStoreClient() *identitystore.Client {
	return identitystore.NewFromConfig(awsConfig(), func(o *identitystore.Options) {
		o.BaseEndpoint = aws.String(testFront.URL)
	})
}

// fresh resets the whole sandbox before a test.
func fresh(t *testing.T) (context.Context, *ec2.Client, *Control) {
	t.Helper()
	ctx := context.Background()
	ctl := testFront.Control()
	if err := ctl.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx, ec2Client(""), ctl
}

func errCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want error %s, got success", code)
	}
	if got := errCode(err); got != code {
		t.Fatalf("want error code %s, got %q (%v)", code, got, err)
	}
}

func tagSpec(rt string, kv ...string) []ec2types.TagSpecification {
	var tags []ec2types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		tags = append(tags, ec2types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return []ec2types.TagSpecification{{ResourceType: ec2types.ResourceType(rt), Tags: tags}}
}

func tagMap(tags []ec2types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// asStatus finds the HTTP status carried by an SDK error.
func asStatus(err error, target *interface{ HTTPStatusCode() int }) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		*target = re
		return true
	}
	return false
}
