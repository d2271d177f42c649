package report

import (
	"cmp"
	"slices"
)

// sortStableDesc sorts xs by key, largest first, keeping the original order
// of equal keys: Python's sorted(..., key=..., reverse=True). Keys are
// computed once per element.
func sortStableDesc[T any, K cmp.Ordered](xs []T, key func(T) K) {
	type keyed struct {
		k K
		x T
	}
	tmp := make([]keyed, len(xs))
	for i, x := range xs {
		tmp[i] = keyed{key(x), x}
	}
	slices.SortStableFunc(tmp, func(a, b keyed) int { return cmp.Compare(b.k, a.k) })
	for i := range tmp {
		xs[i] = tmp[i].x
	}
}

// sortStableDesc2 is sortStableDesc for a two-part key compared as a tuple,
// as Python compares (count, miss).
func sortStableDesc2[T any](xs []T, key func(T) (uint64, uint64)) {
	type keyed struct {
		a, b uint64
		x    T
	}
	tmp := make([]keyed, len(xs))
	for i, x := range xs {
		a, b := key(x)
		tmp[i] = keyed{a, b, x}
	}
	slices.SortStableFunc(tmp, func(p, q keyed) int {
		if c := cmp.Compare(q.a, p.a); c != 0 {
			return c
		}
		return cmp.Compare(q.b, p.b)
	})
	for i := range tmp {
		xs[i] = tmp[i].x
	}
}
