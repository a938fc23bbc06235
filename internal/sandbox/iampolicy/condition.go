package iampolicy

import (
	"strings"
)

// operator is a parsed condition operator.
type operator struct {
	set      string // "", "ForAnyValue", "ForAllValues"
	base     string // StringEquals, ArnLike, Bool, Null …
	ifExists bool
}

// negated operators hold when the value matches none of the policy's values.
var operators = map[string]struct {
	negated bool
	match   func(policyValue, value string) bool
}{
	"StringEquals":              {false, func(p, v string) bool { return p == v }},
	"StringNotEquals":           {true, func(p, v string) bool { return p == v }},
	"StringEqualsIgnoreCase":    {false, strings.EqualFold},
	"StringNotEqualsIgnoreCase": {true, strings.EqualFold},
	"StringLike":                {false, Wildcard},
	"StringNotLike":             {true, Wildcard},
	"ArnEquals":                 {false, arnLike},
	"ArnLike":                   {false, arnLike},
	"ArnNotEquals":              {true, arnLike},
	"ArnNotLike":                {true, arnLike},
	"Bool":                      {false, func(p, v string) bool { return strings.EqualFold(p, v) }},
}

func parseOperator(op string) (operator, bool) {
	var o operator
	if set, rest, ok := strings.Cut(op, ":"); ok {
		if set != "ForAnyValue" && set != "ForAllValues" {
			return o, false
		}
		o.set, op = set, rest
	}
	if base, ok := strings.CutSuffix(op, "IfExists"); ok && base != "Null" {
		o.ifExists, op = true, base
	}
	o.base = op
	if _, known := operators[op]; !known && op != "Null" {
		return o, false
	}
	if op == "Null" && o.set != "" {
		return o, false
	}
	return o, true
}

// arnLike compares ARNs part by part, each with wildcards, as ArnEquals and
// ArnLike do (the two behave alike in AWS).
func arnLike(pattern, value string) bool {
	pp, vp := strings.SplitN(pattern, ":", 6), strings.SplitN(value, ":", 6)
	if len(pp) != 6 || len(vp) != 6 {
		return false
	}
	for i := range pp {
		if !Wildcard(pp[i], vp[i]) {
			return false
		}
	}
	return true
}

func lookup(ctx map[string][]string, key string) ([]string, bool) {
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// conditionsHold: every operator, and every key under it, must hold.
func conditionsHold(cond map[string]map[string][]string, ctx map[string][]string) bool {
	for rawOp, keys := range cond {
		op, ok := parseOperator(rawOp)
		if !ok {
			return false // an operator not understood never grants
		}
		for key, policyValues := range keys {
			if !op.holds(key, policyValues, ctx) {
				return false
			}
		}
	}
	return true
}

func (o operator) holds(key string, policyValues []string, ctx map[string][]string) bool {
	values, present := lookup(ctx, key)
	if o.base == "Null" {
		// "true": the key must be absent; "false": present.
		want := len(policyValues) > 0 && strings.EqualFold(policyValues[0], "true")
		return want == !present
	}
	def := operators[o.base]
	if !present || len(values) == 0 {
		switch {
		case o.ifExists:
			return true
		case o.set == "ForAllValues":
			return true // vacuously: every one of no values matches
		case o.set == "ForAnyValue":
			return false
		}
		return def.negated // a missing key matches no value: true only for negated operators
	}
	// one says whether a single request value satisfies the operator:
	// some policy value matches it, or for negated ones none does.
	one := func(v string) bool {
		for _, p := range policyValues {
			if def.match(p, v) {
				return !def.negated
			}
		}
		return def.negated
	}
	switch o.set {
	case "ForAllValues":
		for _, v := range values {
			if !one(v) {
				return false
			}
		}
		return true
	case "ForAnyValue":
		for _, v := range values {
			if one(v) {
				return true
			}
		}
		return false
	}
	// A single-valued key; given several, each must satisfy it.
	for _, v := range values {
		if !one(v) {
			return false
		}
	}
	return true
}
