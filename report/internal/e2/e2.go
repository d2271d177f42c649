package e2

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/pystats-dev/pystats/internal/py"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/internal/pipe"
	"github.com/pystats-dev/pystats/report/internal/style"
	"github.com/pystats-dev/pystats/report/table"
	"github.com/pystats-dev/pystats/specialize"
)

// The E2 summarizer is Tools/scripts/summarize_stats.py of the 3.12 branch and
// of main from mid-2022 to August 2023. Its data keys opcodes by number; names
// come from the build tables (opt.Tables). Its sub-styles (style.StyleE2Nov2022
// and the others) say how the versions behind the published files differ.

// e2Variant selects the behaviours of one E2 summarizer version. The zero
// value is the 3.12 branch's script (and main's until August 2023).
type e2Variant struct {
	// dropMissRows: rows with misses are missing from "Execution counts"
	// (before python/cpython#99906).
	dropMissRows bool
	// unquickened: Kind tables show execution_count as "unquickened" and the
	// family total adds the deferred count (Nov 2022).
	unquickened bool
	// genericKinds is the number of generic failure kinds (0..n-1) named
	// without the family prefix: 9, or 8 in Nov 2022.
	genericKinds int
	// missesDoubleCount: "Misses by instruction" includes specializable
	// families (before python/cpython#100984).
	missesDoubleCount bool
	// sendOwnPrefix: SEND failure kinds use the "SEND" prefix (before about
	// May 2023).
	sendOwnPrefix bool
	// noMeta: no Meta stats section (Nov 2022).
	noMeta bool
	// gc: the GC stats section of August 2023 (data with GC counters).
	gc bool
	// rules311: the 3.11 summarizer's failure-kind names (a 3.11 pair's
	// comparison, see style.StyleE2Of311).
	rules311 bool
}

// e2VariantOf returns the behaviours of style s for the data in v.
func e2VariantOf(s style.Style, v *e2View) e2Variant {
	if !s.IsE2() {
		s = style.StyleE2 // auto, or E2 resolved from the data
	}
	if s == style.StyleE2Of311 {
		// 3.11 data (the 3.11 script has no comparison mode, so its pairs
		// get this one): the 3.11 summarizer's meaning of the counters, so
		// each column equals that side's own 3.11 report: an "unquickened"
		// Kind row and a total with the deferred count, 3.11 failure-kind
		// names (specialize.Rules).
		return e2Variant{unquickened: true, genericKinds: 7, gc: v.hasGC, rules311: true}
	}
	if s == style.StyleE2 {
		// The script version the data shows (specialize.RulesOf decides it,
		// for the exports' failure-kind names too).
		switch r := v.view.Rules; {
		case r.GenericKinds == 8:
			s = style.StyleE2Nov2022
		case r.SendOwnPrefix:
			s = style.StyleE2Apr2023
		}
	}
	e := e2Variant{genericKinds: 9, gc: v.hasGC}
	switch s {
	case style.StyleE2Nov2022:
		e.dropMissRows, e.unquickened, e.genericKinds, e.noMeta = true, true, 8, true
		fallthrough
	case style.StyleE2Dec2022:
		e.missesDoubleCount = true
		fallthrough
	case style.StyleE2Apr2023:
		e.sendOwnPrefix = true
	}
	return e
}

// e2Row is one counter row outside the opcode family, in data order.
type e2Row struct {
	family pystats.Family
	name   string
	index  string
	value  uint64
}

// e2View is the per-opcode view of a numeric-opcode data set, built in one
// pass over the counters table.
type e2View struct {
	pipe.NumberedOps
	total uint64  // sum of execution counts
	rows  []e2Row // non-opcode counters, data order
	// hasNFiles and nfiles are the __nfiles__ counter.
	hasNFiles bool
	nfiles    uint64
	hasGC     bool
	variant   e2Variant
	// view is the data set's per-instruction view: classification and the
	// era's rules (3.11 data keeps the 3.11 summarizer's meaning).
	view *specialize.View
}

// newE2View builds the view of st, naming opcodes with t (which may be nil:
// opcodes are then named "<N>" and failure kinds "kind N").
func newE2View(st *pystats.Stats, t *specialize.Tables, s style.Style, view *specialize.View) (*e2View, error) {
	v := &e2View{view: view}
	var err error
	if v.NumberedOps, err = pipe.NewNumberedOps(v.view, t, "E2"); err != nil {
		return nil, err
	}
	v.total = v.view.Tier1Total
	fams := st.Families()
	names, indexes, values := st.Names(), st.Indexes(), st.Values()
	for i, f := range fams {
		val := values.Value(i)
		switch f {
		case pystats.FamilyOpcode:
		case pystats.FamilyMeta:
			if names.Value(i) == "__nfiles__" {
				v.hasNFiles, v.nfiles = true, val
			}
		default:
			if f == pystats.FamilyGC {
				v.hasGC = true
				if g, err := strconv.Atoi(indexes.Value(i)); err == nil && g >= table.MaxDenseIndex {
					return nil, table.ErrDenseIndex("E2", "GC generation", g)
				}
			}
			v.rows = append(v.rows, e2Row{family: f, name: names.Value(i), index: indexes.Value(i), value: val})
		}
	}
	v.variant = e2VariantOf(s, v)
	return v, nil
}

