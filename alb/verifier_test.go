package alb_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/alb"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

func TestVerifyHappyPaths(t *testing.T) {
	t.Parallel()
	fake, v := newALB(t, nil, nil)
	user := cognitotest.User{Username: "alice", Email: "alice@example.com", EmailVerified: true, Custom: map[string]string{"tenant": "acme"}}
	for _, tc := range []struct {
		name   string
		token  string
		padded bool
	}{
		{"padded as ALB writes it", fake.Token(user), true},
		{"unpadded", fake.Token(user, cognitotest.WithoutPadding()), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := strings.Contains(tc.token, "="); got != tc.padded {
				t.Fatalf("token has padding %v, want %v: %s", got, tc.padded, tc.token)
			}
			c, err := verify(t, v, tc.token)
			if err != nil {
				t.Fatal(err)
			}
			if c.Username != "alice" || c.Email != "alice@example.com" || !c.EmailVerified || c.Subject == "" {
				t.Errorf("claims %+v", c)
			}
			if c.ClientID != fake.ClientID() || c.Issuer != fake.Issuer() {
				t.Errorf("ClientID %q, Issuer %q; want %q, %q", c.ClientID, c.Issuer, fake.ClientID(), fake.Issuer())
			}
			if got := c.Raw()["custom:tenant"]; got != "acme" {
				t.Errorf("Raw custom:tenant = %v", got)
			}
			if tenant, _ := c.CustomAttribute("tenant"); tenant != "acme" {
				t.Errorf("CustomAttribute(tenant) = %q", tenant)
			}
		})
	}
}

// TestPaddingIsSigned: the padding is part of the signing input, so a
// padded token stripped of it no longer verifies, and the reverse.
func TestPaddingIsSigned(t *testing.T) {
	t.Parallel()
	fake, v := newALB(t, nil, nil)
	padded := fake.Token(cognitotest.User{})
	_, err := verify(t, v, unpad(padded))
	wantRefusal(t, err, verifier.ErrSignatureInvalid)
}

func TestVerifyRefusals(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fake, v := newALB(t, clk, func(c *alb.Config) { c.Leeway = time.Minute })
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := fake.SigningKey()
	good := fake.Token(cognitotest.User{})
	parts := strings.Split(good, ".")
	input := parts[0] + "." + parts[1]
	forged := input + "." + base64.URLEncoding.EncodeToString(cognitotest.SignES256(otherKey, input))
	u := cognitotest.User{}
	for _, tc := range []struct {
		name  string
		token string
		want  error
	}{
		{"wrong signer", fake.Token(u, cognitotest.WithHeader("signer", "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/0123456789abcdef")), alb.ErrSignerMismatch},
		{"no signer", fake.Token(u, cognitotest.WithHeader("signer", nil)), alb.ErrSignerMismatch},
		{"wrong client", fake.Token(u, cognitotest.WithClientID("otherclient")), verifier.ErrClientMismatch},
		{"no client", fake.Token(u, cognitotest.WithHeader("client", nil)), verifier.ErrClientMismatch},
		{"wrong issuer", fake.Token(u, cognitotest.WithClaim("iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other")), verifier.ErrIssuerMismatch},
		{"no issuer", fake.Token(u, cognitotest.WithoutClaim("iss")), verifier.ErrIssuerMismatch},
		{"expired beyond leeway", fake.Token(u, cognitotest.WithLifetime(-2*time.Minute)), verifier.ErrTokenExpired},
		{"no exp", fake.Token(u, cognitotest.WithoutClaim("exp")), verifier.ErrTokenMalformed},
		{"nbf in the future", fake.Token(u, cognitotest.WithClaim("nbf", clk.Now().Add(time.Hour).Unix())), verifier.ErrTokenNotYetValid},
		{"signed by another key", forged, verifier.ErrSignatureInvalid},
		{"signature of another token", input + "." + strings.Split(fake.Token(cognitotest.User{Username: "bob"}), ".")[2], verifier.ErrSignatureInvalid},
		{"RS256 alg", fake.Token(u, cognitotest.WithHeader("alg", "RS256")), verifier.ErrAlgorithm},
		{"exp a string", fake.Token(u, cognitotest.WithClaim("exp", "1800000000")), verifier.ErrTokenMalformed},
		{"oversized", fake.Token(u, cognitotest.WithClaim("pad", strings.Repeat("x", alb.DefaultMaxTokenSize))), verifier.ErrTokenTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verify(t, v, tc.token)
			wantRefusal(t, err, tc.want)
		})
	}
	// Within the leeway an expired token still verifies.
	if _, err := verify(t, v, fake.Token(u, cognitotest.WithLifetime(-30*time.Second))); err != nil {
		t.Errorf("expired 30 s ago with a minute of leeway: %v", err)
	}
	if _, err := verify(t, v, good); err != nil {
		t.Errorf("good token: %v", err)
	}
	if got := fake.KeyRequests(); got != 1 {
		t.Errorf("%d key requests for kid %s, want 1 (cached)", got, kid)
	}
}

