package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
)

// kindRow is one failure kind as an output shows it.
type kindRow struct {
	family, label string
	count         uint64
}

// markdownKinds reads the failure-kind tables of a summarizer report: the
// E1/E2 pipe tables ("|Failure kind | ..." after "### FAMILY") and the E4
// HTML tables (after "specialization stats for FAMILY family").
func markdownKinds(t *testing.T, md string) []kindRow {
	t.Helper()
	var out []kindRow
	family, inTable, html := "", false, false
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "<summary> specialization stats for ") && strings.HasSuffix(l, " family </summary>"):
			family = strings.TrimSuffix(strings.TrimPrefix(l, "<summary> specialization stats for "), " family </summary>")
			inTable = false
		case strings.HasPrefix(l, "|Failure kind |"):
			inTable, html = true, false
		case l == `<th align="left">Failure kind</th>`:
			inTable, html = true, true
		case !inTable:
		case !html && strings.HasPrefix(l, "|---"):
		case !html && strings.HasPrefix(l, "| "):
			cells := strings.Split(strings.Trim(l, "| "), " | ")
			n, err := strconv.ParseUint(strings.ReplaceAll(cells[1], ",", ""), 10, 64)
			if err != nil {
				t.Fatalf("line %d: %q", i+1, l)
			}
			out = append(out, kindRow{family, cells[0], n})
		case !html:
			inTable = false
		case l == "</tbody>":
			inTable = false
		case strings.HasPrefix(l, `<td align="left">`) && i+1 < len(lines):
			label := strings.TrimSuffix(strings.TrimPrefix(l, `<td align="left">`), "</td>")
			num := strings.TrimSuffix(strings.TrimPrefix(lines[i+1], `<td align="right">`), "</td>")
			n, err := strconv.ParseUint(strings.ReplaceAll(num, ",", ""), 10, 64)
			if err != nil {
				t.Fatalf("line %d: %q", i+2, lines[i+1])
			}
			out = append(out, kindRow{family, label, n})
			i++
		}
	}
	return out
}

// exportKinds reads the failure_kinds table of a CSV export.
func exportKinds(t *testing.T, dir string) []kindRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "failure_kinds.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	var out []kindRow
	for _, r := range recs[1:] {
		n, _ := strconv.ParseUint(r[col["count"]], 10, 64)
		out = append(out, kindRow{r[col["family"]], r[col["label"]], n})
	}
	return out
}

// specKinds reads the failure kinds of every family of `specialize
// --json-output`.
func specKinds(t *testing.T, path string) []kindRow {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Families, Excluded []struct {
			Family       string `json:"family"`
			FailureKinds []struct {
				Label string `json:"label"`
				Count uint64 `json:"count"`
			} `json:"failure_kinds"`
		}
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var out []kindRow
	for _, f := range append(v.Families, v.Excluded...) {
		for _, k := range f.FailureKinds {
			out = append(out, kindRow{f.Family, k.Label, k.Count})
		}
	}
	return out
}

// getIterJSON is a synthetic summarize JSON of a build whose GET_ITER is
// specializable (main after 3.14) but without the 3.14 refcount counters:
// the data once had GET_ITER kinds named by the ITER rule in the export and
// by the 3.13 rule in the markdown ("generator" vs "kind 12").
const getIterJSON = `{"opcode[GET_ITER].specializable": 1, "opcode[GET_ITER].execution_count": 100,
"opcode[GET_ITER].specialization.failure": 30, "opcode[GET_ITER].specialization.failure_kinds[12]": 20,
"opcode[GET_ITER].specialization.failure_kinds[4]": 10, "opcode[GET_ITER_LIST].execution_count": 50,
"opcode[FOR_ITER].specializable": 1, "opcode[FOR_ITER].execution_count": 7,
"opcode[FOR_ITER].specialization.failure": 5, "opcode[FOR_ITER].specialization.failure_kinds[12]": 5,
"Calls to PyEval_EvalDefault": 1, "__nfiles__": 1,
"_specialized_instructions": ["GET_ITER_LIST"], "_stats_defines": {},
"_defines": {"4": ["OUT_OF_RANGE"], "12": ["ITER_GENERATOR", "GET_ITER_OTHER"]}}`

