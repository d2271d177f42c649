package e1

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pystats-dev/pystats/internal/py"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/internal/pipe"
	"github.com/pystats-dev/pystats/report/internal/style"
	"github.com/pystats-dev/pystats/specialize"
)

// The E1 summarizer is Tools/scripts/summarize_stats.py of the 3.11 branch
// (the 3.11.2 release's script is the reference). Its data keys opcodes by
// number and its names come from the running interpreter's opcode module
// (here opt.Tables, normally specialize.Embedded("3.11")). It differs from E2
// in many small ways: integers without separators, percentages
// f"{100*v/t:0.1f}%", a Kind table with an "unquickened" row whose total
// includes the deferred count, the top 3 (not 5) predecessors and successors,
// "*_ADAPTIVE" instructions counted as not specialized, no sub-sections in
// "Specialization effectiveness", object-stats ratios for materializations
// only, no Meta stats, and its own failure-kind naming
// (specialize.FailureKindLabelE1). It has no JSON and no comparison mode.
//
// Where the script would crash instead of printing (a ratio whose total is 0,
// e.g. a shown family without specialization attempts, an opcode number above
// 255 or a failure kind above 29) this renders an empty ratio cell and
// carries on.

// e1View is what the E1 report needs from a numeric-opcode data set.
type e1View struct {
	pipe.NumberedOps
	total uint64           // sum of execution counts
	view  *specialize.View // classification, totals and labels
	// other are the keys and values outside the opcode family, data order.
	other []specialize.NamedCount
}

// newE1View builds the E1 view of st from its per-instruction views.
func newE1View(st *pystats.Stats, t *specialize.Tables, view *specialize.View) (*e1View, error) {
	v := &e1View{view: view, total: view.Tier1Total}
	var err error
	if v.NumberedOps, err = pipe.NewNumberedOps(view, t, "E1"); err != nil {
		return nil, err
	}
	fams, keys, values := st.Families(), st.Keys(), st.Values()
	for i, f := range fams {
		if f == pystats.FamilyOpcode || f == pystats.FamilyMeta {
			continue
		}
		v.other = append(v.other, specialize.NamedCount{Name: keys.Value(i), Value: values.Value(i)})
	}
	return v, nil
}

// e1Pct is the E1 percentage f"{100*v/t:0.1f}%", or "" when t is 0 (where
// the script raises ZeroDivisionError).
func e1Pct(v, t uint64) string {
	if t == 0 {
		return ""
	}
	var x float64
	if v <= math.MaxUint64/100 {
		x = py.Div(100*v, t)
	} else {
		num := new(big.Int).Mul(new(big.Int).SetUint64(v), big.NewInt(100))
		x, _ = new(big.Rat).SetFrac(num, new(big.Int).SetUint64(t)).Float64()
	}
	return py.Fixed(x, 1) + "%"
}

// e1SignedPct is e1Pct for a signed numerator.
func e1SignedPct(v int64, t uint64) string {
	if v >= 0 {
		return e1Pct(uint64(v), t)
	}
	if t == 0 {
		return ""
	}
	num := new(big.Int).Mul(big.NewInt(v), big.NewInt(100))
	x, _ := new(big.Rat).SetFrac(num, new(big.Int).SetUint64(t)).Float64()
	return py.Fixed(x, 1) + "%"
}

// e1Int is str(n).
func e1Int(n uint64) string { return strconv.FormatUint(n, 10) }

// WriteSummary renders the 3.11 summarizer's report.
func WriteSummary(w io.Writer, st *pystats.Stats, opt style.MarkdownOptions) error {
	v, err := newE1View(st, opt.Tables, style.ViewOf(st, opt.Tables, opt.View))
	if err != nil {
		return err
	}
	bw := pipe.Writer{Writer: bufio.NewWriterSize(w, 64<<10)}
	if st.Meta.BenchRunner != nil {
		style.WriteBenchRunnerHeader(bw.Writer, &st.Meta, opt)
	}
	v.writeExecutionCounts(bw)
	v.writePairs(bw)
	v.writeSpecialization(bw)
	v.writeEffectiveness(bw)
	v.writeCalls(bw)
	v.writeObjects(bw)
	bw.Footer(opt.Date)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing E1 report: %w", err)
	}
	return nil
}

// writeExecutionCounts is emit_execution_counts: opcodes with an execution
// count sorted by (count, name, miss) descending; the miss ratio only for
// opcodes that are not specializable families.
func (v *e1View) writeExecutionCounts(w pipe.Writer) {
	rows := v.ExecutionRows()
	w.Section("Execution counts", 2, "execution counts for all instructions")
	w.Header("Name", "Count:", "Self:", "Cumulative:", "Miss ratio:")
	var cum uint64
	for _, r := range rows {
		cum += r.Count
		miss := ""
		if r.Miss != 0 {
			miss = e1Pct(r.Miss, r.Count)
		}
		w.Row(v.Names[r.Op], e1Int(r.Count), e1Pct(r.Count, v.total), e1Pct(cum, v.total), miss)
	}
	w.WriteByte('\n')
	w.End()
}

