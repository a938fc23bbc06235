package awsapi

// NewCachedEC2 exposes the provider's EC2 client construction (with its
// read cache) to the tests.
var NewCachedEC2 = newCachedEC2
