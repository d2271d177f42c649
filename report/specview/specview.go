// Package specview is the specialization view of `pystats specialize`: the
// families of one data set, or of the benchmarks of a run, ranked by the work
// the specializer loses (specialize.Loss), as markdown in the E4 table style,
// JSON and a stacked-bar plot.
package specview

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/pystats-dev/pystats/report"
	"github.com/pystats-dev/pystats/report/internal/e4"
	"github.com/pystats-dev/pystats/report/table"
	"github.com/pystats-dev/pystats/specialize"
)

// SpecOptions tune the specialization view.
type SpecOptions struct {
	// TopFamilies is how many of the ranked families get a failure-kind
	// breakdown, a matrix column and a contributors table (default 5).
	TopFamilies int
	// TopKinds is how many failure kinds are listed per family (default 5).
	TopKinds int
	// TopBenchmarks is how many benchmarks are listed per family (default 5).
	TopBenchmarks int
	// AllFamilies keeps families without specialized forms in the build
	// (POP_JUMP_IF_*, BINARY_SLICE, STORE_SLICE in 3.13) in the ranking;
	// by default they are listed apart.
	AllFamilies bool
}

func (o SpecOptions) withDefaults() SpecOptions {
	if o.TopFamilies <= 0 {
		o.TopFamilies = 5
	}
	if o.TopKinds <= 0 {
		o.TopKinds = 5
	}
	if o.TopBenchmarks <= 0 {
		o.TopBenchmarks = 5
	}
	return o
}

// SpecView is the specialization view of one input: the ranked families of
// all its data and, for a run with several benchmarks, those of each one.
type SpecView struct {
	// Overall is the view of the whole input (the sum of its benchmarks).
	Overall *specialize.Loss
	// Benchmarks are the per-benchmark views, by name; nil for one data set
	// and for a view of a Fleet (NewFleetView), which reads its benchmarks
	// back one at a time as the outputs are written.
	Benchmarks []specialize.BenchmarkLoss
	// Options are the options with defaults filled in.
	Options SpecOptions

	fleet *Fleet
}

// NewSpecView builds the view of one data set (benchmarks nil) or of a run's
// benchmarks, whose sum is overall (nil: computed here from the benchmarks,
// which then need their failure kinds; a caller that sums them as it reads
// them, with specialize.LossSum, may drop them).
func NewSpecView(overall *specialize.Loss, benchmarks []specialize.BenchmarkLoss, opt SpecOptions) *SpecView {
	if overall == nil {
		ls := make([]*specialize.Loss, len(benchmarks))
		for i, b := range benchmarks {
			ls[i] = b.Loss
		}
		overall = specialize.SumLoss(ls)
	}
	return &SpecView{Overall: overall, Benchmarks: benchmarks, Options: opt.withDefaults()}
}

// NewFleetView builds the view of a run's benchmarks gathered in f: the
// same view as NewSpecView of the same benchmarks (without their failure
// kinds), whose outputs read them back from f one at a time. f must stay
// open while the view is used, and not be added to.
func NewFleetView(f *Fleet, opt SpecOptions) *SpecView {
	return &SpecView{Overall: f.sum.Loss(), fleet: f, Options: opt.withDefaults()}
}

// numBenchmarks is the number of per-benchmark views.
func (v *SpecView) numBenchmarks() int {
	if v.fleet != nil {
		return v.fleet.Len()
	}
	return len(v.Benchmarks)
}

// eachBenchmark calls fn with each benchmark's view in order until fn
// returns false; the view is only valid during the call.
func (v *SpecView) eachBenchmark(fn func(specialize.BenchmarkLoss) bool) error {
	if v.fleet != nil {
		return v.fleet.each(fn)
	}
	for _, b := range v.Benchmarks {
		if !fn(b) {
			break
		}
	}
	return nil
}

// Err is the first error met reading a Fleet's benchmarks back (from its
// temporary file) for Report or JSON, which then lack those rows; the
// writers return it. It is nil for other views.
func (v *SpecView) Err() error {
	if v.fleet != nil {
		return v.fleet.err
	}
	return nil
}

