package timing

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/pystats-dev/pystats/pystats"
)

// PlotRow is one row of bench_runner's comparison plot.
type PlotRow struct {
	Name string
	// Ratios are the sorted pairwise ratios ref_i/head_j after 2-sigma
	// outlier removal (> 1: the head is faster); nil when not significant.
	Ratios []float64
	// Mean is the mean of Ratios (0 when not significant, which sorts the
	// row to the bottom as bench_runner does).
	Mean float64
}

// PlotData computes bench_runner's 2023 plot_diff data: one row per
// benchmark of ref also in head, sorted by mean ratio (stable), and the
// pooled ratios of all significant benchmarks (the "ALL" row).
//
// bench_runner calls pyperf's is_significant directly, which raises on
// unequal sample sizes and crashes the plot; here such a benchmark is drawn
// as insignificant.
func PlotData(ref, head *pystats.PyperfSuite) (rows []PlotRow, all []float64) {
	hidx := map[string]int{}
	for i, n := range head.Names() {
		hidx[n] = i
	}
	for i, name := range ref.Names() {
		j, ok := hidx[name]
		if !ok {
			continue
		}
		rv, hv := ref.BenchValues(i), head.BenchValues(j)
		row := PlotRow{Name: name}
		t, err := TScore(rv, hv)
		if err == nil && len(rv) > 0 && math.Abs(t) >= TDist95(len(rv)+len(hv)-2) {
			r := removeOutliers(rv)
			h := removeOutliers(hv)
			ratios := make([]float64, 0, len(r)*len(h))
			for _, a := range r {
				for _, b := range h {
					ratios = append(ratios, a*(1.0/b))
				}
			}
			sort.Float64s(ratios)
			row.Ratios = ratios
			row.Mean = npMean(ratios)
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].Mean < rows[b].Mean })
	for _, r := range rows {
		if r.Ratios != nil {
			all = append(all, r.Ratios...)
		}
	}
	return rows, all
}

func npMean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return pystats.Fsum(xs) / float64(len(xs))
}

// removeOutliers keeps x with |x - mean| < 2 * population std (numpy).
func removeOutliers(xs []float64) []float64 {
	m := npMean(xs)
	ss := 0.0
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	sd := math.Sqrt(ss / float64(len(xs)))
	out := make([]float64, 0, len(xs))
	for _, x := range xs {
		if math.Abs(x-m) < 2*sd {
			out = append(out, x)
		}
	}
	return out
}

// subsample100 is values[np.round(np.linspace(0, n-1, 100))].
func subsample100(xs []float64) []float64 {
	out := make([]float64, 100)
	n := len(xs)
	for k := 0; k < 100; k++ {
		pos := float64(k) * float64(n-1) / 99
		out[k] = xs[int(math.RoundToEven(pos))]
	}
	return out
}

// violin is one row's shape.
type violin struct {
	pos        float64 // y position (1-based row)
	xs, dens   []float64
	mean       float64
	q10, q90   float64
	min, max   float64
	label      string // mean with 4 decimals, or ""
	insignific bool
}

// kdePoints is the number of evaluation points, as matplotlib's violinplot.
const kdePoints = 100

