package vafront

import (
	"log"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Security-group rule descriptions of group-pair rules (a rule that
// references another security group).
//
// moto 5.2.1 keeps two copies of such a rule's description: the one given
// to Authorize* (shown by DescribeSecurityGroups only) and the one given to
// ModifySecurityGroupRules (shown by DescribeSecurityGroupRules only).
// Real EC2 has one description per rule and shows it in both. The front
// answers both Describe actions from moto and rewrites only the
// <description> of group-pair rules:
//   - DescribeSecurityGroupRules: a description set through the front's
//     ModifySecurityGroupRules wins; else an absent one is taken from
//     moto's DescribeSecurityGroups entry with the same group, direction,
//     protocol, ports and referenced group;
//   - DescribeSecurityGroups: a description set through
//     ModifySecurityGroupRules replaces the one moto kept from Authorize*.

// sgRuleKey identifies a group-pair rule inside its group, as both
// Describe actions can tell it.
type sgRuleKey struct {
	group, ref, proto, from, to string
	egress                      bool
}

func normProto(p string) string {
	switch strings.ToLower(p) {
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	case "all", "":
		return "-1"
	}
	return strings.ToLower(p)
}

func normPort(s string) string {
	if s == "" {
		return "-1"
	}
	return s
}

// serveSecurityGroups handles the actions whose moto answer the front
// corrects; false means the request is forwarded untouched.
func (f *Front) serveSecurityGroups(w http.ResponseWriter, r *http.Request, ri requestInfo, body []byte) bool {
	switch ri.action {
	case "DescribeSecurityGroupRules", "DescribeSecurityGroups", "ModifySecurityGroupRules":
	case "DeleteSecurityGroup":
		if dry, _ := ri.form.optBool("DryRun"); dry != nil && *dry {
			return false
		}
		apiErr, err := f.referencedElsewhere(r, ri.form)
		if err != nil {
			log.Printf("vafront: DeleteSecurityGroup forwarded without the reference check: %v", err)
			return false
		}
		if apiErr != nil {
			writeEC2Error(w, apiErr)
			return true
		}
		return false
	default:
		return false
	}
	m, err := f.callMoto(r.Context(), r, "", body)
	if err != nil {
		writeEC2Error(w, &apiError{http.StatusBadGateway, "InternalError", err.Error()})
		return true
	}
	if m.Status != http.StatusOK {
		relay(w, m, m.Body)
		return true
	}
	out := m.Body
	switch ri.action {
	case "ModifySecurityGroupRules":
		f.mu.Lock()
		for _, mem := range ri.form.members("SecurityGroupRule") {
			id := ri.form.get(mem + ".SecurityGroupRuleId")
			if key := mem + ".SecurityGroupRule.Description"; id != "" && ri.form.has(key) {
				f.sgrDesc[id] = ri.form.get(key)
			}
		}
		f.mu.Unlock()
	case "DescribeSecurityGroupRules":
		if fixed, err := f.fixRuleDescriptions(r, m.Body); err != nil {
			log.Printf("vafront: DescribeSecurityGroupRules answered as moto wrote it: %v", err)
		} else {
			out = fixed
		}
	case "DescribeSecurityGroups":
		if fixed, err := f.fixGroupDescriptions(r, m.Body); err != nil {
			log.Printf("vafront: DescribeSecurityGroups answered as moto wrote it: %v", err)
		} else {
			out = fixed
		}
	}
	relay(w, m, out)
	return true
}

func (f *Front) modifiedDescription(ruleID string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.sgrDesc[ruleID]
	return d, ok
}

func (f *Front) anyModifiedDescription() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.sgrDesc) > 0
}

// ruleItem is a <securityGroupRuleSet><item> of DescribeSecurityGroupRules.
func ruleItem(it *xnode) (id string, key sgRuleKey, pair bool) {
	ref := it.path("referencedGroupInfo", "groupId")
	if ref == nil {
		return "", sgRuleKey{}, false
	}
	return it.text("securityGroupRuleId"), sgRuleKey{
		group:  it.text("groupId"),
		ref:    strings.TrimSpace(ref.Text),
		proto:  normProto(it.text("ipProtocol")),
		from:   normPort(it.text("fromPort")),
		to:     normPort(it.text("toPort")),
		egress: it.text("isEgress") == "true",
	}, true
}

func (f *Front) fixRuleDescriptions(r *http.Request, doc []byte) ([]byte, error) {
	root, err := parseXNodes(doc)
	if err != nil {
		return nil, err
	}
	var resp *xnode
	if len(root.Children) > 0 {
		resp = root.Children[0]
	}
	items := resp.child("securityGroupRuleSet").items()
	var edits []xedit
	need := map[string]bool{} // groups whose Authorize-time descriptions are wanted
	type pending struct {
		it  *xnode
		key sgRuleKey
	}
	var todo []pending
	for _, it := range items {
		id, key, pair := ruleItem(it)
		if !pair {
			continue
		}
		if d, ok := f.modifiedDescription(id); ok {
			edits = append(edits, describeEdit(it, d)...)
			continue
		}
		if it.text("description") == "" {
			need[key.group] = true
			todo = append(todo, pending{it, key})
		}
	}
	if len(todo) > 0 {
		descs, err := f.authorizeDescriptions(r, need)
		if err != nil {
			return nil, err
		}
		for _, p := range todo {
			if d := descs[p.key]; d != "" {
				edits = append(edits, describeEdit(p.it, d)...)
			}
		}
	}
	if len(edits) == 0 {
		return doc, nil
	}
	return applyEdits(doc, edits), nil
}

