// Package timing compares pyperf benchmark results the way
// "pyperf compare_to -G --table --table-format md" does (pyperf 2.5.0, the
// version behind faster-cpython's published tables), and adds what
// bench_runner publishes around it: the "# Results vs. X" header, the summary
// line with its " \*" marker, missing and new benchmarks, and the comparison
// plot.
//
// The default output reproduces pyperf byte for byte, quirks included:
// means are exact (statistics.mean), the t-test uses pyperf's fixed table and
// counts any error (unequal sample sizes, zero variance) as significant, the
// geometric mean covers every common benchmark (significant or not), and the
// first tag section stays in reference-file order because pyperf sorts its
// master list in place while printing it. Extras (bootstrap confidence
// interval, Mann-Whitney U test, memory change) are computed only on request.
package timing

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/pystats-dev/pystats/pystats"
)

// Options tune a comparison.
type Options struct {
	// GroupBySpeed is pyperf's -G: sort rows by the first head's ratio. pyperf
	// accepts it only with exactly two files; Compare ignores it otherwise.
	GroupBySpeed bool
	// MinSpeed is pyperf's --min-speed in percent; 0 disables it.
	MinSpeed float64
	// Quiet is pyperf's -q: no value before the ratio, no "Ignored" lines.
	Quiet bool
	// Format is the table format: "md" (default) or "rest".
	Format string
}

// HeadResult is one head file's comparison for one benchmark.
type HeadResult struct {
	Mean        float64 // exact mean of the head values
	NormMean    float64 // head mean / ref mean (< 1: the head is faster)
	Significant bool
	// TScore is the t statistic; HasT is false when pyperf's t-test raised
	// (unequal sample sizes, zero variance) or both sides had one value.
	TScore float64
	HasT   bool
}

// BenchResult is one benchmark present in every file.
type BenchResult struct {
	Name    string
	Tags    []string // the reference benchmark's tags
	Unit    string   // the reference benchmark's unit
	RefMean float64
	Heads   []HeadResult
	// refIdx and headIdx are the benchmark's rows in each suite.
	refIdx  int
	headIdx []int
}

// Ignored lists the benchmarks of one file that are not in every file.
type Ignored struct {
	Path  string   // the file name as given
	Names []string // sorted
}

// Comparison is the result of comparing a reference with one or more heads.
type Comparison struct {
	Ref   *pystats.PyperfSuite
	Heads []*pystats.PyperfSuite
	// Columns are the table headers after "Benchmark": pyperf's display names
	// of the files (base names without .json / .json.gz when unambiguous).
	Columns []string
	// Results are the common benchmarks in reference-file order.
	Results []*BenchResult
	// Tags are all tags of the common benchmarks, sorted.
	Tags    []string
	Ignored []Ignored
	opt     Options
}

// Compare compares ref with heads. Every suite's Path is printed as given.
func Compare(ref *pystats.PyperfSuite, heads []*pystats.PyperfSuite, opt Options) (*Comparison, error) {
	if len(heads) == 0 {
		return nil, fmt.Errorf("need at least two benchmark files")
	}
	if opt.Format == "" {
		opt.Format = "md"
	}
	if opt.Format != "md" && opt.Format != "rest" {
		return nil, fmt.Errorf("unknown table format %q (want md or rest)", opt.Format)
	}
	if len(heads) != 1 {
		opt.GroupBySpeed = false
	}
	suites := append([]*pystats.PyperfSuite{ref}, heads...)
	c := &Comparison{Ref: ref, Heads: heads, opt: opt}
	c.Columns = displayNames(suites)

	index := make([]map[string]int, len(suites))
	for i, s := range suites {
		index[i] = make(map[string]int, s.NumBenchmarks())
		for j, n := range s.Names() {
			index[i][n] = j
		}
	}
	tagSet := map[string]bool{}
	for ri, name := range ref.Names() {
		common := true
		for _, m := range index[1:] {
			if _, ok := m[name]; !ok {
				common = false
				break
			}
		}
		if !common {
			continue
		}
		br := &BenchResult{Name: name, Tags: ref.Tags(ri), Unit: ref.Unit(ri), refIdx: ri}
		rm, ok := ref.Mean(ri)
		if !ok {
			return nil, fmt.Errorf("%s: benchmark %q has no values", ref.Path, name)
		}
		br.RefMean = rm
		refVals := ref.BenchValues(ri)
		for hi, h := range heads {
			j := index[hi+1][name]
			br.headIdx = append(br.headIdx, j)
			hm, ok := h.Mean(j)
			if !ok {
				return nil, fmt.Errorf("%s: benchmark %q has no values", h.Path, name)
			}
			hr := HeadResult{Mean: hm, NormMean: hm / rm}
			hr.Significant, hr.TScore, hr.HasT = significantBenchs(refVals, h.BenchValues(j), rm, hm)
			if opt.MinSpeed != 0 {
				nm := hr.NormMean
				if nm < 1 {
					nm = 1 / nm
				}
				if (nm-1)*100 < opt.MinSpeed {
					hr.Significant = false
				}
			}
			br.Heads = append(br.Heads, hr)
		}
		for _, t := range br.Tags {
			tagSet[t] = true
		}
		c.Results = append(c.Results, br)
	}
	if len(c.Results) == 0 {
		return nil, fmt.Errorf("benchmark suites have no benchmark in common")
	}
	for t := range tagSet {
		c.Tags = append(c.Tags, t)
	}
	sort.Strings(c.Tags)

	commonNames := make(map[string]bool, len(c.Results))
	for _, r := range c.Results {
		commonNames[r.Name] = true
	}
	for _, s := range suites {
		var names []string
		for _, n := range s.Names() {
			if !commonNames[n] {
				names = append(names, n)
			}
		}
		if len(names) > 0 {
			sort.Strings(names)
			c.Ignored = append(c.Ignored, Ignored{Path: s.Path, Names: names})
		}
	}
	return c, nil
}

