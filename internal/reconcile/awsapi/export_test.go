package awsapi

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// NewCachedEC2 exposes the provider's EC2 client construction (with its
// read cache) to the tests.
func NewCachedEC2(cfg aws.Config, optFns ...func(*ec2.Options)) *ec2.Client {
	c, _ := newCachedEC2(cfg, optFns...)
	return c
}
