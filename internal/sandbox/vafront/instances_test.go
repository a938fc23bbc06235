package vafront

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestInstanceLifecycle(t *testing.T) {
	ctx, c, _ := fresh(t)
	created, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{
		Description:       aws.String("corp"),
		FIPSEnabled:       aws.Bool(true),
		TagSpecifications: tagSpec("verified-access-instance", "Name", "corp", "managed-by", "zerotrust"),
	})
	if err != nil {
		t.Fatal(err)
	}
	in := created.VerifiedAccessInstance
	id := aws.ToString(in.VerifiedAccessInstanceId)
	if len(id) != len("vai-")+17 || id[:4] != "vai-" {
		t.Fatalf("instance id %q", id)
	}
	if aws.ToString(in.Description) != "corp" || !aws.ToBool(in.FipsEnabled) || aws.ToString(in.CreationTime) == "" {
		t.Fatalf("created instance %+v", in)
	}
	if got := tagMap(in.Tags); got["Name"] != "corp" || got["managed-by"] != "zerotrust" || len(got) != 2 {
		t.Fatalf("tags %v", got)
	}

	mod, err := c.ModifyVerifiedAccessInstance(ctx, &ec2.ModifyVerifiedAccessInstanceInput{
		VerifiedAccessInstanceId: aws.String(id), Description: aws.String("corporate"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(mod.VerifiedAccessInstance.Description) != "corporate" {
		t.Fatalf("modify answered %+v", mod.VerifiedAccessInstance)
	}

	desc, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{
		VerifiedAccessInstanceIds: []string{id},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(desc.VerifiedAccessInstances) != 1 || aws.ToString(desc.VerifiedAccessInstances[0].Description) != "corporate" {
		t.Fatalf("describe %+v", desc.VerifiedAccessInstances)
	}

	// Filters: by tag and by description; a miss returns an empty list.
	byTag, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:managed-by"), Values: []string{"zero*"}}},
	})
	if err != nil || len(byTag.VerifiedAccessInstances) != 1 {
		t.Fatalf("tag filter: %v %+v", err, byTag)
	}
	miss, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("description"), Values: []string{"other"}}},
	})
	if err != nil || len(miss.VerifiedAccessInstances) != 0 {
		t.Fatalf("description filter miss: %v %+v", err, miss)
	}
	_, err = c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{
		Filters: []ec2types.Filter{{Name: aws.String("no-such-filter"), Values: []string{"x"}}},
	})
	wantCode(t, err, "InvalidParameterValue")

	del, err := c.DeleteVerifiedAccessInstance(ctx, &ec2.DeleteVerifiedAccessInstanceInput{VerifiedAccessInstanceId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(del.VerifiedAccessInstance.VerifiedAccessInstanceId) != id {
		t.Fatalf("delete answered %+v", del.VerifiedAccessInstance)
	}
	_, err = c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{id}})
	wantCode(t, err, "InvalidVerifiedAccessInstanceId.NotFound")
	_, err = c.DeleteVerifiedAccessInstance(ctx, &ec2.DeleteVerifiedAccessInstanceInput{VerifiedAccessInstanceId: aws.String(id)})
	wantCode(t, err, "InvalidVerifiedAccessInstanceId.NotFound")
	_, err = c.ModifyVerifiedAccessInstance(ctx, &ec2.ModifyVerifiedAccessInstanceInput{VerifiedAccessInstanceId: aws.String("vai-0123456789abcdef0")})
	wantCode(t, err, "InvalidVerifiedAccessInstanceId.NotFound")
}

func TestInstanceValidation(t *testing.T) {
	ctx, c, _ := fresh(t)
	_, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{
		TagSpecifications: tagSpec("verified-access-group", "a", "b"),
	})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{
		TagSpecifications: tagSpec("verified-access-instance", "aws:reserved", "b"),
	})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperation")
	out, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{})
	if err != nil || len(out.VerifiedAccessInstances) != 0 {
		t.Fatalf("failed creates left objects: %v %+v", err, out)
	}
}

