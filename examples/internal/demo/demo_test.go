package demo

import (
	"bytes"
	"strings"
	"testing"
)

func TestSetupErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"pool without client", map[string]string{EnvPoolID: "us-east-1_AbCdEfGhI"}, "set both"},
		{"client without pool", map[string]string{EnvClientID: "1example23456789"}, "set both"},
		{"bad token use", map[string]string{EnvPoolID: "us-east-1_AbCdEfGhI", EnvClientID: "1example23456789", EnvTokenUse: "refresh"}, "want access, id or any"},
		{"bad pool ID", map[string]string{EnvPoolID: "nope", EnvClientID: "1example23456789"}, "does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, err := Setup(func(k string) string { return tc.env[k] })
			if err == nil {
				env.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
		})
	}
}

func TestRealPoolTokens(t *testing.T) {
	env, err := Setup(func(k string) string {
		return map[string]string{EnvPoolID: "us-east-1_AbCdEfGhI", EnvClientID: "a1, b2", EnvUserToken: "u.u.u", EnvTokenUse: "id"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if env.Embedded || env.User != "u.u.u" || env.Admin != "" || env.Bad == "" {
		t.Errorf("env %+v", env)
	}
	if n := len(calls(env)); n != 5 {
		t.Errorf("%d smoke calls with a user token only, want 5 (3 anonymous or bad, 2 as the user)", n)
	}
}

func TestPrintTable(t *testing.T) {
	var buf bytes.Buffer
	err := PrintTable(&buf, []Outcome{{"GET /a", "x", "200", "200"}, {"GET /b", "y", "500", "403"}})
	if err == nil || !strings.Contains(err.Error(), "GET /b as y") || !strings.Contains(buf.String(), "UNEXPECTED") {
		t.Errorf("err %v, table:\n%s", err, buf.String())
	}
	buf.Reset()
	if err := PrintTable(&buf, []Outcome{{"GET /a", "x", "200", "200"}}); err != nil || !strings.Contains(buf.String(), "all 1 outcomes as expected") {
		t.Errorf("err %v, table:\n%s", err, buf.String())
	}
}
