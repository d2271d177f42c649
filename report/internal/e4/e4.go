package e4

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pystats-dev/pystats/internal/chunks"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/internal/style"
	"github.com/pystats-dev/pystats/report/table"
	"github.com/pystats-dev/pystats/specialize"
)

// ResolveStyle picks the E4 sub-style for data whose style is StyleE4 or
// StyleAuto, from what the data says about the script that would have
// rendered it: "Object new values" means early-2024 main (E4a);
// mortal/immortal refcounts or GC reachability counters mean 2025 main
// (E4c); otherwise bench_runner data committed before 2025 is E4b2024 and
// anything else the 3.13 release script (E4b). A sub-style is returned as
// given.
func ResolveStyle(st *pystats.Stats, s style.Style) style.Style {
	switch s {
	case style.StyleE4a, style.StyleE4b2024, style.StyleE4b, style.StyleE4c:
		return s
	}
	has := func(k string) bool { _, ok := st.Value(k); return ok }
	switch {
	case has("Object new values"):
		return style.StyleE4a
	case specialize.Main2025(st):
		return style.StyleE4c
	}
	if d, ok := st.Meta.BenchRunnerValue("commit_date"); ok && len(d) >= 4 && d[:4] < "2025" {
		return style.StyleE4b2024
	}
	return style.StyleE4b
}

// e4Variant are the differences between the E4 sub-styles.
type e4Variant struct {
	style            style.Style
	tier1PairSummary bool   // "Pair counts for top 100 Tier 1 instructions"
	newValues        bool   // "New values" doc and denominator
	tooShort         string // the "Trace too short" pop-up (its typos changed over time)
	uopPairs         bool   // uop "Pair counts" section
	mortal           bool   // incref/decref denominators from the mortal/immortal keys
	gcReachable      bool   // GC reachability columns
	jitMemory        bool   // JIT memory sections
	unknownCallee    bool   // "Unknown callee" optimization row
	trimLeading      bool   // histograms lose leading zero buckets too
	getIterIsIter    bool   // GET_ITER failure kinds use ITER_* names
}

func e4VariantOf(s style.Style) e4Variant {
	// "abandoced" was fixed on main and the 3.13 branch in the second half
	// of 2024; "it it" stayed until the end of June 2025 (published 2025
	// main reports up to 2025-06-29 show it; later ones say "it is").
	v := e4Variant{style: s, tooShort: "A potential trace is abandoned because it it too short."}
	switch s {
	case style.StyleE4a:
		v.tier1PairSummary, v.newValues = true, true
		v.tooShort = "A potential trace is abandoced because it it too short."
	case style.StyleE4b2024:
		v.uopPairs = true
		v.tooShort = "A potential trace is abandoced because it it too short."
	case style.StyleE4b:
		v.uopPairs = true
	case style.StyleE4c:
		v.uopPairs, v.mortal, v.gcReachable, v.jitMemory = true, true, true, true
		v.unknownCallee, v.trimLeading, v.getIterIsIter = true, true, true
	}
	return v
}

// e4Input is one data set with its derived views.
type e4Input struct {
	st   *pystats.Stats
	ov   *specialize.OpcodeViews
	view *specialize.View
}

func newE4Input(st *pystats.Stats, v *specialize.View) *e4Input {
	v = style.ViewOf(st, nil, v)
	return &e4Input{st: st, ov: v.Counters, view: v}
}

// e4Builder builds a report for one input or a base/head pair.
type e4Builder struct {
	v          e4Variant
	base, head *e4Input // head is nil for a single report
	err        error
}

// table computes a table from each input and joins them when comparing.
func (b *e4Builder) table(cols []string, mode table.JoinMode, calc func(*e4Input) [][]table.Cell) *table.Table {
	if b.head == nil {
		return &table.Table{Columns: cols, Rows: calc(b.base), Mode: mode}
	}
	t, err := table.JoinTables(mode, cols, calc(b.base), calc(b.head))
	if err != nil && b.err == nil {
		b.err = err
	}
	return &t
}

// Build computes the E4 summarizer's single-input report.
func Build(st *pystats.Stats, opt style.MarkdownOptions) (*table.Report, error) {
	s := ResolveStyle(st, opt.Style)
	b := &e4Builder{v: e4VariantOf(s), base: newE4Input(st, opt.View)}
	return b.build()
}

// Compare computes the E4 summarizer's comparison of base and head. The
// sub-style is resolved from head unless opt.Style names one.
func Compare(base, head *pystats.Stats, opt style.MarkdownOptions) (*table.Report, error) {
	s := ResolveStyle(head, opt.Style)
	b := &e4Builder{v: e4VariantOf(s), base: newE4Input(base, opt.BaseView), head: newE4Input(head, opt.View)}
	return b.build()
}

func (b *e4Builder) build() (*table.Report, error) {
	r := &table.Report{Style: b.v.style, Comparison: b.head != nil}
	for _, section := range e4Sections {
		s, err := b.section(section)
		if err != nil {
			return nil, err
		}
		r.Sections = append(r.Sections, s)
	}
	return r, nil
}

