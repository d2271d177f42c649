package timing

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/pystats-dev/pystats/pystats"
)

// CI is a confidence interval of the geometric mean of head/ref ratios.
type CI struct {
	Level      float64 `json:"level"`      // 0.95
	Lo         float64 `json:"lo"`         // lower bound of the ratio
	Hi         float64 `json:"hi"`         // upper bound of the ratio
	Resamples  int     `json:"resamples"`  // bootstrap resamples
	Seed       uint64  `json:"seed"`       // PCG seed
	Benchmarks int     `json:"benchmarks"` // benchmarks resampled
}

// MaxResamples is the most bootstrap resamples a CI takes (the command line
// refuses more), and MaxCIValues the most values of one benchmark side that
// a resample draws from: a side with more is resampled from MaxCIValues of
// its values, evenly spaced (deterministic; pyperf's default run has 60
// values, so only unusually long runs are affected, and their interval is
// then somewhat wider). Together they bound the work to MaxResamples x
// 2 x MaxCIValues draws per benchmark.
const (
	MaxResamples = 20000
	MaxCIValues  = 200
)

// ciValues is xs, or MaxCIValues of them evenly spaced.
func ciValues(xs []float64) []float64 {
	if len(xs) <= MaxCIValues {
		return xs
	}
	out := make([]float64, MaxCIValues)
	for i := range out {
		out[i] = xs[i*len(xs)/MaxCIValues]
	}
	return out
}

// BootstrapGeoMeanCI returns a percentile bootstrap confidence interval for
// the geometric mean of head/ref mean ratios of head h: each resample draws
// every benchmark's ref and head values with replacement, takes the ratio of
// the means, and the geometric mean over all common benchmarks. The seeded
// PCG generator makes the result reproducible. resamples is capped at
// MaxResamples and each side at MaxCIValues values (see there).
func (c *Comparison) BootstrapGeoMeanCI(h, resamples int, level float64, seed uint64) CI {
	resamples = max(1, min(resamples, MaxResamples))
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	type pair struct{ ref, head []float64 }
	ps := make([]pair, len(c.Results))
	for i, r := range c.Results {
		ps[i] = pair{ciValues(c.Ref.BenchValues(r.refIdx)), ciValues(c.Heads[h].BenchValues(r.headIdx[h]))}
	}
	means := func(xs []float64) float64 {
		s := 0.0
		for range xs {
			s += xs[rng.IntN(len(xs))]
		}
		return s / float64(len(xs))
	}
	gms := make([]float64, resamples)
	for b := range gms {
		sum := 0.0
		for _, p := range ps {
			sum += math.Log(means(p.head) / means(p.ref))
		}
		gms[b] = math.Exp(sum / float64(len(ps)))
	}
	sort.Float64s(gms)
	alpha := (1 - level) / 2
	q := func(p float64) float64 {
		pos := p * float64(len(gms)-1)
		i := int(pos)
		if i >= len(gms)-1 {
			return gms[len(gms)-1]
		}
		f := pos - float64(i)
		return gms[i]*(1-f) + gms[i+1]*f
	}
	return CI{Level: level, Lo: q(alpha), Hi: q(1 - alpha), Resamples: resamples, Seed: seed, Benchmarks: len(ps)}
}

// MWU is a two-sided Mann-Whitney U test of one benchmark (ref vs head).
type MWU struct {
	U float64 `json:"u"` // U statistic of the ref sample
	P float64 `json:"p"` // two-sided p-value
	// Exact is true when P comes from the exact distribution (no ties, small
	// samples); otherwise the normal approximation with tie and continuity
	// corrections is used.
	Exact bool `json:"exact"`
}

