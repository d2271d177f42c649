package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/pystats-dev/pystats/internal/py"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/table"
	"github.com/pystats-dev/pystats/specialize"
)

// The E2 summarizer is Tools/scripts/summarize_stats.py of the 3.12 branch and
// of main from mid-2022 to August 2023. Its data keys opcodes by number; names
// come from the build tables (opt.Tables). The script changed a little over
// that time; the versions behind the published files differ as follows.
const (
	// StyleE2Nov2022 is main's script of November 2022, before
	// python/cpython#99906 (2022-11-30), with the StyleE2Dec2022 behaviours
	// and more: an indentation error left the rows
	// of instructions with misses out of "Execution counts" (their counts
	// still add to "Cumulative"); Kind tables have an "unquickened" row and
	// their total includes the deferred count; failure kinds 0-7 are the
	// generic ones; no "__nfiles__" and no Meta stats. StyleE2 picks it for
	// data without "__nfiles__" (the key came with the next version).
	StyleE2Nov2022 Style = "e2-2022-11"
	// StyleE2Dec2022 is main's script from 2022-11-30 to 2023-01-12, before
	// python/cpython#100984: "Misses by instruction" also lists the
	// specializable families, double counting their misses. It also has
	// the StyleE2Apr2023 behaviour.
	StyleE2Dec2022 Style = "e2-2022-12"
	// StyleE2Apr2023 is main's script until about May 2023: the SEND
	// family's failure kinds are looked up under "SEND_" rather than
	// "ITER_", so they print as "kind N" (python/cpython#102181).
	StyleE2Apr2023 Style = "e2-2023-04"
)

// StyleE2 picks a sub-style from the data and tables where they tell:
// StyleE2Nov2022 for data without "__nfiles__" (the summarizer added that key
// from December 2022), and the old SEND naming of StyleE2Apr2023 for builds
// whose tables have no LOAD_SUPER_ATTR opcode (that instruction appeared on
// main on 2023-04-24, and its SUPER mapping sits beside SEND's ITER mapping in
// the script; every published report before it shows SEND kinds as "kind N",
// every one after it names them). Otherwise it is the 3.12 branch's script;
// the double-counted misses of StyleE2Dec2022 must be asked for.

// IsE2 reports whether s is E2 or one of its sub-styles.
func (s Style) IsE2() bool {
	switch s {
	case StyleE2, StyleE2Nov2022, StyleE2Dec2022, StyleE2Apr2023, styleE2Of311:
		return true
	}
	return false
}

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
	// comparison, see styleE2Of311).
	rules311 bool
}

// styleE2Of311 is the E2 comparison of 3.11 data (WriteComparison of E1
// data): the 3.12 script's layout with the 3.11 script's meaning.
const styleE2Of311 Style = "e2-of-3.11"

