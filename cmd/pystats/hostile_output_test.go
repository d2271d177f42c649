package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pystats-dev/pystats/internal/atomicfile"
)

// The hostile-output suite (issue 14): every way an output can be pointed at
// something it must not replace or clobber. Each case runs the command in
// process and asserts the exit status, the message, that no input changed
// (hashes of every file under in/ before and after), and that no partial or
// temporary file is left anywhere under the test folder.

// outFixture is the test folder: in/ holds the inputs, out/ the outputs.
type outFixture struct {
	root, in, out                                 string
	dump, dumpFile, summ, tables, base, head, ext string
}

const (
	pyperfBase = `{"benchmarks":[{"metadata":{"loops":8,"name":"mult_list"},"runs":[{"values":[2.0e-06,2.5e-06,3.0e-06]},{"values":[2.1e-06,2.4e-06,2.9e-06]}]}],"metadata":{"perf_version":"2.9.0","unit":"second"},"version":"1.0"}`
	pyperfHead = `{"benchmarks":[{"metadata":{"loops":8,"name":"mult_list"},"runs":[{"values":[1.0e-06,1.5e-06,1.2e-06]},{"values":[1.1e-06,1.4e-06,1.3e-06]}]}],"metadata":{"perf_version":"2.9.0","unit":"second"},"version":"1.0"}`
)

func newOutFixture(t *testing.T) *outFixture {
	t.Helper()
	root := t.TempDir()
	f := &outFixture{root: root, in: filepath.Join(root, "in"), out: filepath.Join(root, "out")}
	f.dump = filepath.Join(f.in, "dump")
	f.ext = filepath.Join(root, "ext") // a dump the folder links to
	for _, d := range []string{f.dump, f.out, f.ext} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	raw := fixture313 + "/raw"
	entries, _ := os.ReadDir(raw)
	data, err := os.ReadFile(filepath.Join(raw, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	f.dumpFile = filepath.Join(f.dump, "a.txt")
	os.WriteFile(f.dumpFile, data, 0o644)
	os.WriteFile(filepath.Join(f.ext, "b.txt"), data, 0o644)
	os.Symlink(filepath.Join(f.ext, "b.txt"), filepath.Join(f.dump, "b.txt"))
	summ, _ := os.ReadFile(fixture313 + "/summarize_stats.json")
	f.summ = filepath.Join(f.in, "summ.json")
	os.WriteFile(f.summ, summ, 0o644)
	tables, _ := os.ReadFile("../../testdata/tables/4cc63e0.json")
	f.tables = filepath.Join(f.in, "tables.json")
	os.WriteFile(f.tables, tables, 0o644)
	f.base = filepath.Join(f.in, "base.json")
	f.head = filepath.Join(f.in, "head.json")
	os.WriteFile(f.base, []byte(pyperfBase), 0o644)
	os.WriteFile(f.head, []byte(pyperfHead), 0o644)
	return f
}

// hashTree maps every file under dir (links followed for files) to a hash
// of its bytes and its mode.
func hashTree(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				out[p] = "not a file"
				return nil
			}
			b, _ := os.ReadFile(p)
			sum := sha256.Sum256(b)
			lfi, _ := os.Lstat(p)
			out[p] = hex.EncodeToString(sum[:]) + " " + fi.Mode().String() + " " + lfi.Mode().Type().String()
			return nil
		})
	}
	return out
}

