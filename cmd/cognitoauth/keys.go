package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/cognitoauth/cognitoauth/jwks"
)

var poolIDPattern = regexp.MustCompile(`^([a-z]+(?:-[a-z]+)+-[0-9]+)_[0-9a-zA-Z]+$`)

// issuerOf returns the issuer Cognito writes into a pool's tokens.
func issuerOf(pool string) (string, error) {
	m := poolIDPattern.FindStringSubmatch(pool)
	if m == nil {
		return "", usagef("--pool %q is not a user pool ID such as us-east-1_AbCdEf123", pool)
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(m[1], "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return "https://cognito-idp." + m[1] + "." + suffix + "/" + pool, nil
}

func runKeys(ctx context.Context, e env, args []string) int {
	fs := newFlags("keys", "keys --pool ID [--jwks-url URL] [--ca FILE] [--save FILE] [--json]\n\n"+
		"Fetches the pool's key set and lists its keys (kid, algorithm, key size, use)\n"+
		"with the issuer, the URL fetched, the HTTP status and the time it took.\n"+
		"Exit status: 0 keys fetched, 2 usage error, 3 keys unavailable.")
	pool := fs.String("pool", "", "user pool ID, such as us-east-1_AbCdEf123 (required)")
	jwksURL := fs.String("jwks-url", "", "fetch from this URL instead of the pool's (http only for 127.0.0.1 / ::1)")
	caFile := fs.String("ca", "", "trust only the CA certificates (PEM) in this file, such as the one \"cognitoauth pool\" writes")
	save := fs.String("save", "", "also write the fetched key set to this file, for \"verify --jwks FILE\"")
	timeout := fs.Duration("timeout", 5*time.Second, "bound on the fetch")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	rest, help, err := parse(e, fs, args)
	if help {
		return exitOK
	}
	if err == nil && len(rest) > 0 {
		err = usagef("unexpected argument %q", rest[0])
	}
	if err == nil && *pool == "" {
		err = usagef("--pool is required")
	}
	var issuer string
	if err == nil {
		issuer, err = issuerOf(*pool)
	}
	var client *http.Client
	if err == nil {
		client, _, err = httpClient(*jwksURL, *caFile, *timeout)
	}
	if err != nil {
		return fail(e, "keys", err, exitUsage)
	}
	url := *jwksURL
	if url == "" {
		url = issuer + "/.well-known/jwks.json"
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	r := fetchKeys(ctx, client, url)
	r.Issuer = issuer
	if r.err == nil && *save != "" {
		if err := os.WriteFile(*save, r.body, 0o644); err != nil {
			return fail(e, "keys", err, exitUsage)
		}
	}
	if *asJSON {
		writeJSON(e.stdout, r)
	} else {
		r.print(e.stdout)
	}
	if r.err != nil {
		fmt.Fprintf(e.stderr, "cognitoauth keys: %v\n", r.err)
		return exitUnavailable
	}
	return exitOK
}

type keyInfo struct {
	KID       string `json:"kid"`
	Type      string `json:"kty"`
	Algorithm string `json:"alg"`
	Size      string `json:"size"`
	Use       string `json:"use"`
}

type keysReport struct {
	Issuer  string    `json:"issuer"`
	URL     string    `json:"url"`
	Status  int       `json:"status"`
	Millis  float64   `json:"ms"`
	Bytes   int       `json:"bytes"`
	Keys    []keyInfo `json:"keys"`
	Skipped []string  `json:"skipped"`
	Error   string    `json:"error,omitempty"`

	err  error
	body []byte
}

func fetchKeys(ctx context.Context, client *http.Client, url string) *keysReport {
	r := &keysReport{URL: url, Keys: []keyInfo{}, Skipped: []string{}}
	start := time.Now()
	r.err = func() error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("fetch failed: %w", err)
		}
		defer resp.Body.Close()
		r.Status = resp.StatusCode
		r.body, err = io.ReadAll(io.LimitReader(resp.Body, jwks.DefaultMaxJWKSSize+1))
		r.Bytes = len(r.body)
		if err != nil {
			return fmt.Errorf("reading the response: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d %s, want 200", resp.StatusCode, http.StatusText(resp.StatusCode))
		}
		if len(r.body) > jwks.DefaultMaxJWKSSize {
			return errors.New("response over 1 MiB: not a key set")
		}
		set, skipped, err := jwks.Parse(r.body)
		for _, s := range skipped {
			r.Skipped = append(r.Skipped, s.Error())
		}
		if err != nil {
			return err
		}
		for _, kid := range set.KeyIDs() {
			k, _ := set.Key(kid)
			r.Keys = append(r.Keys, keyInfo{KID: k.ID, Type: k.Type, Algorithm: k.Algorithm, Size: keySize(k), Use: k.Use})
		}
		return nil
	}()
	r.Millis = float64(time.Since(start).Microseconds()) / 1000
	if r.err != nil {
		r.Error = r.err.Error()
	}
	return r
}

func keySize(k *jwks.Key) string {
	switch pub := k.Public.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("%d bits", pub.N.BitLen())
	case *ecdsa.PublicKey:
		return pub.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return "?"
}

func (r *keysReport) print(w io.Writer) {
	fmt.Fprintf(w, "issuer  %s\n", r.Issuer)
	fmt.Fprintf(w, "url     %s\n", r.URL)
	status := "(no response)"
	if r.Status != 0 {
		status = fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status))
	}
	fmt.Fprintf(w, "status  %s, %d bytes in %.1f ms\n", status, r.Bytes, r.Millis)
	if len(r.Keys) > 0 {
		fmt.Fprintf(w, "\nusable keys (%d):\n", len(r.Keys))
		width := len("kid")
		for _, k := range r.Keys {
			width = max(width, len(k.KID))
		}
		fmt.Fprintf(w, "  %-*s  %-5s  %-9s  %s\n", width, "kid", "alg", "size", "use")
		for _, k := range r.Keys {
			fmt.Fprintf(w, "  %-*s  %-5s  %-9s  %s\n", width, k.KID, orDash(k.Algorithm), k.Size, orDash(k.Use))
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "skipped: %s\n", s)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
