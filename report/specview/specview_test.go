package specview

import (
	"bytes"
	"cmp"
	"encoding/json"
	"github.com/pystats-dev/pystats/internal/golden"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// refMarkdown is a summarizer E4 report parsed into its tables: for each
// "## " section and "### " sub-section (key "" for none), the tables in
// order, each as rows of cell texts (a Doc cell's label only).
type refMarkdown map[string]map[string][][][]string

var (
	refCellRE  = regexp.MustCompile(`(?s)<td align="(?:left|right)">(.*?)</td>`)
	refRowRE   = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	refTableRE = regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`)
)

// parseRefMarkdown reads the tables of a summarize_stats.md.
func parseRefMarkdown(t *testing.T, path string) refMarkdown {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := refMarkdown{}
	h2, h3 := "", ""
	var block strings.Builder
	flush := func() {
		for _, tm := range refTableRE.FindAllStringSubmatch(block.String(), -1) {
			var rows [][]string
			for _, rm := range refRowRE.FindAllStringSubmatch(tm[1], -1) {
				var cells []string
				for _, cm := range refCellRE.FindAllStringSubmatch(rm[1], -1) {
					c := strings.TrimSpace(cm[1])
					if i := strings.Index(c, "\n<details>"); i >= 0 {
						c = strings.TrimSpace(c[:i])
					}
					cells = append(cells, c)
				}
				rows = append(rows, cells)
			}
			if out[h2] == nil {
				out[h2] = map[string][][][]string{}
			}
			out[h2][h3] = append(out[h2][h3], rows)
		}
		block.Reset()
	}
	for _, line := range strings.SplitAfter(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			flush()
			h2, h3 = strings.TrimSpace(line[3:]), ""
		case strings.HasPrefix(line, "### "):
			flush()
			h3 = strings.TrimSpace(line[4:])
			if out[h2] == nil {
				out[h2] = map[string][][][]string{}
			}
			if _, ok := out[h2][h3]; !ok {
				out[h2][h3] = nil // a section whose tables are all empty
			}
		default:
			block.WriteString(line)
		}
	}
	flush()
	return out
}

func refCount(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(strings.ReplaceAll(s, ",", ""), 10, 64)
	if err != nil {
		t.Fatalf("count %q: %v", s, err)
	}
	return n
}

// refFamily is what the reference report says about one family.
type refFamily struct {
	generic, deferred, hit, miss, success, failure uint64
	kinds                                          []specialize.KindCount
}

// refFamilies reads the reference's counts of every family of the
// "Specialization stats" section, its Tier-1 total (the sum of the
// "Specialization effectiveness" rows) and the execution count of each name.
func refFamilies(t *testing.T, md refMarkdown) (map[string]*refFamily, uint64, map[string]uint64) {
	t.Helper()
	exec := map[string]uint64{}
	ec := md["Execution counts"][""]
	if len(ec) != 1 {
		t.Fatalf("reference has %d execution-count tables", len(ec))
	}
	for _, r := range ec[0] {
		exec[r[0]] = refCount(t, r[1])
	}
	var tier1 uint64
	eff := md["Specialization effectiveness"][""]
	if len(eff) == 0 || len(eff[0]) != 4 {
		t.Fatalf("reference effectiveness table: %v", eff)
	}
	for _, r := range eff[0] {
		tier1 += refCount(t, r[1])
	}
	fams := map[string]*refFamily{}
	for name, tables := range md["Specialization stats"] {
		if name == "" {
			continue
		}
		f := &refFamily{generic: exec[name]}
		for _, tab := range tables {
			for _, r := range tab {
				v := refCount(t, r[1])
				switch r[0] {
				case "deferred":
					f.deferred = v
				case "hit":
					f.hit = v
				case "miss":
					f.miss = v
				case "Success":
					f.success = v
				case "Failure":
					f.failure = v
				case "deopt":
				default:
					f.kinds = append(f.kinds, specialize.KindCount{Label: r[0], Count: v})
				}
			}
		}
		fams[name] = f
	}
	return fams, tier1, exec
}

// specInputs are real data sets with the summarizer's own report of them.
var specInputs = []struct {
	name, data, md string
	raw            bool
	// top are the first ranked families with their lost work.
	top []specTopRow
}{
	{"3.13 test_small", "data/dumps/3.13/test_small/raw", "data/dumps/3.13/test_small/summarize_stats.md", true, nil},
	{"3.13 json_tool", "data/dumps/3.13/json_tool/raw", "data/dumps/3.13/json_tool/summarize_stats.md", true,
		[]specTopRow{{"LOAD_ATTR", 2545728}, {"BINARY_OP", 383848}, {"TO_BOOL", 96950}}},
	{"3.13 json_tool_run2", "data/dumps/3.13/json_tool_run2/raw", "data/dumps/3.13/json_tool_run2/summarize_stats.md", true, nil},
	{"3.13 compileall_stdlib", "data/dumps/3.13/compileall_stdlib/raw", "data/dumps/3.13/compileall_stdlib/summarize_stats.md", true, nil},
	{"2024 default", "data/real-pystats/bm-20240329-3.13.0a5+-bfc57d4/bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats.json",
		"data/real-pystats/bm-20240329-3.13.0a5+-bfc57d4/bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats.md", false, nil},
	{"2024 PYTHON_UOPS", "data/real-pystats/bm-20240329-3.13.0a5+-bfc57d4-PYTHON_UOPS/bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats.json",
		"data/real-pystats/bm-20240329-3.13.0a5+-bfc57d4-PYTHON_UOPS/bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats.md", false, nil},
	{"2024 JIT", "data/real-pystats/bm-20240416-3.13.0a6+-241ed5f-JIT/bm-20240416-azure-x86_64-python-241ed5f2cdd525de0e13-3.13.0a6+-241ed5f-pystats.json",
		"data/real-pystats/bm-20240416-3.13.0a6+-241ed5f-JIT/bm-20240416-azure-x86_64-python-241ed5f2cdd525de0e13-3.13.0a6+-241ed5f-pystats.md", false, nil},
	{"2024 b2 default", "data/real-pystats/bm-20240615-3.13.0b2+-a19bb26/bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats.json",
		"data/real-pystats/bm-20240615-3.13.0b2+-a19bb26/bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats.md", false, nil},
}

type specTopRow struct {
	family string
	lost   uint64
}

func specLoad(t *testing.T, rel string, raw bool) *specialize.Loss {
	t.Helper()
	var st *pystats.Stats
	if raw {
		st = golden.ReadRaw313(t, shared.Path(t, rel))
	} else {
		st = golden.ReadStats(t, shared.Path(t, rel))
	}
	l, err := SpecLoss(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestSpecLossAgreesWithSummarizer checks every count of the view against
// the summarizer's own report of the same data: generic executions against
// "Execution counts", deferred/hit/miss against each family's Kind table,
// success/failure and failure kinds (labels, counts, order) against its
// Success and Failure kind tables, the Tier-1 total against
// "Specialization effectiveness", and the ranking against one recomputed
// from those reference numbers alone.
func TestSpecLossAgreesWithSummarizer(t *testing.T) {
	for _, tc := range specInputs {
		t.Run(tc.name, func(t *testing.T) {
			md := parseRefMarkdown(t, shared.Path(t, tc.md))
			l := specLoad(t, tc.data, tc.raw)
			ref, tier1, exec := refFamilies(t, md)
			if l.Tier1 != tier1 {
				t.Errorf("Tier1 = %d, reference %d", l.Tier1, tier1)
			}
			if len(l.Families) != len(ref) {
				t.Errorf("%d families, reference has %d", len(l.Families), len(ref))
			}
			type ranked struct {
				name string
				lost uint64
			}
			var want []ranked
			for name, r := range ref {
				want = append(want, ranked{name, r.generic + r.miss})
				f := l.Family(name)
				if f == nil {
					t.Errorf("family %s of the reference is missing", name)
					continue
				}
				got := [...]uint64{f.Generic, f.Deferred, f.Hits, f.Misses, f.GenericMisses, f.Success, f.Failure}
				exp := [...]uint64{r.generic, r.deferred, r.hit, r.miss, r.miss, r.success, r.failure}
				if got != exp {
					t.Errorf("%s: generic, deferred, hits, misses, generic misses, success, failure = %v, reference %v", name, got, exp)
				}
				if !slices.Equal(f.FailureKinds, r.kinds) {
					t.Errorf("%s failure kinds:\n got %v\nwant %v", name, f.FailureKinds, r.kinds)
				}
				// Each member's executions are its "Execution counts" row.
				var members uint64
				for _, m := range f.Members {
					members += exec[m]
				}
				if members != f.MemberExecutions {
					t.Errorf("%s: member executions %d, reference rows sum to %d", name, f.MemberExecutions, members)
				}
			}
			slices.SortFunc(want, func(a, b ranked) int {
				if c := cmp.Compare(b.lost, a.lost); c != 0 {
					return c
				}
				return cmp.Compare(a.name, b.name)
			})
			var got []ranked
			for _, f := range l.Families {
				got = append(got, ranked{f.Family, f.Lost()})
			}
			if !slices.Equal(got, want) {
				t.Errorf("ranking:\n got %v\nwant %v", got, want)
			}
			withForms := l.WithForms()
			for i, row := range tc.top {
				if i >= len(withForms) || withForms[i].Family != row.family || withForms[i].Lost() != row.lost {
					t.Errorf("rank %d: want %s lost %d, got %+v", i+1, row.family, row.lost, withForms[min(i, len(withForms)-1)])
				}
			}
		})
	}
}

// TestSpecLossRankedRows pins the top of the default ranking (families with
// specialized forms) of the 2024 bench_runner runs.
func TestSpecLossRankedRows(t *testing.T) {
	tests := []struct {
		input int // index in specInputs
		want  []specTopRow
	}{
		{4, []specTopRow{{"LOAD_ATTR", 2654928132}, {"BINARY_SUBSCR", 1536133011}, {"CALL", 1526527798}, {"BINARY_OP", 1446484058}, {"FOR_ITER", 713082655}}},
		{5, []specTopRow{{"LOAD_ATTR", 1540075814}, {"CALL", 1510585033}, {"BINARY_OP", 634626828}, {"BINARY_SUBSCR", 424064159}, {"TO_BOOL", 358195550}}},
		{6, []specTopRow{{"CALL", 1449001284}, {"LOAD_ATTR", 1439480563}, {"BINARY_OP", 643151776}, {"BINARY_SUBSCR", 426855080}, {"TO_BOOL", 358602374}}},
	}
	for _, tc := range tests {
		in := specInputs[tc.input]
		t.Run(in.name, func(t *testing.T) {
			l := specLoad(t, in.data, in.raw)
			v := NewSpecView(l, nil, SpecOptions{})
			var got []specTopRow
			for _, f := range v.Top() {
				got = append(got, specTopRow{f.Family, f.Lost()})
			}
			if tc.want != nil && !slices.Equal(got, tc.want) {
				t.Errorf("top families:\n got %v\nwant %v", got, tc.want)
			}
			t.Logf("%s top: %v", in.name, got)
		})
	}
}

// TestSpecSumIsOnePass checks that the sum of two benchmarks' views equals
// the view of their dumps read together, count for count.
func TestSpecSumIsOnePass(t *testing.T) {
	a := shared.Path(t, "data/dumps/3.13/json_tool/raw")
	b := shared.Path(t, "data/dumps/3.13/compileall_stdlib/raw")
	dir := t.TempDir()
	for _, src := range []string{a, b} {
		ents, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if err := os.Symlink(filepath.Join(src, e.Name()), filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	la, lb := specLoad(t, "data/dumps/3.13/json_tool/raw", true), specLoad(t, "data/dumps/3.13/compileall_stdlib/raw", true)
	both := golden.ReadRaw313(t, dir)
	want, err := SpecLoss(both, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := specialize.SumLoss([]*specialize.Loss{la, lb})
	if got.Tier1 != want.Tier1 || len(got.Families) != len(want.Families) {
		t.Fatalf("sum: tier1 %d, %d families; read together: %d, %d", got.Tier1, len(got.Families), want.Tier1, len(want.Families))
	}
	for i := range want.Families {
		g, w := got.Families[i], want.Families[i]
		slices.SortFunc(g.FailureKinds, func(x, y specialize.KindCount) int { return cmp.Compare(x.Label, y.Label) })
		slices.SortFunc(w.FailureKinds, func(x, y specialize.KindCount) int { return cmp.Compare(x.Label, y.Label) })
		slices.Sort(g.Members)
		slices.Sort(w.Members)
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		if !bytes.Equal(gj, wj) {
			t.Errorf("family %d:\n sum %s\nboth %s", i, gj, wj)
		}
	}
}

// TestSpecViewOutputs renders the view of a real run with two benchmarks:
// markdown in the E4 table style, JSON rows that match the Loss, and a PNG
// and SVG chart.
func TestSpecViewOutputs(t *testing.T) {
	la := specLoad(t, "data/dumps/3.13/json_tool/raw", true)
	lb := specLoad(t, "data/dumps/3.13/compileall_stdlib/raw", true)
	bs := []specialize.BenchmarkLoss{{Name: "compileall_stdlib", Loss: lb}, {Name: "json_tool", Loss: la}}
	v := NewSpecView(nil, bs, SpecOptions{TopFamilies: 3})

	var md bytes.Buffer
	if err := WriteSpecMarkdown(&md, v); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## Specialization loss by family\n\n<details>\n",
		"<th align=\"left\">Family</th>\n<th align=\"right\">Lost</th>\n",
		"### Families without specialized forms",
		"### Specialized instructions of no specializable family",
		"<td align=\"left\">RESUME_CHECK</td>",
		"## Lost work by benchmark",
		"## Top benchmarks by family",
	} {
		if !bytes.Contains(md.Bytes(), []byte(want)) {
			t.Errorf("markdown lacks %q", want)
		}
	}

	var js bytes.Buffer
	if err := WriteSpecJSON(&js, v); err != nil {
		t.Fatal(err)
	}
	var j SpecJSON
	if err := json.Unmarshal(js.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	ranked := v.Ranked()
	if len(j.Families) != len(ranked) || j.Tier1 != la.Tier1+lb.Tier1 {
		t.Fatalf("JSON: %d families, tier1 %d", len(j.Families), j.Tier1)
	}
	for i, f := range j.Families {
		if f.Family != ranked[i].Family || f.Lost != ranked[i].Lost() || f.Rank != i+1 {
			t.Errorf("JSON row %d = %s/%d, want %s/%d", i, f.Family, f.Lost, ranked[i].Family, ranked[i].Lost())
		}
		if f.Lost != la.Family(f.Family).Lost()+lb.Family(f.Family).Lost() {
			t.Errorf("%s: overall lost %d is not the benchmarks' sum", f.Family, f.Lost)
		}
	}
	if len(j.Benchmarks) != 2 || j.Benchmarks[1].Name != "json_tool" || j.Benchmarks[1].Families[0].Family != "LOAD_ATTR" {
		t.Errorf("JSON benchmarks: %+v", j.Benchmarks)
	}
	if len(j.Contributors) != 3 || j.Contributors[0].Family != ranked[0].Family || len(j.Contributors[0].Benchmarks) == 0 {
		t.Errorf("JSON contributors: %+v", j.Contributors)
	}
	for _, c := range j.Contributors {
		for k := 1; k < len(c.Benchmarks); k++ {
			if c.Benchmarks[k].Lost > c.Benchmarks[k-1].Lost {
				t.Errorf("%s contributors not sorted: %+v", c.Family, c.Benchmarks)
			}
		}
	}

	var pngBuf bytes.Buffer
	if err := WriteSpecPlot(&pngBuf, "png", v, "test", 0); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&pngBuf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 900 || b.Dy() < 300 {
		t.Errorf("PNG is %v", b)
	}
	var svg bytes.Buffer
	if err := WriteSpecPlot(&svg, "svg", v, "test", 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg.Bytes(), []byte("<svg")) || !bytes.Contains(svg.Bytes(), []byte("LOAD_ATTR")) {
		t.Error("SVG lacks its root element or a family label")
	}
	for _, bar := range SpecBars(ranked) {
		f := v.Overall.Family(bar.Family)
		if bar.Hits+bar.Misses+bar.Deferred+bar.Generic != f.Hits+f.Misses+f.Generic || bar.Lost != f.Lost() {
			t.Errorf("%s: bar %+v does not add up to hits+misses+generic", bar.Family, bar)
		}
	}
	if err := WriteSpecPlot(&svg, "pdf", v, "test", 0); err == nil {
		t.Error("pdf plot format accepted")
	}
}

// TestSpecLossNumeric checks that numeric-opcode (3.12) data is ranked by
// its opcode names, from the embedded tables, whether through Resolve's
// Dataset or SpecLoss with the same tables. (The command's test checks the
// counts against the 3.11 and 3.12 summarizers' markdown.)
func TestSpecLossNumeric(t *testing.T) {
	st := golden.ReadStats(t, shared.Path(t, "data/real-pystats/bm-20230619-3.12.0b3-f992a60/bm-20230619-azure-x86_64-python-v3.12.0b3-3.12.0b3-f992a60-pystats.json"))
	d, err := specialize.Resolve(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := DatasetLoss(d)
	if err != nil {
		t.Fatalf("DatasetLoss(3.12 data): %v", err)
	}
	direct, err := SpecLoss(st, d.Tables)
	if err != nil {
		t.Fatalf("SpecLoss(3.12 data): %v", err)
	}
	f := l.Family("LOAD_ATTR")
	if f == nil || !f.HasForms || len(f.Members) == 0 || f.Hits == 0 {
		t.Fatalf("3.12 LOAD_ATTR family = %+v, want it named, with forms and hits", f)
	}
	if g := direct.Family("LOAD_ATTR"); g == nil || g.Lost() != f.Lost() || len(direct.Families) != len(l.Families) {
		t.Errorf("SpecLoss and DatasetLoss disagree: %+v vs %+v", g, f)
	}
}

// TestWriteSpecJSONStreams checks that WriteSpecJSON, which writes one
// member and one benchmark at a time, writes the bytes json.Encoder writes
// for the whole of JSON() with the same indentation.
func TestWriteSpecJSONStreams(t *testing.T) {
	la := specLoad(t, "data/dumps/3.13/json_tool/raw", true)
	lb := specLoad(t, "data/dumps/3.13/compileall_stdlib/raw", true)
	bs := []specialize.BenchmarkLoss{{Name: "compileall_stdlib", Loss: lb}, {Name: "json_tool <&>", Loss: la}}
	for _, tc := range []struct {
		name    string
		overall *specialize.Loss
		bs      []specialize.BenchmarkLoss
		opt     SpecOptions
	}{
		{"one data set", la, nil, SpecOptions{}},
		{"one data set, all families", la, nil, SpecOptions{AllFamilies: true}},
		{"two benchmarks", nil, bs, SpecOptions{TopFamilies: 3}},
		{"two benchmarks, all families", nil, bs, SpecOptions{AllFamilies: true, TopBenchmarks: 1}},
		{"one benchmark", nil, bs[:1], SpecOptions{}},
		{"empty", &specialize.Loss{}, nil, SpecOptions{}},
	} {
		v := NewSpecView(tc.overall, tc.bs, tc.opt)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v.JSON()); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := WriteSpecJSON(&got, v); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s: WriteSpecJSON differs from json.Encoder:\n got %.300q\nwant %.300q", tc.name, got.String(), want.String())
		}
	}
}
