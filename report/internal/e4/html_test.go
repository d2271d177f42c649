package e4

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/pystats-dev/pystats/report/table"
)

// TestStreamTableWritesAsTable checks that a StreamTable is written as the
// Table of the same columns and rows, inside sections, with and without
// rows (a row buffer reused between rows, as a fleet view does).
func TestStreamTableWritesAsTable(t *testing.T) {
	cols := []string{"Benchmark", "Tier 1:", "Share:"}
	for _, tc := range []struct {
		name string
		rows [][]table.Cell
	}{
		{"no rows", nil},
		{"one row", [][]table.Cell{{table.TextCell("a"), table.CountCell(1234), table.RatioCell(1, 3)}}},
		{"rows", [][]table.Cell{
			{table.TextCell("a"), table.CountCell(1234), table.RatioCell(1, 3)},
			{table.TextCell("b &lt;"), table.CountCell(0), table.RatioCell(0, 0)},
			{table.TextCell("c"), table.CountCell(7), table.Cell{}},
		}},
	} {
		write := func(part any) string {
			var buf bytes.Buffer
			w := bufio.NewWriter(&buf)
			WriteSections(w, []*table.Section{{Title: "T", Summary: "s", Parts: []any{&table.Section{Title: "U", Summary: "u", Parts: []any{part}}}}})
			w.Flush()
			return buf.String()
		}
		want := write(&table.Table{Columns: cols, Rows: tc.rows})
		reused := make([]table.Cell, len(cols))
		got := write(&table.StreamTable{Columns: cols, Len: len(tc.rows), Rows: func(yield func([]table.Cell) bool) {
			for _, r := range tc.rows {
				copy(reused, r)
				if !yield(reused) {
					return
				}
			}
		}})
		if got != want {
			t.Errorf("%s: StreamTable wrote\n%s\nTable wrote\n%s", tc.name, got, want)
		}
	}
}
