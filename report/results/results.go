// Package results regenerates a bench_runner results directory the way
// bench_runner's generate_results.py did in April 2023: for every raw result
// and every configured base version it picks the base result, writes the
// "-vs-{base}.md" comparison table and "-vs-{base}.png" plot when missing,
// renders "-pystats.md" for pystats JSON that lacks one, and rewrites each
// result folder's README.md.
//
// Differences from bench_runner, on purpose: candidate results are
// considered in sorted file-name order (bench_runner used the file system's
// glob order), existing README.md files are only rewritten when their
// content changes, and outdated comparison files are never deleted.
package results

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/pystats-dev/pystats/internal/atomicfile"
	"github.com/pystats-dev/pystats/internal/mapfile"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report"
	"github.com/pystats-dev/pystats/report/timing"
	"github.com/pystats-dev/pystats/specialize"
)

// Options tune a regeneration.
type Options struct {
	// Bases are the base versions (bench_runner's bases.txt), in order.
	Bases []string
	// Force rewrites comparison tables, plots and pystats tables that exist.
	Force bool
	// DryRun lists what would be written without writing.
	DryRun bool
	// Runners maps runner nicknames to their OS.
	Runners timing.Runners
	// PathPrefix replaces the results directory in the file paths that the
	// tables print (pyperf's "Ignored benchmarks ... of PATH"); empty means
	// the directory as given.
	PathPrefix string
	// Tables chooses the build tables of each pystats JSON, as every
	// command chooses them (specialize.Resolve); nil picks the embedded ones.
	// Date is the pystats report's footer date (YYYY-MM-DD).
	Tables *specialize.Choice
	Date   string
	// Log receives one line per file written (or that would be written).
	Log io.Writer
	// Warn receives the table verdict of each pystats JSON rendered, as
	// "warning: ..." lines (summarize prints the same); nil discards them.
	Warn io.Writer
	// Protected are other files read (build tables, runners.ini): like the
	// raw results, they are never written.
	Protected []string

	planned map[string]bool   // files written or to be written by this run
	guard   *atomicfile.Guard // the files read, never written
}

// Result is one raw pyperf result of the directory.
type Result struct {
	Path    string // on disk
	Display string // as printed in tables
	Name    timing.ResultName
	Dir     string // its bm-* folder
	suite   *pystats.PyperfSuite
	// Bases maps a base label to the chosen reference, in Order.
	Bases map[string]*Result
	Order []string
}

func (r *Result) meta(key string) (string, bool) { return r.suite.MetaString(key) }

// Runner is bench_runner's runner string "{os} {machine} ({nickname})".
func runnerString(n timing.ResultName, runners timing.Runners) (string, error) {
	sys, err := runners.System(n.Nickname)
	if err != nil {
		return "", err
	}
	return sys + " " + n.Machine + " (" + n.Nickname + ")", nil
}