// topContributors returns the Contributors of each Top family, in one pass
// over the benchmarks.
func (v *SpecView) topContributors() [][]specialize.Contribution {
	top := v.Top()
	ts := make([]*specialize.TopContributors, len(top))
	for i, f := range top {
		ts[i] = specialize.NewTopContributors(f.Family, v.Options.TopBenchmarks)
	}
	v.eachBenchmark(func(b specialize.BenchmarkLoss) bool {
		for _, t := range ts {
			t.Add(b)
		}
		return true
	})
	out := make([][]specialize.Contribution, len(ts))
	for i, t := range ts {
		out[i] = t.Contributions()
	}
	return out
}

// Ranked returns the families of the ranked table: those with specialized
// forms, or all of them with AllFamilies.
func (v *SpecView) Ranked() []specialize.FamilyLoss {
	if v.Options.AllFamilies {
		return v.Overall.Families
	}
	return v.Overall.WithForms()
}

// Excluded returns the families left out of the ranking because they have no
// specialized forms (empty with AllFamilies).
func (v *SpecView) Excluded() []specialize.FamilyLoss {
	if v.Options.AllFamilies {
		return nil
	}
	var out []specialize.FamilyLoss
	for _, f := range v.Overall.Families {
		if !f.HasForms {
			out = append(out, f)
		}
	}
	return out
}

// Top returns the first TopFamilies ranked families.
func (v *SpecView) Top() []specialize.FamilyLoss {
	r := v.Ranked()
	if len(r) > v.Options.TopFamilies {
		r = r[:v.Options.TopFamilies]
	}
	return r
}

// SpecRankedColumns are the columns of the ranked table.
var SpecRankedColumns = []string{"Family", "Lost:", "Lost share:", "Generic:", "Generic share:",
	"Deferred:", "Deferred share:", "Misses:", "Miss share:", "Hits:", "Success rate:"}

// rankedRows are the ranked table's rows.
func specRankedRows(fs []specialize.FamilyLoss, tier1 uint64) [][]table.Cell {
	rows := make([][]table.Cell, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		rate := table.Cell{}
		if f.Success+f.Failure != 0 {
			rate = table.RatioCell(f.Success, f.Success+f.Failure)
		}
		rows = append(rows, []table.Cell{
			table.TextCell(f.Family),
			table.CountCell(f.Lost()), table.RatioCell(f.Lost(), tier1),
			table.CountCell(f.Generic), table.RatioCell(f.Generic, tier1),
			table.CountCell(f.Deferred), table.RatioCell(f.Deferred, tier1),
			table.CountCell(f.Misses), table.RatioCell(f.Misses, tier1),
			table.CountCell(f.Hits), rate,
		})
	}
	return rows
}

// Report lays the view out as report sections (rendered by
// WriteSpecMarkdown in the E4 report's table style).
func (v *SpecView) Report() *table.Report {
	o := v.Options
	tier1 := v.Overall.Tier1
	r := &table.Report{Style: report.StyleE4}
	ranked := &table.Section{
		Title:   "Specialization loss by family",
		Summary: "Families ranked by lost work: generic executions plus misses",
		Doc: `Lost work is the executions of the family's generic (unspecialized)
instruction plus the misses (deopts) of its specialized instructions.
Shares are of all Tier 1 instructions executed (` + groupInt(tier1) + `).
Deferred executions overlap the generic executions and are not added.
Success rate is successful / all specialization attempts.`,
		Parts: []any{&table.Table{Columns: SpecRankedColumns, Rows: specRankedRows(v.Ranked(), tier1)}},
	}
	if ex := v.Excluded(); len(ex) > 0 {
		ranked.Parts = append(ranked.Parts, &table.Section{
			Title:   "Families without specialized forms",
			Summary: "Marked specializable, but the build has no specialized instruction for them",
			Parts:   []any{&table.Table{Columns: SpecRankedColumns, Rows: specRankedRows(ex, tier1)}},
		})
	}
	if len(v.Overall.Unattributed) > 0 {
		var rows [][]table.Cell
		for _, u := range v.Overall.Unattributed {
			rows = append(rows, []table.Cell{table.TextCell(u.Name), table.CountCell(u.ExecutionCount), table.CountCell(u.Misses), table.RatioCell(u.Misses, tier1)})
		}
		ranked.Parts = append(ranked.Parts, &table.Section{
			Title:   "Specialized instructions of no specializable family",
			Summary: "Specialized instructions whose generic instruction is not marked specializable",
			Parts:   []any{&table.Table{Columns: []string{"Name", "Count:", "Misses:", "Miss share:"}, Rows: rows}},
		})
	}
	r.Sections = append(r.Sections, ranked)

	kinds := &table.Section{Title: "Failure kinds", Summary: "Top failure kinds of the top families"}
	for _, f := range v.Top() {
		var rows [][]table.Cell
		for i, k := range f.FailureKinds {
			if i == o.TopKinds {
				break
			}
			rows = append(rows, []table.Cell{table.TextCell(k.Label), table.CountCell(k.Count), table.RatioCell(k.Count, f.Failure)})
		}
		if len(rows) == 0 {
			continue
		}
		kinds.Parts = append(kinds.Parts, &table.Section{
			Title:   f.Family,
			Summary: "failure kinds of the " + f.Family + " family (" + groupInt(f.Failure) + " failures)",
			Parts:   []any{&table.Table{Columns: []string{"Failure kind", "Count:", "Share of failures:"}, Rows: rows}},
		})
	}
	r.Sections = append(r.Sections, kinds)

	if v.numBenchmarks() > 0 {
		r.Sections = append(r.Sections, v.matrixSection(), v.contributorsSection())
	}
	return r
}

