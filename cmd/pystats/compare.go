package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report"
	"github.com/pystats-dev/pystats/report/notable"
	"github.com/pystats-dev/pystats/specialize"
)

// compareFlags are the options of 'pystats compare' beyond the inputs'.
type compareFlags struct {
	out, style, date string
	jsonOut          string
	top              int
	threshold        string
	noSummary        bool
	failOn           []string
}

func (f *compareFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.out, "output", "o", "-", "write the markdown report to `file` ('-': standard output)")
	fs.StringVar(&f.style, "style", "auto", "markdown era: auto, e1 (3.11); no 3.11 comparison exists, so the E2 one is written, e2 (3.12), e4 (3.13+, sub-style from the data), or an E4 sub-style: e4a (early 2024), e4b-2024 (mid 2024), e4b (3.13 release), e4c (2025 main)")
	fs.StringVar(&f.date, "date", "", "footer date `YYYY-MM-DD` (default: $SOURCE_DATE_EPOCH, else today)")
	fs.BoolVar(&f.noSummary, "no-summary", false, "leave out the Notable changes section: the summarizer's comparison only, byte for byte")
	fs.StringVar(&f.jsonOut, "json-output", "", "also write the Notable changes (and gate results) as JSON to `file`")
	fs.IntVar(&f.top, "top", notable.DefaultNotableOptions.Top, "list at most `N` changes per group in Notable changes (0: all)")
	fs.StringVar(&f.threshold, "threshold", "0.1pt,5%", "smallest change listed: `LIMITS` in points for ratios and/or percent for counts, e.g. 0.5pt or 0.5pt,10%")
	fs.StringArrayVar(&f.failOn, "fail-on", nil, "exit 3 when a change matches `EXPR`, e.g. 'any(miss_ratio) > +2pt' or 'specialized_hits < -1pt' (repeatable; ',' separates several)")
}

// parseThreshold reads --threshold: one or two limits separated by ",",
// each a number followed by "pt" (ratios) or "%" (counts).
func parseThreshold(s string, opt *notable.NotableOptions) error {
	for _, part := range strings.Split(s, ",") {
		p := strings.TrimSpace(part)
		var unit string
		switch {
		case strings.HasSuffix(p, "pt"):
			unit, p = "pt", strings.TrimSuffix(p, "pt")
		case strings.HasSuffix(p, "%"):
			unit, p = "%", strings.TrimSuffix(p, "%")
		default:
			return usagef("--threshold %q: %q needs a unit: pt (ratios) or %% (counts)", s, strings.TrimSpace(part))
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return usagef("--threshold %q: %q is not a non-negative number", s, strings.TrimSpace(part))
		}
		if unit == "pt" {
			opt.RatioThreshold = v
		} else {
			opt.CountThreshold = v
		}
	}
	return nil
}

