package middleware

import (
	"fmt"
	"net/http"
	"path"
	"strings"
)

// pattern is an Exclude or Rule pattern: "[METHOD ]PATH" in the syntax of
// http.ServeMux, without hosts or wildcards. A PATH ending in "/" matches
// its whole subtree, one ending in "/{$}" only itself, any other PATH only
// itself. A METHOD of GET also matches HEAD, as in ServeMux. For gRPC the
// path is the full method name ("/pkg.Service/Method") and the method POST.
type pattern struct {
	method, path string
	subtree      bool
}

func parsePattern(s string) (pattern, error) {
	var p pattern
	switch f := strings.Fields(s); len(f) {
	case 1:
		p.path = f[0]
	case 2:
		p.method, p.path = f[0], f[1]
		for i := 0; i < len(p.method); i++ {
			if !isTokenChar(p.method[i]) {
				return p, fmt.Errorf("%w: pattern %q: bad method", ErrMisconfigured, s)
			}
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

// rule is a Rule: requests matching pattern must meet every requirement.
type rule struct {
	pattern pattern
	reqs    []Requirement
}

// excluded reports whether r matches an exclusion. A path that is not in
// canonical form (dot segments, double slashes, any percent-encoding that
// the URL keeps in RawPath) is never excluded: routers that do not clean
// paths could send it elsewhere than the exclusion meant.
func (m *Middleware) excluded(r *http.Request) bool {
	if len(m.exclude) == 0 || r.URL == nil || r.URL.RawPath != "" {
		return false
	}
	p := r.URL.Path
	if p != cleanPath(p) {
		return false
	}
	for _, e := range m.exclude {
		if e.match(r.Method, p) {
			return true
		}
	}
	return false
}

// rulesFor returns the rules whose pattern matches r's path as sent or in
// canonical form: a rule applies whichever way a router reads the path.
func (m *Middleware) rulesFor(r *http.Request) []*rule {
	if len(m.rules) == 0 || r.URL == nil {
		return nil
	}
	raw := r.URL.Path
	clean := cleanPath(raw)
	var out []*rule
	for i := range m.rules {
		rl := &m.rules[i]
		if rl.pattern.match(r.Method, raw) || rl.pattern.match(r.Method, clean) {
			out = append(out, rl)
		}
	}
	return out
}
