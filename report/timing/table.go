package timing

import (
	"bufio"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// WriteTable writes what "pyperf compare_to --table" prints (with -G when
// the options ask for it): one section per tag, then "All benchmarks:", each
// a table with a geometric-mean row, the hidden-benchmarks line, and finally
// the "Ignored benchmarks" lines.
func (c *Comparison) WriteTable(w io.Writer) error {
	bw := bufio.NewWriter(w)
	// master is pyperf's self.all_results, sorted in place by -G while the
	// first section is printed.
	master := append([]*BenchResult(nil), c.Results...)
	if len(c.Tags) > 0 {
		for _, tag := range c.Tags {
			writeTitle(bw, "Benchmarks with tag '"+tag+"':")
			var sel []*BenchResult
			for _, r := range master {
				if hasTag(r.Tags, tag) {
					sel = append(sel, r)
				}
			}
			c.writeSection(bw, master, sel, false)
			bw.WriteString("\n")
		}
		writeTitle(bw, "All benchmarks:")
	}
	c.writeSection(bw, master, master, true)
	if !c.opt.Quiet {
		for _, ig := range c.Ignored {
			bw.WriteString("Ignored benchmarks (" + strconv.Itoa(len(ig.Names)) + ") of " + ig.Path + ": " + strings.Join(ig.Names, ", ") + "\n")
		}
	}
	return bw.Flush()
}

func hasTag(tags []string, t string) bool {
	for _, x := range tags {
		if x == t {
			return true
		}
	}
	return false
}

// writeTitle is pyperf's display_title (level 1).
func writeTitle(w *bufio.Writer, title string) {
	w.WriteString(title + "\n")
	w.WriteString(strings.Repeat("=", utf8.RuneCountInString(title)) + "\n\n")
}

// writeSection is pyperf's compare_suites_table. master is sorted in place
// (stable) when grouping by speed; rows come from sel, which aliases master
// when isMaster is set.
func (c *Comparison) writeSection(w *bufio.Writer, master, sel []*BenchResult, isMaster bool) {
	if c.opt.GroupBySpeed {
		sort.SliceStable(master, func(i, j int) bool {
			return master[i].Heads[0].NormMean < master[j].Heads[0].NormMean
		})
	}
	headers := append([]string{"Benchmark"}, c.Columns...)
	nh := len(c.Heads)
	norms := make([][]float64, nh)
	var rows [][]string
	var hidden []string
	for _, r := range sel {
		row := []string{r.Name, FormatValue(r.Unit, r.RefMean)}
		any := false
		for h, hr := range r.Heads {
			var text string
			if hr.Significant {
				text = FormatRatio(hr.NormMean)
				if !c.opt.Quiet {
					text = FormatValue(c.Heads[h].Unit(r.headIdx[h]), hr.Mean) + ": " + text
				}
				any = true
			} else {
				text = "not significant"
			}
			norms[h] = append(norms[h], hr.NormMean)
			row = append(row, text)
		}
		if any {
			rows = append(rows, row)
		} else {
			hidden = append(hidden, r.Name)
		}
	}
	if len(norms[0]) > 1 && len(rows) > 0 {
		row := []string{"Geometric mean", "(ref)"}
		for _, n := range norms {
			row = append(row, FormatRatio(GeometricMean(n)))
		}
		rows = append(rows, row)
	}
	if len(rows) > 0 {
		if c.opt.Format == "rest" {
			renderReST(w, headers, rows)
		} else {
			renderMarkdown(w, headers, rows)
		}
	}
	if len(hidden) > 0 {
		if len(rows) > 0 {
			w.WriteString("\n")
		}
		w.WriteString("Benchmark hidden because not significant (" + strconv.Itoa(len(hidden)) + "): " + strings.Join(hidden, ", ") + "\n")
	}
}

func widths(headers []string, rows [][]string) []int {
	ws := make([]int, len(headers))
	for i, h := range headers {
		ws[i] = utf8.RuneCountInString(h)
	}
	for _, row := range rows {
		for i, cell := range row {
			if n := utf8.RuneCountInString(cell); n > ws[i] {
				ws[i] = n
			}
		}
	}
	return ws
}

func renderRow(w *bufio.Writer, ws []int, row []string) {
	for i, cell := range row {
		w.WriteString("| ")
		w.WriteString(cell)
		w.WriteString(strings.Repeat(" ", ws[i]-utf8.RuneCountInString(cell)))
		w.WriteString(" ")
	}
	w.WriteString("|\n")
}

// renderMarkdown is pyperf's MarkDownTable.
func renderMarkdown(w *bufio.Writer, headers []string, rows [][]string) {
	ws := widths(headers, rows)
	renderRow(w, ws, headers)
	for i, n := range ws {
		w.WriteString("|")
		if i == 0 {
			w.WriteString(strings.Repeat("-", n+2))
		} else {
			w.WriteString(":" + strings.Repeat("-", n) + ":")
		}
	}
	w.WriteString("|\n")
	for _, row := range rows {
		renderRow(w, ws, row)
	}
}

// renderReST is pyperf's ReSTTable.
func renderReST(w *bufio.Writer, headers []string, rows [][]string) {
	ws := widths(headers, rows)
	line := func(ch string) {
		for _, n := range ws {
			w.WriteString("+" + strings.Repeat(ch, n+2))
		}
		w.WriteString("+\n")
	}
	line("-")
	renderRow(w, ws, headers)
	line("=")
	for _, row := range rows {
		renderRow(w, ws, row)
		line("-")
	}
}
