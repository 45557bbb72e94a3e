package main

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"
)

// httpClient returns the client for fetching keys from rawURL (may be empty:
// the pool's own URL), trusting only caFile's certificates when given.
// Plain http is allowed only to a loopback IP address, such as a local
// emulator: keys fetched over http from anywhere else could be swapped on
// the way, and a swapped key makes forged tokens look valid.
func httpClient(rawURL, caFile string, timeout time.Duration) (*http.Client, bool, error) {
	allowHTTP := false
	if rawURL != "" {
		u, err := url.Parse(rawURL)
		if err != nil || u.Host == "" {
			return nil, false, usagef("--jwks-url %q is not an absolute URL", rawURL)
		}
		switch u.Scheme {
		case "https":
		case "http":
			ip := net.ParseIP(u.Hostname())
			if ip == nil || !ip.IsLoopback() {
				return nil, false, usagef("--jwks-url %q: http is allowed only to a loopback address (127.0.0.1, ::1); use https", rawURL)
			}
			allowHTTP = true
		default:
			return nil, false, usagef("--jwks-url %q: want an https URL", rawURL)
		}
	}
	client := &http.Client{Timeout: timeout}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, false, usagef("--ca: %v", err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, false, usagef("--ca %s: no PEM certificate in it", caFile)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		client.Transport = tr
	}
	return client, allowHTTP, nil
}
