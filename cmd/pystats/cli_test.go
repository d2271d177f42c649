package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pystats-dev/pystats/internal/golden"
	"github.com/pystats-dev/pystats/internal/shared"
)

// runCLI runs the command in-process and returns its exit status and outputs.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr,
		getenv: func(string) string { return "" },
		now:    func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) }}
	code := run(args, e)
	return code, stdout.String(), stderr.String()
}

const fixture313 = "../../testdata/dumps/3.13/json_tool"

// TestSummarizeGolden: the summarizer's JSON and markdown for a real 3.13.5
// dump, byte for byte (the markdown's footer date aside).
func TestSummarizeGolden(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.json")
	code, _, stderr := runCLI(t, "summarize", fixture313+"/raw", "--json-output", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile(fixture313 + "/summarize_stats.json")
	if !bytes.Equal(got, want) {
		t.Errorf("JSON differs from summarize_stats.py's (%d vs %d bytes)", len(got), len(want))
	}
	// Reading the written JSON back gives the same JSON again.
	again := filepath.Join(t.TempDir(), "again.json")
	if code, _, stderr := runCLI(t, "summarize", out, "--json-output", again); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got2, _ := os.ReadFile(again); !bytes.Equal(got2, want) {
		t.Errorf("re-read JSON differs")
	}
	wantMD, _ := os.ReadFile(fixture313 + "/summarize_stats.md")
	date := strings.TrimPrefix(lastLine(string(wantMD)), "Stats gathered on: ")
	for _, input := range []string{fixture313 + "/raw", fixture313 + "/summarize_stats.json"} {
		code, md, stderr := runCLI(t, "summarize", input, "--date", date)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", input, code, stderr)
		}
		if md != string(wantMD) {
			t.Errorf("%s: markdown differs from summarize_stats.py's", input)
		}
	}
}