// writePairs is emit_pair_counts: the top 100 pairs, then the top 3
// predecessors and successors of each opcode in name order.
func (v *e1View) writePairs(w pipe.Writer) {
	pairs := v.PairCounts()
	v.WritePairTable(w, pairs, v.total, e1Int, e1Pct)

	nb := pipe.NeighborsOf(pairs)
	// opmap: name -> last opcode number (of the 256 slots) with that name,
	// in name order.
	last := make(map[string]int, 256)
	for i := 0; i < 256 && i < len(v.Ops); i++ {
		last[v.Names[i]] = i
	}
	entries := make([]pipe.NeighborEntry, 0, len(last))
	for name, op := range last {
		if nb.PredTotal[op] != 0 || nb.SuccTotal[op] != 0 {
			entries = append(entries, pipe.NeighborEntry{Name: name, Op: op})
		}
	}
	w.Section("Predecessor/Successor Pairs", 2, "Top 3 predecessors and successors of each opcode")
	v.WriteNeighbors(w, entries, nb, 3, e1Int)
}

// kindRows is the Kind table of print_specialization_stats (pipe.KindRows
// with the "unquickened" row and E1 percentages).
func (v *e1View) kindRows(s *specialize.OpcodeStat, total uint64) [][]string {
	return pipe.KindRows(s, total, true, e1Pct)
}

// failureKindRows are the non-zero failure kinds sorted by (count, index)
// descending, each with its E1 label.
func (v *e1View) failureKindRows(name string, s *specialize.OpcodeStat) [][]string {
	kinds := pipe.NonZeroKindsDesc(s.FailureKinds)
	rows := make([][]string, len(kinds))
	for i, k := range kinds {
		rows[i] = []string{v.view.FailureKindLabel(name, k.Index), e1Int(k.Value), e1Pct(k.Value, s.Failure)}
	}
	return rows
}

// writeSpecialization is emit_specialization_stats: every specializable
// family with a non-zero total, in opcode-number order.
func (v *e1View) writeSpecialization(w pipe.Writer) {
	w.Section("Specialization stats", 2, "specialization stats by family")
	for i := range v.Ops {
		s := &v.Ops[i]
		if !s.Specializable {
			continue
		}
		total := v.view.FamilyTotal(s)
		if total == 0 {
			continue
		}
		name := v.Names[i]
		w.Section(name, 3, "specialization stats for "+name+" family")
		w.Table([]string{"Kind", "Count", "Ratio"}, v.kindRows(s, total))
		w.Title("Specialization attempts", 4)
		attempts := s.Success + s.Failure
		w.Table([]string{"", "Count:", "Ratio:"}, [][]string{
			{"Success", e1Int(s.Success), e1Pct(s.Success, attempts)},
			{"Failure", e1Int(s.Failure), e1Pct(s.Failure, attempts)},
		})
		w.Table([]string{"Failure kind", "Count:", "Ratio:"}, v.failureKindRows(name, s))
		w.End()
	}
	w.End()
}

// writeEffectiveness is emit_specialization_overview with
// categorized_counts (specialize.View.Effectiveness under the 3.11 rules):
// specializable families and *_ADAPTIVE instructions are not specialized;
// specialized instructions count as specialized less their misses, which
// count as not specialized; everything else is basic.
func (v *e1View) writeEffectiveness(w pipe.Writer) {
	e := v.view.Effectiveness()
	basic, notSpecialized, specialized := e.Basic, e.NotSpecialized+e.Misses, e.Hits
	w.Section("Specialization effectiveness", 2, "")
	w.Table([]string{"Instructions", "Count:", "Ratio:"}, [][]string{
		{"Basic", e1Int(basic), e1Pct(basic, v.total)},
		{"Not specialized", e1Int(notSpecialized), e1Pct(notSpecialized, v.total)},
		{"Specialized", strconv.FormatInt(specialized, 10), e1SignedPct(specialized, v.total)},
	})
	w.End()
}

// writeCalls is emit_call_stats: every key containing "Calls to", then
// every key starting with "Frame", in data order, each against the sum of
// the "Calls to" counters.
func (v *e1View) writeCalls(w pipe.Writer) {
	var total uint64
	for _, r := range v.other {
		if strings.Contains(r.Name, "Calls to") {
			total += r.Value
		}
	}
	var rows [][]string
	for _, r := range v.other {
		if strings.Contains(r.Name, "Calls to") {
			rows = append(rows, []string{r.Name, e1Int(r.Value), e1Pct(r.Value, total)})
		}
	}
	for _, r := range v.other {
		if strings.HasPrefix(r.Name, "Frame") {
			rows = append(rows, []string{r.Name, e1Int(r.Value), e1Pct(r.Value, total)})
		}
	}
	w.Section("Call stats", 2, "Inlined calls and frame stats")
	w.Table([]string{"", "Count:", "Ratio:"}, rows)
	w.End()
}

// writeObjects is emit_object_stats: every key starting with "Object" in
// data order, labelled without that word and capitalized; materializations
// get a ratio against "Object new values".
func (v *e1View) writeObjects(w pipe.Writer) {
	var newValues uint64
	for _, r := range v.other {
		if r.Name == "Object new values" {
			newValues = r.Value
		}
	}
	var rows [][]string
	for _, r := range v.other {
		if !strings.HasPrefix(r.Name, "Object") {
			continue
		}
		ratio := ""
		if strings.Contains(r.Name, "materialize") {
			ratio = e1Pct(r.Value, newValues)
		}
		label := strings.TrimSpace(r.Name[len("Object"):])
		if r, size := utf8.DecodeRuneInString(label); size > 0 {
			label = string(unicode.ToUpper(r)) + label[size:]
		}
		rows = append(rows, []string{label, e1Int(r.Value), ratio})
	}
	w.Section("Object stats", 2, "allocations, frees and dict materializatons")
	w.Table([]string{"", "Count:", "Ratio:"}, rows)
	w.End()
}