// e4Sections are the report's sections in order.
var e4Sections = []func(*e4Builder) *table.Section{
	(*e4Builder).executionCountSection,
	func(b *e4Builder) *table.Section {
		return b.pairCountSection(func(in *e4Input) *specialize.OpcodeStats { return in.ov.Opcode }, b.opcodePairSummary(), nil)
	},
	(*e4Builder).predSuccSection,
	(*e4Builder).specializationSection,
	(*e4Builder).effectivenessSection,
	(*e4Builder).callStatsSection,
	(*e4Builder).objectStatsSection,
	(*e4Builder).gcStatsSection,
	(*e4Builder).optimizationSection,
	(*e4Builder).rareEventSection,
	(*e4Builder).metaSection,
}

// section computes one section on a builder of its own, so that sections
// computed at once do not share the error they may record.
func (b *e4Builder) section(f func(*e4Builder) *table.Section) (*table.Section, error) {
	own := &e4Builder{v: b.v, base: b.base, head: b.head}
	s := f(own)
	return s, own.err
}

// sectionWorkers is how many sections write computes at once: the
// predecessor/successor pairs of every instruction take as long as the
// rest together, so a second core computes the others meanwhile.
const sectionWorkers = 2

// write renders the report to w as build and WriteMarkdown would, writing
// each section, in order, while the next ones are computed (on other
// cores); nothing reaches w unless every section could be computed, and the
// error is the first section's in order.
func (b *e4Builder) write(w io.Writer, header func(*bufio.Writer), date string) error {
	type result struct {
		s   *table.Section
		err error
	}
	results := make([]chan result, len(e4Sections))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	defer wg.Wait() // the sections read the inputs: none runs on after this
	for range sectionWorkers {
		wg.Go(func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(e4Sections) {
					return
				}
				s, err := b.section(e4Sections[i])
				if err != nil {
					failed.Store(true)
				}
				results[i] <- result{s, err}
			}
		})
	}
	var out chunks.Buffer // nothing is written when a section fails
	bw := bufio.NewWriterSize(&out, 64<<10)
	if header != nil {
		header(bw)
	}
	for _, c := range results {
		r := <-c // every section before a failed one is computed
		if r.err != nil {
			return r.err
		}
		writeE4Section(bw, r.s, 2, b.head != nil)
	}
	writeE4Footer(bw, date)
	bw.Flush()
	if _, err := out.WriteTo(w); err != nil {
		return fmt.Errorf("writing markdown: %w", err)
	}
	return nil
}

func (b *e4Builder) opcodePairSummary() string {
	if b.v.tier1PairSummary {
		return "Pair counts for top 100 Tier 1 instructions"
	}
	return "Pair counts for top 100 opcode pairs"
}

// e4ExecutionRows is the script's calc_execution_count_table.
func e4ExecutionRows(s *specialize.OpcodeStats) [][]table.Cell {
	type ec struct {
		name        string
		count, miss uint64
	}
	var counts []ec
	total := s.TotalExecutionCount() // Tier 1: specialize.View.Tier1Total
	for i := range s.Ops {
		o := &s.Ops[i]
		if !o.HasExecutionCount {
			continue
		}
		var miss uint64
		if !o.Specializable {
			miss = o.Miss
		}
		counts = append(counts, ec{o.Name, o.ExecutionCount, miss})
	}
	table.SortStableDesc2(counts, func(e ec) (uint64, uint64) { return e.count, e.miss })
	rows := make([][]table.Cell, 0, len(counts))
	var cum uint64
	for _, e := range counts {
		cum += e.count
		missCell := table.Cell{}
		if e.miss != 0 {
			missCell = table.RatioCell(e.miss, e.count)
		}
		rows = append(rows, []table.Cell{table.TextCell(e.name), table.CountCell(e.count), table.RatioCell(e.count, total), table.RatioCell(cum, total), missCell})
	}
	return rows
}

var e4ExecutionColumns = []string{"Name", "Count:", "Self:", "Cumulative:", "Miss ratio:"}

func (b *e4Builder) executionCountSection() *table.Section {
	return &table.Section{
		Title:   "Execution counts",
		Summary: "Execution counts for Tier 1 instructions.",
		Doc: `The "miss ratio" column shows the percentage of times the instruction
executed that it deoptimized. When this happens, the base unspecialized
instruction is not counted.`,
		Parts: []any{table.Tagged(table.MetricTag{Kind: table.MetricShare}, b.table(e4ExecutionColumns, table.JoinChangeOneColumn, func(in *e4Input) [][]table.Cell {
			return e4ExecutionRows(in.ov.Opcode)
		}))},
	}
}

// pairCountSection is the script's pair_count_section; total, when set,
// gives the Self/Cumulative denominator (else the family's executions).
func (b *e4Builder) pairCountSection(fam func(*e4Input) *specialize.OpcodeStats, summary string, total func(*e4Input) uint64) *table.Section {
	s := &table.Section{
		Title:          "Pair counts",
		Summary:        summary,
		NotComparative: true,
		Doc: `Pairs of specialized operations that deoptimize and are then followed by
the corresponding unspecialized instruction are not counted as pairs.`,
	}
	if b.head != nil {
		return s
	}
	in := b.base
	ops := fam(in)
	pairs := ops.PairCounts()
	var den uint64
	if total != nil {
		den = total(in)
	} else {
		den = ops.TotalExecutionCount()
	}
	pairs = table.TopStableDesc(pairs, 100, func(p specialize.Pair) uint64 { return p.Count })
	rows := make([][]table.Cell, 0, len(pairs))
	var cum uint64
	for _, p := range pairs {
		cum += p.Count
		rows = append(rows, []table.Cell{table.TextCell(p.First + " " + p.Second), table.CountCell(p.Count), table.RatioCell(p.Count, den), table.RatioCell(cum, den)})
	}
	s.Parts = []any{&table.Table{Columns: []string{"Pair", "Count:", "Self:", "Cumulative:"}, Rows: rows}}
	return s
}