// displayNames is pyperf's format_filename_func: base names without the
// extension (and a trailing ".json" for ".json.gz") when that keeps them
// distinct, else base names, else the paths as given.
func displayNames(suites []*pystats.PyperfSuite) []string {
	paths := make([]string, len(suites))
	bases := map[string]bool{}
	for i, s := range suites {
		paths[i] = s.Path
		bases[pyBasename(s.Path)] = true
	}
	if len(bases) != len(paths) {
		return paths
	}
	strip := func(p string) string {
		b := pyBasename(p)
		name := pySplitextRoot(b)
		return strings.TrimSuffix(name, ".json")
	}
	stripped := map[string]bool{}
	for b := range bases {
		stripped[strip(b)] = true
	}
	out := make([]string, len(paths))
	for i, p := range paths {
		if len(stripped) != len(bases) {
			out[i] = pyBasename(p)
		} else {
			out[i] = strip(p)
		}
	}
	return out
}

// pyBasename is os.path.basename on POSIX.
func pyBasename(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// pySplitextRoot is os.path.splitext(p)[0]: leading dots don't start an
// extension.
func pySplitextRoot(p string) string {
	i := strings.LastIndexByte(p, '.')
	if i <= 0 {
		return p
	}
	if strings.Trim(p[:i], ".") == "" {
		return p
	}
	return p[:i]
}

// significantBenchs is pyperf's is_significant_benchs.
// refMean and headMean are the exact means of ref and head.
func significantBenchs(ref, head []float64, refMean, headMean float64) (sig bool, t float64, hasT bool) {
	if len(ref) == 1 && len(head) == 1 {
		return true, 0, false
	}
	t, err := tscore(ref, head, refMean, headMean)
	if err != nil {
		return true, 0, false
	}
	return math.Abs(t) >= TDist95(len(ref)+len(head)-2), t, true
}

// TDist95 is pyperf's tdist95conf_level: the two-tailed 95% critical value
// of Student's t distribution from a fixed table.
func TDist95(df int) float64 {
	switch {
	case df >= 200:
		return 1.960
	case df >= 100:
		return 1.984
	case df >= 80:
		return 1.990
	case df >= 60:
		return 2.000
	case df >= 50:
		return 2.009
	case df >= 40:
		return 2.021
	case df >= len(tdist95):
		return tdist95[len(tdist95)-1]
	case df < 0:
		// Python would index from the end; unreachable with real data.
		return tdist95[len(tdist95)+df]
	}
	return tdist95[df]
}

var tdist95 = []float64{0, 12.706, 4.303, 3.182, 2.776,
	2.571, 2.447, 2.365, 2.306, 2.262,
	2.228, 2.201, 2.179, 2.160, 2.145,
	2.131, 2.120, 2.110, 2.101, 2.093,
	2.086, 2.080, 2.074, 2.069, 2.064,
	2.060, 2.056, 2.052, 2.048, 2.045,
	2.042}

// errTScore is what pyperf's tscore raises.
type errTScore string

func (e errTScore) Error() string { return string(e) }

// TScore is pyperf's tscore(sample1, sample2): Student's two-sample t with
// pooled variance. Like pyperf it fails on unequal sample sizes and when the
// pooled variance is zero (Python raises ZeroDivisionError there).
func TScore(a, b []float64) (float64, error) {
	return tscore(a, b, pystats.ExactMean(a), pystats.ExactMean(b))
}

func tscore(a, b []float64, ma, mb float64) (float64, error) {
	if len(a) != len(b) {
		return 0, errTScore("different number of values")
	}
	df := len(a) + len(b) - 2
	if df == 0 {
		return 0, errTScore("float division by zero")
	}
	pooled := (pystats.Fsum(squares(a, ma)) + pystats.Fsum(squares(b, mb))) / float64(df)
	errv := pooled / float64(len(a))
	diff := ma - mb
	den := math.Sqrt(errv * 2)
	if den == 0 {
		return 0, errTScore("float division by zero")
	}
	return diff / den, nil
}

func squares(xs []float64, m float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		d := x - m
		out[i] = d * d
	}
	return out
}

// GeometricMean is Python's statistics.geometric_mean (as pyperf uses it):
// exp(fsum(log x) / n).
func GeometricMean(xs []float64) float64 {
	logs := make([]float64, len(xs))
	for i, x := range xs {
		logs[i] = math.Log(x)
	}
	return math.Exp(pystats.Fsum(logs) / float64(len(xs)))
}

// FormatRatio is pyperf's format_normalized_mean: "no change", "1.31x
// faster" (1/r) or "1.05x slower".
func FormatRatio(r float64) string {
	switch {
	case r == 1.0:
		return "no change"
	case r < 1.0:
		return fmt.Sprintf("%.2fx faster", 1.0/r)
	}
	return fmt.Sprintf("%.2fx slower", r)
}

// GeoMean returns the geometric mean of the norm_means of head h over all
// common benchmarks (pyperf's last "Geometric mean" row).
func (c *Comparison) GeoMean(h int) float64 {
	rs := make([]float64, len(c.Results))
	for i, r := range c.Results {
		rs[i] = r.Heads[h].NormMean
	}
	return GeometricMean(rs)
}
