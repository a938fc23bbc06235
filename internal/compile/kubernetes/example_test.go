package kubernetes_test

import (
	"fmt"

	"github.com/ztforge/terraform-provider-zerotrust/internal/compile/kubernetes"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// The checkout pods may call the payment API on 8443; everything else in the
// namespace is denied. (AllowDNS is off here only to keep the example short;
// by default every namespace also gets a zt-allow-dns-… policy.)
func Example() {
	checkout := model.Segment{Name: "checkout", Kubernetes: &model.KubernetesSelector{
		Namespace: "shop", PodLabels: map[string]string{"app": "checkout"}}}
	payments := model.Segment{Name: "payments", Sensitivity: "restricted", Kubernetes: &model.KubernetesSelector{
		Namespace: "shop", PodLabels: map[string]string{"app": "payment-api"}}}
	flows := []model.Flow{{
		Direction: model.Inbound,
		Peer:      model.Peer{Segment: &checkout},
		Protocol:  "tcp",
		Ports:     []model.PortRange{{From: 8443, To: 8443}},
		Path:      model.Root("allow_from").Index(0),
	}}

	objs, problems := kubernetes.Compile(payments, flows, kubernetes.Options{Owner: "payments-in", AllowDNS: kubernetes.Bool(false)})
	if problems.HasErrors() {
		fmt.Println(problems)
		return
	}
	manifests, _ := objs.YAML()
	fmt.Print(manifests)
	// Output:
	// apiVersion: networking.k8s.io/v1
	// kind: NetworkPolicy
	// metadata:
	//   annotations:
	//     zerotrust.ztforge.io/owner: payments-in
	//     zerotrust.ztforge.io/segment: checkout
	//   labels:
	//     app.kubernetes.io/managed-by: terraform-provider-zerotrust
	//     zerotrust.ztforge.io/owner: payments-in
	//   name: zt-checkout-egress-a45f464f
	//   namespace: shop
	// spec:
	//   egress:
	//   - ports:
	//     - port: 8443
	//       protocol: TCP
	//     to:
	//     - namespaceSelector:
	//         matchLabels:
	//           kubernetes.io/metadata.name: shop
	//       podSelector:
	//         matchLabels:
	//           app: payment-api
	//   podSelector:
	//     matchLabels:
	//       app: checkout
	//   policyTypes:
	//   - Egress
	// ---
	// apiVersion: networking.k8s.io/v1
	// kind: NetworkPolicy
	// metadata:
	//   labels:
	//     app.kubernetes.io/managed-by: terraform-provider-zerotrust
	//     zerotrust.ztforge.io/shared: "true"
	//   name: zt-default-deny-11ad567a
	//   namespace: shop
	// spec:
	//   podSelector: {}
	//   policyTypes:
	//   - Ingress
	//   - Egress
	// ---
	// apiVersion: networking.k8s.io/v1
	// kind: NetworkPolicy
	// metadata:
	//   annotations:
	//     zerotrust.ztforge.io/owner: payments-in
	//     zerotrust.ztforge.io/segment: payments
	//   labels:
	//     app.kubernetes.io/managed-by: terraform-provider-zerotrust
	//     zerotrust.ztforge.io/owner: payments-in
	//   name: zt-payments-ingress-4ff5d83f
	//   namespace: shop
	// spec:
	//   ingress:
	//   - from:
	//     - namespaceSelector:
	//         matchLabels:
	//           kubernetes.io/metadata.name: shop
	//       podSelector:
	//         matchLabels:
	//           app: checkout
	//     ports:
	//     - port: 8443
	//       protocol: TCP
	//   podSelector:
	//     matchLabels:
	//       app: payment-api
	//   policyTypes:
	//   - Ingress
}

// With Istio, the payment API also gets an AuthorizationPolicy that admits
// only the checkout service account's SPIFFE identity, here further narrowed
// to POST /charges, plus an allow-nothing policy per namespace.
func ExampleIstioOptions() {
	checkout := model.Segment{Name: "checkout", Kubernetes: &model.KubernetesSelector{
		Namespace: "shop", PodLabels: map[string]string{"app": "checkout"}, ServiceAccount: "checkout"}}
	payments := model.Segment{Name: "payments", Kubernetes: &model.KubernetesSelector{
		Namespace: "payments", PodLabels: map[string]string{"app": "payment-api"}, ServiceAccount: "payment-api"}}
	policy := kubernetes.Policy{
		Segment: payments,
		Flows: []model.Flow{{
			Direction: model.Inbound, Peer: model.Peer{Segment: &checkout},
			Protocol: "tcp", Ports: []model.PortRange{{From: 8443, To: 8443}},
			Path: model.Root("allow_from").Index(0),
			HTTP: &model.HTTPMatch{Methods: []string{"POST"}, Paths: []string{"/charges"}},
		}},
	}

	objs, problems := kubernetes.CompileAll([]kubernetes.Policy{policy}, kubernetes.Options{
		Owner: "payments-in",
		Istio: &kubernetes.IstioOptions{TrustDomain: "prod.example.com"},
	})
	if problems.HasErrors() {
		fmt.Println(problems)
		return
	}
	only := kubernetes.Objects{AuthorizationPolicies: objs.AuthorizationPolicies[:2]} // namespace payments
	manifests, _ := only.YAML()
	fmt.Print(manifests)
	// Output:
	// apiVersion: security.istio.io/v1
	// kind: AuthorizationPolicy
	// metadata:
	//   labels:
	//     app.kubernetes.io/managed-by: terraform-provider-zerotrust
	//     zerotrust.ztforge.io/shared: "true"
	//   name: zt-allow-nothing-b1af8fa8
	//   namespace: payments
	// spec: {}
	// ---
	// apiVersion: security.istio.io/v1
	// kind: AuthorizationPolicy
	// metadata:
	//   annotations:
	//     zerotrust.ztforge.io/owner: payments-in
	//     zerotrust.ztforge.io/segment: payments
	//   labels:
	//     app.kubernetes.io/managed-by: terraform-provider-zerotrust
	//     zerotrust.ztforge.io/owner: payments-in
	//   name: zt-payments-authz-c7d29e8d
	//   namespace: payments
	// spec:
	//   action: ALLOW
	//   rules:
	//   - from:
	//     - source:
	//         principals:
	//         - prod.example.com/ns/shop/sa/checkout
	//     to:
	//     - operation:
	//         methods:
	//         - POST
	//         paths:
	//         - /charges
	//         ports:
	//         - "8443"
	//   selector:
	//     matchLabels:
	//       app: payment-api
}

func ExampleOwnerLabelValue() {
	fmt.Println(kubernetes.OwnerLabelValue("payments-in"))
	fmt.Println(kubernetes.OwnerLabelValue("sg-0123456789abcdef0/default"))
	// Output:
	// payments-in
	// sg-0123456789abcdef0-default-6865e734
}
