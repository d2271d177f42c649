package report

import (
	"fmt"
	"io"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/internal/e1"
	"github.com/pystats-dev/pystats/report/internal/e2"
	"github.com/pystats-dev/pystats/report/internal/e4"
	"github.com/pystats-dev/pystats/report/internal/style"
	"github.com/pystats-dev/pystats/report/table"
)

// Style selects the summarizer era whose markdown is reproduced (see the
// constants for each era and sub-style).
type Style = style.Style

// Report styles: the eras, then the E2 and E4 sub-styles (documented in
// report/internal/style).
const (
	StyleAuto      = style.StyleAuto
	StyleE1        = style.StyleE1
	StyleE2        = style.StyleE2
	StyleE4        = style.StyleE4
	StyleE2Nov2022 = style.StyleE2Nov2022
	StyleE2Dec2022 = style.StyleE2Dec2022
	StyleE2Apr2023 = style.StyleE2Apr2023
	StyleE4a       = style.StyleE4a
	StyleE4b2024   = style.StyleE4b2024
	StyleE4b       = style.StyleE4b
	StyleE4c       = style.StyleE4c
)

// Styles lists every style name a user may pass.
var Styles = style.Styles

// ParseStyle checks a style name.
func ParseStyle(s string) (Style, error) { return style.ParseStyle(s) }

// MarkdownOptions tune the summarizer-compatible markdown.
type MarkdownOptions = style.MarkdownOptions

// BenchmarkLink is one per-benchmark report listed in bench_runner's header.
type BenchmarkLink = style.BenchmarkLink

// BenchmarkLinkFile is the link target bench_runner writes for a
// per-benchmark report next to a whole-suite report (see
// style.BenchmarkLinkFile).
func BenchmarkLinkFile(stem, benchmark string) string {
	return style.BenchmarkLinkFile(stem, benchmark)
}

// ResolveE4Style picks the E4 sub-style for data whose style is StyleE4 or
// StyleAuto; a sub-style is returned as given.
func ResolveE4Style(st *pystats.Stats, s Style) Style { return e4.ResolveStyle(st, s) }

// BuildE4Report builds the E4 summarizer's single-input report of st with
// typed cells.
func BuildE4Report(st *pystats.Stats, opt MarkdownOptions) (*table.Report, error) {
	return e4.Build(st, opt)
}

// CompareE4 builds the E4 summarizer's comparison report of base and head
// with typed cells (joined Base, Head and Change columns).
func CompareE4(base, head *pystats.Stats, opt MarkdownOptions) (*table.Report, error) {
	return e4.Compare(base, head, opt)
}

// ResolveStyle picks the era for data: E4 for named-opcode data, E1 for
// 3.11 data (numeric opcodes without "Calls via PyEval_EvalFrame"
// counters, see pystats.DetectEra), E2 for other numeric-opcode data, unless
// style forces one. E2 and E4 sub-styles are returned as given.
func ResolveStyle(st *pystats.Stats, style Style) Style {
	if style == StyleE1 || style.IsE2() || style.IsE4() {
		return style
	}
	era := pystats.DetectEra(st)
	switch {
	case era.NamedOpcodes:
		return StyleE4
	case era.Version == "3.11":
		return StyleE1
	}
	return StyleE2
}

// WriteSummary writes the single-input report of the summarizer of the data's
// era (or of opt.Style), preceded by bench_runner's "# Pystats results" header
// when the input carries bench_runner metadata.
func WriteSummary(w io.Writer, st *pystats.Stats, opt MarkdownOptions) error {
	s := ResolveStyle(st, opt.Style)
	switch {
	case s == StyleE1:
		return e1.WriteSummary(w, st, opt)
	case s.IsE2():
		return e2.WriteSummary(w, st, opt)
	case s.IsE4():
		return e4.WriteSummary(w, st, opt)
	}
	return fmt.Errorf("unknown report style %q", opt.Style)
}

// WriteComparison writes the summarizer's two-input (base, head) report.
// The 3.11 (E1) summarizer has no comparison mode: E1 data, or StyleE1,
// gets the E2 (3.12) comparison's layout with the 3.11 summarizer's meaning
// of the counters (adaptive forms not specialized, Kind totals with the
// deferred count, 3.11 failure-kind names), so that each side's columns are
// that side's own 3.11 report.
func WriteComparison(w io.Writer, base, head *pystats.Stats, opt MarkdownOptions) error {
	s := ResolveStyle(head, opt.Style)
	if s == StyleE1 {
		s, opt.Style = style.StyleE2Of311, style.StyleE2Of311
	}
	switch {
	case s.IsE2():
		return e2.WriteComparison(w, base, head, opt)
	case s.IsE4():
		return e4.WriteComparison(w, base, head, opt)
	}
	return fmt.Errorf("unknown report style %q", opt.Style)
}
