package pystats

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// TestPyperfFileMappedMatchesMemory reads a pyperf file large enough to be
// mapped, with escaped strings, and wants what reading its bytes from memory
// gives (the parsers must copy what they keep out of the mapping).
func TestPyperfFileMappedMatchesMemory(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"version": "1.0", "metadata": {"hostname": "h\u00e9\"x\""}, "benchmarks": [`)
	for i := 0; b.Len() < 400<<10; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `{"metadata": {"name": "b\u00e9nch-%d\\n", "unit": "second"}, "runs": [`, i)
		for r := 0; r < 20; r++ {
			if r > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, `{"metadata": {"date": "2024-01-01T00:00:%02d"}, "values": [0.00%d1, 0.00%d2, 0.00%d3]}`, r, r, r, r)
		}
		b.WriteString("]}")
	}
	b.WriteString("]}")
	path := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	mapped, err := ReadPyperfFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mapped.Release()
	inMemory, err := ReadPyperf(path, []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	defer inMemory.Release()
	if !slices.Equal(mapped.Names(), inMemory.Names()) || mapped.Names()[0] != "b\u00e9nch-0\\n" {
		t.Fatalf("names differ: %q vs %q", mapped.Names()[:2], inMemory.Names()[:2])
	}
	if h, _ := mapped.MetaString("hostname"); h != "h\u00e9\"x\"" {
		t.Fatalf("hostname %q", h)
	}
	for i := 0; i < mapped.NumBenchmarks(); i++ {
		if !slices.Equal(mapped.BenchValues(i), inMemory.BenchValues(i)) {
			t.Fatalf("benchmark %d: values differ", i)
		}
	}
}
