package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pystats-dev/pystats/internal/atomicfile"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/timing"
)

// runTiming is "pystats timing BASE.json HEAD.json [HEAD2.json ...]":
// pyperf compare_to -G --table --table-format md, byte for byte.
func runTiming(args []string, e *env) error {
	fs := newFlags(e, "timing", "[options] BASE.json HEAD.json [HEAD2.json ...]\n\n"+outputRule)
	header := fs.Bool("header", false, "add bench_runner's '# Results vs. X' header (needs bench_runner file names; two files)")
	base := fs.String("base", "", "base label in the header (default: the base file name's version)")
	runnersFile := fs.String("runners", "", "bench_runner runners.ini mapping runner nicknames to OS (default: the 2023 runners)")
	format := fs.String("table-format", "md", "table format: md or rest")
	noSort := fs.Bool("no-sort", false, "don't sort rows by speed (pyperf without -G; implied with several heads, where pyperf refuses -G)")
	minSpeed := fs.Float64("min-speed", 0, "pyperf --min-speed: a change below this many percent is not significant")
	quiet := fs.BoolP("quiet", "q", false, "pyperf -q: no values before ratios, no 'Ignored benchmarks' lines")
	summary := fs.Bool("summary", false, "print bench_runner's summary line and missing/new benchmarks after the table")
	ci := fs.Bool("ci", false, "print a 95% bootstrap confidence interval of the geometric mean (implies --summary)")
	resamples := fs.Int("resamples", 2000, fmt.Sprintf("bootstrap resamples for --ci (1 to %d; each benchmark side is resampled from at most %d of its values, evenly spaced)", timing.MaxResamples, timing.MaxCIValues))
	seed := fs.Uint64("seed", 1, "bootstrap seed for --ci")
	test := fs.String("test", "", "extra significance test: mwu (Mann-Whitney U, implies --summary)")
	memory := fs.Bool("memory", false, "print the memory change from mem_max_rss/command_max_rss (implies --summary)")
	jsonOut := fs.String("json-output", "", "also write the comparison as JSON to this `file` (the table is still written)")
	plotOut := fs.String("plot", "", "also write bench_runner's comparison plot to FILE.png or FILE.svg (two files)")
	outFile := fs.StringP("output", "o", "-", "write the table to this `file` ('-': standard output)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) < 2 {
		return usagef("need at least two pyperf JSON files (BASE HEAD ...)")
	}
	if *resamples < 1 || *resamples > timing.MaxResamples {
		return usagef("--resamples %d: want 1 to %d", *resamples, timing.MaxResamples)
	}
	if math.IsNaN(*minSpeed) || math.IsInf(*minSpeed, 0) || *minSpeed < 0 || *minSpeed > 100 {
		return usagef("--min-speed %v: want a percentage from 0 to 100", *minSpeed)
	}
	if *test != "" && *test != "mwu" {
		return usagef("--test %q: only mwu is supported", *test)
	}
	if *format != "md" && *format != "rest" {
		return usagef("--table-format %q: want md or rest", *format)
	}
	if (*header || *plotOut != "") && len(files) != 2 {
		return usagef("--header and --plot compare exactly two files")
	}
	plotFormat := ""
	if *plotOut != "" {
		plotFormat = strings.TrimPrefix(strings.ToLower(filepath.Ext(*plotOut)), ".")
		if plotFormat != "png" && plotFormat != "svg" {
			return usagef("--plot %s: want a .png or .svg file", quote(*plotOut))
		}
	}
	reads := atomicfile.NewGuard(append([]string{*runnersFile}, files...))
	if err := checkOutputs(reads, output{flag: "-o", path: *outFile}, output{flag: "--json-output", path: *jsonOut}, output{flag: "--plot", path: *plotOut}); err != nil {
		return err
	}
	runners := timing.DefaultRunners()
	if *runnersFile != "" {
		r, err := timing.ReadRunnersINI(*runnersFile)
		if err != nil {
			return err
		}
		runners = r
	}

	suites, err := readPyperfFiles(files)
	if err != nil {
		return err
	}
	defer func() {
		for _, s := range suites {
			s.Release()
		}
	}()
	opt := timing.Options{GroupBySpeed: !*noSort, MinSpeed: *minSpeed, Quiet: *quiet, Format: *format}
	cmp, err := timing.Compare(suites[0], suites[1:], opt)
	if err != nil {
		return err
	}
	ex := timing.ExtraOptions{CI: *ci, Resamples: *resamples, Seed: *seed, MWU: *test == "mwu", Memory: *memory}
	var table bytes.Buffer
	if err := cmp.WriteTable(&table); err != nil {
		return err
	}
	var page bytes.Buffer
	if *header {
		sum := timing.SummaryFromOutput(table.String(), suites[0], suites[1])
		h, err := timing.HeaderFor(suites[0], suites[1], *base, runners, sum)
		if err != nil {
			return err
		}
		h.Write(&page)
	}
	page.Write(table.Bytes())
	var s timing.Summary
	wantSummary := *summary || *ci || *memory || ex.MWU || *jsonOut != ""
	if wantSummary {
		s = cmp.Summarize(*header, ex)
	}
	if *summary || *ci || *memory || ex.MWU {
		if err := s.WriteText(&page, ex); err != nil {
			return err
		}
	}
	return writeOutputs(e, reads,
		output{path: *jsonOut, fill: s.WriteJSON},
		output{path: *plotOut, fill: func(w io.Writer) error {
			_, err := timing.WritePlot(w, plotFormat, suites[0], suites[1], timing.PlotTitle(suites[0], suites[1]))
			return err
		}},
		output{path: *outFile, fill: func(w io.Writer) error {
			_, err := w.Write(page.Bytes())
			return err
		}})
}

// readPyperfFiles reads pyperf files concurrently, keeping their order.
func readPyperfFiles(files []string) ([]*pystats.PyperfSuite, error) {
	suites := make([]*pystats.PyperfSuite, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			suites[i], errs[i] = pystats.ReadPyperfFile(f)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			for _, s := range suites {
				if s != nil {
					s.Release()
				}
			}
			return nil, inputError{err}
		}
	}
	return suites, nil
}

// inputError marks bad input (exit 2); it is what a plain error already
// means, kept for readability at call sites.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }
