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

// WriteSummary writes the single-input report of the summarizer.
func WriteSummary(w io.Writer, st *pystats.Stats, opt MarkdownOptions) error {
	return fmt.Errorf("markdown rendering is not implemented yet")
}
