package table

import (
	"cmp"
	"slices"
)

// SortStableDesc sorts xs by key, largest first, keeping the original order
// of equal keys: Python's sorted(..., key=..., reverse=True). Keys are
// computed once per element.
//
// It sorts (key, position) pairs, a total order, with the unstable pattern-
// defeating quicksort: the result is the stable one, and the pairs hold no
// pointers, so the sort moves 16 bytes per swap with no write barriers.
func SortStableDesc[T any, K cmp.Ordered](xs []T, key func(T) K) {
	type keyed struct {
		k K
		i int
	}
	tmp := make([]keyed, len(xs))
	for i, x := range xs {
		tmp[i] = keyed{key(x), i}
	}
	slices.SortFunc(tmp, func(a, b keyed) int {
		if c := cmp.Compare(b.k, a.k); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	permute(xs, len(tmp), func(j int) int { return tmp[j].i })
}

// SortStableDesc2 is SortStableDesc for a two-part key compared as a tuple,
// as Python compares (count, miss).
func SortStableDesc2[T any](xs []T, key func(T) (uint64, uint64)) {
	type keyed struct {
		a, b uint64
		i    int
	}
	tmp := make([]keyed, len(xs))
	for i, x := range xs {
		a, b := key(x)
		tmp[i] = keyed{a, b, i}
	}
	slices.SortFunc(tmp, func(p, q keyed) int {
		if c := cmp.Compare(q.a, p.a); c != 0 {
			return c
		}
		if c := cmp.Compare(q.b, p.b); c != 0 {
			return c
		}
		return cmp.Compare(p.i, q.i)
	})
	permute(xs, len(tmp), func(j int) int { return tmp[j].i })
}

// permute rearranges xs so that position j holds the element that was at
// from(j).
func permute[T any](xs []T, n int, from func(j int) int) {
	out := make([]T, n)
	for j := range out {
		out[j] = xs[from(j)]
	}
	copy(xs, out)
}

// TopStableDesc returns the n elements of xs with the largest keys, largest
// first, equal keys in their original order: the first n of
// SortStableDesc's result (collections.Counter.most_common(n)), without
// sorting everything. xs is not modified.
func TopStableDesc[T any, K cmp.Ordered](xs []T, n int, key func(T) K) []T {
	if n <= 0 {
		return nil
	}
	type keyed struct {
		k K
		x T
	}
	top := make([]keyed, 0, n+1)
	for _, x := range xs {
		k := key(x)
		if len(top) == n && cmp.Compare(k, top[n-1].k) <= 0 {
			continue
		}
		// Insert after every element whose key is >= k.
		i := len(top)
		for i > 0 && cmp.Compare(top[i-1].k, k) < 0 {
			i--
		}
		top = slices.Insert(top, i, keyed{k, x})
		if len(top) > n {
			top = top[:n]
		}
	}
	out := make([]T, len(top))
	for i, t := range top {
		out[i] = t.x
	}
	return out
}
