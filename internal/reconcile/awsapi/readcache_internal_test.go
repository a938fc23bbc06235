package awsapi

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// TestReadCacheBelongsToItsClients: each Clients holder has a read cache of
// its own, which its EC2 client carries (and a client derived from it
// shares); a client built elsewhere has none. Nothing outside the holder
// refers to a cache, so it goes when the holder goes.
func TestReadCacheBelongsToItsClients(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	ctx := context.Background()
	a, err := NewClients(ctx, Config{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewClients(ctx, Config{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ec2Reads == nil || cacheOf(a.EC2) != a.ec2Reads || cacheOf(b.EC2) != b.ec2Reads {
		t.Fatal("a holder's EC2 client does not carry the holder's cache")
	}
	if a.ec2Reads == b.ec2Reads {
		t.Fatal("two holders share a read cache")
	}
	derived := ec2.New(a.EC2.Options(), func(o *ec2.Options) { o.Region = "us-east-1" })
	if cacheOf(derived) != a.ec2Reads {
		t.Fatal("a client derived from a holder's client lost its cache")
	}
	plain := ec2.New(ec2.Options{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if cacheOf(plain) != nil {
		t.Fatal("a client built elsewhere has a cache")
	}
	if c := ec2.NewFromConfig(aws.Config{Region: "us-east-1"}); cacheOf(c) != nil {
		t.Fatal("a client built from a config has a cache")
	}
}
