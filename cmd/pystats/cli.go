package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/pystats-dev/pystats/internal/atomicfile"
	"github.com/pystats-dev/pystats/internal/chunks"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report"
)

// Exit statuses.
const (
	exitOK    = 0
	exitUsage = 1
	exitInput = 2
	exitGate  = 3
)

// env is what a subcommand may touch of the outside world.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	// stderrIsTerminal enables progress bars.
	stderrIsTerminal bool
}

func newEnv(stdout, stderr io.Writer) *env {
	tty := false
	if f, ok := stderr.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &env{stdout: stdout, stderr: stderr, getenv: os.Getenv, now: time.Now, stderrIsTerminal: tty}
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(args []string, e *env) error
	// gcPercent, when not 0, is the collector's GOGC while the command
	// runs (unless the GOGC variable sets it): see collectLess.
	gcPercent int
}

// collectLess is the GOGC of the commands whose live heap is small and
// bounded whatever the input (summarize, info, compare: sums of at most
// MaxKeys counters; export: the tables of one such input at a time, under a
// soft memory limit for several). With the default of 100 the collector
// starts at a 4 MiB heap and, on two cores, takes one of them from the
// parser's workers several times in a run that lasts 50 ms (measured on the
// LARGE 3.13 run: 67.7 -> 57.2 ms at 400, 38.4 -> 38.5 MiB; export of it to
// Parquet: 85.5 -> 69.8 ms, 44.3 -> 44.8 MiB). At 400 the export and the
// compare of that run still collected once, at 16 MiB of heap, which their
// 18 MiB of allocations pass; at 1000 they do not (export of the LARGE run:
// 39.2-40.4 -> 35.9-37.4 ms, peak RSS 0.4-1.1 MiB more; summarize, which
// allocates less, never collected). A fleet export is paced by its memory
// limit, not by GOGC (300 inputs: the same time and 57 MiB at both).
const collectLess = 1000

// timingCollectLess is the GOGC of timing (a few pyperf files).
const timingCollectLess = 800

// collectLessLimit is the soft memory limit that goes with collectLess (and
// timingCollectLess), unless GOMEMLIMIT sets one: far above what these
// commands use (under 50 MiB), it keeps an input with a large live heap (a
// JSON file near MaxJSONSize) from growing the heap to 11 times that.
const collectLessLimit = 256 << 20

func commands() []command {
	return []command{
		{"summarize", "print the summarizer's report for one input, or write its raw JSON", runSummarize, collectLess},
		{"info", "describe an input: files, keys, era, version guess, problems", runInfo, collectLess},
		{"compare", "compare two inputs (base, head) as the summarizer does, with notable changes", runCompare, collectLess},
		{"export", "export inputs as Parquet, Arrow IPC or CSV tables", runExport, collectLess},
		{"timing", "compare pyperf results as 'pyperf compare_to -G --table' does", runTiming, timingCollectLess},
		{"results", "regenerate a bench_runner results directory (README, tables, plots)", runResults, 0},
		{"specialize", "rank specialization families by lost work", runSpecialize, 0},
	}
}

// usageError is a mistake in the command line (exit 1).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// gateError is a tripped --fail-on gate (exit 3).
type gateError struct{ msg string }

func (e gateError) Error() string { return e.msg }

func run(args []string, e *env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			return run([]string{args[1], "--help"}, e)
		}
		printUsage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(e.stdout, "pystats", version)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		if c.gcPercent != 0 && e.getenv("GOGC") == "" {
			defer debug.SetGCPercent(debug.SetGCPercent(c.gcPercent))
			if e.getenv("GOMEMLIMIT") == "" {
				defer debug.SetMemoryLimit(debug.SetMemoryLimit(collectLessLimit))
			}
		}
		err := c.run(args[1:], e)
		return exitStatus(e, c.name, err)
	}
	fmt.Fprintf(e.stderr, "pystats: unknown command %q\n\n", args[0])
	printUsage(e.stderr)
	return exitUsage
}

const version = "0.1.0"

func exitStatus(e *env, name string, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, pflag.ErrHelp) {
		return exitOK
	}
	msg := terminalSafe(err.Error())
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "pystats %s: %s\n", name, msg)
		fmt.Fprintf(e.stderr, "run 'pystats %s --help' for usage\n", name)
		return exitUsage
	}
	var ge gateError
	if errors.As(err, &ge) {
		fmt.Fprintf(e.stderr, "pystats %s: %s\n", name, msg)
		return exitGate
	}
	fmt.Fprintf(e.stderr, "pystats %s: %s\n", name, msg)
	return exitInput
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: pystats <command> [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "exit status: 0 ok, 1 usage error, 2 bad input, 3 a --fail-on gate tripped")
	fmt.Fprintln(w, "run 'pystats <command> --help' for a command's options")
}

