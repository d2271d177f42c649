package table

import (
	"fmt"
	"iter"
	"strconv"

	"github.com/pystats-dev/pystats/internal/py"
)

// This file holds the summarizer's table model, shared by the markdown
// renderers: typed cells (the script's Count, Ratio, Doc, plain strings and
// None), tables with their column names, and the comparison join of a base
// and a head table (the script's JoinMode).

// CellKind says what a Cell holds.
type CellKind uint8

// The kinds of table cell the summarizer produces.
const (
	CellNone  CellKind = iota // None: an empty cell
	CellText                  // a plain string (row labels, the "" of a missing side)
	CellDoc                   // a label with an explanatory pop-up (the script's Doc)
	CellCount                 // an integer count, printed with "," separators
	CellRatio                 // a ratio num/den, printed as a percentage
)

// Cell is one table cell with its value, not its text, so that comparisons
// and later analyses can compute with it.
type Cell struct {
	Kind CellKind
	// Text is the string of a CellText and the label of a CellDoc.
	Text string
	// Doc is the pop-up text of a CellDoc.
	Doc string
	// Value is the count of a CellCount and the magnitude of a CellRatio's
	// numerator.
	Value uint64
	// Negative is the sign of a CellRatio's numerator (a decrease).
	Negative bool
	// Den is a CellRatio's denominator; HasDen is false for the script's
	// Ratio(num, None), which prints as an empty cell.
	Den    uint64
	HasDen bool
	// Fixed prints a CellRatio as f"{x:,.2f}" instead of a percentage.
	Fixed bool
}

// TextCell is a plain string cell.
func TextCell(s string) Cell { return Cell{Kind: CellText, Text: s} }

// DocCell is a label with a pop-up.
func DocCell(text, doc string) Cell { return Cell{Kind: CellDoc, Text: text, Doc: doc} }

// CountCell is a count.
func CountCell(n uint64) Cell { return Cell{Kind: CellCount, Value: n} }

// RatioCell is num/den as a percentage.
func RatioCell(num, den uint64) Cell {
	return Cell{Kind: CellRatio, Value: num, Den: den, HasDen: true}
}

// NoRatioCell is the script's Ratio(num, None): an empty cell.
func NoRatioCell(num uint64) Cell { return Cell{Kind: CellRatio, Value: num} }

// DiffCell is the script's DiffRatio(base, head): (head-base)/base of two
// count cells; empty when either side is missing (a string).
func DiffCell(base, head Cell) Cell {
	if base.Kind != CellCount || head.Kind != CellCount {
		return Cell{Kind: CellRatio, HasDen: true} // Ratio(0, 0)
	}
	c := Cell{Kind: CellRatio, Den: base.Value, HasDen: true}
	if head.Value >= base.Value {
		c.Value = head.Value - base.Value
	} else {
		c.Value = base.Value - head.Value
		c.Negative = true
	}
	return c
}

// Label is the text shown for a row-label cell (CellText or CellDoc).
func (c Cell) Label() string { return c.Text }

// Float is the script's float(cell) for ratios (0 when the denominator is 0
// or missing), the count for counts, and 0 otherwise. Comparison tables sort
// by the absolute Float of their Change column.
func (c Cell) Float() float64 {
	switch c.Kind {
	case CellCount:
		return float64(c.Value)
	case CellRatio:
		if !c.HasDen {
			return float64(c.Value)
		}
		if c.Den == 0 {
			return 0
		}
		x := py.Div(c.Value, c.Den)
		if c.Negative {
			x = -x
		}
		return x
	}
	return 0
}

// Markdown is the cell's text as the E4 summarizer prints it (a Doc cell as
// its multi-line <details> block).
func (c Cell) Markdown() string {
	if c.Kind == CellText {
		return c.Text
	}
	return string(c.AppendMarkdown(nil))
}

