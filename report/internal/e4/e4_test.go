package e4

import (
	"fmt"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/internal/style"
)

// TestE4HistogramTrim checks the two trimming rules: E4a/E4b drop trailing
// zero buckets only (an all-zero histogram keeps its first bucket), E4c
// drops leading and trailing ones.
func TestE4HistogramTrim(t *testing.T) {
	for _, tc := range []struct {
		style  style.Style
		values []uint64
		want   []string
	}{
		{style.StyleE4b, []uint64{0, 3, 0, 5, 0, 0}, []string{"<= 1", "<= 2", "<= 4", "<= 8"}},
		{style.StyleE4c, []uint64{0, 3, 0, 5, 0, 0}, []string{"<= 2", "<= 4", "<= 8"}},
		{style.StyleE4b, []uint64{0, 0}, []string{"<= 1"}},
		{style.StyleE4c, []uint64{0, 0}, nil},
		{style.StyleE4c, []uint64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, []string{"<= 1,024"}},
	} {
		var keys []string
		for i := range tc.values {
			keys = append(keys, fmt.Sprintf("Trace length[%d]", 1<<i))
		}
		st := pystats.NewStats(keys, tc.values, pystats.Metadata{}, pystats.Source{})
		b := &e4Builder{v: e4VariantOf(tc.style)}
		var got []string
		for _, r := range b.histogramRows(newE4Input(st, nil), "Trace length", "Optimization traces created") {
			got = append(got, r[0].Text)
		}
		st.Release()
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s %v: got %q, want %q", tc.style, tc.values, got, tc.want)
		}
	}
}
