// Package rolepolicy reads the least-privilege policy of the role real-account
// CI runs assume (examples/ci/real-account/role-policy.json, shown in the
// real-account guide) and answers which API actions it allows, so the
// acceptance run can check that every operation the provider called is in it.
package rolepolicy

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
)

// Path is the policy's place in the repository.
const Path = "examples/ci/real-account/role-policy.json"

// Document is an IAM policy document, as much of it as this package reads.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement; Action and Resource may be a string or a list.
type Statement struct {
	Sid       string          `json:"Sid"`
	Effect    string          `json:"Effect"`
	Action    strings1        `json:"Action"`
	Resource  strings1        `json:"Resource"`
	Condition json.RawMessage `json:"Condition,omitempty"`
}

type strings1 []string

func (s *strings1) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*s = many
	return nil
}

// Load reads and checks a policy: version 2012-10-17, Allow statements only
// (a deny here would hide a missing allow from Allows), every action
// service:Name.
func Load(file string) (Document, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return Document{}, err
	}
	var d Document
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return Document{}, fmt.Errorf("%s: %w", file, err)
	}
	if d.Version != "2012-10-17" {
		return Document{}, fmt.Errorf("%s: Version %q, want 2012-10-17", file, d.Version)
	}
	for _, s := range d.Statement {
		if s.Effect != "Allow" {
			return Document{}, fmt.Errorf("%s: statement %q has Effect %q: the role's policy only allows", file, s.Sid, s.Effect)
		}
		for _, a := range s.Action {
			if svc, name, ok := strings.Cut(a, ":"); !ok || svc == "" || name == "" {
				return Document{}, fmt.Errorf("%s: statement %q: action %q is not service:Action", file, s.Sid, a)
			}
		}
	}
	return d, nil
}

// Allows reports whether some statement allows the action (matched case
// insensitively, with IAM's * and ? wildcards), on some resource.
func (d Document) Allows(action string) bool {
	for _, s := range d.Statement {
		for _, a := range s.Action {
			if ok, _ := path.Match(strings.ToLower(a), strings.ToLower(action)); ok {
				return true
			}
		}
	}
	return false
}

// Actions lists every action the document names, sorted.
func (d Document) Actions() []string {
	seen := map[string]bool{}
	for _, s := range d.Statement {
		for _, a := range s.Action {
			seen[a] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Action is the IAM action of an API operation, from the service name of the
// request's SigV4 credential scope. For every service the provider calls,
// the signing name is the IAM prefix (sso-admin signs as "sso").
func Action(signingName, operation string) string {
	return signingName + ":" + operation
}
