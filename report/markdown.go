package report

import (
	"fmt"
	"io"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// Style selects the summarizer era whose markdown is reproduced.
type Style string

// Report styles.
const (
	StyleAuto Style = "auto" // E2 for numeric-opcode data, E4 for named-opcode data
	StyleE2   Style = "e2"   // 3.12 and 2022-2023 main: markdown pipe tables
	StyleE4   Style = "e4"   // 3.13, 3.14, main: HTML tables with pop-ups
)

// MarkdownOptions tune the summarizer-compatible markdown.
type MarkdownOptions struct {
	Style Style
	// Date is the footer date, YYYY-MM-DD.
	Date string
	// Tables are the build tables for numeric-opcode data (names, SPEC_FAIL_*
	// kinds); may be nil for named-opcode data that carries its metadata.
	Tables *specialize.Tables
}

// ResolveStyle picks the era for data: E4 for named-opcode data, E2 for
// numeric-opcode data, unless opt.Style forces one.
func ResolveStyle(st *pystats.Stats, style Style) Style {
	if style == StyleE2 || style == StyleE4 {
		return style
	}
	if pystats.DetectEra(st).NamedOpcodes {
		return StyleE4
	}
	return StyleE2
}

// WriteSummary writes the single-input report of the summarizer of the data's
// era (or of opt.Style), preceded by bench_runner's "# Pystats results" header
// when the input carries bench_runner metadata.
func WriteSummary(w io.Writer, st *pystats.Stats, opt MarkdownOptions) error {
	switch ResolveStyle(st, opt.Style) {
	case StyleE2:
		return writeSummaryE2(w, st, opt)
	case StyleE4:
		return writeSummaryE4(w, st, opt)
	}
	return fmt.Errorf("unknown report style %q", opt.Style)
}

// WriteComparison writes the summarizer's two-input (base, head) report.
func WriteComparison(w io.Writer, base, head *pystats.Stats, opt MarkdownOptions) error {
	switch ResolveStyle(head, opt.Style) {
	case StyleE2:
		return writeComparisonE2(w, base, head, opt)
	case StyleE4:
		return writeComparisonE4(w, base, head, opt)
	}
	return fmt.Errorf("unknown report style %q", opt.Style)
}
