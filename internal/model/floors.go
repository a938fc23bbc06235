package model

import (
	"fmt"
	"strings"
)

// DeviceStrength grades how much a device requirement proves about a device.
type DeviceStrength int

const (
	DeviceNone     DeviceStrength = iota // no device requirement
	DeviceBasic                          // the device is known to a provider, little more
	DeviceModerate                       // the device is reasonably healthy
	DeviceStrong                         // the strongest posture each provider can attest
)

func (s DeviceStrength) String() string {
	switch s {
	case DeviceNone:
		return "none"
	case DeviceBasic:
		return "basic"
	case DeviceModerate:
		return "moderate"
	case DeviceStrong:
		return "strong"
	}
	return fmt.Sprintf("DeviceStrength(%d)", int(s))
}

// Device-posture thresholds. A provider condition is
//
//	                   strong            moderate          basic
//	jamf max_risk      SECURE or LOW     MEDIUM            HIGH
//	crowdstrike score  >= 80             >= 50             < 50
//	jumpcloud          managed = true    —                 —
//
// An all-of requirement is as strong as its strongest condition (every one
// must hold); an any-of requirement is as weak as its weakest (any one will do).
const (
	JamfStrongMaxRisk        = "LOW"
	JamfModerateMaxRisk      = "MEDIUM"
	CrowdStrikeStrongScore   = 80
	CrowdStrikeModerateScore = 50
)

const unconditionalPermitSummary = "Unconditional permit"

// Strength grades one requirement (DeviceNone for nil).
func (d *DeviceRequirement) Strength() DeviceStrength {
	if d == nil || d.Conditions() == 0 {
		return DeviceNone
	}
	var grades []DeviceStrength
	if d.Jamf != nil {
		switch r := JamfRiskRank(d.Jamf.MaxRisk); {
		case r < 0:
			grades = append(grades, DeviceNone)
		case r <= JamfRiskRank(JamfStrongMaxRisk):
			grades = append(grades, DeviceStrong)
		case r <= JamfRiskRank(JamfModerateMaxRisk):
			grades = append(grades, DeviceModerate)
		default:
			grades = append(grades, DeviceBasic)
		}
	}
	if d.CrowdStrike != nil {
		switch s := d.CrowdStrike.MinOverallScore; {
		case s >= CrowdStrikeStrongScore:
			grades = append(grades, DeviceStrong)
		case s >= CrowdStrikeModerateScore:
			grades = append(grades, DeviceModerate)
		default:
			grades = append(grades, DeviceBasic)
		}
	}
	if d.JumpCloud != nil {
		if d.JumpCloud.Managed {
			grades = append(grades, DeviceStrong)
		} else {
			grades = append(grades, DeviceNone)
		}
	}
	out := grades[0]
	for _, g := range grades[1:] {
		if d.IsAnyOf() {
			out = min(out, g)
		} else {
			out = max(out, g)
		}
	}
	return out
}

// Floor is the minimum a sensitivity demands of every permit rule.
type Floor struct {
	Sensitivity string
	// Group: the rule names at least one access group.
	Group bool
	// Device: the rule's device requirement is at least this strong.
	Device DeviceStrength
	// EmailOrMFA: the rule requires a verified email address or MFA.
	EmailOrMFA bool
	// MFA: the rule requires MFA.
	MFA bool
	// ExplicitMethods: the rule lists its HTTP methods (no method wildcard).
	ExplicitMethods bool
	// CustomerManagedKey: the surface encrypts its Verified Access group and
	// endpoints with a customer-managed KMS key. Unlike the rule floors it
	// is enforced only where the organisation opts in (the provider's
	// sensitivity_floors.require_customer_managed_keys): configurations
	// written before it existed keep planning, and a key needs a key policy
	// the surface's author may not control.
	CustomerManagedKey bool
}

// Floors is the sensitivity-floor table, from least to most sensitive:
//
//	sensitivity   group  device     verified email or MFA  MFA  explicit methods  customer-managed key (opt-in)
//	public        -      -          -                      -    -                 -
//	internal      yes    -          -                      -    -                 -
//	confidential  yes    moderate   yes                    -    -                 -
//	restricted    yes    strong     yes (MFA)              yes  yes               yes
//
// A permit rule weaker than its surface's floor is an error at the rule's
// path unless the rule carries an acknowledgement, which turns it into a
// warning. Independently, a permit rule with no condition at all is an error
// on any surface above public unless acknowledged. Forbid rules only take
// access away and have no floor.
var Floors = []Floor{
	{Sensitivity: "public"},
	{Sensitivity: "internal", Group: true},
	{Sensitivity: "confidential", Group: true, Device: DeviceModerate, EmailOrMFA: true},
	{Sensitivity: "restricted", Group: true, Device: DeviceStrong, EmailOrMFA: true, MFA: true, ExplicitMethods: true, CustomerManagedKey: true},
}

// FloorFor returns the floor of a sensitivity.
func FloorFor(sensitivity string) (Floor, bool) {
	for _, f := range Floors {
		if f.Sensitivity == sensitivity {
			return f, true
		}
	}
	return Floor{}, false
}

// Shortfall is one way a rule falls below a floor.
type Shortfall struct {
	Attribute string // the rule attribute to strengthen, e.g. device
	Reason    string
}

