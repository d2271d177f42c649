package notable

import (
	"bytes"
	"github.com/pystats-dev/pystats/internal/golden"
	"github.com/pystats-dev/pystats/report"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// mdTables parses a pipe-table markdown report (E1/E2) into its tables,
// keyed by the section path ("Specialization stats/LOAD_ATTR") and a table
// number within the section; rows are cells with spaces trimmed.
func mdTables(md string) map[string][][][]string {
	out := map[string][][][]string{}
	var path []string
	var cur [][]string
	flush := func() {
		if cur != nil {
			k := strings.Join(path, "/")
			out[k] = append(out[k], cur)
			cur = nil
		}
	}
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			flush()
			path = []string{strings.TrimPrefix(line, "## ")}
		case strings.HasPrefix(line, "### "):
			flush()
			path = append(path[:min(len(path), 1)], strings.TrimPrefix(line, "### "))
		case strings.HasPrefix(line, "|"):
			cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
			for i := range cells {
				cells[i] = strings.TrimSpace(cells[i])
			}
			if strings.HasPrefix(cells[0], "---") {
				continue
			}
			cur = append(cur, cells)
		default:
			flush()
		}
	}
	flush()
	return out
}

// sameNumber compares two printed numbers ("1,234", "12.3%", "-4"): counts
// exactly, percentages to the printed digit (the E1 script divides 100*v by
// t, the E2 one formats v/t with "%": they may round a tie differently).
func sameNumber(a, b string) bool {
	a, b = strings.ReplaceAll(a, ",", ""), strings.ReplaceAll(b, ",", "")
	if a == b {
		return true
	}
	if !strings.HasSuffix(a, "%") || !strings.HasSuffix(b, "%") {
		return false
	}
	x, e1 := strconv.ParseFloat(strings.TrimSuffix(a, "%"), 64)
	y, e2 := strconv.ParseFloat(strings.TrimSuffix(b, "%"), 64)
	return e1 == nil && e2 == nil && math.Abs(x-y) <= 0.1+1e-9
}

func read311(t *testing.T, workload string) (*pystats.Stats, string) {
	t.Helper()
	dir := shared.Path(t, "data/dumps/3.11/"+workload)
	st, err := pystats.Read(filepath.Join(dir, "raw"), pystats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "summarize_stats.md"))
	if err != nil {
		t.Fatal(err)
	}
	return st, string(md)
}

// TestComparison311ColumnsEqualOwnReports: a comparison of two real 3.11.2
// runs (the E2 layout, as the 3.11 script has none) shows in its base and
// head columns each run's own 3.11 report (the 3.11.2 summarizer's
// markdown), row for row: specialization effectiveness (adaptive forms not
// specialized), every family's Kind table (unquickened row, total with the
// deferred count), attempts and failure kinds (3.11 names), and the
// execution counts.
func TestComparison311ColumnsEqualOwnReports(t *testing.T) {
	tab, _ := specialize.Embedded("3.11")
	base, baseMD := read311(t, "test_small")
	defer base.Release()
	head, headMD := read311(t, "json_tool")
	defer head.Release()
	var buf bytes.Buffer
	if err := report.WriteComparison(&buf, base, head, report.MarkdownOptions{Style: report.StyleAuto, Date: "2026-01-01", Tables: tab}); err != nil {
		t.Fatal(err)
	}
	cmp := mdTables(buf.String())
	own := [2]map[string][][][]string{mdTables(baseMD), mdTables(headMD)}
	checked := 0
	for key, tables := range cmp {
		if !strings.HasPrefix(key, "Specialization") && key != "Execution counts" {
			continue
		}
		for ti, table := range tables {
			header := table[0]
			for side := 0; side < 2; side++ {
				ref := own[side][key]
				if ti >= len(ref) {
					t.Errorf("%s table %d: not in the %d side's own report", key, ti, side)
					continue
				}
				refRows := map[string][]string{}
				for _, r := range ref[ti][1:] {
					refRows[r[0]] = r
				}
				for _, row := range table[1:] {
					var cells []string
					if key == "Execution counts" {
						// Name, Base Count, Head Count, Change.
						cells = []string{row[1+side]}
					} else {
						cells = row[1+2*side : 3+2*side]
					}
					r, ok := refRows[row[0]]
					if cells[0] == "" {
						if ok && r[1] != "0" {
							t.Errorf("%s: row %q empty on side %d, own report has %q", key, row[0], side, r)
						}
						continue
					}
					if !ok && cells[0] == "0" && key == "Execution counts" {
						continue // the comparison counts an opcode of the other side as 0
					}
					if !ok {
						t.Errorf("%s (%v): row %q on side %d is not in its own report", key, header, row[0], side)
						continue
					}
					for j, c := range cells {
						if !sameNumber(c, r[1+j]) {
							t.Errorf("%s: row %q side %d: %q, own report %q", key, row[0], side, c, r[1+j])
						}
					}
					checked++
				}
			}
		}
	}
	if checked < 500 {
		t.Errorf("only %d rows checked", checked)
	}
	eff := cmp["Specialization effectiveness"][0]
	if got := eff[3]; got[0] != "Specialized" || got[2] != "31.1%" || got[4] != "25.2%" {
		t.Errorf("Specialized row %q, want 31.1%% (base) and 25.2%% (head) as the 3.11 reports", got)
	}
}

