package model

import (
	"strings"
	"testing"
	"time"
)

const privilegedGroup = "9067b2a3-1234-4c5d-8e9f-0123456789ab"

func validPrivilegedAccess() PrivilegedAccess {
	return PrivilegedAccess{
		Name:            "payments-oncall",
		Group:           privilegedGroup,
		Accounts:        []string{"123456789012"},
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
		InlinePolicy:    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::payments/*"}]}`,
		SessionDuration: "PT1H",
		ExpiresAt:       time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
	}
}

// problemsAt indexes problems by path string.
func problemsAt(ps Problems) map[string][]Problem {
	m := map[string][]Problem{}
	for _, p := range ps {
		m[p.Path.String()] = append(m[p.Path.String()], p)
	}
	return m
}

func TestPrivilegedValidateValid(t *testing.T) {
	if ps := validPrivilegedAccess().Validate(); len(ps) != 0 {
		t.Fatalf("valid access has problems: %v", ps)
	}
}

func TestPrivilegedValidateTable(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(*PrivilegedAccess)
		path     string
		severity Severity
		contains string
	}{
		{"empty name", func(a *PrivilegedAccess) { a.Name = "" }, "name", Error, "needs a name"},
		{"blank name", func(a *PrivilegedAccess) { a.Name = "   " }, "name", Error, "needs a name"},
		{"long name", func(a *PrivilegedAccess) { a.Name = strings.Repeat("n", 129) }, "name", Error, "129 characters"},
		{"padded name", func(a *PrivilegedAccess) { a.Name = " x" }, "name", Error, "white space"},
		{"control char in name", func(a *PrivilegedAccess) { a.Name = "a\x01b" }, "name", Error, "control character (U+0001)"},
		{"NUL in name", func(a *PrivilegedAccess) { a.Name = "a\x00b" }, "name", Error, "NUL"},
		{"bidi override in name", func(a *PrivilegedAccess) { a.Name = "admin\u202egnp.exe" }, "name", Error, "bidirectional"},
		{"NUL in acknowledgement", func(a *PrivilegedAccess) { a.Acknowledgement = "ok\x00" }, "acknowledgement", Error, "NUL"},
		{"invalid utf8 name", func(a *PrivilegedAccess) { a.Name = "a\xffb" }, "name", Error, "UTF-8"},
		{"no group", func(a *PrivilegedAccess) { a.Group = "" }, "group", Error, "group id"},
		{"bad group", func(a *PrivilegedAccess) { a.Group = "payments-eng" }, "group", Error, "not an Identity Center group id"},
		{"no accounts", func(a *PrivilegedAccess) { a.Accounts = nil }, "accounts", Warning, "grants nothing"},
		{"short account", func(a *PrivilegedAccess) { a.Accounts = []string{"12345"} }, "accounts[0]", Error, "12 digits"},
		{"account with letters", func(a *PrivilegedAccess) { a.Accounts = []string{"123456789012", "12345678901a"} }, "accounts[1]", Error, "12 digits"},
		{"duplicate account", func(a *PrivilegedAccess) { a.Accounts = []string{"123456789012", "123456789012"} }, "accounts[1]", Warning, "accounts[0]"},
		{"customer ARN as managed", func(a *PrivilegedAccess) {
			a.ManagedPolicies = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/Mine"}
		}, "managed_policies[1]", Error, "customer_managed_policies"},
		{"garbage managed", func(a *PrivilegedAccess) { a.ManagedPolicies = []string{"ReadOnlyAccess"} }, "managed_policies[0]", Error, "not an AWS-managed policy ARN"},
		{"job-function managed ok, duplicate warns", func(a *PrivilegedAccess) {
			a.ManagedPolicies = []string{"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}
		}, "managed_policies[1]", Warning, "attached once"},
		{"too many managed", func(a *PrivilegedAccess) {
			a.ManagedPolicies = nil
			for i := 0; i < 21; i++ {
				a.ManagedPolicies = append(a.ManagedPolicies, "arn:aws:iam::aws:policy/P"+strings.Repeat("x", i))
			}
		}, "managed_policies", Error, "at most 20"},
		{"above role quota", func(a *PrivilegedAccess) {
			for i := 0; i < 10; i++ {
				a.CustomerManagedPolicies = append(a.CustomerManagedPolicies, PolicyReference{Name: "P" + strings.Repeat("x", i)})
			}
		}, "managed_policies", Warning, "quota"},
		{"bad customer name", func(a *PrivilegedAccess) { a.CustomerManagedPolicies = []PolicyReference{{Name: "bad name"}} }, "customer_managed_policies[0].name", Error, "IAM policy name"},
		{"bad customer path", func(a *PrivilegedAccess) { a.CustomerManagedPolicies = []PolicyReference{{Name: "ok", Path: "team"}} }, "customer_managed_policies[0].path", Error, "start and end with /"},
		{"duplicate customer with default path", func(a *PrivilegedAccess) {
			a.CustomerManagedPolicies = []PolicyReference{{Name: "ok"}, {Name: "ok", Path: "/"}}
		}, "customer_managed_policies[1]", Warning, "attached once"},
		{"both boundaries", func(a *PrivilegedAccess) {
			a.PermissionsBoundary = &PermissionsBoundary{ManagedPolicyARN: "arn:aws:iam::aws:policy/PowerUserAccess", CustomerManagedPolicy: &PolicyReference{Name: "b"}}
		}, "permissions_boundary", Error, "not both"},
		{"empty boundary", func(a *PrivilegedAccess) { a.PermissionsBoundary = &PermissionsBoundary{} }, "permissions_boundary", Error, "remove permissions_boundary"},
		{"bad boundary arn", func(a *PrivilegedAccess) {
			a.PermissionsBoundary = &PermissionsBoundary{ManagedPolicyARN: "arn:aws:iam::123456789012:policy/b"}
		}, "permissions_boundary.managed_policy_arn", Error, "customer_managed_policy_reference"},
		{"bad boundary ref", func(a *PrivilegedAccess) {
			a.PermissionsBoundary = &PermissionsBoundary{CustomerManagedPolicy: &PolicyReference{Name: "b", Path: "/x"}}
		}, "permissions_boundary.customer_managed_policy_reference.path", Error, "IAM path"},
		{"session too short", func(a *PrivilegedAccess) { a.SessionDuration = "PT30M" }, "session_duration", Error, "from 1 hour"},
		{"session too long", func(a *PrivilegedAccess) { a.SessionDuration = "PT13H" }, "session_duration", Error, "12 hours"},
		{"session in days", func(a *PrivilegedAccess) { a.SessionDuration = "P1D" }, "session_duration", Error, "ISO-8601"},
		{"session in go syntax", func(a *PrivilegedAccess) { a.SessionDuration = "1h" }, "session_duration", Error, "ISO-8601"},
		{"session fraction", func(a *PrivilegedAccess) { a.SessionDuration = "PT1.5H" }, "session_duration", Error, "ISO-8601"},
		{"session lower case", func(a *PrivilegedAccess) { a.SessionDuration = "pt1h" }, "session_duration", Error, "ISO-8601"},
		{"implausible expiry", func(a *PrivilegedAccess) { a.ExpiresAt = time.Unix(0, 0) }, "expires_at", Error, "before the year 2000"},
		{"blank acknowledgement", func(a *PrivilegedAccess) { a.Acknowledgement = "  " }, "acknowledgement", Error, "reason"},
		{"long description", func(a *PrivilegedAccess) { a.Description = strings.Repeat("d", 701) }, "description", Error, "at most 700"},
		{"emoji description", func(a *PrivilegedAccess) { a.Description = "on call 🔥" }, "description", Error, "U+1F525"},
		{"NUL in description", func(a *PrivilegedAccess) { a.Description = "on call\x00" }, "description", Error, "U+0000"},
		{"bidi override in description", func(a *PrivilegedAccess) { a.Description = "on call\u202e" }, "description", Error, "U+202E"},
		{"no policies", func(a *PrivilegedAccess) { a.ManagedPolicies, a.InlinePolicy = nil, "" }, "inline_policy", Warning, "allowed nothing"},
		{"blank inline", func(a *PrivilegedAccess) { a.InlinePolicy = " \n" }, "inline_policy", Error, "blank"},
		{"inline not json", func(a *PrivilegedAccess) { a.InlinePolicy = "{\n  \"Version\": 2012-10-17}" }, "inline_policy", Error, "line 2"},
		{"inline array", func(a *PrivilegedAccess) { a.InlinePolicy = `[]` }, "inline_policy", Error, "got an array"},
		{"inline duplicate key", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}}`
		}, "inline_policy", Error, "duplicate key \"Effect\""},
		{"inline trailing data", func(a *PrivilegedAccess) { a.InlinePolicy = `{"Statement":[]} {}` }, "inline_policy", Error, "after the JSON document"},
		{"inline no statement", func(a *PrivilegedAccess) { a.InlinePolicy = `{"Version":"2012-10-17"}` }, "inline_policy", Error, "needs a Statement"},
		{"inline bad effect", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2012-10-17","Statement":{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}}`
		}, "inline_policy", Error, "case-sensitive"},
		{"inline principal", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`
		}, "inline_policy", Error, "cannot name principals"},
		{"inline action and notaction", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","NotAction":"s3:PutObject","Resource":"*"}}`
		}, "inline_policy", Error, "both Action and NotAction"},
		{"inline no resource", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`
		}, "inline_policy", Error, "Statement[0] has neither Resource nor NotResource"},
		{"inline bad action", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","GetObject"],"Resource":"*"}]}`
		}, "inline_policy", Error, "\"GetObject\" is not an action"},
		{"inline numeric action", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}`
		}, "inline_policy", Error, "string or an array of strings"},
		{"inline empty action", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`
		}, "inline_policy", Error, "empty array"},
		{"inline bad resource", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"my-bucket"}]}`
		}, "inline_policy", Error, "not an ARN"},
		{"inline duplicate sid", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
		}, "inline_policy", Error, "Sids must be unique"},
		{"inline bad condition", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":true}}]}`
		}, "inline_policy", Error, "Condition operator \"Bool\""},
		{"inline unknown element", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2012-10-17","statement":[]}`
		}, "inline_policy", Error, "\"statement\" is not part"},
		{"inline missing version", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
		}, "inline_policy", Warning, "2012-10-17"},
		{"inline wrong version", func(a *PrivilegedAccess) {
			a.InlinePolicy = `{"Version":"2020-01-01","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
		}, "inline_policy", Error, "Version \"2020-01-01\""},
		{"inline invalid utf8", func(a *PrivilegedAccess) {
			a.InlinePolicy = "{\"Version\":\"2012-10-17\",\n\"Id\":\"\xff\"}"
		}, "inline_policy", Error, "invalid UTF-8 at line 2, column 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validPrivilegedAccess()
			tt.mutate(&a)
			ps := a.Validate()
			found := false
			for _, p := range problemsAt(ps)[tt.path] {
				if p.Severity == tt.severity && strings.Contains(p.Detail, tt.contains) {
					found = true
				}
			}
			if !found {
				t.Fatalf("want a %v at %s containing %q, got:\n%s", tt.severity, tt.path, tt.contains, dumpProblems(ps))
			}
		})
	}
}

func dumpProblems(ps Problems) string {
	var b strings.Builder
	for _, p := range ps {
		sev := "error"
		if p.Severity == Warning {
			sev = "warning"
		}
		b.WriteString("  " + sev + " " + p.String() + " — " + p.Detail + "\n")
	}
	return b.String()
}

// Validate must return every problem, not the first.
func TestPrivilegedValidateReportsEveryProblem(t *testing.T) {
	a := PrivilegedAccess{
		Group:           "nope",
		Accounts:        []string{"1", "123456789012", "x"},
		ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "bad"},
		InlinePolicy:    `{"Statement":[{"Effect":"Maybe","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow"}]}`,
		SessionDuration: "PT20H",
		Description:     strings.Repeat("é", 701),
	}
	at := problemsAt(a.Validate())
	for _, path := range []string{"name", "group", "accounts[0]", "accounts[2]", "managed_policies[1]", "inline_policy", "session_duration", "description"} {
		if len(at[path]) == 0 {
			t.Errorf("no problem at %s; got %v", path, at)
		}
	}
	if _, ok := at["accounts[1]"]; ok {
		t.Errorf("valid account flagged: %v", at["accounts[1]"])
	}
	// The two bad statements each report their own problems.
	if n := len(at["inline_policy"]); n < 4 {
		t.Errorf("want ≥4 inline_policy problems (version, effect, missing action, missing resource), got %d:\n%s", n, dumpProblems(at["inline_policy"]))
	}
}

func TestPrivilegedParseSessionDuration(t *testing.T) {
	good := map[string]time.Duration{
		"PT1H": time.Hour, "PT90M": 90 * time.Minute, "PT1H30M": 90 * time.Minute, "PT12H": 12 * time.Hour,
		"PT3600S": time.Hour, "PT1H0M1S": time.Hour + time.Second, "PT60M": time.Hour, "PT0H60M": time.Hour, "PT11H59M59S": 12*time.Hour - time.Second,
	}
	for s, want := range good {
		got, err := ParseSessionDuration(s)
		if err != nil || got != want {
			t.Errorf("ParseSessionDuration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "PT", "P", "PT59M", "PT12H1S", "PT0H", "P1D", "P1DT1H", "PT1.5H", "-PT1H", "PT1H ", " PT1H", "pt1h", "PT1h", "PT1M1H", "P0DT2H", "PT9999999H", "1h", "3600", "PT1HPT1H"} {
		if d, err := ParseSessionDuration(s); err == nil {
			t.Errorf("ParseSessionDuration(%q) = %v, want an error", s, d)
		}
	}
}

func TestPrivilegedExpired(t *testing.T) {
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	a := PrivilegedAccess{ExpiresAt: at}
	if a.Expired(at.Add(-time.Nanosecond)) {
		t.Error("expired before its time")
	}
	if !a.Expired(at) || !a.Expired(at.Add(time.Hour)) {
		t.Error("not expired at or after its time")
	}
	if (PrivilegedAccess{}).Expired(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("an access without expiry expired")
	}
	// Another zone, same instant.
	if !a.Expired(at.In(time.FixedZone("x", 3600))) {
		t.Error("zone changed the result")
	}
}

func TestPrivilegedDecodePolicyJSONHostile(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)
	deepArr := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	tests := map[string]struct{ doc, want string }{
		"deep objects":   {deep, "nests deeper than 32"},
		"deep arrays":    {deepArr, "nests deeper than 32"},
		"huge":           {`{"Id":"` + strings.Repeat("x", MaxPolicyInputBytes) + `"}`, "refusing to parse"},
		"empty":          {"", "empty or ends early"},
		"truncated":      {`{"Statement":[`, "empty or ends early"},
		"bad utf8":       {"{\"a\":\"\xc3\x28\"}", "invalid UTF-8 at line 1, column 7"},
		"duplicate key":  {`{"a":{"b":1,"b":2}}`, `duplicate key "b" in "a"`},
		"trailing comma": {`{"a":1,}`, "invalid JSON near line 1"},
		"two docs":       {`{} {}`, "after the JSON document"},
		"nul":            {"{\"a\":\"\x00\"}", "invalid JSON"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := DecodePolicyJSON(tt.doc)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			var ps Problems
			ValidatePolicyDocument(tt.doc, Root("inline_policy"), &ps)
			if !ps.HasErrors() {
				t.Fatal("ValidatePolicyDocument reported no error")
			}
		})
	}
	// Unicode is fine where JSON allows it.
	v, err := DecodePolicyJSON(`{"Sid":"支付","k":"\ud83d\ude00 é"}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.(map[string]any)["k"]; got != "😀 é" {
		t.Fatalf("got %q", got)
	}
}

func TestPrivilegedPolicyProblemsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i := 0; i < 1000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"Effect":"Perhaps"}`)
	}
	b.WriteString(`]}`)
	var ps Problems
	ValidatePolicyDocument(b.String(), Root("inline_policy"), &ps)
	if len(ps) != MaxPolicyProblems+1 || !strings.Contains(ps[len(ps)-1].Detail, "2950 more problems") {
		t.Fatalf("got %d problems, last %v", len(ps), ps[len(ps)-1])
	}
}
