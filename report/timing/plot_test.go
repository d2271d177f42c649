package timing

import (
	"bytes"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
)

// TestSeedPlots draws the seed's comparison plots and checks the numbers
// behind them; set PYSTATS_PLOT_DIR to keep the PNGs for viewing.
func TestSeedPlots(t *testing.T) {
	root, pairs := seedPairs(t)
	chdir(t, root)
	// The ALL value and the two largest rows printed on the published PNGs
	// (read off the images beside the tables).
	published := map[string]struct {
		all        string
		first, sec string
	}{
		"bm-20230415-darwin-arm64-python-main-3.12.0a7+-4fe1c4b-vs-3.10.4.md":       {"1.1848", "deltablue", "logging_silent"},
		"bm-20230415-darwin-arm64-python-main-3.12.0a7+-4fe1c4b-vs-3.11.0.md":       {"1.0513", "asyncio_tcp", "generators"},
		"bm-20230415-linux-x86_64-python-main-3.12.0a7+-4fe1c4b-vs-3.10.4.md":       {"1.3311", "generators", "deltablue"},
		"bm-20230415-linux-x86_64-python-main-3.12.0a7+-4fe1c4b-vs-3.11.0.md":       {"1.0392", "generators", "asyncio_tcp"},
		"bm-20230415-pythonperf1-amd64-python-main-3.12.0a7+-4fe1c4b-vs-3.10.4.md":  {"1.1879", "deltablue", "json_dumps"},
		"bm-20230415-pythonperf1-amd64-python-main-3.12.0a7+-4fe1c4b-vs-3.11.0.md":  {"1.0908", "generators", "asyncio_tcp"},
		"bm-20230415-pythonperf2-x86_64-python-main-3.12.0a7+-4fe1c4b-vs-3.11.0.md": {"1.0315", "asyncio_tcp", "generators"},
	}
	if len(pairs) != len(published) {
		t.Fatalf("%d seed plots, %d published values", len(pairs), len(published))
	}
	for _, p := range pairs {
		t.Run(filepath.Base(p[0]), func(t *testing.T) {
			ref, err := pystats.ReadPyperfFile(p[2])
			if err != nil {
				t.Fatal(err)
			}
			defer ref.Release()
			head, err := pystats.ReadPyperfFile(p[1])
			if err != nil {
				t.Fatal(err)
			}
			defer head.Release()
			var buf bytes.Buffer
			sum, err := WritePlot(&buf, "png", ref, head, PlotTitle(ref, head))
			if err != nil {
				t.Fatal(err)
			}
			want, ok := published[filepath.Base(p[0])]
			n := len(sum.Names)
			switch {
			case !ok:
				t.Fatalf("no published values for %s", p[0])
			case n < 3 || sum.Names[n-1] != "ALL":
				t.Fatalf("rows %v: want ALL on top", sum.Names)
			case strconv.FormatFloat(sum.AllMean, 'f', 4, 64) != want.all:
				t.Errorf("ALL %.4f, the published plot prints %s", sum.AllMean, want.all)
			case sum.Names[n-2] != want.first || sum.Names[n-3] != want.sec:
				t.Errorf("top rows %s, %s; the published plot has %s, %s", sum.Names[n-2], sum.Names[n-3], want.first, want.sec)
			}
			img, err := png.Decode(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 20*n {
				t.Errorf("PNG of %v is too small for %d rows", b, n)
			}
			if d := os.Getenv("PYSTATS_PLOT_DIR"); d != "" {
				os.WriteFile(filepath.Join(d, strings.TrimSuffix(filepath.Base(p[0]), ".md")+".png"), buf.Bytes(), 0o644)
			}
		})
	}
}

// kdeDirect is the plain evaluation the recurrence in kde replaces: one exp
// per (point, datum).
func kdeDirect(data []float64) []float64 {
	xs, _ := kde(data)
	n := float64(len(data))
	m := npMean(data)
	ss := 0.0
	for _, x := range data {
		ss += (x - m) * (x - m)
	}
	bw := math.Sqrt(ss/(n-1)) * math.Pow(n, -1.0/5)
	dens := make([]float64, len(xs))
	for i, x := range xs {
		for _, d := range data {
			z := (x - d) / bw
			dens[i] += math.Exp(-0.5 * z * z)
		}
	}
	return dens
}

// TestKDEMatchesDirectEvaluation checks the recurrence against direct
// evaluation on narrow, wide, skewed and outlier-stretched data.
func TestKDEMatchesDirectEvaluation(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name string
		gen  func(i int) float64
		n    int
	}{
		{"normal", func(int) float64 { return 1 + 0.01*rng.NormFloat64() }, 3600},
		{"two values", func(i int) float64 { return float64(1 + i%2) }, 50},
		{"skewed", func(int) float64 { return 1 / (0.5 + rng.Float64()) }, 5000},
		{"outlier", func(i int) float64 {
			if i == 0 {
				return 1e6
			}
			return 1 + rng.Float64()
		}, 2000},
		{"few", func(i int) float64 { return []float64{0.9, 1.0, 1.3}[i] }, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := make([]float64, tc.n)
			for i := range data {
				data[i] = tc.gen(i)
			}
			slices.Sort(data)
			_, got := kde(data)
			want := kdeDirect(data)
			peak := slices.Max(want)
			for i := range want {
				if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > 1e-12*peak {
					t.Fatalf("point %d: %g, direct evaluation %g (peak %g)", i, got[i], want[i], peak)
				}
			}
		})
	}
}