func TestUnknownKey(t *testing.T) {
	t.Parallel()
	fake, v := newALB(t, nil, nil)
	_, err := verify(t, v, fake.Token(cognitotest.User{}, cognitotest.WithKID("0b8e2c1a-4c55-4f0e-9d0e-3f1f0a2b3c4d")))
	wantRefusal(t, err, verifier.ErrKeyNotFound)
	if got := fake.KeyRequests(); got != 1 {
		t.Errorf("%d key requests, want 1", got)
	}
}

// TestKidNotUUIDNoFetch: a kid that is not a UUID cannot steer the key URL:
// the token is refused before any request.
func TestKidNotUUIDNoFetch(t *testing.T) {
	t.Parallel()
	fake, v := newALB(t, nil, nil)
	for _, kid := range []string{
		"../../../etc/passwd",
		"..%2F..%2Fadmin",
		"0b8e2c1a-4c55-4f0e-9d0e-3f1f0a2b3c4d/../x",
		"0b8e2c1a-4c55-4f0e-9d0e-3f1f0a2b3c4?",
		"0b8e2c1a-4c55-4f0e-9d0e-3f1f0a2b3c4d?x=1",
		"0b8e2c1a-4c55-4f0e-9d0e-3f1f0a2b3c4d#",
		"0b8e2c1a_4c55_4f0e_9d0e_3f1f0a2b3c4d",
		"0b8e2c1a4c554f0e9d0e3f1f0a2b3c4d",
		"0b8e2c1a-4c55-4f0e-9d0e-3f1f0a2b3c4g",
		"https://evil.example/key",
		"%30b8e2c1a-4c55-4f0e-9d0e-3f1f0a2b3c4",
		"",
	} {
		t.Run(kid, func(t *testing.T) {
			_, err := verify(t, v, fake.Token(cognitotest.User{}, cognitotest.WithHeader("kid", kid)))
			wantRefusal(t, err, verifier.ErrTokenMalformed)
		})
	}
	if got := fake.KeyRequests(); got != 0 {
		t.Errorf("%d key requests, want 0", got)
	}
}

