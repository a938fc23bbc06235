package vafront

import "encoding/xml"

// XML shapes of the EC2 query protocol, with the element names the
// aws-sdk-go-v2 EC2 deserializers read (lower camel case, lists as
// <xxxSet><item>…</item></xxxSet>).

const ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

// meta carries the requestId every EC2 response starts with.
type meta struct {
	RequestID string `xml:"requestId"`
}

func (m *meta) setRequestID(id string) { m.RequestID = id }

type requestIDSetter interface{ setRequestID(string) }

type xTag struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type xTrustProviderCondensed struct {
	ID                      string `xml:"verifiedAccessTrustProviderId"`
	Description             string `xml:"description,omitempty"`
	TrustProviderType       string `xml:"trustProviderType"`
	UserTrustProviderType   string `xml:"userTrustProviderType,omitempty"`
	DeviceTrustProviderType string `xml:"deviceTrustProviderType,omitempty"`
}

type xSubDomain struct {
	SubDomain   string   `xml:"subDomain"`
	Nameservers []string `xml:"nameserverSet>item"`
}

type xInstance struct {
	ID             string                    `xml:"verifiedAccessInstanceId"`
	Description    string                    `xml:"description,omitempty"`
	TrustProviders []xTrustProviderCondensed `xml:"verifiedAccessTrustProviderSet>item"`
	CreationTime   string                    `xml:"creationTime"`
	LastUpdated    string                    `xml:"lastUpdatedTime"`
	Tags           []xTag                    `xml:"tagSet>item"`
	FipsEnabled    bool                      `xml:"fipsEnabled"`
	CidrSubDomain  *xSubDomain               `xml:"cidrEndpointsCustomSubDomain,omitempty"`
}

type xOidcOptions struct {
	Issuer                string `xml:"issuer,omitempty"`
	AuthorizationEndpoint string `xml:"authorizationEndpoint,omitempty"`
	TokenEndpoint         string `xml:"tokenEndpoint,omitempty"`
	UserInfoEndpoint      string `xml:"userInfoEndpoint,omitempty"`
	ClientID              string `xml:"clientId,omitempty"`
	// clientSecret is never echoed back (write-only, like the real service).
	Scope string `xml:"scope,omitempty"`
}

type xDeviceOptions struct {
	TenantID            string `xml:"tenantId,omitempty"`
	PublicSigningKeyURL string `xml:"publicSigningKeyUrl,omitempty"`
}

type xSse struct {
	CustomerManagedKeyEnabled bool   `xml:"customerManagedKeyEnabled"`
	KmsKeyArn                 string `xml:"kmsKeyArn,omitempty"`
}

type xTrustProvider struct {
	ID                      string          `xml:"verifiedAccessTrustProviderId"`
	Description             string          `xml:"description,omitempty"`
	TrustProviderType       string          `xml:"trustProviderType"`
	UserTrustProviderType   string          `xml:"userTrustProviderType,omitempty"`
	DeviceTrustProviderType string          `xml:"deviceTrustProviderType,omitempty"`
	OidcOptions             *xOidcOptions   `xml:"oidcOptions,omitempty"`
	DeviceOptions           *xDeviceOptions `xml:"deviceOptions,omitempty"`
	PolicyReferenceName     string          `xml:"policyReferenceName"`
	CreationTime            string          `xml:"creationTime"`
	LastUpdated             string          `xml:"lastUpdatedTime"`
	Tags                    []xTag          `xml:"tagSet>item"`
	Sse                     *xSse           `xml:"sseSpecification,omitempty"`
	NativeOidcOptions       *xNativeOidc    `xml:"nativeApplicationOidcOptions,omitempty"`
}

// xNativeOidc is NativeApplicationOidcOptions; the client secret is never
// echoed back.
type xNativeOidc struct {
	PublicSigningKeyEndpoint string `xml:"publicSigningKeyEndpoint,omitempty"`
	Issuer                   string `xml:"issuer,omitempty"`
	AuthorizationEndpoint    string `xml:"authorizationEndpoint,omitempty"`
	TokenEndpoint            string `xml:"tokenEndpoint,omitempty"`
	UserInfoEndpoint         string `xml:"userInfoEndpoint,omitempty"`
	ClientID                 string `xml:"clientId,omitempty"`
	Scope                    string `xml:"scope,omitempty"`
}

