package core

import (
	"net/http"
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
// with NewFields so header names are matched case-insensitively.
type Fields struct {
	method, path string
	exact        bool
	header       map[string][]string // lower-case names
	cookies      []*http.Cookie
	query        map[string][]string
}

// NewFields views a request with the given method, path and headers.
// Header names may be in any case; values of names that differ only in case
// are merged, so "Authorization" and "authorization" sent side by side are
// two values. Cookie headers among them are parsed for Cookie.
func NewFields(method, path string, header map[string][]string) *Fields {
	f := &Fields{method: method, path: path, exact: true, header: make(map[string][]string, len(header))}
	for k, vs := range header {
		lk := strings.ToLower(k)
		f.header[lk] = append(f.header[lk], vs...)
	}
	for _, line := range f.header["cookie"] {
		if cs, err := http.ParseCookie(line); err == nil {
			f.cookies = append(f.cookies, cs...)
		}
	}
	return f
}

// WithQuery sets the query parameters (nil: none) and returns f.
func (f *Fields) WithQuery(q map[string][]string) *Fields { f.query = q; return f }

// WithInexactPath marks the path as one routers may read differently (it
// was percent-encoded on the wire), so it is never excluded; it returns f.
func (f *Fields) WithInexactPath() *Fields { f.exact = false; return f }

// AddCookies adds cookies given as "name=value" strings (API Gateway's HTTP
// API sends them apart from the headers) and returns f.
func (f *Fields) AddCookies(cookies ...string) *Fields {
	for _, c := range cookies {
		if cs, err := http.ParseCookie(c); err == nil {
			f.cookies = append(f.cookies, cs...)
		}
	}
	return f
}

// Method implements Request.
func (f *Fields) Method() string { return f.method }

// Path implements Request.
func (f *Fields) Path() (string, bool) { return f.path, f.exact }

// Header implements Request.
func (f *Fields) Header(name string) []string { return f.header[strings.ToLower(name)] }

// Cookie implements Request.
func (f *Fields) Cookie(name string) []string {
	var out []string
	for _, c := range f.cookies {
		if c.Name == name {
			out = append(out, c.Value)
		}
	}
	return out
}

// Query implements Request.
func (f *Fields) Query(name string) []string { return f.query[name] }
