package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// timeClaims are the claims decode shows as times, in this order.
var timeClaims = []string{"auth_time", "iat", "nbf", "exp"}

func runDecode(ctx context.Context, e env, args []string) int {
	fs := newFlags("decode", "decode [--json] [--at TIME] [TOKEN|-]\n\n"+
		"Prints a token's header and payload as indented JSON and its times in UTC and\n"+
		"relative to now (or --at). Nothing is verified: anyone can write such a token.\n"+
		"The token is read from standard input when TOKEN is \"-\" or absent.\n"+
		"Exit status: 0 decoded, 1 not a decodable JWT, 2 usage error.")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	var at timeFlag
	fs.Var(&at, "at", "RFC 3339 time the relative times are counted from (default now)")
	rest, help, err := parse(e, fs, args)
	if help {
		return exitOK
	}
	if err != nil {
		return fail(e, "decode", err, exitUsage)
	}
	token, err := readToken(e, rest)
	if err != nil {
		return fail(e, "decode", err, exitUsage)
	}
	d, err := decodeToken(token)
	if err != nil {
		return fail(e, "decode", err, exitRefused)
	}
	now := at.now().UTC()
	type jsonTime struct {
		Unix     json.Number `json:"unix"`
		UTC      string      `json:"utc"`
		Relative string      `json:"relative"`
	}
	times := map[string]jsonTime{}
	var lines []string
	for _, name := range timeClaims {
		t, ok := unixTime(d.payload[name])
		if !ok {
			continue
		}
		rel := relative(t, now)
		if name == "exp" {
			rel = expiry(t, now)
		}
		times[name] = jsonTime{Unix: json.Number(fmt.Sprint(d.payload[name])), UTC: t.Format(time.RFC3339), Relative: rel}
		lines = append(lines, fmt.Sprintf("  %-10s %s  (%s)", name, t.Format(time.RFC3339), rel))
	}
	if *asJSON {
		writeJSON(e.stdout, map[string]any{
			"verified": false,
			"header":   json.RawMessage(d.headerJSON),
			"payload":  json.RawMessage(d.payloadJSON),
			"times":    times,
			"at":       now.Format(time.RFC3339),
		})
		return exitOK
	}
	fmt.Fprintln(e.stdout, "NOT VERIFIED: decoded only. Signature, issuer, client and expiry are not checked;")
	fmt.Fprintln(e.stdout, "use \"cognitoauth verify\" for a verdict.")
	fmt.Fprintf(e.stdout, "\nheader:\n%s\n\npayload:\n%s\n", indent(d.headerJSON), indent(d.payloadJSON))
	if len(lines) > 0 {
		fmt.Fprintf(e.stdout, "\ntimes (relative to %s):\n%s\n", now.Format(time.RFC3339), strings.Join(lines, "\n"))
	}
	return exitOK
}

// decoded is a token's header and payload, unverified.
type decoded struct {
	headerJSON, payloadJSON []byte
	header, payload         map[string]any
}

// decodeToken splits and decodes a compact JWS without checking anything
// but its shape.
func decodeToken(token string) (*decoded, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a JWT: %d dot-separated parts, want 3 (header.payload.signature)", len(parts))
	}
	d := &decoded{}
	var err error
	if d.headerJSON, d.header, err = decodeSegment(parts[0]); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if d.payloadJSON, d.payload, err = decodeSegment(parts[1]); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	return d, nil
}

func decodeSegment(s string) ([]byte, map[string]any, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, nil, errors.New("not base64url (unpadded) text")
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, nil, errors.New("not a JSON object")
	}
	return b, m, nil
}

func indent(b []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return string(b)
	}
	return buf.String()
}