// Shortfalls lists how a permit rule falls short of the floor (nil when it
// meets it). tcpOnly says the rule applies to TCP applications only, where
// there are no HTTP methods to list (and listing them is refused), so the
// explicit-methods demand does not apply.
func (f Floor) Shortfalls(r AccessRule, tcpOnly bool) []Shortfall {
	var out []Shortfall
	if f.Group && len(r.Groups) == 0 {
		out = append(out, Shortfall{"groups", "name at least one access group"})
	}
	if got := r.Device.Strength(); got < f.Device {
		out = append(out, Shortfall{"device", fmt.Sprintf("require a %s device posture (got %s): %s", f.Device, got, deviceAdvice(f.Device))})
	}
	if f.MFA && !r.RequireMFA {
		out = append(out, Shortfall{"require_mfa", "require MFA"})
	} else if f.EmailOrMFA && !r.RequireMFA && !r.RequireVerifiedEmail {
		out = append(out, Shortfall{"require_verified_email", "require a verified email address or MFA"})
	}
	if f.ExplicitMethods && len(r.Methods) == 0 && !tcpOnly {
		out = append(out, Shortfall{"methods", "list the HTTP methods the rule allows instead of allowing every method"})
	}
	return out
}

func deviceAdvice(s DeviceStrength) string {
	switch s {
	case DeviceStrong:
		return fmt.Sprintf("jamf max_risk %s or safer, crowdstrike min_overall_score >= %d, or jumpcloud managed (any-of needs every alternative this strong)", JamfStrongMaxRisk, CrowdStrikeStrongScore)
	case DeviceModerate:
		return fmt.Sprintf("jamf max_risk %s or safer, crowdstrike min_overall_score >= %d, or jumpcloud managed", JamfModerateMaxRisk, CrowdStrikeModerateScore)
	}
	return "any device requirement"
}

// CheckFloor checks a permit rule at path against the floor of a sensitivity
// and against the ban on unconditional permits above public. Each shortfall
// is an error at the attribute to strengthen, or a warning when the rule is
// acknowledged. An unknown sensitivity yields nothing (it is reported
// elsewhere). tcpOnly: see Floor.Shortfalls.
func CheckFloor(sensitivity string, r AccessRule, path Path, tcpOnly bool) Problems {
	var ps Problems
	f, ok := FloorFor(sensitivity)
	if !ok || !r.IsPermit() {
		return ps
	}
	report := func(p Path, summary, detail string) {
		if r.Acknowledgement == "" {
			ps.Errorf(p, summary, "%s Deny by default: strengthen the rule, or set acknowledgement to the reason this is acceptable.", detail)
		} else {
			ps.Warnf(p, "Acknowledged: "+strings.ToLower(summary[:1])+summary[1:], "%s Acknowledged because: %s", detail, r.Acknowledgement)
		}
	}
	violated := false
	if SensitivityRank(sensitivity) > SensitivityRank("public") && r.IsUnconditional() {
		violated = true
		report(path, unconditionalPermitSummary,
			fmt.Sprintf("Rule %q permits every request to a %s surface: it names no group, no device requirement and no condition.", r.Name, sensitivity))
	}
	for _, s := range f.Shortfalls(r, tcpOnly) {
		violated = true
		report(path.At(s.Attribute), "Below the "+sensitivity+" floor",
			fmt.Sprintf("Rule %q is weaker than a %s surface demands: %s.", r.Name, sensitivity, s.Reason))
	}
	if !violated && r.Acknowledgement != "" {
		ps.Warnf(path.At("acknowledgement"), "Unneeded acknowledgement", "rule %q meets the %s floor; remove the acknowledgement so a future weakening is not silently accepted", r.Name, sensitivity)
	}
	return ps
}

// CheckKeyFloor checks a surface's encryption against the floor of its
// sensitivity when the customer-managed-key floor is enforced: a surface
// whose floor demands a customer-managed key and has none is an error at
// keyPath, unless acknowledged (then a warning quoting the reason). An
// acknowledgement that is not needed is a warning at ackPath.
func CheckKeyFloor(sensitivity string, hasKey bool, acknowledgement string, enforced bool, keyPath, ackPath Path) Problems {
	var ps Problems
	f, ok := FloorFor(sensitivity)
	if !ok || !enforced {
		return ps
	}
	switch {
	case f.CustomerManagedKey && !hasKey && acknowledgement == "":
		ps.Errorf(keyPath, "Below the "+sensitivity+" floor",
			"A %s surface must encrypt its Verified Access group and endpoints with a customer-managed KMS key (the provider enforces sensitivity_floors.require_customer_managed_keys). Set kms_key_arn, or set customer_managed_key_acknowledgement to the reason an AWS-owned key is acceptable.", sensitivity)
	case f.CustomerManagedKey && !hasKey:
		ps.Warnf(keyPath, "Acknowledged: below the "+sensitivity+" floor",
			"A %s surface should use a customer-managed KMS key. Acknowledged because: %s", sensitivity, acknowledgement)
	case acknowledgement != "":
		ps.Warnf(ackPath, "Unneeded acknowledgement", "the surface meets the %s floor's key requirement; remove customer_managed_key_acknowledgement so a future removal of the key is not silently accepted", sensitivity)
	}
	return ps
}
