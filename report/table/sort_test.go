package table

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortHelpersMatchStableSort checks the sort helpers against
// slices.SortStableFunc on inputs full of ties, the case where Python's
// stable order shows.
func TestSortHelpersMatchStableSort(t *testing.T) {
	type item struct {
		name       string
		count, sub uint64
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct{ n, distinct int }{{0, 1}, {1, 1}, {7, 2}, {100, 3}, {1000, 50}, {5000, 5000}} {
		xs := make([]item, tc.n)
		for i := range xs {
			xs[i] = item{string(rune('a' + i%26)), uint64(rng.IntN(tc.distinct)), uint64(rng.IntN(3))}
		}
		want := slices.Clone(xs)
		slices.SortStableFunc(want, func(a, b item) int { return cmp.Compare(b.count, a.count) })

		got := slices.Clone(xs)
		SortStableDesc(got, func(x item) uint64 { return x.count })
		if !slices.Equal(got, want) {
			t.Fatalf("n=%d: SortStableDesc differs from a stable sort", tc.n)
		}
		for _, k := range []int{0, 1, 5, 100, tc.n + 1} {
			top := TopStableDesc(xs, k, func(x item) uint64 { return x.count })
			if w := want[:min(k, len(want))]; !slices.Equal(top, w) && !(len(top) == 0 && len(w) == 0) {
				t.Fatalf("n=%d: TopStableDesc(%d) differs from the stable sort's first %d", tc.n, k, k)
			}
		}

		want2 := slices.Clone(xs)
		slices.SortStableFunc(want2, func(a, b item) int {
			if c := cmp.Compare(b.count, a.count); c != 0 {
				return c
			}
			return cmp.Compare(b.sub, a.sub)
		})
		got2 := slices.Clone(xs)
		SortStableDesc2(got2, func(x item) (uint64, uint64) { return x.count, x.sub })
		if !slices.Equal(got2, want2) {
			t.Fatalf("n=%d: SortStableDesc2 differs from a stable sort", tc.n)
		}
	}
}
