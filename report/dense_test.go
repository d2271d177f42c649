package report

import (
	"io"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
)

// TestHugeTableIndexIsAnError feeds each era a key whose number the
// summarizer would use as a list position (it would grow the list for
// ever): pystats must stop at once with an error.
func TestHugeTableIndexIsAnError(t *testing.T) {
	for _, tc := range []struct {
		name  string
		style Style
		dump  string
	}{
		{"E1 opcode", StyleE1, "opcode[17111111111].execution_count : 1\n"},
		{"E2 opcode", StyleE2, "opcode[17111111111].execution_count : 1\n"},
		{"E2 GC generation", StyleE2, "opcode[1].execution_count : 1\nGC[17111111111] collections : 1\n"},
		{"E4 GC generation", StyleE4, "opcode[LOAD_FAST].execution_count : 1\nGC[17111111111] collections : 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The reader refuses the key (pystats.KeyProblem), naming file and line.
			if _, err := pystats.ReadDump("dump.txt", []byte(tc.dump), pystats.Options{}); err == nil || !strings.Contains(err.Error(), "dump.txt:") || !strings.Contains(err.Error(), "4095") {
				t.Fatalf("reading: got %v, want an error naming the line and the bound", err)
			}
			// Data made without the reader is refused by the report.
			var keys []string
			var values []uint64
			for _, line := range strings.Split(strings.TrimSpace(tc.dump), "\n") {
				k, _, _ := strings.Cut(line, " : ")
				keys = append(keys, k)
				values = append(values, 1)
			}
			st := pystats.NewStats(keys, values, pystats.Metadata{}, pystats.Source{Path: "dump.txt"})
			defer st.Release()
			err := WriteSummary(io.Discard, st, MarkdownOptions{Style: tc.style, Date: "2026-01-01"})
			if err == nil || !strings.Contains(err.Error(), "out of range") {
				t.Fatalf("got %v, want an out-of-range error", err)
			}
		})
	}
}
