package lambdaauth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitoauth/cognitoauth/middleware/internal/authtest"
)

var fx *authtest.Fixture

func TestMain(m *testing.M) { authtest.Main(m, &fx) }

// request is what a client sends; the shapes below turn it into the event
// API Gateway or an ALB would send, from a document under testdata/.
type request struct {
	method, path string
	header       [][2]string // in order, names as sent, repeats allowed
	cookies      []string    // "name=value"
	query        [][2]string // decoded names and values
}

func (r request) methodOr() string {
	if r.method == "" {
		return http.MethodGet
	}
	return r.method
}

// shape is one way an HTTP request reaches a Lambda function.
type shape struct {
	name  string
	file  string                             // the template under testdata/
	build func(ev map[string]any, r request) // fills the template in
}

// The six shapes, as AWS documents them.
var (
	restShape = shape{"REST API", "rest.json", func(ev map[string]any, r request) {
		ev["httpMethod"], ev["path"], ev["resource"] = r.methodOr(), r.path, r.path
		rc := ev["requestContext"].(map[string]any)
		rc["httpMethod"], rc["resourcePath"], rc["path"] = r.methodOr(), r.path, "/Prod"+r.path
		fillV1(ev, r)
	}}
	httpAPIShape = shape{"HTTP API", "httpapi.json", func(ev map[string]any, r request) {
		fillV2(ev, r)
	}}
	albShape = shape{"ALB", "alb.json", func(ev map[string]any, r request) {
		ev["httpMethod"], ev["path"] = r.methodOr(), r.path
		h, q := singleMap(ev, "headers"), singleMap(ev, "queryStringParameters")
		for _, kv := range withCookies(r) {
			h[strings.ToLower(kv[0])] = kv[1] // the last value only
		}
		for _, kv := range r.query {
			q[url.QueryEscape(kv[0])] = url.QueryEscape(kv[1]) // as sent
		}
	}}
	albMultiShape = shape{"ALB multi-value", "alb-multi.json", func(ev map[string]any, r request) {
		ev["httpMethod"], ev["path"] = r.methodOr(), r.path
		h, q := multiMap(ev, "multiValueHeaders"), multiMap(ev, "multiValueQueryStringParameters")
		for _, kv := range withCookies(r) {
			k := strings.ToLower(kv[0])
			h[k] = append(asStrings(h[k]), kv[1])
		}
		for _, kv := range r.query {
			k := url.QueryEscape(kv[0])
			q[k] = append(asStrings(q[k]), url.QueryEscape(kv[1]))
		}
	}}
	restAuthorizerShape = shape{"REST API authorizer", "rest-authorizer.json", func(ev map[string]any, r request) {
		ev["httpMethod"], ev["path"], ev["resource"] = r.methodOr(), r.path, r.path
		ev["methodArn"] = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/" + r.methodOr() + r.path
		rc := ev["requestContext"].(map[string]any)
		rc["httpMethod"], rc["resourcePath"], rc["path"] = r.methodOr(), r.path, "/test"+r.path
		fillV1(ev, r)
	}}
	httpAPIAuthorizerShape = shape{"HTTP API authorizer", "httpapi-authorizer.json", func(ev map[string]any, r request) {
		ev["routeArn"] = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/" + r.methodOr() + r.path
		fillV2(ev, r)
	}}
)

// fillV1 sets headers and query parameters as a REST API sends them: every
// value in the multi-value maps, the last one again in the others.
func fillV1(ev map[string]any, r request) {
	h, mh := singleMap(ev, "headers"), multiMap(ev, "multiValueHeaders")
	for _, kv := range withCookies(r) {
		h[kv[0]] = kv[1]
		mh[kv[0]] = append(asStrings(mh[kv[0]]), kv[1])
	}
	if len(r.query) > 0 {
		q, mq := singleMap(ev, "queryStringParameters"), multiMap(ev, "multiValueQueryStringParameters")
		for _, kv := range r.query {
			q[kv[0]] = kv[1]
			mq[kv[0]] = append(asStrings(mq[kv[0]]), kv[1])
		}
	}
}

// fillV2 sets an HTTP API event (payload 2.0): header names lower-case,
// repeated headers joined by commas, cookies in their own array, the raw
// query and its decoded, comma-joined parameters.
func fillV2(ev map[string]any, r request) {
	rc := ev["requestContext"].(map[string]any)
	httpd := rc["http"].(map[string]any)
	httpd["method"], httpd["path"], ev["rawPath"] = r.methodOr(), r.path, r.path
	ev["routeKey"], rc["routeKey"] = r.methodOr()+" "+r.path, r.methodOr()+" "+r.path
	h := singleMap(ev, "headers")
	for _, kv := range r.header {
		k := strings.ToLower(kv[0])
		if prev, ok := h[k].(string); ok {
			h[k] = prev + "," + kv[1]
		} else {
			h[k] = kv[1]
		}
	}
	for _, c := range r.cookies {
		ev["cookies"] = append(asStrings(ev["cookies"]), c)
	}
	var raw []string
	q := singleMap(ev, "queryStringParameters")
	for _, kv := range r.query {
		raw = append(raw, url.QueryEscape(kv[0])+"="+url.QueryEscape(kv[1]))
		if prev, ok := q[kv[0]].(string); ok {
			q[kv[0]] = prev + "," + kv[1]
		} else {
			q[kv[0]] = kv[1]
		}
	}
	ev["rawQueryString"] = strings.Join(raw, "&")
}

// withCookies is r's headers with its cookies as one Cookie header.
func withCookies(r request) [][2]string {
	h := r.header
	if len(r.cookies) > 0 {
		h = append(h[:len(h):len(h)], [2]string{"Cookie", strings.Join(r.cookies, "; ")})
	}
	return h
}

func singleMap(ev map[string]any, key string) map[string]any {
	m, ok := ev[key].(map[string]any)
	if !ok {
		m = map[string]any{}
		ev[key] = m
	}
	return m
}

func multiMap(ev map[string]any, key string) map[string]any { return singleMap(ev, key) }

func asStrings(v any) []any {
	s, _ := v.([]any)
	return s
}

// event is the JSON document s sends for r.
func (s shape) event(t testing.TB, r request) []byte {
	t.Helper()
	b, err := s.document(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (s shape) document(r request) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join("testdata", s.file))
	if err != nil {
		return nil, err
	}
	var ev map[string]any
	if err := json.Unmarshal(b, &ev); err != nil {
		return nil, fmt.Errorf("%s: %w", s.file, err)
	}
	s.build(ev, r)
	return json.Marshal(ev)
}

// invoke passes payload to handler through the library's own decoding and
// encoding (lambda.NewHandler), as the Lambda runtime does.
func invoke(handler any, payload []byte) ([]byte, error) {
	return lambda.NewHandler(handler).Invoke(context.Background(), payload)
}

// response is a handler's answer, whatever the shape.
type response struct {
	status int
	header http.Header
	body   string
}

// decodeResponse reads the JSON a handler answered with: statusCode,
// headers and multiValueHeaders merged, body.
func decodeResponse(t testing.TB, out []byte) response {
	t.Helper()
	r, err := parseResponse(out)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func parseResponse(out []byte) (response, error) {
	var r struct {
		StatusCode        int                 `json:"statusCode"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Body              string              `json:"body"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return response{}, fmt.Errorf("response %s: %w", out, err)
	}
	h := http.Header{}
	for k, v := range r.Headers {
		h.Add(k, v)
	}
	for k, vs := range r.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	return response{status: r.StatusCode, header: h, body: r.Body}, nil
}