// newFlags makes a subcommand's flag set; errors and help go to stderr.
func newFlags(e *env, name, usage string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: pystats %s %s\n\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, mapping flag errors to usage errors.
func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// reportDate is the date printed in report footers: --date, else
// SOURCE_DATE_EPOCH, else today (local time, as the summarizer prints it).
func reportDate(e *env, flagValue string) (string, error) {
	if flagValue != "" {
		t, err := time.Parse("2006-01-02", flagValue)
		if err != nil {
			return "", usagef("--date %q: want YYYY-MM-DD", flagValue)
		}
		return t.Format("2006-01-02"), nil
	}
	if s := e.getenv("SOURCE_DATE_EPOCH"); s != "" {
		secs, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return "", usagef("SOURCE_DATE_EPOCH %q is not a whole number of seconds", s)
		}
		return time.Unix(secs, 0).UTC().Format("2006-01-02"), nil
	}
	return e.now().Format("2006-01-02"), nil
}

// The output rule of every command: the main report goes to standard output
// unless -o sends it elsewhere; --json-output, --plot and other side outputs
// never silence it. "-" names standard output for every output flag, and at
// most one output may go there.
const outputRule = "The report goes to standard output unless -o sends it elsewhere; --json-output, --plot and other side outputs never silence it. '-' is standard output for every output flag."

// output is one output of a run as the command line names it.
type output struct {
	flag string // "-o", "--json-output", ...
	path string // "" for none, "-" for standard output
	dir  bool   // a folder replaced as a whole (export -o)
	// fill produces the output's bytes (for writeOutputs).
	fill func(w io.Writer) error
}

// writeOutputs produces every output before any is written, so a run that
// fails producing one of them writes none: each file output is streamed to
// a temporary file beside it (atomicfile.Stage: memory does not grow with
// the size of the outputs), standard output is buffered; then they are put
// in place in order. Outputs with an empty path are skipped.
func writeOutputs(e *env, inputs *atomicfile.Guard, outs ...output) error {
	staged := make([]*atomicfile.Staged, len(outs))
	bufs := make([]*chunks.Buffer, len(outs))
	abort := func() {
		for _, s := range staged {
			if s != nil {
				s.Abort()
			}
		}
	}
	for i, o := range outs {
		switch o.path {
		case "":
		case "-":
			bufs[i] = &chunks.Buffer{}
			if err := o.fill(bufs[i]); err != nil {
				abort()
				return err
			}
		default:
			s, err := atomicfile.Stage(o.path, inputs, o.fill)
			if err != nil {
				abort()
				return err
			}
			staged[i] = s
		}
	}
	for i := range outs {
		var err error
		switch {
		case staged[i] != nil:
			err = staged[i].Commit()
			staged[i] = nil
		case bufs[i] != nil:
			_, err = bufs[i].WriteTo(e.stdout)
		}
		if err != nil {
			abort()
			return err
		}
	}
	return nil
}

// checkOutputs runs before anything is read or written. Two outputs naming
// the same file (through links too), or two going to standard output, are a
// usage error; an output that is, lies inside or (for a folder) holds one of
// the files or folders that will be read is refused (bad input, exit 2).
func checkOutputs(guard *atomicfile.Guard, outs ...output) error {
	var named []output
	for _, o := range outs {
		if o.path != "" {
			named = append(named, o)
		}
	}
	for i, a := range named {
		for _, b := range named[i+1:] {
			if a.path == "-" && b.path == "-" {
				return usagef("%s - and %s - both send output to standard output; send one to a file", a.flag, b.flag)
			}
			if atomicfile.SameOutput(a.path, b.path) {
				return usagef("%s %s and %s %s name the same file", a.flag, quote(a.path), b.flag, quote(b.path))
			}
		}
	}
	for _, o := range named {
		if o.path == "-" {
			continue
		}
		check := guard.Check
		if o.dir {
			check = guard.CheckDir
		}
		if err := check(o.path); err != nil {
			return fmt.Errorf("%s: %w", o.flag, err)
		}
	}
	return nil
}

// readPaths guards what the command will read: each pystats input (see
// pystats.InputPaths) and the build-table file or checkout.
func (f *inputFlags) readPaths(inputs ...string) *atomicfile.Guard {
	return atomicfile.NewGuard(f.readList(inputs...))
}