func lastLine(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// TestExitCodes is the bad-input matrix at the command level: each case's
// exit status and message.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	mixed := filepath.Dir(write("mixed/a.txt", "opcode[1].execution_count : 1\n"))
	write("mixed/b.txt", "opcode[LOAD_FAST].execution_count : 1\n")
	twoColons := write("bad/twocolons.txt", "Frames pushed: 1\na: b: 1\n")
	pyperf := func(name, benchmarks string) string {
		return write(name, `{"version": "1.0", "metadata": {"unit": "second"}, "benchmarks": [`+benchmarks+`]}`)
	}
	benchA := pyperf("a.json", `{"metadata": {"name": "a"}, "runs": [{"values": [1.0, 1.1, 1.2]}]}`)
	benchB := pyperf("b.json", `{"metadata": {"name": "b"}, "runs": [{"values": [1.0, 1.1, 1.2]}]}`)
	noValues := pyperf("novalues.json", `{"metadata": {"name": "a"}, "runs": [{"warmups": [[1, 0.1]]}]}`)
	v9 := write("v9.json", `{"version": "9.0", "benchmarks": []}`)
	loop := filepath.Join(dir, "loop")
	os.Mkdir(loop, 0o755)
	os.Symlink(filepath.Join(loop, "l2"), filepath.Join(loop, "l1"))
	os.Symlink(filepath.Join(loop, "l1"), filepath.Join(loop, "l2"))
	sub := filepath.Dir(write("withsub/a.txt", "Frames pushed: 1\n"))
	os.Mkdir(filepath.Join(sub, "nested"), 0o755)
	tests := []struct {
		name string
		args []string
		code int
		msg  string // in stderr
	}{
		{"no command", nil, exitUsage, ""},
		{"unknown command", []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"unknown flag", []string{"summarize", "--frob"}, exitUsage, "unknown flag: --frob"},
		{"two inputs", []string{"summarize", "a", "b"}, exitUsage, "summarize takes one input"},
		{"bad style", []string{"summarize", fixture313 + "/raw", "--style", "e9"}, exitUsage, `unknown markdown style "e9"`},
		{"bad date", []string{"summarize", fixture313 + "/raw", "--date", "yesterday"}, exitUsage, "want YYYY-MM-DD"},
		{"missing path", []string{"summarize", filepath.Join(dir, "nope")}, exitInput, "no such file or directory"},
		{"empty directory", []string{"summarize", empty}, exitInput, "no pystats dump files"},
		{"mixed eras", []string{"summarize", mixed}, exitInput, "mixes numeric-opcode dumps"},
		{"binary file", []string{"info", write("bin.txt", "\x00\x01\x02\x03")}, exitInput, "bin.txt:1: binary data"},
		{"bad value", []string{"info", write("neg.txt", "Frames pushed: -3\n")}, exitInput, `neg.txt:1: value of "Frames pushed" is not an unsigned 64-bit decimal integer`},
		{"warning only", []string{"info", twoColons}, exitOK, "twocolons.txt:2: unparsable line"},
		{"strict", []string{"info", "--strict", twoColons}, exitInput, "twocolons.txt:2: unparsable line"},
		{"JSON not an object", []string{"summarize", write("list.json", "[1]")}, exitInput, "list.json:1: a summarize JSON is an object of counters"},
		{"JSON float counter", []string{"summarize", write("float.json", "{\n\"a\": 1.5}")}, exitInput, `float.json:2: counter "a" is not an unsigned 64-bit integer`},
		{"help", []string{"summarize", "--help"}, exitOK, "usage: pystats summarize"},
		{"symlink loop", []string{"summarize", loop}, exitInput, "too many levels of symbolic links"},
		{"subdirectory", []string{"summarize", sub}, exitInput, "nested: not a regular file"},
		{"no trailing newline", []string{"info", "--strict", write("trunc.txt", "Frames pushed: 1")}, exitInput, "trunc.txt:1: last line has no newline"},
		{"10 MB line", []string{"info", write("long.txt", strings.Repeat("k", 10<<20)+": 1\n")}, exitInput, "long.txt:1: key of 10485760 bytes"},
		{"sum overflow", []string{"info", write("ovf.txt", "Frames pushed: 18446744073709551615\nFrames pushed: 1\n")}, exitInput, `ovf.txt:2: sum of "Frames pushed" overflows uint64`},
		{"pyperf unknown version", []string{"timing", v9, benchA}, exitInput, `v9.json: pyperf file format version "9.0" not supported`},
		{"pyperf benchmark without values", []string{"timing", noValues, benchA}, exitInput, `novalues.json: benchmark "a" has no values`},
		{"pyperf nothing in common", []string{"timing", benchA, benchB}, exitInput, "benchmark suites have no benchmark in common"},
		{"compare one input", []string{"compare", fixture313 + "/raw"}, exitUsage, ""},
		{"3.15 data uses the 3.14 tables", []string{"info", write("main315.txt", "opcode[GET_ITER].specializable : 1\n    opcode[LOAD_FAST].execution_count : 5\nJIT GOT size: 3\n")}, exitOK, "no build tables for 3.15 are built in; using 3.14's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.msg) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.msg)
			}
		})
	}
}

// TestAtomicOutput: a failed run leaves no output file and no temporary file,
// an existing output is untouched on failure, and an input is never overwritten.
func TestAtomicOutput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("Frames pushed: x\n"), 0o644)
	if code, _, _ := runCLI(t, "summarize", bad, "--json-output", out); code != exitInput {
		t.Fatalf("exit %d, want %d", code, exitInput)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left behind: %v", entries)
	}
	os.WriteFile(out, []byte("keep"), 0o644)
	runCLI(t, "summarize", bad, "--json-output", out)
	if b, _ := os.ReadFile(out); string(b) != "keep" {
		t.Errorf("existing output changed on failure: %q", b)
	}
	input := filepath.Join(dir, "in.json")
	orig, _ := os.ReadFile(fixture313 + "/summarize_stats.json")
	os.WriteFile(input, orig, 0o644)
	code, _, stderr := runCLI(t, "summarize", input, "--json-output", input)
	if code != exitInput || !strings.Contains(stderr, "refusing to overwrite input file") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if b, _ := os.ReadFile(input); !bytes.Equal(b, orig) {
		t.Errorf("input modified")
	}
}

