package e2

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/pystats-dev/pystats/internal/py"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/internal/pipe"
	"github.com/pystats-dev/pystats/report/internal/style"
)

// The E2 comparison report follows output_comparative_stats of the 3.12
// branch's summarize_stats.py: execution counts with their change, the
// specialization tables of each family side by side, specialization
// effectiveness, call stats and object stats; no pair counts, no
// predecessors/successors, no GC or meta stats, no bench_runner header.
//
// No published E2 comparison exists to test against, so this rendering is
// checked for structure only. Where the script's output depends on Python's
// set iteration order (the execution-count rows before sorting) this renders
// base rows first, then head-only rows, before the stable sort. Where the
// script would crash (a call-stats row without a head ratio, duplicate labels)
// this renders instead: an empty ratio sorts as 0, and a duplicate label keeps
// its first position and last values.

// WriteComparison renders the E2 summarizer's comparison report.
func WriteComparison(w io.Writer, base, head *pystats.Stats, opt style.MarkdownOptions) error {
	hv, err := newE2View(head, opt.Tables, opt.Style, style.ViewOf(head, opt.Tables, nil))
	if err != nil {
		return fmt.Errorf("head: %w", err)
	}
	bv, err := newE2View(base, opt.Tables, opt.Style, style.ViewOf(base, opt.Tables, nil))
	if err != nil {
		return fmt.Errorf("base: %w", err)
	}
	bv.variant = hv.variant // one script renders both
	bw := pipe.Writer{Writer: bufio.NewWriterSize(w, 64<<10)}
	writeComparativeExecutionCounts(bw, bv, hv)
	writeComparativeSpecialization(bw, bv, hv)
	bw.Section("Specialization effectiveness", 2, "")
	bw.Table([]string{"Instructions", "Base Count:", "Base Ratio:", "Head Count:", "Head Ratio:"},
		e2JoinRows(bv.effectiveness().rows(bv.total), hv.effectiveness().rows(hv.total)))
	bw.End()
	calls := e2JoinRows(bv.callRows(), hv.callRows())
	sort.SliceStable(calls, func(a, b int) bool {
		return e2PercentValue(calls[a][len(calls[a])-1]) > e2PercentValue(calls[b][len(calls[b])-1])
	})
	bw.Section("Call stats", 2, "Inlined calls and frame stats")
	bw.Table([]string{"", "Base Count:", "Base Ratio:", "Head Count:", "Head Ratio:"}, calls)
	bw.End()
	bw.Section("Object stats", 2, "allocations, frees and dict materializatons")
	bw.Table([]string{"", "Base Count:", "Base Ratio:", "Head Count:", "Head Ratio:"}, e2JoinRows(bv.objectRows(), hv.objectRows()))
	bw.End()
	bw.Footer(opt.Date)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing E2 comparison: %w", err)
	}
	return nil
}

// e2PercentValue is float(cell[:-1]) of a percentage cell; 0 for "".
func e2PercentValue(cell string) float64 {
	f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSuffix(cell, "%"), ",", ""), 64)
	if err != nil {
		return 0
	}
	return f
}

// e2JoinRows is the script's join_rows: rows keyed by their first cell, base
// keys in base order then head-only keys in head order; a missing side gives
// empty cells.
func e2JoinRows(a, b [][]string) [][]string {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	ncols := 0
	if len(a) > 0 {
		ncols = len(a[0])
	} else {
		ncols = len(b[0])
	}
	index := func(rows [][]string) ([]string, map[string][]string) {
		var keys []string
		data := make(map[string][]string, len(rows))
		for _, r := range rows {
			if _, dup := data[r[0]]; !dup {
				keys = append(keys, r[0])
			}
			data[r[0]] = r[1:]
		}
		return keys, data
	}
	aKeys, aData := index(a)
	bKeys, bData := index(b)
	keys := aKeys
	for _, k := range bKeys {
		if _, ok := aData[k]; !ok {
			keys = append(keys, k)
		}
	}
	empty := make([]string, ncols-1)
	out := make([][]string, 0, len(keys))
	for _, k := range keys {
		row := make([]string, 0, 2*ncols-1)
		row = append(row, k)
		if v, ok := aData[k]; ok {
			row = append(row, v...)
		} else {
			row = append(row, empty...)
		}
		if v, ok := bData[k]; ok {
			row = append(row, v...)
		} else {
			row = append(row, empty...)
		}
		out = append(out, row)
	}
	return out
}

// writeComparativeExecutionCounts is emit_comparative_execution_counts: the
// union of executed opcodes (by name) with base and head counts and the
// change f"{100*change:0.1f}%" (100% when the base count is 0), sorted by
// the absolute printed change, largest first.
func writeComparativeExecutionCounts(w pipe.Writer, bv, hv *e2View) {
	type entry struct {
		name       string
		base, head uint64
	}
	var entries []entry
	at := map[string]int{}
	for _, r := range bv.ExecutionRows() {
		name := bv.Name(r.Op)
		if _, ok := at[name]; !ok {
			at[name] = len(entries)
			entries = append(entries, entry{name: name})
		}
		entries[at[name]].base = r.Count
	}
	for _, r := range hv.ExecutionRows() {
		name := hv.Name(r.Op)
		if _, ok := at[name]; !ok {
			at[name] = len(entries)
			entries = append(entries, entry{name: name})
		}
		entries[at[name]].head = r.Count
	}
	type row struct {
		cells []string
		key   float64
	}
	rows := make([]row, len(entries))
	for i, e := range entries {
		change := 1.0
		if e.base != 0 {
			change = py.SignedDiv(int64(e.head)-int64(e.base), e.base)
		}
		text := py.Fixed(100*change, 1)
		key, _ := strconv.ParseFloat(text, 64)
		rows[i] = row{[]string{e.name, py.Int(e.base), py.Int(e.head), text + "%"}, math.Abs(key)}
	}
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].key > rows[b].key })
	w.Section("Execution counts", 2, "execution counts for all instructions")
	w.Header("Name", "Base Count:", "Head Count:", "Change:")
	for _, r := range rows {
		w.Row(r.cells...)
	}
	w.WriteByte('\n')
	w.End()
}

// writeComparativeSpecialization is emit_comparative_specialization_stats:
// families in opcode-number order that are specializable in base and have a
// non-zero total on either side.
func writeComparativeSpecialization(w pipe.Writer, bv, hv *e2View) {
	w.Section("Specialization stats", 2, "specialization stats by family")
	n := min(len(bv.Ops), len(hv.Ops))
	for i := 0; i < n; i++ {
		bo, ho := &bv.Ops[i], &hv.Ops[i]
		if !bo.Specializable {
			continue
		}
		bt, ht := bv.familyTotal(bo), hv.familyTotal(ho)
		if bt == 0 && ht == 0 {
			continue
		}
		name := bv.Names[i]
		five := []string{"", "Base Count:", "Base Ratio:", "Head Count:", "Head Ratio:"}
		w.Section(name, 3, "specialization stats for "+name+" family")
		w.Table([]string{"Kind", "Base Count", "Base Ratio", "Head Count", "Head Ratio"}, e2JoinRows(bv.kindRows(bo, bt), hv.kindRows(ho, ht)))
		if rows := e2JoinRows(attemptRows(bo), attemptRows(ho)); len(rows) > 0 {
			w.Title("Specialization attempts", 4)
			w.Table(five, rows)
			five[0] = "Failure kind"
			w.Table(five, e2JoinRows(bv.failureKindRows(name, bo), hv.failureKindRows(name, ho)))
		}
		w.End()
	}
	w.End()
}
