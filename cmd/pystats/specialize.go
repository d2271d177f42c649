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
	"sync"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report"
	"github.com/pystats-dev/pystats/specialize"
)

// runSpecialize ranks specialization families by lost work (generic
// executions plus misses), with their top failure kinds, for one input or
// for a run folder whose subfolders each hold one benchmark's data.
func runSpecialize(args []string, e *env) error {
	fs := newFlags(e, "specialize", "INPUT [-o FILE] [--json-output FILE] [--plot FILE.png|FILE.svg] [--top N] [--kinds N] [--benchmarks N] [--all-families]\n\n"+outputRule)
	var in inputFlags
	in.register(fs)
	out := fs.StringP("output", "o", "-", "write the markdown view to `file` ('-': standard output)")
	jsonOut := fs.String("json-output", "", "also write the view's rows as JSON to `file`")
	plotOut := fs.String("plot", "", "also draw the ranked families as stacked bars to `file` (.png or .svg)")
	top := fs.Int("top", 5, "number of top families with failure kinds, matrix columns and benchmarks")
	kinds := fs.Int("kinds", 5, "failure kinds listed per top family")
	benches := fs.Int("benchmarks", 5, "benchmarks listed per top family")
	all := fs.Bool("all-families", false, "rank families without specialized forms (3.13's POP_JUMP_IF_*, BINARY_SLICE, STORE_SLICE) too")
	jobs := fs.Int("jobs", 0, "benchmarks read at once (default: min(4, GOMAXPROCS))")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("specialize takes one INPUT (a run folder with one subfolder per benchmark is one INPUT)")
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
	path := pystats.DefaultInput
	if fs.NArg() == 1 {
		path = fs.Arg(0)
	}
	opt := report.SpecOptions{TopFamilies: *top, TopKinds: *kinds, TopBenchmarks: *benches, AllFamilies: *all}

	inputs := in.readPaths(path)
	if err := checkOutputs(inputs, output{flag: "-o", path: *out}, output{flag: "--json-output", path: *jsonOut}, output{flag: "--plot", path: *plotOut}); err != nil {
		return err
	}
	benchDirs, err := benchmarkFolders(path)
	if err != nil {
		return err
	}
	var view *report.SpecView
	if benchDirs == nil {
		l, err := specLossOf(&in, e, path)
		if err != nil {
			return err
		}
		view = report.NewSpecView(l, nil, opt)
	} else {
		bs, err := readBenchmarks(&in, e, path, benchDirs, *jobs)
		if err != nil {
			return err
		}
		view = report.NewSpecView(nil, bs, opt)
	}

	if *jsonOut != "" {
		if err := writeOutput(e, *jsonOut, inputs, func(w io.Writer) error { return report.WriteSpecJSON(w, view) }); err != nil {
			return err
		}
	}
	if *plotOut != "" {
		title := "Specialization by family: " + plotName(path)
		if err := writeOutput(e, *plotOut, inputs, func(w io.Writer) error {
			return report.WriteSpecPlot(w, plotFormat, view, title, 0)
		}); err != nil {
			return err
		}
	}
	return writeOutput(e, *out, inputs, func(w io.Writer) error { return report.WriteSpecMarkdown(w, view) })
}

// specLossOf reads one input and computes its view; the data is released.
func specLossOf(in *inputFlags, e *env, path string) (*specialize.Loss, error) {
	data, err := in.load(e, path)
	if err != nil {
		return nil, err
	}
	defer data.Stats.Release()
	l, err := report.SpecLoss(data.Stats, data.Tables)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// benchmarkFolders returns the subfolders of path when path is a run folder:
// a directory whose visible entries are all directories (symbolic links
// followed), each one benchmark. It returns nil for any other input (a dump
// directory, a file), and an error for a directory that mixes both.
func benchmarkFolders(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() {
		return nil, nil // let the reader report it
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var dirs, files []string
	for _, ent := range entries {
		name := ent.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		st, err := os.Stat(filepath.Join(path, name))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		if st.IsDir() {
			dirs = append(dirs, name)
		} else {
			files = append(files, name)
		}
	}
	switch {
	case len(dirs) == 0:
		return nil, nil
	case len(files) > 0:
		return nil, fmt.Errorf("%s holds both files (%s) and folders (%s): give a dump folder or a folder of benchmark folders", path, files[0], dirs[0])
	}
	sort.Strings(dirs)
	return dirs, nil
}

// readBenchmarks computes the view of each benchmark folder, at most jobs at
// once. Each reader's warnings are buffered and printed in benchmark order,
// so the output does not depend on scheduling.
func readBenchmarks(in *inputFlags, e *env, root string, names []string, jobs int) ([]specialize.BenchmarkLoss, error) {
	if jobs <= 0 {
		jobs = min(4, runtime.GOMAXPROCS(0))
	}
	out := make([]specialize.BenchmarkLoss, len(names))
	logs := make([]bytes.Buffer, len(names))
	errs := make([]error, len(names))
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			sub := &env{stdout: io.Discard, stderr: &logs[i], getenv: e.getenv, now: e.now}
			l, err := specLossOf(in, sub, filepath.Join(root, name))
			out[i], errs[i] = specialize.BenchmarkLoss{Name: name, Loss: l}, err
		}()
	}
	wg.Wait()
	for i := range names {
		if logs[i].Len() > 0 {
			prefix := "benchmark " + names[i] + ": "
			for _, line := range strings.SplitAfter(strings.TrimSuffix(logs[i].String(), "\n"), "\n") {
				io.WriteString(e.stderr, prefix+strings.TrimSuffix(line, "\n")+"\n")
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("reading benchmarks of %s: %w", root, err)
	}
	return out, nil
}

// plotName names an input in the chart title: its base name, with its parent
// for a dump folder called "raw".
func plotName(path string) string {
	clean := filepath.Clean(path)
	base := filepath.Base(clean)
	if base == "raw" {
		return filepath.Base(filepath.Dir(clean)) + "/" + base
	}
	return base
}