// TestNotable311vs313AgreesWithOwnReports: the Notable changes of a 3.11.2
// vs 3.13.5 comparison (base mapped to names) take each side's values from
// its own summarizer's single report: the 3.11.2 script's markdown for
// base, the 3.13.5 script's (which the E4 renderer reproduces byte for
// byte) for head. No sign flip of specialized_hits, no impossible ratio,
// FOR_ITER failure kinds named.
func TestNotable311vs313AgreesWithOwnReports(t *testing.T) {
	tab, _ := specialize.Embedded("3.11")
	base, baseMD := read311(t, "json_tool")
	defer base.Release()
	named, err := specialize.Named(base, tab)
	if err != nil {
		t.Fatal(err)
	}
	defer named.Release()
	head := golden.ReadStats(t, shared.Path(t, "data/dumps/3.13/json_tool/summarize_stats.json"))
	defer head.Release()
	r, err := report.CompareE4(named, head, report.MarkdownOptions{Style: report.StyleE4})
	if err != nil {
		t.Fatal(err)
	}
	changes := Changes(r)
	single, err := report.BuildE4Report(head, report.MarkdownOptions{Style: report.StyleAuto})
	if err != nil {
		t.Fatal(err)
	}
	headCells := map[string]string{} // "path/label" -> ratio of the head's own report
	for _, rt := range single.Tables() {
		for _, row := range rt.Table.Rows {
			if len(row) >= 3 {
				headCells[strings.Join(rt.Path, "/")+"/"+row[0].Label()] = row[2].Markdown()
			}
		}
	}
	own := mdTables(baseMD)
	cell := func(key, label string, col int) (string, bool) {
		for _, tb := range own[key] {
			for _, row := range tb[1:] {
				if row[0] == label && col < len(row) {
					return row[col], true
				}
			}
		}
		return "", false
	}
	eff := map[string]string{}
	for _, row := range own["Specialization effectiveness"][0][1:] {
		eff[row[0]] = row[2]
	}
	checked := 0
	for i := range changes {
		c := &changes[i]
		if c.Unit == UnitRatio && (c.Base() > 1 || c.Head() > 1 || c.Base() < 0 || c.Head() < 0) &&
			c.Group != GroupObjects && c.Group != GroupCalls && c.Group != GroupTier2 {
			t.Errorf("%s: impossible ratio %v -> %v", c.Selector(), c.Base(), c.Head())
		}
		if strings.HasPrefix(c.Arg, "FOR_ITER:kind ") {
			t.Errorf("%s: unnamed FOR_ITER failure kind", c.Selector())
		}
		var want string
		var ok bool
		fam, label, _ := strings.Cut(c.Arg, ":")
		switch c.Metric {
		case "specialized_hits":
			want, ok = eff["Specialized"], true
		case "basic":
			want, ok = eff["Basic"], true
		case "hit_ratio", "miss_ratio":
			want, ok = cell("Specialization stats/"+c.Arg, strings.TrimSuffix(c.Metric, "_ratio"), 2)
		case "deferred_ratio", "deopt_ratio":
			want, ok = cell("Specialization stats/"+c.Arg, "specialization."+strings.TrimSuffix(c.Metric, "_ratio"), 2)
		case "failure_ratio":
			want, ok = cell("Specialization stats/"+c.Arg, "Failure", 2)
		case "failure_share":
			want, ok = cell("Specialization stats/"+fam, label, 2)
		case "share":
			want, ok = cell("Execution counts", c.Arg, 2)
		}
		if ok && c.HasBase {
			got := c.formatValue(c.BaseNum, c.BaseDen, true)
			if !sameNumber(got, want) {
				t.Errorf("%s: base %s, the 3.11 report says %s", c.Selector(), got, want)
			}
			checked++
		}
		if c.HasHead && c.Table != "" {
			key := strings.ReplaceAll(c.Table, " / ", "/")
			lbl := label
			switch c.Metric {
			case "hit_ratio", "miss_ratio", "deferred_ratio", "deopt_ratio":
				lbl = strings.TrimSuffix(c.Metric, "_ratio")
			case "failure_ratio":
				lbl = "Failure"
			case "specialized_hits", "basic", "not_specialized", "specialized_misses":
				lbl = map[string]string{"specialized_hits": "Specialized hits", "basic": "Basic", "not_specialized": "Not specialized", "specialized_misses": "Specialized misses"}[c.Metric]
			case "failure_share":
			default:
				lbl = ""
			}
			if want, ok := headCells[key+"/"+lbl]; ok && lbl != "" {
				if got := c.formatValue(c.HeadNum, c.HeadDen, true); got != want {
					t.Errorf("%s: head %s, the 3.13 report says %s", c.Selector(), got, want)
				}
				checked++
			}
		}
	}
	if checked < 200 {
		t.Errorf("only %d values checked", checked)
	}
}
