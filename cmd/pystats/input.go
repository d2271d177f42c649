package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/pystats-dev/pystats/internal/progress"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// inputFlags are the options every command that reads pystats data shares.
type inputFlags struct {
	strict     bool
	fileOrder  string
	cpythonSrc string
	tables     string
}

func (f *inputFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.strict, "strict", false, "treat unparsable lines and other warnings as errors")
	fs.StringVar(&f.fileOrder, "file-order", "name", "order of a directory's dump files: name (reproducible) or directory (the file system's, as summarize_stats.py); no count changes, but JSON key order, E4 predecessor/successor sub-section order and tied rows do")
	fs.StringVar(&f.cpythonSrc, "cpython-src", "", "read build tables (opcode names, SPEC_FAIL_* kinds) from this CPython `checkout`")
	fs.StringVar(&f.tables, "tables", "", "read build tables from this JSON `file` (see specialize/tables)")
}

// buildTables returns the tables chosen on the command line, or nil.
func (f *inputFlags) buildTables() (*specialize.Tables, error) {
	switch {
	case f.cpythonSrc != "" && f.tables != "":
		return nil, usagef("give --cpython-src or --tables, not both")
	case f.cpythonSrc != "":
		return specialize.FromCPythonSource(f.cpythonSrc)
	case f.tables != "":
		return specialize.LoadTablesFile(f.tables)
	}
	return nil, nil
}

// input is one data set with what is known about its build.
type input struct {
	stats  *pystats.Stats
	era    pystats.Era
	tables *specialize.Tables // nil when no tables are known
}

// load reads one pystats input, prints its warnings to stderr, and finds the
// build tables: the command line's, else the embedded ones for the detected
// version. Named-opcode data without metadata gets it attached, as the
// summarizer adds it from its checkout.
func (f *inputFlags) load(e *env, path string) (*input, error) {
	var total int64
	if e.stderrIsTerminal {
		total = inputSize(path)
	}
	bar := progress.New(e.stderr, e.stderrIsTerminal && total > 8<<20, "reading "+filepath.Base(path), total)
	if f.fileOrder != "name" && f.fileOrder != "directory" {
		return nil, usagef("--file-order %q: want name or directory", f.fileOrder)
	}
	st, err := pystats.Read(path, pystats.Options{Strict: f.strict, Progress: bar.Add, DirectoryOrder: f.fileOrder == "directory"})
	bar.Done()
	if err != nil {
		return nil, err
	}
	for _, w := range st.Source.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	in := &input{stats: st, era: pystats.DetectEra(st)}
	in.tables, err = f.buildTables()
	if err != nil {
		st.Release()
		return nil, err
	}
	if in.tables == nil && in.era.NamedOpcodes && in.era.Version != "" && !st.Meta.HasBuildTables {
		if _, ok := specialize.Embedded(in.era.Version); !ok {
			// A newer line than the binary knows (main): the nearest older
			// tables name most kinds right; say so.
			if older := nearestOlderTables(in.era.Version); older != nil {
				in.tables = older
				fmt.Fprintf(e.stderr, "warning: %s: no build tables for %s are built in; using %s's (give --cpython-src or --tables for exact failure-kind names)\n", path, in.era.Version, older.Version)
			}
		}
	}
	if in.tables == nil {
		if t, ok := specialize.Embedded(in.era.Version); ok {
			in.tables = t
			// Release tables on a development build's data give wrong names.
			if msg := t.NumberingWarning(st); msg != "" {
				if f.strict {
					st.Release()
					return nil, fmt.Errorf("%s: %s", path, msg)
				}
				fmt.Fprintf(e.stderr, "warning: %s: %s\n", path, msg)
			}
		}
	}
	if in.era.NamedOpcodes && !st.Meta.HasBuildTables && in.tables != nil {
		specialize.Attach(st, in.tables)
	}
	return in, nil
}

// nearestOlderTables returns the embedded tables of the newest release line
// older than version, or nil.
func nearestOlderTables(version string) *specialize.Tables {
	var best *specialize.Tables
	for _, v := range specialize.EmbeddedVersions() {
		if compareLines(v, version) < 0 {
			if t, ok := specialize.Embedded(v); ok && (best == nil || compareLines(v, best.Version) > 0) {
				best = t
			}
		}
	}
	return best
}

// compareLines orders release lines such as "3.9" and "3.14" numerically.
func compareLines(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x - y
		}
	}
	return len(pa) - len(pb)
}

// inputSize is the total size of the files of a path (for the progress bar).
func inputSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if !fi.IsDir() {
		return fi.Size()
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return 0
	}
	var n int64
	for _, ent := range entries {
		if info, err := ent.Info(); err == nil {
			n += info.Size()
		}
	}
	return n
}
