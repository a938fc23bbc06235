package whatif

import "testing"

func TestNormalize_compiledIsFixedPoint(t *testing.T) {
	res := compile(t, restrictedSurface())
	docs := []string{res.GroupPolicy}
	for _, e := range res.Endpoints {
		if e.Policy != "" {
			docs = append(docs, e.Policy)
		}
	}
	if len(docs) < 2 {
		t.Fatal("expected endpoint policies in the fixture")
	}
	for _, d := range docs {
		got, err := Normalize(d)
		if err != nil {
			t.Fatal(err)
		}
		if got != d {
			t.Errorf("compiled document changed by normalization:\n%s\n---\n%s", d, got)
		}
	}
}

func TestNormalize_layoutOrderAndComments(t *testing.T) {
	messy := `// who may reach payments
permit(principal,action,resource) when {context.okta has groups && context.okta.groups.contains("b")};
@id("z-permit")   permit (principal, action, resource)
  when { true };
@id("a-forbid") forbid (principal, action, resource) when { context.http_request.http_method == "DELETE" };
permit(principal,action,resource) when {context.okta has groups && context.okta.groups.contains("a")};
`
	want := `@id("a-forbid")
forbid ( principal, action, resource )
when { context.http_request.http_method == "DELETE" };

@id("z-permit")
permit ( principal, action, resource )
when { true };

permit ( principal, action, resource )
when { context.okta has groups && context.okta.groups.contains("a") };

permit ( principal, action, resource )
when { context.okta has groups && context.okta.groups.contains("b") };
`
	got, err := Normalize(messy)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	again, _ := Normalize(got)
	if again != got {
		t.Errorf("not idempotent:\n%s", again)
	}
}

func TestNormalize_invalid(t *testing.T) {
	for _, bad := range []string{"permit (", `permit (principal, action, resource) when { context.a in };`, "allow all;"} {
		if _, err := Normalize(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if got, err := Normalize("  // nothing\n"); err != nil || got != "" {
		t.Errorf("empty document: %q, %v", got, err)
	}
}