// strays lists pystats temporary files and folders under root.
func strays(root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && (strings.HasPrefix(d.Name(), ".pystats-tmp-") || strings.HasPrefix(d.Name(), ".pystats-old-")) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestHostileOutputs(t *testing.T) {
	type tc struct {
		name   string
		args   func(f *outFixture) []string
		setup  func(t *testing.T, f *outFixture)
		code   int
		stderr string                                                   // substring of stderr
		check  func(t *testing.T, f *outFixture, stdout, stderr string) // more
	}
	refused := "refusing to overwrite input"
	tests := []tc{
		// 1. Nothing that is read is ever written.
		{name: "summarize -o a dump in the input folder", code: exitInput, stderr: refused,
			args: func(f *outFixture) []string { return []string{"summarize", f.dump, "-o", f.dumpFile} }},
		{name: "summarize --json-output a new file inside the input folder", code: exitInput, stderr: "lies inside input folder",
			args: func(f *outFixture) []string {
				return []string{"summarize", f.dump, "--json-output", filepath.Join(f.dump, "new.json")}
			}},
		{name: "summarize -o the file a dump entry links to", code: exitInput, stderr: refused,
			args: func(f *outFixture) []string {
				return []string{"summarize", f.dump, "-o", filepath.Join(f.ext, "b.txt")}
			}},
		{name: "summarize -o a link to the input", code: exitInput, stderr: refused,
			setup: func(t *testing.T, f *outFixture) { os.Symlink(f.summ, filepath.Join(f.out, "l.md")) },
			args:  func(f *outFixture) []string { return []string{"summarize", f.summ, "-o", filepath.Join(f.out, "l.md")} }},
		{name: "summarize -o a hard link of the input", code: exitInput, stderr: refused,
			setup: func(t *testing.T, f *outFixture) { os.Link(f.summ, filepath.Join(f.out, "h.md")) },
			args:  func(f *outFixture) []string { return []string{"summarize", f.summ, "-o", filepath.Join(f.out, "h.md")} }},
		{name: "summarize -o a hard link elsewhere of a dump in the folder", code: exitInput, stderr: refused,
			setup: func(t *testing.T, f *outFixture) { os.Link(f.dumpFile, filepath.Join(f.out, "h.md")) },
			args:  func(f *outFixture) []string { return []string{"summarize", f.dump, "-o", filepath.Join(f.out, "h.md")} }},
		{name: "summarize -o the --tables file", code: exitInput, stderr: refused,
			args: func(f *outFixture) []string {
				return []string{"summarize", f.summ, "--tables", f.tables, "-o", f.tables}
			}},
		{name: "summarize -o inside the input folder through a folder link", code: exitInput, stderr: refused,
			setup: func(t *testing.T, f *outFixture) { os.Symlink(f.dump, filepath.Join(f.out, "dl")) },
			args: func(f *outFixture) []string {
				return []string{"summarize", f.dump, "-o", filepath.Join(f.out, "dl", "x.md")}
			}},
		{name: "compare -o a dump of the base folder", code: exitInput, stderr: refused,
			args: func(f *outFixture) []string { return []string{"compare", f.dump, f.summ, "-o", f.dumpFile} }},
		{name: "compare --json-output the head", code: exitInput, stderr: refused,
			args: func(f *outFixture) []string { return []string{"compare", f.dump, f.summ, "--json-output", f.summ} }},
		{name: "specialize -o inside the input folder", code: exitInput, stderr: refused,
			args: func(f *outFixture) []string {
				return []string{"specialize", f.dump, "-o", filepath.Join(f.dump, "v.md")}
			}},
		{name: "specialize --plot over the input", code: exitInput, stderr: refused,
			setup: func(t *testing.T, f *outFixture) { os.Symlink(f.summ, filepath.Join(f.out, "p.png")) },
			args: func(f *outFixture) []string {
				return []string{"specialize", f.summ, "--plot", filepath.Join(f.out, "p.png")}
			}},
		{name: "specialize --json-output over a dump", code: exitInput, stderr: refused,
			args: func(f *outFixture) []string { return []string{"specialize", f.dump, "--json-output", f.dumpFile} }},
		{name: "export into the dump folder", code: exitInput, stderr: refused,
			args: func(f *outFixture) []string { return []string{"export", f.dump, "-o", f.dump} }},
		{name: "export into a folder inside the dump folder", code: exitInput, stderr: refused,
			args: func(f *outFixture) []string { return []string{"export", f.dump, "-o", filepath.Join(f.dump, "tables")} }},
		{name: "export into a folder holding the input", code: exitInput, stderr: "holds input",
			args: func(f *outFixture) []string { return []string{"export", f.dump, "-o", f.in} }},
		{name: "export into the folder a dump entry links into", code: exitInput, stderr: "holds input",
			args: func(f *outFixture) []string { return []string{"export", f.dump, "-o", f.ext} }},
		{name: "timing -o the base", code: exitInput, stderr: refused,
			args: func(f *outFixture) []string { return []string{"timing", f.base, f.head, "-o", f.base} }},
		{name: "timing --json-output a link to the head", code: exitInput, stderr: refused,
			setup: func(t *testing.T, f *outFixture) { os.Symlink(f.head, filepath.Join(f.out, "h.json")) },
			args: func(f *outFixture) []string {
				return []string{"timing", f.base, f.head, "--json-output", filepath.Join(f.out, "h.json")}
			}},
		{name: "timing --plot over the base", code: exitInput, stderr: refused,
			setup: func(t *testing.T, f *outFixture) { os.Symlink(f.base, filepath.Join(f.out, "p.png")) },
			args: func(f *outFixture) []string {
				return []string{"timing", f.base, f.head, "--plot", filepath.Join(f.out, "p.png")}
			}},
		{name: "results README linked to a raw result", code: exitInput, stderr: refused,
			setup: func(t *testing.T, f *outFixture) {
				bm := filepath.Join(f.in, "res", "bm-x")
				os.MkdirAll(bm, 0o755)
				os.WriteFile(filepath.Join(bm, "bm-x.json"), []byte(pyperfBase), 0o644)
				os.Symlink("bm-x.json", filepath.Join(bm, "README.md"))
			},
			args: func(f *outFixture) []string { return []string{"results", filepath.Join(f.in, "res")} }},

		// 2. Non-regular outputs are written to, links written through.
		{name: "-o a link to a regular file writes the target", code: exitOK,
			setup: func(t *testing.T, f *outFixture) {
				os.WriteFile(filepath.Join(f.out, "target.md"), []byte("old"), 0o600)
				os.Symlink("target.md", filepath.Join(f.out, "link.md"))
			},
			args: func(f *outFixture) []string {
				return []string{"summarize", f.summ, "-o", filepath.Join(f.out, "link.md")}
			},
			check: func(t *testing.T, f *outFixture, _, _ string) {
				if fi, _ := os.Lstat(filepath.Join(f.out, "link.md")); fi == nil || fi.Mode()&fs.ModeSymlink == 0 {
					t.Error("the link was replaced")
				}
				b, _ := os.ReadFile(filepath.Join(f.out, "target.md"))
				if !strings.HasPrefix(string(b), "# ") && !strings.Contains(string(b), "Execution counts") {
					t.Errorf("target not written: %.40q", b)
				}
				if fi, _ := os.Stat(filepath.Join(f.out, "target.md")); fi.Mode().Perm() != 0o600 {
					t.Errorf("target mode %04o, want 0600", fi.Mode().Perm())
				}
			}},
		{name: "-o a folder", code: exitInput, stderr: "is a directory",
			args: func(f *outFixture) []string { return []string{"summarize", f.summ, "-o", f.out} }},
		{name: "-o in a missing folder", code: exitInput, stderr: "no such file",
			args: func(f *outFixture) []string {
				return []string{"summarize", f.summ, "-o", filepath.Join(f.out, "nope", "r.md")}
			}},
		{name: "-o - is standard output", code: exitOK,
			args: func(f *outFixture) []string { return []string{"summarize", f.summ, "-o", "-"} },
			check: func(t *testing.T, f *outFixture, stdout, _ string) {
				if !strings.Contains(stdout, "Execution counts") {
					t.Errorf("no report on stdout")
				}
			}},
		{name: "--json-output - with -o FILE", code: exitOK,
			args: func(f *outFixture) []string {
				return []string{"summarize", f.summ, "--json-output", "-", "-o", filepath.Join(f.out, "r.md")}
			},
			check: func(t *testing.T, f *outFixture, stdout, _ string) {
				if !strings.HasPrefix(stdout, "{") {
					t.Errorf("no JSON on stdout: %.40q", stdout)
				}
				if _, err := os.Stat(filepath.Join(f.out, "r.md")); err != nil {
					t.Error(err)
				}
			}},

		// 4. Modes.
		{name: "a replaced 0600 file stays 0600", code: exitOK,
			setup: func(t *testing.T, f *outFixture) { os.WriteFile(filepath.Join(f.out, "r.md"), []byte("old"), 0o600) },
			args:  func(f *outFixture) []string { return []string{"summarize", f.summ, "-o", filepath.Join(f.out, "r.md")} },
			check: func(t *testing.T, f *outFixture, _, _ string) {
				if fi, _ := os.Stat(filepath.Join(f.out, "r.md")); fi.Mode().Perm() != 0o600 {
					t.Errorf("mode %04o", fi.Mode().Perm())
				}
			}},
		{name: "a new file gets 0666 minus the umask", code: exitOK,
			args: func(f *outFixture) []string {
				return []string{"summarize", f.summ, "--json-output", filepath.Join(f.out, "n.json")}
			},
			check: func(t *testing.T, f *outFixture, _, _ string) {
				if fi, _ := os.Stat(filepath.Join(f.out, "n.json")); fi.Mode().Perm() != atomicfile.NewFileMode() {
					t.Errorf("mode %04o, want %04o", fi.Mode().Perm(), atomicfile.NewFileMode())
				}
			}},
		{name: "a read-only output is refused", code: exitInput, stderr: "read-only",
			setup: func(t *testing.T, f *outFixture) {
				p := filepath.Join(f.out, "ro.md")
				os.WriteFile(p, []byte("keep"), 0o444)
				os.Chmod(p, 0o444)
			},
			args: func(f *outFixture) []string {
				return []string{"summarize", f.summ, "-o", filepath.Join(f.out, "ro.md")}
			},
			check: func(t *testing.T, f *outFixture, _, _ string) {
				if b, _ := os.ReadFile(filepath.Join(f.out, "ro.md")); string(b) != "keep" {
					t.Errorf("read-only file changed: %.40q", b)
				}
			}},

		// 5. Two outputs naming the same file.
		{name: "--json-output X -o X", code: exitUsage, stderr: "name the same file",
			args: func(f *outFixture) []string {
				x := filepath.Join(f.out, "x")
				return []string{"summarize", f.summ, "--json-output", x, "-o", x}
			}},
		{name: "--json-output X -o link-to-X", code: exitUsage, stderr: "name the same file",
			setup: func(t *testing.T, f *outFixture) {
				os.WriteFile(filepath.Join(f.out, "x"), nil, 0o644)
				os.Symlink("x", filepath.Join(f.out, "lx"))
			},
			args: func(f *outFixture) []string {
				return []string{"summarize", f.summ, "--json-output", filepath.Join(f.out, "x"), "-o", filepath.Join(f.out, "lx")}
			}},
		{name: "--json-output - with the report on stdout", code: exitUsage, stderr: "standard output",
			args: func(f *outFixture) []string { return []string{"summarize", f.summ, "--json-output", "-"} }},
		{name: "compare -o X --json-output X", code: exitUsage, stderr: "name the same file",
			args: func(f *outFixture) []string {
				x := filepath.Join(f.out, "x")
				return []string{"compare", f.summ, f.summ, "--json-output", x, "-o", x}
			}},
		{name: "specialize --plot X.png --json-output X.png", code: exitUsage, stderr: "name the same file",
			args: func(f *outFixture) []string {
				x := filepath.Join(f.out, "x.png")
				return []string{"specialize", f.summ, "--plot", x, "--json-output", x}
			}},
		{name: "timing -o X --json-output X", code: exitUsage, stderr: "name the same file",
			args: func(f *outFixture) []string {
				x := filepath.Join(f.out, "x")
				return []string{"timing", f.base, f.head, "--json-output", x, "-o", x}
			}},

		// 3. Export commits as a set.
		{name: "export over an older export removes its extra tables", code: exitOK, stderr: "benchmarks.parquet",
			setup: func(t *testing.T, f *outFixture) {
				os.MkdirAll(filepath.Join(f.out, "x"), 0o755)
				os.WriteFile(filepath.Join(f.out, "x", "benchmarks.parquet"), []byte("old"), 0o644)
				os.WriteFile(filepath.Join(f.out, "x", "counters.parquet"), []byte("old"), 0o644)
			},
			args: func(f *outFixture) []string { return []string{"export", f.dump, "-o", filepath.Join(f.out, "x")} },
			check: func(t *testing.T, f *outFixture, _, _ string) {
				if _, err := os.Stat(filepath.Join(f.out, "x", "benchmarks.parquet")); err == nil {
					t.Error("the older export's table stayed")
				}
				if b, _ := os.ReadFile(filepath.Join(f.out, "x", "counters.parquet")); string(b) == "old" {
					t.Error("counters not replaced")
				}
			}},
		{name: "export into a folder holding other files", code: exitInput, stderr: "not part of a pystats export",
			setup: func(t *testing.T, f *outFixture) {
				os.MkdirAll(filepath.Join(f.out, "x"), 0o755)
				os.WriteFile(filepath.Join(f.out, "x", "notes.txt"), []byte("mine"), 0o644)
			},
			args: func(f *outFixture) []string { return []string{"export", f.dump, "-o", filepath.Join(f.out, "x")} },
			check: func(t *testing.T, f *outFixture, _, _ string) {
				if entries, _ := os.ReadDir(filepath.Join(f.out, "x")); len(entries) != 1 {
					t.Errorf("folder changed: %v", entries)
				}
			}},

		// 6. Stale temporary files of a killed run.
		{name: "stale temporary files of dead runs are removed", code: exitOK,
			setup: func(t *testing.T, f *outFixture) {
				old := time.Now().Add(-time.Hour)
				for _, n := range []string{".pystats-tmp-999999999-0123abcd-r.md", "keep.pystats-tmp-1"} {
					p := filepath.Join(f.out, n)
					os.WriteFile(p, []byte("x"), 0o644)
					os.Chtimes(p, old, old)
				}
			},
			args: func(f *outFixture) []string { return []string{"summarize", f.summ, "-o", filepath.Join(f.out, "r.md")} },
			check: func(t *testing.T, f *outFixture, _, _ string) {
				if _, err := os.Stat(filepath.Join(f.out, "keep.pystats-tmp-1")); err != nil {
					t.Error("a file that is not ours was removed")
				}
			}},

		// 7. Side outputs never silence the report.
		{name: "summarize --json-output F prints the markdown too", code: exitOK,
			args: func(f *outFixture) []string {
				return []string{"summarize", f.summ, "--json-output", filepath.Join(f.out, "j.json")}
			},
			check: func(t *testing.T, f *outFixture, stdout, _ string) {
				if !strings.Contains(stdout, "Execution counts") {
					t.Error("no markdown on stdout")
				}
				if fi, err := os.Stat(filepath.Join(f.out, "j.json")); err != nil || fi.Size() == 0 {
					t.Errorf("no JSON: %v", err)
				}
			}},
		{name: "timing --json-output F prints the table too", code: exitOK,
			args: func(f *outFixture) []string {
				return []string{"timing", f.base, f.head, "--json-output", filepath.Join(f.out, "t.json")}
			},
			check: func(t *testing.T, f *outFixture, stdout, _ string) {
				if !strings.Contains(stdout, "mult_list") {
					t.Errorf("no table on stdout: %q", stdout)
				}
			}},

		// 8. Usage mistakes exit 1, bad input 2, messages quoted and clipped.
		{name: "--style e1 on 3.13 data", code: exitUsage, stderr: "named opcodes",
			args: func(f *outFixture) []string {
				return []string{"summarize", f.summ, "--style", "e1", "-o", filepath.Join(f.out, "r.md")}
			},
			check: func(t *testing.T, f *outFixture, _, _ string) {
				if _, err := os.Stat(filepath.Join(f.out, "r.md")); err == nil {
					t.Error("output written")
				}
			}},
		{name: "--style e2 on 3.13 data", code: exitUsage, stderr: "named opcodes",
			args: func(f *outFixture) []string { return []string{"summarize", f.dump, "--style", "e2"} }},
		{name: "compare with a head without opcode data blames the head", code: exitInput, stderr: `head "`,
			setup: func(t *testing.T, f *outFixture) {
				os.WriteFile(filepath.Join(f.in, "noop.txt"), []byte("Object allocations: 10\n"), 0o644)
			},
			args: func(f *outFixture) []string { return []string{"compare", f.summ, filepath.Join(f.in, "noop.txt")} },
			check: func(t *testing.T, f *outFixture, _, stderr string) {
				if strings.Contains(stderr, "numeric") || strings.Contains(stderr, "base") {
					t.Errorf("message blames the wrong thing: %s", stderr)
				}
			}},
		{name: "compare with a base without opcode data blames the base", code: exitInput, stderr: `base "`,
			setup: func(t *testing.T, f *outFixture) {
				os.WriteFile(filepath.Join(f.in, "noop.txt"), []byte("Object allocations: 10\n"), 0o644)
			},
			args: func(f *outFixture) []string { return []string{"compare", filepath.Join(f.in, "noop.txt"), f.summ} }},
		{name: "--resamples above the maximum", code: exitUsage, stderr: "--resamples",
			args: func(f *outFixture) []string {
				return []string{"timing", "--ci", "--resamples", "9223372036854775807", f.base, f.head}
			}},
		{name: "--resamples 0", code: exitUsage, stderr: "--resamples",
			args: func(f *outFixture) []string { return []string{"timing", "--ci", "--resamples", "0", f.base, f.head} }},
		{name: "--min-speed NaN", code: exitUsage, stderr: "--min-speed",
			args: func(f *outFixture) []string { return []string{"timing", "--min-speed", "NaN", f.base, f.head} }},
		{name: "specialize --jobs too many", code: exitUsage, stderr: "--jobs",
			args: func(f *outFixture) []string { return []string{"specialize", f.summ, "--jobs", "100000000"} }},
		{name: "a 100,000-digit counter is clipped", code: exitInput, stderr: "…",
			setup: func(t *testing.T, f *outFixture) {
				os.WriteFile(filepath.Join(f.in, "big.json"), []byte(`{"__nfiles__": 1, "Object allocations": `+strings.Repeat("9", 100000)+`}`), 0o644)
			},
			args: func(f *outFixture) []string { return []string{"summarize", filepath.Join(f.in, "big.json")} },
			check: func(t *testing.T, f *outFixture, _, stderr string) {
				if len(stderr) > 1000 {
					t.Errorf("message of %d bytes", len(stderr))
				}
			}},
		{name: "an escape sequence in a file name is not sent raw", code: exitInput,
			setup: func(t *testing.T, f *outFixture) {
				d := filepath.Join(f.in, "esc")
				os.Mkdir(d, 0o755)
				os.WriteFile(filepath.Join(d, "a\x1b[31mred.txt"), []byte("Object allocations: x\n"), 0o644)
			},
			args: func(f *outFixture) []string { return []string{"summarize", "--strict", filepath.Join(f.in, "esc")} },
			check: func(t *testing.T, f *outFixture, stdout, stderr string) {
				if strings.ContainsRune(stderr+stdout, 0x1b) {
					t.Errorf("raw escape byte on the terminal: %q", stderr)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newOutFixture(t)
			if tt.setup != nil {
				tt.setup(t, f)
			}
			args := tt.args(f)
			before := hashTree(t, f.in, f.ext)
			code, stdout, stderr := runCLI(t, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %.300s", code, tt.code, stderr)
			}
			if tt.stderr != "" && !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %.300q lacks %q", stderr, tt.stderr)
			}
			after := hashTree(t, f.in, f.ext)
			for p, h := range before {
				if after[p] != h {
					t.Errorf("input %s changed", p)
				}
			}
			for p := range after {
				if _, ok := before[p]; !ok {
					t.Errorf("new file among the inputs: %s", p)
				}
			}
			if s := strays(f.root); len(s) > 0 {
				t.Errorf("temporary files left: %v", s)
			}
			if tt.check != nil {
				tt.check(t, f, stdout, stderr)
			}
		})
	}
}

// TestOutputToFIFO: a FIFO output is written to, never replaced by a file.
func TestOutputToFIFO(t *testing.T) {
	f := newOutFixture(t)
	fifo := filepath.Join(f.out, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO:", err)
	}
	got := make(chan string, 1)
	go func() {
		r, err := os.Open(fifo)
		if err != nil {
			got <- ""
			return
		}
		b, _ := io.ReadAll(r)
		r.Close()
		got <- string(b)
	}()
	code, _, stderr := runCLI(t, "summarize", f.summ, "-o", fifo)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	select {
	case s := <-got:
		if !strings.Contains(s, "Execution counts") {
			t.Errorf("FIFO reader got %.60q", s)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("nothing came through the FIFO")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("FIFO replaced: %v %v", fi.Mode(), err)
	}
	if s := strays(f.root); len(s) > 0 {
		t.Errorf("temporary files left: %v", s)
	}
}

// TestSignalRemovesTemporaryFiles: SIGHUP, SIGINT and SIGTERM during a write
// remove the temporary file and exit with 128 + the signal (the handler of
// main, installed as main installs it, in a child process of this test
// binary).
func TestSignalRemovesTemporaryFiles(t *testing.T) {
	if dir := os.Getenv("PYSTATS_SIGNAL_CHILD"); dir != "" {
		atomicfile.OnFirstTemp(handleSignals)
		atomicfile.Write(filepath.Join(dir, "out.md"), nil, func(w io.Writer) error {
			io.WriteString(w, "partial")
			os.Stdout.WriteString("ready\n")
			select {} // until the signal
		})
		os.Exit(0)
	}
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestSignalRemovesTemporaryFiles$")
			cmd.Env = append(os.Environ(), "PYSTATS_SIGNAL_CHILD="+dir)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, _ := bufio.NewReader(out).ReadString('\n')
			if line != "ready\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child said %q", line)
			}
			if s := strays(dir); len(s) != 1 {
				t.Errorf("want one temporary file while writing, got %v", s)
			}
			cmd.Process.Signal(sig)
			err = cmd.Wait()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 128+int(sig) {
				t.Errorf("exit %v, want %d", err, 128+int(sig))
			}
			if s := strays(dir); len(s) > 0 {
				t.Errorf("temporary files left: %v", s)
			}
			if _, err := os.Stat(filepath.Join(dir, "out.md")); err == nil {
				t.Error("partial output committed")
			}
		})
	}
}

