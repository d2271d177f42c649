package main

import (
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report"
)

func runSummarize(args []string, e *env) error {
	fs := newFlags(e, "summarize", "[INPUT] [--json-output FILE] [-o FILE] [--style auto|e1|e2|e4|e4a|e4b-2024|e4b|e4c] [--date YYYY-MM-DD] [--benchmark NAME]\n\n"+outputRule)
	var in inputFlags
	in.register(fs)
	jsonOut := fs.String("json-output", "", "also write the merged raw counters as summarize JSON to `file` (the markdown is still written)")
	indent := fs.Bool("indent", false, "write --json-output in bench_runner's indented layout")
	out := fs.StringP("output", "o", "-", "write the markdown report to `file` ('-': standard output)")
	style := fs.String("style", "auto", "markdown era: auto, e1 (3.11), e2 (3.12), e4 (3.13+, sub-style from the data), or an E4 sub-style: e4a (early 2024), e4b-2024 (mid 2024), e4b (3.13 release), e4c (2025 main)")
	date := fs.String("date", "", "footer date `YYYY-MM-DD` (default: $SOURCE_DATE_EPOCH, else today)")
	benchmark := fs.String("benchmark", "", "`name` for the '- benchmark:' line of bench_runner's header (E4; default: from an input named *-pystats-NAME.json, else \"all\"; an empty value omits the line)")
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
	st, err := report.ParseStyle(*style)
	if err != nil {
		return usagef("--style: %v", err)
	}
	day, err := reportDate(e, *date)
	if err != nil {
		return err
	}
	outs := []output{{flag: "-o", path: *out}, {flag: "--json-output", path: *jsonOut}}
	guard := in.readPathsWhile(outs, path)
	data, err := in.load(e, path)
	inputs := guard()
	// A usage error about the outputs comes before one about the input.
	if cerr := checkOutputs(inputs, outs...); cerr != nil {
		if err == nil {
			data.Stats.Release()
		}
		return cerr
	}
	if err != nil {
		return err
	}
	defer data.Stats.Release()
	if err := styleFits(*style, st, data); err != nil {
		return err
	}
	layout := pystats.JSONCompact
	if *indent {
		layout = pystats.JSONIndented
	}
	return writeOutputs(e, inputs,
		output{path: *jsonOut, fill: func(w io.Writer) error {
			return pystats.WriteJSON(w, data.Stats, layout)
		}},
		output{path: *out, fill: func(w io.Writer) error {
			opt := report.MarkdownOptions{Style: st, Date: day, Tables: data.Tables, View: data.View()}
			opt.Benchmark, opt.BenchmarkLinks = benchRunnerHeader(path, *benchmark, fs.Changed("benchmark"))
			return report.WriteSummary(w, data.Stats, opt)
		}})
}

// benchRunnerHeader picks the "- benchmark:" value and the per-benchmark
// links of bench_runner's header for an input: a per-benchmark summarize
// JSON (<stem>-pystats-<name>.json) names its benchmark; a whole-suite one
// (<stem>-pystats.json) is "all" and lists the per-benchmark JSON files next
// to it, as bench_runner does. flagValue wins when set.
func benchRunnerHeader(path, flagValue string, flagSet bool) (string, []report.BenchmarkLink) {
	base := filepath.Base(path)
	name := "all"
	if i := strings.LastIndex(base, "-pystats-"); i >= 0 && strings.HasSuffix(base, ".json") {
		name = strings.TrimSuffix(base[i+len("-pystats-"):], ".json")
	}
	if flagSet {
		name = flagValue
	}
	var links []report.BenchmarkLink
	if stem, ok := strings.CutSuffix(base, "-pystats.json"); ok {
		matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), globEscape(stem)+"-pystats-*.json"))
		sort.Strings(matches)
		for _, m := range matches {
			bench := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), stem+"-pystats-"), ".json")
			if bench == "" || strings.Contains(bench, "-vs-") {
				continue
			}
			links = append(links, report.BenchmarkLink{Name: bench, File: report.BenchmarkLinkFile(stem, bench)})
		}
	}
	return name, links
}

// globEscape quotes the glob metacharacters of a literal file name part.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
