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
)

// runCompareTest runs 'pystats compare' in process.
func runCompareTest(args ...string) (code int, stdout, stderr string) {
	var out, errw bytes.Buffer
	e := &env{stdout: &out, stderr: &errw, getenv: func(string) string { return "" }, now: time.Now}
	code = run(append([]string{"compare"}, args...), e)
	return code, out.String(), errw.String()
}

// TestCompareCommand runs 'pystats compare' in process on the 3.13 dumps and
// checks its output against the 3.13.5 summarizer's comparison: byte for
// byte with --no-summary, and after the Notable changes section without.
func TestCompareCommand(t *testing.T) {
	d := shared.Path(t, "data/dumps/3.13")
	want, err := os.ReadFile(filepath.Join(d, "_comparisons/json_tool_run1_vs_run2.md"))
	if err != nil {
		t.Fatal(err)
	}
	notable := "## Notable changes\n\nBase: 3.13; head: 3.13.\n\n" +
		"| Metric                               |  Base |  Head | Change | Relative |\n" +
		"|:-------------------------------------|------:|------:|-------:|---------:|\n" +
		"| `object[Method_cache_dunder_misses]` |   761 |   710 |    -51 |    -6.7% |\n" +
		"| `object[Method_cache_collisions]`    | 1,504 | 1,421 |    -83 |    -5.5% |\n\n"
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"json", []string{filepath.Join(d, "json_tool/summarize_stats.json"), filepath.Join(d, "json_tool_run2/summarize_stats.json")}},
		{"raw", []string{filepath.Join(d, "json_tool/raw"), filepath.Join(d, "json_tool_run2/raw")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{}, tc.args...), "--date", "2026-11-25")
			code, stdout, stderr := runCompareTest(append(args, "--no-summary")...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if stdout != string(want) {
				t.Errorf("--no-summary output differs from %s (%d vs %d bytes)", "json_tool_run1_vs_run2.md", len(stdout), len(want))
			}
			code, stdout, stderr = runCompareTest(args...)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if stdout != notable+string(want) {
				t.Errorf("output with summary:\n%s", stdout[:min(len(stdout), 1200)])
			}
		})
	}
	if code, _, _ := runCompareTest("only-one"); code != exitUsage {
		t.Errorf("one input: exit %d, want %d", code, exitUsage)
	}
	// LABEL=PATH inputs, as benchstat takes them: the labels head the
	// Notable changes section and the report itself is unchanged.
	code, stdout, stderr := runCompareTest("run1="+filepath.Join(d, "json_tool/raw"), "run2="+filepath.Join(d, "json_tool_run2/raw"), "--date", "2026-11-25")
	if code != exitOK {
		t.Fatalf("LABEL=PATH: exit %d: %s", code, stderr)
	}
	labelled := strings.Replace(notable, "Base: 3.13; head: 3.13.", "Base: run1, 3.13; head: run2, 3.13.", 1)
	if stdout != labelled+string(want) {
		t.Errorf("LABEL=PATH output:\n%s", stdout[:min(len(stdout), 400)])
	}
}

const (
	bmDir      = "data/real-pystats/"
	bm0615     = bmDir + "bm-20240615-3.13.0b2+-a19bb26/bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats.json"
	bm0615Uops = bmDir + "bm-20240615-3.13.0b2+-a19bb26-PYTHON_UOPS/bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats.json"
	bm0615Vs   = bmDir + "bm-20240615-3.13.0b2+-a19bb26-PYTHON_UOPS/bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats-vs-base.md"
	bm0619312  = bmDir + "bm-20230619-3.12.0b3-f992a60/bm-20230619-azure-x86_64-python-v3.12.0b3-3.12.0b3-f992a60-pystats.json"
)

