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
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pystats-dev/pystats/internal/atomicfile"
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
	// info is the suite without its tables (path, version, metadata) and
	// names its benchmark names: all the pages need of a result besides
	// the comparisons, whose values are read again when needed (suiteCache).
	info  *pystats.PyperfSuite
	names []string
	// Bases maps a base label to the chosen reference, in Order.
	Bases map[string]*Result
	Order []string
}

// meta is r's metadata value for key, one of pageMeta: the only entries
// scanSuite keeps. Any other key is a mistake in this package, which a
// silent "missing" would hide, so it panics.
func (r *Result) meta(key string) (string, bool) {
	if !slices.Contains(pageMeta, key) {
		panic("results: metadata key " + strconv.Quote(key) + " is not in pageMeta, so scanSuite does not keep it")
	}
	return r.info.MetaString(key)
}

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
	// Each raw result is read once here and only its names and metadata
	// are kept; the comparisons read the suites they need again, a few at a
	// time, so memory does not grow with the number of results.
	var results []*Result
	var pystatsJSON []string
	names, lists := map[string]string{}, map[string][]string{}
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
		display := filepath.ToSlash(filepath.Join(prefix, rel))
		if strings.HasPrefix(prefix, "./") {
			display = "./" + display
		}
		r := &Result{Path: f, Display: display, Name: n, Dir: filepath.Dir(f), Bases: map[string]*Result{}}
		if err := scanSuite(r, names, lists); err != nil {
			return err
		}
		results = append(results, r)
	}
	if len(results) == 0 {
		return fmt.Errorf("%s: no bench_runner raw results (bm-*/bm-*.json)", dir)
	}
	for _, r := range results {
		matchBases(r, results, opt.Bases)
	}
	cache := newSuiteCache()
	defer cache.close()
	if err := writeComparisons(results, opt, cache); err != nil {
		return err
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
			return report.WriteSummary(w, st, report.MarkdownOptions{Style: report.StyleAuto, Date: opt.Date, Tables: d.Tables, View: d.View()})
		}); err != nil {
			delete(opt.planned, md)
			pystatsErrs = append(pystatsErrs, fmt.Errorf("pystats table: %w", err))
		}
	}
	// README.md of every folder holding a raw result.
	if err := writeReadmes(results, opt, cache); err != nil {
		return err
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

// maxPlotWorkers bounds the comparisons made at once: each holds its two
// suites, its ratios (up to a few hundred thousand) and a canvas, about 20
// MiB.
const maxPlotWorkers = 4

// comparison is what one (result, base) pair writes, made ahead of writing:
// its table (if missing or forced) and plot (likewise; drawing is most of
// the time). Nothing is made on a dry run.
type comparison struct {
	r           *Result
	base        string
	md, png     []byte
	mdErr, pErr error
}

// writeComparisons writes the comparison table and plot of every result
// and base, in order. The comparisons are made up to GOMAXPROCS (at most
// maxPlotWorkers) at a time, at most twice that many ahead of the one
// being written, each reading its two suites through cache and releasing
// them when made: what is held does not grow with the number of results.
func writeComparisons(results []*Result, opt Options, cache *suiteCache) error {
	workers := max(1, min(runtime.GOMAXPROCS(0), maxPlotWorkers))
	order := make(chan chan *comparison, 2*workers)
	sem := make(chan struct{}, workers)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	go func() {
		defer close(order)
		for _, r := range results {
			for _, base := range r.Order {
				c := make(chan *comparison, 1)
				select {
				case <-quit:
					return
				default:
				}
				select {
				case order <- c:
				case <-quit:
					return
				}
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					c <- makeComparison(r, base, opt, cache)
				}()
			}
		}
	}()
	stop := func() {
		close(quit)
		for range order { // let the producer see quit
		}
		wg.Wait()
	}
	for c := range order {
		cmp := <-c
		stem := strings.TrimSuffix(cmp.r.Path, ".json") + "-vs-" + cmp.base
		for _, f := range []struct {
			suffix string
			data   []byte
			err    error
		}{{".md", cmp.md, cmp.mdErr}, {".png", cmp.png, cmp.pErr}} {
			if err := writeIfNeeded(stem+f.suffix, opt, func(w io.Writer) error {
				if f.err != nil {
					return f.err
				}
				_, err := w.Write(f.data)
				return err
			}); err != nil {
				stop()
				return err
			}
		}
	}
	wg.Wait()
	return nil
}

// makeComparison makes the table and plot of r against its base that
// writeIfNeeded will write (none on a dry run, none that exist unless
// Force).
func makeComparison(r *Result, base string, opt Options, cache *suiteCache) *comparison {
	c := &comparison{r: r, base: base}
	if opt.DryRun {
		return c
	}
	stem := strings.TrimSuffix(r.Path, ".json") + "-vs-" + base
	needMD, needPNG := needed(stem+".md", opt), needed(stem+".png", opt)
	if !needMD && !needPNG {
		return c
	}
	ref, head, done, err := cache.pair(r.Bases[base], r)
	if err != nil {
		c.mdErr, c.pErr = err, err
		return c
	}
	defer done()
	if needMD {
		c.md, _, c.mdErr = timing.BenchRunnerMarkdown(ref, head, base, opt.Runners)
	}
	if needPNG {
		var buf bytes.Buffer
		_, c.pErr = timing.WritePlot(&buf, "png", ref, head, timing.PlotTitle(ref, head))
		c.png = buf.Bytes()
	}
	return c
}

// needed reports whether writeIfNeeded would write path.
func needed(path string, opt Options) bool {
	_, err := os.Stat(path)
	return err != nil || opt.Force
}

func writeIfNeeded(path string, opt Options, fill func(io.Writer) error) error {
	if !needed(path, opt) {
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
