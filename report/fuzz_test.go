package report

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// FuzzRenderMarkdown parses arbitrary bytes as a dump and renders every
// report style and a comparison from it: rendering any parsed input must not
// panic (errors are fine).
func FuzzRenderMarkdown(f *testing.F) {
	for _, p := range []string{"../testdata/dumps/3.13/json_tool/raw", "../testdata/dumps/3.11/json_tool/raw"} {
		files, _ := filepath.Glob(filepath.Join(p, "*"))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			// Keep the seeds small, from several parts of the dump.
			lines := bytes.SplitAfter(data, []byte("\n"))
			for _, part := range [][2]int{{0, 40}, {len(lines) / 2, len(lines)/2 + 40}, {len(lines) - 60, len(lines)}} {
				f.Add(bytes.Join(lines[part[0]:part[1]], nil))
			}
		}
	}
	for _, s := range []string{
		"opcode[LOAD_ATTR].specializable : 1\n    opcode[LOAD_ATTR].specialization.failure_kinds[99] : 3\n",
		"opcode[X].specializable : 1\n    opcode[X].specialization.hit : 0\n",
		"Optimization attempts: 0\nTrace length[1]: 5\nuops[_X].execution_count : 1\nuop[_X].pair_count[_Y] : 1\n",
		"GC[7] collections: 1\nRare event (unknown_thing): 3\nObject mortal increfs: 1\n",
		"opcode[300].execution_count : 5\nopcode[0].pair_count[300] : 1\n",
	} {
		f.Add([]byte(s))
	}
	t311, _ := specialize.Embedded("3.11")
	t312, _ := specialize.Embedded("3.12")
	t313, _ := specialize.Embedded("3.13")
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := pystats.ReadDump("fuzz.txt", data, pystats.Options{})
		if err != nil {
			return
		}
		defer st.Release()
		if pystats.DetectEra(st).NamedOpcodes {
			specialize.Attach(st, t313)
		}
		for _, style := range []Style{StyleAuto, StyleE1, StyleE2, StyleE4, "e4a", "e4c", "e2-2022-11"} {
			for _, tables := range []*specialize.Tables{nil, t311, t312} {
				_ = WriteSummary(io.Discard, st, MarkdownOptions{Style: style, Date: "2026-01-01", Tables: tables})
			}
			_ = WriteComparison(io.Discard, st, st, MarkdownOptions{Style: style, Date: "2026-01-01"})
		}
	})
}
