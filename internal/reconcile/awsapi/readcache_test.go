package awsapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go/middleware"

	"github.com/ztforge/terraform-provider-zerotrust/internal/reconcile/awsapi"
)

// TestReadCache: within one provider instance a group and its rules are
// described once however often they are read, and any write makes the next
// read go to the API again, so nothing read before a write is served after.
func TestReadCache(t *testing.T) {
	ctx := context.Background()
	plain, _ := newClient(t)
	web, db := setup(t, plain)

	counter := &callCounter{counts: map[string]int{}}
	c := awsapi.NewCachedEC2(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:  http.DefaultClient,
	}, func(o *ec2.Options) {
		o.BaseEndpoint = aws.String(awsURL)
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				counter.add(middleware.GetOperationName(ctx))
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		})
	})

	// A refresh: the segment reads its group and rules, the policy its
	// segment, then the segments with their peers at plan.
	for range 3 {
		if _, err := awsapi.FindSecurityGroup(ctx, c, web); err != nil {
			t.Fatal(err)
		}
		if _, err := awsapi.UnmanagedRules(ctx, c, web); err != nil {
			t.Fatal(err)
		}
		if _, err := awsapi.PolicyIngressRules(ctx, c, web); err != nil {
			t.Fatal(err)
		}
	}
	segs, err := awsapi.ReadSegments(ctx, c, []string{web, db})
	if err != nil || len(segs) != 2 {
		t.Fatalf("ReadSegments: %v %v", segs, err)
	}
	if _, err := awsapi.ReadSegments(ctx, c, []string{db, web}); err != nil {
		t.Fatal(err)
	}
	if got := counter.get("DescribeSecurityGroups"); got != 2 {
		t.Errorf("DescribeSecurityGroups %d times, want 2 (web alone, then db as the one missing)", got)
	}
	if got := counter.get("DescribeSecurityGroupRules"); got != 1 {
		t.Errorf("DescribeSecurityGroupRules %d times, want 1", got)
	}

	// A write through this client: the next reads see it.
	counter.reset()
	if err := awsapi.SetTags(ctx, c, web, map[string]string{}, map[string]string{"team": "payments"}, nil); err != nil {
		t.Fatal(err)
	}
	g, err := awsapi.FindSecurityGroup(ctx, c, web)
	if err != nil || g.Tags["team"] != "payments" {
		t.Fatalf("after tagging, the group reads %v (%v): a cached description was served after a write", g.Tags, err)
	}
	if _, err := awsapi.UnmanagedRules(ctx, c, web); err != nil {
		t.Fatal(err)
	}
	if counter.get("DescribeSecurityGroups") != 1 || counter.get("DescribeSecurityGroupRules") != 1 {
		t.Errorf("after a write: %v, want one of each read", counter.counts)
	}
	// The cached group is a copy: changing what a caller got changes nothing.
	g.Tags["team"] = "changed by a caller"
	again, _ := awsapi.FindSecurityGroup(ctx, c, web)
	if again.Tags["team"] != "payments" {
		t.Errorf("a caller's change leaked into the cache: %v", again.Tags)
	}
}
