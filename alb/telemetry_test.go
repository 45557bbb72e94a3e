package alb_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/cognitoauth/cognitoauth/alb"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/internal/oteltest"
)

func albKey(kvs ...attribute.KeyValue) string {
	return oteltest.Key(attribute.NewSet(append(kvs, attribute.String("cognitoauth.source", "alb"))...))
}

func verificationKey(outcome string) string {
	return albKey(attribute.String("cognitoauth.outcome", outcome), attribute.Bool("cognitoauth.cached", false))
}

// TestMetrics: the ALB verifier counts and times each Verify under the
// verifier's names with cognitoauth.source "alb", counts its key fetches,
// and makes one span per fetch whose attributes hold the key URL's
// template, never the token's kid or user.
func TestMetrics(t *testing.T) {
	t.Parallel()
	rec := oteltest.New(t)
	clk := newClock()
	fake, v := newALB(t, clk, func(c *alb.Config) {
		c.MeterProvider, c.TracerProvider = rec.MeterProvider, rec.TracerProvider
	})
	u := cognitotest.User{Username: "alice"}
	good := fake.Token(u)
	ctx := context.Background()
	if _, err := v.Verify(ctx, good); err != nil {
		t.Fatal(err)
	}
	v.Verify(ctx, good)
	v.Verify(ctx, fake.Token(u, cognitotest.WithLifetime(-time.Minute)))
	kid, _ := fake.SigningKey()
	fake.SetKeyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	const otherKid = "0b8e2c1a-4c55-4f0e-9d0e-3f1f0a2b3c4d"
	v.Verify(ctx, fake.Token(u, cognitotest.WithKID(otherKid)))

	want := map[string]int64{verificationKey("ok"): 2, verificationKey("expired"): 1, verificationKey("jwks_unavailable"): 1}
	if got := rec.Ints(t, "cognitoauth.verifications"); !equal(got, want) {
		t.Errorf("cognitoauth.verifications = %v, want %v", got, want)
	}
	hist := rec.Histogram(t, "cognitoauth.verification.duration")
	if n := hist[verificationKey("ok")].Count; n != 2 {
		t.Errorf("ok durations = %d, want 2 (every ALB verification is timed)", n)
	}
	okFetch, failed := albKey(attribute.String("cognitoauth.outcome", "ok")), albKey(attribute.String("cognitoauth.outcome", "error"))
	if got, want := rec.Ints(t, "cognitoauth.jwks.fetches"), map[string]int64{okFetch: 1, failed: 1}; !equal(got, want) {
		t.Errorf("cognitoauth.jwks.fetches = %v, want %v", got, want)
	}
	spans := rec.Spans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2 (one per fetch)", len(spans))
	}
	for i, status := range []int64{200, 502} {
		s := spans[i]
		attrs := attribute.NewSet(s.Attributes()...)
		tmpl, _ := attrs.Value("url.template")
		code, _ := attrs.Value("http.response.status_code")
		if s.Name() != "cognitoauth.jwks.fetch" || tmpl.AsString() != fake.KeyURL()+"/{kid}" || code.AsInt64() != status {
			t.Errorf("span %d: %s %s, want cognitoauth.jwks.fetch, url.template %s/{kid}, status %d", i, s.Name(), attrs.Encoded(attribute.DefaultEncoder()), fake.KeyURL(), status)
		}
		if (status != 200) != (s.Status().Code == codes.Error) {
			t.Errorf("span %d: status %v", i, s.Status())
		}
	}
	for _, val := range rec.AttributeValues(t) {
		for _, secret := range []string{kid, otherKid, "alice", good} {
			if strings.Contains(val, secret) {
				t.Errorf("attribute value %q holds client-chosen %q", val, secret)
			}
		}
	}
	v.Close()
	if got := rec.Ints(t, "cognitoauth.verifications"); len(got) != 0 {
		t.Errorf("after Close, cognitoauth.verifications = %v, want nothing", got)
	}
}

// TestSignerMismatchOutcome: a token of another load balancer counts as an
// issuer refusal.
func TestSignerMismatchOutcome(t *testing.T) {
	t.Parallel()
	rec := oteltest.New(t)
	fake, v := newALB(t, nil, func(c *alb.Config) {
		c.MeterProvider = rec.MeterProvider
		c.ALBARNs = []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/50dc6c495c0c9188"}
	})
	_, err := v.Verify(context.Background(), fake.Token(cognitotest.User{}))
	wantRefusal(t, err, alb.ErrSignerMismatch)
	if got, want := rec.Ints(t, "cognitoauth.verifications"), map[string]int64{verificationKey("issuer"): 1}; !equal(got, want) {
		t.Errorf("cognitoauth.verifications = %v, want %v", got, want)
	}
}

func equal(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