// AppendMarkdown appends the cell's Markdown text to dst.
func (c Cell) AppendMarkdown(dst []byte) []byte {
	switch c.Kind {
	case CellText:
		return append(dst, c.Text...)
	case CellDoc:
		dst = append(dst, '\n')
		dst = append(dst, c.Text...)
		dst = append(dst, "\n<details>\n<summary>ⓘ</summary>\n\n"...)
		dst = append(dst, c.Doc...)
		return append(dst, "\n</details>\n"...)
	case CellCount:
		return py.AppendInt(dst, c.Value)
	case CellRatio:
		if !c.HasDen {
			return dst
		}
		if c.Den == 0 {
			if c.Value != 0 {
				if c.Negative {
					dst = append(dst, '-')
				}
				return append(py.AppendInt(dst, c.Value), " / 0 !!"...)
			}
			return dst
		}
		x := py.Div(c.Value, c.Den)
		if c.Negative {
			x = -x
		}
		if c.Fixed {
			return py.AppendGroupedFixed(dst, x, 2)
		}
		return py.AppendGroupedPercent(dst, x, 1)
	}
	return dst
}

// joinKey identifies a row's first cell for joining (Doc labels compare by
// text and pop-up, as the script's frozen dataclass does).
func (c Cell) joinKey() string {
	switch c.Kind {
	case CellCount:
		return "c" + strconv.FormatUint(c.Value, 10)
	case CellDoc:
		return "d" + c.Text + "\x00" + c.Doc
	}
	return "t" + c.Text
}

// Table is one summarizer table: column names as the script writes them (a
// trailing ":" means right-aligned and is not displayed) and rows of cells.
// A table without rows is not printed at all.
type Table struct {
	Columns []string
	Rows    [][]Cell
	// Mode is how the table joins base and head in a comparison.
	Mode JoinMode
	// Metric says which Notable-changes metrics the rows are, set by the
	// renderer that builds the table (the zero tag: none). Changes reads
	// it, never titles or column counts.
	Metric MetricTag
}

// StreamTable is a table whose rows are made one at a time as it is
// written, for a table of one row per input of a fleet (thousands) that
// need not be held: a renderer writes it as the Table of the same columns
// and rows. Rows yields each row in order; a row is only valid until the
// next. Like a Table, a StreamTable without rows (Len 0) is not printed.
type StreamTable struct {
	Columns []string
	// Len is the number of rows Rows yields.
	Len  int
	Rows iter.Seq[[]Cell]
}

// MetricKind is the kind of metric a table's rows carry.
type MetricKind uint8

// The metric kinds of the E4 tables (see NotableGroups for the selectors).
const (
	MetricNone MetricKind = iota
	// MetricShare: an execution-count table; share[NAME] is each count over
	// its column's total (the "Self" column).
	MetricShare
	// MetricUopShare: the uop execution-count table (uop_share[UOP]).
	MetricUopShare
	// MetricKindRatios: a family's Kind table; LABEL_ratio[family] is the
	// row's ratio.
	MetricKindRatios
	// MetricFailureRatio: a family's Success table; failure_ratio[family]
	// is the Failure row's ratio (MetricTag.Names).
	MetricFailureRatio
	// MetricFailureShare: a family's Failure kind table;
	// failure_share[family:LABEL] is the row's ratio.
	MetricFailureShare
	// MetricEffectiveness: the effectiveness table; MetricTag.Names maps
	// each row to basic, not_specialized, specialized_hits or
	// specialized_misses.
	MetricEffectiveness
	// MetricObject, MetricCall, MetricTier2: object[LABEL], call[LABEL],
	// tier2[LABEL], a ratio when both sides' rows have one, else the count.
	MetricObject
	MetricCall
	MetricTier2
	// MetricGC: the GC table; gc[GEN:FIELD] counts, MetricTag.Fields naming
	// the value columns.
	MetricGC
)

