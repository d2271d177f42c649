package report

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/pystats-dev/pystats/internal/golden"
	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// TestTier2Golden renders the real 3.13.5 Tier-2 (uop interpreter) dumps of
// ../shared/data/dumps/3.13-tier2 and compares the whole report, Optimization
// (Tier 2) section included, with what the 3.13.5 summarize_stats.py wrote:
// from its JSON against summarize_stats.md, from the raw folder (name
// order) against summarize_stats.nameorder.md. Only the footer date is taken
// from the reference.
func TestTier2Golden(t *testing.T) {
	root := shared.Path(t, "data/dumps/3.13-tier2")
	footer := regexp.MustCompile(`(?m)^Stats gathered on: (\S+)\n\z`)
	tab, ok := specialize.Embedded("3.13")
	if !ok {
		t.Fatal("no embedded 3.13 build tables")
	}
	for _, tc := range []struct{ workload, input, want string }{
		{"test_small_run1", "summarize_stats.json", "summarize_stats.md"},
		{"test_small_run1", "raw", "summarize_stats.nameorder.md"},
		{"timeit_numeric_loop", "summarize_stats.json", "summarize_stats.md"},
		{"timeit_numeric_loop", "raw", "summarize_stats.nameorder.md"},
	} {
		t.Run(tc.workload+"/"+tc.input, func(t *testing.T) {
			dir := filepath.Join(root, tc.workload)
			want, err := os.ReadFile(filepath.Join(dir, tc.want))
			if err != nil {
				t.Fatal(err)
			}
			m := footer.FindSubmatch(want)
			if m == nil {
				t.Fatal("reference has no footer date line")
			}
			st, err := pystats.Read(filepath.Join(dir, tc.input), pystats.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release()
			if tc.input == "raw" {
				specialize.Attach(st, tab)
			}
			if !bytes.Contains(want, []byte("Optimization attempts")) {
				t.Fatal("reference has no Tier-2 optimization table")
			}
			var buf bytes.Buffer
			if err := WriteSummary(&buf, st, MarkdownOptions{Style: StyleAuto, Date: string(m[1])}); err != nil {
				t.Fatal(err)
			}
			if got := buf.Bytes(); !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (%d vs %d bytes), first difference at %s", tc.want, len(got), len(want), golden.FirstDiff(got, want))
			}
		})
	}
}
