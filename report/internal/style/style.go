// Package style holds what the report dispatch and the summarizer eras share:
// the report styles (eras and their sub-styles), the markdown options, the
// choice of per-instruction view and bench_runner's report header.
package style

import (
	"bufio"
	"fmt"
	"strings"

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

// ViewOf is the given view (opt.View), else the view of st with tables t.
func ViewOf(st *pystats.Stats, t *specialize.Tables, given *specialize.View) *specialize.View {
	if given != nil {
		return given
	}
	return specialize.NewView(st, pystats.DetectEra(st), t)
}

// The E2 sub-styles: the E2 summarizer's script changed a little over its
// time; the versions behind the published files differ as follows.
const (
	// StyleE2Nov2022 is main's script of November 2022, before
	// python/cpython#99906 (2022-11-30), with the StyleE2Dec2022 behaviours
	// and more: an indentation error left the rows
	// of instructions with misses out of "Execution counts" (their counts
	// still add to "Cumulative"); Kind tables have an "unquickened" row and
	// their total includes the deferred count; failure kinds 0-7 are the
	// generic ones; no "__nfiles__" and no Meta stats. StyleE2 picks it for
	// data without "__nfiles__" (the key came with the next version).
	StyleE2Nov2022 Style = "e2-2022-11"
	// StyleE2Dec2022 is main's script from 2022-11-30 to 2023-01-12, before
	// python/cpython#100984: "Misses by instruction" also lists the
	// specializable families, double counting their misses. It also has
	// the StyleE2Apr2023 behaviour.
	StyleE2Dec2022 Style = "e2-2022-12"
	// StyleE2Apr2023 is main's script until about May 2023: the SEND
	// family's failure kinds are looked up under "SEND_" rather than
	// "ITER_", so they print as "kind N" (python/cpython#102181).
	StyleE2Apr2023 Style = "e2-2023-04"
)

// StyleE2 picks a sub-style from the data and tables where they tell:
// StyleE2Nov2022 for data without "__nfiles__" (the summarizer added that key
// from December 2022), and the old SEND naming of StyleE2Apr2023 for builds
// whose tables have no LOAD_SUPER_ATTR opcode (that instruction appeared on
// main on 2023-04-24, and its SUPER mapping sits beside SEND's ITER mapping in
// the script; every published report before it shows SEND kinds as "kind N",
// every one after it names them). Otherwise it is the 3.12 branch's script;
// the double-counted misses of StyleE2Dec2022 must be asked for.

// IsE2 reports whether s is E2 or one of its sub-styles.
func (s Style) IsE2() bool {
	switch s {
	case StyleE2, StyleE2Nov2022, StyleE2Dec2022, StyleE2Apr2023, StyleE2Of311:
		return true
	}
	return false
}

// StyleE2Of311 is the E2 comparison of 3.11 data (WriteComparison of E1
// data): the 3.12 script's layout with the 3.11 script's meaning.
const StyleE2Of311 Style = "e2-of-3.11"

// BenchmarkLink is one per-benchmark report listed in bench_runner's header.
type BenchmarkLink struct {
	Name string // benchmark name, the link text
	File string // link target, already URL-escaped
}

// BenchmarkLinkFile is the link target bench_runner writes for a
// per-benchmark report next to a whole-suite report: the suite report's file
// stem (its name without "-pystats.md" or "-pystats.json") followed by
// "-pystats-<benchmark>.md", URL-escaped ("+" becomes "%2B").
func BenchmarkLinkFile(stem, benchmark string) string {
	return urlQuote(stem + "-pystats-" + benchmark + ".md")
}

// urlQuote is Python's urllib.parse.quote with its default safe "/".
func urlQuote(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// WriteBenchRunnerHeader writes bench_runner's "# Pystats results" block from
// the input's bench_runner metadata.
func WriteBenchRunnerHeader(w *bufio.Writer, m *pystats.Metadata, opt MarkdownOptions) {
	get := func(k string) string { v, _ := m.BenchRunnerValue(k); return v }
	hash := get("commit_id")
	if len(hash) > 7 {
		hash = hash[:7]
	}
	w.WriteString("\n# Pystats results\n\n")
	if opt.Benchmark != "" {
		w.WriteString("- benchmark: " + opt.Benchmark + "\n")
	}
	w.WriteString("- fork: " + get("commit_fork") + "\n")
	w.WriteString("- ref: " + get("commit_branch") + "\n")
	w.WriteString("- commit hash: " + hash + "\n")
	w.WriteString("- commit date: " + get("commit_date") + "\n\n")
	if len(opt.BenchmarkLinks) > 0 {
		w.WriteString("- ")
		for _, l := range opt.BenchmarkLinks {
			w.WriteString("[" + l.Name + "](" + l.File + "), ")
		}
		w.WriteString("\n")
	}
}
