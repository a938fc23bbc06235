package acctest

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// State checks on the Kubernetes objects a segment policy applies (and the
// segment records of Kubernetes-only segments), in a test's namespace.

// kubeCheck is a state check with Kubernetes clients on the sandbox.
func kubeCheck(f func(ctx context.Context, cs *kubernetes.Clientset, dyn dynamic.Interface) error) statecheck.StateCheck {
	return stateCheck(func(ctx context.Context, _ state) error {
		cs, dyn, err := kubeClientsFromEnv()
		if err != nil {
			return err
		}
		return f(ctx, cs, dyn)
	})
}

// NetworkPolicyWant is what a live NetworkPolicy must be; zero fields are
// not looked at.
type NetworkPolicyWant struct {
	// Labels are matchLabels the pod selector must carry (other labels may
	// be there too).
	Labels map[string]string
	// SelectsAll: the pod selector is empty (every pod of the namespace).
	// SelectsSome: it is not.
	SelectsAll, SelectsSome bool
	// PolicyTypes and IngressRules, when not zero, are exact counts.
	PolicyTypes, IngressRules int
	// Allows are ports an ingress rule must allow; Denies ports none may.
	Allows, Denies []int
}

func (w NetworkPolicyWant) check(np NetworkPolicy) error {
	for k, v := range w.Labels {
		if np.PodSelector[k] != v {
			return fmt.Errorf("%s selects %v, want %s=%s", np.Name, np.PodSelector, k, v)
		}
	}
	switch {
	case w.SelectsAll && len(np.PodSelector) != 0:
		return fmt.Errorf("%s selects %v, want every pod of the namespace", np.Name, np.PodSelector)
	case w.SelectsSome && len(np.PodSelector) == 0:
		return fmt.Errorf("%s selects every pod of the namespace", np.Name)
	case w.PolicyTypes != 0 && len(np.PolicyTypes) != w.PolicyTypes:
		return fmt.Errorf("%s has policy types %v, want %d", np.Name, np.PolicyTypes, w.PolicyTypes)
	case w.IngressRules != 0 && np.IngressRules != w.IngressRules:
		return fmt.Errorf("%s has %d ingress rules, want %d: %s", np.Name, np.IngressRules, w.IngressRules, np.Ingress())
	}
	for _, p := range w.Allows {
		if !np.AllowsIngressPort(p) {
			return fmt.Errorf("%s does not allow ingress to %d: %s", np.Name, p, np.Ingress())
		}
	}
	for _, p := range w.Denies {
		if np.AllowsIngressPort(p) {
			return fmt.Errorf("%s allows ingress to %d: %s", np.Name, p, np.Ingress())
		}
	}
	return nil
}

// ExpectNetworkPolicy checks that among the provider's live NetworkPolicies
// in ns there is one whose name contains part, and that the first such
// (by name) is as want says.
func ExpectNetworkPolicy(ns, part string, want NetworkPolicyWant) statecheck.StateCheck {
	return kubeCheck(func(ctx context.Context, cs *kubernetes.Clientset, _ dynamic.Interface) error {
		pols, err := ownedNetworkPolicies(ctx, cs, ns)
		if err != nil {
			return err
		}
		np, ok := NetworkPolicyNamed(pols, part)
		if !ok {
			return fmt.Errorf("no NetworkPolicy named *%s* among %v in %s", part, NetworkPolicyNames(pols), ns)
		}
		return want.check(np)
	})
}

// ExpectNetworkPolicies checks that exactly n of the provider's live
// NetworkPolicies in ns have a name containing part, each as want says.
func ExpectNetworkPolicies(ns, part string, n int, want NetworkPolicyWant) statecheck.StateCheck {
	return kubeCheck(func(ctx context.Context, cs *kubernetes.Clientset, _ dynamic.Interface) error {
		pols, err := ownedNetworkPolicies(ctx, cs, ns)
		if err != nil {
			return err
		}
		found := 0
		for _, name := range NetworkPolicyNames(pols) {
			if !strings.Contains(name, part) {
				continue
			}
			found++
			if err := want.check(pols[name]); err != nil {
				return err
			}
		}
		if found != n {
			return fmt.Errorf("%d NetworkPolicies named *%s* in %s, want %d: %v", found, part, ns, n, NetworkPolicyNames(pols))
		}
		return nil
	})
}

// ExpectAuthorizationPolicyRules checks that the rules of the provider's
// live AuthorizationPolicies in ns, rendered and joined, contain each of
// the strings (a principal, a method).
func ExpectAuthorizationPolicyRules(ns string, contains ...string) statecheck.StateCheck {
	return kubeCheck(func(ctx context.Context, _ *kubernetes.Clientset, dyn dynamic.Interface) error {
		rules, err := ownedAuthorizationPolicyRules(ctx, dyn, ns)
		if err != nil {
			return err
		}
		joined := strings.Join(rules, " ")
		for _, c := range contains {
			if !strings.Contains(joined, c) {
				return fmt.Errorf("no AuthorizationPolicy rule in %s with %q: %v", ns, c, rules)
			}
		}
		return nil
	})
}

// ExpectSegmentRecords checks the live registry records of Kubernetes-only
// segments in ns: for each segment of want, each listed data key has that
// value (other keys and segments are not looked at).
func ExpectSegmentRecords(ns string, want map[string]map[string]string) statecheck.StateCheck {
	return kubeCheck(func(ctx context.Context, cs *kubernetes.Clientset, dyn dynamic.Interface) error {
		records, err := segmentRecords(ctx, cs, dyn, ns)
		if err != nil {
			return err
		}
		for segment, data := range want {
			for k, v := range data {
				if records[segment][k] != v {
					return fmt.Errorf("segment records in %s: %v; want %s.%s = %q", ns, records, segment, k, v)
				}
			}
		}
		return nil
	})
}
