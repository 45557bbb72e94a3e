package core

import (
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/cognitoauth/cognitoauth/claims"
)

// pattern is an Exclude or Rule pattern: "[METHOD ]PATH" in the syntax of
// http.ServeMux, without hosts or wildcards. A PATH ending in "/" matches
// its whole subtree, one ending in "/{$}" only itself, any other PATH only
// itself. A METHOD of GET also matches HEAD, as in ServeMux. For gRPC the
// path is the full method name ("/pkg.Service/Method") and the method POST.
type pattern struct {
	text         string // as configured, for error messages
	method, path string
	subtree      bool
}

func parsePattern(s string) (pattern, error) {
	p := pattern{text: s}
	switch f := strings.Fields(s); len(f) {
	case 1:
		p.path = f[0]
	case 2:
		p.method, p.path = f[0], f[1]
		if !isMethod(p.method) {
			return p, fmt.Errorf("%w: pattern %q: method must be upper-case, as HTTP methods are matched (GET, POST, ...)", ErrMisconfigured, s)
		}
	default:
		return p, fmt.Errorf("%w: pattern %q is not [METHOD ]PATH", ErrMisconfigured, s)
	}
	if p.path[0] != '/' {
		return p, fmt.Errorf("%w: pattern %q: path must start with / (hosts are not supported)", ErrMisconfigured, s)
	}
	switch {
	case strings.HasSuffix(p.path, "/{$}"):
		p.path = strings.TrimSuffix(p.path, "{$}")
	case strings.HasSuffix(p.path, "/"):
		p.subtree = true
	}
	if strings.ContainsAny(p.path, "{}") {
		return p, fmt.Errorf("%w: pattern %q: wildcards are not supported", ErrMisconfigured, s)
	}
	if cleanPath(p.path) != p.path {
		return p, fmt.Errorf("%w: pattern %q: path is not canonical", ErrMisconfigured, s)
	}
	return p, nil
}

func (p pattern) match(method, path string) bool {
	if p.method != "" && p.method != method && !(p.method == http.MethodGet && method == http.MethodHead) {
		return false
	}
	if p.subtree {
		return strings.HasPrefix(path, p.path)
	}
	return path == p.path
}

// cleanPath is ServeMux's canonical form: no dot segments or double
// slashes, trailing slash kept.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

// isMethod reports whether m is an upper-case HTTP method token: methods
// are case-sensitive (RFC 9110 §9.1), so "post" would never match POST
// while a method-agnostic handler still served it.
func isMethod(m string) bool {
	for i := 0; i < len(m); i++ {
		if c := m[i]; (c < 'A' || c > 'Z') && c != '-' && c != '_' {
			return false
		}
	}
	return m != ""
}

// rule is a Rule: requests matching pattern must meet every requirement.
type rule struct {
	pattern pattern
	reqs    []func(*claims.Claims) error
}

// excluded reports whether r matches an exclusion. A path that is not in
// canonical form (dot segments, double slashes, percent-encoding that the
// transport reports as inexact) is never excluded: routers that do not
// clean paths could send it elsewhere than the exclusion meant.
func (e *Engine) excluded(method, path string, exact bool) bool {
	if len(e.exclude) == 0 || !exact || path != cleanPath(path) {
		return false
	}
	for _, x := range e.exclude {
		if x.match(method, path) {
			return true
		}
	}
	return false
}

// rulesFor returns the rules whose pattern matches the path as sent or in
// canonical form: a rule applies whichever way a router reads the path.
func (e *Engine) rulesFor(method, raw string) []*rule {
	if len(e.rules) == 0 {
		return nil
	}
	clean := cleanPath(raw)
	var out []*rule
	for i := range e.rules {
		rl := &e.rules[i]
		if rl.pattern.match(method, raw) || rl.pattern.match(method, clean) {
			out = append(out, rl)
		}
	}
	return out
}