// TestCompareFailOn checks --fail-on on the default build against the
// PYTHON_UOPS build of 3.13.0b2+ a19bb26: exit statuses, the offending rows
// on stderr, and usage errors naming the bad token.
func TestCompareFailOn(t *testing.T) {
	base, head := shared.Path(t, bm0615), shared.Path(t, bm0615Uops)
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		stderr   []string // substrings
		noStderr []string
	}{
		{"quiet gates", []string{"--fail-on", "any(miss_ratio) > +2pt, specialized_hits < -1pt", "--fail-on", "share[LOAD_FAST] > +0.5pt"}, exitOK, nil, []string{"tripped"}},
		{"hit ratios fall", []string{"--fail-on", "any(hit_ratio) < -5pt; miss_ratio[LOAD_ATTR] > +2pt"}, exitGate, []string{
			"pystats compare: --fail-on: 1 of 2 gates tripped:",
			"  any(hit_ratio) < -5pt: 3 offending rows",
			"    hit_ratio[BINARY_SUBSCR]: base 74.9%, head 65.8%, change -9.12pt (-12.2%)",
			"    hit_ratio[FOR_ITER]: base 73.0%, head 42.7%, change -30.32pt (-41.5%)",
			"    hit_ratio[STORE_SUBSCR]: base 49.8%, head 41.1%, change -8.69pt (-17.5%)",
		}, []string{"miss_ratio[LOAD_ATTR] > +2pt:"}},
		{"two gates trip", []string{"--no-summary", "--fail-on", "not_specialized < -1pt", "--fail-on", "failure_share[TO_BOOL:*] < -20pt"}, exitGate, []string{
			"2 of 2 gates tripped",
			"not_specialized: base 10.6%, head 8.9%, change -1.69pt (-15.9%)",
			"failure_share[TO_BOOL:number]: base 25.3%, head 2.4%, change -22.94pt (-90.5%)",
			"failure_share[TO_BOOL:other]: base 24.5%, head 2.6%, change -21.86pt (-89.3%)",
		}, nil},
		{"bad operator", []string{"--fail-on", "miss_ratio[LOAD_ATTR] >> 2pt"}, exitUsage, []string{`at ">"`, "want a number"}, nil},
		{"unknown metric", []string{"--fail-on", "miss[LOAD_ATTR] > 2pt"}, exitUsage, []string{`at "miss"`, "unknown metric"}, nil},
		{"no such family", []string{"--fail-on", "miss_ratio[LOAD_ATTRR] > 2pt"}, exitUsage, []string{"miss_ratio[LOAD_ATTRR] > +2pt: no row matches"}, nil},
		{"no Tier 2 on either side", []string{"--fail-on", "any(tier2) > 1pt"}, exitUsage, []string{"any(tier2) > +1pt", "no tier2 rows in this comparison"}, nil},
		{"bad threshold", []string{"--threshold", "0.5"}, exitUsage, []string{`"0.5" needs a unit`}, nil},
		{"bad top", []string{"--top", "-1"}, exitUsage, []string{"--top -1"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{base, head, "--date", "2024-06-17", "-o", filepath.Join(t.TempDir(), "out.md")}, tc.args...)
			code, _, stderr := runCompareTest(args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			for _, s := range tc.noStderr {
				if strings.Contains(stderr, s) {
					t.Errorf("stderr has %q:\n%s", s, stderr)
				}
			}
		})
	}
}