func (b *e4Builder) predSuccSection() *table.Section {
	s := &table.Section{
		Title:          "Predecessor/Successor Pairs",
		Summary:        "Top 5 predecessors and successors of each Tier 1 opcode.",
		NotComparative: true,
		Doc: `This does not include the unspecialized instructions that occur after a
specialized instruction deoptimizes.`,
	}
	if b.head != nil {
		return s
	}
	ops := b.base.ov.Opcode
	rowsOf := func(xs []specialize.NamedCount) [][]table.Cell {
		var total uint64
		for _, x := range xs {
			total += x.Value
		}
		top := table.TopStableDesc(xs, 5, func(x specialize.NamedCount) uint64 { return x.Value })
		rows := make([][]table.Cell, 0, len(top))
		for _, x := range top {
			rows = append(rows, []table.Cell{table.TextCell(x.Name), table.CountCell(x.Value), table.RatioCell(x.Value, total)})
		}
		return rows
	}
	for i := range ops.Ops {
		name := ops.Ops[i].Name
		pred, succ := ops.Predecessors(name), ops.Successors(name)
		if len(pred) == 0 && len(succ) == 0 {
			continue
		}
		s.Parts = append(s.Parts, &table.Section{
			Title:   name,
			Summary: "Successors and predecessors for " + name,
			Parts: []any{
				&table.Table{Columns: []string{"Predecessors", "Count:", "Percentage:"}, Rows: rowsOf(pred)},
				&table.Table{Columns: []string{"Successors", "Count:", "Percentage:"}, Rows: rowsOf(succ)},
			},
		})
	}
	return s
}

var e4KindDocs = map[string]string{
	"deferred": `Lists the number of "deferred" (i.e. not specialized) instructions executed.`,
	"hit":      "Specialized instructions that complete.",
	"miss":     "Specialized instructions that deopt.",
	"deopt":    "Specialized instructions that deopt.",
}

// e4LabelCell is a Doc cell when a pop-up text is known, else plain text (the
// script would stop with a KeyError).
func e4LabelCell(label string, docs map[string]string) table.Cell {
	if d, ok := docs[label]; ok {
		return table.DocCell(label, d)
	}
	return table.TextCell(label)
}

// kindRules are the failure-kind naming rules of an input: its era's
// (specialize.RulesOf), with the GET_ITER rule of the sub-style rendered.
func (b *e4Builder) kindRules(in *e4Input) specialize.Rules {
	r := in.view.Rules
	if !r.Line311 {
		r.GetIterIsIter = b.v.getIterIsIter
	}
	return r
}

// failureKindRows is the script's failure-kind table for one family.
func (b *e4Builder) failureKindRows(in *e4Input, o *specialize.OpcodeStat) [][]table.Cell {
	type kv struct {
		label string
		value uint64
	}
	var kinds []kv
	pos := map[string]int{}
	for _, fk := range o.FailureKinds {
		if fk.Value == 0 {
			continue
		}
		label := b.kindRules(in).FailureKindLabel(o.Name, fk.Index, in.view.Defines)
		if i, ok := pos[label]; ok {
			kinds[i].value = fk.Value // a dict: the later kind wins, the first position stays
			continue
		}
		pos[label] = len(kinds)
		kinds = append(kinds, kv{label, fk.Value})
	}
	table.SortStableDesc(kinds, func(x kv) uint64 { return x.value })
	rows := make([][]table.Cell, 0, len(kinds))
	for _, k := range kinds {
		rows = append(rows, []table.Cell{table.TextCell(k.label), table.CountCell(k.value), table.RatioCell(k.value, o.Failure)})
	}
	return rows
}

