package e4

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/pystats-dev/pystats/report/table"
)

// WriteMarkdown writes a report as the E4 summarizer prints it: sections
// with <details> blocks, HTML tables, and the footer with date. It buffers
// its writes and returns the first write error.
func WriteMarkdown(w io.Writer, r *table.Report, date string) error {
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

func writeE4Markdown(w *bufio.Writer, r *table.Report, date string) {
	for _, s := range r.Sections {
		writeE4Section(w, s, 2, r.Comparison)
	}
	writeE4Footer(w, date)
}

// writeE4Footer writes the line that ends every E4 report.
func writeE4Footer(w *bufio.Writer, date string) {
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
			case *table.StreamTable:
				writeE4Stream(w, p)
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
	aligns := writeE4Head(w, t.Columns)
	for _, row := range t.Rows {
		writeE4Row(w, aligns, row)
	}
	writeE4Tail(w)
}

// writeE4Stream writes a StreamTable as writeE4Table writes the Table of
// the same rows.
func writeE4Stream(w *bufio.Writer, t *table.StreamTable) {
	if t.Len == 0 {
		return
	}
	aligns := writeE4Head(w, t.Columns)
	for row := range t.Rows {
		writeE4Row(w, aligns, row)
	}
	writeE4Tail(w)
}

// writeE4Head opens a table with its header row and returns each column's
// alignment attribute.
func writeE4Head(w *bufio.Writer, columns []string) []string {
	aligns := make([]string, len(columns))
	w.WriteString("<table>\n<thead>\n<tr>\n")
	for i, c := range columns {
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
	return aligns
}

func writeE4Row(w *bufio.Writer, aligns []string, row []table.Cell) {
	w.WriteString("<tr>\n")
	for i, c := range row {
		w.WriteString(`<td align=`)
		w.WriteString(aligns[i])
		w.Write(c.AppendMarkdown(w.AvailableBuffer()))
		w.WriteString("</td>\n")
	}
	w.WriteString("</tr>\n")
}

func writeE4Tail(w *bufio.Writer) { w.WriteString("</tbody>\n</table>\n\n") }

// WriteSections writes sections as the E4 summarizer prints them (level-2
// headings, <details> blocks, HTML tables) without a footer, for other views
// laid out in the report's style; the caller flushes w.
func WriteSections(w *bufio.Writer, sections []*table.Section) {
	for _, s := range sections {
		writeE4Section(w, s, 2, false)
	}
}
