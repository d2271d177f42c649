package specialize

import (
	"slices"
	"strings"
	"sync"

	"github.com/pystats-dev/pystats/pystats"
)

// This file is THE per-instruction and per-family view of a data set: what
// each Tier-1 instruction is (generic member of a family, 3.11 adaptive
// form, specialized form, or basic), its family, its counters, the
// specialization effectiveness, the Tier-1 total and the failure-kind
// labels, under the rules of the data's era. Every renderer (E1, E2, E4),
// the exports, the notable changes and the specialization view read these
// answers from here, so a counter means the same everywhere.

// Rules are how the summarizer of a data set's era reads the counters.
// RulesOf derives them from the data; renderers of a sub-style may adjust
// the label rules of the script version they reproduce (SendOwnPrefix,
// GenericKinds of the November 2022 script, a forced E4 sub-style's
// GetIterIsIter).
type Rules struct {
	// Line311 is true for CPython 3.11 data (numeric, or renamed with
	// Named: its build's specialized instructions include *_ADAPTIVE forms).
	// The 3.11 summarizer counts *_ADAPTIVE executions as not specialized,
	// adds the deferred count to a family's total and names failure kinds
	// with its own prefixes (FamilyPrefixE1) and 7 generic kinds.
	Line311 bool
	// TotalWithDeferred: a family's specialization total (the Kind table's
	// denominator) is deferred + hit + miss + execution_count, not
	// hit + miss + execution_count.
	TotalWithDeferred bool
	// GenericKinds is the number of failure kinds (0..n-1) named without the
	// family prefix: 7 for 3.11, 9 later (8 in the November 2022 script).
	GenericKinds int
	// GetIterIsIter: GET_ITER failure kinds take ITER_* names (2025 main,
	// see Main2025).
	GetIterIsIter bool
	// SendOwnPrefix: SEND failure kinds are looked up under "SEND_" (E2
	// scripts before May 2023).
	SendOwnPrefix bool
}

// RulesOf returns the rules of the summarizer of st's era; t are the build
// tables used for it (nil when the data carries its metadata).
func RulesOf(st *pystats.Stats, era pystats.Era, t *Tables) Rules {
	r := Rules{GenericKinds: 9}
	if era.Version == "3.11" || hasAdaptive(buildTablesOf(st, t).SpecializedInstructions) {
		r.Line311, r.TotalWithDeferred, r.GenericKinds = true, true, 7
	}
	r.GetIterIsIter = !r.Line311 && Main2025(st)
	if era.HasOpcodes && !era.NamedOpcodes && !r.Line311 {
		// The E2 scripts of main: before December 2022 (no "__nfiles__")
		// kinds 0-7 were generic; before LOAD_SUPER_ATTR (April 2023) SEND
		// kinds were looked up under "SEND_".
		if _, ok := st.Value("__nfiles__"); !ok {
			r.GenericKinds, r.SendOwnPrefix = 8, true
		} else if t != nil && len(t.Opnames) > 0 {
			if _, ok := t.OpcodeNumber("LOAD_SUPER_ATTR"); !ok {
				r.SendOwnPrefix = true
			}
		}
	}
	return r
}

// Main2025 reports whether st comes from a build whose summarizer is 2025
// main's (3.14 and later, the E4c style): mortal/immortal refcount or GC
// reachability counters, a specializable GET_ITER or the JIT GOT size. The
// E4 sub-style choice and the GET_ITER failure-kind rule both read it.
func Main2025(st *pystats.Stats) bool {
	for _, k := range []string{"Object mortal increfs", "Object interpreter mortal increfs",
		"GC[0] objects reachable from roots", "opcode[GET_ITER].specializable", "JIT GOT size"} {
		if _, ok := st.Value(k); ok {
			return true
		}
	}
	return false
}

func hasAdaptive(names []string) bool {
	for _, s := range names {
		if strings.HasSuffix(s, "_ADAPTIVE") {
			return true
		}
	}
	return false
}

// buildTablesOf is the one choice of build tables for st: the data's own
// metadata when it carries it, else t's, else none (empty tables).
func buildTablesOf(st *pystats.Stats, t *Tables) *pystats.BuildTables {
	switch {
	case st.Meta.HasBuildTables:
		return &st.Meta.BuildTables
	case t != nil:
		return &t.BuildTables
	}
	return &pystats.BuildTables{}
}

// FailureKindLabel names failure kind n of the family whose generic opcode
// is op, as the summarizer of these rules does: kinds below GenericKinds
// take their first SPEC_FAIL_* name; others the first name that starts with
// the family prefix, minus the prefix and one separator; "kind n" when none
// does. defines may be nil. This is the one failure-kind naming rule.
func (r Rules) FailureKindLabel(op string, n int, defines *pystats.Defines) string {
	var names []string
	if defines != nil {
		names = defines.Names[n]
	}
	return kindLabel(names, n, r.GenericKinds, r.prefix(op))
}

