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
	StyleAuto Style = "auto" // E1 for 3.11 data, E2 for other numeric-opcode data, E4 for named-opcode data
	StyleE1   Style = "e1"   // 3.11: markdown pipe tables, plain integers
	StyleE2   Style = "e2"   // 3.12 and 2022-2023 main: markdown pipe tables
	StyleE4   Style = "e4"   // 3.13, 3.14, main: HTML tables with pop-ups; sub-style from the data

	// E4 sub-styles (the script changed in small ways while keeping its
	// layout); StyleE4 picks one from the data, see ResolveE4Style.

	// StyleE4a is main of February-April 2024 (3.13.0a5, "Object new values"
	// data): pair-count summary "... Tier 1 instructions", "New values" doc
	// and materialization denominator, no uop pair section, the
	// "abandoced" typo.
	StyleE4a Style = "e4a"
	// StyleE4b2024 is main of April-July 2024 (3.13 betas, 3.14.0a0): the
	// 3.13 layout with the old "abandoced ... it it too short" pop-up.
	StyleE4b2024 Style = "e4b-2024"
	// StyleE4b is the 3.13.x release script (3.13.5): the 3.13 layout
	// with the "abandoned ... it it too short" pop-up.
	StyleE4b Style = "e4b"
	// StyleE4c is main of 2025 (3.14, 3.15-dev): mortal/immortal refcount
	// denominators, GC reachability columns, JIT memory sections,
	// "Unknown callee", histograms trimmed at both ends, GET_ITER failure
	// kinds named like FOR_ITER's, and main's "abandoned because it it too
	// short" pop-up (until the end of June 2025; later main says "it is").
	StyleE4c Style = "e4c"
)

// Styles lists every style name a user may pass.
var Styles = []Style{StyleAuto, StyleE1, StyleE2, StyleE2Nov2022, StyleE2Dec2022, StyleE2Apr2023, StyleE4, StyleE4a, StyleE4b2024, StyleE4b, StyleE4c}

// ParseStyle checks a style name.
func ParseStyle(s string) (Style, error) {
	for _, st := range Styles {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown markdown style %q (want auto, e1, e2, e2-2022-11, e2-2022-12, e2-2023-04, e4, e4a, e4b-2024, e4b or e4c)", s)
}

// IsE4 reports whether s is E4 or one of its sub-styles.
func (s Style) IsE4() bool {
	switch s {
	case StyleE4, StyleE4a, StyleE4b2024, StyleE4b, StyleE4c:
		return true
	}
	return false
}

// MarkdownOptions tune the summarizer-compatible markdown.
type MarkdownOptions struct {
	Style Style
	// Date is the footer date, YYYY-MM-DD.
	Date string
	// Tables are the build tables for numeric-opcode data (names, SPEC_FAIL_*
	// kinds); may be nil for named-opcode data that carries its metadata.
	Tables *specialize.Tables
	// View is the data set's per-instruction view (specialize.Dataset.View)
	// for WriteSummary (the head's for an E4 comparison), so the report
	// shares the one its caller computed; nil computes it from the stats and
	// Tables. BaseView is the base's for an E4 comparison.
	View, BaseView *specialize.View

	// Benchmark is the value of bench_runner's "- benchmark:" header line
	// ("all", or the benchmark of a per-benchmark report); empty omits the
	// line, as in bench_runner's output before September 2023 and in some
	// later runs. The header itself is written only for data that carries
	// bench_runner metadata.
	Benchmark string
	// BenchmarkLinks are the per-benchmark reports bench_runner lists after
	// the header of an "all" report; see BenchmarkLinkFile. Nil omits the
	// line.
	BenchmarkLinks []BenchmarkLink
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
		return writeSummaryE1(w, st, opt)
	case s.IsE2():
		return writeSummaryE2(w, st, opt)
	case s.IsE4():
		return writeSummaryE4(w, st, opt)
	}
	return fmt.Errorf("unknown report style %q", opt.Style)
}

// viewOf is opt.View, else the view of st with tables t.
func viewOf(st *pystats.Stats, t *specialize.Tables, given *specialize.View) *specialize.View {
	if given != nil {
		return given
	}
	return specialize.NewView(st, pystats.DetectEra(st), t)
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
		s, opt.Style = styleE2Of311, styleE2Of311
	}
	switch {
	case s.IsE2():
		return writeComparisonE2(w, base, head, opt)
	case s.IsE4():
		return writeComparisonE4(w, base, head, opt)
	}
	return fmt.Errorf("unknown report style %q", opt.Style)
}
