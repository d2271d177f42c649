package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/report/specview"
)

func specRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now}
	code := run(append([]string{"specialize"}, args...), e)
	return code, stdout.String(), stderr.String()
}

func specReadJSON(t *testing.T, path string) specview.SpecJSON {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var j specview.SpecJSON
	if err := json.Unmarshal(data, &j); err != nil {
		t.Fatal(err)
	}
	return j
}

// TestSpecializeBenchmarkFolder runs 'pystats specialize' on a run folder
// whose subfolders are the 3.13 workloads' dump folders: each benchmark's
// rows must equal those of the same folder given alone, the overall rows
// their sum, and the outputs must not depend on how many are read at once.
func TestSpecializeBenchmarkFolder(t *testing.T) {
	d := shared.Path(t, "data/dumps/3.13")
	run := t.TempDir()
	benches := []string{"compileall_stdlib", "json_tool", "json_tool_run2", "test_small"}
	for _, b := range benches {
		if err := os.Symlink(filepath.Join(d, b, "raw"), filepath.Join(run, b)); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	var mds []string
	for _, jobs := range []string{"1", "3"} {
		js := filepath.Join(out, "view"+jobs+".json")
		code, stdout, stderr := specRun(t, run, "--json-output", js, "--jobs", jobs, "-o", "-", "--top", "3")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		mds = append(mds, stdout)
		j := specReadJSON(t, js)
		if len(j.Benchmarks) != len(benches) {
			t.Fatalf("%d benchmarks", len(j.Benchmarks))
		}
		var tier1 uint64
		lost := map[string]uint64{}
		for i, b := range j.Benchmarks {
			if b.Name != benches[i] {
				t.Errorf("benchmark %d is %s, want %s", i, b.Name, benches[i])
			}
			alone := filepath.Join(out, b.Name+".json")
			if code, _, stderr := specRun(t, filepath.Join(d, b.Name, "raw"), "--json-output", alone); code != exitOK {
				t.Fatalf("%s alone: exit %d: %s", b.Name, code, stderr)
			}
			a := specReadJSON(t, alone)
			if a.Tier1 != b.Tier1 || len(a.Families) != len(b.Families) {
				t.Fatalf("%s: tier1 %d/%d, %d/%d families", b.Name, b.Tier1, a.Tier1, len(b.Families), len(a.Families))
			}
			for k, f := range b.Families {
				g := a.Families[k]
				if f.Family != g.Family || f.Lost != g.Lost || f.Generic != g.Generic || f.Misses != g.Misses || f.Deferred != g.Deferred || f.Hits != g.Hits {
					t.Errorf("%s row %d: in run %+v, alone %+v", b.Name, k, f, g)
				}
				lost[f.Family] += f.Lost
			}
			tier1 += b.Tier1
		}
		if j.Tier1 != tier1 {
			t.Errorf("overall Tier1 %d, benchmarks sum to %d", j.Tier1, tier1)
		}
		for _, f := range j.Families {
			if f.Lost != lost[f.Family] {
				t.Errorf("%s: overall lost %d, benchmarks sum to %d", f.Family, f.Lost, lost[f.Family])
			}
		}
		if len(j.Contributors) != 3 || j.Contributors[0].Family != j.Families[0].Family {
			t.Errorf("contributors %+v", j.Contributors)
		}
		// json_tool is the same workload run twice: LOAD_ATTR loses most in
		// test_small, then in the two json_tool runs.
		if j.Families[0].Family != "LOAD_ATTR" {
			t.Errorf("top family %s", j.Families[0].Family)
		}
	}
	if mds[0] != mds[1] {
		t.Error("markdown depends on --jobs")
	}
	for _, want := range []string{"4 benchmarks", "## Lost work by benchmark", "<td align=\"left\">json_tool_run2</td>"} {
		if !strings.Contains(mds[0], want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

// TestSpecializeLayouts reads the layouts dumps come in: a workload folder
// with raw/ beside the summarizer's outputs (the usual <benchmark>/raw/), a
// run folder of such folders with a stray README.md, and a dump folder
// with a stray README.md. Each gives the rows of its raw/ folder given
// alone; strays are named on stderr.
func TestSpecializeLayouts(t *testing.T) {
	d := shared.Path(t, "data/dumps/3.13")
	copyDir := func(src, dst string) {
		t.Helper()
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		ents, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			data, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tmp := t.TempDir()
	runDir := filepath.Join(tmp, "run")
	for _, w := range []string{"json_tool", "test_small"} {
		copyDir(filepath.Join(d, w), filepath.Join(runDir, w))               // summarize_stats.md, commands.txt, ...
		copyDir(filepath.Join(d, w, "raw"), filepath.Join(runDir, w, "raw")) // the dumps
	}
	readme := []byte("# notes: these are not dumps\n")
	if err := os.WriteFile(filepath.Join(runDir, "README.md"), readme, 0o644); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(tmp, "stray")
	copyDir(filepath.Join(d, "json_tool", "raw"), stray)
	if err := os.WriteFile(filepath.Join(stray, "README.md"), readme, 0o644); err != nil {
		t.Fatal(err)
	}

	_, alone, stderr := specRun(t, filepath.Join(d, "json_tool", "raw"))
	if stderr != "" {
		t.Fatalf("json_tool/raw: %s", stderr)
	}
	for _, tc := range []struct {
		name, input, warn string
	}{
		{"workload folder", filepath.Join(runDir, "json_tool"), ""},
		{"dump folder with README.md", stray, filepath.Join(stray, "README.md") + ": skipped: not a dump file"},
		{"LABEL=PATH", "label=" + filepath.Join(runDir, "json_tool"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := specRun(t, tc.input)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if (tc.warn == "") != (stderr == "") || !strings.Contains(stderr, tc.warn) {
				t.Errorf("stderr %q, want %q", stderr, tc.warn)
			}
			if stdout != alone {
				t.Error("rows differ from those of json_tool/raw given alone")
			}
		})
	}
	t.Run("run folder of workload folders", func(t *testing.T) {
		js := filepath.Join(tmp, "run.json")
		code, _, stderr := specRun(t, runDir, "--json-output", js)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if want := filepath.Join(runDir, "README.md") + ": skipped: not a benchmark folder"; !strings.Contains(stderr, want) {
			t.Errorf("stderr %q, want %q", stderr, want)
		}
		j := specReadJSON(t, js)
		if len(j.Benchmarks) != 2 || j.Benchmarks[0].Name != "json_tool" || j.Benchmarks[1].Name != "test_small" {
			t.Fatalf("benchmarks %+v", j.Benchmarks)
		}
	})
}

// TestSpecializeCommandErrors checks usage errors and input errors.
func TestSpecializeCommandErrors(t *testing.T) {
	d := shared.Path(t, "data/dumps/3.13")
	mixed := t.TempDir()
	if err := os.Mkdir(filepath.Join(mixed, "bench"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mixed, "stray.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"two inputs", []string{"a", "b"}, exitUsage},
		{"bad plot ext", []string{filepath.Join(d, "json_tool/raw"), "--plot", "x.pdf"}, exitUsage},
		{"bad top", []string{filepath.Join(d, "json_tool/raw"), "--top", "0"}, exitUsage},
		{"missing input", []string{filepath.Join(t.TempDir(), "nope")}, exitInput},
		{"mixed folder", []string{mixed}, exitInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, _, stderr := specRun(t, tc.args...); code != tc.want {
				t.Errorf("exit %d, want %d (%s)", code, tc.want, stderr)
			}
		})
	}
}

// TestSpecializePlotAndReport: --plot writes the chart and the markdown view
// still goes to standard output (side outputs never silence the report).
func TestSpecializePlotAndReport(t *testing.T) {
	d := shared.Path(t, "data/dumps/3.13/json_tool/raw")
	png := filepath.Join(t.TempDir(), "loss.png")
	code, stdout, stderr := specRun(t, d, "--plot", png)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout == "" {
		t.Error("no markdown on standard output with --plot")
	}
	data, err := os.ReadFile(png)
	if err != nil || !bytes.HasPrefix(data, []byte("\x89PNG")) {
		t.Errorf("no PNG written: %v", err)
	}
}