// TestRandomUUIDFlood: 10,000 tokens naming random UUID kids cost at most
// one fetch per cooldown, and the held key keeps serving meanwhile.
func TestRandomUUIDFlood(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fake, v := newALB(t, clk, func(c *alb.Config) { c.RefetchCooldown = time.Minute })
	good := fake.Token(cognitotest.User{})
	if _, err := verify(t, v, good); err != nil {
		t.Fatal(err)
	}
	tokens := make([]string, 10_000)
	for i := range tokens {
		kid := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		tokens[i] = fake.Token(cognitotest.User{}, cognitotest.WithKID(kid))
	}
	flood := func() {
		var wg sync.WaitGroup
		var next atomic.Int64
		var notFound atomic.Int64
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1) - 1; i < int64(len(tokens)); i = next.Add(1) - 1 {
					_, err := v.Verify(context.Background(), tokens[i])
					if err == nil {
						t.Error("a token with a random kid verified")
						return
					}
					if errorsIsKeyNotFound(err) {
						notFound.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if notFound.Load() != int64(len(tokens)) {
			t.Errorf("%d of %d refusals were ErrKeyNotFound", notFound.Load(), len(tokens))
		}
	}
	flood()
	if got := fake.KeyRequests(); got > 2 {
		t.Fatalf("%d key requests after a flood: want the good key's and at most one more", got)
	}
	if _, err := verify(t, v, good); err != nil {
		t.Errorf("held key during the flood: %v", err)
	}
	clk.Advance(time.Minute)
	flood()
	if got := fake.KeyRequests(); got > 3 {
		t.Fatalf("%d key requests after two floods a cooldown apart: want at most 3", got)
	}
	if v.KeyFetches() != fake.KeyRequests() {
		t.Errorf("KeyFetches %d, server saw %d", v.KeyFetches(), fake.KeyRequests())
	}
}

// TestSingleFlight: concurrent tokens naming one new kid make one fetch.
func TestSingleFlight(t *testing.T) {
	t.Parallel()
	fake, v := newALB(t, nil, nil)
	release := make(chan struct{})
	kid, _ := fake.SigningKey()
	doc, _ := fake.PublicKeyPEM(kid)
	fake.SetKeyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Write(doc)
	}))
	token := fake.Token(cognitotest.User{})
	const n = 50
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := v.Verify(context.Background(), token)
			errs <- err
		}()
	}
	time.Sleep(50 * time.Millisecond) // let the callers pile up on the one fetch
	close(release)
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := fake.KeyRequests(); got != 1 {
		t.Errorf("%d key requests, want 1", got)
	}
}

func TestContextEndsWait(t *testing.T) {
	t.Parallel()
	fake, v := newALB(t, nil, nil)
	release := make(chan struct{})
	defer close(release)
	fake.SetKeyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := v.Verify(ctx, fake.Token(cognitotest.User{}))
	wantRefusal(t, err, verifier.ErrJWKSUnavailable)
}

func TestKeyEndpointFaults(t *testing.T) {
	t.Parallel()
	rsaPEM := []byte("-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMtjRlaQ5bb3hVZShU5JOxrE9TSchHSn\nVIOUHgfxfjTUc6aawDnN3XzaH0d4l6qRNUpWQFkMw7J5LFhhjGvyRh0CAwEAAQ==\n-----END PUBLIC KEY-----\n")
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    error
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) }, verifier.ErrJWKSUnavailable},
		{"403 as S3 answers an unknown key", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "AccessDenied", http.StatusForbidden) }, verifier.ErrKeyNotFound},
		{"not PEM", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) }, verifier.ErrJWKSUnavailable},
		{"RSA key", func(w http.ResponseWriter, r *http.Request) { w.Write(rsaPEM) }, verifier.ErrJWKSUnavailable},
		{"body over MaxJWKSSize", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 2048)) }, verifier.ErrJWKSUnavailable},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://example.com/", http.StatusFound)
		}, verifier.ErrJWKSUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			fake, v := newALB(t, clk, func(c *alb.Config) { c.MaxJWKSSize = 1024 })
			fake.SetKeyHandler(tc.handler)
			token := fake.Token(cognitotest.User{})
			_, err := verify(t, v, token)
			wantRefusal(t, err, tc.want)
			// During the cooldown: the same answer, no fetch.
			_, err = verify(t, v, token)
			wantRefusal(t, err, tc.want)
			if got := fake.KeyRequests(); got != 1 {
				t.Errorf("%d key requests within the cooldown, want 1", got)
			}
			// After it, the key server healed: the token verifies.
			fake.SetKeyHandler(nil)
			clk.Advance(alb.DefaultRefetchCooldown)
			if _, err := verify(t, v, token); err != nil {
				t.Errorf("after the cooldown: %v", err)
			}
		})
	}
}

