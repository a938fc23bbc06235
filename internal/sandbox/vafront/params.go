package vafront

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// params reads EC2 query-protocol parameters. Lists are flattened as
// Name.1, Name.2 …; structures as Name.Member; lists of structures as
// Name.1.Member.
type params url.Values

func (p params) get(key string) string { return url.Values(p).Get(key) }

func (p params) has(key string) bool {
	_, ok := p[key]
	return ok
}

// hasPrefix reports whether any parameter sits under the structure prefix.
func (p params) hasPrefix(prefix string) bool {
	for k := range p {
		if strings.HasPrefix(k, prefix+".") {
			return true
		}
	}
	return false
}

func (p params) required(key string) (string, *apiError) {
	v := p.get(key)
	if v == "" {
		return "", errMissing(key)
	}
	return v, nil
}

func (p params) optString(key string) *string {
	if !p.has(key) {
		return nil
	}
	v := p.get(key)
	return &v
}

func (p params) optBool(key string) (*bool, *apiError) {
	if !p.has(key) {
		return nil, nil
	}
	b, err := strconv.ParseBool(p.get(key))
	if err != nil {
		return nil, errInvalid("Invalid value '%s' for %s. Expected a boolean.", p.get(key), key)
	}
	return &b, nil
}

func (p params) optInt(key string) (*int, *apiError) {
	if !p.has(key) {
		return nil, nil
	}
	n, err := strconv.Atoi(p.get(key))
	if err != nil {
		return nil, errInvalid("Invalid value '%s' for %s. Expected an integer.", p.get(key), key)
	}
	return &n, nil
}

// indexes returns the sorted distinct N of every key prefix.N or prefix.N.*.
func (p params) indexes(prefix string) []int {
	seen := map[int]bool{}
	for k := range p {
		if !strings.HasPrefix(k, prefix+".") {
			continue
		}
		rest := k[len(prefix)+1:]
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			rest = rest[:i]
		}
		if n, err := strconv.Atoi(rest); err == nil {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// list returns the values of prefix.1, prefix.2 … in index order.
func (p params) list(prefix string) []string {
	var out []string
	for _, n := range p.indexes(prefix) {
		key := prefix + "." + strconv.Itoa(n)
		if p.has(key) {
			out = append(out, p.get(key))
		}
	}
	return out
}

// members returns the prefixes prefix.N of a list of structures, in order.
func (p params) members(prefix string) []string {
	var out []string
	for _, n := range p.indexes(prefix) {
		out = append(out, prefix+"."+strconv.Itoa(n))
	}
	return out
}

// fingerprint is a canonical rendering of the request without the client
// token, used to detect a token reused with different parameters.
func (p params) fingerprint() string {
	v := url.Values{}
	for k, vals := range p {
		if k == "ClientToken" || k == "DryRun" {
			continue
		}
		v[k] = vals
	}
	return v.Encode()
}

type tagKV struct {
	Key   string
	Value string
}

// tags reads prefix.N.Key / prefix.N.Value pairs.
func (p params) tags(prefix string) []tagKV {
	var out []tagKV
	for _, m := range p.members(prefix) {
		out = append(out, tagKV{Key: p.get(m + ".Key"), Value: p.get(m + ".Value")})
	}
	return out
}

type filter struct {
	Name   string
	Values []string
}

func (p params) filters() ([]filter, *apiError) {
	var out []filter
	for _, m := range p.members("Filter") {
		name := p.get(m + ".Name")
		if name == "" {
			return nil, errMissing(m + ".Name")
		}
		out = append(out, filter{Name: name, Values: p.list(m + ".Value")})
	}
	return out, nil
}
