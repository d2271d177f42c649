package main

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

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/specview"
	"github.com/pystats-dev/pystats/specialize"
)

// runSpecialize ranks specialization families by lost work (generic
// executions plus misses), with their top failure kinds, for one input or
// for a run folder whose subfolders each hold one benchmark's data.
func runSpecialize(args []string, e *env) error {
	fs := newFlags(e, "specialize", "[LABEL=]INPUT [-o FILE] [--json-output FILE] [--plot FILE.png|FILE.svg] [--top N] [--kinds N] [--benchmarks N] [--all-families]\n\n"+outputRule)
	var in inputFlags
	in.register(fs)
	out := fs.StringP("output", "o", "-", "write the markdown view to `file` ('-': standard output)")
	jsonOut := fs.String("json-output", "", "also write the view's rows as JSON to `file`")
	plotOut := fs.String("plot", "", "also draw the ranked families as stacked bars to `file` (.png or .svg)")
	top := fs.Int("top", 5, "number of top families with failure kinds, matrix columns and benchmarks")
	kinds := fs.Int("kinds", 5, "failure kinds listed per top family")
	benches := fs.Int("benchmarks", 5, "benchmarks listed per top family")
	all := fs.Bool("all-families", false, "rank families without specialized forms (3.13's POP_JUMP_IF_*, BINARY_SLICE, STORE_SLICE) too")
	jobs := fs.Int("jobs", 0, fmt.Sprintf("benchmarks read at once, at most %d (default: min(4, GOMAXPROCS))", maxJobs))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("specialize takes one INPUT (a run folder with one subfolder per benchmark is one INPUT)")
	}
	if *jobs < 0 || *jobs > maxJobs {
		return usagef("--jobs %d: want 0 (default) to %d", *jobs, maxJobs)
	}
	if *top <= 0 || *kinds <= 0 || *benches <= 0 {
		return usagef("--top, --kinds and --benchmarks must be positive")
	}
	var plotFormat string
	if *plotOut != "" {
		switch strings.ToLower(filepath.Ext(*plotOut)) {
		case ".png":
			plotFormat = "png"
		case ".svg":
			plotFormat = "svg"
		default:
			return usagef("--plot %q: the file name must end in .png or .svg", *plotOut)
		}
	}
	arg := pystats.DefaultInput
	if fs.NArg() == 1 {
		arg = fs.Arg(0)
	}
	label, path, _ := pystats.SplitLabel(arg)
	opt := specview.SpecOptions{TopFamilies: *top, TopKinds: *kinds, TopBenchmarks: *benches, AllFamilies: *all}

	inputs := in.readPaths(path)
	if err := checkOutputs(inputs, output{flag: "-o", path: *out}, output{flag: "--json-output", path: *jsonOut}, output{flag: "--plot", path: *plotOut}); err != nil {
		return err
	}
	in.ignore = notDumpFile
	data, benchmarks, err := specLayout(e, path)
	if err != nil {
		return err
	}
	var view *specview.SpecView
	if benchmarks == nil {
		l, err := specLossOf(&in, e, data)
		if err != nil {
			return err
		}
		view = specview.NewSpecView(l, nil, opt)
	} else {
		fleet, err := readBenchmarks(&in, e, path, benchmarks, *jobs)
		if err != nil {
			return err
		}
		defer fleet.Close()
		view = specview.NewFleetView(fleet, opt)
	}

	title := "Specialization by family: " + label
	return writeOutputs(e, inputs,
		output{path: *jsonOut, fill: func(w io.Writer) error { return specview.WriteSpecJSON(w, view) }},
		output{path: *plotOut, fill: func(w io.Writer) error { return specview.WriteSpecPlot(w, plotFormat, view, title, 0) }},
		output{path: *out, fill: func(w io.Writer) error { return specview.WriteSpecMarkdown(w, view) }})
}

// maxJobs bounds --jobs (each reader holds one benchmark's data).
const maxJobs = 64

// specLossOf reads one input and computes its view; the data is released.
func specLossOf(in *inputFlags, e *env, path string) (*specialize.Loss, error) {
	if err := warnStrays(e, path); err != nil {
		return nil, err
	}
	data, err := in.load(e, path)
	if err != nil {
		return nil, err
	}
	defer data.Stats.Release()
	l, err := specview.DatasetLoss(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", quote(path), err)
	}
	return l, nil
}

// specBenchmark is one benchmark of a run folder: its name (the
// subfolder's) and the path of its data.
type specBenchmark struct{ name, data string }

// rawNames are the names under which a benchmark or workload folder holds
// its dumps in the usual <benchmark>/raw/ layout, beside the summarizer's
// outputs and logs.
var rawNames = []string{"raw", "raw.tar", "raw.tar.gz", "raw.tgz", "raw.tar.zst"}

// rawOf returns the dumps of a benchmark folder: its raw/ folder or raw
// archive when it has one, else the folder itself.
func rawOf(dir string) string {
	for _, n := range rawNames {
		p := filepath.Join(dir, n)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() == (n == "raw") {
			return p
		}
	}
	return dir
}

