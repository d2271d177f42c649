package table

import (
	"fmt"
	"testing"
)

func TestCellMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name string
		cell Cell
		want string
	}{
		{"count", CountCell(18226969405), "18,226,969,405"},
		{"ratio", RatioCell(176, 1000), "17.6%"},
		{"ratio over 100%", RatioCell(22030, 1000), "2,203.0%"},
		{"no denominator", NoRatioCell(5), ""},
		{"zero over zero", RatioCell(0, 0), ""},
		{"n over zero", RatioCell(1424120, 0), "1,424,120 / 0 !!"},
		{"decrease", DiffCell(CountCell(4978312769), CountCell(128477948)), "-97.4%"},
		{"increase", DiffCell(CountCell(1000), CountCell(1797)), "79.7%"},
		{"from zero", DiffCell(CountCell(0), CountCell(5)), "5 / 0 !!"},
		{"missing side", DiffCell(TextCell(""), CountCell(5)), ""},
		{"doc", DocCell("hit", "Specialized instructions that complete."), "\nhit\n<details>\n<summary>ⓘ</summary>\n\nSpecialized instructions that complete.\n</details>\n"},
	} {
		if got := tc.cell.Markdown(); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestJoinTables(t *testing.T) {
	row := func(label string, n uint64) []Cell {
		return []Cell{TextCell(label), CountCell(n)}
	}
	base := [][]Cell{row("a", 100), row("b", 100), row("c", 100)}
	head := [][]Cell{row("c", 300), row("d", 1), row("a", 100)}
	for _, tc := range []struct {
		mode  JoinMode
		cols  []string
		order []string
	}{
		{JoinSimple, []string{"", "Base Count:", "Head Count:"}, []string{"a", "b", "c", "d"}},
		{JoinChangeNoSort, []string{"", "Base Count:", "Head Count:", "Change:"}, []string{"a", "b", "c", "d"}},
		// |change|: c 200%, then a, b, d (0: unchanged or one side missing) in join order.
		{JoinChange, []string{"", "Base Count:", "Head Count:", "Change:"}, []string{"c", "a", "b", "d"}},
	} {
		tab, err := JoinTables(tc.mode, []string{"", "Count:"}, base, head)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(tab.Columns) != fmt.Sprint(tc.cols) {
			t.Errorf("mode %d: columns %q, want %q", tc.mode, tab.Columns, tc.cols)
		}
		var order []string
		for _, r := range tab.Rows {
			order = append(order, r[0].Text)
		}
		if fmt.Sprint(order) != fmt.Sprint(tc.order) {
			t.Errorf("mode %d: rows %q, want %q", tc.mode, order, tc.order)
		}
	}
	if _, err := JoinTables(JoinChange, []string{"", "Count:"}, [][]Cell{row("a", 1), row("a", 2)}, nil); err == nil {
		t.Error("duplicate keys: no error")
	}
}