// readPathsWhile is readPaths computed on another goroutine while the
// caller reads the inputs (it stats every file of a dump folder: 1,790
// files take milliseconds); the function it returns waits for the guard.
// Outputs are still checked against it before anything is written. When
// no output is a file (outs all standard output or unset), nothing can be
// written over an input and no guard is made: its stats would only take
// the other core from the readers (716 files: 1-2 ms of CPU).
func (f *inputFlags) readPathsWhile(outs []output, inputs ...string) func() *atomicfile.Guard {
	if !anyFile(outs) {
		return func() *atomicfile.Guard { return nil }
	}
	c := make(chan *atomicfile.Guard, 1)
	go func() { c <- f.readPaths(inputs...) }()
	return sync.OnceValue(func() *atomicfile.Guard { return <-c })
}

// anyFile reports whether one of outs names a file or folder (not "" or "-").
func anyFile(outs []output) bool {
	for _, o := range outs {
		if o.path != "" && o.path != "-" {
			return true
		}
	}
	return false
}

// readList lists what the command will read (see readPaths).
func (f *inputFlags) readList(inputs ...string) []string {
	return f.list(pystats.InputPaths, inputs)
}

// readListForFolder is readList for a command whose output is a folder
// (see pystats.InputPathsForFolder).
func (f *inputFlags) readListForFolder(inputs ...string) []string {
	return f.list(pystats.InputPathsForFolder, inputs)
}

// list is readList with paths listing each input.
func (f *inputFlags) list(paths func(string) []string, inputs []string) []string {
	var reads []string
	for _, in := range inputs {
		reads = append(reads, paths(in)...)
	}
	for _, p := range []string{f.tables, f.cpythonSrc} {
		if p != "" {
			reads = append(reads, p)
		}
	}
	return reads
}

// writeOutput writes an output ("-" or "" means stdout) refusing to write
// any of inputs; see atomicfile.Write for files. Standard output gets the
// bytes only when fill succeeded (no partial report).
func writeOutput(e *env, path string, inputs *atomicfile.Guard, fill func(w io.Writer) error) error {
	if path == "" || path == "-" {
		var buf chunks.Buffer
		if err := fill(&buf); err != nil {
			return err
		}
		_, err := buf.WriteTo(e.stdout)
		return err
	}
	return atomicfile.Write(path, inputs, fill)
}

// maxQuoted is how many bytes of an overlong value messages show; maxName
// is the longest name (a path, a label) quote shows whole.
const (
	maxQuoted = 40
	maxName   = 256
)

// quote is a name as messages show it: quoted with %q (no raw control bytes
// reach the terminal) and clipped to maxName bytes with an ellipsis.
func quote(s string) string {
	if len(s) > maxName {
		cut := maxName
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return fmt.Sprintf("%q…", s[:cut])
	}
	return fmt.Sprintf("%q", s)
}

// styleFits makes an E1 or E2 style (numeric opcodes: 3.11, 3.12) asked for
// named-opcode data (3.13+) a usage error, before anything is written.
func styleFits(flag string, st report.Style, data ...*input) error {
	if st != report.StyleE1 && !st.IsE2() {
		return nil
	}
	for _, d := range data {
		if d.Era.NamedOpcodes {
			v := d.Era.Version
			if v == "" {
				v = "3.13+"
			}
			return usagef("--style %s: input %s has named opcodes (%s data), which only the E4 styles render; use --style auto or an E4 style", flag, quote(d.Stats.Source.Path), v)
		}
	}
	return nil
}

// maxWord is the longest run of non-blank bytes terminalSafe shows whole.
const maxWord = 512

// terminalSafe is a message as it may reach a terminal: control bytes
// (other than newline and tab), DEL and invalid UTF-8 are escaped as \xNN,
// and a run of more than maxWord non-blank bytes (a 100,000-digit counter
// echoed by a reader) is clipped to maxQuoted bytes, an ellipsis and its
// length. Messages name files with %q already; this is the net under every
// message, readers' included.
func terminalSafe(msg string) string {
	var b strings.Builder
	for len(msg) > 0 {
		n := strings.IndexAny(msg, " \n\t")
		if n == 0 {
			b.WriteByte(msg[0])
			msg = msg[1:]
			continue
		}
		if n < 0 {
			n = len(msg)
		}
		word := msg[:n]
		msg = msg[n:]
		suffix := ""
		if len(word) > maxWord {
			suffix = fmt.Sprintf("…(%d bytes)", len(word))
			cut := maxQuoted
			for cut > 0 && !utf8.RuneStart(word[cut]) {
				cut--
			}
			word = word[:cut]
		}
		for i := 0; i < len(word); {
			r, size := utf8.DecodeRuneInString(word[i:])
			if (r == utf8.RuneError && size == 1) || r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, "\\x%02x", word[i])
			} else {
				b.WriteString(word[i : i+size])
			}
			i += size
		}
		b.WriteString(suffix)
	}
	return b.String()
}
