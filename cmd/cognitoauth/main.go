package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit statuses.
const (
	exitOK          = 0
	exitRefused     = 1
	exitUsage       = 2
	exitUnavailable = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a command reads and writes.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

type command struct {
	name, summary string
	run           func(ctx context.Context, e env, args []string) int
}

func commands() []command {
	return []command{
		{"decode", "print a token's header and payload, NOT verified", runDecode},
		{"verify", "verify a token as a service would and explain the verdict", runVerify},
		{"keys", "fetch and list a user pool's signing keys", runKeys},
		{"pool", "run a fake user pool (keys, OpenID configuration, token minting) on 127.0.0.1", runPool},
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "cognitoauth: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: cognitoauth COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-7s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"cognitoauth COMMAND --help\" for a command's flags.")
	fmt.Fprintln(w, "Exit status: 0 success, 1 token refused, 2 usage error, 3 keys unavailable.")
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// fail reports err in words on stderr and returns the exit status it means.
func fail(e env, name string, err error, code int) int {
	var ue *usageError
	if errors.As(err, &ue) {
		code = exitUsage
	}
	fmt.Fprintf(e.stderr, "cognitoauth %s: %v\n", name, err)
	if code == exitUsage {
		fmt.Fprintf(e.stderr, "Run \"cognitoauth %s --help\" for usage.\n", name)
	}
	return code
}