func TestSkipClientIDCheck(t *testing.T) {
	t.Parallel()
	fake, v := newALB(t, nil, func(c *alb.Config) { c.ClientIDs, c.SkipClientIDCheck = nil, true })
	c, err := verify(t, v, fake.Token(cognitotest.User{}, cognitotest.WithClientID("anyclient")))
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientID != "anyclient" {
		t.Errorf("ClientID %q", c.ClientID)
	}
}

// TestTwoALBsOneIssuer: several ALBs of one region share a verifier.
func TestTwoALBsOneIssuer(t *testing.T) {
	t.Parallel()
	second := "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/second/0123456789abcdef"
	fake, v := newALB(t, nil, func(c *alb.Config) { c.ALBARNs = append(c.ALBARNs, second) })
	for _, signer := range []string{fake.ARN(), second} {
		if _, err := verify(t, v, fake.Token(cognitotest.User{}, cognitotest.WithHeader("signer", signer))); err != nil {
			t.Errorf("signer %s: %v", signer, err)
		}
	}
}

// TestGovCloudKeyURL: a GovCloud ALB verifies with its KeyURL set.
func TestGovCloudKeyURL(t *testing.T) {
	t.Parallel()
	arn := "arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/gov/0123456789abcdef"
	fake, err := cognitotest.NewALB(cognitotest.ALBOptions{ARN: arn, Issuer: "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_X1"})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	cfg := fake.Config()
	v, err := alb.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := verify(t, v, fake.Token(cognitotest.User{})); err != nil {
		t.Fatal(err)
	}
	cfg.KeyURL = ""
	if _, err := alb.New(cfg); err == nil || !strings.Contains(err.Error(), "KeyURL") {
		t.Errorf("GovCloud without KeyURL: %v, want an error naming KeyURL", err)
	}
}

// TestDefaultKeyURL: without KeyURL, keys are fetched from the region's
// endpoint (the request is redirected to the fake ALB at the transport).
func TestDefaultKeyURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ partition, region, host string }{
		{"aws", "us-east-1", "public-keys.auth.elb.us-east-1.amazonaws.com"},
		{"aws", "eu-west-2", "public-keys.auth.elb.eu-west-2.amazonaws.com"},
		{"aws-cn", "cn-north-1", "public-keys.auth.elb.cn-north-1.amazonaws.com.cn"},
	} {
		t.Run(tc.region, func(t *testing.T) {
			t.Parallel()
			arn := "arn:" + tc.partition + ":elasticloadbalancing:" + tc.region + ":123456789012:loadbalancer/app/web/0123456789abcdef"
			fake, err := cognitotest.NewALB(cognitotest.ALBOptions{ARN: arn})
			if err != nil {
				t.Fatal(err)
			}
			defer fake.Close()
			rt := &recorder{to: fake.KeyURL(), next: fake.HTTPClient().Transport}
			cfg := fake.Config()
			cfg.KeyURL, cfg.HTTPClient = "", &http.Client{Transport: rt}
			v, err := alb.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			if _, err := verify(t, v, fake.Token(cognitotest.User{})); err != nil {
				t.Fatal(err)
			}
			kid, _ := fake.SigningKey()
			if want := "https://" + tc.host + "/" + kid; rt.url() != want {
				t.Errorf("fetched %s, want %s", rt.url(), want)
			}
		})
	}
}

// recorder notes the URL asked for and sends the request to the fake ALB.
type recorder struct {
	to   string
	next http.RoundTripper
	mu   sync.Mutex
	seen string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.seen = req.URL.String()
	r.mu.Unlock()
	out := req.Clone(req.Context())
	u, err := out.URL.Parse(r.to + req.URL.Path)
	if err != nil {
		return nil, err
	}
	out.URL, out.Host = u, ""
	return r.next.RoundTrip(out)
}