// TestReportDate: --date, else SOURCE_DATE_EPOCH, else today.
func TestReportDate(t *testing.T) {
	e := &env{getenv: func(k string) string {
		if k == "SOURCE_DATE_EPOCH" {
			return "1700000000"
		}
		return ""
	}, now: func() time.Time { return time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC) }}
	if d, _ := reportDate(e, "2024-06-29"); d != "2024-06-29" {
		t.Errorf("--date: %s", d)
	}
	if d, _ := reportDate(e, ""); d != "2023-11-14" {
		t.Errorf("SOURCE_DATE_EPOCH: %s", d)
	}
	e.getenv = func(string) string { return "" }
	if d, _ := reportDate(e, ""); d != "2030-01-02" {
		t.Errorf("today: %s", d)
	}
}

// TestSummarizeJSONAllWorkloads: for every 3.13.5 workload, `pystats
// summarize RAW --json-output` writes the same JSON object that 3.13.5's
// summarize_stats.py wrote for the same dumps (the three metadata keys from
// the embedded 3.13 tables included), and byte for byte when the file system
// lists the dumps in the order the summarizer saw (directories are read in
// the file system's order, as the summarizer did; the LARGE tarball keeps the
// archive's order).
func TestSummarizeJSONAllWorkloads(t *testing.T) {
	dumps := shared.Path(t, "data/dumps/3.13")
	refs, _ := filepath.Glob(filepath.Join(dumps, "*", "summarize_stats.json"))
	if len(refs) == 0 {
		t.Skip("no 3.13 workloads")
	}
	for _, ref := range refs {
		dir := filepath.Dir(ref)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			input := filepath.Join(dir, "raw")
			if _, err := os.Stat(input); err != nil {
				input = filepath.Join(dir, "raw.tar.gz")
			}
			out := filepath.Join(t.TempDir(), "out.json")
			if code, _, stderr := runCLI(t, "summarize", input, "--file-order", "directory", "--json-output", out); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got, _ := os.ReadFile(out)
			want, _ := os.ReadFile(ref)
			if bytes.Equal(got, want) {
				return
			}
			// Key order follows the order the file system lists the dumps in;
			// a copy of the data on another file system may list them otherwise.
			same, err := golden.SameJSONObject(got, want)
			if err != nil || !same {
				t.Fatalf("JSON object differs from summarize_stats.py's (%v)", err)
			}
			t.Logf("same JSON object as summarize_stats.py's; key order differs because this file system lists the dumps in another order")
		})
	}
}

// TestGuardOnlyForFileOutputs: the inputs are looked at (every file of a
// dump folder stat'ed) only when an output is a file or folder that could
// be one of them; a report to standard output needs no guard, and an
// output inside the input folder is still refused.
func TestGuardOnlyForFileOutputs(t *testing.T) {
	var in inputFlags
	for _, tc := range []struct {
		outs  []output
		guard bool
	}{
		{[]output{{flag: "-o", path: "-"}, {flag: "--json-output", path: ""}}, false},
		{[]output{{flag: "-o", path: ""}}, false},
		{[]output{{flag: "-o", path: "-"}, {flag: "--json-output", path: "x.json"}}, true},
		{[]output{{flag: "-o", path: "report.md"}}, true},
	} {
		if g := in.readPathsWhile(tc.outs, fixture313)(); (g != nil) != tc.guard {
			t.Errorf("outputs %+v: guard %v, want %v", tc.outs, g != nil, tc.guard)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("Frames pushed: 1\n"), 0o644)
	for _, args := range [][]string{
		{"summarize", dir, "-o", filepath.Join(dir, "a.txt")},
		{"summarize", dir, "--json-output", filepath.Join(dir, "out.json")},
		{"compare", dir, dir, "-o", filepath.Join(dir, "a.txt")},
	} {
		code, stdout, stderr := runCLI(t, args...)
		if code != exitInput || stdout != "" || !strings.Contains(stderr, "refusing to overwrite input") {
			t.Errorf("%v: exit %d, stdout %d bytes, stderr %q", args, code, len(stdout), stderr)
		}
	}
	if code, stdout, stderr := runCLI(t, "summarize", dir); code != exitOK || stdout == "" {
		t.Errorf("to standard output: exit %d, stderr %q", code, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.txt")); string(b) != "Frames pushed: 1\n" {
		t.Errorf("input changed: %q", b)
	}
}