func (b *e4Builder) specializationSection() *table.Section {
	s := &table.Section{Title: "Specialization stats", Summary: "Specialization stats by family"}
	baseOps := b.base.ov.Opcode
	var names []string
	for i := range baseOps.Ops {
		n := baseOps.Ops[i].Name
		if b.head != nil && !b.head.ov.Opcode.Has(n) {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		bo := baseOps.Get(name)
		if !bo.Specializable {
			continue
		}
		if b.base.view.FamilyTotal(bo) == 0 && (b.head == nil || b.head.view.FamilyTotal(b.head.ov.Opcode.Get(name)) == 0) {
			continue
		}
		name := name
		get := func(in *e4Input) *specialize.OpcodeStat { return in.ov.Opcode.Get(name) }
		s.Parts = append(s.Parts, &table.Section{
			Title:   name,
			Summary: "specialization stats for " + name + " family",
			Parts: []any{
				table.Tagged(table.MetricTag{Kind: table.MetricKindRatios, Family: name}, b.table([]string{"Kind", "Count:", "Ratio:"}, table.JoinChange, func(in *e4Input) [][]table.Cell {
					o := get(in)
					total := in.view.FamilyTotal(o)
					rows := make([][]table.Cell, 0, len(o.KindCounters))
					for _, k := range o.KindCounters {
						rows = append(rows, []table.Cell{e4LabelCell(k.Name, e4KindDocs), table.CountCell(k.Value), table.RatioCell(k.Value, total)})
					}
					return rows
				})),
				table.Tagged(table.MetricTag{Kind: table.MetricFailureRatio, Family: name, Names: map[string]string{"Failure": "failure_ratio"}}, b.table([]string{"Success", "Count:", "Ratio:"}, table.JoinChange, func(in *e4Input) [][]table.Cell {
					o := get(in)
					total := o.Success + o.Failure
					if total == 0 {
						return nil
					}
					return [][]table.Cell{
						{table.TextCell("Success"), table.CountCell(o.Success), table.RatioCell(o.Success, total)},
						{table.TextCell("Failure"), table.CountCell(o.Failure), table.RatioCell(o.Failure, total)},
					}
				})),
				table.Tagged(table.MetricTag{Kind: table.MetricFailureShare, Family: name}, b.table([]string{"Failure kind", "Count:", "Ratio:"}, table.JoinChange, func(in *e4Input) [][]table.Cell {
					return b.failureKindRows(in, get(in))
				})),
			},
		})
	}
	return s
}

// e4EffectivenessTag names the effectiveness table's rows as metrics.
var e4EffectivenessTag = table.MetricTag{Kind: table.MetricEffectiveness, Names: map[string]string{
	"Basic": "basic", "Not specialized": "not_specialized",
	"Specialized hits": "specialized_hits", "Specialized misses": "specialized_misses",
}}

func (b *e4Builder) effectivenessSection() *table.Section {
	cols := []string{"Name", "Count:", "Ratio:"}
	top10 := func(vals []specialize.NamedCount) [][]table.Cell {
		var total uint64
		for _, v := range vals {
			total += v.Value
		}
		if total == 0 {
			return nil
		}
		table.SortStableDesc(vals, func(x specialize.NamedCount) uint64 { return x.Value })
		if len(vals) > 10 {
			vals = vals[:10]
		}
		rows := make([][]table.Cell, 0, len(vals))
		for _, v := range vals {
			rows = append(rows, []table.Cell{table.TextCell(v.Name), table.CountCell(v.Value), table.RatioCell(v.Value, total)})
		}
		return rows
	}
	return &table.Section{
		Title:   "Specialization effectiveness",
		Summary: "specialization effectiveness",
		Doc: `All entries are execution counts. Should add up to the total number of
Tier 1 instructions executed.`,
		Parts: []any{
			table.Tagged(e4EffectivenessTag, b.table([]string{"Instructions", "Count:", "Ratio:"}, table.JoinChange, func(in *e4Input) [][]table.Cell {
				e := in.view.Effectiveness()
				total := in.view.Tier1Total
				// Wrapping uint64 sums are exact whenever the true sum is >= 0.
				basic, notSpec, hits, misses := e.Basic, e.NotSpecialized, uint64(e.Hits), e.Misses
				return [][]table.Cell{
					{table.DocCell("Basic", "Instructions that are not and cannot be specialized, e.g. `LOAD_FAST`."), table.CountCell(basic), table.RatioCell(basic, total)},
					{table.DocCell("Not specialized", "Instructions that could be specialized but aren't, e.g. `LOAD_ATTR`, `BINARY_SLICE`."), table.CountCell(notSpec), table.RatioCell(notSpec, total)},
					{table.DocCell("Specialized hits", "Specialized instructions, e.g. `LOAD_ATTR_MODULE` that complete."), table.CountCell(hits), table.RatioCell(hits, total)},
					{table.DocCell("Specialized misses", "Specialized instructions, e.g. `LOAD_ATTR_MODULE` that deopt."), table.CountCell(misses), table.RatioCell(misses, total)},
				}
			})),
			&table.Section{
				Title:   "Deferred by instruction",
				Summary: "Breakdown of deferred (not specialized) instruction counts by family",
				Parts: []any{b.table(cols, table.JoinChange, func(in *e4Input) [][]table.Cell {
					ops := in.ov.Opcode
					vals := make([]specialize.NamedCount, 0, len(ops.Ops))
					for i := range ops.Ops {
						if ops.Ops[i].Name != "RESUME" {
							vals = append(vals, specialize.NamedCount{Name: ops.Ops[i].Name, Value: ops.Ops[i].Deferred})
						}
					}
					return top10(vals)
				})},
			},
			&table.Section{
				Title:   "Misses by instruction",
				Summary: "Breakdown of misses (specialized deopts) instruction counts by family",
				Parts: []any{b.table(cols, table.JoinChange, func(in *e4Input) [][]table.Cell {
					ops := in.ov.Opcode
					vals := make([]specialize.NamedCount, 0, len(ops.Ops))
					for i := range ops.Ops {
						if !ops.Ops[i].Specializable {
							vals = append(vals, specialize.NamedCount{Name: ops.Ops[i].Name, Value: ops.Ops[i].Miss})
						}
					}
					return top10(vals)
				})},
			},
		},
	}
}

func e4Pretty(name string) string { return strings.ToLower(strings.ReplaceAll(name, "_", " ")) }

func (b *e4Builder) callStatsSection() *table.Section {
	return &table.Section{
		Title:   "Call stats",
		Summary: "Inlined calls and frame stats",
		Doc: `This shows what fraction of calls to Python functions are inlined (i.e.
not having a call at the C level) and for those that are not, where the
call comes from.  The various categories overlap.

Also includes the count of frame objects created.`,
		Parts: []any{table.Tagged(table.MetricTag{Kind: table.MetricCall}, b.table([]string{"", "Count:", "Ratio:"}, table.JoinChange, e4CallRows))},
	}
}

// e4CallRows is the script's get_call_stats and calc_call_stats_table.
func e4CallRows(in *e4Input) [][]table.Cell {
	st := in.st
	type kv struct {
		key, label string
		value      uint64
		callsTo    bool
	}
	var calls, frames []kv
	fams := st.Families()
	keys, names, idx, vals := st.Keys(), st.Names(), st.Indexes(), st.Values()
	for i, f := range fams {
		if f != pystats.FamilyCalls {
			continue
		}
		k := keys.Value(i)
		switch {
		case strings.Contains(k, "Calls to"):
			calls = append(calls, kv{k, k, vals.Value(i), true})
		case strings.HasPrefix(k, "Calls "):
			label := k
			if ix := idx.Value(i); ix != "" {
				kind := ix
				if n, err := strconv.Atoi(ix); err == nil {
					if ns := in.view.StatsDefines.Names[n]; len(ns) > 0 {
						kind = e4Pretty(ns[0])
					}
				}
				label = names.Value(i) + " (" + kind + ")"
			}
			calls = append(calls, kv{k, label, vals.Value(i), false})
		case strings.HasPrefix(k, "Frame"):
			frames = append(frames, kv{k, k, vals.Value(i), false})
		}
	}
	sort.SliceStable(calls, func(a, b int) bool { return calls[a].key < calls[b].key })
	sort.SliceStable(frames, func(a, b int) bool { return frames[a].key < frames[b].key })
	var total uint64
	for _, c := range calls {
		if strings.Contains(c.label, "Calls to") {
			total += c.value
		}
	}
	rows := make([][]table.Cell, 0, len(calls)+len(frames))
	for _, c := range append(calls, frames...) {
		rows = append(rows, []table.Cell{table.TextCell(c.label), table.CountCell(c.value), table.RatioCell(c.value, total)})
	}
	return rows
}

func (b *e4Builder) objectStatsSection() *table.Section {
	doc := `Below, "allocations" means "allocations that are not from a freelist".
Total allocations = "Allocations from freelist" + "Allocations".

"Inline values" is the number of values arrays inlined into objects.

The cache hit/miss numbers are for the MRO cache, split into dunder and
other names.`
	if b.v.newValues {
		doc = strings.Replace(doc, `"Inline values" is the number of values arrays inlined into objects.`,
			"\"New values\" is the number of values arrays created for objects with\nmanaged dicts.", 1)
	}
	return &table.Section{
		Title:   "Object stats",
		Summary: "Allocations, frees and dict materializatons",
		Doc:     doc,
		Parts:   []any{table.Tagged(table.MetricTag{Kind: table.MetricObject}, b.table([]string{"", "Count:", "Ratio:"}, table.JoinChange, b.objectRows))},
	}
}

// objectRows is the script's get_object_stats and calc_object_stats_table.
func (b *e4Builder) objectRows(in *e4Input) [][]table.Cell {
	st := in.st
	var materialize uint64
	if b.v.newValues {
		materialize = st.Get("Object new values")
	} else {
		materialize = st.Get("Object inline values")
	}
	allocations := st.Get("Object allocations") + st.Get("Object allocations from freelist")
	var increfs, decrefs uint64
	if b.v.mortal {
		increfs = st.Get("Object interpreter mortal increfs") + st.Get("Object mortal increfs") +
			st.Get("Object interpreter immortal increfs") + st.Get("Object immortal increfs")
		decrefs = st.Get("Object interpreter mortal decrefs") + st.Get("Object mortal decrefs") +
			st.Get("Object interpreter immortal decrefs") + st.Get("Object immortal decrefs")
	} else {
		increfs = st.Get("Object interpreter increfs") + st.Get("Object increfs")
		decrefs = st.Get("Object interpreter decrefs") + st.Get("Object decrefs")
	}
	var rows [][]table.Cell
	fams := st.Families()
	names, vals := st.Names(), st.Values()
	for i, f := range fams {
		if f != pystats.FamilyObject {
			continue
		}
		name := names.Value(i)
		v := vals.Value(i)
		var ratio table.Cell
		switch {
		case strings.Contains(name, "materialize"):
			ratio = table.RatioCell(v, materialize)
		case strings.Contains(name, "allocations"):
			ratio = table.RatioCell(v, allocations)
		case strings.Contains(name, "increfs"):
			ratio = table.RatioCell(v, increfs)
		case strings.Contains(name, "decrefs"):
			ratio = table.RatioCell(v, decrefs)
		default:
			ratio = table.NoRatioCell(v)
		}
		label := strings.TrimSpace(name)
		if label != "" {
			label = strings.ToUpper(label[:1]) + label[1:]
		}
		rows = append(rows, []table.Cell{table.TextCell(label), table.CountCell(v), ratio})
	}
	return rows
}

func (b *e4Builder) gcStatsSection() *table.Section {
	cols := []string{"Generation:", "Collections:", "Objects collected:", "Object visits:"}
	fields := []string{"collections", "objects collected", "object visits"}
	metrics := []string{"collections", "objects collected", "object visits"} // gc[GEN:metric]
	if b.v.gcReachable {
		cols = append(cols, "Reachable from roots:", "Not reachable from roots:")
		fields = append(fields, "objects reachable from roots", "objects not reachable from roots")
		metrics = append(metrics, "reachable from roots", "not reachable from roots")
	}
	return &table.Section{
		Title:   "GC stats",
		Summary: "GC collections and effectiveness",
		Doc:     "Collected/visits gives some measure of efficiency.",
		Parts: []any{table.Tagged(table.MetricTag{Kind: table.MetricGC, Fields: metrics}, b.table(cols, table.JoinSimple, func(in *e4Input) [][]table.Cell {
			st := in.st
			var gens []map[string]uint64
			fams := st.Families()
			names, idx, vals := st.Names(), st.Indexes(), st.Values()
			for i, f := range fams {
				if f != pystats.FamilyGC {
					continue
				}
				g, err := strconv.Atoi(idx.Value(i))
				if err != nil || g < 0 {
					continue
				}
				if g >= table.MaxDenseIndex {
					if b.err == nil {
						b.err = table.ErrDenseIndex("E4", "GC generation", g)
					}
					return nil
				}
				for len(gens) <= g {
					gens = append(gens, map[string]uint64{})
				}
				gens[g][names.Value(i)] = vals.Value(i)
			}
			rows := make([][]table.Cell, 0, len(gens))
			for g, m := range gens {
				row := []table.Cell{table.CountCell(uint64(g))}
				for _, f := range fields {
					row = append(row, table.CountCell(m[f]))
				}
				rows = append(rows, row)
			}
			return rows
		}))},
	}
}

// e4Histogram returns the buckets of a power-of-two histogram, ascending.
func e4Histogram(st *pystats.Stats, name string) []specialize.IndexedCount {
	var out []specialize.IndexedCount
	fams := st.Families()
	names, idx, vals := st.Names(), st.Indexes(), st.Values()
	for i, f := range fams {
		if f != pystats.FamilyHistogram || names.Value(i) != name {
			continue
		}
		n, err := strconv.Atoi(idx.Value(i))
		if err != nil {
			continue
		}
		out = append(out, specialize.IndexedCount{Index: n, Value: vals.Value(i)})
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Index != out[b].Index {
			return out[a].Index < out[b].Index
		}
		return out[a].Value < out[b].Value
	})
	return out
}