func (r *recorder) url() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef"
	base := alb.Config{ALBARNs: []string{arn}, ClientIDs: []string{"client1"}, Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_X1"}
	for _, tc := range []struct {
		name   string
		change func(*alb.Config)
		want   string
	}{
		{"no ARNs", func(c *alb.Config) { c.ALBARNs = nil }, "no ALBARNs"},
		{"ARNs in two regions", func(c *alb.Config) {
			c.ALBARNs = append(c.ALBARNs, "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef")
		}, "one region"},
		{"ARNs in two partitions", func(c *alb.Config) {
			c.ALBARNs = append(c.ALBARNs, "arn:aws-us-gov:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef")
			c.KeyURL = "https://keys.example.com"
		}, "one region"},
		{"ARN too short", func(c *alb.Config) { c.ALBARNs = []string{"arn:aws:elasticloadbalancing:us-east-1"} }, "not an Application Load Balancer ARN"},
		{"region .", func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws:elasticloadbalancing:.:123456789012:loadbalancer/app/web/0123456789abcdef"}
		}, "not an Application Load Balancer ARN"},
		{"unknown partition", func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws-unsupported:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef"}
		}, "not an Application Load Balancer ARN"},
		{"network load balancer", func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/web/0123456789abcdef"}
		}, "not an Application Load Balancer ARN"},
		{"GovCloud without KeyURL", func(c *alb.Config) {
			c.ALBARNs = []string{"arn:aws-us-gov:elasticloadbalancing:us-gov-west-1:123456789012:loadbalancer/app/web/0123456789abcdef"}
		}, "need KeyURL"},
		{"http KeyURL", func(c *alb.Config) { c.KeyURL = "http://keys.example.com" }, "https"},
		{"KeyURL with query", func(c *alb.Config) { c.KeyURL = "https://keys.example.com/?k=" }, "https"},
		{"no issuer", func(c *alb.Config) { c.Issuer = "" }, "no Issuer"},
		{"no client IDs", func(c *alb.Config) { c.ClientIDs = nil }, "SkipClientIDCheck"},
		{"client IDs and skip", func(c *alb.Config) { c.SkipClientIDCheck = true }, "both set"},
		{"empty client ID", func(c *alb.Config) { c.ClientIDs = []string{""} }, "empty client ID"},
		{"negative leeway", func(c *alb.Config) { c.Leeway = -time.Second }, "Leeway"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := base
			cfg.ALBARNs = append([]string(nil), base.ALBARNs...)
			tc.change(&cfg)
			v, err := alb.New(cfg)
			if err == nil {
				v.Close()
				t.Fatal("New accepted it")
			}
			if !strings.HasPrefix(err.Error(), "alb: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want one naming %q", err, tc.want)
			}
		})
	}
	v, err := alb.New(base)
	if err != nil {
		t.Fatalf("base config: %v", err)
	}
	v.Close()
}

// TestBehindHTTPHandler: the ALB verifier behind a net/http handler that
// reads X-Amzn-Oidc-Data, through a real server.
func TestBehindHTTPHandler(t *testing.T) {
	t.Parallel()
	fake, v := newALB(t, nil, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := v.Verify(r.Context(), r.Header.Get("X-Amzn-Oidc-Data"))
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, c.Username)
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name, token string
		want        int
	}{
		{"valid", fake.Token(cognitotest.User{Username: "carol"}), http.StatusOK},
		{"none", "", http.StatusUnauthorized},
		{"expired", fake.Token(cognitotest.User{}, cognitotest.WithLifetime(-time.Minute)), http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			if tc.token != "" {
				req.Header.Set("X-Amzn-Oidc-Data", tc.token)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
}

func errorsIsKeyNotFound(err error) bool {
	var ve *verifier.ValidationError
	return asValidation(err, &ve) && ve.Reason == verifier.ErrKeyNotFound
}
