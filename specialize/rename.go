package specialize

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pystats-dev/pystats/pystats"
)

// ErrNoOpnames is returned by Named when the tables have no opcode numbering
// (they describe a named-opcode build, or were built by hand without one).
var ErrNoOpnames = errors.New("build tables have no opcode numbering")

// Named returns a named-opcode copy of numeric-opcode data, so that data of a
// 3.11 or 3.12 build can be laid beside 3.13+ data: every opcode[N] key becomes
// opcode[NAME] (the index of pair_count[M] is renamed too), with names from
// t.Opnames; a number the tables do not name becomes "<N>", as the E2
// summarizer names such slots. When two numbers get the same name their
// counters are added, as the summarizer adds counters of the same key. The
// tables' specialized instructions and defines are attached as metadata
// (metadata the input already carries wins; bench_runner metadata is kept).
//
// Keys that already name their opcode are kept. st is not modified; the
// caller owns and must Release the result.
func Named(st *pystats.Stats, t *Tables) (*pystats.Stats, error) {
	if t == nil || len(t.Opnames) == 0 {
		return nil, fmt.Errorf("renaming opcodes of %s: %w", st.Source.Path, ErrNoOpnames)
	}
	n := st.NumRows()
	fams := st.Families()
	keys, names, counters, indexes, values := st.Keys(), st.Names(), st.CounterNames(), st.Indexes(), st.Values()
	outKeys := make([]string, 0, n)
	outVals := make([]uint64, 0, n)
	pos := make(map[string]int, n)
	for i := 0; i < n; i++ {
		k := keys.Value(i)
		if fams[i] == pystats.FamilyOpcode {
			k = namedOpcodeKey(t, names.Value(i), counters.Value(i), indexes.Value(i))
		}
		if j, ok := pos[k]; ok {
			outVals[j] += values.Value(i)
			continue
		}
		pos[k] = len(outKeys)
		outKeys = append(outKeys, k)
		outVals = append(outVals, values.Value(i))
	}
	meta := st.Meta
	if !meta.HasBuildTables {
		bench := meta.BenchRunner
		meta = t.Metadata()
		meta.BenchRunner = bench
	}
	return pystats.NewStats(outKeys, outVals, meta, st.Source), nil
}

// namedOpcodeKey rebuilds an opcode key with named opcodes.
func namedOpcodeKey(t *Tables, name, counter, index string) string {
	var b strings.Builder
	b.WriteString("opcode[")
	b.WriteString(slotName(t, name))
	b.WriteString("]")
	if counter != "" {
		b.WriteString(".")
		b.WriteString(counter)
	}
	if index != "" {
		if counter == "pair_count" {
			index = slotName(t, index)
		}
		b.WriteString("[")
		b.WriteString(index)
		b.WriteString("]")
	}
	return b.String()
}

// slotName is the name of opcode number s ("<N>" when unnamed); s is returned
// as it is when it is not a number.
func slotName(t *Tables, s string) string {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return s
	}
	if name, ok := t.Opnames[n]; ok && name != "" {
		return name
	}
	return "<" + s + ">"
}

// OpcodeNames lists the distinct Tier-1 opcode names of st (the name field
// of its opcode[...] keys), sorted.
func OpcodeNames(st *pystats.Stats) []string {
	seen := map[string]bool{}
	fams := st.Families()
	names := st.Names()
	var out []string
	for i, f := range fams {
		if f != pystats.FamilyOpcode {
			continue
		}
		if n := names.Value(i); !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// OneSided compares the Tier-1 opcode names of two data sets: the names only
// base has and the names only head has, each sorted.
func OneSided(base, head *pystats.Stats) (onlyBase, onlyHead []string) {
	b, h := OpcodeNames(base), OpcodeNames(head)
	inB := make(map[string]bool, len(b))
	for _, n := range b {
		inB[n] = true
	}
	inH := make(map[string]bool, len(h))
	for _, n := range h {
		inH[n] = true
		if !inB[n] {
			onlyHead = append(onlyHead, n)
		}
	}
	for _, n := range b {
		if !inH[n] {
			onlyBase = append(onlyBase, n)
		}
	}
	return onlyBase, onlyHead
}

// MetadataDifferences describes how two data sets' build metadata differ: the
// specialized instruction lists and the SPEC_FAIL_* (_defines) and
// EVAL_CALL_* (_stats_defines) tables. It returns one sentence per
// difference, empty when they agree or when either side carries none.
func MetadataDifferences(base, head *pystats.Metadata) []string {
	if !base.HasBuildTables || !head.HasBuildTables {
		return nil
	}
	var out []string
	ob, oh := setDiff(base.SpecializedInstructions, head.SpecializedInstructions)
	if len(ob)+len(oh) > 0 {
		out = append(out, fmt.Sprintf("_specialized_instructions differ: %d only in base, %d only in head%s",
			len(ob), len(oh), examples(ob, oh)))
	}
	for _, d := range []struct {
		name string
		b, h *pystats.Defines
	}{{"_defines", &base.Defines, &head.Defines}, {"_stats_defines", &base.StatsDefines, &head.StatsDefines}} {
		ob, oh := setDiff(defineEntries(d.b), defineEntries(d.h))
		if len(ob)+len(oh) > 0 {
			out = append(out, fmt.Sprintf("%s differ: %d entries only in base, %d only in head%s",
				d.name, len(ob), len(oh), examples(ob, oh)))
		}
	}
	return out
}

// defineEntries lists a Defines as "NAME=n" strings.
func defineEntries(d *pystats.Defines) []string {
	var out []string
	for _, n := range d.Order {
		for _, name := range d.Names[n] {
			out = append(out, name+"="+strconv.Itoa(n))
		}
	}
	return out
}

// setDiff returns the sorted members only in a and only in b.
func setDiff(a, b []string) (onlyA, onlyB []string) {
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, s := range a {
		inA[s] = true
	}
	for _, s := range b {
		inB[s] = true
	}
	for s := range inA {
		if !inB[s] {
			onlyA = append(onlyA, s)
		}
	}
	for s := range inB {
		if !inA[s] {
			onlyB = append(onlyB, s)
		}
	}
	sort.Strings(onlyA)
	sort.Strings(onlyB)
	return onlyA, onlyB
}

// examples names up to three members of each side, for messages.
func examples(onlyBase, onlyHead []string) string {
	first := func(xs []string) string {
		if len(xs) > 3 {
			return strings.Join(xs[:3], ", ") + ", ..."
		}
		return strings.Join(xs, ", ")
	}
	var parts []string
	if len(onlyBase) > 0 {
		parts = append(parts, "base: "+first(onlyBase))
	}
	if len(onlyHead) > 0 {
		parts = append(parts, "head: "+first(onlyHead))
	}
	return " (" + strings.Join(parts, "; ") + ")"
}
