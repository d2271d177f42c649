package main

import (
	"fmt"
	"strings"

	"github.com/pystats-dev/pystats/pystats"
)

func runInfo(args []string, e *env) error {
	fs := newFlags(e, "info", "[INPUT]\n\nThe description goes to standard output.")
	var in inputFlags
	in.register(fs)
	asJSON := fs.Bool("json", false, "describe the input as one JSON object with stable field names (see README, \"info --json\")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usagef("info takes one input")
	}
	path := pystats.DefaultInput
	if fs.NArg() == 1 {
		path = fs.Arg(0)
	}
	data, err := in.load(e, path)
	if err != nil {
		return err
	}
	defer data.Stats.Release()
	if *asJSON {
		return writeInfoJSON(e.stdout, data)
	}
	st, era := data.Stats, data.Era
	w := e.stdout
	src := st.Source
	fmt.Fprintf(w, "input:          %s (%s)\n", src.Path, src.Kind)
	fmt.Fprintf(w, "files:          %d\n", src.Files)
	if src.Kind != pystats.KindSummaryJSON {
		fmt.Fprintf(w, "lines:          %d\n", src.Lines)
	}
	fmt.Fprintf(w, "bytes:          %d\n", src.Bytes)
	fmt.Fprintf(w, "distinct keys:  %d\n", st.NumRows())
	fmt.Fprintf(w, "data files:     %d (__nfiles__)\n", st.NFiles())
	naming := "none"
	if era.HasOpcodes {
		naming = "numeric (opcode[N], 3.11/3.12)"
		if era.NamedOpcodes {
			naming = "named (opcode[NAME], 3.13+)"
		}
	}
	fmt.Fprintf(w, "opcode keys:    %s\n", naming)
	version := era.Version
	if version == "" {
		version = "unknown"
	}
	fmt.Fprintf(w, "version guess:  %s", version)
	if era.Why != "" {
		fmt.Fprintf(w, " (%s)", era.Why)
	}
	fmt.Fprintln(w)
	fams := make([]string, len(era.Families))
	for i, f := range era.Families {
		fams[i] = string(f)
	}
	fmt.Fprintf(w, "families:       %s\n", strings.Join(fams, ", "))
	tier2 := "no"
	if era.Tier2 {
		tier2 = "yes"
		if era.UopPairs {
			tier2 += " (Tier-2 interpreter: uop pair counts)"
		} else {
			tier2 += " (no uop pair counts: JIT build or early Tier 2)"
		}
	}
	fmt.Fprintf(w, "tier 2 / JIT:   %s\n", tier2)
	fmt.Fprintf(w, "tier 1 instructions: %d\n", data.View().Tier1Total)
	meta := "none"
	if st.Meta.HasBuildTables {
		meta = fmt.Sprintf("%d specialized instructions, %d SPEC_FAIL kinds, %d EVAL_CALL kinds",
			len(st.Meta.SpecializedInstructions), st.Meta.Defines.Len(), st.Meta.StatsDefines.Len())
	}
	fmt.Fprintf(w, "build metadata: %s\n", meta)
	if data.Tables != nil {
		fmt.Fprintf(w, "build tables:   %s (%s)\n", data.Tables.Version, data.Tables.Source)
	}
	if br := st.Meta.BenchRunner; br != nil {
		parts := []string{}
		for _, k := range []string{"commit_fork", "commit_branch", "commit_id", "commit_date"} {
			if v, ok := st.Meta.BenchRunnerValue(k); ok {
				parts = append(parts, k+"="+v)
			}
		}
		fmt.Fprintf(w, "bench_runner:   %s\n", strings.Join(parts, " "))
	}
	if !data.NamesReliable {
		fmt.Fprintf(w, "names:          unreliable (see problems)\n")
	}
	problems := data.Problems()
	fmt.Fprintf(w, "problems:       %d\n", len(problems))
	for _, p := range problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
	return nil
}