// MetricTag is the typed metric description a renderer attaches to a table.
type MetricTag struct {
	Kind MetricKind
	// Family is the family of a specialization table ("LOAD_ATTR").
	Family string
	// Names maps row labels to metric names where the kind needs it
	// (MetricEffectiveness, MetricFailureRatio); other rows are skipped.
	Names map[string]string
	// Fields name the value columns of a MetricGC table, in order.
	Fields []string
}

// Tagged attaches m to t and returns t.
func Tagged(m MetricTag, t *Table) *Table {
	t.Metric = m
	return t
}

// JoinMode is how a comparison joins a base and a head table on their first
// column.
type JoinMode uint8

// The script's join modes.
const (
	// JoinSimple: first column, then "Base <col>" and "Head <col>" columns.
	JoinSimple JoinMode = iota
	// JoinChange: as JoinSimple plus a "Change" column, sorted by |change|.
	JoinChange
	// JoinChangeOneColumn: first column, Base and Head of the second column,
	// and "Change", sorted by |change|.
	JoinChangeOneColumn
	// JoinChangeNoSort: as JoinChange, rows kept in order.
	JoinChangeNoSort
)

// JoinColumns is the column list of a joined table.
func JoinColumns(mode JoinMode, cols []string) []string {
	out := []string{cols[0]}
	switch mode {
	case JoinChangeOneColumn:
		return append(out, "Base "+cols[1], "Head "+cols[1], "Change:")
	}
	for _, c := range cols[1:] {
		out = append(out, "Base "+c)
	}
	for _, c := range cols[1:] {
		out = append(out, "Head "+c)
	}
	if mode != JoinSimple {
		out = append(out, "Change:")
	}
	return out
}

// JoinTables joins a base and a head table as the summarizer's comparison
// does: rows keyed by their first cell, base keys in base order then keys
// only in head; a missing side gives empty cells; the change modes add
// (head-base)/base of the first value column and, except JoinChangeNoSort,
// sort by its absolute value, descending and stable.
func JoinTables(mode JoinMode, cols []string, base, head [][]Cell) (Table, error) {
	ncols := len(cols)
	index := func(rows [][]Cell, which string) (map[string]int, error) {
		m := make(map[string]int, len(rows))
		for i, r := range rows {
			k := r[0].joinKey()
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("%s table %q: duplicate row %q", which, cols[0], r[0].Text)
			}
			m[k] = i
		}
		return m, nil
	}
	ia, err := index(base, "base")
	if err != nil {
		return Table{}, err
	}
	ib, err := index(head, "head")
	if err != nil {
		return Table{}, err
	}
	missing := make([]Cell, ncols-1)
	for i := range missing {
		missing[i] = TextCell("")
	}
	side := func(rows [][]Cell, m map[string]int, k string) []Cell {
		if i, ok := m[k]; ok {
			return rows[i][1:]
		}
		return missing
	}
	joinRow := func(key Cell, a, b []Cell) []Cell {
		switch mode {
		case JoinChangeOneColumn:
			return []Cell{key, a[0], b[0], DiffCell(a[0], b[0])}
		}
		row := make([]Cell, 0, 2*ncols)
		row = append(row, key)
		row = append(row, a...)
		row = append(row, b...)
		if mode != JoinSimple {
			row = append(row, DiffCell(a[0], b[0]))
		}
		return row
	}
	rows := make([][]Cell, 0, len(base)+len(head))
	for _, r := range base {
		k := r[0].joinKey()
		rows = append(rows, joinRow(r[0], r[1:], side(head, ib, k)))
	}
	for _, r := range head {
		k := r[0].joinKey()
		if _, ok := ia[k]; ok {
			continue
		}
		rows = append(rows, joinRow(r[0], missing, r[1:]))
	}
	if mode == JoinChange || mode == JoinChangeOneColumn {
		SortStableDesc(rows, func(r []Cell) float64 { return abs(r[len(r)-1].Float()) })
	}
	return Table{Columns: JoinColumns(mode, cols), Rows: rows, Mode: mode}, nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