// e2VariantOf returns the behaviours of style s for the data in v.
func e2VariantOf(s Style, v *e2View) e2Variant {
	if !s.IsE2() {
		s = StyleE2 // auto, or E2 resolved from the data
	}
	if s == styleE2Of311 {
		// 3.11 data (the 3.11 script has no comparison mode, so its pairs
		// get this one): the 3.11 summarizer's meaning of the counters, so
		// each column equals that side's own 3.11 report: an "unquickened"
		// Kind row and a total with the deferred count, 3.11 failure-kind
		// names (specialize.Rules).
		return e2Variant{unquickened: true, genericKinds: 7, gc: v.hasGC, rules311: true}
	}
	if s == StyleE2 {
		// The script version the data shows (specialize.RulesOf decides it,
		// for the exports' failure-kind names too).
		switch r := v.view.Rules; {
		case r.GenericKinds == 8:
			s = StyleE2Nov2022
		case r.SendOwnPrefix:
			s = StyleE2Apr2023
		}
	}
	e := e2Variant{genericKinds: 9, gc: v.hasGC}
	switch s {
	case StyleE2Nov2022:
		e.dropMissRows, e.unquickened, e.genericKinds, e.noMeta = true, true, 8, true
		fallthrough
	case StyleE2Dec2022:
		e.missesDoubleCount = true
		fallthrough
	case StyleE2Apr2023:
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
	numberedOps
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
func newE2View(st *pystats.Stats, t *specialize.Tables, style Style, view *specialize.View) (*e2View, error) {
	v := &e2View{view: view}
	var err error
	if v.numberedOps, err = newNumberedOps(v.view, t, "E2"); err != nil {
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
	v.variant = e2VariantOf(style, v)
	return v, nil
}

// numberedOps are the Tier-1 counters of numeric-opcode data (the view's)
// indexed by opcode number, at least 256 slots (the zero OpcodeStat where the
// data has no key), with the E1/E2 name of each slot.
type numberedOps struct {
	ops    []specialize.OpcodeStat
	names  []string
	tables *specialize.Tables
}

// newNumberedOps lays out the view's Tier-1 instructions by number; era
// names the report in errors.
func newNumberedOps(view *specialize.View, t *specialize.Tables, era string) (numberedOps, error) {
	n := numberedOps{ops: make([]specialize.OpcodeStat, 256), tables: t}
	for _, in := range view.Tier1 {
		op, err := strconv.Atoi(in.Stat.Name)
		if err != nil || op < 0 {
			return n, fmt.Errorf("%s report: opcode %q is not a number: named-opcode data needs the E4 style", era, in.Stat.Name)
		}
		if op >= table.MaxDenseIndex {
			return n, table.ErrDenseIndex(era, "opcode number", op)
		}
		for op >= len(n.ops) {
			n.ops = append(n.ops, specialize.OpcodeStat{})
		}
		n.ops[op] = *in.Stat
	}
	n.names = make([]string, len(n.ops))
	for i := range n.ops {
		n.names[i] = e2OpName(t, i)
	}
	return n, nil
}

// e2OpName is the E2 summarizer's name of opcode n: slot 0 is always "<0>",
// other slots take the build's name, unknown ones "<n>" (as the summarizer
// names the slots of opcode.opname that it has no specialized name for).
func e2OpName(t *specialize.Tables, n int) string {
	if n != 0 && t != nil {
		if s, ok := t.Opnames[n]; ok && s != "" {
			return s
		}
	}
	return "<" + strconv.Itoa(n) + ">"
}

// e2Ratio is the E2 format_ratio: "" when den is 0, else f"{num/den:.1%}".
func e2Ratio(num, den uint64) string {
	if den == 0 {
		return ""
	}
	return py.Percent(py.Div(num, den), 1)
}

// e2Writer writes the E2 markdown primitives.
type e2Writer struct {
	*bufio.Writer
}

// section opens a section: title, <details> and <summary>; the summary
// defaults to the lower-cased title.
func (w e2Writer) section(title string, level int, summary string) {
	if summary == "" {
		summary = strings.ToLower(title)
	}
	w.title(title, level)
	w.WriteString("<details>\n<summary> ")
	w.WriteString(summary)
	w.WriteString(" </summary>\n\n")
}

// title is the summarizer's print_title: "### name" and an empty line.
func (w e2Writer) title(title string, level int) {
	for i := 0; i < level; i++ {
		w.WriteByte('#')
	}
	w.WriteByte(' ')
	w.WriteString(title)
	w.WriteString("\n\n")
}

// end closes a section.
func (w e2Writer) end() { w.WriteString("\n</details>\n\n") }

// header writes a pipe table's two header lines; a column header ending in
// ":" is right-aligned.
func (w e2Writer) header(cols ...string) {
	w.WriteByte('|')
	for _, c := range cols {
		w.WriteString(strings.TrimSuffix(c, ":"))
		w.WriteString(" | ")
	}
	w.WriteString("\n|")
	for _, c := range cols {
		if strings.HasSuffix(c, ":") {
			w.WriteString("---:|")
		} else {
			w.WriteString("---|")
		}
	}
	w.WriteByte('\n')
}

// row writes one table row.
func (w e2Writer) row(cells ...string) {
	w.WriteString("| ")
	for i, c := range cells {
		if i > 0 {
			w.WriteString(" | ")
		}
		w.WriteString(c)
	}
	w.WriteString(" |\n")
}

// table writes a whole table and the empty line after it.
func (w e2Writer) table(cols []string, rows [][]string) {
	w.header(cols...)
	for _, r := range rows {
		w.row(r...)
	}
	w.WriteByte('\n')
}

// footer writes the summarizer's last two lines.
func (w e2Writer) footer(date string) {
	w.WriteString("---\nStats gathered on: ")
	w.WriteString(date)
	w.WriteByte('\n')
}

// writeSummaryE2 renders the E2 summarizer's single-input report.
func writeSummaryE2(w io.Writer, st *pystats.Stats, opt MarkdownOptions) error {
	v, err := newE2View(st, opt.Tables, opt.Style, viewOf(st, opt.Tables, opt.View))
	if err != nil {
		return err
	}
	bw := e2Writer{bufio.NewWriterSize(w, 64<<10)}
	if st.Meta.BenchRunner != nil {
		writeBenchRunnerHeader(bw.Writer, &st.Meta, opt) // 2023 files: no "- benchmark:" line
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
		bw.section("Meta stats", 2, "Meta statistics")
		bw.table([]string{"", "Count:"}, [][]string{{"Number of data files", py.Int(v.nfiles)}})
		bw.end()
	}
	bw.footer(opt.Date)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing E2 report: %w", err)
	}
	return nil
}

// e2Exec is one row of the execution counts table before formatting.
type e2Exec struct {
	op    int
	count uint64
	miss  uint64 // 0 for specializable opcodes
}

// executionRows is calculate_execution_counts: opcodes with an execution
// count, sorted by (count, name, miss) descending.
func (v *numberedOps) executionRows() []e2Exec {
	var rows []e2Exec
	for i := range v.ops {
		o := &v.ops[i]
		if !o.HasExecutionCount {
			continue
		}
		r := e2Exec{op: i, count: o.ExecutionCount}
		if !o.Specializable {
			r.miss = o.Miss
		}
		rows = append(rows, r)
	}
	sort.Slice(rows, func(a, b int) bool {
		ra, rb := rows[a], rows[b]
		if ra.count != rb.count {
			return ra.count > rb.count
		}
		if na, nb := v.names[ra.op], v.names[rb.op]; na != nb {
			return na > nb
		}
		if ra.miss != rb.miss {
			return ra.miss > rb.miss
		}
		return ra.op > rb.op
	})
	return rows
}

func (v *e2View) writeExecutionCounts(w e2Writer) {
	w.section("Execution counts", 2, "execution counts for all instructions")
	w.header("Name", "Count:", "Self:", "Cumulative:", "Miss ratio:")
	var cum uint64
	for _, r := range v.executionRows() {
		cum += r.count
		miss := ""
		if r.miss != 0 {
			if v.variant.dropMissRows {
				continue
			}
			miss = e2Ratio(r.miss, r.count)
		}
		w.row(v.names[r.op], py.Int(r.count), e2Ratio(r.count, v.total), e2Ratio(cum, v.total), miss)
	}
	w.WriteByte('\n')
	w.end()
}

// e2Pair is one non-zero pair count.
type e2Pair struct {
	first, second int
	count         uint64
}

// pairCounts lists the non-zero pairs (slot 0 never first), sorted by
// (count, first, second) descending, the summarizer's order.
func (v *numberedOps) pairCounts() []e2Pair {
	var pairs []e2Pair
	for i := 1; i < len(v.ops); i++ {
		for _, p := range v.ops[i].Pairs {
			if p.Value == 0 {
				continue
			}
			if j, err := strconv.Atoi(p.Name); err == nil {
				pairs = append(pairs, e2Pair{i, j, p.Value})
			}
		}
	}
	sortPairsDesc(pairs)
	return pairs
}

// sortPairsDesc orders pairs by (count, first, second) descending, the
// E1 and E2 summarizers' order.
func sortPairsDesc(pairs []e2Pair) {
	sort.SliceStable(pairs, func(a, b int) bool {
		pa, pb := pairs[a], pairs[b]
		if pa.count != pb.count {
			return pa.count > pb.count
		}
		if pa.first != pb.first {
			return pa.first > pb.first
		}
		return pa.second > pb.second
	})
}

// e2Neighbors groups sorted pairs by second opcode (predecessors) and by
// first (successors), each list in pair order (which Counter.most_common
// keeps for ties), with each opcode's totals.
type e2Neighbors struct {
	preds, succs         map[int][]e2Neighbor
	predTotal, succTotal map[int]uint64
}

func neighborsOf(pairs []e2Pair) e2Neighbors {
	n := e2Neighbors{map[int][]e2Neighbor{}, map[int][]e2Neighbor{}, map[int]uint64{}, map[int]uint64{}}
	for _, p := range pairs {
		n.preds[p.second] = append(n.preds[p.second], e2Neighbor{p.first, p.count})
		n.succs[p.first] = append(n.succs[p.first], e2Neighbor{p.second, p.count})
		n.predTotal[p.second] += p.count
		n.succTotal[p.first] += p.count
	}
	return n
}

// e2Neighbor is a predecessor or successor with its count.
type e2Neighbor struct {
	op    int
	count uint64
}

func (v *numberedOps) name(op int) string {
	if op >= 0 && op < len(v.names) {
		return v.names[op]
	}
	return e2OpName(v.tables, op)
}

func (v *e2View) writePairs(w e2Writer) {
	pairs := v.pairCounts()
	v.writePairTable(w, pairs, v.total, py.Int, e2Ratio)

	nb := neighborsOf(pairs)
	predTotal, succTotal := nb.predTotal, nb.succTotal
	// opmap: name -> last opcode number with that name, in name order.
	last := make(map[string]int, len(v.names))
	for i, n := range v.names {
		last[n] = i
	}
	var entries []neighborEntry
	for op := range predTotal {
		if last[v.name(op)] == op {
			entries = append(entries, neighborEntry{v.name(op), op})
		}
	}
	for op := range succTotal {
		if _, dup := predTotal[op]; !dup && last[v.name(op)] == op {
			entries = append(entries, neighborEntry{v.name(op), op})
		}
	}
	w.section("Predecessor/Successor Pairs", 2, "Top 5 predecessors and successors of each opcode")
	v.writeNeighbors(w, entries, nb, 5, py.Int)
}

// writePairTable is the "Pair counts" section of the E1 and E2 scripts: the
// top 100 pairs with their share of all executions and the running share.
func (v *numberedOps) writePairTable(w e2Writer, pairs []e2Pair, total uint64, count func(uint64) string, ratio func(num, den uint64) string) {
	w.section("Pair counts", 2, "Pair counts for top 100 pairs")
	w.header("Pair", "Count:", "Self:", "Cumulative:")
	var cum uint64
	for k, p := range pairs {
		if k == 100 {
			break
		}
		cum += p.count
		w.row(v.name(p.first)+" "+v.name(p.second), count(p.count), ratio(p.count, total), ratio(cum, total))
	}
	w.WriteByte('\n')
	w.end()
}

// neighborEntry is an opcode with its own predecessor/successor section.
type neighborEntry struct {
	name string
	op   int
}

// writeNeighbors writes a section per entry, in name order: the top
// predecessors and successors of the opcode with their shares, then closes
// the enclosing section (the E1 and E2 scripts' layout).
func (v *numberedOps) writeNeighbors(w e2Writer, entries []neighborEntry, nb e2Neighbors, top int, count func(uint64) string) {
	sort.Slice(entries, func(a, b int) bool { return entries[a].name < entries[b].name })
	for _, e := range entries {
		w.section(e.name, 3, "Successors and predecessors for "+e.name)
		for _, side := range []struct {
			title string
			list  []e2Neighbor
			total uint64
		}{{"Predecessors", nb.preds[e.op], nb.predTotal[e.op]}, {"Successors", nb.succs[e.op], nb.succTotal[e.op]}} {
			w.header(side.title, "Count:", "Percentage:")
			if side.total != 0 {
				for _, n := range topNeighbors(side.list, top) {
					w.row(v.name(n.op), count(n.count), py.Percent(py.Div(n.count, side.total), 1))
				}
			}
			w.WriteByte('\n')
		}
		w.end()
	}
	w.end()
}

// topNeighbors is Counter.most_common(n): the n largest counts, ties in
// list order.
func topNeighbors(list []e2Neighbor, n int) []e2Neighbor {
	return table.TopStableDesc(list, n, func(x e2Neighbor) uint64 { return x.count })
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
	return pipeKindRows(o, total, v.variant.unquickened, e2Ratio)
}

// pipeKindRows is the Kind table of the E1 and E2 scripts: the family's
// counters in key order (execution_count as "unquickened" when shown, hit
// and miss without their "specialization." prefix, others under their full
// key; failure kinds, attempts and pairs left out), label and count
// right-justified to 12, count without separators.
func pipeKindRows(s *specialize.OpcodeStat, total uint64, unquickened bool, ratio func(num, den uint64) string) [][]string {
	type kind struct {
		key, label string
		value      uint64
	}
	kinds := make([]kind, 0, len(s.KindCounters)+1)
	for i, c := range s.KindCounters {
		key := s.KindKeys[i]
		if strings.HasPrefix(key, "specialization.failure_kinds") || strings.HasPrefix(key, "pair") {
			continue
		}
		label := key
		if key == "specialization.hit" || key == "specialization.miss" {
			label = c.Name
		}
		kinds = append(kinds, kind{key, label, c.Value})
	}
	if unquickened && s.HasExecutionCount {
		kinds = append(kinds, kind{"execution_count", "unquickened", s.ExecutionCount})
	}
	sort.SliceStable(kinds, func(a, b int) bool { return kinds[a].key < kinds[b].key })
	rows := make([][]string, len(kinds))
	for i, k := range kinds {
		rows[i] = []string{rjust(k.label, 12), rjust(strconv.FormatUint(k.value, 10), 12), ratio(k.value, total)}
	}
	return rows
}

// rjust is Python's f"{s:>n}".
func rjust(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return strings.Repeat(" ", n-len(s)) + s
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
	kinds := nonZeroKindsDesc(o.FailureKinds)
	rows := make([][]string, 0, len(kinds))
	for _, k := range kinds {
		rows = append(rows, []string{v.failureKindLabel(name, k.Index, v.view.Defines), py.Int(k.Value), e2Ratio(k.Value, o.Failure)})
	}
	return rows
}

// nonZeroKindsDesc is the E1 and E2 summarizers' failure-kind order: the
// non-zero kinds by (count, index) descending.
func nonZeroKindsDesc(all []specialize.IndexedCount) []specialize.IndexedCount {
	kinds := make([]specialize.IndexedCount, 0, len(all))
	for _, k := range all {
		if k.Value != 0 {
			kinds = append(kinds, k)
		}
	}
	sort.SliceStable(kinds, func(a, b int) bool {
		if kinds[a].Value != kinds[b].Value {
			return kinds[a].Value > kinds[b].Value
		}
		return kinds[a].Index > kinds[b].Index
	})
	return kinds
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

func (v *e2View) writeSpecialization(w e2Writer) {
	w.section("Specialization stats", 2, "specialization stats by family")
	for i := range v.ops {
		o := &v.ops[i]
		if !o.Specializable {
			continue
		}
		total := v.familyTotal(o)
		if total == 0 {
			continue
		}
		name := v.names[i]
		w.section(name, 3, "specialization stats for "+name+" family")
		w.table([]string{"Kind", "Count", "Ratio"}, v.kindRows(o, total))
		if rows := attemptRows(o); rows != nil {
			w.title("Specialization attempts", 4)
			w.table([]string{"", "Count:", "Ratio:"}, rows)
			w.table([]string{"Failure kind", "Count:", "Ratio:"}, v.failureKindRows(name, o))
		}
		w.end()
	}
	w.end()
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

func (v *e2View) writeEffectiveness(w e2Writer) {
	w.section("Specialization effectiveness", 2, "")
	w.table([]string{"Instructions", "Count:", "Ratio:"}, v.effectiveness().rows(v.total))
	for _, by := range []struct {
		title  string
		misses bool
	}{{"Deferred", false}, {"Misses", true}} {
		type count struct {
			value uint64
			name  string
		}
		counts := make([]count, 0, len(v.ops))
		var total uint64
		for i := range v.ops {
			o := &v.ops[i]
			if by.misses && o.Specializable && !v.variant.missesDoubleCount {
				continue
			}
			val := o.Deferred
			if by.misses {
				val = o.Miss
			}
			counts = append(counts, count{val, v.names[i]})
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
		w.section(by.title+" by instruction", 3, "")
		w.table([]string{"Name", "Count:", "Ratio:"}, rows)
		w.end()
	}
	w.end()
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

func (v *e2View) writeCalls(w e2Writer) {
	w.section("Call stats", 2, "Inlined calls and frame stats")
	w.table([]string{"", "Count:", "Ratio:"}, v.callRows())
	w.end()
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

func (v *e2View) writeObjects(w e2Writer) {
	w.section("Object stats", 2, "allocations, frees and dict materializatons")
	w.table([]string{"", "Count:", "Ratio:"}, v.objectRows())
	w.end()
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

func (v *e2View) writeGC(w e2Writer) {
	w.section("GC stats", 2, "GC collections and effectiveness")
	w.table([]string{"Generation:", "Collections:", "Objects collected:", "Object visits:"}, v.gcRows())
	w.end()
}
