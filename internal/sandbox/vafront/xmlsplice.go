package vafront

import (
	"bytes"
	"encoding/xml"
	"io"
	"sort"
	"strings"
)

// xnode is one element of an XML document read with its byte offsets, so
// the front can change a few elements of moto's answer and leave every
// other byte as moto wrote it.
type xnode struct {
	Name     string
	Start    int // offset of '<' of the start tag
	Inner    int // offset just after the start tag
	End      int // offset just after the end tag
	CloseAt  int // offset of '<' of the end tag (== Inner for <x/>)
	Text     string
	Children []*xnode
}

func parseXNodes(doc []byte) (*xnode, error) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	root := &xnode{Name: "#document"}
	stack := []*xnode{root}
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{Name: t.Name.Local, Start: before, Inner: int(dec.InputOffset())}
			top.Children = append(top.Children, n)
			stack = append(stack, n)
		case xml.EndElement:
			top.CloseAt = before
			top.End = int(dec.InputOffset())
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.Text += string(t)
		}
	}
	return root, nil
}

// child returns the first child element named name, or nil.
func (n *xnode) child(name string) *xnode {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// path follows child names.
func (n *xnode) path(names ...string) *xnode {
	for _, name := range names {
		n = n.child(name)
	}
	return n
}

// text of the named child ("" when absent).
func (n *xnode) text(name string) string {
	if c := n.child(name); c != nil {
		return strings.TrimSpace(c.Text)
	}
	return ""
}

// items returns the <item> children.
func (n *xnode) items() []*xnode {
	if n == nil {
		return nil
	}
	var out []*xnode
	for _, c := range n.Children {
		if c.Name == "item" {
			out = append(out, c)
		}
	}
	return out
}

type xedit struct {
	from, to int
	with     string
}

func applyEdits(doc []byte, edits []xedit) []byte {
	sort.Slice(edits, func(i, j int) bool { return edits[i].from < edits[j].from })
	var out bytes.Buffer
	pos := 0
	for _, e := range edits {
		out.Write(doc[pos:e.from])
		out.WriteString(e.with)
		pos = e.to
	}
	out.Write(doc[pos:])
	return out.Bytes()
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// setChildText is the edit that makes element n have a child <name>value</name>:
// it replaces an existing one, or inserts one before the child named
// before (when present) or at the end of n.
func setChildText(n *xnode, name, value, before string) xedit {
	elem := "<" + name + ">" + xmlEscape(value) + "</" + name + ">"
	if c := n.child(name); c != nil {
		return xedit{c.Start, c.End, elem}
	}
	if b := n.child(before); b != nil {
		return xedit{b.Start, b.Start, elem}
	}
	if n.End == n.Inner {
		// Self-closing <x/>: there is no end tag to insert before.
		return xedit{n.Start, n.End, "<" + n.Name + ">" + elem + "</" + n.Name + ">"}
	}
	return xedit{n.CloseAt, n.CloseAt, elem}
}

// removeChild is the edit that deletes the named child (ok false when absent).
func removeChild(n *xnode, name string) (xedit, bool) {
	if c := n.child(name); c != nil {
		return xedit{c.Start, c.End, ""}, true
	}
	return xedit{}, false
}