func (v *SpecView) matrixSection() *table.Section {
	top := v.Top()
	cols := []string{"Benchmark", "Tier 1:"}
	for _, f := range top {
		cols = append(cols, f.Family+":")
	}
	cols = append(cols, "All families:")
	rows := func(yield func([]table.Cell) bool) {
		row := make([]table.Cell, 0, len(cols))
		v.eachBenchmark(func(b specialize.BenchmarkLoss) bool {
			row = append(row[:0], table.TextCell(specSafeName(b.Name)), table.CountCell(b.Loss.Tier1))
			for _, f := range top {
				var lost uint64
				if bf := b.Loss.Family(f.Family); bf != nil {
					lost = bf.Lost()
				}
				row = append(row, table.RatioCell(lost, b.Loss.Tier1))
			}
			row = append(row, table.RatioCell(specTotalLost(b.Loss, v.Options.AllFamilies), b.Loss.Tier1))
			return yield(row)
		})
	}
	return &table.Section{
		Title:   "Lost work by benchmark",
		Summary: "Lost work of the top families, as a share of each benchmark's Tier 1 instructions",
		Parts:   []any{&table.StreamTable{Columns: cols, Len: v.numBenchmarks(), Rows: rows}},
	}
}

// specTotalLost is the lost work of the families a view ranks.
func specTotalLost(l *specialize.Loss, all bool) uint64 {
	var t uint64
	for i := range l.Families {
		if all || l.Families[i].HasForms {
			t += l.Families[i].Lost()
		}
	}
	return t
}

func (v *SpecView) contributorsSection() *table.Section {
	s := &table.Section{Title: "Top benchmarks by family", Summary: "Benchmarks that lose the most work in each top family"}
	contributors := v.topContributors()
	for i, f := range v.Top() {
		var rows [][]table.Cell
		for _, c := range contributors[i] {
			rows = append(rows, []table.Cell{table.TextCell(specSafeName(c.Benchmark)), table.CountCell(c.Lost), table.RatioCell(c.Lost, f.Lost()), table.RatioCell(c.Lost, c.Tier1)})
		}
		if len(rows) == 0 {
			continue
		}
		s.Parts = append(s.Parts, &table.Section{
			Title:   f.Family,
			Summary: "benchmarks losing the most work in the " + f.Family + " family",
			Parts:   []any{&table.Table{Columns: []string{"Benchmark", "Lost:", "Share of family:", "Share of benchmark:"}, Rows: rows}},
		})
	}
	return s
}

func groupInt(n uint64) string { return table.CountCell(n).Markdown() }

// WriteSpecMarkdown writes the view as markdown: a title line, then sections
// with <details> blocks and HTML tables as in the E4 report (no footer).
func WriteSpecMarkdown(w io.Writer, v *SpecView) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("# Where the specializer loses\n\n")
	if n := v.numBenchmarks(); n > 0 {
		bw.WriteString(strconv.Itoa(n) + " benchmarks; rows above the benchmark tables are their sum.\n\n")
	}
	e4.WriteSections(bw, v.Report().Sections)
	if err := v.Err(); err != nil {
		return fmt.Errorf("writing markdown: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing markdown: %w", err)
	}
	return nil
}