// Regenerate regenerates the results directory dir (a folder of bm-*
// result folders, or a repository with such a "results" folder).
func Regenerate(dir string, opt Options) error {
	if opt.Runners == nil {
		opt.Runners = timing.DefaultRunners()
	}
	if opt.Warn == nil {
		opt.Warn = io.Discard
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	opt.planned = map[string]bool{}
	if len(opt.Bases) == 0 {
		return fmt.Errorf("need at least one base version")
	}
	if fi, err := os.Stat(filepath.Join(dir, "results")); err == nil && fi.IsDir() {
		if m, _ := filepath.Glob(filepath.Join(dir, "bm-*")); len(m) == 0 {
			dir = filepath.Join(dir, "results")
		}
	}
	prefix := opt.PathPrefix
	if prefix == "" {
		prefix = dir
	}
	files, err := filepath.Glob(filepath.Join(dir, "bm-*", "bm-*.json"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	opt.guard = atomicfile.NewGuard(append(append([]string(nil), opt.Protected...), files...))
	if err := checkOutputs(dir, files, opt.guard); err != nil {
		return err
	}
	var results []*Result
	var pystatsJSON []string
	defer func() {
		for _, r := range results {
			r.suite.Release()
		}
	}()
	for _, f := range files {
		n, err := timing.ParseResultName(f)
		if err != nil {
			continue
		}
		typ, _, ok := n.Type()
		switch {
		case !ok:
			continue
		case typ == "pystats raw":
			pystatsJSON = append(pystatsJSON, f)
			continue
		case typ != "raw results":
			continue
		}
		rel, _ := filepath.Rel(dir, f)
		s, err := pystats.ReadPyperfFile(f)
		if err != nil {
			return err
		}
		s.Path = filepath.ToSlash(filepath.Join(prefix, rel))
		if strings.HasPrefix(prefix, "./") {
			s.Path = "./" + s.Path
		}
		results = append(results, &Result{Path: f, Display: s.Path, Name: n, Dir: filepath.Dir(f), suite: s, Bases: map[string]*Result{}})
	}
	if len(results) == 0 {
		return fmt.Errorf("%s: no bench_runner raw results (bm-*/bm-*.json)", dir)
	}
	for _, r := range results {
		matchBases(r, results, opt.Bases)
	}
	// Comparison tables and plots. The plots that will be written are drawn
	// first, concurrently (drawing is most of the time); files are then
	// written one by one, in order.
	plots := drawPlots(results, opt)
	for _, r := range results {
		for _, base := range r.Order {
			ref := r.Bases[base]
			stem := strings.TrimSuffix(r.Path, ".json") + "-vs-" + base
			if err := writeIfNeeded(stem+".md", opt, func(w io.Writer) error {
				page, _, err := timing.BenchRunnerMarkdown(ref.suite, r.suite, base, opt.Runners)
				if err != nil {
					return err
				}
				_, err = w.Write(page)
				return err
			}); err != nil {
				return err
			}
			if err := writeIfNeeded(stem+".png", opt, func(w io.Writer) error {
				if p, ok := plots[stem+".png"]; ok {
					if p.err != nil {
						return p.err
					}
					_, err := w.Write(p.png)
					return err
				}
				_, err := timing.WritePlot(w, "png", ref.suite, r.suite, timing.PlotTitle(ref.suite, r.suite))
				return err
			}); err != nil {
				return err
			}
		}
	}
	// Pystats tables; a failure here is reported at the end, after the
	// README (which does not depend on it) is written.
	var pystatsErrs []error
	for _, f := range pystatsJSON {
		md := strings.TrimSuffix(f, ".json") + ".md"
		if err := writeIfNeeded(md, opt, func(w io.Writer) error {
			st, err := pystats.ReadJSONFile(f, pystats.Options{})
			if err != nil {
				return err
			}
			defer st.Release()
			d, err := specialize.Resolve(st, opt.Tables)
			if err != nil {
				return err
			}
			for _, msg := range d.Warnings {
				fmt.Fprintf(opt.Warn, "warning: %s\n", msg)
			}
			return report.WriteSummary(w, st, report.MarkdownOptions{Style: report.StyleAuto, Date: opt.Date, Tables: d.Tables})
		}); err != nil {
			delete(opt.planned, md)
			pystatsErrs = append(pystatsErrs, fmt.Errorf("pystats table: %w", err))
		}
	}
	// README.md of every folder holding a raw result.
	pages, err := readmes(results, opt)
	if err != nil {
		return err
	}
	dirs := make([]string, 0, len(pages))
	for d := range pages {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		path := filepath.Join(d, "README.md")
		old, err := mapfile.ReadFile(path, 16<<20) // never blocks on a FIFO
		if err == nil && bytes.Equal(old, pages[d]) && !opt.Force {
			continue
		}
		if err := write(path, opt, func(w io.Writer) error { _, err := w.Write(pages[d]); return err }); err != nil {
			return err
		}
	}
	return errors.Join(pystatsErrs...)
}

// matchBases is bench_runner's Result.match_to_bases: same runner
// nickname, fork "python", a different result; same benchmark_hash first.
func matchBases(r *Result, all []*Result, bases []string) {
	var loose, exact []*Result
	hash, hasHash := r.meta("benchmark_hash")
	for _, o := range all {
		if o != r && o.Name.Nickname == r.Name.Nickname && o.Name.Fork == "python" {
			loose = append(loose, o)
		}
	}
	if hasHash {
		for _, o := range loose {
			if h, ok := o.meta("benchmark_hash"); ok && h == hash {
				exact = append(exact, o)
			}
		}
	}
	find := func(base string, match func(*Result) bool) {
		for _, set := range [][]*Result{exact, loose} {
			for _, o := range set {
				if match(o) {
					r.Bases[base] = o
					r.Order = append(r.Order, base)
					return
				}
			}
		}
	}
	for _, b := range bases {
		find(b, func(o *Result) bool { return o.Name.Version == b })
	}
	if mb, ok := r.meta("commit_merge_base"); ok {
		find("base", func(o *Result) bool { return strings.HasPrefix(mb, o.Name.Hash) })
	}
}

// drawnPlot is one comparison plot drawn ahead of writing.
type drawnPlot struct {
	png []byte
	err error
}

// maxPlotWorkers bounds the plots drawn at once: each holds its ratios (up to
// a few hundred thousand) and a canvas, about 20 MiB.
const maxPlotWorkers = 4

// drawPlots draws, up to GOMAXPROCS (at most maxPlotWorkers) at a time,
// every comparison plot that Regenerate will write (none on a dry run),
// keyed by file name.
func drawPlots(results []*Result, opt Options) map[string]*drawnPlot {
	type job struct {
		path      string
		ref, head *Result
		out       *drawnPlot
	}
	var jobs []job
	plots := map[string]*drawnPlot{}
	if opt.DryRun {
		return plots
	}
	for _, r := range results {
		for _, base := range r.Order {
			path := strings.TrimSuffix(r.Path, ".json") + "-vs-" + base + ".png"
			if _, err := os.Stat(path); err == nil && !opt.Force {
				continue
			}
			p := &drawnPlot{}
			plots[path] = p
			jobs = append(jobs, job{path, r.Bases[base], r, p})
		}
	}
	next := make(chan job)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), maxPlotWorkers, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				var buf bytes.Buffer
				_, j.out.err = timing.WritePlot(&buf, "png", j.ref.suite, j.head.suite, timing.PlotTitle(j.ref.suite, j.head.suite))
				j.out.png = buf.Bytes()
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	return plots
}

func writeIfNeeded(path string, opt Options, fill func(io.Writer) error) error {
	if _, err := os.Stat(path); err == nil && !opt.Force {
		return nil
	}
	return write(path, opt, fill)
}

func write(path string, opt Options, fill func(io.Writer) error) error {
	if opt.planned != nil {
		opt.planned[path] = true
	}
	if opt.DryRun {
		fmt.Fprintf(opt.Log, "would write %s\n", path)
		return nil
	}
	if err := atomicfile.Write(path, opt.guard, fill); err != nil {
		return err
	}
	fmt.Fprintf(opt.Log, "wrote %s\n", path)
	return nil
}

// checkOutputs refuses, before anything is read, a results directory where
// a file that a run may write (a folder's README.md, a comparison table or
// plot, a pystats table) is, through links, one of the files read.
func checkOutputs(dir string, files []string, guard *atomicfile.Guard) error {
	var outs []string
	folders, _ := filepath.Glob(filepath.Join(dir, "bm-*", "README.md"))
	outs = append(outs, folders...)
	for _, f := range files {
		stem := strings.TrimSuffix(f, ".json")
		for _, pat := range []string{"-vs-*.md", "-vs-*.png"} {
			m, _ := filepath.Glob(stem + pat)
			outs = append(outs, m...)
		}
		outs = append(outs, stem+".md")
	}
	for _, o := range outs {
		if _, err := os.Lstat(o); err != nil {
			continue
		}
		if err := guard.Check(o); err != nil {
			return err
		}
	}
	return nil
}
