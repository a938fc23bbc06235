package vafront

import "slices"

const defaultLogVersion = "ocsf-0.1"

var logVersions = []string{"ocsf-0.1", "ocsf-1.0.0-rc.2"}

func renderLogging(in *instance) xLoggingConfiguration {
	l := in.Logging
	success := func(on bool) *xDeliveryStatus {
		if !on {
			return nil
		}
		return &xDeliveryStatus{Code: "success"}
	}
	return xLoggingConfiguration{
		InstanceID: in.ID,
		AccessLogs: xAccessLogs{
			S3: xS3Log{Enabled: l.S3Enabled, DeliveryStatus: success(l.S3Enabled),
				BucketName: l.BucketName, Prefix: l.Prefix, BucketOwner: l.BucketOwner},
			CloudWatchLogs:      xCloudWatchLog{Enabled: l.CWEnabled, DeliveryStatus: success(l.CWEnabled), LogGroup: l.LogGroup},
			KinesisDataFirehose: xFirehoseLog{Enabled: l.FHEnabled, DeliveryStatus: success(l.FHEnabled), DeliveryStream: l.Stream},
			LogVersion:          l.LogVersion,
			IncludeTrustContext: l.IncludeTrust,
		},
	}
}

// readDestinationEnabled reads the required Enabled flag of one destination.
func readDestinationEnabled(p params, prefix string) (bool, *apiError) {
	if !p.hasPrefix(prefix) {
		return false, nil
	}
	en, err := p.optBool(prefix + ".Enabled")
	if err != nil {
		return false, err
	}
	if en == nil {
		return false, errMissing(prefix + ".Enabled")
	}
	return *en, nil
}

// modifyLogging replaces the instance's logging configuration with
// AccessLogs: destinations left out are disabled.
func (f *Front) modifyLogging(p params) (requestIDSetter, *apiError) {
	in, err := f.instanceByID(p)
	if err != nil {
		return nil, err
	}
	if !p.hasPrefix("AccessLogs") {
		return nil, errMissing("AccessLogs")
	}
	var l loggingConfig
	if l.S3Enabled, err = readDestinationEnabled(p, "AccessLogs.S3"); err != nil {
		return nil, err
	}
	l.BucketName = p.get("AccessLogs.S3.BucketName")
	l.Prefix = p.get("AccessLogs.S3.Prefix")
	l.BucketOwner = p.get("AccessLogs.S3.BucketOwner")
	if l.S3Enabled && l.BucketName == "" {
		return nil, errMissing("AccessLogs.S3.BucketName")
	}
	if l.CWEnabled, err = readDestinationEnabled(p, "AccessLogs.CloudWatchLogs"); err != nil {
		return nil, err
	}
	l.LogGroup = p.get("AccessLogs.CloudWatchLogs.LogGroup")
	if l.CWEnabled && l.LogGroup == "" {
		return nil, errMissing("AccessLogs.CloudWatchLogs.LogGroup")
	}
	if l.FHEnabled, err = readDestinationEnabled(p, "AccessLogs.KinesisDataFirehose"); err != nil {
		return nil, err
	}
	l.Stream = p.get("AccessLogs.KinesisDataFirehose.DeliveryStream")
	if l.FHEnabled && l.Stream == "" {
		return nil, errMissing("AccessLogs.KinesisDataFirehose.DeliveryStream")
	}
	l.LogVersion = defaultLogVersion
	if v := p.get("AccessLogs.LogVersion"); v != "" {
		if !slices.Contains(logVersions, v) {
			return nil, errInvalid("Value (%s) for parameter logVersion is invalid. Valid values: ocsf-0.1, ocsf-1.0.0-rc.2.", v)
		}
		l.LogVersion = v
	}
	trust, err := p.optBool("AccessLogs.IncludeTrustContext")
	if err != nil {
		return nil, err
	}
	if trust != nil {
		l.IncludeTrust = *trust
	}
	in.Logging = l
	in.Updated = f.now()
	return &respLogging{Configuration: renderLogging(in)}, nil
}

func (f *Front) describeLogging(p params) (requestIDSetter, *apiError) {
	q, err := readDescribe(p, "VerifiedAccessInstanceId")
	if err != nil {
		return nil, err
	}
	items, next, err := describe(q, kindInstance, ordered(f.st.instances), f.st.instances, f.visible)
	if err != nil {
		return nil, err
	}
	resp := &respLoggings{NextToken: next}
	for _, in := range items {
		resp.Configurations = append(resp.Configurations, renderLogging(in))
	}
	return resp, nil
}