// notDumpFile is the stray-file rule of specialize: CPython names every dump
// <40 hex digits>.txt, so a dump folder's entry whose name does not end in
// .txt (README.md, a plot, a subfolder) is not read.
func notDumpFile(name string) bool { return !strings.HasSuffix(name, ".txt") }

// specLayout finds the data of a specialize INPUT. A folder holding raw/ (or
// a raw archive) is one benchmark's folder: its data is there, and the files
// beside it are not read. A folder whose visible entries are folders
// (symbolic links followed), with perhaps stray files that are not dumps
// (named on stderr), is a run folder: each subfolder is one benchmark, read
// the same way. Anything else is one input; a folder mixing dump files and
// folders is an error.
func specLayout(e *env, path string) (data string, benchmarks []specBenchmark, err error) {
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() {
		return path, nil, nil // let the reader report it
	}
	if raw := rawOf(path); raw != path {
		return raw, nil, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return "", nil, fmt.Errorf("reading %s: %w", quote(path), err)
	}
	var dirs, dumps, strays []string
	for _, ent := range entries {
		name := ent.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		st, err := os.Stat(filepath.Join(path, name))
		if err != nil {
			return "", nil, fmt.Errorf("reading %s: %w", quote(path), err)
		}
		switch {
		case st.IsDir():
			dirs = append(dirs, name)
		case notDumpFile(name):
			strays = append(strays, name)
		default:
			dumps = append(dumps, name)
		}
	}
	switch {
	case len(dirs) == 0:
		return path, nil, nil
	case len(dumps) > 0:
		return "", nil, fmt.Errorf("%s holds both dump files (%s) and folders (%s): give a dump folder or a folder of benchmark folders", quote(path), quote(dumps[0]), quote(dirs[0]))
	}
	for _, name := range strays {
		fmt.Fprintf(e.stderr, "warning: %s: skipped: not a benchmark folder\n", terminalSafe(filepath.Join(path, name)))
	}
	sort.Strings(dirs)
	for _, name := range dirs {
		benchmarks = append(benchmarks, specBenchmark{name: name, data: rawOf(filepath.Join(path, name))})
	}
	return "", benchmarks, nil
}

// warnStrays names on stderr the entries of a dump folder that are not read
// (see notDumpFile); dot files are left out silently.
func warnStrays(e *env, dir string) error {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return nil // let the reader report it
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading dump directory: %w", err)
	}
	for _, ent := range entries {
		if name := ent.Name(); notDumpFile(name) && !strings.HasPrefix(name, ".") {
			fmt.Fprintf(e.stderr, "warning: %s: skipped: not a dump file (dumps are named *.txt)\n", terminalSafe(filepath.Join(dir, name)))
		}
	}
	return nil
}

// readBenchmarks computes the view of each benchmark folder, at most jobs at
// once, and gathers them in a Fleet. Benchmarks are taken in order as they
// are done: the reader's warnings (buffered) are printed with the
// benchmark's name, and the Fleet adds its counts to the sum and keeps a
// compact record of what the per-benchmark tables show (memory up to a
// bound, then a temporary file), so memory does not grow with the number
// of benchmarks: at most 2*jobs benchmarks wait, read, to be taken. The
// caller closes the Fleet.
func readBenchmarks(in *inputFlags, e *env, root string, benchmarks []specBenchmark, jobs int) (*specview.Fleet, error) {
	if jobs <= 0 {
		jobs = min(4, runtime.GOMAXPROCS(0))
	}
	type done struct {
		loss *specialize.Loss
		log  bytes.Buffer
		err  error
	}
	order := make(chan chan *done, 2*jobs)
	sem := make(chan struct{}, jobs)
	go func() {
		defer close(order)
		for _, b := range benchmarks {
			c := make(chan *done, 1)
			order <- c
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				d := &done{}
				sub := &env{stdout: io.Discard, stderr: &d.log, getenv: e.getenv, now: e.now}
				d.loss, d.err = specLossOf(in, sub, b.data)
				c <- d
			}()
		}
	}()
	fleet := specview.NewFleet(0)
	var errs []error
	var keepErr error // the first error keeping a benchmark (the temporary file)
	i := 0
	for c := range order {
		d, b := <-c, benchmarks[i]
		i++
		if d.log.Len() > 0 {
			prefix := "benchmark " + quote(b.name) + ": "
			for _, line := range strings.SplitAfter(strings.TrimSuffix(d.log.String(), "\n"), "\n") {
				io.WriteString(e.stderr, prefix+strings.TrimSuffix(line, "\n")+"\n")
			}
		}
		if d.err != nil {
			errs = append(errs, d.err)
			continue
		}
		if err := fleet.Add(b.name, d.loss); err != nil && keepErr == nil {
			keepErr = err
		}
	}
	if err := errors.Join(append(errs, keepErr)...); err != nil {
		fleet.Close()
		return nil, fmt.Errorf("reading benchmarks of %s: %w", quote(root), err)
	}
	return fleet, nil
}