// SpecJSON is the view as written by WriteSpecJSON.
type SpecJSON struct {
	Tier1 uint64 `json:"tier1_instructions"`
	// Families are the ranked families; Excluded those without specialized
	// forms (unless AllFamilies).
	Families     []SpecFamilyJSON       `json:"families"`
	Excluded     []SpecFamilyJSON       `json:"families_without_forms,omitempty"`
	Unattributed []SpecUnattributedJSON `json:"unattributed,omitempty"`
	Benchmarks   []SpecBenchmarkJSON    `json:"benchmarks,omitempty"`
	Contributors []SpecContributorsJSON `json:"top_benchmarks_by_family,omitempty"`
}

// SpecFamilyJSON is one family's row. Shares are fractions of the Tier-1
// instructions of the data set the row belongs to.
type SpecFamilyJSON struct {
	Rank          int            `json:"rank"`
	Family        string         `json:"family"`
	Lost          uint64         `json:"lost"`
	LostShare     float64        `json:"lost_share"`
	Generic       uint64         `json:"generic"`
	GenericShare  float64        `json:"generic_share"`
	Deferred      uint64         `json:"deferred"`
	DeferredShare float64        `json:"deferred_share"`
	Misses        uint64         `json:"misses"`
	MissShare     float64        `json:"miss_share"`
	Hits          uint64         `json:"hits"`
	Success       uint64         `json:"success"`
	Failure       uint64         `json:"failure"`
	SuccessRate   *float64       `json:"success_rate"`
	Members       []string       `json:"specialized_instructions,omitempty"`
	FailureKinds  []SpecKindJSON `json:"failure_kinds,omitempty"`
}

// SpecKindJSON is a failure kind with its share of the family's failures.
type SpecKindJSON struct {
	Label string  `json:"label"`
	Count uint64  `json:"count"`
	Share float64 `json:"share"`
}

// SpecUnattributedJSON is a specialized instruction of no specializable family.
type SpecUnattributedJSON struct {
	Name           string `json:"name"`
	ExecutionCount uint64 `json:"execution_count"`
	Misses         uint64 `json:"misses"`
}

// SpecBenchmarkJSON is one benchmark's ranked families (no failure kinds).
type SpecBenchmarkJSON struct {
	Name     string           `json:"name"`
	Tier1    uint64           `json:"tier1_instructions"`
	Lost     uint64           `json:"lost"`
	Families []SpecFamilyJSON `json:"families"`
}

// SpecContributorsJSON lists the benchmarks losing most in one family.
type SpecContributorsJSON struct {
	Family     string                 `json:"family"`
	Benchmarks []SpecContributionJSON `json:"benchmarks"`
}

// SpecContributionJSON is one benchmark's part of a family's lost work.
type SpecContributionJSON struct {
	Benchmark      string  `json:"benchmark"`
	Lost           uint64  `json:"lost"`
	FamilyShare    float64 `json:"share_of_family"`
	BenchmarkShare float64 `json:"share_of_benchmark"`
}

func share(num, den uint64) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

func specFamiliesJSON(fs []specialize.FamilyLoss, tier1 uint64, kinds int) []SpecFamilyJSON {
	out := make([]SpecFamilyJSON, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		j := SpecFamilyJSON{
			Rank: i + 1, Family: f.Family,
			Lost: f.Lost(), LostShare: share(f.Lost(), tier1),
			Generic: f.Generic, GenericShare: share(f.Generic, tier1),
			Deferred: f.Deferred, DeferredShare: share(f.Deferred, tier1),
			Misses: f.Misses, MissShare: share(f.Misses, tier1),
			Hits: f.Hits, Success: f.Success, Failure: f.Failure,
			Members: f.Members,
		}
		if r, ok := f.SuccessRate(); ok {
			j.SuccessRate = &r
		}
		for n, k := range f.FailureKinds {
			if n == kinds {
				break
			}
			j.FailureKinds = append(j.FailureKinds, SpecKindJSON{k.Label, k.Count, share(k.Count, f.Failure)})
		}
		out = append(out, j)
	}
	return out
}