func (b *e4Builder) histogramRows(in *e4Input, name, den string) [][]table.Cell {
	h := e4Histogram(in.st, name)
	var d uint64
	if den != "" {
		d = in.st.Get(den)
	} else {
		for _, x := range h {
			d += x.Value
		}
	}
	rows := make([][]table.Cell, 0, len(h))
	for _, x := range h {
		rows = append(rows, []table.Cell{table.TextCell("<= " + e4FormatIntGrouped(x.Index)), table.CountCell(x.Value), table.RatioCell(x.Value, d)})
	}
	if b.v.trimLeading {
		start, end := 0, len(rows)-1
		for start <= end {
			if rows[start][1].Value == 0 {
				start++
			} else if rows[end][1].Value == 0 {
				end--
			} else {
				break
			}
		}
		return rows[start : end+1]
	}
	last := 0
	for i, x := range h {
		if x.Value != 0 {
			last = i
		}
	}
	if len(rows) > last+1 {
		rows = rows[:last+1]
	}
	return rows
}

func e4FormatIntGrouped(n int) string {
	if n < 0 {
		return "-" + e4FormatIntGrouped(-n)
	}
	return e4GroupDigits(strconv.Itoa(n))
}

func e4GroupDigits(s string) string {
	if len(s) <= 3 {
		return s
	}
	var sb strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		sb.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if sb.Len() > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(s[i : i+3])
	}
	return sb.String()
}

