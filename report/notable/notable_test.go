package notable

import (
	"bytes"
	"encoding/json"
	"github.com/pystats-dev/pystats/internal/golden"
	"github.com/pystats-dev/pystats/report"
	"math"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/table"
)

// notableRow prints a change as the Notable changes table shows it.
func notableRow(c *Change) string {
	return c.Selector() + " " + c.formatValue(c.BaseNum, c.BaseDen, c.HasBase) + " " +
		c.formatValue(c.HeadNum, c.HeadDen, c.HasHead) + " " + c.FormatDelta() + " " + c.FormatRelative()
}

const (
	bm0615     = "data/real-pystats/bm-20240615-3.13.0b2+-a19bb26/bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats.json"
	bm0615Uops = "data/real-pystats/bm-20240615-3.13.0b2+-a19bb26-PYTHON_UOPS/bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats.json"
)

// TestNotableRealPairs ranks the notable changes of real comparisons: the
// default build against the PYTHON_UOPS build of the same commit, and the
// 3.13 dumps of test_small against LARGE_test_suite_136.
func TestNotableRealPairs(t *testing.T) {
	for _, tc := range []struct {
		name       string
		base, head string
		opt        NotableOptions
		want       []string
	}{
		{"bm-20240615-default-vs-PYTHON_UOPS", bm0615, bm0615Uops,
			NotableOptions{Top: 3, RatioThreshold: 0.1, CountThreshold: 5},
			[]string{
				"share[ENTER_EXECUTOR] — 3.7% +3.75pt new",
				"share[JUMP_BACKWARD] 2.4% 0.0% -2.42pt -99.9%",
				"share[RESUME_CHECK] 3.2% 5.2% +2.08pt +65.8%",
				"failure_ratio[FOR_ITER] 14.5% 79.8% +65.24pt +449.4%",
				"deferred_ratio[FOR_ITER] 26.9% 57.2% +30.35pt +112.9%",
				"hit_ratio[FOR_ITER] 73.0% 42.7% -30.32pt -41.5%",
				"failure_share[BINARY_OP:subtract_different_types] 44.9% 70.2% +25.27pt +56.3%",
				"failure_share[COMPARE_OP:tuple] 33.0% 8.3% -24.77pt -75.0%",
				"failure_share[TO_BOOL:number] 25.3% 2.4% -22.94pt -90.5%",
				"not_specialized 10.6% 8.9% -1.69pt -15.9%",
				"basic 54.0% 55.5% +1.44pt +2.7%",
				"specialized_hits 34.7% 35.1% +0.40pt +1.2%",
				"object[Method_cache_misses] 102,386,999 30,978,694 -71,408,305 -69.7%",
				"object[Method_cache_collisions] 105,397,618 36,401,279 -68,996,339 -65.5%",
				"object[Method_cache_dunder_misses] 11,856,032 5,651,570 -6,204,462 -52.3%",
				"call[Calls_to_PyEval_EvalDefault] 27.1% 30.5% +3.42pt +12.6%",
				"call[Calls_to_Python_functions_inlined] 72.9% 69.5% -3.42pt -4.7%",
				"call[Calls_via_PyEval_EvalFrame_(total)] 27.1% 30.5% +3.42pt +12.6%",
				"gc[1:objects_collected] 115,756,633 19,462,612 -96,294,021 -83.2%",
				"gc[1:object_visits] 21,115,730,053 18,574,057,422 -2,541,672,631 -12.0%",
			}},
		{"test_small-vs-LARGE", "data/dumps/3.13/test_small/summarize_stats.json", "data/dumps/3.13/LARGE_test_suite_136/summarize_stats.json",
			NotableOptions{Top: 2, RatioThreshold: 0.1, CountThreshold: 5},
			[]string{
				"share[LOAD_FAST] 20.0% 17.7% -2.30pt -11.5%",
				"share[PUSH_NULL] 4.5% 2.8% -1.71pt -38.0%",
				"hit_ratio[SEND] 99.8% 5.8% -93.99pt -94.2%",
				"deferred_ratio[SEND] 0.2% 94.1% +93.86pt +46649.4%",
				"failure_share[LOAD_GLOBAL:non_dict] — 93.9% +93.90pt new",
				"failure_share[COMPARE_OP:big_int] 17.0% 44.8% +27.79pt +163.6%",
				"not_specialized 10.0% 11.6% +1.63pt +16.3%",
				"specialized_hits 34.2% 33.2% -0.98pt -2.9%",
				"object[Method_cache_dunder_misses] 17,959 510,495 +492,536 +2742.6%",
				"object[Method_cache_collisions] 47,359 1,286,665 +1,239,306 +2616.8%",
				"call[Calls_to_PyEval_EvalDefault] 9.7% 44.8% +35.12pt +362.4%",
				"call[Calls_to_Python_functions_inlined] 90.3% 55.2% -35.12pt -38.9%",
				"gc[0:objects_collected] 7,417 703,035 +695,618 +9378.7%",
				"gc[1:objects_collected] 1,212 99,120 +97,908 +8078.2%",
			}},
		{"json_tool-run1-vs-run2", "data/dumps/3.13/json_tool/summarize_stats.json", "data/dumps/3.13/json_tool_run2/summarize_stats.json",
			DefaultNotableOptions,
			[]string{
				"object[Method_cache_dunder_misses] 761 710 -51 -6.7%",
				"object[Method_cache_collisions] 1,504 1,421 -83 -5.5%",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := golden.ReadStats(t, shared.Path(t, tc.base))
			head := golden.ReadStats(t, shared.Path(t, tc.head))
			r, err := report.CompareE4(base, head, report.MarkdownOptions{Style: report.StyleAuto})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range SelectNotable(Changes(r), tc.opt) {
				got = append(got, notableRow(&c))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestNotableMatchesSummarizerTables checks that the numbers come from the
// summarizer's own tables: every execution share equals the "Self" cell of
// the single-input report of that side, and every family ratio equals the
// "Ratio" cell of that side's Kind table.
func TestNotableMatchesSummarizerTables(t *testing.T) {
	base, head, r := uopsPair(t)
	all := Changes(r)
	type key struct{ table, label string }
	cells := func(st *pystats.Stats) map[key]table.Cell {
		single, err := report.BuildE4Report(st, report.MarkdownOptions{Style: report.StyleAuto})
		if err != nil {
			t.Fatal(err)
		}
		m := map[key]table.Cell{}
		for _, rt := range single.Tables() {
			path := strings.Join(rt.Path, " / ")
			for _, row := range rt.Table.Rows {
				switch {
				case path == "Execution counts":
					m[key{"share", row[0].Label()}] = row[2] // Self
				case rt.Table.Columns[0] == "Kind" && len(rt.Path) == 2:
					m[key{row[0].Label() + "_ratio", rt.Path[1]}] = row[2]
				}
			}
		}
		return m
	}
	bc, hc := cells(base), cells(head)
	checked := 0
	for i := range all {
		c := &all[i]
		k := key{c.Metric, c.Arg}
		if c.Metric != "share" && !strings.HasSuffix(c.Metric, "_ratio") || c.Metric == "failure_ratio" {
			continue
		}
		for _, side := range []struct {
			m        map[key]table.Cell
			has      bool
			num, den uint64
		}{{bc, c.HasBase, c.BaseNum, c.BaseDen}, {hc, c.HasHead, c.HeadNum, c.HeadDen}} {
			if !side.has {
				continue
			}
			cell, ok := side.m[k]
			if !ok {
				t.Errorf("%s: no cell in the single report", c.Selector())
				continue
			}
			if cell.Value != side.num || cell.Den != side.den {
				t.Errorf("%s: %d/%d, single report %d/%d", c.Selector(), side.num, side.den, cell.Value, cell.Den)
			}
			checked++
		}
	}
	if checked < 300 {
		t.Errorf("checked only %d cells", checked)
	}
}

// TestNotableOutputs checks the markdown table layout and the JSON field
// names on a small hand-made comparison.
func TestNotableOutputs(t *testing.T) {
	n := &Notable{
		Base:    BuildInfo{Path: "a.json", Version: "3.13", Named: true, Commit: "abc1234"},
		Head:    BuildInfo{Path: "b.json", Version: "3.13", Named: true, Commit: "def5678"},
		Options: DefaultNotableOptions,
		Rows: []Change{
			{Group: GroupSpecialization, Metric: "miss_ratio", Arg: "LOAD_ATTR", Unit: UnitRatio,
				BaseNum: 5, BaseDen: 100, HeadNum: 8, HeadDen: 100, HasBase: true, HasHead: true, Table: "Specialization stats / LOAD_ATTR"},
			{Group: GroupObjects, Metric: "object", Arg: "Frees", Unit: UnitCount,
				BaseNum: 0, HeadNum: 1234, HasBase: true, HasHead: true, Table: "Object stats"},
		},
		Differences: []string{"different builds: base 3.13 (commit abc1234) vs head 3.13 (commit def5678)"},
	}
	var md bytes.Buffer
	if err := WriteNotableMarkdown(&md, n); err != nil {
		t.Fatal(err)
	}
	want := "## Notable changes\n\n" +
		"Base: 3.13 (commit abc1234); head: 3.13 (commit def5678).\n\n" +
		"**Warning:** different builds: base 3.13 (commit abc1234) vs head 3.13 (commit def5678).\n\n" +
		"| Metric                  | Base |  Head |  Change | Relative |\n" +
		"|:------------------------|-----:|------:|--------:|---------:|\n" +
		"| `miss_ratio[LOAD_ATTR]` | 5.0% |  8.0% | +3.00pt |   +60.0% |\n" +
		"| `object[Frees]`         |    0 | 1,234 |  +1,234 |      new |\n\n"
	if md.String() != want {
		t.Errorf("markdown:\n%s\nwant:\n%s", md.String(), want)
	}
	var js bytes.Buffer
	if err := WriteNotableJSON(&js, n); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	changes := got["changes"].([]any)
	first := changes[0].(map[string]any)
	for k, v := range map[string]any{"selector": "miss_ratio[LOAD_ATTR]", "unit": "ratio", "base": 0.05, "head": 0.08,
		"base_count": 5.0, "base_total": 100.0, "group": "specialization", "table": "Specialization stats / LOAD_ATTR"} {
		if first[k] != v {
			t.Errorf("changes[0].%s = %v, want %v", k, first[k], v)
		}
	}
	if pt := first["change_pt"].(float64); math.Abs(pt-3) > 1e-9 {
		t.Errorf("change_pt = %v", pt)
	}
	second := changes[1].(map[string]any)
	if second["relative"] != nil || second["change_pt"] != nil || second["change"] != 1234.0 {
		t.Errorf("count from 0: relative %v change_pt %v change %v", second["relative"], second["change_pt"], second["change"])
	}
	if got["gates"] == nil || len(got["differences"].([]any)) != 1 {
		t.Errorf("gates %v differences %v", got["gates"], got["differences"])
	}
}

// TestSelectNotable checks thresholds, ranking, ties and Top.
func TestSelectNotable(t *testing.T) {
	r := func(arg string, b, h uint64) Change {
		return Change{Group: GroupExecutionShare, Metric: "share", Arg: arg, Unit: UnitRatio, BaseNum: b, BaseDen: 1000, HeadNum: h, HeadDen: 1000, HasBase: true, HasHead: true}
	}
	cnt := func(arg string, b, h uint64) Change {
		return Change{Group: GroupGC, Metric: "gc", Arg: arg, Unit: UnitCount, BaseNum: b, HeadNum: h, HasBase: true, HasHead: true}
	}
	all := []Change{r("A", 10, 10), r("B", 10, 30), r("C", 50, 30), r("D", 10, 11), r("E", 10, 12), cnt("0:x", 100, 104), cnt("0:y", 0, 5), cnt("0:z", 100, 50)}
	sel := func(opt NotableOptions) string {
		var s []string
		for _, c := range SelectNotable(all, opt) {
			s = append(s, c.Selector())
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		opt  NotableOptions
		want string
	}{
		{NotableOptions{Top: 0, RatioThreshold: 0.1, CountThreshold: 5}, "share[B] share[C] share[E] share[D] gc[0:y] gc[0:z]"},
		{NotableOptions{Top: 1, RatioThreshold: 0.1, CountThreshold: 5}, "share[B] gc[0:y]"},
		{NotableOptions{Top: 0, RatioThreshold: 0.15, CountThreshold: 0}, "share[B] share[C] share[E] gc[0:y] gc[0:z] gc[0:x]"},
	} {
		if got := sel(tc.opt); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.opt, got, tc.want)
		}
	}
}

// TestChangesReadTagsNotTitles: Changes takes every metric from the typed
// tags the renderer attaches, so a sub-style that renamed every section and
// every column header would keep all its metrics.
func TestChangesReadTagsNotTitles(t *testing.T) {
	_, _, r := uopsPair(t)
	before := Changes(r)
	var rename func(s *table.Section)
	rename = func(s *table.Section) {
		s.Title = "renamed " + s.Title
		for _, p := range s.Parts {
			switch p := p.(type) {
			case *table.Section:
				rename(p)
			case *table.Table:
				for i := range p.Columns {
					p.Columns[i] = "x" + p.Columns[i]
				}
				p.Columns = append(p.Columns, "extra")
			}
		}
	}
	for _, s := range r.Sections {
		rename(s)
	}
	after := Changes(r)
	if len(after) != len(before) || len(before) < 100 {
		t.Fatalf("%d metrics before renaming, %d after", len(before), len(after))
	}
	groups := map[string]int{}
	for i := range before {
		b, a := before[i], after[i]
		b.Table, a.Table = "", ""
		if b != a {
			t.Errorf("metric %d: %+v, after renaming %+v", i, before[i], after[i])
		}
		groups[b.Group]++
	}
	for _, g := range NotableGroups {
		if groups[g] == 0 && g != GroupTier2 { // the base has no Tier 2
			t.Errorf("no %s metric", g)
		}
	}
}

// uopsPair reads the default build and the PYTHON_UOPS build of 3.13.0b2+
// a19bb26 and compares them (E4, sub-style from the data).
func uopsPair(t *testing.T) (base, head *pystats.Stats, r *table.Report) {
	t.Helper()
	base = golden.ReadStats(t, shared.Path(t, bm0615))
	head = golden.ReadStats(t, shared.Path(t, bm0615Uops))
	r, err := report.CompareE4(base, head, report.MarkdownOptions{Style: report.StyleAuto})
	if err != nil {
		t.Fatal(err)
	}
	return base, head, r
}
