package main

import (
	"strings"

	"github.com/pystats-dev/pystats/report/results"
	"github.com/pystats-dev/pystats/report/timing"
	"github.com/pystats-dev/pystats/specialize"
)

// runResults is "pystats results RESULTS_DIR": bench_runner's 2023
// generate_results for one results directory.
func runResults(args []string, e *env) error {
	fs := newFlags(e, "results", "[options] RESULTS_DIR\n\nFiles are written inside RESULTS_DIR (never over a file read); the list of files written goes to standard output (-q: none).")
	bases := fs.String("bases", "3.10.4,3.11.0", "base versions to compare every result with, in order")
	force := fs.Bool("force", false, "rewrite comparison tables, plots and pystats tables that exist")
	dryRun := fs.BoolP("dry-run", "n", false, "list what would be written, write nothing")
	runnersFile := fs.String("runners", "", "bench_runner runners.ini mapping runner nicknames to OS (default: the 2023 runners)")
	prefix := fs.String("path-prefix", "", "directory printed in tables' file paths instead of RESULTS_DIR (published tables print public/results)")
	tables := fs.String("tables", "", "build-tables `file` for numeric-opcode pystats JSON (see specialize/tables)")
	cpythonSrc := fs.String("cpython-src", "", "read the build tables of pystats JSON from this CPython `checkout`")
	date := fs.String("date", "", "footer date of pystats tables, YYYY-MM-DD (default: SOURCE_DATE_EPOCH, else today)")
	quiet := fs.BoolP("quiet", "q", false, "don't list the files written")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("need exactly one results directory")
	}
	opt := results.Options{Force: *force, DryRun: *dryRun, PathPrefix: *prefix, Runners: timing.DefaultRunners(), Protected: []string{*runnersFile, *tables}}
	for _, b := range strings.Split(*bases, ",") {
		if b = strings.TrimSpace(b); b != "" {
			opt.Bases = append(opt.Bases, b)
		}
	}
	if len(opt.Bases) == 0 {
		return usagef("--bases: need at least one base version")
	}
	if *runnersFile != "" {
		r, err := timing.ReadRunnersINI(*runnersFile)
		if err != nil {
			return err
		}
		opt.Runners = r
	}
	// The one table choice of every command; --force also accepts tables
	// whose version does not fit the data (with a warning).
	opt.Tables = &specialize.Choice{TablesFile: *tables, CPythonSrc: *cpythonSrc, Force: *force}
	if _, err := opt.Tables.Tables(); err != nil {
		return tableError(err)
	}
	opt.Warn = e.stderr
	d, err := reportDate(e, *date)
	if err != nil {
		return err
	}
	opt.Date = d
	if !*quiet || *dryRun {
		opt.Log = e.stdout
	}
	if err := results.Regenerate(fs.Arg(0), opt); err != nil {
		if specialize.IsUsageError(err) {
			return usageError{err.Error()}
		}
		return err
	}
	return nil
}