// e2Ratio is the E2 format_ratio: "" when den is 0, else f"{num/den:.1%}".
func e2Ratio(num, den uint64) string {
	if den == 0 {
		return ""
	}
	return py.Percent(py.Div(num, den), 1)
}

// WriteSummary renders the E2 summarizer's single-input report.
func WriteSummary(w io.Writer, st *pystats.Stats, opt style.MarkdownOptions) error {
	v, err := newE2View(st, opt.Tables, opt.Style, style.ViewOf(st, opt.Tables, opt.View))
	if err != nil {
		return err
	}
	bw := pipe.Writer{Writer: bufio.NewWriterSize(w, 64<<10)}
	if st.Meta.BenchRunner != nil {
		style.WriteBenchRunnerHeader(bw.Writer, &st.Meta, opt) // 2023 files: no "- benchmark:" line
	}
	v.writeExecutionCounts(bw)
	v.writePairs(bw)
	v.writeSpecialization(bw)
	v.writeEffectiveness(bw)
	v.writeCalls(bw)
	v.writeObjects(bw)
	if v.variant.gc {
		v.writeGC(bw)
	}
	if !v.variant.noMeta {
		bw.Section("Meta stats", 2, "Meta statistics")
		bw.Table([]string{"", "Count:"}, [][]string{{"Number of data files", py.Int(v.nfiles)}})
		bw.End()
	}
	bw.Footer(opt.Date)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing E2 report: %w", err)
	}
	return nil
}

func (v *e2View) writeExecutionCounts(w pipe.Writer) {
	w.Section("Execution counts", 2, "execution counts for all instructions")
	w.Header("Name", "Count:", "Self:", "Cumulative:", "Miss ratio:")
	var cum uint64
	for _, r := range v.ExecutionRows() {
		cum += r.Count
		miss := ""
		if r.Miss != 0 {
			if v.variant.dropMissRows {
				continue
			}
			miss = e2Ratio(r.Miss, r.Count)
		}
		w.Row(v.Names[r.Op], py.Int(r.Count), e2Ratio(r.Count, v.total), e2Ratio(cum, v.total), miss)
	}
	w.WriteByte('\n')
	w.End()
}

func (v *e2View) writePairs(w pipe.Writer) {
	pairs := v.PairCounts()
	v.WritePairTable(w, pairs, v.total, py.Int, e2Ratio)

	nb := pipe.NeighborsOf(pairs)
	predTotal, succTotal := nb.PredTotal, nb.SuccTotal
	// opmap: name -> last opcode number with that name, in name order.
	last := make(map[string]int, len(v.Names))
	for i, n := range v.Names {
		last[n] = i
	}
	var entries []pipe.NeighborEntry
	for op := range predTotal {
		if last[v.Name(op)] == op {
			entries = append(entries, pipe.NeighborEntry{Name: v.Name(op), Op: op})
		}
	}
	for op := range succTotal {
		if _, dup := predTotal[op]; !dup && last[v.Name(op)] == op {
			entries = append(entries, pipe.NeighborEntry{Name: v.Name(op), Op: op})
		}
	}
	w.Section("Predecessor/Successor Pairs", 2, "Top 5 predecessors and successors of each opcode")
	v.WriteNeighbors(w, entries, nb, 5, py.Int)
}

// familyTotal is the specialization total of a family: hit + miss +
// execution count (plus deferred in the Nov-2022 variant and for 3.11).
func (v *e2View) familyTotal(o *specialize.OpcodeStat) uint64 {
	t := o.Hit + o.Miss + o.ExecutionCount
	if v.variant.unquickened {
		t += o.Deferred
	}
	return t
}

// kindRows is calculate_specialization_stats.
func (v *e2View) kindRows(o *specialize.OpcodeStat, total uint64) [][]string {
	return pipe.KindRows(o, total, v.variant.unquickened, e2Ratio)
}

