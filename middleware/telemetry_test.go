package middleware_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/internal/oteltest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// tracedServer serves h on 127.0.0.1 inside a server span of rec's
// tracer, as HTTP instrumentation (otelhttp) would; ended receives a value
// once each request's span has ended.
func tracedServer(t *testing.T, rec *oteltest.Recorder, h http.Handler) (send func(token string) int, ended chan struct{}) {
	t.Helper()
	ended = make(chan struct{}, 1)
	tracer := rec.TracerProvider.Tracer("test/server")
	s := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tracer.Start(r.Context(), "GET /whoami")
		defer func() { span.End(); ended <- struct{}{} }()
		h.ServeHTTP(w, r.WithContext(ctx))
	}))
	send = func(token string) int {
		mod := func(*http.Request) {}
		if token != "" {
			mod = bearer(token)
		}
		return sendStatus(t, s.URL, s.Client(), mod)
	}
	return send, ended
}

func sendStatus(t *testing.T, url string, client *http.Client, mod func(*http.Request)) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/whoami", nil)
	if err != nil {
		t.Fatal(err)
	}
	mod(req)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestRefusedEvent: through a real net/http server whose requests carry a
// recording span, a refusal adds one cognitoauth.refused event with the
// reason from the fixed set, the same value the verifier's
// cognitoauth.verifications counted it under; an accepted request adds
// none, and no attribute holds the token or the user.
func TestRefusedEvent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		token   func(t *testing.T) string
		status  int
		outcome string // "" for no event
		metric  bool   // the verifier counted it too
	}{
		{name: "accepted", token: func(*testing.T) string { return adminToken() }, status: 200},
		{name: "no token", token: func(*testing.T) string { return "" }, status: 401, outcome: "no_token"},
		{name: "malformed", token: func(*testing.T) string { return "abc.def" }, status: 401, outcome: "malformed", metric: true},
		{name: "expired", token: func(*testing.T) string { return adminToken(cognitotest.WithLifetime(-time.Minute)) }, status: 401, outcome: "expired", metric: true},
		{name: "bad signature", token: func(t *testing.T) string { return tamper(t, userToken()) }, status: 401, outcome: "signature", metric: true},
		{name: "unknown client", token: func(*testing.T) string { return adminToken(cognitotest.WithClientID("otherclient")) }, status: 401, outcome: "client", metric: true},
		{name: "not in the group", token: func(*testing.T) string { return userToken() }, status: 403, outcome: "forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := oteltest.New(t)
			cfg := pool.Config(verifier.AccessToken)
			cfg.MeterProvider, cfg.TracerProvider = rec.MeterProvider, rec.TracerProvider
			vf, err := verifier.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { vf.Close() })
			m := mw(t, vf, middleware.Rule("/whoami", middleware.AnyGroup("admin")))
			send, ended := tracedServer(t, rec, m.Handler(whoami))
			token := tc.token(t)
			if got := send(token); got != tc.status {
				t.Fatalf("status %d, want %d", got, tc.status)
			}
			<-ended
			var server []string
			for _, s := range rec.Spans() {
				if s.Name() != "GET /whoami" {
					continue
				}
				for _, e := range s.Events() {
					if e.Name != "cognitoauth.refused" {
						t.Errorf("unexpected event %q", e.Name)
						continue
					}
					attrs := attribute.NewSet(e.Attributes...)
					o, _ := attrs.Value("cognitoauth.outcome")
					server = append(server, o.AsString())
				}
			}
			switch {
			case tc.outcome == "" && len(server) != 0:
				t.Errorf("accepted request: events %q, want none", server)
			case tc.outcome != "" && (len(server) != 1 || server[0] != tc.outcome):
				t.Errorf("refused request: event outcomes %q, want [%q]", server, tc.outcome)
			}
			counted := rec.Ints(t, "cognitoauth.verifications")
			if tc.metric {
				key := oteltest.Key(attribute.NewSet(attribute.String("cognitoauth.outcome", tc.outcome), attribute.Bool("cognitoauth.cached", false)))
				if counted[key] != 1 {
					t.Errorf("cognitoauth.verifications = %v, want %s counted once, as the event says", counted, key)
				}
			}
			for _, val := range rec.AttributeValues(t) {
				for _, secret := range []string{token, "alice", "bob"} {
					if secret != "" && strings.Contains(val, secret) {
						t.Errorf("attribute value %q holds %q", val, secret)
					}
				}
			}
		})
	}
}