// TestCompareNotableOutputs checks the published bench_runner comparison
// byte for byte with --no-summary, the ranked Notable rows with --top and
// --threshold, and the JSON file.
func TestCompareNotableOutputs(t *testing.T) {
	base, head := shared.Path(t, bm0615), shared.Path(t, bm0615Uops)
	want, err := os.ReadFile(shared.Path(t, bm0615Vs))
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCompareTest(base, head, "--date", "2024-06-17", "--no-summary")
	if code != exitOK || stdout != string(want) {
		t.Fatalf("--no-summary: exit %d, %d bytes, want %d: %s", code, len(stdout), len(want), stderr)
	}
	jsonPath := filepath.Join(t.TempDir(), "notable.json")
	code, stdout, stderr = runCompareTest(base, head, "--date", "2024-06-17", "--top", "2", "--threshold", "1pt,50%", "--json-output", jsonPath)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasSuffix(stdout, string(want)) {
		t.Errorf("the summarizer's comparison does not follow the Notable changes")
	}
	section := strings.TrimSuffix(stdout, string(want))
	var rows []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `") {
			f := strings.Split(line, "|")
			for i := range f {
				f[i] = strings.TrimSpace(f[i])
			}
			rows = append(rows, strings.Join(f[1:6], " "))
		}
	}
	wantRows := []string{
		"`share[ENTER_EXECUTOR]` — 3.7% +3.75pt new",
		"`share[JUMP_BACKWARD]` 2.4% 0.0% -2.42pt -99.9%",
		"`failure_ratio[FOR_ITER]` 14.5% 79.8% +65.24pt +449.4%",
		"`deferred_ratio[FOR_ITER]` 26.9% 57.2% +30.35pt +112.9%",
		"`failure_share[BINARY_OP:subtract_different_types]` 44.9% 70.2% +25.27pt +56.3%",
		"`failure_share[COMPARE_OP:tuple]` 33.0% 8.3% -24.77pt -75.0%",
		"`not_specialized` 10.6% 8.9% -1.69pt -15.9%",
		"`basic` 54.0% 55.5% +1.44pt +2.7%",
		"`object[Method_cache_misses]` 102,386,999 30,978,694 -71,408,305 -69.7%",
		"`object[Method_cache_collisions]` 105,397,618 36,401,279 -68,996,339 -65.5%",
		"`call[Calls_to_PyEval_EvalDefault]` 27.1% 30.5% +3.42pt +12.6%",
		"`call[Calls_to_Python_functions_inlined]` 72.9% 69.5% -3.42pt -4.7%",
		"`gc[1:objects_collected]` 115,756,633 19,462,612 -96,294,021 -83.2%",
	}
	if strings.Join(rows, "\n") != strings.Join(wantRows, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(wantRows, "\n"))
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Base struct {
			Commit, Version string
		}
		Top         int
		ThresholdPt float64 `json:"threshold_pt"`
		Changes     []struct {
			Selector  string
			Unit      string
			BaseCount uint64 `json:"base_count"`
			BaseTotal uint64 `json:"base_total"`
		}
	}
	if err := json.Unmarshal(data, &j); err != nil {
		t.Fatal(err)
	}
	if j.Base.Commit != "a19bb26" || j.Base.Version != "3.13" || j.Top != 2 || j.ThresholdPt != 1 || len(j.Changes) != len(wantRows) {
		t.Errorf("JSON: %+v", j)
	}
	if c := j.Changes[2]; c.Selector != "failure_ratio[FOR_ITER]" || c.Unit != "ratio" || c.BaseTotal == 0 {
		t.Errorf("JSON change 2: %+v", c)
	}
}

// TestCompare312With313 compares the 3.12.0b3 data (numeric opcodes) with
// 3.13.0b2+ data (named): the 3.12 side is mapped to names, the builds'
// differences and the one-sided opcodes are warned about.
func TestCompare312With313(t *testing.T) {
	p12, p13 := shared.Path(t, bm0619312), shared.Path(t, bm0615)
	code, stdout, stderr := runCompareTest(p12, p13, "--date", "2026-01-01")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{
		"warning: different builds: base 3.12 (commit f992a60, branch v3.12.0b3, 2023-06-19T20:56:16+02:00) vs head 3.13 (commit a19bb26,",
		"warning: base has numeric opcodes: mapped to names with its build tables\n",
		"warning: _specialized_instructions differ: 12 only in base, 27 only in head",
		"warning: _defines differ: 4 entries only in base, 18 only in head",
		"warning: opcodes only in base (29): <0>, CALL_NO_KW_BUILTIN_FAST,",
		"; only in head (42): BINARY_SUBSCR_STR_INT, CACHE,",
	} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, stderr)
		}
	}
	for _, s := range []string{
		"**Warning:** base has numeric opcodes: mapped to names with its build tables.",
		"| `share[LOAD_FAST__LOAD_FAST]`",
		"| `specialized_hits`                                       |         29.2% |          34.7% |         +5.45pt |    +18.7% |",
		"<td align=\"left\">LOAD_ATTR</td>",
		"### LOAD_ATTR\n",
	} {
		if !strings.Contains(stdout, s) {
			t.Errorf("output lacks %q", s)
		}
	}
	for _, style := range []string{"e1", "e2"} {
		if code, _, stderr := runCompareTest(p12, p13, "--style", style); code != exitUsage || !strings.Contains(stderr, "mixed comparison") {
			t.Errorf("--style %s on a mixed pair: exit %d: %s", style, code, stderr)
		}
	}
	// A 3.12 pair: the E2 comparison with Notable changes from the mapped data.
	code, stdout, stderr = runCompareTest(p12, p12, "--date", "2026-01-01", "--fail-on", "any(share) > 0pt")
	if code != exitOK || !strings.Contains(stdout, "No change of at least 0.1pt (ratios) or 5% (counts).") || stderr != "" {
		t.Errorf("3.12 against itself: exit %d, stderr %q", code, stderr)
	}
}