// attemptRows is calculate_specialization_success_failure.
func attemptRows(o *specialize.OpcodeStat) [][]string {
	attempts := o.Success + o.Failure
	if attempts == 0 {
		return nil
	}
	return [][]string{
		{"Success", py.Int(o.Success), e2Ratio(o.Success, attempts)},
		{"Failure", py.Int(o.Failure), e2Ratio(o.Failure, attempts)},
	}
}

// failureKindRows is calculate_specialization_failure_kinds: non-zero kinds
// sorted by (count, index) descending; labels may repeat.
func (v *e2View) failureKindRows(name string, o *specialize.OpcodeStat) [][]string {
	kinds := pipe.NonZeroKindsDesc(o.FailureKinds)
	rows := make([][]string, 0, len(kinds))
	for _, k := range kinds {
		rows = append(rows, []string{v.failureKindLabel(name, k.Index, v.view.Defines), py.Int(k.Value), e2Ratio(k.Value, o.Failure)})
	}
	return rows
}

// failureKindLabel is the variant's kind_to_text: the era's rule
// (specialize.Rules.FailureKindLabel) with the variant's number of generic
// kinds and its SEND prefix (SEND keeps its own name before May 2023).
func (v *e2View) failureKindLabel(op string, n int, defines *pystats.Defines) string {
	r := v.view.Rules
	r.Line311 = v.variant.rules311
	r.GenericKinds, r.SendOwnPrefix = v.variant.genericKinds, v.variant.sendOwnPrefix
	return r.FailureKindLabel(op, n, defines)
}

// e2Pretty is the summarizer's pretty(): "_" to " ", lower case.
func e2Pretty(name string) string { return strings.ToLower(strings.ReplaceAll(name, "_", " ")) }

func (v *e2View) writeSpecialization(w pipe.Writer) {
	w.Section("Specialization stats", 2, "specialization stats by family")
	for i := range v.Ops {
		o := &v.Ops[i]
		if !o.Specializable {
			continue
		}
		total := v.familyTotal(o)
		if total == 0 {
			continue
		}
		name := v.Names[i]
		w.Section(name, 3, "specialization stats for "+name+" family")
		w.Table([]string{"Kind", "Count", "Ratio"}, v.kindRows(o, total))
		if rows := attemptRows(o); rows != nil {
			w.Title("Specialization attempts", 4)
			w.Table([]string{"", "Count:", "Ratio:"}, rows)
			w.Table([]string{"Failure kind", "Count:", "Ratio:"}, v.failureKindRows(name, o))
		}
		w.End()
	}
	w.End()
}

// e2Effectiveness is categorized_counts.
type e2Effectiveness struct {
	basic, notSpecialized uint64
	specialized           int64
}

func (v *e2View) effectiveness() e2Effectiveness {
	e := v.view.Effectiveness()
	return e2Effectiveness{basic: e.Basic, notSpecialized: e.NotSpecialized + e.Misses, specialized: e.Hits}
}

// rows formats the effectiveness table against total.
func (e e2Effectiveness) rows(total uint64) [][]string {
	spec := ""
	if total != 0 {
		spec = py.Percent(float64(e.specialized)/float64(total), 1)
		if e.specialized >= 0 {
			spec = e2Ratio(uint64(e.specialized), total)
		}
	}
	return [][]string{
		{"Basic", py.Int(e.basic), e2Ratio(e.basic, total)},
		{"Not specialized", py.Int(e.notSpecialized), e2Ratio(e.notSpecialized, total)},
		{"Specialized", py.SignedInt(e.specialized), spec},
	}
}

func (v *e2View) writeEffectiveness(w pipe.Writer) {
	w.Section("Specialization effectiveness", 2, "")
	w.Table([]string{"Instructions", "Count:", "Ratio:"}, v.effectiveness().rows(v.total))
	for _, by := range []struct {
		title  string
		misses bool
	}{{"Deferred", false}, {"Misses", true}} {
		type count struct {
			value uint64
			name  string
		}
		counts := make([]count, 0, len(v.Ops))
		var total uint64
		for i := range v.Ops {
			o := &v.Ops[i]
			if by.misses && o.Specializable && !v.variant.missesDoubleCount {
				continue
			}
			val := o.Deferred
			if by.misses {
				val = o.Miss
			}
			counts = append(counts, count{val, v.Names[i]})
			total += val
		}
		if total == 0 {
			continue
		}
		sort.SliceStable(counts, func(a, b int) bool {
			if counts[a].value != counts[b].value {
				return counts[a].value > counts[b].value
			}
			return counts[a].name > counts[b].name
		})
		if len(counts) > 10 {
			counts = counts[:10]
		}
		rows := make([][]string, len(counts))
		for k, c := range counts {
			rows[k] = []string{c.name, py.Int(c.value), e2Ratio(c.value, total)}
		}
		w.Section(by.title+" by instruction", 3, "")
		w.Table([]string{"Name", "Count:", "Ratio:"}, rows)
		w.End()
	}
	w.End()
}