func TestIdempotentClientToken(t *testing.T) {
	ctx, c, _ := fresh(t)
	first, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{
		ClientToken: aws.String("token-1"), Description: aws.String("one"),
	})
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{
		ClientToken: aws.String("token-1"), Description: aws.String("one"),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(first.VerifiedAccessInstance.VerifiedAccessInstanceId)
	if got := aws.ToString(again.VerifiedAccessInstance.VerifiedAccessInstanceId); got != id {
		t.Fatalf("same token created a second instance: %s vs %s", got, id)
	}
	_, err = c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{
		ClientToken: aws.String("token-1"), Description: aws.String("two"),
	})
	wantCode(t, err, "IdempotentParameterMismatch")

	// The same holds for groups (and every other create).
	g1, err := c.CreateVerifiedAccessGroup(ctx, &ec2.CreateVerifiedAccessGroupInput{VerifiedAccessInstanceId: aws.String(id), ClientToken: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	g2, err := c.CreateVerifiedAccessGroup(ctx, &ec2.CreateVerifiedAccessGroupInput{VerifiedAccessInstanceId: aws.String(id), ClientToken: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(g1.VerifiedAccessGroup.VerifiedAccessGroupId) != aws.ToString(g2.VerifiedAccessGroup.VerifiedAccessGroupId) {
		t.Fatal("same token created a second group")
	}

	all, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	groups, err := c.DescribeVerifiedAccessGroups(ctx, &ec2.DescribeVerifiedAccessGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.VerifiedAccessInstances) != 1 || len(groups.VerifiedAccessGroups) != 1 {
		t.Fatalf("duplicates: %d instances, %d groups", len(all.VerifiedAccessInstances), len(groups.VerifiedAccessGroups))
	}
}

func TestLoggingConfiguration(t *testing.T) {
	ctx, c, _ := fresh(t)
	in, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := in.VerifiedAccessInstance.VerifiedAccessInstanceId

	def, err := c.DescribeVerifiedAccessInstanceLoggingConfigurations(ctx, &ec2.DescribeVerifiedAccessInstanceLoggingConfigurationsInput{
		VerifiedAccessInstanceIds: []string{aws.ToString(id)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(def.LoggingConfigurations) != 1 {
		t.Fatalf("configs %+v", def.LoggingConfigurations)
	}
	logs := def.LoggingConfigurations[0].AccessLogs
	if aws.ToBool(logs.S3.Enabled) || aws.ToBool(logs.CloudWatchLogs.Enabled) || aws.ToString(logs.LogVersion) != "ocsf-0.1" {
		t.Fatalf("default logging %+v", logs)
	}

	mod, err := c.ModifyVerifiedAccessInstanceLoggingConfiguration(ctx, &ec2.ModifyVerifiedAccessInstanceLoggingConfigurationInput{
		VerifiedAccessInstanceId: id,
		AccessLogs: &ec2types.VerifiedAccessLogOptions{
			CloudWatchLogs:      &ec2types.VerifiedAccessLogCloudWatchLogsDestinationOptions{Enabled: aws.Bool(true), LogGroup: aws.String("/va/corp")},
			S3:                  &ec2types.VerifiedAccessLogS3DestinationOptions{Enabled: aws.Bool(false)},
			IncludeTrustContext: aws.Bool(true),
			LogVersion:          aws.String("ocsf-1.0.0-rc.2"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := mod.LoggingConfiguration.AccessLogs
	if !aws.ToBool(got.CloudWatchLogs.Enabled) || aws.ToString(got.CloudWatchLogs.LogGroup) != "/va/corp" ||
		got.CloudWatchLogs.DeliveryStatus == nil || got.CloudWatchLogs.DeliveryStatus.Code != "success" ||
		!aws.ToBool(got.IncludeTrustContext) || aws.ToString(got.LogVersion) != "ocsf-1.0.0-rc.2" || aws.ToBool(got.S3.Enabled) {
		t.Fatalf("modified logging %+v / %+v", got, got.CloudWatchLogs)
	}
	again, err := c.DescribeVerifiedAccessInstanceLoggingConfigurations(ctx, &ec2.DescribeVerifiedAccessInstanceLoggingConfigurationsInput{})
	if err != nil || !aws.ToBool(again.LoggingConfigurations[0].AccessLogs.CloudWatchLogs.Enabled) {
		t.Fatalf("describe after modify: %v %+v", err, again)
	}

	_, err = c.ModifyVerifiedAccessInstanceLoggingConfiguration(ctx, &ec2.ModifyVerifiedAccessInstanceLoggingConfigurationInput{
		VerifiedAccessInstanceId: id,
		AccessLogs:               &ec2types.VerifiedAccessLogOptions{S3: &ec2types.VerifiedAccessLogS3DestinationOptions{Enabled: aws.Bool(true)}},
	})
	wantCode(t, err, "MissingParameter")
	_, err = c.ModifyVerifiedAccessInstanceLoggingConfiguration(ctx, &ec2.ModifyVerifiedAccessInstanceLoggingConfigurationInput{
		VerifiedAccessInstanceId: id,
		AccessLogs:               &ec2types.VerifiedAccessLogOptions{LogVersion: aws.String("v9")},
	})
	wantCode(t, err, "InvalidParameterValue")
}
