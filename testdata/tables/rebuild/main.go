// Command rebuild reconstructs a build-tables file for a CPython development
// build whose sources are not available, from a published pair of that build's
// summarize JSON and the markdown CPython's summarize_stats.py made from it.
//
// The numeric-opcode summarizer (E2) took opcode names from the running
// interpreter and failure-kind names from the checkout's Python/specialize.c;
// neither is in the data. This program recovers the part of them that the
// published report shows:
//
//  1. Opcode names. Every opcode with an execution count has a row in the
//     report's "Execution counts" table, so counts are matched to names. Ties
//     are broken with the pair counts (the "Pair counts" table and each
//     opcode's predecessor/successor tables); specializable families are
//     named by position, since "Specialization stats" lists them in opcode
//     number order.
//  2. Specialized instructions (what "Specialized" in "Specialization
//     effectiveness" counts): executed, non-specializable names that carry a
//     miss counter or start with a specializable family's name plus "_", minus
//     super-instructions ("__") and the base instructions CALL_FUNCTION_EX,
//     CALL_INTRINSIC_1/2 and JUMP_BACKWARD_NO_INTERRUPT. The program checks the three effectiveness
//     rows against the report and fails when they differ.
//  3. SPEC_FAIL_* kinds: each family's failure-kind rows are in (count, index)
//     descending order, so they align with the JSON's kinds; each label is
//     turned back into a define name the summarizer's naming rule maps to it
//     (kinds 0-8 generic, 0-7 for the Nov-2022 summarizer: -generic-max 7; others prefixed by the family prefix; "kind N" labels
//     get no define).
//  4. EVAL_CALL_* kinds from the "Calls via PyEval_EvalFrame (...)" rows.
//
// Usage (from the module root):
//
//	go run ./testdata/tables/rebuild -build 4fe1c4b -o testdata/tables/4fe1c4b.json \
//	    A.json A.md [B.json B.md ...]
//
// Several pairs from the same build add evidence. The output is an input for
// tests, not an expected output: it only contains what the published reports
// show, and it is not a substitute for the real tables of the build.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/pystats-dev/pystats/pystats"
)

func main() {
	build := flag.String("build", "", "build label written as the tables' version")
	out := flag.String("o", "", "output file (default stdout)")
	flag.IntVar(&genericMax, "generic-max", 8, "largest generic failure kind (7 for the Nov-2022 summarizer)")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 || len(args)%2 != 0 {
		fmt.Fprintln(os.Stderr, "usage: rebuild -build LABEL [-o FILE] A.json A.md [B.json B.md ...]")
		os.Exit(2)
	}
	r := newRebuilder()
	var sources []string
	for i := 0; i < len(args); i += 2 {
		if err := r.addPair(args[i], args[i+1]); err != nil {
			fmt.Fprintln(os.Stderr, "rebuild:", err)
			os.Exit(1)
		}
		sources = append(sources, baseName(args[i+1]))
	}
	t, err := r.tables(*build, sources)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rebuild:", err)
		os.Exit(1)
	}
	data, err := t.marshal()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rebuild:", err)
		os.Exit(1)
	}
	if *out == "" {
		os.Stdout.Write(data)
		return
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "rebuild:", err)
		os.Exit(1)
	}
}

func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// op is what the JSON says about one opcode number.
type op struct {
	exec, miss    uint64
	hasExec       bool
	hasMiss       bool
	specializable bool
	total         uint64 // hit + miss + execution count
	deferred      uint64
	kinds         map[int]uint64
	pairs         map[int]uint64
}

// report is what one published markdown shows.
type report struct {
	exec          map[string][]string // count -> names (execution counts)
	pairs         map[string]uint64   // "A B" -> count, pair table and neighbour tables
	neighbours    map[string]map[string]uint64
	families      []family
	effectiveness map[string]string // row label -> count cell
	calls         []string          // "Calls via PyEval_EvalFrame (x)" labels
	execNames     map[string]bool   // names in the execution counts table
	allNames      map[string]bool   // every opcode name the report shows
	misses        map[string]uint64 // "Misses by instruction" rows
}

type family struct {
	name  string
	kinds [][2]string // label, count
}

type pairData struct {
	ops       map[int]*op
	rep       *report
	callIndex []int // Calls via PyEval_EvalFrame indexes, data order
	jsonPath  string
	objectKey map[string]bool
}

type rebuilder struct {
	pairs    []*pairData
	names    map[int]string
	defines  map[int][]string
	evalCall map[int]string
}