// callRows is calculate_call_stats: "Calls to" rows and the relabelled
// "Calls via PyEval_EvalFrame[i]" rows in data order, then the "Frame" rows;
// every ratio is against the sum of the "Calls to" counters.
func (v *e2View) callRows() [][]string {
	var total uint64
	for _, r := range v.rows {
		if r.family == pystats.FamilyCalls && strings.Contains(r.name, "Calls to") {
			total += r.value
		}
	}
	var rows, frames [][]string
	for _, r := range v.rows {
		if r.family != pystats.FamilyCalls {
			continue
		}
		switch {
		case strings.Contains(r.name, "Calls to"):
			rows = append(rows, []string{r.name, py.Int(r.value), e2Ratio(r.value, total)})
		case strings.HasPrefix(r.name, "Calls "):
			label := r.name
			if r.index != "" {
				label += " (" + v.evalCallName(r.index) + ")"
			}
			rows = append(rows, []string{label, py.Int(r.value), e2Ratio(r.value, total)})
		case strings.HasPrefix(r.name, "Frame"):
			frames = append(frames, []string{r.name, py.Int(r.value), e2Ratio(r.value, total)})
		}
	}
	return append(rows, frames...)
}

// evalCallName is pretty(EVAL_CALL define [index][0]).
func (v *e2View) evalCallName(index string) string {
	n, err := strconv.Atoi(index)
	if err == nil {
		if names := v.view.StatsDefines.Names[n]; len(names) > 0 {
			return e2Pretty(names[0])
		}
	}
	return "kind " + index
}

func (v *e2View) writeCalls(w pipe.Writer) {
	w.Section("Call stats", 2, "Inlined calls and frame stats")
	w.Table([]string{"", "Count:", "Ratio:"}, v.callRows())
	w.End()
}

// objectRows is calculate_object_stats: every "Object" counter in data order,
// with ratios for materializations (vs "new values"), allocations, increfs
// and decrefs.
func (v *e2View) objectRows() [][]string {
	get := map[string]uint64{}
	for _, r := range v.rows {
		if r.family == pystats.FamilyObject {
			get[r.name] = r.value
		}
	}
	materializations := get["new values"]
	allocations := get["allocations"] + get["allocations from freelist"]
	increfs := get["interpreter increfs"] + get["increfs"]
	decrefs := get["interpreter decrefs"] + get["decrefs"]
	var rows [][]string
	for _, r := range v.rows {
		if r.family != pystats.FamilyObject {
			continue
		}
		ratio := ""
		switch {
		case strings.Contains(r.name, "materialize"):
			ratio = e2Ratio(r.value, materializations)
		case strings.Contains(r.name, "allocations"):
			ratio = e2Ratio(r.value, allocations)
		case strings.Contains(r.name, "increfs"):
			ratio = e2Ratio(r.value, increfs)
		case strings.Contains(r.name, "decrefs"):
			ratio = e2Ratio(r.value, decrefs)
		}
		label := strings.TrimSpace(r.name)
		if label != "" {
			label = strings.ToUpper(label[:1]) + label[1:]
		}
		rows = append(rows, []string{label, py.Int(r.value), ratio})
	}
	return rows
}

func (v *e2View) writeObjects(w pipe.Writer) {
	w.Section("Object stats", 2, "allocations, frees and dict materializatons")
	w.Table([]string{"", "Count:", "Ratio:"}, v.objectRows())
	w.End()
}

// gcRows is calculate_gc_stats: one row per generation index.
func (v *e2View) gcRows() [][]string {
	type gen struct{ collections, collected, visits uint64 }
	var gens []gen
	for _, r := range v.rows {
		if r.family != pystats.FamilyGC {
			continue
		}
		g, err := strconv.Atoi(r.index)
		if err != nil || g < 0 {
			continue
		}
		for len(gens) <= g {
			gens = append(gens, gen{})
		}
		switch r.name {
		case "collections":
			gens[g].collections = r.value
		case "objects collected":
			gens[g].collected = r.value
		case "object visits":
			gens[g].visits = r.value
		}
	}
	rows := make([][]string, len(gens))
	for i, g := range gens {
		rows[i] = []string{py.Int(uint64(i)), py.Int(g.collections), py.Int(g.collected), py.Int(g.visits)}
	}
	return rows
}

func (v *e2View) writeGC(w pipe.Writer) {
	w.Section("GC stats", 2, "GC collections and effectiveness")
	w.Table([]string{"Generation:", "Collections:", "Objects collected:", "Object visits:"}, v.gcRows())
	w.End()
}
