package review

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze"
	"github.com/ztforge/terraform-provider-zerotrust/internal/analyze/reach"
	"github.com/ztforge/terraform-provider-zerotrust/internal/model"
)

// accessRow is access changes that differ only in device posture, shown
// as one line listing the postures.
type accessRow struct {
	first   AccessChange
	devices []string
}

func (r *Report) accessRows() []accessRow {
	var rows []accessRow
	index := map[string]int{}
	for _, a := range r.Access {
		c := a.Class
		key := strings.Join([]string{a.Address, fmt.Sprint(a.Gained), c.Application, strings.Join(c.Groups, "\x01"), c.Identity, c.Request, c.Client, a.Before.String(), a.After.String()}, "\x00")
		i, ok := index[key]
		if !ok {
			i = len(rows)
			index[key] = i
			rows = append(rows, accessRow{first: a})
		}
		rows[i].devices = append(rows[i].devices, c.Device)
	}
	return rows
}

func decisionText(d analyze.Decision) string {
	switch {
	case d.Allowed:
		return "allowed by " + quoteAll(d.Rules)
	case len(d.Rules) > 0:
		return "denied by forbid " + quoteAll(d.Rules)
	}
	return "denied (no rule permits)"
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// who describes the requests of a row.
func (r *Report) who(row accessRow) string {
	c := row.first.Class
	parts := []string{r.groupsLabel(c.Groups)}
	if c.Identity != "" {
		parts = append(parts, c.Identity)
	}
	parts = append(parts, c.Request)
	if c.Client != "" {
		parts = append(parts, c.Client)
	}
	parts = append(parts, "device: "+strings.Join(row.devices, " | "))
	return strings.Join(parts, " · ")
}

func sign(gained bool) string {
	if gained {
		return "+"
	}
	return "-"
}

func (r *Report) cellText(c ReachChange) string {
	s := r.sideLabel(c.From) + " -> " + r.sideLabel(c.To)
	if c.ToSensitivity != "" {
		s += " [" + c.ToSensitivity + "]"
	}
	s += " " + c.Protocol
	if p := portsString(c.Ports); p != "" {
		s += " " + p
	}
	return s
}

func (r *Report) routeText(rt reach.Route) string {
	nodes := make([]string, len(rt.Nodes))
	for i, n := range rt.Nodes {
		if name := r.SegmentNames[n]; name != "" {
			nodes[i] = name
		} else {
			nodes[i] = n
		}
	}
	s := fmt.Sprintf("[%s] %s (%d hop", rt.Sensitivity, strings.Join(nodes, " -> "), rt.Hops())
	if rt.Hops() != 1 {
		s += "s"
	}
	s += ")"
	if rt.FromInternet || rt.FromCIDR && model.IsOpenInternet(rt.Nodes[0]) {
		s += " from the internet"
	}
	return s
}

// WriteText renders the report for a terminal.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "zt-review of a %s plan", r.Tool)
	if r.Version != "" {
		fmt.Fprintf(&b, " (%s)", r.Version)
	}
	b.WriteString("\n")
	if r.Empty() {
		b.WriteString("\nNo change to access, reachability, exposure or privilege.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	section := func(title string, n int) {
		fmt.Fprintf(&b, "\n%s (%d)\n", title, n)
	}
	if rows := r.accessRows(); len(rows) > 0 {
		section("Access gained (+) and lost (-), per protect surface and class of requests", len(rows))
		last := ""
		for _, row := range rows {
			a := row.first
			if a.Address != last {
				fmt.Fprintf(&b, "  %s — %s [%s]\n", a.Address, a.Surface, a.Sensitivity)
				last = a.Address
			}
			app := ""
			if a.Class.Application != "" {
				app = a.Class.Application + ": "
			}
			fmt.Fprintf(&b, "    %s %s%s\n", sign(a.Gained), app, r.who(row))
			fmt.Fprintf(&b, "        before: %s; after: %s\n", decisionText(a.Before), decisionText(a.After))
		}
	}
	if len(r.Reach) > 0 {
		section("Reachability gained (+) and lost (-)", len(r.Reach))
		for _, c := range r.Reach {
			fmt.Fprintf(&b, "  %s %s\n", sign(c.Gained), r.cellText(c))
		}
	}
	if len(r.Routes) > 0 {
		section("Routes into confidential and restricted segments, new (+) and gone (-)", len(r.Routes))
		for _, rc := range r.Routes {
			fmt.Fprintf(&b, "  %s %s\n", sign(rc.Gained), r.routeText(rc.Route))
		}
	}
	if len(r.Exposure) > 0 {
		section("New internet-facing flows", len(r.Exposure))
		for _, e := range r.Exposure {
			fmt.Fprintf(&b, "  ! %s -> %s", strings.Join(e.Sources, ", "), r.segmentLabel(e.To))
			if e.ToSensitivity != "" {
				fmt.Fprintf(&b, " [%s]", e.ToSensitivity)
			}
			if e.Protocol != "" {
				fmt.Fprintf(&b, " %s %s", e.Protocol, portsString(e.Ports))
			}
			fmt.Fprintf(&b, " in %s: covers %s\n", e.Address, e.Coverage)
			if e.Acknowledgement != "" {
				fmt.Fprintf(&b, "      acknowledged: %q\n", e.Acknowledgement)
			}
		}
	}
	if len(r.Acknowledgements) > 0 {
		section("Acknowledgements new or changed", len(r.Acknowledgements))
		for _, a := range r.Acknowledgements {
			fmt.Fprintf(&b, "  %s %s: %q", a.Address, a.Subject, a.Reason)
			if a.Previous != "" {
				fmt.Fprintf(&b, " (was %q)", a.Previous)
			}
			b.WriteString("\n")
		}
	}
	if len(r.Privilege) > 0 {
		section("Privileged access", len(r.Privilege))
		for _, p := range r.Privilege {
			fmt.Fprintf(&b, "  %s %q: %s\n", p.Address, p.Name, strings.Join(p.Kinds, ", "))
			for _, d := range p.Details {
				fmt.Fprintf(&b, "      %s\n", r.nameGroups(d))
			}
		}
	}
	if len(r.Membership) > 0 {
		section("Access group members added (+) and removed (-)", len(r.Membership))
		for _, m := range r.Membership {
			fmt.Fprintf(&b, "  %s %q%s\n", m.Address, m.Group, admitsText(m))
			for _, u := range m.Added {
				fmt.Fprintf(&b, "    + %s\n", u)
			}
			for _, u := range m.Removed {
				fmt.Fprintf(&b, "    - %s\n", u)
			}
			if m.Unknown {
				b.WriteString("    ? members known after apply\n")
			}
		}
	}
	if len(r.Undecided) > 0 {
		section("Unknown until apply (not guessed)", len(r.Undecided))
		for _, u := range r.Undecided {
			fmt.Fprintf(&b, "  ? %s: %s\n", u.Address, u.Reason)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// nameGroups adds display names to group ids a detail mentions.
func (r *Report) nameGroups(s string) string {
	ids := make([]string, 0, len(r.GroupNames))
	for id := range r.GroupNames {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		s = strings.ReplaceAll(s, "group "+id, "group "+r.GroupNames[id]+" ("+id+")")
	}
	return s
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\\", "\\\\")
	s = strings.ReplaceAll(s, "|", "\\|")
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "<", "&lt;")
	s = strings.ReplaceAll(s, "*", "\\*")
	return strings.ReplaceAll(s, "`", "'")
}

// mdCode makes text safe inside a Markdown code span (where backslash
// escapes are not read).
func mdCode(s string) string {
	return strings.NewReplacer("`", "'", "\n", " ", "|", "\\|").Replace(s)
}

// mermaidLabel makes text safe inside a quoted Mermaid label: quotes and
// the characters Mermaid or Markdown would read as syntax are entity-coded.
func mermaidLabel(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.ContainsRune(" ./:-_,()[]*+=@", c):
			b.WriteRune(c)
		default:
			fmt.Fprintf(&b, "#%d;", c)
		}
	}
	return b.String()
}

// WriteMarkdown renders the report as a pull-request comment, the
// reachability change drawn as a Mermaid graph.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("## Access review\n\n")
	fmt.Fprintf(&b, "_zt-review of a %s plan", r.Tool)
	if r.Version != "" {
		fmt.Fprintf(&b, " (%s)", mdCell(r.Version))
	}
	b.WriteString("._\n")
	if r.Empty() {
		b.WriteString("\nNo change to access, reachability, exposure or privilege.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	if rows := r.accessRows(); len(rows) > 0 {
		b.WriteString("\n### Access\n\n| | surface | application | who | request | device | before | after |\n|---|---|---|---|---|---|---|---|\n")
		for _, row := range rows {
			a := row.first
			who := r.groupsLabel(a.Class.Groups)
			if a.Class.Identity != "" {
				who += ", " + a.Class.Identity
			}
			req := a.Class.Request
			if a.Class.Client != "" {
				req += ", " + a.Class.Client
			}
			verb := "**gained**"
			if !a.Gained {
				verb = "lost"
			}
			fmt.Fprintf(&b, "| %s | %s (%s) | %s | %s | %s | %s | %s | %s |\n", verb, mdCell(a.Surface), mdCell(a.Sensitivity), mdCell(a.Class.Application),
				mdCell(who), mdCell(req), mdCell(strings.Join(row.devices, "; ")), mdCell(decisionText(a.Before)), mdCell(decisionText(a.After)))
		}
	}
	if len(r.Reach) > 0 {
		b.WriteString("\n### Reachability\n\n")
		r.writeMermaid(&b)
		b.WriteString("\n| | from | to | protocol | ports |\n|---|---|---|---|---|\n")
		for _, c := range r.Reach {
			verb := "**gained**"
			if !c.Gained {
				verb = "lost"
			}
			to := r.sideLabel(c.To)
			if c.ToSensitivity != "" {
				to += " (" + c.ToSensitivity + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", verb, mdCell(r.sideLabel(c.From)), mdCell(to), mdCell(c.Protocol), mdCell(portsString(c.Ports)))
		}
	}
	if len(r.Routes) > 0 {
		b.WriteString("\n### Routes into confidential and restricted segments\n\n")
		for _, rc := range r.Routes {
			verb := "**new**"
			if !rc.Gained {
				verb = "gone"
			}
			fmt.Fprintf(&b, "- %s: %s\n", verb, mdCell(r.routeText(rc.Route)))
		}
	}
	if len(r.Exposure) > 0 {
		b.WriteString("\n### Internet exposure\n\n")
		for _, e := range r.Exposure {
			fmt.Fprintf(&b, "- **%s** → %s", mdCell(strings.Join(e.Sources, ", ")), mdCell(r.segmentLabel(e.To)))
			if e.ToSensitivity != "" {
				fmt.Fprintf(&b, " (%s)", e.ToSensitivity)
			}
			if e.Protocol != "" {
				fmt.Fprintf(&b, " %s %s", e.Protocol, portsString(e.Ports))
			}
			fmt.Fprintf(&b, " in `%s`: covers %s", mdCode(e.Address), mdCell(e.Coverage))
			if e.Acknowledgement != "" {
				fmt.Fprintf(&b, "; acknowledged: _%s_", mdCell(e.Acknowledgement))
			}
			b.WriteString("\n")
		}
	}
	if len(r.Acknowledgements) > 0 {
		b.WriteString("\n### Acknowledgements\n\n")
		for _, a := range r.Acknowledgements {
			fmt.Fprintf(&b, "- `%s` %s: _%s_", mdCode(a.Address), mdCell(a.Subject), mdCell(a.Reason))
			if a.Previous != "" {
				fmt.Fprintf(&b, " (was _%s_)", mdCell(a.Previous))
			}
			b.WriteString("\n")
		}
	}
	if len(r.Privilege) > 0 {
		b.WriteString("\n### Privileged access\n\n")
		for _, p := range r.Privilege {
			fmt.Fprintf(&b, "- `%s` **%s**: %s\n", mdCode(p.Address), mdCell(p.Name), mdCell(strings.Join(p.Kinds, ", ")))
			for _, d := range p.Details {
				fmt.Fprintf(&b, "  - %s\n", mdCell(r.nameGroups(d)))
			}
		}
	}
	if len(r.Membership) > 0 {
		b.WriteString("\n### Access group members\n\n")
		for _, m := range r.Membership {
			fmt.Fprintf(&b, "- `%s` **%s**%s", mdCode(m.Address), mdCell(m.Group), mdCell(admitsText(m)))
			var parts []string
			for _, u := range m.Added {
				parts = append(parts, "added "+u)
			}
			for _, u := range m.Removed {
				parts = append(parts, "removed "+u)
			}
			if m.Unknown {
				parts = append(parts, "members known after apply")
			}
			fmt.Fprintf(&b, ": %s\n", mdCell(strings.Join(parts, ", ")))
		}
	}
	if len(r.Undecided) > 0 {
		b.WriteString("\n### Unknown until apply\n\n")
		for _, u := range r.Undecided {
			fmt.Fprintf(&b, "- `%s`: %s\n", mdCode(u.Address), mdCell(u.Reason))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeMermaid draws the reachability change: gained edges thick and
// green, lost edges dotted and red.
func (r *Report) writeMermaid(b *strings.Builder) {
	b.WriteString("```mermaid\nflowchart LR\n")
	ids := map[string]string{}
	node := func(s reach.Side, sensitivity string) string {
		key := s.String()
		if id, ok := ids[key]; ok {
			return id
		}
		id := fmt.Sprintf("n%d", len(ids))
		ids[key] = id
		label := r.sideLabel(s)
		if s.Segment != "" {
			if n := r.SegmentNames[s.Segment]; n != "" {
				label = n
			}
		}
		if sensitivity != "" {
			label += " (" + sensitivity + ")"
		}
		fmt.Fprintf(b, "  %s[\"%s\"]\n", id, mermaidLabel(label))
		return id
	}
	var gained, lost []int
	for i, c := range r.Reach {
		from, to := node(c.From, ""), node(c.To, c.ToSensitivity)
		label := mermaidLabel(strings.TrimSpace(c.Protocol + " " + portsString(c.Ports)))
		if c.Gained {
			fmt.Fprintf(b, "  %s ==>|\"+ %s\"| %s\n", from, label, to)
			gained = append(gained, i)
		} else {
			fmt.Fprintf(b, "  %s -.->|\"- %s\"| %s\n", from, label, to)
			lost = append(lost, i)
		}
	}
	for _, set := range []struct {
		links []int
		style string
	}{{gained, "stroke:#2da44e,stroke-width:3px"}, {lost, "stroke:#cf222e,stroke-dasharray:4"}} {
		if len(set.links) == 0 {
			continue
		}
		idx := make([]string, len(set.links))
		for i, l := range set.links {
			idx[i] = fmt.Sprint(l)
		}
		fmt.Fprintf(b, "  linkStyle %s %s\n", strings.Join(idx, ","), set.style)
	}
	b.WriteString("```\n")
}

// admitsText says which surfaces a group's members reach.
func admitsText(m MembershipChange) string {
	if m.NewID {
		return " (created in this apply: the surfaces naming it are known after apply)"
	}
	if len(m.Surfaces) == 0 {
		return " (no protect surface's permit rule names the group)"
	}
	refs := make([]string, len(m.Surfaces))
	for i, s := range m.Surfaces {
		refs[i] = s.Name + " [" + s.Sensitivity + "]"
	}
	return " (admitted by permit rules of " + strings.Join(refs, ", ") + ")"
}
