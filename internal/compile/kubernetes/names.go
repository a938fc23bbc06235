package kubernetes

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Object names
//
// Every object is named
//
//	zt-<readable>-<kind>-<hash>
//
// where <readable> is the subject segment's name reduced to [a-z0-9-]
// (absent for the per-namespace objects), <kind> is one of the kind* words
// below, and <hash> is the first 8 hex digits of SHA-256 over the owner, the
// kind, the namespace and the subject's pod selector. The hash is always
// present because names must be unique per owner (two segment policies may
// both place an egress policy on the same pods, and each must own its own
// object) and owners such as "sg-0123/default" are not name material.
// <readable> is cut so the whole name stays within 63 characters, the
// DNS-1123 label limit; the hash keeps cut names distinct.
const (
	kindDefaultDeny  = "default-deny"  // NetworkPolicy, per namespace, shared
	kindAllowDNS     = "allow-dns"     // NetworkPolicy, per namespace and pod selector, shared
	kindIngress      = "ingress"       // NetworkPolicy, per segment
	kindEgress       = "egress"        // NetworkPolicy, per segment
	kindAllowNothing = "allow-nothing" // AuthorizationPolicy, per namespace, shared
	kindAuthz        = "authz"         // AuthorizationPolicy, per segment
)

const hashLen = 8

func shortHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:hashLen]
}

// slugify lower-cases s and turns every run of characters outside [a-z0-9]
// into a single '-', trimming dashes at both ends.
func slugify(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// objectName builds a DNS-1123 label name as described above. hashParts
// must identify the object among everything the compiler can produce.
func objectName(readable, kind string, hashParts ...string) string {
	suffix := "-" + kind + "-" + shortHash(hashParts...)
	slug := slugify(readable)
	if room := validation.DNS1123LabelMaxLength - len("zt-") - len(suffix); len(slug) > room {
		slug = strings.TrimRight(slug[:room], "-")
	}
	if slug == "" {
		return "zt" + suffix
	}
	return "zt-" + slug + suffix
}

// RegistryObjectName is the name of the ConfigMap that records a segment
// placed only in Kubernetes (see reconcile/kube): the segment name made a
// DNS-1123 label, with a hash of the exact name so names differing only in
// case or punctuation do not collide.
func RegistryObjectName(segment string) string {
	return objectName(segment, "segment", "segment-registry", segment)
}

// OwnerLabelValue is the value of the OwnerLabel on every object compiled
// for owner: owner itself when it is a valid label value, else owner with
// invalid characters replaced, cut to fit, and a short hash of the original
// appended so distinct owners keep distinct values. Reconcilers select their
// objects with OwnerLabel=OwnerLabelValue(owner); the full owner is in the
// OwnerAnnotation.
func OwnerLabelValue(owner string) string {
	if len(content.IsLabelValue(owner)) == 0 {
		return owner
	}
	b := []byte(owner)
	for i, c := range b {
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			b[i] = '-'
		}
	}
	s := strings.TrimFunc(string(b), func(r rune) bool { return !isAlnum(byte(r)) })
	if room := content.LabelValueMaxLength - 1 - hashLen; len(s) > room {
		s = strings.TrimRightFunc(s[:room], func(r rune) bool { return !isAlnum(byte(r)) })
	}
	h := shortHash(owner)
	if s == "" {
		return h
	}
	return s + "-" + h
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