func (r Rules) prefix(op string) string {
	switch {
	case r.Line311:
		return FamilyPrefixE1(op)
	case op == "SEND" && r.SendOwnPrefix:
		return op
	}
	return FamilyPrefix(op, r.GetIterIsIter)
}

// Class is what a Tier-1 instruction is for the specialization
// effectiveness.
type Class uint8

// The classes of an instruction.
const (
	// ClassBasic instructions are not and cannot be specialized (and
	// super-instructions, names with "__").
	ClassBasic Class = iota
	// ClassGeneric is the generic member of a family (marked specializable):
	// its executions are "not specialized".
	ClassGeneric
	// ClassAdaptive is a 3.11 *_ADAPTIVE form: its executions are "not
	// specialized" too.
	ClassAdaptive
	// ClassSpecialized is a specialized form: its executions less its misses
	// are specialized hits.
	ClassSpecialized
)

// Instruction is one Tier-1 instruction of the view.
type Instruction struct {
	// Name is the instruction's name: the data's, or for numeric data the
	// build tables' name of the number (the number itself when unnamed).
	Name string
	// Stat are its counters; Stat.Name is the data's name field (a number
	// for 3.11 and 3.12 data).
	Stat  *OpcodeStat
	Class Class
	// Family is the generic instruction of its family: itself for a
	// generic, the longest marked-specializable (else other unspecialized)
	// instruction whose name and "_" start its name for a specialized or
	// adaptive form; "" for a basic instruction or an unknown family.
	Family string
}

// Effectiveness is the summarizer's "Specialization effectiveness" of the
// Tier-1 executions.
type Effectiveness struct {
	// Basic are executions of basic instructions.
	Basic uint64
	// NotSpecialized are executions of generic instructions and of 3.11
	// adaptive forms.
	NotSpecialized uint64
	// Hits are executions of specialized forms less their misses (it can
	// be negative in 3.11 data, where the E1 report prints it signed).
	Hits int64
	// Misses are the specialized forms' misses (deopts). The E1 and E2
	// reports count them as not specialized; E4 lists them apart.
	Misses uint64
}

// View is the per-instruction and per-family view of one data set.
// Build it with NewView or Dataset.View; it is read-only afterwards and may
// be shared.
type View struct {
	Rules Rules
	// Counters are the counters of every bracket family by instruction.
	Counters *OpcodeViews
	// Tier1 are the opcode[...] instructions in first-seen order.
	Tier1 []Instruction
	// Tier1Total is the sum of every Tier-1 execution_count: the
	// denominator of every execution share.
	Tier1Total uint64
	// Defines are the SPEC_FAIL_* names used for failure kinds and
	// StatsDefines the EVAL_CALL_* names of call kinds: the data's metadata
	// when it carries it, else the tables' (this is the one place that
	// chooses between pystats.Metadata and Tables); never nil.
	Defines, StatsDefines *pystats.Defines
	// Specialized is the build's specialized-instruction list (names with
	// "__" dropped), in its order.
	Specialized []string

	byName      map[string]int
	specialized map[string]bool
	numeric     bool
}

// NewView builds the view of st, of era era, with build tables t (nil when
// the data carries its metadata or none is known).
func NewView(st *pystats.Stats, era pystats.Era, t *Tables) *View {
	v := &View{Rules: RulesOf(st, era, t), Counters: NewOpcodeViews(st), numeric: era.HasOpcodes && !era.NamedOpcodes}
	bt := buildTablesOf(st, t)
	v.Defines, v.StatsDefines = &bt.Defines, &bt.StatsDefines
	v.specialized = map[string]bool{}
	for _, s := range bt.SpecializedInstructions {
		if !strings.Contains(s, "__") && !v.specialized[s] {
			v.specialized[s] = true
			v.Specialized = append(v.Specialized, s)
		}
	}
	ops := v.Counters.Opcode.Ops
	v.Tier1 = make([]Instruction, len(ops))
	v.byName = make(map[string]int, len(ops))
	var generics, others []string
	for i := range ops {
		o := &ops[i]
		name := o.Name
		if v.numeric {
			name = t.OpcodeName(name)
		}
		in := Instruction{Name: name, Stat: o}
		switch {
		case o.Specializable:
			in.Class, in.Family = ClassGeneric, name
			generics = append(generics, name)
		case v.adaptive(name):
			in.Class = ClassAdaptive
			others = append(others, name)
		case v.specialized[name]:
			in.Class = ClassSpecialized
		default:
			others = append(others, name)
		}
		v.Tier1[i] = in
		if _, dup := v.byName[name]; !dup {
			v.byName[name] = i
		}
	}
	v.Tier1Total = v.Counters.Opcode.TotalExecutionCount()
	// Generics without inline caches are not marked specializable
	// (RESUME for RESUME_CHECK): the build's other names count too.
	if t != nil {
		seen := make(map[string]bool, len(others))
		for _, n := range others {
			seen[n] = true
		}
		for _, n := range sortedOpnames(t) {
			if !seen[n] && (!v.specialized[n] || v.adaptive(n)) && !slices.Contains(generics, n) {
				others = append(others, n)
			}
		}
	}
	for i := range v.Tier1 {
		in := &v.Tier1[i]
		if in.Class == ClassSpecialized || in.Class == ClassAdaptive {
			if fam, ok := FamilyOf(in.Name, generics); ok {
				in.Family = fam
			} else if fam, ok := FamilyOf(in.Name, others); ok {
				in.Family = fam
			}
		}
	}
	return v
}

