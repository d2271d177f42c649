package report

import (
	"fmt"
	"io"

	"github.com/pystats-dev/pystats/pystats"
)

// writeComparisonE2 renders the E2 summarizer's comparison report.
func writeComparisonE2(w io.Writer, base, head *pystats.Stats, opt MarkdownOptions) error {
	return fmt.Errorf("E2 comparison markdown is not implemented yet")
}
