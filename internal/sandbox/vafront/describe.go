package vafront

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
)

// filterValuer answers the values an object has for a Describe filter name;
// ok=false means the filter name is not supported for this type.
type filterValuer interface {
	hasBase
	filterValues(name string) (values []string, ok bool)
}

// tagFilterValues handles the tag filters common to every taggable type.
func tagFilterValues(c *common, name string) ([]string, bool) {
	switch {
	case strings.HasPrefix(name, "tag:"):
		if v, ok := c.Tags[name[len("tag:"):]]; ok {
			return []string{v}, true
		}
		return nil, true
	case name == "tag-key":
		var keys []string
		for k := range c.Tags {
			keys = append(keys, k)
		}
		return keys, true
	}
	return nil, false
}

// globMatch implements EC2 filter wildcards: * (any run) and ? (one char).
func globMatch(pattern, s string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == s
	}
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(s)
}

func matchesFilters(o filterValuer, filters []filter) (bool, *apiError) {
	for _, f := range filters {
		have, ok := o.filterValues(f.Name)
		if !ok {
			have, ok = tagFilterValues(o.base(), f.Name)
		}
		if !ok {
			return false, errInvalid("The filter '%s' is invalid", f.Name)
		}
		hit := false
		for _, want := range f.Values {
			for _, h := range have {
				if globMatch(want, h) {
					hit = true
				}
			}
		}
		if !hit {
			return false, nil
		}
	}
	return true, nil
}

// page is one describe answer: items in creation order plus the next token.
type describeQuery struct {
	ids     []string
	filters []filter
	max     int // 0 = no limit
	start   int64
}

// readDescribe parses the Filter, MaxResults and NextToken parameters shared
// by every Verified Access Describe action, and the ID list under idParam.
func readDescribe(p params, idParam string) (describeQuery, *apiError) {
	var q describeQuery
	q.ids = p.list(idParam)
	fs, err := p.filters()
	if err != nil {
		return q, err
	}
	q.filters = fs
	if m, err := p.optInt("MaxResults"); err != nil {
		return q, err
	} else if m != nil {
		if *m < 5 || *m > 1000 {
			return q, errInvalid("Value ( %d ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", *m)
		}
		q.max = *m
	}
	if tok := p.get("NextToken"); tok != "" {
		seq, ok := decodeToken(tok)
		if !ok {
			return q, errInvalid("The token '%s' is invalid.", tok)
		}
		q.start = seq
	}
	return q, nil
}

func encodeToken(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("seq:" + strconv.FormatInt(seq, 10)))
}

func decodeToken(tok string) (int64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(raw), "seq:") {
		return 0, false
	}
	n, err := strconv.ParseInt(string(raw[4:]), 10, 64)
	return n, err == nil
}

// describe selects, filters and pages objects of one kind. all is every
// object in creation order; visible hides objects still inside the
// injected not-found-after-create window.
func describe[T filterValuer](q describeQuery, k kind, all []T, byID map[string]T, visible func(*common) bool) ([]T, string, *apiError) {
	var selected []T
	if len(q.ids) > 0 {
		seen := map[string]bool{}
		for _, id := range q.ids {
			o, ok := byID[id]
			if !ok || !visible(o.base()) {
				return nil, "", k.notFound(id)
			}
			if !seen[id] {
				seen[id] = true
				selected = append(selected, o)
			}
		}
		selected = ordered(toMap(selected))
	} else {
		for _, o := range all {
			if visible(o.base()) {
				selected = append(selected, o)
			}
		}
	}
	var out []T
	next := ""
	for _, o := range selected {
		if o.base().Seq < q.start {
			continue
		}
		ok, err := matchesFilters(o, q.filters)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			continue
		}
		if q.max > 0 && len(out) == q.max {
			next = encodeToken(o.base().Seq)
			break
		}
		out = append(out, o)
	}
	return out, next, nil
}

func toMap[T hasBase](items []T) map[string]T {
	m := make(map[string]T, len(items))
	for _, o := range items {
		m[o.base().ID] = o
	}
	return m
}