// adaptive reports whether name is a 3.11 *_ADAPTIVE form.
func (v *View) adaptive(name string) bool {
	return v.Rules.Line311 && v.specialized[name] && strings.HasSuffix(name, "_ADAPTIVE")
}

// sortedOpnames lists the names of a build's opcode table in number order.
func sortedOpnames(t *Tables) []string {
	if len(t.Opnames) == 0 {
		return nil
	}
	hi := 0
	for n := range t.Opnames {
		hi = max(hi, n)
	}
	var out []string
	for n := 0; n <= hi; n++ {
		if s, ok := t.Opnames[n]; ok {
			out = append(out, s)
		}
	}
	return out
}

// View returns the data set's view, built on first use and shared.
func (d *Dataset) View() *View {
	d.viewOnce.Do(func() {
		d.view = NewView(d.Stats, d.Era, d.Tables)
		if d.rules != nil {
			d.view.Rules = *d.rules
		}
	})
	return d.view
}

// Instruction returns the Tier-1 instruction of that name, or nil.
func (v *View) Instruction(name string) *Instruction {
	if i, ok := v.byName[name]; ok {
		return &v.Tier1[i]
	}
	return nil
}

// IsSpecialized reports whether name is in the build's specialized list
// (names with "__" excluded; 3.11 adaptive forms included, see Class).
func (v *View) IsSpecialized(name string) bool { return v.specialized[name] }

// FamilyTotal is a family's specialization total under the rules: hit +
// miss + execution_count (+ deferred for 3.11): the denominator of its Kind
// table.
func (v *View) FamilyTotal(o *OpcodeStat) uint64 {
	t := o.Hit + o.Miss + o.ExecutionCount
	if v.Rules.TotalWithDeferred {
		t += o.Deferred
	}
	return t
}

// Effectiveness sums the Tier-1 executions (of instructions with an
// execution_count) by class.
func (v *View) Effectiveness() Effectiveness {
	var e Effectiveness
	for i := range v.Tier1 {
		in := &v.Tier1[i]
		o := in.Stat
		if !o.HasExecutionCount {
			continue
		}
		switch in.Class {
		case ClassGeneric, ClassAdaptive:
			e.NotSpecialized += o.ExecutionCount
		case ClassSpecialized:
			e.Misses += o.Miss
			e.Hits += int64(o.ExecutionCount) - int64(o.Miss)
		default:
			e.Basic += o.ExecutionCount
		}
	}
	return e
}

// FailureKindLabel names failure kind n of family op with the view's rules
// and defines.
func (v *View) FailureKindLabel(op string, n int) string {
	return v.Rules.FailureKindLabel(op, n, v.Defines)
}

// FailureKinds labels an instruction's non-zero failure kinds in index
// order, as the E4 report's "Failure kind" table and the specialization
// view do: a label that two kinds share keeps its first position and the
// later kind's count (the summarizer builds a dict). name is the family's
// name (for numeric data, the instruction's Name).
func (v *View) FailureKinds(name string, o *OpcodeStat, r Rules) []KindCount {
	var kinds []KindCount
	pos := map[string]int{}
	for _, fk := range o.FailureKinds {
		if fk.Value == 0 {
			continue
		}
		label := r.FailureKindLabel(name, fk.Index, v.Defines)
		if i, ok := pos[label]; ok {
			kinds[i].Count = fk.Value
			continue
		}
		pos[label] = len(kinds)
		kinds = append(kinds, KindCount{Label: label, Count: fk.Value})
	}
	return kinds
}

// Loss ranks the view's families by lost work (ComputeLoss).
func (v *View) Loss() *Loss { return ComputeLoss(v) }

// viewCache is embedded in Dataset.
type viewCache struct {
	viewOnce sync.Once
	view     *View
}
