package lambdaauth

import (
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitoauth/cognitoauth/middleware/internal/core"
)

// fields is the core's view of an event's request. Header names may be in
// any case, and names that differ only in case are values of one header,
// as over HTTP. A path holding percent-escapes is decoded for the Rules
// and marked inexact: such a path is never excluded.
func fields(method, path string, header map[string][]string) *core.Fields {
	if !strings.Contains(path, "%") {
		return core.NewFields(method, path, header)
	}
	if p, err := url.PathUnescape(path); err == nil {
		path = p
	}
	return core.NewFields(method, path, header).WithInexactPath()
}

// v1Fields is the request of a REST API event, whose query parameters
// arrive decoded.
func v1Fields(method, path string, h map[string]string, mh map[string][]string, q map[string]string, mq map[string][]string) *core.Fields {
	return fields(method, path, merge(h, mh)).WithQuery(merge(q, mq))
}

// v2Fields is the request of an HTTP API event (payload 2.0): repeated
// headers arrive joined by commas (two Authorization headers are one
// malformed value, refused as two would be) and cookies apart from the
// headers. On the API's own execute-api endpoint a named stage is the first
// segment of rawPath, which routes do not contain: it is removed.
func v2Fields(rc events.APIGatewayV2HTTPRequestContext, path string, header map[string]string, cookies []string, rawQuery string) *core.Fields {
	if rc.Stage != "" && rc.Stage != "$default" && rc.APIID != "" && strings.HasPrefix(rc.DomainName, rc.APIID+".execute-api.") {
		if rest, ok := strings.CutPrefix(path, "/"+rc.Stage); ok && (rest == "" || rest[0] == '/') {
			path = "/" + strings.TrimPrefix(rest, "/")
		}
	}
	return fields(rc.HTTP.Method, path, merge(header, nil)).AddCookies(cookies...).WithRawQuery(rawQuery)
}

// merge joins the single-value and multi-value maps of an event. With
// multi-value headers on, API Gateway and ALB send every value in the
// multi-value map and, for REST APIs, the last one again in the other: a
// name present in the multi-value map (compared case-insensitively, right
// for headers and harmless for query names, which API Gateway sends in both
// maps alike) takes its values from there alone; a name only in the
// single-value map counts once. When every name is in the multi-value map,
// as API Gateway sends them, that map is the result: no copy per event.
func merge(single map[string]string, multi map[string][]string) map[string][]string {
	n := 0
	for k := range single {
		if !has(multi, k) {
			n++
		}
	}
	if n == 0 {
		return multi
	}
	out := make(map[string][]string, len(multi)+n)
	maps.Copy(out, multi)
	values := make([]string, 0, n) // one array for every single value
	for k, v := range single {
		if !has(multi, k) {
			values = append(values, v)
			out[k] = values[len(values)-1 : len(values) : len(values)]
		}
	}
	return out
}

// has reports whether m holds the name k in any case.
func has(m map[string][]string, k string) bool {
	if _, ok := m[k]; ok {
		return true
	}
	for name := range m {
		if strings.EqualFold(name, k) {
			return true
		}
	}
	return false
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

// joined is h with one value per name, repeated values joined by commas,
// for responses without multi-value headers.
func joined(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, vs := range h {
		out[k] = strings.Join(vs, ", ")
	}
	return out
}
