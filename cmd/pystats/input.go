package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

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
	force      bool
	ignore     func(name string) bool // dump-folder entries not to read (pystats.Options.Ignore)

	once     sync.Once
	resolved *specialize.Choice
}

func (f *inputFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.strict, "strict", false, "treat unparsable lines and other warnings as errors")
	fs.StringVar(&f.fileOrder, "file-order", "name", "order of a directory's dump files: name (reproducible) or directory (the file system's, as summarize_stats.py); no count changes, but JSON key order, E4 predecessor/successor sub-section order and tied rows do; an archive is read in its own order either way")
	fs.StringVar(&f.cpythonSrc, "cpython-src", "", "read build tables (opcode names, SPEC_FAIL_* kinds) from this CPython `checkout`")
	fs.StringVar(&f.tables, "tables", "", "read build tables from this JSON `file` (see specialize/tables)")
	fs.BoolVar(&f.force, "force", false, "use --cpython-src/--tables tables whose version does not fit the data (with a warning) instead of refusing them")
}

// choice is the build-table choice of the command line, loaded once and
// shared by every input of the command.
func (f *inputFlags) choice() *specialize.Choice {
	f.once.Do(func() {
		f.resolved = &specialize.Choice{CPythonSrc: f.cpythonSrc, TablesFile: f.tables, Strict: f.strict, Force: f.force}
	})
	return f.resolved
}

// input is one data set with what is known about its build: the dataset
// specialize.Resolve returns.
type input = specialize.Dataset

// load reads one pystats input, prints its warnings to stderr, and resolves
// its build tables (specialize.Resolve: the one table choice of every
// command), printing the verdict's warnings too. Tables that do not fit the
// data are a usage error unless --force.
func (f *inputFlags) load(e *env, path string) (*input, error) {
	var total int64
	if e.stderrIsTerminal {
		total = inputSize(path)
	}
	bar := progress.New(e.stderr, e.stderrIsTerminal && total > 8<<20, "reading "+filepath.Base(path), total)
	if f.fileOrder != "name" && f.fileOrder != "directory" {
		return nil, usagef("--file-order %q: want name or directory", f.fileOrder)
	}
	st, err := pystats.Read(path, pystats.Options{Strict: f.strict, Progress: bar.Add, DirectoryOrder: f.fileOrder == "directory", Ignore: f.ignore})
	bar.Done()
	if err != nil {
		return nil, err
	}
	for _, w := range st.Source.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", terminalSafe(fmt.Sprint(w)))
	}
	d, err := specialize.Resolve(st, f.choice())
	if err != nil {
		st.Release()
		return nil, tableError(err)
	}
	for _, w := range d.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", terminalSafe(fmt.Sprint(w)))
	}
	return d, nil
}

// tableError maps a table-choice mistake to a usage error (exit 1).
func tableError(err error) error {
	var u *specialize.UsageError
	if errors.As(err, &u) {
		return usageError{u.Msg}
	}
	return err
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
