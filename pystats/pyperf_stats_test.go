package pystats

import (
	"math"
	"testing"
)

// TestExactMean checks ExactMean against Python's statistics.mean on sums
// that float64 addition gets wrong, and that reused state does not leak
// from one call into the next.
func TestExactMean(t *testing.T) {
	for _, tc := range []struct {
		name string
		xs   []float64
		want float64
	}{
		{"three tenths", []float64{0.1, 0.1, 0.1}, 0.1}, // naive: 0.10000000000000002
		{"cancellation", []float64{1e16, 1, 1, -1e16}, 0.5},
		{"halves", []float64{1, 2}, 1.5},
		{"one", []float64{3e-9}, 3e-9},
		{"tiny and huge", []float64{1e300, 1e-300, -1e300}, 1e-300 / 3},
		{"after a big call", []float64{2, 4}, 3},
		{"overflowing partial", []float64{math.MaxFloat64, math.MaxFloat64, -math.MaxFloat64}, math.MaxFloat64 / 3},
		{"timings", []float64{0.0123, 0.01231, 0.012305, 0.0123001}, 0.012303775},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ExactMean(tc.xs); got != tc.want {
				t.Errorf("ExactMean(%v) = %v, want %v", tc.xs, got, tc.want)
			}
		})
	}
	if got := ExactMean(nil); !math.IsNaN(got) {
		t.Errorf("ExactMean(nil) = %v, want NaN", got)
	}
}

// TestFsum checks Fsum against Python's math.fsum.
func TestFsum(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{.1, .1, .1, .1, .1, .1, .1, .1, .1, .1}, 1.0},
		{[]float64{1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50}, 1e-100},
		{nil, 0},
	} {
		if got := Fsum(tc.xs); got != tc.want {
			t.Errorf("Fsum(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}