// TestSignalBeforeAnyOutput: before a temporary file exists the handler is
// not installed, so SIGINT ends a run by its default action, as it ends any
// Unix tool (the shell sees 130 and a loop around pystats stops), and
// nothing is written.
func TestSignalBeforeAnyOutput(t *testing.T) {
	if dir := os.Getenv("PYSTATS_SIGNAL_EARLY_CHILD"); dir != "" {
		atomicfile.OnFirstTemp(handleSignals)
		os.Stdout.WriteString("ready\n")
		time.Sleep(time.Minute) // reading an input, until the signal
		os.Exit(0)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignalBeforeAnyOutput$")
	cmd.Env = append(os.Environ(), "PYSTATS_SIGNAL_EARLY_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child said %q", line)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Fatalf("exit %v, want killed by SIGINT", err)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("exit %v, want killed by SIGINT", err)
	}
	if s := strays(dir); len(s) > 0 {
		t.Errorf("files left: %v", s)
	}
}

// TestExportReplacesItsOwnExport: every layout an export writes is
// recognised as an export by the next one (so a folder can be exported into
// again), and a change of format or layout removes the old files, naming
// them.
func TestExportReplacesItsOwnExport(t *testing.T) {
	f := newOutFixture(t)
	dir := filepath.Join(f.out, "x")
	layouts := [][]string{
		{"--format", "parquet"},
		{"--format", "parquet", "--partition"},
		{"--format", "arrow"},
		{"--format", "csv", "--partition"},
		{"--format", "csv"},
	}
	for i, l := range layouts {
		args := append([]string{"export", f.dump, f.base, "-o", dir}, l...)
		code, _, stderr := runCLI(t, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", l, code, stderr)
		}
		if i > 0 && !strings.Contains(stderr, "removed") {
			t.Errorf("%v after %v: the previous files are not named: %s", l, layouts[i-1], stderr)
		}
		ext := "." + l[1]
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasSuffix(p, ext) {
				t.Errorf("%v: stale file %s", l, p)
			}
			return nil
		})
	}
	if s := strays(f.root); len(s) > 0 {
		t.Errorf("temporary files left: %v", s)
	}
}

