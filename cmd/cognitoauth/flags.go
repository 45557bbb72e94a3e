package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"
)

// newFlags returns a flag set whose --help text starts with synopsis.
func newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: cognitoauth %s\n\n", synopsis)
		fmt.Fprintln(fs.Output(), "flags:")
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags wherever they appear among the arguments (flag stops
// at the first argument otherwise) and returns the others in order. With
// --help it prints the usage to stdout and reports help; a bad flag is a
// usage error, its message and the usage go to stderr.
func parse(e env, fs *flag.FlagSet, args []string) (rest []string, help bool, err error) {
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				e.stdout.Write(buf.Bytes())
				return nil, true, nil
			}
			e.stderr.Write(buf.Bytes())
			return nil, false, &usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, false, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), false, nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	*l = append(*l, splitList(s)...)
	return nil
}

// splitList splits on commas and white space, dropping empty items.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

// timeFlag is an RFC 3339 time; zero means now.
type timeFlag struct{ t time.Time }

func (f *timeFlag) String() string {
	if f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f *timeFlag) Set(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("not an RFC 3339 time such as 2026-01-02T15:04:05Z")
	}
	f.t = t
	return nil
}

// now returns the flag's time, or the clock's.
func (f *timeFlag) now() time.Time {
	if f.t.IsZero() {
		return time.Now()
	}
	return f.t
}
