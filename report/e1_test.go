package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// e1Goldens are the 3.11.2 summarizer's reports of real 3.11.2 dumps. Each
// dir holds raw/ (the dumps) and summarize_stats.md; shared dirs are inside
// the shared reference folder (skipped when absent), the others are relative
// to the report package.
var e1Goldens = []struct {
	name   string
	dir    string
	shared bool
}{
	{name: "testdata/json_tool", dir: "../testdata/dumps/3.11/json_tool"},
	{name: "shared/json_tool", dir: "data/dumps/3.11/json_tool", shared: true},
	{name: "shared/test_small", dir: "data/dumps/3.11/test_small", shared: true},
}

// TestE1SummaryDumps311 renders the 3.11 goldens from their raw dumps with
// the embedded 3.11 tables and the automatic style, byte for byte except the
// footer date. Files are read in directory order, as os.listdir gave them to
// the summarizer (the E1 report does not depend on it for these workloads).
func TestE1SummaryDumps311(t *testing.T) {
	tab, ok := specialize.Embedded("3.11")
	if !ok {
		t.Fatal("no embedded 3.11 build tables")
	}
	for _, g := range e1Goldens {
		t.Run(g.name, func(t *testing.T) {
			dir := g.dir
			if g.shared {
				dir = shared.Path(t, g.dir)
			}
			want, err := os.ReadFile(filepath.Join(dir, "summarize_stats.md"))
			if err != nil {
				t.Fatal(err)
			}
			st, err := pystats.Read(filepath.Join(dir, "raw"), pystats.Options{DirectoryOrder: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release()
			if s := ResolveStyle(st, StyleAuto); s != StyleE1 {
				t.Errorf("auto style of 3.11 data = %q, want %q", s, StyleE1)
			}
			var buf bytes.Buffer
			opt := MarkdownOptions{Style: StyleAuto, Date: e4FooterDate(t, want), Tables: tab}
			if err := WriteSummary(&buf, st, opt); err != nil {
				t.Fatal(err)
			}
			e4CheckGolden(t, buf.Bytes(), want)
		})
	}
}

// TestE1Degenerate renders small hand-made 3.11-style inputs: where the 3.11
// script would divide by zero the cell is empty, and nothing fails.
func TestE1Degenerate(t *testing.T) {
	tab, _ := specialize.Embedded("3.11")
	tests := []struct {
		name string
		dump string
		want []string // substrings of the report
	}{
		{
			name: "family without attempts",
			dump: "opcode[106].specializable : 1\n    opcode[106].execution_count : 4\n    opcode[106].specialization.deferred : 4\n",
			want: []string{
				"|  unquickened |            4 | 50.0% |\n| specialization.deferred |            4 | 50.0% |\n",
				"| Success | 0 |  |\n| Failure | 0 |  |\n",
			},
		},
		{
			name: "no executions, calls or objects",
			dump: "opcode[1].pair_count[2] : 3\nObject materialize dict (on request) : 2\nCalls to PyEval_EvalDefault : 0\n",
			want: []string{
				"| POP_TOP PUSH_NULL | 3 |  |  |\n",
				"| Materialize dict (on request) | 2 |  |\n",
				"| Calls to PyEval_EvalDefault | 0 |  |\n",
				"| Specialized | 0 |  |\n",
			},
		},
		{
			name: "failure kinds",
			dump: "opcode[106].specializable : 1\n    opcode[106].specialization.failure : 4\n    opcode[106].specialization.failure_kinds[8] : 1\n" +
				"    opcode[106].specialization.failure_kinds[3] : 1\n    opcode[106].specialization.failure_kinds[40] : 2\n    opcode[106].execution_count : 1\n",
			want: []string{"| kind 40 | 2 | 50.0% |\n| overriding descriptor | 1 | 25.0% |\n| out of versions | 1 | 25.0% |\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := pystats.ReadDump("x.txt", []byte(tt.dump), pystats.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release()
			var buf bytes.Buffer
			if err := WriteSummary(&buf, st, MarkdownOptions{Style: StyleE1, Date: "2026-01-01", Tables: tab}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, buf.String())
				}
			}
		})
	}
}
