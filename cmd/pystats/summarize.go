package main

import (
	"io"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report"
)

func runSummarize(args []string, e *env) error {
	fs := newFlags(e, "summarize", "[INPUT] [--json-output FILE] [-o FILE] [--style auto|e2|e4] [--date YYYY-MM-DD]")
	var in inputFlags
	in.register(fs)
	jsonOut := fs.String("json-output", "", "write the merged raw counters as summarize JSON to `file`")
	indent := fs.Bool("indent", false, "write --json-output in bench_runner's indented layout")
	out := fs.StringP("output", "o", "-", "write the markdown report to `file`")
	style := fs.String("style", "auto", "markdown era: auto, e2 (3.12) or e4 (3.13+)")
	date := fs.String("date", "", "footer date `YYYY-MM-DD` (default: $SOURCE_DATE_EPOCH, else today)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("summarize takes one input; use 'pystats compare BASE HEAD' for two")
	}
	path := pystats.DefaultInput
	if fs.NArg() == 1 {
		path = fs.Arg(0)
	}
	st := report.Style(*style)
	if st != report.StyleAuto && st != report.StyleE2 && st != report.StyleE4 {
		return usagef("--style %q: want auto, e2 or e4", *style)
	}
	day, err := reportDate(e, *date)
	if err != nil {
		return err
	}
	data, err := in.load(e, path)
	if err != nil {
		return err
	}
	defer data.stats.Release()
	inputs := []string{path}
	if *jsonOut != "" {
		layout := pystats.JSONCompact
		if *indent {
			layout = pystats.JSONIndented
		}
		if err := writeOutput(e, *jsonOut, inputs, func(w io.Writer) error {
			return pystats.WriteJSON(w, data.stats, layout)
		}); err != nil {
			return err
		}
		if *out == "-" && !fs.Changed("output") {
			return nil // JSON only, unless a markdown output was asked for too
		}
	}
	return writeOutput(e, *out, inputs, func(w io.Writer) error {
		return report.WriteSummary(w, data.stats, report.MarkdownOptions{Style: st, Date: day, Tables: data.tables})
	})
}
