package export

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/timing"
)

// mdCell is one row of a summarizer table: its count and printed ratio.
type mdCell struct {
	count int64
	ratio string
}

// mdFamilyTables reads the "Specialization stats" section of an E4
// markdown report: family → table (Kind, Success, Failure kind) → row
// label → count and ratio as printed.
func mdFamilyTables(t testing.TB, path string) map[string]map[string]map[string]mdCell {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	heading := regexp.MustCompile(`^### (\S+)$`)
	th := regexp.MustCompile(`^<th align="left">(Kind|Success|Failure kind)</th>$`)
	left := regexp.MustCompile(`^<td align="left">(.*?)(</td>)?$`)
	right := regexp.MustCompile(`^<td align="right">(.*)</td>$`)
	out := map[string]map[string]map[string]mdCell{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	in, family, table, label := false, "", "", ""
	var cells []string
	wantLabel := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "## Specialization stats":
			in = true
			continue
		case strings.HasPrefix(line, "## "):
			in = false
		}
		if !in {
			continue
		}
		if m := heading.FindStringSubmatch(line); m != nil {
			family, table = m[1], ""
			out[family] = map[string]map[string]mdCell{}
			continue
		}
		if m := th.FindStringSubmatch(line); m != nil {
			table = m[1]
			continue
		}
		if table == "" {
			continue
		}
		switch {
		case line == "</tbody>":
			table = ""
		case line == "<tr>":
			label, cells = "", nil
		case wantLabel && line != "":
			label, wantLabel = line, false
		case left.MatchString(line):
			m := left.FindStringSubmatch(line)
			if m[1] == "" {
				wantLabel = true
			} else {
				label = m[1]
			}
		case right.MatchString(line):
			cells = append(cells, right.FindStringSubmatch(line)[1])
		case line == "</tr>" && label != "" && len(cells) == 2:
			n, err := strconv.ParseInt(strings.ReplaceAll(cells[0], ",", ""), 10, 64)
			if err != nil {
				t.Fatalf("%s: %s %s %s: count %q", path, family, table, label, cells[0])
			}
			if out[family][table] == nil {
				out[family][table] = map[string]mdCell{}
			}
			out[family][table][label] = mdCell{n, cells[1]}
		}
	}
	return out
}

// pct prints a ratio as the summarizer does: one decimal and "%".
func pct(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprintf("%.1f%%", v.(float64)*100)
}

// TestFamiliesMatchSummarizer checks the families and failure_kinds tables
// against the "Specialization stats" section written by CPython's
// summarize_stats.py for the same dumps: the same families, each Kind-table
// row's count and ratio, the Success table, and the failure-kind shares.
func TestFamiliesMatchSummarizer(t *testing.T) {
	for _, w := range []string{"json_tool", "test_small"} {
		t.Run(w, func(t *testing.T) {
			mem := checkedMem(t)
			dir := dataPath(t, "dumps/3.13/"+w)
			in := loadStats(t, mem, w, filepath.Join(dir, "raw"))
			md := mdFamilyTables(t, filepath.Join(dir, "summarize_stats.md"))
			out := t.TempDir()
			if _, err := Write(out, []Input{in}, Options{Allocator: mem}); err != nil {
				t.Fatal(err)
			}
			fams := readParquet(t, mem, filepath.Join(out, "families.parquet"))
			if len(fams.rows) != len(md) || len(md) == 0 {
				t.Errorf("%d families, the report has %d", len(fams.rows), len(md))
			}
			for r := range fams.rows {
				name := fams.get(r, "family").(string)
				want, ok := md[name]
				if !ok {
					t.Errorf("family %s is not in the report", name)
					continue
				}
				if fams.get(r, "selector") != name {
					t.Errorf("%s: selector %v", name, fams.get(r, "selector"))
				}
				for _, kind := range []string{"hit", "miss", "deferred", "deopt"} {
					got, gotRatio := asCount(fams.get(r, kind)), pct(fams.get(r, kind+"_ratio"))
					row, inReport := want["Kind"][kind]
					if !inReport {
						if got != 0 {
							t.Errorf("%s %s = %d, the report has no row", name, kind, got)
						}
						continue
					}
					if got != row.count || gotRatio != row.ratio {
						t.Errorf("%s %s = %d (%s), report %d (%s)", name, kind, got, gotRatio, row.count, row.ratio)
					}
				}
				total := asCount(fams.get(r, "hit")) + asCount(fams.get(r, "miss")) + asCount(fams.get(r, "executions"))
				if asCount(fams.get(r, "total")) != total {
					t.Errorf("%s total = %v, want hit+miss+executions = %d", name, fams.get(r, "total"), total)
				}
				for _, kind := range []string{"Success", "Failure"} {
					col := strings.ToLower(kind)
					row, inReport := want["Success"][kind]
					got, gotRatio := asCount(fams.get(r, col)), pct(fams.get(r, col+"_ratio"))
					if inReport != (asCount(fams.get(r, "success"))+asCount(fams.get(r, "failure")) > 0) ||
						inReport && (got != row.count || gotRatio != row.ratio) {
						t.Errorf("%s %s = %d (%s), report %v %d (%s)", name, kind, got, gotRatio, inReport, row.count, row.ratio)
					}
				}
			}
			fk := readParquet(t, mem, filepath.Join(out, "failure_kinds.parquet"))
			checked := 0
			for r := range fk.rows {
				fam, label := fk.get(r, "family").(string), fk.get(r, "label")
				row, ok := md[fam]["Failure kind"][fmt.Sprint(label)]
				if !ok || row.count != asCount(fk.get(r, "count")) {
					continue // zero counts and labels two kinds share are not report rows
				}
				checked++
				if got := pct(fk.get(r, "share")); got != row.ratio {
					t.Errorf("%s %v share %s, report %s", fam, label, got, row.ratio)
				}
				if want := md[fam]["Success"]["Failure"].count; asCount(fk.get(r, "failure")) != want {
					t.Errorf("%s %v failure = %v, report's denominator %d", fam, label, fk.get(r, "failure"), want)
				}
			}
			if checked == 0 {
				t.Error("no failure-kind row checked")
			}
		})
	}
}

