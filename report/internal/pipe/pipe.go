// Package pipe holds what the E1 (3.11) and E2 (3.12) summarizers share:
// the per-number opcode layout, the pipe-table markdown writer, the pair and
// predecessor/successor tables, the Kind table and the failure-kind order.
package pipe

import (
	"bufio"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pystats-dev/pystats/internal/py"
	"github.com/pystats-dev/pystats/report/table"
	"github.com/pystats-dev/pystats/specialize"
)

// NumberedOps are the Tier-1 counters of numeric-opcode data (the view's)
// indexed by opcode number, at least 256 slots (the zero OpcodeStat where the
// data has no key), with the E1/E2 name of each slot.
type NumberedOps struct {
	Ops    []specialize.OpcodeStat
	Names  []string
	Tables *specialize.Tables
}

// NewNumberedOps lays out the view's Tier-1 instructions by number; era
// names the report in errors.
func NewNumberedOps(view *specialize.View, t *specialize.Tables, era string) (NumberedOps, error) {
	n := NumberedOps{Ops: make([]specialize.OpcodeStat, 256), Tables: t}
	for _, in := range view.Tier1 {
		op, err := strconv.Atoi(in.Stat.Name)
		if err != nil || op < 0 {
			return n, fmt.Errorf("%s report: opcode %q is not a number: named-opcode data needs the E4 style", era, in.Stat.Name)
		}
		if op >= table.MaxDenseIndex {
			return n, table.ErrDenseIndex(era, "opcode number", op)
		}
		for op >= len(n.Ops) {
			n.Ops = append(n.Ops, specialize.OpcodeStat{})
		}
		n.Ops[op] = *in.Stat
	}
	n.Names = make([]string, len(n.Ops))
	for i := range n.Ops {
		n.Names[i] = OpName(t, i)
	}
	return n, nil
}

// OpName is the E2 summarizer's name of opcode n: slot 0 is always "<0>",
// other slots take the build's name, unknown ones "<n>" (as the summarizer
// names the slots of opcode.opname that it has no specialized name for).
func OpName(t *specialize.Tables, n int) string {
	if n != 0 && t != nil {
		if s, ok := t.Opnames[n]; ok && s != "" {
			return s
		}
	}
	return "<" + strconv.Itoa(n) + ">"
}

// Writer writes the E2 markdown primitives.
type Writer struct {
	*bufio.Writer
}

// Section opens a section: title, <details> and <summary>; the summary
// defaults to the lower-cased title.
func (w Writer) Section(title string, level int, summary string) {
	if summary == "" {
		summary = strings.ToLower(title)
	}
	w.Title(title, level)
	w.WriteString("<details>\n<summary> ")
	w.WriteString(summary)
	w.WriteString(" </summary>\n\n")
}

// Title is the summarizer's print_title: "### name" and an empty line.
func (w Writer) Title(title string, level int) {
	for i := 0; i < level; i++ {
		w.WriteByte('#')
	}
	w.WriteByte(' ')
	w.WriteString(title)
	w.WriteString("\n\n")
}

// End closes a section.
func (w Writer) End() { w.WriteString("\n</details>\n\n") }

