// Command gentables writes a build-tables file (the format of
// specialize/tables/*.json) from a CPython checkout or unpacked source
// release, using specialize.FromCPythonSource: the same files and rules
// the summarizer of that version uses.
//
// Usage:
//
//	go run ./specialize/gentables --cpython-src DIR [--source TEXT] [-o FILE]
//
// --source replaces the default provenance text (which names DIR) with a
// description that makes sense to readers of the generated file, e.g. the
// release tag and where the sources came from. Output is deterministic.
// The numbering is cross-checked against Include/opcode.h (3.11, 3.12) and
// the result is reported on stderr.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/pystats-dev/pystats/internal/atomicfile"
	"github.com/pystats-dev/pystats/specialize"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gentables:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gentables", flag.ContinueOnError)
	fs.SetOutput(stderr)
	src := fs.String("cpython-src", "", "CPython checkout or unpacked source release `dir`")
	source := fs.String("source", "", "provenance `text` stored as \"source\" (default: names the directory)")
	out := fs.String("o", "", "output `file` (default: stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *src == "" || fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("need --cpython-src and no arguments")
	}
	t, err := specialize.FromCPythonSource(*src)
	if err != nil {
		return err
	}
	if *source != "" {
		t.Source = *source
	}
	crossCheck(stderr, *src, t)
	if *out == "" {
		return specialize.WriteTables(stdout, t)
	}
	return atomicfile.Write(*out, nil, func(w io.Writer) error { return specialize.WriteTables(w, t) })
}

// crossCheck compares the summarizer's names with the numbering the
// interpreter is compiled with and reports the differences.
func crossCheck(w io.Writer, dir string, t *specialize.Tables) {
	fmt.Fprintf(w, "version %s: %d opnames, %d specialized instructions, %d _defines kinds, %d _stats_defines kinds\n",
		t.Version, len(t.Opnames), len(t.SpecializedInstructions), t.Defines.Len(), t.StatsDefines.Len())
	hdr, file, err := specialize.HeaderOpcodes(dir)
	if err != nil {
		fmt.Fprintln(w, "cross-check skipped:", err)
		return
	}
	if len(t.Opnames) == 0 {
		missing := 0
		for _, s := range t.SpecializedInstructions {
			if _, ok := hdr[s]; !ok {
				missing++
			}
		}
		fmt.Fprintf(w, "cross-check with %s: %d specialized instructions not defined there\n", file, missing)
		return
	}
	var diffs []string
	checked := 0
	for n, name := range t.Opnames {
		if strings.HasPrefix(name, "<") {
			continue
		}
		checked++
		if h, ok := hdr[name]; ok && h != n {
			diffs = append(diffs, fmt.Sprintf("%s: summarizer slot %d, %s %d", name, n, file, h))
		} else if !ok {
			diffs = append(diffs, fmt.Sprintf("%s: slot %d, not in %s", name, n, file))
		}
	}
	sort.Strings(diffs)
	fmt.Fprintf(w, "cross-check with %s: %d names checked, %d differ\n", file, checked, len(diffs))
	for _, d := range diffs {
		fmt.Fprintln(w, "  ", d)
	}
}
