package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/pystats-dev/pystats/internal/atomicfile"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/export"
)

// fleetMemoryLimit is the soft memory limit of an export of several inputs.
const fleetMemoryLimit = 28 << 20

// runExport writes the inputs' tidy tables (runs, counters, opcodes,
// families, failure kinds, pairs, calls, objects, GC, optimization,
// histograms, rare events, specialization loss; benchmarks, values,
// pyperf_runs and comparisons for pyperf files) as Parquet, Arrow IPC or
// CSV, reading and releasing one input at a time (export.Writer).
func runExport(args []string, e *env) error {
	fs := newFlags(e, "export", "[LABEL=]INPUT... -o DIR [--format parquet|arrow|csv] [--label NAME]... [--partition]\n\nThe tables go to -o DIR (required), which is replaced as a whole and atomically; standard output gets nothing, standard error a summary line.")
	var in inputFlags
	in.register(fs)
	out := fs.StringP("output", "o", "", "write the tables into `directory`, replaced as a whole: created when missing; an existing one must hold only a pystats export (tables it does not write again are removed)")
	format := fs.String("format", "parquet", "file `format`: parquet, arrow (Arrow IPC file) or csv")
	labels := fs.StringArray("label", nil, "`name` of the next input's run (repeat once per input; default: LABEL of a LABEL=INPUT argument, else the input's base name, or its parent folder's name for .../raw)")
	partition := fs.Bool("partition", false, "write DIR/<table>/run=<label>/part-0.<ext> (Hive style) instead of DIR/<table>.<ext>")
	compression := fs.String("compression", "", "`codec`: zstd, snappy (Parquet only), lz4 or none (default: zstd for Parquet; none for Arrow IPC, as Apache Arrow JS opens no compressed IPC file)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	args = fs.Args()
	paths := make([]string, len(args))
	names := make([]string, len(args))
	for i, a := range args {
		names[i], paths[i], _ = pystats.SplitLabel(a)
	}
	switch {
	case len(paths) == 0:
		return usagef("export needs at least one INPUT")
	case *out == "":
		return usagef("export needs -o DIR")
	case len(*labels) > 0 && len(*labels) != len(paths):
		return usagef("%d --label for %d inputs: give one per input, in order", len(*labels), len(paths))
	}
	opt := export.Options{
		Format:      export.Format(*format),
		Partition:   *partition,
		Compression: export.Compression(*compression),
		Version:     version,
		Protected:   in.readListForFolder(paths...),
		Log:         e.stderr,
	}
	if err := opt.Validate(); err != nil {
		return usagef("%v", err)
	}
	if err := checkOutputs(atomicfile.NewGuard(opt.Protected), output{flag: "-o", path: *out, dir: true}); err != nil {
		return err
	}
	seen := map[string]string{}
	for i, p := range paths {
		if len(*labels) > 0 {
			names[i] = (*labels)[i]
		}
		if err := export.CheckLabel(names[i]); err != nil {
			return usagef("input %s: %v; choose another with --label", quote(p), err)
		}
		if prev, dup := seen[names[i]]; dup {
			return usagef("inputs %s and %s both have label %s; give each input its own --label", quote(prev), quote(p), quote(names[i]))
		}
		seen[names[i]] = p
	}

	// Inputs are read, written and released one by one (export.Writer), so
	// memory does not grow with their number. For a fleet, a soft memory
	// limit makes the collector return each input's garbage before the next
	// one's peak (300 and 3,000 inputs: 63-70 -> 57 MiB peak RSS, about 9%
	// more CPU); GOMEMLIMIT overrides it.
	if len(paths) > 1 && os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(fleetMemoryLimit))
	}
	w, err := export.NewWriter(*out, opt)
	if err != nil {
		return err
	}
	for i, p := range paths {
		if err := exportOne(e, &in, w, p, names[i]); err != nil {
			w.Abort()
			return err
		}
	}
	if _, err := w.Close(); err != nil {
		return err
	}
	files, rows := w.Count()
	fmt.Fprintf(e.stderr, "wrote %d files (%d rows) to %s\n", files, rows, terminalSafe(*out))
	return nil
}

// exportOne reads one input and adds its tables to w.
func exportOne(e *env, in *inputFlags, w *export.Writer, path, label string) error {
	if pystats.IsPyperfFile(path) {
		s, err := pystats.ReadPyperfFile(path)
		if err != nil {
			return fmt.Errorf("reading pyperf results: %w", err)
		}
		defer s.Release()
		return w.Add(export.Input{Label: label, Pyperf: s})
	}
	data, err := in.load(e, path)
	if err != nil {
		return err
	}
	defer data.Stats.Release()
	return w.Add(export.Input{Label: label, Stats: data.Stats, Era: data.Era, Tables: data.Tables, Dataset: data})
}
