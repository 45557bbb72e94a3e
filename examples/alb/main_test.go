package main

import (
	"strings"
	"testing"

	"github.com/cognitoauth/cognitoauth/examples/internal/smoketest"
)

// TestSmoke runs the example's -smoke mode on the fake ALB: it fails unless
// every request gets its expected status.
func TestSmoke(t *testing.T) {
	t.Parallel()
	smoketest.Embedded(t, run, 7, "export ALB_TOKEN='ey", "-H \"X-Amzn-Oidc-Data: $ALB_TOKEN\"")
}

// TestSmokeRealALB runs -smoke configured for a real ALB, without AWS: only
// the requests that need no token are sent.
func TestSmokeRealALB(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		envARN:      "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
		envClientID: "4tg7fhidb5adr5jc1bna4me2i6",
		envIssuer:   "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
	}
	var out, stderr strings.Builder
	if err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-smoke"}, &out, &stderr, func(k string) string { return env[k] }); err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), stderr.String())
	}
	for _, w := range []string{"(real;", "all 2 outcomes as expected"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
}
