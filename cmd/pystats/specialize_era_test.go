package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/report/specview"
)

// summarizerFamily is what a summarizer's markdown says of one family: its
// Kind table rows, its attempts and failure kinds, and the "Execution counts"
// of its instructions.
type summarizerFamily struct {
	kinds    map[string]uint64 // "unquickened", "specialization.deferred", "hit", "miss"
	attempts map[string]uint64 // "Success", "Failure"
	failures map[string]uint64 // failure-kind label -> count
}

// mdCount parses a markdown count cell ("1,234" or "1234").
func mdCount(t *testing.T, cell string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(strings.ReplaceAll(strings.TrimSpace(cell), ",", ""), 10, 64)
	if err != nil {
		t.Fatalf("count cell %q: %v", cell, err)
	}
	return n
}

// mdCells splits a markdown table row into trimmed cells.
func mdCells(line string) []string {
	cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

// readSummarizerMarkdown reads the execution counts and the families'
// specialization tables of a summarizer's markdown.
func readSummarizerMarkdown(t *testing.T, path string) (exec map[string]uint64, fams map[string]*summarizerFamily) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	exec, fams = map[string]uint64{}, map[string]*summarizerFamily{}
	var section, table string
	var fam *summarizerFamily
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			section, fam = strings.TrimPrefix(line, "## "), nil
			continue
		case strings.HasPrefix(line, "### ") && strings.HasPrefix(section, "Specialization stats"):
			fam = &summarizerFamily{kinds: map[string]uint64{}, attempts: map[string]uint64{}, failures: map[string]uint64{}}
			fams[strings.TrimPrefix(line, "### ")] = fam
			continue
		case !strings.HasPrefix(line, "|"):
			table = ""
			continue
		}
		c := mdCells(line)
		if len(c) < 2 || strings.HasPrefix(c[0], "---") || strings.HasPrefix(c[1], "---") {
			continue
		}
		switch {
		case c[0] == "Name" || c[0] == "Kind" || c[0] == "Failure kind" || c[0] == "":
			table = c[0]
		case section == "Execution counts" && table == "Name":
			exec[c[0]] = mdCount(t, c[1])
		case fam != nil && table == "Kind":
			fam.kinds[c[0]] = mdCount(t, c[1])
		case fam != nil && table == "":
			fam.attempts[c[0]] = mdCount(t, c[1])
		case fam != nil && table == "Failure kind":
			fam.failures[c[0]] = mdCount(t, c[1])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return exec, fams
}

// TestSpecializeNumericEras runs 'pystats specialize' on real 3.11.2 dumps
// and a real 3.12.0b3 summarize JSON (numeric-opcode data, named through the
// embedded tables) and checks the ranked families against that version's own
// summarizer markdown: the generic executions (in 3.11 the family's
// "unquickened" row plus its *_ADAPTIVE form's executions, which the 3.11
// summarizer counts as not specialized), deferred, hits, the family's miss
// row, attempts, and every failure kind's label and count.
func TestSpecializeNumericEras(t *testing.T) {
	real312 := "data/real-pystats/bm-20230619-3.12.0b3-f992a60/bm-20230619-azure-x86_64-python-v3.12.0b3-3.12.0b3-f992a60-pystats"
	for _, tc := range []struct {
		name, input, md string
		line311         bool
		families        []string
	}{
		{"3.11 json_tool (testdata)", "../../testdata/dumps/3.11/json_tool/raw", "../../testdata/dumps/3.11/json_tool/summarize_stats.md", true,
			[]string{"BINARY_OP", "LOAD_ATTR", "BINARY_SUBSCR", "CALL", "STORE_SUBSCR"}},
		{"3.11 test_small", "data/dumps/3.11/test_small/raw", "data/dumps/3.11/test_small/summarize_stats.md", true,
			[]string{"BINARY_OP", "LOAD_ATTR", "LOAD_GLOBAL", "CALL"}},
		{"3.12.0b3", real312 + ".json", real312 + ".md", false,
			[]string{"LOAD_ATTR", "BINARY_SUBSCR", "CALL", "BINARY_OP", "FOR_ITER"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			input, md := tc.input, tc.md
			if strings.HasPrefix(input, "data/") {
				input, md = shared.Path(t, input), shared.Path(t, md)
			}
			js := filepath.Join(t.TempDir(), "view.json")
			code, stdout, stderr := specRun(t, input, "--json-output", js)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, "Specialization loss by family") {
				t.Errorf("markdown lacks the ranked table:\n%.400s", stdout)
			}
			exec, fams := readSummarizerMarkdown(t, md)
			j := specReadJSON(t, js)
			for _, name := range tc.families {
				want := fams[name]
				if want == nil {
					t.Fatalf("%s: no specialization table in %s", name, md)
				}
				var got *specview.SpecFamilyJSON
				for i := range j.Families {
					if j.Families[i].Family == name {
						got = &j.Families[i]
					}
				}
				if got == nil {
					t.Fatalf("%s: not ranked (families: %d)", name, len(j.Families))
				}
				generic := exec[name]
				if tc.line311 {
					if want.kinds["unquickened"] != exec[name] {
						t.Errorf("%s: markdown unquickened %d != execution count %d", name, want.kinds["unquickened"], exec[name])
					}
					generic += exec[name+"_ADAPTIVE"]
				}
				for _, c := range []struct {
					what      string
					got, want uint64
				}{
					{"generic", got.Generic, generic},
					{"deferred", got.Deferred, want.kinds["specialization.deferred"]},
					{"hits", got.Hits, want.kinds["hit"]},
					{"misses", got.Misses, want.kinds["miss"]},
					{"lost", got.Lost, generic + want.kinds["miss"]},
					{"success", got.Success, want.attempts["Success"]},
					{"failure", got.Failure, want.attempts["Failure"]},
				} {
					if c.got != c.want {
						t.Errorf("%s: %s = %d, the summarizer's markdown says %d", name, c.what, c.got, c.want)
					}
				}
				if len(got.FailureKinds) != len(want.failures) {
					t.Errorf("%s: %d failure kinds, the markdown lists %d", name, len(got.FailureKinds), len(want.failures))
				}
				for _, k := range got.FailureKinds {
					if n, ok := want.failures[k.Label]; !ok || n != k.Count {
						t.Errorf("%s: failure kind %q = %d, the markdown has %d (listed: %v)", name, k.Label, k.Count, n, ok)
					}
				}
			}
			// The export's specialization_loss table ranks the same rows.
			out := filepath.Join(t.TempDir(), "x")
			if code, _, stderr := runCLI(t, "export", input, "-o", out, "--format", "csv"); code != exitOK {
				t.Fatalf("export: exit %d: %s", code, stderr)
			}
			csv, err := os.ReadFile(filepath.Join(out, "specialization_loss.csv"))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
			if len(lines) < 2 {
				t.Fatalf("specialization_loss.csv has no rows")
			}
			// run,commit,fork,ref,date,rank,family,has_forms,tier1,lost,generic,...
			f := strings.Split(lines[1], ",")
			if top := j.Families[0]; len(f) < 11 || f[6] != top.Family || f[9] != strconv.FormatUint(top.Lost, 10) || f[10] != strconv.FormatUint(top.Generic, 10) {
				t.Errorf("export's first specialization_loss row %q, the command ranks %s first (lost %d, generic %d)", lines[1], top.Family, top.Lost, top.Generic)
			}
		})
	}
}
