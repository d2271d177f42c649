package report

import (
	"fmt"
	"io"

	"github.com/pystats-dev/pystats/pystats"
)

// writeSummaryE4 renders the E4 summarizer's single-input report.
func writeSummaryE4(w io.Writer, st *pystats.Stats, opt MarkdownOptions) error {
	return fmt.Errorf("E4 markdown is not implemented yet")
}

// writeComparisonE4 renders the E4 summarizer's comparison report.
func writeComparisonE4(w io.Writer, base, head *pystats.Stats, opt MarkdownOptions) error {
	return fmt.Errorf("E4 comparison markdown is not implemented yet")
}