// kde evaluates a Gaussian KDE with Scott's bandwidth (scipy's gaussian_kde,
// as matplotlib's violinplot uses) at 100 points from min to max. The
// density is left unnormalised (the plot scales each violin to its maximum).
//
// A pooled "ALL" row holds hundreds of thousands of ratios, so the kernel is
// not evaluated with one exp per (point, datum). On the uniform grid the
// kernel of one datum is a Gaussian sequence t(i) = exp(-(z0+i*step)^2/2),
// which a two-term recurrence walks with two multiplications per point:
// t(i+1) = t(i)*r(i), r(i+1) = r(i)*exp(-step^2). It starts at the grid
// point nearest the datum and walks outwards, where every factor is at most
// 1, so nothing overflows and the tails fade to zero. The result agrees with
// direct evaluation to about 1e-13 relative (kdeDirect in the tests).
func kde(data []float64) (xs, dens []float64) {
	n := float64(len(data))
	m := npMean(data)
	ss := 0.0
	for _, x := range data {
		ss += (x - m) * (x - m)
	}
	sd := 0.0
	if n > 1 {
		sd = math.Sqrt(ss / (n - 1))
	}
	bw := sd * math.Pow(n, -1.0/5)
	lo, hi := data[0], data[0]
	for _, x := range data {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	xs = make([]float64, kdePoints)
	dens = make([]float64, kdePoints)
	for i := range xs {
		xs[i] = lo + (hi-lo)*float64(i)/(kdePoints-1)
	}
	if bw == 0 {
		for i := range dens {
			dens[i] = 1
		}
		return xs, dens
	}
	step := (hi - lo) / (kdePoints - 1) / bw // grid step in bandwidths
	q := math.Exp(-step * step)
	half := math.Exp(-step * step / 2)
	for _, d := range data {
		// Nearest grid point at or below the datum, and its z.
		k := 0
		if hi > lo {
			k = min(int((d-lo)/(hi-lo)*(kdePoints-1)), kdePoints-1)
		}
		z := (xs[k] - d) / bw // <= 0, within one step of 0
		t := math.Exp(-0.5 * z * z)
		dens[k] += t
		// Right: z grows by step each point; r = exp(-step*z - step^2/2).
		if k+1 < kdePoints {
			zr := (xs[k+1] - d) / bw
			tr := math.Exp(-0.5 * zr * zr)
			r := math.Exp(-step*zr) * half // t(k+2)/t(k+1)
			for i := k + 1; i < kdePoints && tr > 0; i++ {
				dens[i] += tr
				tr *= r
				r *= q
			}
		}
		// Left: z falls by step each point; r = exp(step*z - step^2/2).
		tl := t
		r := math.Exp(step*z) * half // t(k-1)/t(k)
		for i := k - 1; i >= 0 && tl > 0; i-- {
			tl *= r
			r *= q
			dens[i] += tl
		}
	}
	return xs, dens
}

func quantile(sorted []float64, p float64) float64 {
	pos := p * float64(len(sorted)-1)
	i := int(pos)
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := pos - float64(i)
	return sorted[i] + (sorted[i+1]-sorted[i])*f
}

func makeViolin(pos float64, data []float64, label bool) violin {
	s := append([]float64(nil), data...)
	sort.Float64s(s)
	v := violin{pos: pos, mean: npMean(s), q10: quantile(s, 0.1), q90: quantile(s, 0.9), min: s[0], max: s[len(s)-1]}
	v.xs, v.dens = kde(s)
	if label {
		v.label = fmt.Sprintf("%.4f", v.mean)
	}
	return v
}

var violinColor = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff} // matplotlib C0

type violins struct{ vs []violin }

func (v violins) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for _, x := range v.vs {
		xmin, xmax = math.Min(xmin, x.min), math.Max(xmax, x.max)
	}
	xmin, xmax = math.Min(xmin, 1), math.Max(xmax, 1)
	pad := (xmax - xmin) * 0.05
	return xmin - pad, xmax + pad, 0, float64(len(v.vs) + 1)
}

func (v violins) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	fill := color.NRGBA{R: violinColor.R, G: violinColor.G, B: violinColor.B, A: 0x4d} // alpha 0.3
	line := draw.LineStyle{Color: violinColor, Width: vg.Points(1)}
	dotted := line
	dotted.Dashes = []vg.Length{vg.Points(1), vg.Points(2)}
	font := p.Title.TextStyle
	font.Font.Size = vg.Points(8)
	font.Color = color.Black
	font.XAlign = draw.XLeft
	font.YAlign = draw.YBottom
	rowH := trY(1) - trY(0)
	for _, vl := range v.vs {
		maxD := 0.0
		for _, d := range vl.dens {
			maxD = math.Max(maxD, d)
		}
		half := func(d float64) vg.Length { return vg.Length(d/maxD*0.5) * rowH }
		y := trY(vl.pos)
		var pts []vg.Point
		for i, x := range vl.xs {
			pts = append(pts, vg.Point{X: trX(x), Y: y + half(vl.dens[i])})
		}
		for i := len(vl.xs) - 1; i >= 0; i-- {
			pts = append(pts, vg.Point{X: trX(vl.xs[i]), Y: y - half(vl.dens[i])})
		}
		c.FillPolygon(fill, pts)
		hw := rowH * 0.25
		c.StrokeLine2(line, trX(vl.min), y, trX(vl.max), y)
		for _, x := range []float64{vl.min, vl.max, vl.mean} {
			c.StrokeLine2(line, trX(x), y-hw, trX(x), y+hw)
		}
		for _, x := range []float64{vl.q10, vl.q90} {
			c.StrokeLine2(dotted, trX(x), y-hw, trX(x), y+hw)
		}
		if vl.label != "" {
			c.FillText(font, vg.Point{X: trX(vl.mean), Y: trY(vl.pos + 0.3)}, vl.label)
		}
		if vl.insignific {
			c.FillText(font, vg.Point{X: trX(1.01), Y: y - rowH*0.2}, "insignificant")
		}
	}
}