// describeEdit sets (or, for "", removes) a rule item's <description>,
// which EC2 writes before <tagSet>.
func describeEdit(it *xnode, d string) []xedit {
	if d == "" {
		if e, ok := removeChild(it, "description"); ok {
			return []xedit{e}
		}
		return nil
	}
	return []xedit{setChildText(it, "description", d, "tagSet")}
}

// authorizeDescriptions asks moto's DescribeSecurityGroups for the
// group-pair descriptions of the given groups.
func (f *Front) authorizeDescriptions(r *http.Request, groups map[string]bool) (map[sgRuleKey]string, error) {
	form := url.Values{"Action": {"DescribeSecurityGroups"}}
	i := 1
	for g := range groups {
		form.Set("GroupId."+strconv.Itoa(i), g)
		i++
	}
	m, err := f.callMotoEC2(r.Context(), r, form)
	if err != nil {
		return nil, err
	}
	if m.Status != http.StatusOK {
		return nil, &apiError{m.Status, "DescribeSecurityGroups", string(m.Body)}
	}
	root, err := parseXNodes(m.Body)
	if err != nil {
		return nil, err
	}
	out := map[sgRuleKey]string{}
	for _, gp := range groupPairs(root) {
		out[gp.key] = gp.node.text("description")
	}
	return out, nil
}

// groupPair is one <groups><item> of a DescribeSecurityGroups permission.
type groupPair struct {
	key  sgRuleKey
	node *xnode
}

func groupPairs(root *xnode) []groupPair {
	var out []groupPair
	if len(root.Children) == 0 {
		return nil
	}
	for _, g := range root.Children[0].child("securityGroupInfo").items() {
		gid := g.text("groupId")
		for _, dir := range []string{"ipPermissions", "ipPermissionsEgress"} {
			for _, perm := range g.child(dir).items() {
				for _, pair := range perm.child("groups").items() {
					out = append(out, groupPair{sgRuleKey{
						group:  gid,
						ref:    pair.text("groupId"),
						proto:  normProto(perm.text("ipProtocol")),
						from:   normPort(perm.text("fromPort")),
						to:     normPort(perm.text("toPort")),
						egress: dir == "ipPermissionsEgress",
					}, pair})
				}
			}
		}
	}
	return out
}

func (f *Front) fixGroupDescriptions(r *http.Request, doc []byte) ([]byte, error) {
	if !f.anyModifiedDescription() {
		return doc, nil
	}
	root, err := parseXNodes(doc)
	if err != nil {
		return nil, err
	}
	pairs := groupPairs(root)
	if len(pairs) == 0 {
		return doc, nil
	}
	// Which live rule is each pair? moto's DescribeSecurityGroupRules knows.
	form := url.Values{"Action": {"DescribeSecurityGroupRules"}, "Filter.1.Name": {"group-id"}}
	seen := map[string]bool{}
	for _, p := range pairs {
		if !seen[p.key.group] {
			seen[p.key.group] = true
			form.Set("Filter.1.Value."+strconv.Itoa(len(seen)), p.key.group)
		}
	}
	m, err := f.callMotoEC2(r.Context(), r, form)
	if err != nil {
		return nil, err
	}
	if m.Status != http.StatusOK {
		return nil, &apiError{m.Status, "DescribeSecurityGroupRules", string(m.Body)}
	}
	rules, err := parseXNodes(m.Body)
	if err != nil {
		return nil, err
	}
	ruleOf := map[sgRuleKey]string{}
	if len(rules.Children) > 0 {
		for _, it := range rules.Children[0].child("securityGroupRuleSet").items() {
			if id, key, pair := ruleItem(it); pair {
				ruleOf[key] = id
			}
		}
	}
	var edits []xedit
	for _, p := range pairs {
		d, ok := f.modifiedDescription(ruleOf[p.key])
		if !ok {
			continue
		}
		if d == "" {
			if e, ok := removeChild(p.node, "description"); ok {
				edits = append(edits, e)
			}
			continue
		}
		// DescribeSecurityGroups writes the description first in a pair.
		if c := p.node.child("description"); c != nil {
			edits = append(edits, setChildText(p.node, "description", d, ""))
		} else {
			edits = append(edits, xedit{p.node.Inner, p.node.Inner, "<description>" + xmlEscape(d) + "</description>"})
		}
	}
	if len(edits) == 0 {
		return doc, nil
	}
	return applyEdits(doc, edits), nil
}

// referencedElsewhere emulates DeleteSecurityGroup's DependencyViolation
// when another security group has a rule referencing the group (EC2 API
// reference, DeleteSecurityGroup); moto deletes it anyway. A group's
// references to itself do not count.
func (f *Front) referencedElsewhere(r *http.Request, p params) (*apiError, error) {
	id := p.get("GroupId")
	if id == "" && p.get("GroupName") == "" {
		return nil, nil // moto answers the missing parameter
	}
	m, err := f.callMotoEC2(r.Context(), r, url.Values{"Action": {"DescribeSecurityGroups"}})
	if err != nil {
		return nil, err
	}
	if m.Status != http.StatusOK {
		return nil, &apiError{m.Status, "DescribeSecurityGroups", string(m.Body)}
	}
	root, err := parseXNodes(m.Body)
	if err != nil {
		return nil, err
	}
	if len(root.Children) == 0 {
		return nil, nil
	}
	if id == "" {
		// Named (default VPC) group: find its ID.
		for _, g := range root.Children[0].child("securityGroupInfo").items() {
			if g.text("groupName") == p.get("GroupName") {
				id = g.text("groupId")
			}
		}
	}
	for _, gp := range groupPairs(root) {
		if gp.key.ref == id && gp.key.group != id {
			return errDependency(id), nil
		}
	}
	return nil, nil
}