// MannWhitneyU tests whether x and y come from the same distribution.
func MannWhitneyU(x, y []float64) MWU {
	n1, n2 := len(x), len(y)
	type obs struct {
		v float64
		x bool
	}
	all := make([]obs, 0, n1+n2)
	for _, v := range x {
		all = append(all, obs{v, true})
	}
	for _, v := range y {
		all = append(all, obs{v, false})
	}
	slices.SortFunc(all, func(a, b obs) int { return cmp.Compare(a.v, b.v) })
	r1 := 0.0
	tieTerm := 0.0
	ties := false
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		rank := float64(i+j+1) / 2 // average of ranks i+1..j
		t := float64(j - i)
		if t > 1 {
			ties = true
			tieTerm += t*t*t - t
		}
		for k := i; k < j; k++ {
			if all[k].x {
				r1 += rank
			}
		}
		i = j
	}
	u1 := r1 - float64(n1*(n1+1))/2
	u := math.Min(u1, float64(n1*n2)-u1)
	if !ties && n1+n2 <= 40 {
		return MWU{U: u1, P: math.Min(1, 2*exactUCDF(int(u), n1, n2)), Exact: true}
	}
	n := float64(n1 + n2)
	mu := float64(n1*n2) / 2
	sigma := math.Sqrt(float64(n1*n2) / 12 * ((n + 1) - tieTerm/(n*(n-1))))
	if sigma == 0 {
		return MWU{U: u1, P: 1}
	}
	z := (math.Abs(u1-mu) - 0.5) / sigma
	if z < 0 {
		z = 0
	}
	return MWU{U: u1, P: math.Erfc(z / math.Sqrt2)}
}

// exactUCDF is P(U <= u) under the null hypothesis without ties, from the
// recurrence on the number of arrangements.
func exactUCDF(u, n1, n2 int) float64 {
	// counts[m][k]: arrangements of m x's among the first positions with U=k,
	// computed with the standard frequency recurrence over n2.
	maxU := n1 * n2
	// f[i][j][k] via rolling over j for fixed i is memory heavy; use the
	// generating-function product of Gaussian binomial coefficients.
	poly := []float64{1}
	// The count of U values is the coefficient list of
	// prod_{i=1..n1} (1 - q^(n2+i)) / (1 - q^i).
	mul := func(p []float64, e int) []float64 { // p * (1 - q^e)
		out := make([]float64, len(p)+e)
		copy(out, p)
		for i, c := range p {
			out[i+e] -= c
		}
		return out
	}
	div := func(p []float64, e int) []float64 { // p / (1 - q^e), exact division
		out := make([]float64, len(p))
		for i := range p {
			out[i] = p[i]
			if i >= e {
				out[i] += out[i-e]
			}
		}
		return out
	}
	for i := 1; i <= n1; i++ {
		poly = mul(poly, n2+i)
		poly = div(poly, i)
	}
	if len(poly) > maxU+1 {
		poly = poly[:maxU+1]
	}
	total, below := 0.0, 0.0
	for k, c := range poly {
		total += c
		if k <= u {
			below += c
		}
	}
	return below / total
}

// MemoryChange returns the mean over common benchmarks of head/ref ratios
// of the mean max RSS per benchmark (benchmark-level mem_max_rss or
// command_max_rss, else the mean of the runs' values); ok is false when no
// benchmark has memory data on both sides. > 1 means more memory.
func (c *Comparison) MemoryChange(h int) (ratio float64, n int, ok bool) {
	refMem := memByBench(c.Ref)
	headMem := memByBench(c.Heads[h])
	sum := 0.0
	for _, r := range c.Results {
		a, ok1 := refMem[r.Name]
		b, ok2 := headMem[r.Name]
		if ok1 && ok2 && a > 0 {
			sum += b / a
			n++
		}
	}
	if n == 0 {
		return 0, 0, false
	}
	return sum / float64(n), n, true
}

func memByBench(s *pystats.PyperfSuite) map[string]float64 {
	out := map[string]float64{}
	for i := 0; i < s.NumBenchmarks(); i++ {
		for _, col := range []int{pystats.PBCommandMaxRSS, pystats.PBMemMaxRSS} {
			a := s.Benchmarks.Column(col).(*array.Float64)
			if a.IsValid(i) {
				out[s.Name(i)] = a.Value(i)
				break
			}
		}
	}
	names := s.Runs.Column(0).(*array.String)
	sums := map[string][2]float64{}
	for _, col := range []int{7, 6} { // command_max_rss, mem_max_rss
		a := s.Runs.Column(col).(*array.Float64)
		for i := 0; i < a.Len(); i++ {
			name := names.Value(i)
			if _, done := out[name]; done || a.IsNull(i) {
				continue
			}
			v := sums[name]
			v[0] += a.Value(i)
			v[1]++
			sums[name] = v
		}
		for name, v := range sums {
			out[name] = v[0] / v[1]
		}
		clear(sums)
	}
	return out
}
