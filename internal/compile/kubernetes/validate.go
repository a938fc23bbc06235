package kubernetes

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// ValidateSegment checks a segment's Kubernetes placement with the API
// server's own rules: the namespace is a DNS-1123 label, every pod label key
// is a qualified name and every value a label value, and the service account
// is a DNS-1123 subdomain. Problems are addressed below at, e.g.
// kubernetes.namespace or kubernetes.pod_labels["app"]. A segment without a
// Kubernetes placement is itself a problem at kubernetes.
//
// model.Path has no map-key step, so a pod label is addressed by an
// attribute step named pod_labels["<key>"]; Path.String() reads as
// Terraform writes it.
func ValidateSegment(s model.Segment, at model.Path) model.Problems {
	var ps model.Problems
	k := s.Kubernetes
	// Paths are built only for a problem: a valid segment costs none.
	kp := func(step string) model.Path {
		if step == "" {
			return at.At("kubernetes")
		}
		return at.At("kubernetes").At(step)
	}
	if k == nil {
		ps.Errorf(kp(""), "Segment not placed on Kubernetes",
			"segment %q has no kubernetes block, so its pods cannot be selected; add kubernetes { namespace = ... pod_labels = {...} }", s.Name)
		return ps
	}
	if k.Namespace == "" {
		ps.Errorf(kp("namespace"), "Namespace required", "segment %q must name the namespace its pods run in", s.Name)
	} else if errs := validation.IsDNS1123Label(k.Namespace); len(errs) > 0 {
		ps.Errorf(kp("namespace"), "Invalid namespace", "%q is not a namespace name: %s", k.Namespace, strings.Join(errs, "; "))
	}
	keys := slices.AppendSeq(make([]string, 0, len(k.PodLabels)), maps.Keys(k.PodLabels)) // sized: no regrowth on this hot path
	slices.Sort(keys)
	for _, key := range keys {
		if errs := content.IsLabelKey(key); len(errs) > 0 {
			ps.Errorf(kp(labelStep("pod_labels", key)), "Invalid pod label key", "%q is not a label key: %s", key, strings.Join(errs, "; "))
		}
		if errs := content.IsLabelValue(k.PodLabels[key]); len(errs) > 0 {
			ps.Errorf(kp(labelStep("pod_labels", key)), "Invalid pod label value", "%q is not a label value: %s", k.PodLabels[key], strings.Join(errs, "; "))
		}
	}
	if k.ServiceAccount != "" {
		if errs := validation.IsDNS1123Subdomain(k.ServiceAccount); len(errs) > 0 {
			ps.Errorf(kp("service_account"), "Invalid service account", "%q is not a service account name: %s", k.ServiceAccount, strings.Join(errs, "; "))
		}
	}
	return ps
}

// labelStep names one map entry as an attribute step, pod_labels["app"].
func labelStep(attr, key string) string { return fmt.Sprintf("%s[%q]", attr, key) }

// validatePorts checks a tcp/udp flow's ranges as NetworkPolicy ports and
// returns them clamped: a range starting at port 0 starts at 1 instead
// (port 0 carries no connection), so "0-65535" is every port.
func validatePorts(f model.Flow, ps *model.Problems) []model.PortRange {
	out := make([]model.PortRange, 0, len(f.Ports))
	for i, r := range f.Ports {
		if r.From == 0 && r.To > 0 {
			r.From = 1
		}
		var errs []string
		for _, p := range []int{r.From, r.To} {
			for _, e := range validation.IsValidPortNum(p) {
				errs = append(errs, fmt.Sprintf("port %d: %s", p, e))
			}
		}
		if r.From > r.To {
			errs = append(errs, fmt.Sprintf("range %d-%d starts after it ends", r.From, r.To))
		}
		if len(errs) > 0 {
			ps.Errorf(f.Path.At("ports").Index(i), "Invalid port for Kubernetes", "%s", strings.Join(errs, "; "))
			continue
		}
		out = append(out, r)
	}
	return out
}

// httpPath is where a problem with a flow's HTTP match as a whole is
// reported: its methods when it has some, else its paths.
func httpPath(f model.Flow) model.Path {
	if f.HTTP != nil && len(f.HTTP.Methods) == 0 {
		return f.Path.At("http_paths")
	}
	return f.Path.At("http_methods")
}

// validateHTTP checks an HTTP match's methods and paths for Istio.
func validateHTTP(m model.HTTPMatch, at model.Path, ps *model.Problems) {
	for i, meth := range m.Methods {
		ok := meth != ""
		for j := 0; j < len(meth); j++ {
			if meth[j] < 'A' || meth[j] > 'Z' {
				ok = false
			}
		}
		if !ok {
			ps.Errorf(at.At("http_methods").Index(i), "Invalid HTTP method", "%q is not an HTTP method; use upper-case names such as GET or POST", meth)
		}
	}
	for i, p := range m.Paths {
		ok := p != "" && (p[0] == '/' || p[0] == '*')
		for j := 0; ok && j < len(p); j++ {
			if p[j] <= ' ' || p[j] == 0x7f {
				ok = false
			}
		}
		if !ok {
			ps.Errorf(at.At("http_paths").Index(i), "Invalid HTTP path", "%q is not an Istio path match; use an exact path (/api/v1), a prefix (/api/*), a suffix (*.png) or *", p)
		}
	}
}