// TestWriteOutputsAllOrNone: when producing one output of a run fails, none
// is written (the side output first in order included), and stdout gets
// nothing.
func TestWriteOutputsAllOrNone(t *testing.T) {
	dir := t.TempDir()
	var stdout strings.Builder
	e := &env{stdout: &stdout, stderr: io.Discard}
	first := filepath.Join(dir, "first.json")
	err := writeOutputs(e, nil,
		output{path: first, fill: func(w io.Writer) error { _, err := io.WriteString(w, "{}"); return err }},
		output{path: "-", fill: func(w io.Writer) error {
			io.WriteString(w, "half a report")
			return io.ErrUnexpectedEOF
		}})
	if err != io.ErrUnexpectedEOF {
		t.Errorf("error %v", err)
	}
	if _, err := os.Stat(first); err == nil {
		t.Error("the first output was written")
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout got %q", stdout.String())
	}
	if s := strays(dir); len(s) > 0 {
		t.Errorf("temporary files left: %v", s)
	}
}

// TestOutputToProcFD: /proc/self/fd/N naming an open regular file is
// written through that file (appended at its end, as after a shell's
// redirection), never replaced by a new file.
func TestOutputToProcFD(t *testing.T) {
	f := newOutFixture(t)
	p := filepath.Join(f.out, "fd.md")
	w, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	io.WriteString(w, "head\n")
	before, _ := os.Stat(p)
	fd := "/proc/self/fd/" + strconv.Itoa(int(w.Fd()))
	if _, err := os.Stat(fd); err != nil {
		t.Skip("no /proc:", err)
	}
	code, _, stderr := runCLI(t, "summarize", f.summ, "-o", fd)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	after, _ := os.Stat(p)
	if !os.SameFile(before, after) {
		t.Error("the file was replaced")
	}
	b, _ := os.ReadFile(p)
	if !strings.HasPrefix(string(b), "head\n") || !strings.Contains(string(b), "Execution counts") {
		t.Errorf("content %.60q", b)
	}
	if s := strays(f.root); len(s) > 0 {
		t.Errorf("temporary files left: %v", s)
	}
}
