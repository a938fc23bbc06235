package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ztforge/terraform-provider-zerotrust/internal/benchscale"
)

func (r *result) print(wall time.Duration) {
	s := r.shape
	rules := r.rules.Total()
	fmt.Printf("\n### %d flows · %d segments · %d policies%s · %d security groups · %d compiled rules (%d ingress, %d egress)%s\n",
		s.Flows, s.Segments, r.policies, map[bool]string{true: " in one zerotrust_segment_policy_set", false: " (zerotrust_segment_policy each)"}[s.Set],
		r.groups, rules, r.rules.Ingress, r.rules.Egress, map[bool]string{true: " · Kubernetes", false: ""}[s.Kubernetes])
	if r.rules != (benchscale.RuleCounts{Ingress: r.expected.Ingress, Egress: r.expected.Egress}) {
		fmt.Printf("    NOTE: the generator expects %d ingress and %d egress rules; state holds %d and %d\n", r.expected.Ingress, r.expected.Egress, r.rules.Ingress, r.rules.Egress)
	}
	ruleWrites, ruleDetail := ec2Calls(r.applyCalls, isRuleWrite)
	allWrites, allDetail := ec2Calls(r.applyCalls, func(a string) bool { return !isRead(a) })
	describes, descDetail := ec2Calls(r.planCalls, func(a string) bool { return strings.HasPrefix(a, "Describe") })
	applyDescribes, _ := ec2Calls(r.applyCalls, func(a string) bool { return strings.HasPrefix(a, "Describe") })
	g := int64(r.groups)
	fmt.Printf("%-44s %10s %34s %9s %24s %9s\n", "figure", "measured", "limit / floor", "÷ limit", "one resource per rule", "÷ that")
	row := func(name string, v int64, limitText string, limit int64, perRuleText string, perRule int64) {
		fmt.Printf("%-44s %10d %34s %9s %24s %9s\n", name, v, limitText, ratio(float64(v), float64(limit)), perRuleText, ratio(float64(v), float64(perRule)))
	}
	// The limits: one Authorize per group and direction for the flows; a
	// created group also costs its create, the revoke of the allow-all
	// egress rule EC2 adds to every new group (deny by default), and the
	// removal of its create-pending mark (an interrupted create is found
	// again by it, never duplicated). A refresh reads each group and its
	// rules once, and each policy resource asks once, by its owner tag, for
	// the rules it owns wherever they are (what keeps a rule left by a crash
	// or written on a group no longer referenced visible, and removed).
	authorizes, authDetail := ec2Calls(r.applyCalls, func(a string) bool { return strings.HasPrefix(a, "AuthorizeSecurityGroup") })
	resources := int64(r.policies)
	if s.Set {
		resources = 1
	}
	row("apply: EC2 Authorize calls", authorizes, fmt.Sprintf("%d (2 × %d groups)", 2*g, g), 2*g, fmt.Sprintf("%d (1 per rule)", rules), int64(rules))
	row("apply: EC2 rule writes (Authorize/Revoke)", ruleWrites, fmt.Sprintf("%d (+1 default-egress revoke/group)", 3*g), 3*g, fmt.Sprintf("%d (1 per rule)", rules), int64(rules))
	row("apply: all mutating EC2 calls", allWrites, fmt.Sprintf("%d (+create, revoke, unmark/group)", 5*g), 5*g, fmt.Sprintf("%d (rules + groups)", int64(rules)+g), int64(rules)+g)
	row("refresh+plan: EC2 Describe calls", describes, fmt.Sprintf("%d (2/group +1/resource)", 2*g+resources), 2*g+resources, fmt.Sprintf("%d (rules + groups)", int64(rules)+g), int64(rules)+g)
	median := r.planRatios[len(r.planRatios)/2]
	fmt.Printf("%-44s %10s %34s %9s\n", "plan -refresh=false: CPU", "—", fmt.Sprintf("%d terraform_data", rules), fmt.Sprintf("%.2f×", median))
	if s.Kubernetes {
		var kube, refresh int64
		for _, v := range r.kubeApply {
			kube += int64(v)
		}
		for _, v := range r.kubeRefresh {
			refresh += int64(v)
		}
		kindSet := map[string]bool{}
		for k := range r.kubeRefresh {
			_, resource, _ := strings.Cut(k, " ")
			kindSet[resource] = true
		}
		kinds := int64(len(kindSet))
		fmt.Printf("%-44s %10d %34s %9s\n", "apply: kube-apiserver requests", kube, fmt.Sprintf("%d object writes", r.kubeWrites), ratio(float64(kube), float64(r.kubeWrites)))
		fmt.Printf("%-44s %10d %34s %9s\n", "refresh+plan: kube-apiserver requests", refresh, fmt.Sprintf("%d (1 LIST/kind/ns)", kinds*int64(r.kubeNamespaces)), ratio(float64(refresh), float64(kinds*int64(r.kubeNamespaces))))
		fmt.Printf("    kube requests: apply %s; refresh+plan %s; %d distinct objects, a shared one written once by each resource holding it\n", renderInts(r.kubeApply), renderInts(r.kubeRefresh), r.kubeObjects)
	}
	// +1 flow: the new rules in one Authorize each (a segment peer's flow
	// is two rules on two groups), and in Kubernetes one LIST per kind for
	// the refresh, plus one APPLY per changed object: the apply writes
	// objects it already has by their recorded UIDs, without listing.
	plusWrites, plusDetail := ec2Calls(r.plusOneCalls, func(a string) bool { return !isRead(a) })
	peer := map[bool]string{true: "segment", false: "CIDR"}[r.plusOneSegmentPeer]
	row("+1 flow: mutating EC2 calls", plusWrites, fmt.Sprintf("%d (1 per rule added, %s peer)", r.plusOneRules, peer), int64(r.plusOneRules), "", 0)
	if s.Kubernetes {
		var kube int64
		for _, v := range r.kubePlusOne {
			kube += int64(v)
		}
		// terraform apply refreshes first (a fresh provider process, so
		// one LIST), then applies the changed objects.
		limit := int64(r.plusOneObjects) + 1
		fmt.Printf("%-44s %10d %34s %9s\n", "+1 flow: kube-apiserver requests", kube, fmt.Sprintf("%d (1 LIST + %d changed)", limit, r.plusOneObjects), ratio(float64(kube), float64(limit)))
		fmt.Printf("    +1 flow: kube %s; EC2 %s\n", renderInts(r.kubePlusOne), plusDetail)
	} else {
		fmt.Printf("    +1 flow: EC2 %s\n", plusDetail)
	}
	fmt.Printf("    apply EC2 Authorize: %s\n", authDetail)
	fmt.Printf("    apply EC2 writes: %s\n", allDetail)
	fmt.Printf("    apply EC2 rule writes: %s; Describe calls during apply: %d\n", ruleDetail, applyDescribes)
	fmt.Printf("    refresh+plan: %s; exit code %d (%s)\n", descDetail, r.replanExit, map[bool]string{true: "no changes", false: "CHANGES: not converged"}[r.replanExit == 0])
	fmt.Printf("    plan CPU: provider plan ÷ floor plan, %d interleaved pairs: %s (median %.2f×); provider plugins' share of the first plan (seen in /proc, %d processes) %s;"+
		" wait4 and RUSAGE_CHILDREN agree within %s\n",
		len(r.planRatios), renderRatios(r.planRatios), median, r.plan.ChildProcesses, percent(r.plan.Children, r.plan.Total), agreement(r.plan))
	if r.plan.Children > r.plan.Total {
		fmt.Println("    WARNING: the plugins' own CPU exceeds the measured total: the provider is not inside the measurement")
	}
	if len(r.leftAfterDestroy) == 0 {
		fmt.Println("    destroy: nothing left (no security group in the VPC but its default, no NetworkPolicy in the namespace)")
	} else {
		fmt.Printf("    destroy: LEFT BEHIND %s\n", strings.Join(r.leftAfterDestroy, ", "))
	}
	fmt.Printf("    (wall time of this size %s, informative only)\n", wall.Round(time.Second))
}

func renderRatios(rs []float64) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%.2f×", r)
	}
	return strings.Join(parts, " ")
}

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func percent(part, whole time.Duration) string {
	if whole == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*part.Seconds()/whole.Seconds())
}

func agreement(u benchscale.CPUUsage) string {
	if u.Total == 0 {
		return "n/a"
	}
	d := u.Total - u.Waited
	if d < 0 {
		d = -d
	}
	return fmt.Sprintf("%.1f%%", 100*d.Seconds()/u.Total.Seconds())
}

func renderInts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
