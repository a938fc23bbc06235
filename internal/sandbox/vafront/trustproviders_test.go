package vafront

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestTrustProviderTypes(t *testing.T) {
	ctx, c, _ := fresh(t)

	idc, err := c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
		TrustProviderType:     ec2types.TrustProviderTypeUser,
		UserTrustProviderType: ec2types.UserTrustProviderTypeIamIdentityCenter,
		PolicyReferenceName:   aws.String("idc"),
		Description:           aws.String("corporate identities"),
		TagSpecifications:     tagSpec("verified-access-trust-provider", "env", "test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	tp := idc.VerifiedAccessTrustProvider
	if tp.TrustProviderType != "user" || tp.UserTrustProviderType != "iam-identity-center" ||
		aws.ToString(tp.PolicyReferenceName) != "idc" || tagMap(tp.Tags)["env"] != "test" || tp.OidcOptions != nil {
		t.Fatalf("iam-identity-center provider %+v", tp)
	}

	oidc, err := c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
		TrustProviderType:     ec2types.TrustProviderTypeUser,
		UserTrustProviderType: ec2types.UserTrustProviderTypeOidc,
		PolicyReferenceName:   aws.String("okta"),
		OidcOptions: &ec2types.CreateVerifiedAccessTrustProviderOidcOptions{
			Issuer:                aws.String("https://example.okta.com"),
			AuthorizationEndpoint: aws.String("https://example.okta.com/authorize"),
			TokenEndpoint:         aws.String("https://example.okta.com/token"),
			UserInfoEndpoint:      aws.String("https://example.okta.com/userinfo"),
			ClientId:              aws.String("client"),
			ClientSecret:          aws.String("s3cret"),
			Scope:                 aws.String("openid email"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	o := oidc.VerifiedAccessTrustProvider.OidcOptions
	if o == nil || aws.ToString(o.Issuer) != "https://example.okta.com" || aws.ToString(o.ClientId) != "client" || aws.ToString(o.Scope) != "openid email" {
		t.Fatalf("oidc options %+v", o)
	}
	if o.ClientSecret != nil {
		t.Fatal("the client secret must not be echoed back")
	}
	oidcID := oidc.VerifiedAccessTrustProvider.VerifiedAccessTrustProviderId

	modified, err := c.ModifyVerifiedAccessTrustProvider(ctx, &ec2.ModifyVerifiedAccessTrustProviderInput{
		VerifiedAccessTrustProviderId: oidcID,
		OidcOptions:                   &ec2types.ModifyVerifiedAccessTrustProviderOidcOptions{Scope: aws.String("openid")},
		Description:                   aws.String("okta"),
	})
	if err != nil {
		t.Fatal(err)
	}
	mo := modified.VerifiedAccessTrustProvider
	if aws.ToString(mo.OidcOptions.Scope) != "openid" || aws.ToString(mo.OidcOptions.Issuer) != "https://example.okta.com" || aws.ToString(mo.Description) != "okta" {
		t.Fatalf("modified oidc %+v %+v", mo, mo.OidcOptions)
	}

	for _, dt := range []ec2types.DeviceTrustProviderType{"jamf", "crowdstrike", "jumpcloud"} {
		out, err := c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
			TrustProviderType:       ec2types.TrustProviderTypeDevice,
			DeviceTrustProviderType: dt,
			PolicyReferenceName:     aws.String(string(dt)),
			DeviceOptions:           &ec2types.CreateVerifiedAccessTrustProviderDeviceOptions{TenantId: aws.String("tenant-" + string(dt))},
		})
		if err != nil {
			t.Fatalf("%s: %v", dt, err)
		}
		d := out.VerifiedAccessTrustProvider
		if d.DeviceTrustProviderType != dt || d.DeviceOptions == nil || aws.ToString(d.DeviceOptions.TenantId) != "tenant-"+string(dt) {
			t.Fatalf("%s provider %+v", dt, d)
		}
	}

	devices, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{
		Filters: []ec2types.Filter{{Name: aws.String("trust-provider-type"), Values: []string{"device"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(devices.VerifiedAccessTrustProviders) != 3 {
		t.Fatalf("device filter found %d", len(devices.VerifiedAccessTrustProviders))
	}
	all, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{})
	if err != nil || len(all.VerifiedAccessTrustProviders) != 5 {
		t.Fatalf("all providers: %v %d", err, len(all.VerifiedAccessTrustProviders))
	}
	// Creation order is the describe order.
	if aws.ToString(all.VerifiedAccessTrustProviders[0].PolicyReferenceName) != "idc" ||
		aws.ToString(all.VerifiedAccessTrustProviders[4].PolicyReferenceName) != "jumpcloud" {
		t.Fatalf("order %v", all.VerifiedAccessTrustProviders)
	}
}

func TestTrustProviderValidation(t *testing.T) {
	ctx, c, _ := fresh(t)
	cases := []struct {
		name string
		in   *ec2.CreateVerifiedAccessTrustProviderInput
		code string
	}{
		{"no user type", &ec2.CreateVerifiedAccessTrustProviderInput{
			TrustProviderType: "user", PolicyReferenceName: aws.String("x"),
		}, "MissingParameter"},
		{"bad trust provider type", &ec2.CreateVerifiedAccessTrustProviderInput{
			TrustProviderType: "robot", PolicyReferenceName: aws.String("x"),
		}, "InvalidParameterValue"},
		{"bad device type", &ec2.CreateVerifiedAccessTrustProviderInput{
			TrustProviderType: "device", DeviceTrustProviderType: "intune", PolicyReferenceName: aws.String("x"),
			DeviceOptions: &ec2types.CreateVerifiedAccessTrustProviderDeviceOptions{TenantId: aws.String("t")},
		}, "InvalidParameterValue"},
		{"device without tenant", &ec2.CreateVerifiedAccessTrustProviderInput{
			TrustProviderType: "device", DeviceTrustProviderType: "jamf", PolicyReferenceName: aws.String("x"),
		}, "MissingParameter"},
		{"user with device options", &ec2.CreateVerifiedAccessTrustProviderInput{
			TrustProviderType: "user", UserTrustProviderType: "iam-identity-center", PolicyReferenceName: aws.String("x"),
			DeviceOptions: &ec2types.CreateVerifiedAccessTrustProviderDeviceOptions{TenantId: aws.String("t")},
		}, "InvalidParameterCombination"},
		{"oidc without client secret", &ec2.CreateVerifiedAccessTrustProviderInput{
			TrustProviderType: "user", UserTrustProviderType: "oidc", PolicyReferenceName: aws.String("x"),
			OidcOptions: &ec2types.CreateVerifiedAccessTrustProviderOidcOptions{
				Issuer: aws.String("i"), AuthorizationEndpoint: aws.String("a"), TokenEndpoint: aws.String("t"),
				UserInfoEndpoint: aws.String("u"), ClientId: aws.String("c"),
			},
		}, "MissingParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateVerifiedAccessTrustProvider(ctx, tc.in)
			wantCode(t, err, tc.code)
		})
	}
	_, err := c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{
		VerifiedAccessTrustProviderIds: []string{"vatp-0123456789abcdef0"},
	})
	wantCode(t, err, "InvalidVerifiedAccessTrustProviderId.NotFound")
}

func TestAttachDetach(t *testing.T) {
	ctx, c, _ := fresh(t)
	in, err := c.CreateVerifiedAccessInstance(ctx, &ec2.CreateVerifiedAccessInstanceInput{})
	if err != nil {
		t.Fatal(err)
	}
	instID := in.VerifiedAccessInstance.VerifiedAccessInstanceId
	newUser := func(ref string) *string {
		out, err := c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
			TrustProviderType: "user", UserTrustProviderType: "iam-identity-center", PolicyReferenceName: aws.String(ref),
		})
		if err != nil {
			t.Fatal(err)
		}
		return out.VerifiedAccessTrustProvider.VerifiedAccessTrustProviderId
	}
	user, user2 := newUser("idc"), newUser("idc2")
	dev, err := c.CreateVerifiedAccessTrustProvider(ctx, &ec2.CreateVerifiedAccessTrustProviderInput{
		TrustProviderType: "device", DeviceTrustProviderType: "jamf", PolicyReferenceName: aws.String("jamf"),
		DeviceOptions: &ec2types.CreateVerifiedAccessTrustProviderDeviceOptions{TenantId: aws.String("t")},
	})
	if err != nil {
		t.Fatal(err)
	}
	devID := dev.VerifiedAccessTrustProvider.VerifiedAccessTrustProviderId

	att, err := c.AttachVerifiedAccessTrustProvider(ctx, &ec2.AttachVerifiedAccessTrustProviderInput{
		VerifiedAccessInstanceId: instID, VerifiedAccessTrustProviderId: user,
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(att.VerifiedAccessInstance.VerifiedAccessTrustProviders); n != 1 ||
		aws.ToString(att.VerifiedAccessTrustProvider.VerifiedAccessTrustProviderId) != aws.ToString(user) {
		t.Fatalf("attach answered %+v", att)
	}
	if _, err := c.AttachVerifiedAccessTrustProvider(ctx, &ec2.AttachVerifiedAccessTrustProviderInput{
		VerifiedAccessInstanceId: instID, VerifiedAccessTrustProviderId: devID,
	}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AttachVerifiedAccessTrustProvider(ctx, &ec2.AttachVerifiedAccessTrustProviderInput{
		VerifiedAccessInstanceId: instID, VerifiedAccessTrustProviderId: user2,
	})
	wantCode(t, err, "InvalidParameterValue") // one user trust provider per instance
	_, err = c.AttachVerifiedAccessTrustProvider(ctx, &ec2.AttachVerifiedAccessTrustProviderInput{
		VerifiedAccessInstanceId: instID, VerifiedAccessTrustProviderId: aws.String("vatp-0123456789abcdef0"),
	})
	wantCode(t, err, "InvalidVerifiedAccessTrustProviderId.NotFound")

	desc, err := c.DescribeVerifiedAccessInstances(ctx, &ec2.DescribeVerifiedAccessInstancesInput{VerifiedAccessInstanceIds: []string{aws.ToString(instID)}})
	if err != nil {
		t.Fatal(err)
	}
	tps := desc.VerifiedAccessInstances[0].VerifiedAccessTrustProviders
	if len(tps) != 2 || tps[0].TrustProviderType != "user" || tps[1].DeviceTrustProviderType != "jamf" {
		t.Fatalf("attached providers %+v", tps)
	}

	_, err = c.DeleteVerifiedAccessTrustProvider(ctx, &ec2.DeleteVerifiedAccessTrustProviderInput{VerifiedAccessTrustProviderId: user})
	wantCode(t, err, "IncorrectState")

	det, err := c.DetachVerifiedAccessTrustProvider(ctx, &ec2.DetachVerifiedAccessTrustProviderInput{
		VerifiedAccessInstanceId: instID, VerifiedAccessTrustProviderId: user,
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(det.VerifiedAccessInstance.VerifiedAccessTrustProviders); n != 1 {
		t.Fatalf("after detach %d providers", n)
	}
	_, err = c.DetachVerifiedAccessTrustProvider(ctx, &ec2.DetachVerifiedAccessTrustProviderInput{
		VerifiedAccessInstanceId: instID, VerifiedAccessTrustProviderId: user,
	})
	wantCode(t, err, "InvalidParameterValue")
	if _, err := c.DeleteVerifiedAccessTrustProvider(ctx, &ec2.DeleteVerifiedAccessTrustProviderInput{VerifiedAccessTrustProviderId: user}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeVerifiedAccessTrustProviders(ctx, &ec2.DescribeVerifiedAccessTrustProvidersInput{VerifiedAccessTrustProviderIds: []string{aws.ToString(user)}})
	wantCode(t, err, "InvalidVerifiedAccessTrustProviderId.NotFound")
}