func newRebuilder() *rebuilder {
	return &rebuilder{names: map[int]string{}, defines: map[int][]string{}, evalCall: map[int]string{}}
}

func (r *rebuilder) addPair(jsonPath, mdPath string) error {
	st, err := pystats.ReadJSONFile(jsonPath, pystats.Options{})
	if err != nil {
		return err
	}
	defer st.Release()
	pd := &pairData{ops: map[int]*op{}, jsonPath: jsonPath}
	fams := st.Families()
	names, counters, indexes, values := st.Names(), st.CounterNames(), st.Indexes(), st.Values()
	for i, f := range fams {
		switch f {
		case pystats.FamilyOpcode:
			n, err := strconv.Atoi(names.Value(i))
			if err != nil {
				return fmt.Errorf("%s: opcode %q is not numeric", jsonPath, names.Value(i))
			}
			o := pd.ops[n]
			if o == nil {
				o = &op{kinds: map[int]uint64{}, pairs: map[int]uint64{}}
				pd.ops[n] = o
			}
			v := values.Value(i)
			switch c := counters.Value(i); c {
			case "specializable":
				o.specializable = true
			case "execution_count":
				o.exec, o.hasExec = v, true
				o.total += v
			case "specialization.miss":
				o.miss, o.hasMiss = v, true
				o.total += v
			case "specialization.hit":
				o.total += v
			case "specialization.deferred":
				o.deferred = v
			case "specialization.failure_kinds":
				k, _ := strconv.Atoi(indexes.Value(i))
				o.kinds[k] = v
			case "pair_count":
				k, _ := strconv.Atoi(indexes.Value(i))
				if v != 0 {
					o.pairs[k] = v
				}
			}
		case pystats.FamilyCalls:
			if idx := indexes.Value(i); idx != "" {
				k, _ := strconv.Atoi(idx)
				pd.callIndex = append(pd.callIndex, k)
			}
		}
	}
	pd.rep, err = parseReport(mdPath)
	if err != nil {
		return err
	}
	r.pairs = append(r.pairs, pd)
	return nil
}

// cells splits a pipe-table row into trimmed cells.
func cells(line string) []string {
	parts := strings.Split(line, "|")
	parts = parts[1 : len(parts)-1]
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func parseReport(path string) (*report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep := &report{exec: map[string][]string{}, pairs: map[string]uint64{}, neighbours: map[string]map[string]uint64{},
		effectiveness: map[string]string{}, execNames: map[string]bool{}, allNames: map[string]bool{}, misses: map[string]uint64{}}
	var section, sub, tableHead string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			section, sub = line[3:], ""
			continue
		case strings.HasPrefix(line, "### "):
			sub = line[4:]
			if section == "Specialization stats" {
				rep.families = append(rep.families, family{name: sub})
			}
			continue
		case strings.HasPrefix(line, "|---"):
			continue
		case strings.HasPrefix(line, "|") && !strings.HasPrefix(line, "| "):
			tableHead = strings.TrimSpace(strings.SplitN(line[1:], "|", 2)[0])
			continue
		case !strings.HasPrefix(line, "| "):
			continue
		}
		c := cells(line)
		switch section {
		case "Execution counts":
			rep.exec[c[1]] = append(rep.exec[c[1]], c[0])
			rep.execNames[c[0]] = true
			rep.allNames[c[0]] = true
		case "Pair counts":
			rep.pairs[c[0]] = count(c[1])
			for _, n := range strings.Fields(c[0]) {
				rep.allNames[n] = true
			}
		case "Predecessor/Successor Pairs":
			rep.allNames[sub] = true
			rep.allNames[c[0]] = true
			if tableHead == "Predecessors" {
				rep.pairs[c[0]+" "+sub] = count(c[1])
			} else {
				rep.pairs[sub+" "+c[0]] = count(c[1])
			}
			if rep.neighbours[sub] == nil {
				rep.neighbours[sub] = map[string]uint64{}
			}
			rep.neighbours[sub][tableHead+" "+c[0]] = count(c[1])
		case "Specialization stats":
			if tableHead == "Failure kind" {
				fam := &rep.families[len(rep.families)-1]
				fam.kinds = append(fam.kinds, [2]string{c[0], c[1]})
			}
		case "Specialization effectiveness":
			switch sub {
			case "":
				rep.effectiveness[c[0]] = c[1]
			case "Misses by instruction":
				rep.misses[c[0]] = count(c[1])
				rep.allNames[c[0]] = true
			case "Deferred by instruction":
				rep.allNames[c[0]] = true
			}
		case "Call stats":
			if strings.HasPrefix(c[0], "Calls via PyEval_EvalFrame (") {
				rep.calls = append(rep.calls, c[0])
			}
		}
	}
	return rep, sc.Err()
}

