package syntaxtypes

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

type (
	cidr      struct{}
	timestamp struct{}
	duration  struct{}
)

func (cidr) name() string { return "CIDR block" }

// check accepts any IPv4 or IPv6 prefix; what a given attribute further
// refuses (an IPv4-mapped client CIDR, the open internet into a restricted
// segment) is decided by the model, with its own message.
func (cidr) check(s string) error {
	_, err := model.CanonicalCIDR(s)
	return err
}

func (timestamp) name() string { return "timestamp" }

func (timestamp) check(s string) error {
	if _, err := time.Parse(time.RFC3339, s); err != nil {
		return fmt.Errorf("%q is not an RFC 3339 time such as 2026-12-31T00:00:00Z", s)
	}
	return nil
}

func (duration) name() string { return "session duration" }

func (duration) check(s string) error {
	_, err := model.ParseSessionDuration(s)
	return err
}

// The attribute types, one per syntax.
type (
	CIDRType      = Type[cidr]
	CIDR          = Value[cidr]
	TimestampType = Type[timestamp]
	Timestamp     = Value[timestamp]
	DurationType  = Type[duration]
	Duration      = Value[duration]
)

// NewCIDR, NewTimestamp and NewDuration return known values.
func NewCIDR(s string) CIDR           { return CIDR{StringValue: basetypes.NewStringValue(s)} }
func NewTimestamp(s string) Timestamp { return Timestamp{StringValue: basetypes.NewStringValue(s)} }
func NewDuration(s string) Duration   { return Duration{StringValue: basetypes.NewStringValue(s)} }

// NullTimestamp is an unset timestamp.
func NullTimestamp() Timestamp { return Timestamp{StringValue: basetypes.NewStringNull()} }