// TestFailureKindLabelsAgree: every failure kind has the same label in the
// summarizer's markdown, the `specialize` view (named-opcode data) and the
// export, for data of each era and sub-style, with a synthetic GET_ITER case.
func TestFailureKindLabelsAgree(t *testing.T) {
	synthetic := filepath.Join(t.TempDir(), "getiter.json")
	if err := os.WriteFile(synthetic, []byte(getIterJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	tables := func(name string) string { return "../../testdata/tables/" + name }
	rp := "data/real-pystats/"
	for _, tc := range []struct {
		name   string
		input  string // shared path, or local when it starts with "."  or "/"
		tables string
		named  bool
	}{
		{"3.11 E1", "../../testdata/dumps/3.11/json_tool/raw", "", false},
		{"3.11 E1 test_small", "data/dumps/3.11/test_small/raw", "", false},
		{"3.12 E2", rp + "bm-20230619-3.12.0b3-f992a60/bm-20230619-azure-x86_64-python-v3.12.0b3-3.12.0b3-f992a60-pystats.json", "", false},
		{"E2 2022-11", rp + "faster-cpython-ideas/pystats-052bc12-2022-11-29.json", tables("052bc12.json"), false},
		{"E2 2022-12", rp + "faster-cpython-ideas/pystats-2022-12-22-python-4cc63e0.json", tables("4cc63e0.json"), false},
		{"E2 2023-04", rp + "faster-cpython-ideas/pystats-2023-04-16-python-4fe1c4b.json", tables("4fe1c4b.json"), false},
		{"E2 2023-08", rp + "faster-cpython-ideas/pystats-2023-08-20-python-a47c13c.json", tables("a47c13c.json"), false},
		{"3.13 E4b", "../../testdata/dumps/3.13/json_tool/raw", "", true},
		{"E4a", rp + "bm-20240329-3.13.0a5+-bfc57d4/bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats.json", "", true},
		{"E4b-2024", rp + "bm-20240615-3.13.0b2+-a19bb26/bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats.json", "", true},
		{"E4c", "../../testdata/json/bm-20250315-azure-x86_64-python-e82c2ca2a59235bc1965-3.14.0a6+-e82c2ca-pystats-python_startup_no_site.json", "", true},
		{"synthetic GET_ITER", synthetic, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			input := tc.input
			if !strings.HasPrefix(input, ".") && !strings.HasPrefix(input, "/") {
				input = shared.Path(t, input)
			}
			var extra []string
			if tc.tables != "" {
				extra = []string{"--tables", tc.tables}
			}
			dir := t.TempDir()
			code, md, stderr := runCLI(t, append([]string{"summarize", input, "--date", "2026-01-01"}, extra...)...)
			if code != 0 {
				t.Fatalf("summarize: exit %d: %s", code, stderr)
			}
			out := filepath.Join(dir, "export")
			if code, _, stderr := runCLI(t, append([]string{"export", input, "-o", out, "--format", "csv"}, extra...)...); code != 0 {
				t.Fatalf("export: exit %d: %s", code, stderr)
			}
			mdRows, exRows := markdownKinds(t, md), exportKinds(t, out)
			if len(mdRows) == 0 {
				t.Fatal("no failure kinds in the markdown")
			}
			type key struct{ family, label string }
			exported := map[key][]uint64{}
			for _, r := range exRows {
				exported[key{r.family, r.label}] = append(exported[key{r.family, r.label}], r.count)
			}
			shown := map[key]bool{}
			for _, r := range mdRows {
				shown[key{r.family, r.label}] = true
				found := false
				for _, n := range exported[key{r.family, r.label}] {
					found = found || n == r.count
				}
				if !found {
					t.Errorf("markdown %s %q (%d) is not in the export (%v)", r.family, r.label, r.count, exported[key{r.family, r.label}])
				}
			}
			for _, r := range exRows {
				if r.count != 0 && !shown[key{r.family, r.label}] && strings.Contains(md, "for "+r.family+" family") {
					t.Errorf("export %s %q (%d) is not in the markdown", r.family, r.label, r.count)
				}
			}
			if !tc.named {
				return
			}
			js := filepath.Join(dir, "spec.json")
			if code, _, stderr := runCLI(t, append([]string{"specialize", input, "--json-output", js, "--all-families"}, extra...)...); code != 0 {
				t.Fatalf("specialize: exit %d: %s", code, stderr)
			}
			md4 := map[key]uint64{}
			for _, r := range mdRows {
				md4[key{r.family, r.label}] = r.count
			}
			for _, r := range specKinds(t, js) {
				if n, ok := md4[key{r.family, r.label}]; !ok || n != r.count {
					t.Errorf("specialize view %s %q (%d): markdown has %d (%v)", r.family, r.label, r.count, n, ok)
				}
			}
			if tc.name == "synthetic GET_ITER" && !strings.Contains(md, "<td align=\"left\">generator</td>") {
				t.Errorf("GET_ITER kind 12 is not named by the ITER rule:\n%s", md)
			}
		})
	}
}
