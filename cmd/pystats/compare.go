package main

import (
	"io"

	"github.com/pystats-dev/pystats/report"
)

// runCompare writes the summarizer's comparison report of two inputs (base
// first, head second), each a dump directory, tarball or summarize JSON.
func runCompare(args []string, e *env) error {
	fs := newFlags(e, "compare", "BASE HEAD [-o FILE] [--style auto|e2|e4|e4a|e4b-2024|e4b|e4c] [--date YYYY-MM-DD]")
	var in inputFlags
	in.register(fs)
	out := fs.StringP("output", "o", "-", "write the markdown report to `file`")
	style := fs.String("style", "auto", "markdown era: auto, e2 (3.12), e4 (3.13+, sub-style from the data), or an E4 sub-style: e4a (early 2024), e4b-2024 (mid 2024), e4b (3.13 release), e4c (2025 main)")
	date := fs.String("date", "", "footer date `YYYY-MM-DD` (default: $SOURCE_DATE_EPOCH, else today)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("compare takes two inputs: BASE HEAD")
	}
	st, err := report.ParseStyle(*style)
	if err != nil {
		return usagef("--style: %v", err)
	}
	day, err := reportDate(e, *date)
	if err != nil {
		return err
	}
	base, err := in.load(e, fs.Arg(0))
	if err != nil {
		return err
	}
	defer base.stats.Release()
	head, err := in.load(e, fs.Arg(1))
	if err != nil {
		return err
	}
	defer head.stats.Release()
	return writeOutput(e, *out, []string{fs.Arg(0), fs.Arg(1)}, func(w io.Writer) error {
		return report.WriteComparison(w, base.stats, head.stats, report.MarkdownOptions{Style: st, Date: day, Tables: head.tables})
	})
}
