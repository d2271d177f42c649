// Package table is the summarizer's table model shared by the report
// renderers, the Notable-changes metrics and the specialization view: typed
// cells, tables with their join mode and metric tag, sections, the
// comparison join of a base and a head table, and the stable sort helpers
// that reproduce Python's sorted(..., reverse=True).
package table
