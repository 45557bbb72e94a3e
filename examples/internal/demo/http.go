package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// The routes every HTTP example serves.
const (
	PublicPath = "/public" // anyone
	MePath     = "/me"     // any signed-in user
	AdminPath  = "/admin"  // members of AdminGroup only
)

// Outcome is one row of the smoke-test table.
type Outcome struct {
	Request, Caller string
	Got, Want       string
}

// PrintTable writes the outcomes as a table and returns an error naming
// every row whose outcome is not the expected one.
func PrintTable(w io.Writer, rows []Outcome) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUEST\tCALLER\tGOT\tWANT\t")
	var bad []string
	for _, r := range rows {
		mark := "ok"
		if r.Got != r.Want {
			mark = "UNEXPECTED"
			bad = append(bad, r.Request+" as "+r.Caller)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Request, r.Caller, r.Got, r.Want, mark)
	}
	tw.Flush()
	if len(bad) > 0 {
		return fmt.Errorf("%d unexpected outcome(s): %v", len(bad), bad)
	}
	fmt.Fprintf(w, "all %d outcomes as expected\n", len(rows))
	return nil
}

// call is one smoke-test request: a caller's token on a path.
type call struct {
	path, caller, token string
	want                int
}

// allCalls lists the demo requests.
func allCalls(env *Env) []call {
	return []call{
		{PublicPath, "anonymous", "", http.StatusOK},
		{MePath, "anonymous", "", http.StatusUnauthorized},
		{MePath, "bob (user)", env.User, http.StatusOK},
		{MePath, "alice (admin)", env.Admin, http.StatusOK},
		{MePath, "bad token", env.Bad, http.StatusUnauthorized},
		{AdminPath, "bob (user)", env.User, http.StatusForbidden},
		{AdminPath, "alice (admin)", env.Admin, http.StatusOK},
	}
}

// calls lists the smoke-test requests for env: those needing a user or
// admin token are left out when a real pool was given none.
func calls(env *Env) []call {
	var out []call
	for _, c := range allCalls(env) {
		if c.caller == "anonymous" || c.token != "" {
			out = append(out, c)
		}
	}
	return out
}

// PrintCurl prints a ready-to-paste curl line per demo request.
func PrintCurl(w io.Writer, baseURL string, env *Env) {
	for _, c := range allCalls(env) {
		auth := ""
		switch c.caller {
		case "bob (user)":
			auth = `-H "Authorization: Bearer $USER_TOKEN" `
		case "alice (admin)":
			auth = `-H "Authorization: Bearer $ADMIN_TOKEN" `
		case "bad token":
			auth = `-H "Authorization: Bearer $BAD_TOKEN" `
		}
		fmt.Fprintf(w, "curl -i %s%s%s   # %s → %d\n", auth, baseURL, c.path, c.caller, c.want)
	}
	fmt.Fprintln(w)
}

// SmokeHTTP sends the smoke-test requests to baseURL and prints the table.
func SmokeHTTP(ctx context.Context, w io.Writer, baseURL string, env *Env) error {
	return PrintTable(w, SmokeRows(ctx, baseURL, env))
}

// SmokeRows sends the smoke-test requests to baseURL and returns their
// outcomes, for a program that adds its own before printing the table.
func SmokeRows(ctx context.Context, baseURL string, env *Env) []Outcome {
	var rows []Outcome
	for _, c := range calls(env) {
		rows = append(rows, Send(ctx, http.MethodGet, baseURL+c.path, c.caller, c.token, c.want))
	}
	return rows
}

// Send makes one request with token as bearer (none if empty) and returns
// its outcome against the status want.
func Send(ctx context.Context, method, url, caller, token string, want int) Outcome {
	got, err := status(ctx, method, url, token)
	if err != nil {
		got = "error: " + err.Error()
	}
	path := url
	if i := strings.Index(url, "://"); i >= 0 {
		if j := strings.Index(url[i+3:], "/"); j >= 0 {
			path = url[i+3+j:]
		}
	}
	return Outcome{Request: method + " " + path, Caller: caller, Got: got, Want: strconv.Itoa(want)}
}

func status(ctx context.Context, method, url, token string) (string, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return "", err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return strconv.Itoa(resp.StatusCode), nil
}

// RunHTTP is an HTTP example's main loop: listen on flags.Addr, print the
// tokens and curl lines, then either run the smoke test and return its
// verdict (-smoke) or serve until interrupted.
func RunHTTP(ctx context.Context, out io.Writer, stack string, flags Flags, env *Env, h http.Handler) error {
	ln, err := net.Listen("tcp", flags.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	base := "http://" + ln.Addr().String()
	PrintTokens(out, stack, base, env)
	PrintCurl(out, base, env)
	if flags.Smoke {
		return SmokeHTTP(ctx, out, base, env)
	}
	fmt.Fprintln(out, "press Ctrl-C to stop")
	return Wait(ctx, done)
}

// Wait blocks until ctx ends, SIGINT or SIGTERM arrives (nil), or the
// server stops on its own (its error).
func Wait(ctx context.Context, served <-chan error) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	select {
	case <-ctx.Done():
		return nil
	case err := <-served:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}
