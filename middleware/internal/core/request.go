package core

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Request is the transport-neutral view of a request the core decides on.
// net/http, gin and echo adapt their *http.Request (HTTP); gRPC, Connect and
// Lambda events adapt their own shapes (Fields).
type Request interface {
	// Method is the upper-case HTTP method; RPC transports say POST.
	Method() string
	// Path is the request path as routed, or the full RPC method name
	// ("/pkg.Service/Method"). exact is false when the path reached the
	// server in a form routers may read differently (percent-encoded
	// bytes): such a path is never excluded.
	Path() (path string, exact bool)
	// Header returns every value of the named header, matched
	// case-insensitively.
	Header(name string) []string
	// Cookie returns the values of every cookie called name.
	Cookie(name string) []string
	// Query returns every value of the URL query parameter name.
	Query(name string) []string
}

// HTTP views r. A nil r views an empty request.
func HTTP(r *http.Request) Request { return httpRequest{r} }

type httpRequest struct{ r *http.Request }

func (h httpRequest) Method() string {
	if h.r == nil {
		return ""
	}
	return h.r.Method
}

func (h httpRequest) Path() (string, bool) {
	if h.r == nil || h.r.URL == nil {
		return "", false
	}
	return h.r.URL.Path, h.r.URL.RawPath == ""
}

func (h httpRequest) Header(name string) []string {
	if h.r == nil {
		return nil
	}
	return h.r.Header.Values(name)
}

func (h httpRequest) Cookie(name string) []string {
	if h.r == nil {
		return nil
	}
	var out []string
	for _, c := range h.r.CookiesNamed(name) {
		out = append(out, c.Value)
	}
	return out
}

func (h httpRequest) Query(name string) []string {
	if h.r == nil || h.r.URL == nil {
		return nil
	}
	return h.r.URL.Query()[name]
}

// Fields is a Request built from plain values, for transports without an
// *http.Request: gRPC metadata, Connect's headers, Lambda events. Build it
// with NewFields so header names are matched case-insensitively. It reads
// the maps it is given rather than copying them, so that a request costs
// no allocation before the core asks for a value: they must not change
// while it is in use.
type Fields struct {
	method, path string
	exact        bool
	header       map[string][]string // names in any case
	cookies      []string            // "name=value" strings apart from the headers
	query        map[string][]string
	rawQuery     string
}

// NewFields views a request with the given method, path and headers.
// Header names may be in any case; values of names that differ only in case
// are merged, so "Authorization" and "authorization" sent side by side are
// two values. Cookie headers among them are read by Cookie.
func NewFields(method, path string, header map[string][]string) *Fields {
	return &Fields{method: method, path: path, exact: true, header: header}
}

// WithQuery sets the query parameters, decoded (nil: none), and returns f.
func (f *Fields) WithQuery(q map[string][]string) *Fields {
	f.query, f.rawQuery = q, ""
	return f
}

// WithRawQuery sets the query as sent, still percent-encoded; it is decoded
// as net/http decodes a URL's query, and only when a parameter is looked
// up. It replaces WithQuery's parameters and returns f.
func (f *Fields) WithRawQuery(raw string) *Fields {
	f.query, f.rawQuery = nil, raw
	return f
}

// WithInexactPath marks the path as one routers may read differently (it
// was percent-encoded on the wire), so it is never excluded; it returns f.
func (f *Fields) WithInexactPath() *Fields { f.exact = false; return f }

// AddCookies adds cookies given as "name=value" strings (API Gateway's HTTP
// API sends them apart from the headers) and returns f.
func (f *Fields) AddCookies(cookies ...string) *Fields {
	f.cookies = append(f.cookies, cookies...)
	return f
}

// Method implements Request.
func (f *Fields) Method() string { return f.method }

// Path implements Request.
func (f *Fields) Path() (string, bool) { return f.path, f.exact }

// Header implements Request. The result may share the given map's slices:
// it must not be modified.
func (f *Fields) Header(name string) []string {
	var out []string
	for k, vs := range f.header {
		switch {
		case !strings.EqualFold(k, name):
		case out == nil:
			out = vs
		default:
			out = append(out[:len(out):len(out)], vs...) // a copy: never the caller's array
		}
	}
	return out
}

// Cookie implements Request. Cookies are read as net/http reads them: a
// malformed one among them is skipped, the others still count.
func (f *Fields) Cookie(name string) []string {
	var out []string
	for _, line := range slices.Concat(f.Header("Cookie"), f.cookies) {
		for part := range strings.SplitSeq(line, ";") {
			if cs, err := http.ParseCookie(part); err == nil && cs[0].Name == name {
				out = append(out, cs[0].Value)
			}
		}
	}
	return out
}

// Query implements Request.
func (f *Fields) Query(name string) []string {
	if f.rawQuery != "" {
		q, _ := url.ParseQuery(f.rawQuery) // as net/http: pairs that do not decode are dropped
		return q[name]
	}
	return f.query[name]
}
