package specview

import (
	"fmt"
	"image/color"
	"io"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/pystats-dev/pystats/specialize"
)

// SpecBar is one family's bar of the specialization chart, in Tier-1
// instructions. The segments add up to the family's specialization total
// (hits + misses + generic executions); Deferred is the part of the generic
// executions that the deferred counter accounts for, at most all of them
// (deferred runs also follow deopts, so the counter can exceed the generic
// executions), and Generic the rest.
type SpecBar struct {
	Family                          string
	Hits, Misses, Deferred, Generic uint64
	// Lost is the family's lost work (generic executions plus misses).
	Lost uint64
}

// SpecBars are the chart's bars, ranked by lost work (first = most lost).
func SpecBars(fs []specialize.FamilyLoss) []SpecBar {
	out := make([]SpecBar, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		d := min(f.Deferred, f.Generic)
		out = append(out, SpecBar{Family: f.Family, Hits: f.Hits, Misses: f.Misses, Deferred: d, Generic: f.Generic - d, Lost: f.Lost()})
	}
	return out
}

// specSegments are the stacked segments, left to right, with their colours
// (matplotlib's tab10: green, red, orange, blue-grey).
var specSegments = []struct {
	label string
	color color.RGBA
	value func(SpecBar) uint64
}{
	{"specialized hits", color.RGBA{0x2c, 0xa0, 0x2c, 0xff}, func(b SpecBar) uint64 { return b.Hits }},
	{"misses (deopts)", color.RGBA{0xd6, 0x27, 0x28, 0xff}, func(b SpecBar) uint64 { return b.Misses }},
	{"generic, deferred", color.RGBA{0xff, 0x7f, 0x0e, 0xff}, func(b SpecBar) uint64 { return b.Deferred }},
	{"generic, other", color.RGBA{0x7f, 0x7f, 0x7f, 0xff}, func(b SpecBar) uint64 { return b.Generic }},
}

// WriteSpecPlot draws the view's ranked families (at most maxBars; <= 0 means
// all) as horizontal stacked bars, most lost work at the top, in percent of
// all Tier-1 instructions, to w in format "png" or "svg". Each bar is
// labelled with its lost-work share.
func WriteSpecPlot(w io.Writer, format string, v *SpecView, title string, maxBars int) error {
	if format != "png" && format != "svg" {
		return fmt.Errorf("plot format %q: want png or svg", format)
	}
	fams := v.Ranked()
	if maxBars > 0 && len(fams) > maxBars {
		fams = fams[:maxBars]
	}
	bars := SpecBars(fams)
	if len(bars) == 0 {
		return fmt.Errorf("nothing to plot: no specialization family has counts")
	}
	tier1 := float64(v.Overall.Tier1)
	if tier1 == 0 {
		tier1 = 1
	}
	n := len(bars)
	// Bottom to top: the most lost work is drawn last, at the top.
	names := make([]string, n)
	for i, b := range bars {
		names[n-1-i] = b.Family
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "% of all Tier 1 instructions"
	p.Add(plotter.NewGrid())
	var prev *plotter.BarChart
	width := vg.Points(12)
	for _, s := range specSegments {
		vals := make(plotter.Values, n)
		for i, b := range bars {
			vals[n-1-i] = 100 * float64(s.value(b)) / tier1
		}
		bc, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		bc.Horizontal = true
		bc.Color = s.color
		bc.LineStyle.Width = 0
		if prev != nil {
			bc.StackOn(prev)
		}
		p.Add(bc)
		p.Legend.Add(s.label, bc)
		prev = bc
	}
	// Lost-work labels at the end of each bar.
	var xys plotter.XYs
	var labels []string
	xmax := 0.0
	for i, b := range bars {
		end := 100 * float64(b.Hits+b.Misses+b.Deferred+b.Generic) / tier1
		xmax = max(xmax, end)
		xys = append(xys, plotter.XY{X: end, Y: float64(n - 1 - i)})
		pct := 100 * float64(b.Lost) / tier1
		text := "  lost " + strconv.FormatFloat(pct, 'g', 2, 64) + "%"
		if pct > 0 && pct < 0.001 {
			text = "  lost <0.001%"
		}
		labels = append(labels, text)
	}
	lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	for i := range lab.TextStyle {
		lab.TextStyle[i].Font.Size = vg.Points(8)
		lab.TextStyle[i].YAlign = draw.YCenter
	}
	p.Add(lab)
	p.NominalY(names...)
	p.X.Min = 0
	p.X.Max = xmax * 1.3
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	height := vg.Length(1.5+0.3*float64(n)) * vg.Inch
	if format == "png" {
		c := vgimg.NewWith(vgimg.UseWH(9*vg.Inch, height), vgimg.UseDPI(100))
		p.Draw(draw.New(c))
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(w); err != nil {
			return fmt.Errorf("writing plot: %w", err)
		}
		return nil
	}
	wt, err := p.WriterTo(9*vg.Inch, height, format)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if _, err := wt.WriteTo(w); err != nil {
		return fmt.Errorf("writing plot: %w", err)
	}
	return nil
}
