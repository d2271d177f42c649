package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/table"
)

// WriteE4Markdown writes a report as the E4 summarizer prints it: sections
// with <details> blocks, HTML tables, and the footer with date. It buffers
// its writes and returns the first write error.
func WriteE4Markdown(w io.Writer, r *Report, date string) error {
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, 64<<10)
	}
	writeE4Markdown(bw, r, date)
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing markdown: %w", err)
	}
	return nil
}

func writeE4Markdown(w *bufio.Writer, r *Report, date string) {
	for _, s := range r.Sections {
		writeE4Section(w, s, 2, r.Comparison)
	}
	w.WriteString("---\nStats gathered on: ")
	w.WriteString(date)
	w.WriteString("\n")
}

func writeE4Section(w *bufio.Writer, s *table.Section, level int, comparison bool) {
	if s.Title != "" {
		for i := 0; i < level; i++ {
			w.WriteByte('#')
		}
		w.WriteString(" ")
		w.WriteString(s.Title)
		w.WriteString("\n\n<details>\n<summary> ")
		w.WriteString(s.Summary)
		w.WriteString(" </summary>\n\n")
	}
	if s.Doc != "" {
		w.WriteString("\n")
		w.WriteString(s.Doc)
		w.WriteString("\n\n")
	}
	if comparison && s.NotComparative {
		w.WriteString("Not included in comparative output.\n\n")
	} else {
		for _, p := range s.Parts {
			switch p := p.(type) {
			case *table.Section:
				writeE4Section(w, p, level+1, comparison)
			case *table.Table:
				writeE4Table(w, p)
			}
		}
	}
	w.WriteString("\n")
	if s.Title != "" {
		w.WriteString("</details>\n\n")
	}
}

func writeE4Table(w *bufio.Writer, t *table.Table) {
	if len(t.Rows) == 0 {
		return
	}
	aligns := make([]string, len(t.Columns))
	w.WriteString("<table>\n<thead>\n<tr>\n")
	for i, c := range t.Columns {
		aligns[i] = `"left">`
		if strings.HasSuffix(c, ":") {
			aligns[i] = `"right">`
			c = c[:len(c)-1]
		}
		w.WriteString(`<th align=`)
		w.WriteString(aligns[i])
		w.WriteString(c)
		w.WriteString("</th>\n")
	}
	w.WriteString("</tr>\n</thead>\n<tbody>\n")
	for _, row := range t.Rows {
		w.WriteString("<tr>\n")
		for i, c := range row {
			w.WriteString(`<td align=`)
			w.WriteString(aligns[i])
			w.WriteString(c.Markdown())
			w.WriteString("</td>\n")
		}
		w.WriteString("</tr>\n")
	}
	w.WriteString("</tbody>\n</table>\n\n")
}

// BenchmarkLink is one per-benchmark report listed in bench_runner's header.
type BenchmarkLink struct {
	Name string // benchmark name, the link text
	File string // link target, already URL-escaped
}

// BenchmarkLinkFile is the link target bench_runner writes for a
// per-benchmark report next to a whole-suite report: the suite report's file
// stem (its name without "-pystats.md" or "-pystats.json") followed by
// "-pystats-<benchmark>.md", URL-escaped ("+" becomes "%2B").
func BenchmarkLinkFile(stem, benchmark string) string {
	return urlQuote(stem + "-pystats-" + benchmark + ".md")
}

// urlQuote is Python's urllib.parse.quote with its default safe "/".
func urlQuote(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// writeBenchRunnerHeader writes bench_runner's "# Pystats results" block from
// the input's bench_runner metadata.
func writeBenchRunnerHeader(w *bufio.Writer, m *pystats.Metadata, opt MarkdownOptions) {
	get := func(k string) string { v, _ := m.BenchRunnerValue(k); return v }
	hash := get("commit_id")
	if len(hash) > 7 {
		hash = hash[:7]
	}
	w.WriteString("\n# Pystats results\n\n")
	if opt.Benchmark != "" {
		w.WriteString("- benchmark: " + opt.Benchmark + "\n")
	}
	w.WriteString("- fork: " + get("commit_fork") + "\n")
	w.WriteString("- ref: " + get("commit_branch") + "\n")
	w.WriteString("- commit hash: " + hash + "\n")
	w.WriteString("- commit date: " + get("commit_date") + "\n\n")
	if len(opt.BenchmarkLinks) > 0 {
		w.WriteString("- ")
		for _, l := range opt.BenchmarkLinks {
			w.WriteString("[" + l.Name + "](" + l.File + "), ")
		}
		w.WriteString("\n")
	}
}

// WriteE4Sections writes sections as the E4 summarizer prints them (level-2
// headings, <details> blocks, HTML tables) without a footer, for other views
// laid out in the report's style; the caller flushes w.
func WriteE4Sections(w *bufio.Writer, sections []*table.Section) {
	for _, s := range sections {
		writeE4Section(w, s, 2, false)
	}
}
