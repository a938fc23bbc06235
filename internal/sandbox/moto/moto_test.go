package moto

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestStartResetStop(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Start(ctx, Options{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("URL = %q", s.URL)
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	pgid := s.Pid()
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	// The whole process group is gone: signal 0 to the group fails with ESRCH.
	deadline := time.Now().Add(3 * time.Second)
	for {
		err := syscall.Kill(-pgid, 0)
		if errors.Is(err, syscall.ESRCH) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("process group %d still alive after Stop (kill 0: %v)", pgid, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := http.Get(s.URL + "/moto-api/"); err == nil {
		t.Fatal("server still answers after Stop")
	}
	log, err := os.ReadFile(s.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "/moto-api/reset") {
		t.Fatalf("log does not record the reset request:\n%s", log)
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
}

func TestMissingBinary(t *testing.T) {
	_, err := Start(context.Background(), Options{WorkDir: t.TempDir(), Binary: "no-such-moto-server-binary"})
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("err = %v", err)
	}
}

// TestRaisedRulesPerSecurityGroup: with the quota raised, a VPC group takes
// more than AWS's default 60 inbound rules, and the raised quota still holds.
func TestRaisedRulesPerSecurityGroup(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx, Options{WorkDir: t.TempDir(), RulesPerSecurityGroup: 70})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	c := ec2.New(ec2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("quota"), Description: aws.String("quota"), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	authorize := func(from, n int) error {
		var perms []ec2types.IpPermission
		for p := from; p < from+n; p++ {
			perms = append(perms, ec2types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(int32(p)), ToPort: aws.Int32(int32(p)),
				IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}})
		}
		_, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: perms})
		return err
	}
	for p := 1000; p < 1070; p += 10 {
		if err := authorize(p, 10); err != nil {
			t.Fatalf("rules %d-%d of a raised quota of 70: %v", p-1000+1, p-1000+10, err)
		}
	}
	if err := authorize(2000, 1); err == nil || !strings.Contains(err.Error(), "RulesPerSecurityGroupLimitExceeded") {
		t.Fatalf("the 71st rule: err = %v, want RulesPerSecurityGroupLimitExceeded", err)
	}
}