func (b *e4Builder) optimizationRows(in *e4Input) [][]table.Cell {
	st := in.st
	g := st.Get
	attempts, created, executed := g("Optimization attempts"), g("Optimization traces created"), g("Optimization traces executed")
	rows := [][]table.Cell{
		{table.DocCell("Optimization attempts", "The number of times a potential trace is identified.  Specifically, this occurs in the JUMP BACKWARD instruction when the counter reaches a threshold."), table.CountCell(attempts), table.NoRatioCell(attempts)},
		{table.DocCell("Traces created", "The number of traces that were successfully created."), table.CountCell(created), table.RatioCell(created, attempts)},
		{table.DocCell("Trace stack overflow", "A trace is truncated because it would require more than 5 stack frames."), table.CountCell(g("Optimization trace stack overflow")), table.RatioCell(g("Optimization trace stack overflow"), attempts)},
		{table.DocCell("Trace stack underflow", "A potential trace is abandoned because it pops more frames than it pushes."), table.CountCell(g("Optimization trace stack underflow")), table.RatioCell(g("Optimization trace stack underflow"), attempts)},
		{table.DocCell("Trace too long", "A trace is truncated because it is longer than the instruction buffer."), table.CountCell(g("Optimization trace too long")), table.RatioCell(g("Optimization trace too long"), attempts)},
		{table.DocCell("Trace too short", b.v.tooShort), table.CountCell(g("Optimization trace too short")), table.RatioCell(g("Optimization trace too short"), attempts)},
		{table.DocCell("Inner loop found", "A trace is truncated because it has an inner loop"), table.CountCell(g("Optimization inner loop")), table.RatioCell(g("Optimization inner loop"), attempts)},
		{table.DocCell("Recursive call", "A trace is truncated because it has a recursive call."), table.CountCell(g("Optimization recursive call")), table.RatioCell(g("Optimization recursive call"), attempts)},
		{table.DocCell("Low confidence", "A trace is abandoned because the likelihood of the jump to top being taken is too low."), table.CountCell(g("Optimization low confidence")), table.RatioCell(g("Optimization low confidence"), attempts)},
	}
	if b.v.unknownCallee {
		rows = append(rows, []table.Cell{table.DocCell("Unknown callee", "A trace is abandoned because the target of a call is unknown."), table.CountCell(g("Optimization unknown callee")), table.RatioCell(g("Optimization unknown callee"), attempts)})
	}
	uops := g("Optimization uops executed")
	rows = append(rows,
		[]table.Cell{table.DocCell("Executors invalidated", "The number of executors that were invalidated due to watched dictionary changes."), table.CountCell(g("Executors invalidated")), table.RatioCell(g("Executors invalidated"), created)},
		[]table.Cell{table.DocCell("Traces executed", "The number of traces that were executed"), table.CountCell(executed), table.NoRatioCell(executed)},
		// The script means this as a plain average but prints a percentage.
		[]table.Cell{table.DocCell("Uops executed", "The total number of uops (micro-operations) that were executed"), table.CountCell(uops), table.RatioCell(uops, executed)},
	)
	return rows
}

