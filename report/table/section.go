package table

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