func count(s string) uint64 {
	n, _ := strconv.ParseUint(strings.ReplaceAll(s, ",", ""), 10, 64)
	return n
}

func group(n uint64) string {
	s := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// resolveNames assigns opcode names from all pairs' evidence.
func (r *rebuilder) resolveNames() error {
	cands := map[int]map[string]bool{}
	constrain := func(n int, set []string) {
		s := map[string]bool{}
		for _, x := range set {
			s[x] = true
		}
		if old, ok := cands[n]; ok {
			for x := range old {
				if !s[x] {
					delete(old, x)
				}
			}
			return
		}
		cands[n] = s
	}
	for _, pd := range r.pairs {
		// Families by position.
		var shown []int
		for n, o := range pd.ops {
			if o.specializable && o.total > 0 {
				shown = append(shown, n)
			}
		}
		sort.Ints(shown)
		if len(shown) != len(pd.rep.families) {
			return fmt.Errorf("%s: %d families in JSON, %d in report", pd.jsonPath, len(shown), len(pd.rep.families))
		}
		for i, n := range shown {
			constrain(n, []string{pd.rep.families[i].name})
		}
		paired := map[int]bool{}
		for n, o := range pd.ops {
			if n == 0 {
				continue
			}
			for m := range o.pairs {
				paired[n], paired[m] = true, true
			}
		}
		for n, o := range pd.ops {
			var names []string
			if o.hasExec && o.exec > 0 {
				names = pd.rep.exec[group(o.exec)]
			}
			if len(names) == 0 && (o.hasExec && o.exec > 0 || paired[n]) {
				// Opcodes with pairs but no execution count (the
				// instrumented ones of 2023), and the instructions with
				// misses whose rows the Nov-2022 summarizer dropped: any
				// name shown elsewhere but not in the table, with a
				// matching miss count where the misses table shows one.
				for x := range pd.rep.allNames {
					if m, ok := pd.rep.misses[x]; !pd.rep.execNames[x] && (!ok || m == o.miss) {
						names = append(names, x)
					}
				}
				if len(names) == 0 {
					return fmt.Errorf("%s: no report row with count %d (opcode %d)", pd.jsonPath, o.exec, n)
				}
			}
			if len(names) > 0 {
				constrain(n, names)
			}
		}
	}
	// Propagate: a resolved name leaves the other candidates' sets; pairs
	// decide ties.
	for changed := true; changed; {
		changed = false
		for n, s := range cands {
			if len(s) != 1 {
				continue
			}
			var name string
			for x := range s {
				name = x
			}
			if r.names[n] != name {
				r.names[n] = name
				changed = true
			}
			for m, t := range cands {
				if m != n && t[name] && len(t) > 1 {
					delete(t, name)
					changed = true
				}
			}
		}
		for n, s := range cands {
			if len(s) < 2 {
				continue
			}
			for x := range s {
				if !r.pairsAgree(n, x) {
					delete(s, x)
					changed = true
				}
			}
			// Prefer the candidates whose shown pairs match most JSON pairs.
			best, scores := 0, map[string]int{}
			for x := range s {
				scores[x] = r.pairMatches(n, x)
				best = max(best, scores[x])
			}
			for x := range s {
				if scores[x] < best {
					delete(s, x)
					changed = true
				}
			}
		}
	}
	var bad []string
	for n, s := range cands {
		if len(s) != 1 {
			var l []string
			for x := range s {
				l = append(l, x)
			}
			sort.Strings(l)
			bad = append(bad, fmt.Sprintf("opcode %d: %v", n, l))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("unresolved opcode names:\n  %s", strings.Join(bad, "\n  "))
	}
	return nil
}

// pairsAgree reports whether naming opcode n x contradicts no pair shown in
// the reports: a pair between x and a named opcode must have the JSON's count
// wherever the report shows that pair.
func (r *rebuilder) pairsAgree(n int, x string) bool {
	for _, pd := range r.pairs {
		check := func(label string, want uint64) bool {
			got, ok := pd.rep.pairs[label]
			return !ok || got == want
		}
		if o := pd.ops[n]; o != nil && n != 0 {
			for m, c := range o.pairs {
				if other, ok := r.names[m]; ok && !check(x+" "+other, c) {
					return false
				}
			}
		}
		for m, o := range pd.ops {
			if m == 0 {
				continue
			}
			if c, ok := o.pairs[n]; ok {
				if other, ok := r.names[m]; ok && !check(other+" "+x, c) {
					return false
				}
			}
		}
		// A name whose neighbour tables are printed must have pairs.
		if _, shown := pd.rep.neighbours[x]; shown {
			o := pd.ops[n]
			has := o != nil && len(o.pairs) > 0 && n != 0
			for m, o2 := range pd.ops {
				if m != 0 && o2.pairs[n] > 0 {
					has = true
				}
			}
			if !has {
				return false
			}
		}
	}
	return true
}

// pairMatches counts the JSON pairs between opcode n and named opcodes that
// the reports show, with the same count, when n is named x.
func (r *rebuilder) pairMatches(n int, x string) int {
	matches := 0
	for _, pd := range r.pairs {
		for m, o := range pd.ops {
			if m == 0 {
				continue
			}
			for k, c := range o.pairs {
				var label string
				switch {
				case m == n && k != n:
					other, ok := r.names[k]
					if !ok {
						continue
					}
					label = x + " " + other
				case k == n && m != n:
					other, ok := r.names[m]
					if !ok {
						continue
					}
					label = other + " " + x
				default:
					continue
				}
				if got, ok := pd.rep.pairs[label]; ok && got == c {
					matches++
				}
			}
		}
	}
	return matches
}

// notSpecialized are base instructions whose names merely start with a
// family's name.
var notSpecialized = map[string]bool{"CALL_FUNCTION_EX": true, "CALL_INTRINSIC_1": true, "CALL_INTRINSIC_2": true,
	"JUMP_BACKWARD_NO_INTERRUPT": true}

// specialized derives the specialized instruction names and checks them
// against each report's effectiveness table.
func (r *rebuilder) specialized() ([]string, error) {
	families := map[string]bool{}
	for _, pd := range r.pairs {
		for n, o := range pd.ops {
			if o.specializable {
				if name, ok := r.names[n]; ok {
					families[name] = true
				}
			}
		}
	}
	set := map[string]bool{}
	for _, pd := range r.pairs {
		for n, o := range pd.ops {
			name, ok := r.names[n]
			if !ok || o.specializable || strings.Contains(name, "__") {
				continue
			}
			if o.hasMiss {
				set[name] = true
				continue
			}
			for fam := range families {
				if strings.HasPrefix(name, fam+"_") && !notSpecialized[name] {
					set[name] = true
				}
			}
		}
	}
	for _, pd := range r.pairs {
		var basic, notSpec, spec uint64
		for n, o := range pd.ops {
			if !o.hasExec {
				continue
			}
			switch {
			case o.specializable:
				notSpec += o.exec
			case set[r.names[n]]:
				notSpec += o.miss
				spec += o.exec - o.miss
			default:
				basic += o.exec
			}
		}
		e := pd.rep.effectiveness
		if e["Basic"] != group(basic) || e["Not specialized"] != group(notSpec) || e["Specialized"] != group(spec) {
			return nil, fmt.Errorf("%s: effectiveness mismatch: derived basic %s, not specialized %s, specialized %s; report %v",
				pd.jsonPath, group(basic), group(notSpec), group(spec), e)
		}
	}
	var list []string
	for s := range set {
		list = append(list, s)
	}
	sort.Strings(list)
	return list, nil
}

// familyPrefix is the summarizer's SPEC_FAIL_* prefix for a family.
func familyPrefix(name string) string {
	switch {
	case name == "LOAD_SUPER_ATTR":
		return "SUPER"
	case strings.HasSuffix(name, "ATTR"):
		return "ATTR"
	case name == "FOR_ITER" || name == "SEND":
		return "ITER"
	case strings.HasSuffix(name, "SUBSCR"):
		return "SUBSCR"
	}
	return name
}

func (r *rebuilder) addDefine(n int, name string) {
	for _, x := range r.defines[n] {
		if x == name {
			return
		}
	}
	r.defines[n] = append(r.defines[n], name)
}

// kindDefines recovers SPEC_FAIL_* names from the failure-kind tables.
func (r *rebuilder) kindDefines() error {
	for _, pd := range r.pairs {
		var shown []int
		for n, o := range pd.ops {
			if o.specializable && o.total > 0 {
				shown = append(shown, n)
			}
		}
		sort.Ints(shown)
		for i, n := range shown {
			fam := pd.rep.families[i]
			type kv struct {
				index int
				value uint64
			}
			var kinds []kv
			for k, v := range pd.ops[n].kinds {
				if v != 0 {
					kinds = append(kinds, kv{k, v})
				}
			}
			sort.Slice(kinds, func(a, b int) bool {
				if kinds[a].value != kinds[b].value {
					return kinds[a].value > kinds[b].value
				}
				return kinds[a].index > kinds[b].index
			})
			if len(kinds) != len(fam.kinds) && len(fam.kinds) > 0 {
				return fmt.Errorf("%s: %s has %d failure kinds in JSON, %d in report", pd.jsonPath, fam.name, len(kinds), len(fam.kinds))
			}
			for j, row := range fam.kinds {
				k := kinds[j]
				if group(k.value) != row[1] {
					return fmt.Errorf("%s: %s failure kind %d: JSON %d, report %s", pd.jsonPath, fam.name, k.index, k.value, row[1])
				}
				label := row[0]
				if label == "kind "+strconv.Itoa(k.index) {
					continue
				}
				define := strings.ToUpper(strings.ReplaceAll(label, " ", "_"))
				if k.index > genericMax {
					define = familyPrefix(fam.name) + "_" + define
				}
				r.addDefine(k.index, define)
			}
		}
		if len(pd.rep.calls) != len(pd.callIndex) {
			return fmt.Errorf("%s: %d EvalFrame rows in JSON, %d in report", pd.jsonPath, len(pd.callIndex), len(pd.rep.calls))
		}
		for i, label := range pd.rep.calls {
			label = strings.TrimSuffix(strings.TrimPrefix(label, "Calls via PyEval_EvalFrame ("), ")")
			r.evalCall[pd.callIndex[i]] = strings.ToUpper(strings.ReplaceAll(label, " ", "_"))
		}
	}
	for n, names := range r.defines {
		if n <= genericMax && len(names) > 1 {
			return fmt.Errorf("generic kind %d has two labels: %v", n, names)
		}
	}
	return nil
}

// genericMax is the largest failure kind the summarizer names without the
// family prefix.
var genericMax = 8

// tablesFile is the build-tables JSON format (specialize/tables).
type tablesFile struct {
	version, source string
	opnames         map[int]string
	specialized     []string
	statsDefines    map[int][]string
	defines         map[int][]string
}

func (r *rebuilder) tables(build string, sources []string) (*tablesFile, error) {
	if err := r.resolveNames(); err != nil {
		return nil, err
	}
	spec, err := r.specialized()
	if err != nil {
		return nil, err
	}
	if err := r.kindDefines(); err != nil {
		return nil, err
	}
	sd := map[int][]string{}
	for n, s := range r.evalCall {
		sd[n] = []string{s}
	}
	return &tablesFile{
		version: build,
		source: "reconstructed by testdata/tables/rebuild from the published summarize JSON and markdown " +
			strings.Join(sources, ", ") + " (opcode names matched by execution and pair counts, failure kinds by " +
			"count order); covers only what those reports show; test input, not CPython's tables",
		opnames:      r.names,
		specialized:  spec,
		statsDefines: sd,
		defines:      r.defines,
	}, nil
}

// marshal writes the file with sorted numeric keys, one member per line.
func (t *tablesFile) marshal() ([]byte, error) {
	var b strings.Builder
	str := func(s string) string { q, _ := json.Marshal(s); return string(q) }
	b.WriteString("{\n")
	fmt.Fprintf(&b, "  \"version\": %s,\n", str(t.version))
	fmt.Fprintf(&b, "  \"source\": %s,\n", str(t.source))
	b.WriteString("  \"opnames\": {")
	var ns []int
	for n := range t.opnames {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	for i, n := range ns {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n    \"%d\": %s", n, str(t.opnames[n]))
	}
	b.WriteString("\n  },\n  \"_specialized_instructions\": [")
	for i, s := range t.specialized {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    " + str(s))
	}
	b.WriteString("\n  ],\n")
	for _, d := range []struct {
		key string
		m   map[int][]string
	}{{"_stats_defines", t.statsDefines}, {"_defines", t.defines}} {
		fmt.Fprintf(&b, "  %q: {", d.key)
		var ks []int
		for n := range d.m {
			ks = append(ks, n)
		}
		sort.Ints(ks)
		for i, n := range ks {
			if i > 0 {
				b.WriteString(",")
			}
			var q []string
			for _, s := range d.m[n] {
				q = append(q, str(s))
			}
			fmt.Fprintf(&b, "\n    \"%d\": [%s]", n, strings.Join(q, ", "))
		}
		b.WriteString("\n  }")
		if d.key == "_stats_defines" {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return []byte(b.String()), nil
}