type xGroup struct {
	ID          string `xml:"verifiedAccessGroupId"`
	InstanceID  string `xml:"verifiedAccessInstanceId"`
	Description string `xml:"description,omitempty"`
	Owner       string `xml:"owner"`
	Arn         string `xml:"verifiedAccessGroupArn"`
	Created     string `xml:"creationTime"`
	LastUpdated string `xml:"lastUpdatedTime"`
	Deletion    string `xml:"deletionTime,omitempty"`
	Tags        []xTag `xml:"tagSet>item"`
	Sse         *xSse  `xml:"sseSpecification,omitempty"`
}

type xPortRange struct {
	FromPort int `xml:"fromPort"`
	ToPort   int `xml:"toPort"`
}

type xLoadBalancerOptions struct {
	Protocol        string       `xml:"protocol,omitempty"`
	Port            *int         `xml:"port,omitempty"`
	LoadBalancerArn string       `xml:"loadBalancerArn"`
	SubnetIDs       []string     `xml:"subnetIdSet>item"`
	PortRanges      []xPortRange `xml:"portRangeSet>item"`
}

type xEniOptions struct {
	NetworkInterfaceID string       `xml:"networkInterfaceId"`
	Protocol           string       `xml:"protocol,omitempty"`
	Port               *int         `xml:"port,omitempty"`
	PortRanges         []xPortRange `xml:"portRangeSet>item"`
}

type xCidrOptions struct {
	Cidr       string       `xml:"cidr"`
	PortRanges []xPortRange `xml:"portRangeSet>item"`
	Protocol   string       `xml:"protocol,omitempty"`
	SubnetIDs  []string     `xml:"subnetIdSet>item"`
}

type xRdsOptions struct {
	Protocol         string   `xml:"protocol,omitempty"`
	Port             *int     `xml:"port,omitempty"`
	RdsDbInstanceArn string   `xml:"rdsDbInstanceArn,omitempty"`
	RdsDbClusterArn  string   `xml:"rdsDbClusterArn,omitempty"`
	RdsDbProxyArn    string   `xml:"rdsDbProxyArn,omitempty"`
	RdsEndpoint      string   `xml:"rdsEndpoint,omitempty"`
	SubnetIDs        []string `xml:"subnetIdSet>item"`
}

type xStatus struct {
	Code    string `xml:"code"`
	Message string `xml:"message,omitempty"`
}

type xEndpoint struct {
	ID                     string                `xml:"verifiedAccessEndpointId"`
	InstanceID             string                `xml:"verifiedAccessInstanceId"`
	GroupID                string                `xml:"verifiedAccessGroupId"`
	ApplicationDomain      string                `xml:"applicationDomain,omitempty"`
	EndpointType           string                `xml:"endpointType"`
	AttachmentType         string                `xml:"attachmentType"`
	DomainCertificateArn   string                `xml:"domainCertificateArn,omitempty"`
	EndpointDomain         string                `xml:"endpointDomain,omitempty"`
	DeviceValidationDomain string                `xml:"deviceValidationDomain,omitempty"`
	SecurityGroupIDs       []string              `xml:"securityGroupIdSet>item"`
	LoadBalancerOptions    *xLoadBalancerOptions `xml:"loadBalancerOptions,omitempty"`
	NetworkInterface       *xEniOptions          `xml:"networkInterfaceOptions,omitempty"`
	RdsOptions             *xRdsOptions          `xml:"rdsOptions,omitempty"`
	CidrOptions            *xCidrOptions         `xml:"cidrOptions,omitempty"`
	Status                 xStatus               `xml:"status"`
	Description            string                `xml:"description,omitempty"`
	Created                string                `xml:"creationTime"`
	LastUpdated            string                `xml:"lastUpdatedTime"`
	Deletion               string                `xml:"deletionTime,omitempty"`
	Tags                   []xTag                `xml:"tagSet>item"`
	Sse                    *xSse                 `xml:"sseSpecification,omitempty"`
}

type xDeliveryStatus struct {
	Code    string `xml:"code"`
	Message string `xml:"message,omitempty"`
}

type xS3Log struct {
	Enabled        bool             `xml:"enabled"`
	DeliveryStatus *xDeliveryStatus `xml:"deliveryStatus,omitempty"`
	BucketName     string           `xml:"bucketName,omitempty"`
	Prefix         string           `xml:"prefix,omitempty"`
	BucketOwner    string           `xml:"bucketOwner,omitempty"`
}

