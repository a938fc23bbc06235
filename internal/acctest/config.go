package acctest

import (
	"fmt"
	"sort"
	"strings"

	tfacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
)

// Small builders for the HCL the acceptance tests share: a provider block,
// the resources most tests declare, joined with Config. Each takes the
// body lines that vary (attributes and nested blocks, as HCL text), so a
// test's configuration reads as what is particular to it.

// RandomName is prefix, in a CI run "-r" and the run id (RunID), then a
// dash and six random lowercase letters or digits: the name of an object a test creates in a namespace other tests (or other
// runs, in a shared account) use too — Identity Store users and groups,
// permission sets, access proxies, Kubernetes namespaces. Objects named
// inside a container the test made itself (security groups in its own VPC,
// Kubernetes objects in its own namespace) need no suffix: the container's
// name carries the run id (CreateVPC), and the sweep finds them through it.
func RandomName(prefix string) string {
	return withRunID(prefix) + "-" + tfacctest.RandString(6)
}

// Config joins configuration blocks.
func Config(blocks ...string) string {
	return strings.Join(blocks, "\n")
}

// ProviderBlock is the provider block tests use: AWS (and, with
// WithKubernetes, Kubernetes) from the environment the sandbox exported.
func ProviderBlock(settings ...string) string {
	return Block(`provider "zerotrust"`, append([]string{"aws {}"}, settings...)...)
}

// ProviderConfig is ProviderBlock().
var ProviderConfig = ProviderBlock()

// WithKubernetes is a ProviderBlock setting: a kubernetes block.
const WithKubernetes = "kubernetes {}"

// ProviderBlockMaxRetries is a provider block whose AWS clients give up
// after n attempts (so a fault that persists fails an apply quickly).
func ProviderBlockMaxRetries(n int) string {
	return Block(`provider "zerotrust"`, Block("aws", Attr("max_retries", n)))
}

// ClosedEndpoint is a URL where nothing listens.
const ClosedEndpoint = "http://127.0.0.1:9"

// ProviderBlockNoCloud is a provider block whose every AWS endpoint is a
// closed port, tried once: a plan made with it proves what is decided with
// no cloud reachable, and an apply fails at its first call.
func ProviderBlockNoCloud() string {
	endpoints := make([]string, 0, 6)
	for _, service := range []string{"ec2", "ssoadmin", "identitystore", "sts", "iam", "scheduler"} {
		endpoints = append(endpoints, Attr(service, ClosedEndpoint))
	}
	return Block(`provider "zerotrust"`, Block("aws", Attr("max_retries", 1), Block("endpoints", endpoints...)))
}

// KubernetesOnlyProviderBlock configures only a kubernetes block.
const KubernetesOnlyProviderBlock = `provider "zerotrust" {
  kubernetes {}
}
`

// RemovedKeepingObjects renders `removed` blocks that drop each address from
// the state and leave its objects in place, as if another configuration
// owned them from now on.
func RemovedKeepingObjects(addresses ...string) string {
	var out string
	for _, a := range addresses {
		out += Block("removed", Attr("from", Expr(a)), Block("lifecycle", Attr("destroy", false)))
	}
	return out
}

// Block renders `header { lines }`, each line indented.
func Block(header string, lines ...string) string {
	var b strings.Builder
	b.WriteString(header + " {\n")
	for _, l := range lines {
		for _, sub := range strings.Split(strings.TrimRight(l, "\n"), "\n") {
			if sub == "" {
				b.WriteString("\n")
				continue
			}
			b.WriteString("  " + sub + "\n")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// Resource renders a resource block.
func Resource(typ, label string, lines ...string) string {
	return Block(fmt.Sprintf("resource %q %q", typ, label), lines...)
}

// Expr is HCL written as is: a reference or a function call.
type Expr string

// Attr renders `name = value`, value in HCL: a string quoted, a list of
// strings, a map of strings as an object, numbers and booleans as such,
// an Expr as written.
func Attr(name string, value any) string {
	return name + " = " + hclValue(value)
}

func hclValue(v any) string {
	switch v := v.(type) {
	case Expr:
		return string(v)
	case string:
		return fmt.Sprintf("%q", v)
	case []string:
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = fmt.Sprintf("%q", s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case map[string]string:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%q = %q", k, v[k])
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	default:
		return fmt.Sprint(v)
	}
}

// Ref is the id of the resource at address, as an Expr.
func Ref(address string) Expr { return Expr(address + ".id") }

// Segment is a zerotrust_segment named name in vpcID (none when empty);
// lines add attributes and blocks.
func Segment(label, name, vpcID string, lines ...string) string {
	body := []string{Attr("name", name)}
	if vpcID != "" {
		body = append(body, Attr("vpc_id", vpcID))
	}
	return Resource("zerotrust_segment", label, append(body, lines...)...)
}

// SegmentPolicy is a zerotrust_segment_policy on the segment at
// segmentAddress; lines are its name and flows.
func SegmentPolicy(label, segmentAddress string, lines ...string) string {
	return Resource("zerotrust_segment_policy", label, append([]string{Attr("segment", Ref(segmentAddress))}, lines...)...)
}

// AllowFrom is an allow_from flow block; AllowTo an allow_to one.
func AllowFrom(lines ...string) string { return Block("allow_from", lines...) }

// AllowTo is an allow_to flow block.
func AllowTo(lines ...string) string { return Block("allow_to", lines...) }

// AccessProxy is a zerotrust_access_proxy named name; lines are its trust
// providers and other settings (IdentityCenterIdP, JamfDevices).
func AccessProxy(label, name string, lines ...string) string {
	return Resource("zerotrust_access_proxy", label, append([]string{Attr("name", name)}, lines...)...)
}

// IdentityCenterIdP is the identity_provider block most proxies use: IAM
// Identity Center, referenced as idc, MFA enforced.
const IdentityCenterIdP = `identity_provider {
  type         = "iam-identity-center"
  reference    = "idc"
  mfa_enforced = true
}`

// JamfDevices is a Jamf device_trust_provider block referenced as jamf.
func JamfDevices(tenant string) string {
	return Block("device_trust_provider", Attr("type", "jamf"), Attr("reference", "jamf"), Attr("tenant_id", tenant))
}

// AccessGroup is a zerotrust_access_group named displayName; lines add
// members and other attributes.
func AccessGroup(label, displayName string, lines ...string) string {
	return Resource("zerotrust_access_group", label, append([]string{Attr("display_name", displayName)}, lines...)...)
}

// PrivilegedAccess is a zerotrust_privileged_access named name for group
// (an id or an Expr); lines add the rest.
func PrivilegedAccess(label, name string, group any, lines ...string) string {
	return Resource("zerotrust_privileged_access", label, append([]string{Attr("name", name), Attr("group", group)}, lines...)...)
}