// TestRuns checks the runs table: one row per input, pystats and pyperf,
// with the version guess, Tier-2 flags, the names verdict and the
// bench_runner commit date as a UTC timestamp.
func TestRuns(t *testing.T) {
	mem := checkedMem(t)
	uops := dataPath(t, "real-pystats/bm-20240329-3.13.0a5+-bfc57d4-PYTHON_UOPS/bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats.json")
	inputs := []Input{
		loadStats(t, mem, "small", dataPath(t, "dumps/3.13/test_small/raw")),
		loadStats(t, mem, "uops", uops),
	}
	out := t.TempDir()
	if _, err := Write(out, inputs, Options{Allocator: mem}); err != nil {
		t.Fatal(err)
	}
	runs := readParquet(t, mem, filepath.Join(out, "runs.parquet"))
	if len(runs.rows) != 2 {
		t.Fatalf("%d runs, want 2", len(runs.rows))
	}
	for r, want := range []map[string]any{
		{"run": "small", "kind": "pystats", "version": "3.13", "opcode_keys": "named", "tier2": false, "names_reliable": true, "timestamp": nil, "commit": nil},
		{"run": "uops", "kind": "pystats", "input": uops, "version": "3.13", "tier2": true, "files": int64(1), "names_reliable": true,
			"style": "e4a"},
	} {
		for col, v := range want {
			if got := runs.get(r, col); got != v {
				t.Errorf("run %d %s = %v, want %v", r, col, got, v)
			}
		}
	}
	if ts, date := runs.get(1, "timestamp"), runs.get(1, "date"); ts == nil || date == nil {
		t.Errorf("uops: timestamp %v from date %v", ts, date)
	} else if d, _ := parseDate(date.(string)); d.UTC().Format(time.RFC3339) != ts {
		t.Errorf("uops: timestamp %v, date %v", ts, date)
	}
	if v := runs.get(0, "version_source"); v == nil || !strings.Contains(v.(string), "named opcodes") {
		t.Errorf("version_source %v", v)
	}
}