type xCloudWatchLog struct {
	Enabled        bool             `xml:"enabled"`
	DeliveryStatus *xDeliveryStatus `xml:"deliveryStatus,omitempty"`
	LogGroup       string           `xml:"logGroup,omitempty"`
}

type xFirehoseLog struct {
	Enabled        bool             `xml:"enabled"`
	DeliveryStatus *xDeliveryStatus `xml:"deliveryStatus,omitempty"`
	DeliveryStream string           `xml:"deliveryStream,omitempty"`
}

type xAccessLogs struct {
	S3                  xS3Log         `xml:"s3"`
	CloudWatchLogs      xCloudWatchLog `xml:"cloudWatchLogs"`
	KinesisDataFirehose xFirehoseLog   `xml:"kinesisDataFirehose"`
	LogVersion          string         `xml:"logVersion"`
	IncludeTrustContext bool           `xml:"includeTrustContext"`
}

type xLoggingConfiguration struct {
	InstanceID string      `xml:"verifiedAccessInstanceId"`
	AccessLogs xAccessLogs `xml:"accessLogs"`
}

type xTagDescription struct {
	ResourceID   string `xml:"resourceId"`
	ResourceType string `xml:"resourceType"`
	Key          string `xml:"key"`
	Value        string `xml:"value"`
}

// Response bodies. Each embeds meta so the writer can stamp the request ID.

type respInstance struct {
	meta
	Instance xInstance `xml:"verifiedAccessInstance"`
}

type respInstances struct {
	meta
	Instances []xInstance `xml:"verifiedAccessInstanceSet>item"`
	NextToken string      `xml:"nextToken,omitempty"`
}

type respTrustProvider struct {
	meta
	TrustProvider xTrustProvider `xml:"verifiedAccessTrustProvider"`
}

type respTrustProviders struct {
	meta
	TrustProviders []xTrustProvider `xml:"verifiedAccessTrustProviderSet>item"`
	NextToken      string           `xml:"nextToken,omitempty"`
}

type respAttachment struct {
	meta
	TrustProvider xTrustProvider `xml:"verifiedAccessTrustProvider"`
	Instance      xInstance      `xml:"verifiedAccessInstance"`
}

type respGroup struct {
	meta
	Group xGroup `xml:"verifiedAccessGroup"`
}

type respGroups struct {
	meta
	Groups    []xGroup `xml:"verifiedAccessGroupSet>item"`
	NextToken string   `xml:"nextToken,omitempty"`
}

type respPolicy struct {
	meta
	PolicyEnabled  bool   `xml:"policyEnabled"`
	PolicyDocument string `xml:"policyDocument,omitempty"`
	Sse            *xSse  `xml:"sseSpecification,omitempty"`
}

type respEndpoint struct {
	meta
	Endpoint xEndpoint `xml:"verifiedAccessEndpoint"`
}

type respEndpoints struct {
	meta
	Endpoints []xEndpoint `xml:"verifiedAccessEndpointSet>item"`
	NextToken string      `xml:"nextToken,omitempty"`
}

type respLogging struct {
	meta
	Configuration xLoggingConfiguration `xml:"loggingConfiguration"`
}

type respLoggings struct {
	meta
	Configurations []xLoggingConfiguration `xml:"loggingConfigurationSet>item"`
	NextToken      string                  `xml:"nextToken,omitempty"`
}

type respReturn struct {
	meta
	Return bool `xml:"return"`
}

type respTags struct {
	meta
	Tags      []xTagDescription `xml:"tagSet>item"`
	NextToken string            `xml:"nextToken,omitempty"`
}

// xErrorResponse is the EC2 error document.
type xErrorResponse struct {
	XMLName   xml.Name `xml:"Response"`
	Errors    []xError `xml:"Errors>Error"`
	RequestID string   `xml:"RequestID"`
}

type xError struct {
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// xQueryErrorResponse is the awsQuery (IAM, STS) error document.
type xQueryErrorResponse struct {
	XMLName   xml.Name    `xml:"ErrorResponse"`
	Error     xQueryError `xml:"Error"`
	RequestID string      `xml:"RequestId"`
}

type xQueryError struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}