func e4OptimizerRows(in *e4Input) [][]table.Cell {
	g := in.st.Get
	attempts := g("Optimization optimizer attempts")
	r := func(label, doc, key string) []table.Cell {
		return []table.Cell{table.DocCell(label, doc), table.CountCell(g(key)), table.RatioCell(g(key), attempts)}
	}
	return [][]table.Cell{
		{table.DocCell("Optimizer attempts", "The number of times the trace optimizer (_Py_uop_analyze_and_optimize) was run."), table.CountCell(attempts), table.NoRatioCell(attempts)},
		r("Optimizer successes", "The number of traces that were successfully optimized.", "Optimization optimizer successes"),
		r("Optimizer no memory", "The number of optimizations that failed due to no memory.", "Optimization optimizer failure no memory"),
		r("Remove globals builtins changed", "The builtins changed during optimization", "Optimizer remove globals builtins changed"),
		r("Remove globals incorrect keys", "The keys in the globals dictionary aren't what was expected", "Optimizer remove globals incorrect keys"),
	}
}

func e4JitMemoryRows(in *e4Input) [][]table.Cell {
	g := in.st.Get
	total := g("JIT total memory size")
	r := func(label, doc, key string) []table.Cell {
		return []table.Cell{table.DocCell(label, doc), table.CountCell(g(key)), table.RatioCell(g(key), total)}
	}
	return [][]table.Cell{
		{table.DocCell("Total memory size", "The total size of the memory allocated for the JIT traces"), table.CountCell(total), table.NoRatioCell(total)},
		r("Code size", "The size of the memory allocated for the code of the JIT traces", "JIT code size"),
		r("Trampoline size", "The size of the memory allocated for the trampolines of the JIT traces", "JIT trampoline size"),
		r("Data size", "The size of the memory allocated for the data of the JIT traces", "JIT data size"),
		r("Padding size", "The size of the memory allocated for the padding of the JIT traces", "JIT padding size"),
		r("Freed memory size", "The size of the memory freed from the JIT traces", "JIT freed memory size"),
	}
}

// e4CountRows is an "Opcode", "Count:" table of X[...].count counters,
// sorted by count, descending.
func e4CountRows(s *specialize.OpcodeStats) [][]table.Cell {
	var xs []specialize.NamedCount
	for i := range s.Ops {
		if s.Ops[i].Count != 0 {
			xs = append(xs, specialize.NamedCount{Name: s.Ops[i].Name, Value: s.Ops[i].Count})
		}
	}
	table.SortStableDesc(xs, func(x specialize.NamedCount) uint64 { return x.Value })
	rows := make([][]table.Cell, 0, len(xs))
	for _, x := range xs {
		rows = append(rows, []table.Cell{table.TextCell(x.Name), table.CountCell(x.Value)})
	}
	return rows
}