// runCompare writes the summarizer's comparison report of two inputs (base
// first, head second), each a dump directory, tarball or summarize JSON,
// preceded by a Notable changes section unless --no-summary is given.
// Numeric-opcode data (3.11, 3.12) compared with named-opcode data (3.13+) is
// mapped to opcode names with its build tables first. A tripped --fail-on
// gate makes it a gateError (exit 3) after the report is written.
func runCompare(args []string, e *env) error {
	fs := newFlags(e, "compare", "[LABEL=]BASE [LABEL=]HEAD [-o FILE] [--style STYLE] [--date YYYY-MM-DD] [--no-summary] [--top N] [--threshold LIMITS] [--fail-on EXPR]... [--json-output FILE]\n\n"+outputRule)
	var in inputFlags
	in.register(fs)
	var f compareFlags
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("compare takes two inputs: BASE HEAD")
	}
	st, err := report.ParseStyle(f.style)
	if err != nil {
		return usagef("--style: %v", err)
	}
	day, err := reportDate(e, f.date)
	if err != nil {
		return err
	}
	opt := notable.DefaultNotableOptions
	if f.top < 0 {
		return usagef("--top %d: want 0 (all) or more", f.top)
	}
	opt.Top = f.top
	if err := parseThreshold(f.threshold, &opt); err != nil {
		return err
	}
	var gates []*notable.Gate
	for _, s := range f.failOn {
		gs, err := notable.ParseGates(s)
		if err != nil {
			return usagef("--fail-on: %v", err)
		}
		gates = append(gates, gs...)
	}
	baseLabel, basePath, baseNamed := pystats.SplitLabel(fs.Arg(0))
	headLabel, headPath, headNamed := pystats.SplitLabel(fs.Arg(1))
	outs := []output{{flag: "-o", path: f.out}, {flag: "--json-output", path: f.jsonOut}}
	guard := in.readPathsWhile(outs, basePath, headPath)
	base, head, err := loadPair(e, &in, basePath, headPath)
	inputs := guard()
	// A usage error about the outputs comes before one about an input.
	if cerr := checkOutputs(inputs, outs...); cerr != nil {
		if err == nil {
			base.Stats.Release()
			head.Stats.Release()
		}
		return cerr
	}
	if err != nil {
		return err
	}
	defer func() { base.Stats.Release() }()
	defer func() { head.Stats.Release() }()

	baseInfo := notable.NewBuildInfo(base.Stats, base.Era)
	headInfo := notable.NewBuildInfo(head.Stats, head.Era)
	if baseNamed {
		baseInfo.Label = baseLabel
	}
	if headNamed {
		headInfo.Label = headLabel
	}
	for _, side := range []struct {
		name string
		in   *input
	}{{"base", base}, {"head", head}} {
		if !side.in.Era.HasOpcodes {
			return fmt.Errorf("%s %s holds no opcode counters (no opcode[...] keys): a comparison needs opcode data on both sides", side.name, quote(side.in.Stats.Source.Path))
		}
	}
	mixed := base.Era.HasOpcodes && head.Era.HasOpcodes && base.Era.NamedOpcodes != head.Era.NamedOpcodes
	if mixed && (st.IsE2() || st == report.StyleE1) {
		return usagef("--style %s: one input has named opcodes (%s); a mixed comparison renders in E4", f.style, versionOf(base, head))
	}
	if err := styleFits(f.style, st, base, head); err != nil {
		return err
	}
	if mixed {
		// The numeric side is mapped to names; its view keeps its era's
		// meaning (specialize.Dataset.Named).
		for _, side := range []**input{&base, &head} {
			named, err := (*side).Named()
			if err != nil {
				return fmt.Errorf("%s: %w (give --tables or --cpython-src)", quote((*side).Stats.Source.Path), err)
			}
			if named != *side {
				(*side).Stats.Release()
				*side = named
			}
		}
	}
	diffs := notable.BuildDifferences(baseInfo, headInfo, specialize.MetadataDifferences(&base.Stats.Meta, &head.Stats.Meta))
	if mixed || baseInfo.Version != headInfo.Version {
		onlyBase, onlyHead := specialize.OneSided(base.Stats, head.Stats)
		if len(onlyBase)+len(onlyHead) > 0 {
			diffs = append(diffs, fmt.Sprintf("opcodes only in base (%d): %s; only in head (%d): %s",
				len(onlyBase), listOrNone(onlyBase), len(onlyHead), listOrNone(onlyHead)))
		}
	}
	for _, d := range diffs {
		fmt.Fprintf(e.stderr, "warning: %s\n", terminalSafe(d))
	}
	// The names verdict of each side (already printed when it was read) is
	// a difference of the comparison too.
	for _, side := range []struct {
		name string
		d    *input
	}{{"base", base}, {"head", head}} {
		if !side.d.NamesReliable {
			diffs = append(diffs, side.name+" names are unreliable: "+side.d.NamesReason)
		}
	}

	needNotable := !f.noSummary || f.jsonOut != "" || len(gates) > 0
	var nc *notable.Notable
	if needNotable {
		nc, err = buildNotable(base, head, st, opt, gates)
		if err != nil {
			return err
		}
		nc.Base, nc.Head, nc.Differences = baseInfo, headInfo, diffs
	}
	// The views serve an E4 comparison; an E2 one renders both sides with
	// the head's tables.
	mdOpt := report.MarkdownOptions{Style: st, Date: day, Tables: head.Tables, View: head.View(), BaseView: base.View()}
	if mixed {
		mdOpt.Tables = nil // both sides are named now, with their own metadata
	}
	if err := writeOutputs(e, inputs,
		output{path: f.jsonOut, fill: func(w io.Writer) error { return notable.WriteNotableJSON(w, nc) }},
		output{path: f.out, fill: func(w io.Writer) error {
			if !f.noSummary {
				if err := notable.WriteNotableMarkdown(w, nc); err != nil {
					return err
				}
			}
			return report.WriteComparison(w, base.Stats, head.Stats, mdOpt)
		}}); err != nil {
		return err
	}
	return gateOutcome(nc)
}