type nameTicks []string

func (n nameTicks) Ticks(min, max float64) []plot.Tick {
	ts := make([]plot.Tick, len(n))
	for i, s := range n {
		ts[i] = plot.Tick{Value: float64(i + 1), Label: s}
	}
	return ts
}

type ratioTicks struct{}

// Ticks puts labelled ticks at a 1-2-2.5-5 step giving 5 to 12 labels, as
// matplotlib's MaxNLocator does for this axis.
func (ratioTicks) Ticks(min, max float64) []plot.Tick {
	span := max - min
	step := 0.0
	for e := math.Floor(math.Log10(span)) - 1; step == 0; e++ {
		for _, m := range []float64{1, 2, 2.5, 5} {
			st := m * math.Pow(10, e)
			if span/st <= 11 {
				step = st
				break
			}
		}
	}
	var ts []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max+step*1e-9; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: fmt.Sprintf("%.2f×", v)})
	}
	return ts
}

// PlotSummary is the numbers behind a plot, for tests and reports.
type PlotSummary struct {
	Names   []string // bottom to top, "ALL" last
	AllMean float64  // mean of the pooled ratios
}

// WritePlot draws bench_runner's comparison chart of ref vs head to w in
// format ("png" or "svg"): one violin per benchmark of the pairwise ratios
// ref/head (> 1: faster) for significant benchmarks, "insignificant" markers
// for the others, a top "ALL" row pooling every significant ratio, a line at
// 1.0 and each violin's mean printed with 4 decimals.
func WritePlot(w io.Writer, format string, ref, head *pystats.PyperfSuite, title string) (PlotSummary, error) {
	rows, all := PlotData(ref, head)
	var vs violins
	var names []string
	for i, r := range rows {
		names = append(names, r.Name)
		if r.Ratios == nil {
			vs.vs = append(vs.vs, violin{pos: float64(i + 1), xs: []float64{1, 1}, dens: []float64{1, 1}, mean: 1, q10: 1, q90: 1, min: 1, max: 1, insignific: true})
			continue
		}
		vs.vs = append(vs.vs, makeViolin(float64(i+1), subsample100(r.Ratios), true))
	}
	names = append(names, "ALL")
	sum := PlotSummary{Names: names}
	if len(all) > 0 {
		v := makeViolin(float64(len(rows)+1), all, true)
		vs.vs = append(vs.vs, v)
		sum.AllMean = v.mean
	}
	p := plot.New()
	p.Title.Text = title
	p.Add(plotter.NewGrid())
	p.Add(vs)
	xmin, xmax, _, _ := vs.DataRange()
	p.X.Min, p.X.Max = xmin, xmax
	p.Y.Min, p.Y.Max = 0, float64(len(names)+1)
	p.Y.Tick.Marker = nameTicks(names)
	p.X.Tick.Marker = ratioTicks{}
	one, err := plotter.NewLine(plotter.XYs{{X: 1, Y: 0}, {X: 1, Y: float64(len(names) + 1)}})
	if err != nil {
		return sum, err
	}
	one.LineStyle.Color = violinColor
	p.Add(one)
	height := vg.Length(2+0.3*float64(len(rows))) * vg.Inch
	if format == "png" {
		// matplotlib's default 100 dpi (gonum's default is 96).
		c := vgimg.NewWith(vgimg.UseWH(8*vg.Inch, height), vgimg.UseDPI(100))
		p.Draw(draw.New(c))
		_, err = vgimg.PngCanvas{Canvas: c}.WriteTo(w)
		return sum, err
	}
	wt, err := p.WriterTo(8*vg.Inch, height, format)
	if err != nil {
		return sum, err
	}
	_, err = wt.WriteTo(w)
	return sum, err
}

// PlotTitle is bench_runner's plot title: "{fork}-{ref}-{hash7} vs. {ref version}".
func PlotTitle(ref, head *pystats.PyperfSuite) string {
	hn, err1 := ParseResultName(head.Path)
	rn, err2 := ParseResultName(ref.Path)
	if err1 != nil || err2 != nil {
		return strings.TrimSuffix(pyBasename(head.Path), ".json") + " vs. " + strings.TrimSuffix(pyBasename(ref.Path), ".json")
	}
	return hn.ForkDisplay() + "-" + hn.Ref + "-" + hn.Hash + " vs. " + rn.Version
}
