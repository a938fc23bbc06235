package main

import "testing"

func TestQuietFrameworkTrace(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"no log shown":              {env: map[string]string{}, want: "off"},
		"TF_LOG set":                {env: map[string]string{"TF_LOG": "TRACE"}, want: ""},
		"provider logs asked for":   {env: map[string]string{"TF_LOG_PROVIDER": "DEBUG"}, want: ""},
		"framework level kept":      {env: map[string]string{"TF_LOG_SDK_FRAMEWORK": "TRACE"}, want: "TRACE"},
		"other variables unrelated": {env: map[string]string{"TF_LOG_CORE": "TRACE"}, want: "off"},
	} {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			quietFrameworkTrace(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			if got := env["TF_LOG_SDK_FRAMEWORK"]; got != tc.want {
				t.Errorf("TF_LOG_SDK_FRAMEWORK = %q, want %q", got, tc.want)
			}
		})
	}
}