// loadPair loads base then head; on an error nothing stays loaded.
func loadPair(e *env, in *inputFlags, basePath, headPath string) (base, head *input, err error) {
	if base, err = in.load(e, basePath); err != nil {
		return nil, nil, err
	}
	if head, err = in.load(e, headPath); err != nil {
		base.Stats.Release()
		return nil, nil, err
	}
	return base, head, nil
}

// buildNotable computes the comparison's changes from the E4 comparison
// tables (numeric-opcode data is mapped to names for this; the tables of the
// markdown report are those of the data's own era), selects the notable
// ones and evaluates the gates.
func buildNotable(base, head *input, style report.Style, opt notable.NotableOptions, gates []*notable.Gate) (*notable.Notable, error) {
	var sides [2]*input
	for i, in := range []*input{base, head} {
		sides[i] = in
		if !in.Stats.Meta.HasBuildTables && in.Era.HasOpcodes && !in.Era.NamedOpcodes {
			named, err := in.Named()
			if err != nil {
				return nil, fmt.Errorf("notable changes: %s: %w (give --tables or --cpython-src)", quote(in.Stats.Source.Path), err)
			}
			defer named.Stats.Release()
			sides[i] = named
		}
	}
	b, h := sides[0], sides[1]
	e4Style := style
	if !style.IsE4() {
		e4Style = report.StyleE4
	}
	r, err := report.CompareE4(b.Stats, h.Stats, report.MarkdownOptions{Style: e4Style, View: h.View(), BaseView: b.View()})
	if err != nil {
		return nil, fmt.Errorf("notable changes: %w", err)
	}
	all := notable.Changes(r)
	n := &notable.Notable{Options: opt, Rows: notable.SelectNotable(all, opt)}
	for _, g := range gates {
		res, err := g.Evaluate(all)
		if err != nil {
			return nil, usagef("--fail-on: %v", err)
		}
		n.Gates = append(n.Gates, res)
	}
	return n, nil
}

// gateOutcome is a gateError listing the offending rows of every tripped
// gate, or nil.
func gateOutcome(n *notable.Notable) error {
	if n == nil {
		return nil
	}
	var buf bytes.Buffer
	tripped := 0
	for _, g := range n.Gates {
		if !g.Tripped() {
			continue
		}
		tripped++
		fmt.Fprintf(&buf, "\n  %s: %d offending rows", g.Expr.String(), len(g.Offending))
		for i := range g.Offending {
			fmt.Fprintf(&buf, "\n    %s", notable.FormatOffending(&g.Offending[i]))
		}
	}
	if tripped == 0 {
		return nil
	}
	return gateError{fmt.Sprintf("--fail-on: %d of %d gates tripped:%s", tripped, len(n.Gates), buf.String())}
}

func versionOf(base, head *input) string {
	return "base " + base.Era.Version + ", head " + head.Era.Version
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}