// Header writes a pipe table's two header lines; a column header ending in
// ":" is right-aligned.
func (w Writer) Header(cols ...string) {
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

// Row writes one table row.
func (w Writer) Row(cells ...string) {
	w.WriteString("| ")
	for i, c := range cells {
		if i > 0 {
			w.WriteString(" | ")
		}
		w.WriteString(c)
	}
	w.WriteString(" |\n")
}

// Table writes a whole table and the empty line after it.
func (w Writer) Table(cols []string, rows [][]string) {
	w.Header(cols...)
	for _, r := range rows {
		w.Row(r...)
	}
	w.WriteByte('\n')
}

// Footer writes the summarizer's last two lines.
func (w Writer) Footer(date string) {
	w.WriteString("---\nStats gathered on: ")
	w.WriteString(date)
	w.WriteByte('\n')
}

// Exec is one row of the execution counts table before formatting.
type Exec struct {
	Op    int
	Count uint64
	Miss  uint64 // 0 for specializable opcodes
}

// ExecutionRows is calculate_execution_counts: opcodes with an execution
// count, sorted by (count, name, miss) descending.
func (v *NumberedOps) ExecutionRows() []Exec {
	var rows []Exec
	for i := range v.Ops {
		o := &v.Ops[i]
		if !o.HasExecutionCount {
			continue
		}
		r := Exec{Op: i, Count: o.ExecutionCount}
		if !o.Specializable {
			r.Miss = o.Miss
		}
		rows = append(rows, r)
	}
	sort.Slice(rows, func(a, b int) bool {
		ra, rb := rows[a], rows[b]
		if ra.Count != rb.Count {
			return ra.Count > rb.Count
		}
		if na, nb := v.Names[ra.Op], v.Names[rb.Op]; na != nb {
			return na > nb
		}
		if ra.Miss != rb.Miss {
			return ra.Miss > rb.Miss
		}
		return ra.Op > rb.Op
	})
	return rows
}

// Pair is one non-zero pair count.
type Pair struct {
	First, Second int
	Count         uint64
}

// PairCounts lists the non-zero pairs (slot 0 never first), sorted by
// (count, first, second) descending, the summarizer's order.
func (v *NumberedOps) PairCounts() []Pair {
	var pairs []Pair
	for i := 1; i < len(v.Ops); i++ {
		for _, p := range v.Ops[i].Pairs {
			if p.Value == 0 {
				continue
			}
			if j, err := strconv.Atoi(p.Name); err == nil {
				pairs = append(pairs, Pair{i, j, p.Value})
			}
		}
	}
	SortPairsDesc(pairs)
	return pairs
}

// SortPairsDesc orders pairs by (count, first, second) descending, the
// E1 and E2 summarizers' order.
func SortPairsDesc(pairs []Pair) {
	sort.SliceStable(pairs, func(a, b int) bool {
		pa, pb := pairs[a], pairs[b]
		if pa.Count != pb.Count {
			return pa.Count > pb.Count
		}
		if pa.First != pb.First {
			return pa.First > pb.First
		}
		return pa.Second > pb.Second
	})
}

// Neighbors groups sorted pairs by second opcode (predecessors) and by
// first (successors), each list in pair order (which Counter.most_common
// keeps for ties), with each opcode's totals.
type Neighbors struct {
	Preds, Succs         map[int][]Neighbor
	PredTotal, SuccTotal map[int]uint64
}

// NeighborsOf groups sorted pairs by opcode.
func NeighborsOf(pairs []Pair) Neighbors {
	n := Neighbors{map[int][]Neighbor{}, map[int][]Neighbor{}, map[int]uint64{}, map[int]uint64{}}
	for _, p := range pairs {
		n.Preds[p.Second] = append(n.Preds[p.Second], Neighbor{p.First, p.Count})
		n.Succs[p.First] = append(n.Succs[p.First], Neighbor{p.Second, p.Count})
		n.PredTotal[p.Second] += p.Count
		n.SuccTotal[p.First] += p.Count
	}
	return n
}

// Neighbor is a predecessor or successor with its count.
type Neighbor struct {
	Op    int
	Count uint64
}

// Name is the name of opcode op: its slot's, or OpName for a number
// beyond the slots.
func (v *NumberedOps) Name(op int) string {
	if op >= 0 && op < len(v.Names) {
		return v.Names[op]
	}
	return OpName(v.Tables, op)
}

// WritePairTable is the "Pair counts" section of the E1 and E2 scripts: the
// top 100 pairs with their share of all executions and the running share.
func (v *NumberedOps) WritePairTable(w Writer, pairs []Pair, total uint64, count func(uint64) string, ratio func(num, den uint64) string) {
	w.Section("Pair counts", 2, "Pair counts for top 100 pairs")
	w.Header("Pair", "Count:", "Self:", "Cumulative:")
	var cum uint64
	for k, p := range pairs {
		if k == 100 {
			break
		}
		cum += p.Count
		w.Row(v.Name(p.First)+" "+v.Name(p.Second), count(p.Count), ratio(p.Count, total), ratio(cum, total))
	}
	w.WriteByte('\n')
	w.End()
}

// NeighborEntry is an opcode with its own predecessor/successor section.
type NeighborEntry struct {
	Name string
	Op   int
}

// WriteNeighbors writes a section per entry, in name order: the top
// predecessors and successors of the opcode with their shares, then closes
// the enclosing section (the E1 and E2 scripts' layout).
func (v *NumberedOps) WriteNeighbors(w Writer, entries []NeighborEntry, nb Neighbors, top int, count func(uint64) string) {
	sort.Slice(entries, func(a, b int) bool { return entries[a].Name < entries[b].Name })
	for _, e := range entries {
		w.Section(e.Name, 3, "Successors and predecessors for "+e.Name)
		for _, side := range []struct {
			title string
			list  []Neighbor
			total uint64
		}{{"Predecessors", nb.Preds[e.Op], nb.PredTotal[e.Op]}, {"Successors", nb.Succs[e.Op], nb.SuccTotal[e.Op]}} {
			w.Header(side.title, "Count:", "Percentage:")
			if side.total != 0 {
				for _, n := range topNeighbors(side.list, top) {
					w.Row(v.Name(n.Op), count(n.Count), py.Percent(py.Div(n.Count, side.total), 1))
				}
			}
			w.WriteByte('\n')
		}
		w.End()
	}
	w.End()
}

// topNeighbors is Counter.most_common(n): the n largest counts, ties in
// list order.
func topNeighbors(list []Neighbor, n int) []Neighbor {
	return table.TopStableDesc(list, n, func(x Neighbor) uint64 { return x.Count })
}

// KindRows is the Kind table of the E1 and E2 scripts: the family's
// counters in key order (execution_count as "unquickened" when shown, hit
// and miss without their "specialization." prefix, others under their full
// key; failure kinds, attempts and pairs left out), label and count
// right-justified to 12, count without separators.
func KindRows(s *specialize.OpcodeStat, total uint64, unquickened bool, ratio func(num, den uint64) string) [][]string {
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

// NonZeroKindsDesc is the E1 and E2 summarizers' failure-kind order: the
// non-zero kinds by (count, index) descending.
func NonZeroKindsDesc(all []specialize.IndexedCount) []specialize.IndexedCount {
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