func (b *e4Builder) optimizationSection() *table.Section {
	s := &table.Section{Title: "Optimization (Tier 2) stats", Summary: "statistics about the Tier 2 optimizer"}
	has := func(in *e4Input) bool { _, ok := in.st.Value("Optimization attempts"); return ok }
	if !has(b.base) || (b.head != nil && !has(b.head)) {
		return s
	}
	vcols := []string{"", "Count:", "Ratio:"}
	s.Parts = append(s.Parts,
		table.Tagged(table.MetricTag{Kind: table.MetricTier2}, b.table(vcols, table.JoinChange, b.optimizationRows)),
		table.Tagged(table.MetricTag{Kind: table.MetricTier2}, b.table(vcols, table.JoinChange, e4OptimizerRows)),
	)
	if b.v.jitMemory {
		s.Parts = append(s.Parts,
			&table.Section{Title: "JIT memory stats", Summary: "JIT memory stats", Parts: []any{
				b.table([]string{"", "Size (bytes):", "Ratio:"}, table.JoinChange, e4JitMemoryRows),
			}},
			&table.Section{Title: "JIT trace total memory histogram", Summary: "JIT trace total memory histogram", Parts: []any{
				b.table([]string{"Size (bytes)", "Count", "Ratio:"}, table.JoinChangeNoSort, func(in *e4Input) [][]table.Cell {
					return b.histogramRows(in, "Trace total memory size", "")
				}),
			}},
		)
	}
	for _, h := range []struct{ name, den string }{
		{"Trace length", "Optimization traces created"},
		{"Optimized trace length", "Optimization traces created"},
		{"Trace run length", "Optimization traces executed"},
	} {
		h := h
		title := h.name + " histogram"
		s.Parts = append(s.Parts, &table.Section{Title: title, Summary: strings.ToLower(title), Parts: []any{
			b.table([]string{"Range", "Count:", "Ratio:"}, table.JoinChangeNoSort, func(in *e4Input) [][]table.Cell {
				return b.histogramRows(in, h.name, h.den)
			}),
		}})
	}
	s.Parts = append(s.Parts, &table.Section{Title: "Uop execution stats", Summary: "uop execution stats", Parts: []any{
		table.Tagged(table.MetricTag{Kind: table.MetricUopShare}, b.table(e4ExecutionColumns, table.JoinChangeOneColumn, func(in *e4Input) [][]table.Cell { return e4ExecutionRows(in.ov.Uops) })),
	}})
	if b.v.uopPairs {
		// The script's prefix "uop" also matches "uops[" keys, so the
		// denominator is the total uop execution count.
		s.Parts = append(s.Parts, b.pairCountSection(
			func(in *e4Input) *specialize.OpcodeStats { return in.ov.UopPairs },
			"Pair counts for top 100 Non-JIT uop pairs",
			func(in *e4Input) uint64 {
				return in.ov.Uops.TotalExecutionCount() + in.ov.UopPairs.TotalExecutionCount()
			}))
	}
	s.Parts = append(s.Parts,
		&table.Section{Title: "Unsupported opcodes", Summary: "unsupported opcodes", Parts: []any{
			b.table([]string{"Opcode", "Count:"}, table.JoinChange, func(in *e4Input) [][]table.Cell { return e4CountRows(in.ov.UnsupportedOpcode) }),
		}},
		&table.Section{Title: "Optimizer errored out with opcode", Summary: "Optimization stopped after encountering this opcode", Parts: []any{
			b.table([]string{"Opcode", "Count:"}, table.JoinChange, func(in *e4Input) [][]table.Cell { return e4CountRows(in.ov.ErrorInOpcode) }),
		}},
	)
	return s
}

var e4RareEventDocs = map[string]string{
	"set class":                    "Setting an object's class, `obj.__class__ = ...`",
	"set bases":                    "Setting the bases of a class, `cls.__bases__ = ...`",
	"set eval frame func":          "Setting the PEP 523 frame eval function `_PyInterpreterState_SetFrameEvalFunc()`",
	"builtin dict":                 "Modifying the builtins, `__builtins__.__dict__[var] = ...`",
	"func modification":            "Modifying a function, e.g. `func.__defaults__ = ...`, etc.",
	"watched dict modification":    "A watched dict has been modified",
	"watched globals modification": "A watched `globals()` dict has been modified",
}

func (b *e4Builder) rareEventSection() *table.Section {
	return &table.Section{
		Title:   "Rare events",
		Summary: "Counts of rare/unlikely events",
		Parts: []any{b.table([]string{"Event", "Count:"}, table.JoinChange, func(in *e4Input) [][]table.Cell {
			st := in.st
			var rows [][]table.Cell
			fams := st.Families()
			names, vals := st.Names(), st.Values()
			for i, f := range fams {
				if f != pystats.FamilyRareEvent {
					continue
				}
				label := strings.ReplaceAll(names.Value(i), "_", " ")
				rows = append(rows, []table.Cell{e4LabelCell(label, e4RareEventDocs), table.CountCell(vals.Value(i))})
			}
			return rows
		})},
	}
}

func (b *e4Builder) metaSection() *table.Section {
	return &table.Section{
		Title:   "Meta stats",
		Summary: "Meta statistics",
		Parts: []any{b.table([]string{"", "Count:"}, table.JoinChange, func(in *e4Input) [][]table.Cell {
			return [][]table.Cell{{table.TextCell("Number of data files"), table.CountCell(in.st.NFiles())}}
		})},
	}
}

// WriteSummary renders the E4 summarizer's single-input report.
func WriteSummary(w io.Writer, st *pystats.Stats, opt style.MarkdownOptions) error {
	s := ResolveStyle(st, opt.Style)
	b := &e4Builder{v: e4VariantOf(s), base: newE4Input(st, opt.View)}
	var header func(*bufio.Writer)
	if st.Meta.BenchRunner != nil {
		header = func(bw *bufio.Writer) { style.WriteBenchRunnerHeader(bw, &st.Meta, opt) }
	}
	return b.write(w, header, opt.Date)
}

// WriteComparison renders the E4 summarizer's comparison report (no
// bench_runner header: bench_runner publishes the script's output as is).
func WriteComparison(w io.Writer, base, head *pystats.Stats, opt style.MarkdownOptions) error {
	s := ResolveStyle(head, opt.Style)
	b := &e4Builder{v: e4VariantOf(s), base: newE4Input(base, opt.BaseView), head: newE4Input(head, opt.View)}
	return b.write(w, nil, opt.Date)
}
