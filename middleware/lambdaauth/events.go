package lambdaauth

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// newRequest is the *http.Request an event stands for, which the
// Middleware decides as net/http's. Header names are canonicalized, so
// names that differ only in case are values of one header, as over HTTP. A
// path holding percent-escapes is decoded for the Rules and keeps its raw
// form, which marks it inexact: such a path is never excluded.
func newRequest(ctx context.Context, method, path string, header map[string][]string, rawQuery string) *http.Request {
	u := &url.URL{Path: path, RawQuery: rawQuery}
	if strings.Contains(path, "%") {
		u.RawPath = path
		if p, err := url.PathUnescape(path); err == nil {
			u.Path = p
		}
	}
	h := make(http.Header, len(header))
	for k, vs := range header {
		k = http.CanonicalHeaderKey(k)
		h[k] = append(h[k], vs...)
	}
	r := &http.Request{Method: method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Host: h.Get("Host"), RequestURI: u.RequestURI()}
	return r.WithContext(ctx)
}

// newRequestV2 is the request of an HTTP API event (payload 2.0): repeated
// headers arrive joined by commas (two Authorization headers are one
// malformed value, refused as two would be) and cookies apart from the
// headers. On the API's own execute-api endpoint a named stage is the first
// segment of rawPath, which routes do not contain: it is removed.
func newRequestV2(ctx context.Context, rc events.APIGatewayV2HTTPRequestContext, path string, header map[string]string, cookies []string, rawQuery string) *http.Request {
	if rc.Stage != "" && rc.Stage != "$default" && rc.APIID != "" && strings.HasPrefix(rc.DomainName, rc.APIID+".execute-api.") {
		if rest, ok := strings.CutPrefix(path, "/"+rc.Stage); ok && (rest == "" || rest[0] == '/') {
			path = "/" + strings.TrimPrefix(rest, "/")
		}
	}
	r := newRequest(ctx, rc.HTTP.Method, path, merge(header, nil), rawQuery)
	if len(cookies) > 0 {
		r.Header.Add("Cookie", strings.Join(cookies, "; "))
	}
	return r
}

// merge joins the single-value and multi-value maps of an event. With
// multi-value headers on, API Gateway and ALB send every value in the
// multi-value map and, for REST APIs, the last one again in the other: a
// name present in the multi-value map (compared case-insensitively, right
// for headers and harmless for query names, which API Gateway sends in both
// maps alike) takes its values from there alone; a name only in the
// single-value map counts once.
func merge(single map[string]string, multi map[string][]string) map[string][]string {
	out := make(map[string][]string, len(single)+len(multi))
	seen := make(map[string]bool, len(multi))
	for k, vs := range multi {
		out[k] = append(out[k], vs...)
		seen[strings.ToLower(k)] = true
	}
	for k, v := range single {
		if !seen[strings.ToLower(k)] {
			out[k] = append(out[k], v)
		}
	}
	return out
}

// v1Request is the request of a REST API event, whose query parameters
// arrive decoded.
func v1Request(ctx context.Context, method, path string, h map[string]string, mh map[string][]string, q map[string]string, mq map[string][]string) *http.Request {
	return newRequest(ctx, method, path, merge(h, mh), url.Values(merge(q, mq)).Encode())
}

// raw joins the query parameters an ALB passes as sent, still
// percent-encoded.
func raw(q map[string][]string) string {
	var parts []string
	for k, vs := range q {
		for _, v := range vs {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, "&")
}

// recorder keeps the response to a refusal: the Middleware's own, or its
// error handler's (WithErrorHandler).
type recorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(status int) { w.status = cmp.Or(w.status, status) }

func (w *recorder) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

// joined is h with one value per name, repeated values joined by commas,
// for responses without multi-value headers.
func joined(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		out[k] = strings.Join(vs, ", ")
	}
	return out
}