// TestComparisons exports two real pyperf files: the second is compared with
// the first as `pystats timing --json-output --ci --test mwu` does, and the
// memory columns are filled from the runs' metadata.
func TestComparisons(t *testing.T) {
	mem := checkedMem(t)
	dir := "real-timing/public/results/bm-20221024-3.11.0-deaf509/"
	var inputs []Input
	for i, f := range []string{"bm-20221024-linux-x86_64-python-deaf509e8fc6e0363bd6-3.11.0-deaf509.json", "bm-20221024-pythonperf1-amd64-python-deaf509e8fc6e0363bd6-3.11.0-deaf509.json"} {
		s, err := pystats.ReadPyperfFile(dataPath(t, dir+f))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Release)
		inputs = append(inputs, Input{Label: fmt.Sprint("p", i), Pyperf: s})
	}
	cmp, err := timing.Compare(inputs[0].Pyperf, []*pystats.PyperfSuite{inputs[1].Pyperf}, timing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := cmp.Summarize(false, timing.ExtraOptions{CI: true, MWU: true}).Heads[0]
	for _, part := range []bool{false, true} {
		out := t.TempDir()
		if _, err := Write(out, inputs, Options{Allocator: mem, Partition: part}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(out, "comparisons.parquet")
		if part {
			path = filepath.Join(out, "comparisons", "run=p1", "part-0.parquet")
		}
		c := readParquet(t, mem, path)
		if len(c.rows) != len(want.Benchmarks) || len(c.rows) == 0 {
			t.Fatalf("%d comparison rows, want %d", len(c.rows), len(want.Benchmarks))
		}
		for r, w := range want.Benchmarks {
			if c.get(r, "benchmark") != w.Name || c.get(r, "ratio") != w.Ratio || c.get(r, "text") != w.Text ||
				c.get(r, "significant") != w.Significant || c.get(r, "mwu_p") != w.MWU.P || c.get(r, "reference") != "p0" ||
				c.get(r, "geometric_mean_ci_lo") != want.CI.Lo {
				t.Errorf("partition %v row %d: %v %v %v %v %v %v %v, want %+v (%v %v)", part, r, c.get(r, "benchmark"), c.get(r, "ratio"), c.get(r, "text"),
					c.get(r, "significant"), c.get(r, "mwu_p"), c.get(r, "reference"), c.get(r, "geometric_mean_ci_lo"), w, w.MWU.P, want.CI.Lo)
			}
		}
	}
}

// mdSectionRows reads the rows of the first table of a markdown report's
// "## title" section: label → count and printed ratio.
func mdSectionRows(t testing.TB, path, title string) map[string]mdCell {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(data), "## "+title+"\n")
	if !ok {
		t.Fatalf("%s: no %s section", path, title)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	cell := regexp.MustCompile(`<td align="(left|right)">(.*?)</td>`)
	out := map[string]mdCell{}
	for _, tr := range strings.Split(sec, "<tr>")[1:] {
		m := cell.FindAllStringSubmatch(tr, -1)
		if len(m) != 3 {
			continue
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(m[1][2], ",", ""), 10, 64)
		if err != nil {
			continue
		}
		out[m[0][2]] = mdCell{n, m[2][2]}
	}
	return out
}

// TestObjectAndCallLabels checks the objects and calls tables' label and
// ratio against the summarizer's "Object stats" and "Call stats" tables.
func TestObjectAndCallLabels(t *testing.T) {
	for _, w := range []string{"json_tool", "test_small"} {
		t.Run(w, func(t *testing.T) {
			mem := checkedMem(t)
			dir := dataPath(t, "dumps/3.13/"+w)
			in := loadStats(t, mem, w, filepath.Join(dir, "raw"))
			out := t.TempDir()
			if _, err := Write(out, []Input{in}, Options{Allocator: mem}); err != nil {
				t.Fatal(err)
			}
			for table, section := range map[string]string{"objects": "Object stats", "calls": "Call stats"} {
				md := mdSectionRows(t, filepath.Join(dir, "summarize_stats.md"), section)
				got := readParquet(t, mem, filepath.Join(out, table+".parquet"))
				labelled := 0
				for r := range got.rows {
					label := got.get(r, "label")
					if label == nil {
						continue
					}
					labelled++
					row, ok := md[label.(string)]
					if !ok || row.count != asCount(got.get(r, "count")) || pct(got.get(r, "ratio")) != row.ratio {
						t.Errorf("%s %v: count %v ratio %s, report %v (present %v)", table, label, got.get(r, "count"), pct(got.get(r, "ratio")), row, ok)
					}
				}
				if labelled != len(md) || labelled == 0 {
					t.Errorf("%s: %d labelled rows, the report has %d", table, labelled, len(md))
				}
			}
		})
	}
}