// JSON returns the view's rows as written by WriteSpecJSON: every ranked
// family with all its failure kinds, and with benchmarks, each benchmark's
// ranked families and the top benchmarks of each top family.
func (v *SpecView) JSON() *SpecJSON {
	j := v.jsonTop()
	v.eachBenchmark(func(b specialize.BenchmarkLoss) bool {
		j.Benchmarks = append(j.Benchmarks, v.benchmarkJSON(b))
		return true
	})
	return j
}

// jsonTop is JSON() without its Benchmarks.
func (v *SpecView) jsonTop() *SpecJSON {
	j := &SpecJSON{
		Tier1:    v.Overall.Tier1,
		Families: specFamiliesJSON(v.Ranked(), v.Overall.Tier1, -1),
		Excluded: specFamiliesJSON(v.Excluded(), v.Overall.Tier1, -1),
	}
	for _, u := range v.Overall.Unattributed {
		j.Unattributed = append(j.Unattributed, SpecUnattributedJSON(u))
	}
	if v.numBenchmarks() > 0 {
		contributors := v.topContributors()
		for i, f := range v.Top() {
			c := SpecContributorsJSON{Family: f.Family, Benchmarks: []SpecContributionJSON{}}
			for _, x := range contributors[i] {
				c.Benchmarks = append(c.Benchmarks, SpecContributionJSON{x.Benchmark, x.Lost, share(x.Lost, f.Lost()), share(x.Lost, x.Tier1)})
			}
			j.Contributors = append(j.Contributors, c)
		}
	}
	return j
}

// benchmarkJSON is one benchmark's entry of JSON().Benchmarks.
func (v *SpecView) benchmarkJSON(b specialize.BenchmarkLoss) SpecBenchmarkJSON {
	all := v.Options.AllFamilies
	fs := b.Loss.Families
	if !all {
		fs = b.Loss.WithForms()
	}
	return SpecBenchmarkJSON{
		Name: b.Name, Tier1: b.Loss.Tier1, Lost: specTotalLost(b.Loss, all),
		Families: specFamiliesJSON(fs, b.Loss.Tier1, 0),
	}
}

// WriteSpecJSON writes the view's JSON: the bytes json.Encoder writes for
// JSON() with two-space indentation, made one member and one benchmark at a
// time, so that memory does not grow with the number of benchmarks (a run
// folder of thousands writes tens of MB).
func WriteSpecJSON(w io.Writer, v *SpecView) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	j := v.jsonTop()
	first := true
	member := func(name string, write func() error) error {
		if !first {
			bw.WriteString(",")
		}
		first = false
		bw.WriteString("\n  \"" + name + "\": ")
		return write()
	}
	value := func(x any, prefix string) func() error {
		return func() error {
			data, err := json.MarshalIndent(x, prefix, "  ")
			if err != nil {
				return err
			}
			_, err = bw.Write(data)
			return err
		}
	}
	bw.WriteString("{")
	err := member("tier1_instructions", value(j.Tier1, "  "))
	if err == nil {
		err = member("families", value(j.Families, "  "))
	}
	if err == nil && len(j.Excluded) > 0 {
		err = member("families_without_forms", value(j.Excluded, "  "))
	}
	if err == nil && len(j.Unattributed) > 0 {
		err = member("unattributed", value(j.Unattributed, "  "))
	}
	if err == nil && v.numBenchmarks() > 0 {
		err = member("benchmarks", func() error {
			bw.WriteString("[")
			i := 0
			var err error
			if rerr := v.eachBenchmark(func(b specialize.BenchmarkLoss) bool {
				if i > 0 {
					bw.WriteString(",")
				}
				i++
				bw.WriteString("\n    ")
				err = value(v.benchmarkJSON(b), "    ")()
				return err == nil
			}); rerr != nil {
				return rerr
			}
			bw.WriteString("\n  ]")
			return err
		})
	}
	if err == nil && len(j.Contributors) > 0 {
		err = member("top_benchmarks_by_family", value(j.Contributors, "  "))
	}
	if err == nil {
		err = v.Err()
	}
	if err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	bw.WriteString("\n}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// specSafeName keeps a benchmark name printable in one table cell.
func specSafeName(s string) string {
	return strings.NewReplacer("\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
