package table

import "github.com/pystats-dev/pystats/report/internal/style"

// Section is one section of a summarizer report: a heading with a
// <details> block holding an optional doc paragraph and its parts (tables
// and sub-sections). A Section without a title only groups its parts.
type Section struct {
	Title   string
	Summary string
	// Doc is the explanatory paragraph (lines joined by "\n"); "" for none.
	Doc string
	// NotComparative sections print "Not included in comparative output."
	// instead of their parts in a comparison.
	NotComparative bool
	// Parts are *Table and *Section values, in order.
	Parts []any
}

// Report is a whole E4 report, single or comparative. Its tables keep typed
// cells, so callers can compute with a comparison's joined rows.
type Report struct {
	Style      style.Style
	Comparison bool
	Sections   []*Section
}

// ReportTable is one table of a report with the titles of the sections that
// hold it, outermost first (e.g. "Specialization stats", "LOAD_ATTR").
type ReportTable struct {
	Path  []string
	Table *Table
}

// Tables lists every table of the report in document order, tables without
// rows included. In a comparison these are the joined tables, with Base,
// Head and Change cells.
func (r *Report) Tables() []ReportTable {
	var out []ReportTable
	var walk func(s *Section, path []string)
	walk = func(s *Section, path []string) {
		if s.Title != "" {
			path = append(path[:len(path):len(path)], s.Title)
		}
		for _, p := range s.Parts {
			switch p := p.(type) {
			case *Table:
				out = append(out, ReportTable{Path: path, Table: p})
			case *Section:
				walk(p, path)
			}
		}
	}
	for _, s := range r.Sections {
		walk(s, nil)
	}
	return out
}
