package specialize

import (
	"github.com/pystats-dev/pystats/pystats"
)

// Tables are the facts about one CPython build that its pystats data does not
// carry: opcode numbering (numeric eras), the specialized instructions, and the
// SPEC_FAIL_* (Defines) and EVAL_CALL_* (StatsDefines) tables.
//
// Tables returned by Embedded are shared: treat them as read-only.
type Tables struct {
	// Version is the release line or build the tables describe, e.g. "3.12".
	Version string
	// Source says where the tables came from (release tag, file, checkout).
	Source string
	// Opnames maps opcode numbers to names for numeric-opcode data, as the
	// summarizer of that era names them (specialized instructions filled in).
	// Empty for named-opcode versions.
	Opnames map[int]string
	// BuildTables are the specialized instructions and the SPEC_FAIL_* and
	// EVAL_CALL_* names: the same type a summarize JSON's metadata carries.
	pystats.BuildTables

	specialized map[string]bool
	opnumbers   map[string]int
}

// OpcodeName returns the name for an opcode key's name field: numeric names
// are looked up in Opnames, others are returned as they are.
func (t *Tables) OpcodeName(name string) string {
	if t == nil || len(t.Opnames) == 0 {
		return name
	}
	n := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < '0' || c > '9' || n > 1<<20 {
			return name
		}
		n = n*10 + int(c-'0')
	}
	if name == "" {
		return name
	}
	if s, ok := t.Opnames[n]; ok {
		return s
	}
	return name
}

// OpcodeNumber returns the number whose name is name in Opnames (the reverse
// of OpcodeName for numeric eras); false when no slot has that name.
func (t *Tables) OpcodeNumber(name string) (int, bool) {
	if t == nil {
		return 0, false
	}
	if t.opnumbers == nil {
		t.index()
	}
	n, ok := t.opnumbers[name]
	return n, ok
}

// IsSpecialized reports whether name is one of SpecializedInstructions.
func (t *Tables) IsSpecialized(name string) bool {
	if t == nil {
		return false
	}
	if t.specialized == nil {
		t.index()
	}
	return t.specialized[name]
}

// index builds the lookup maps. The constructors in this package call it, so
// shared tables are never written to by lookups; tables built by hand are
// indexed on first use.
func (t *Tables) index() {
	nums := make(map[string]int, len(t.Opnames))
	for n, s := range t.Opnames {
		if old, ok := nums[s]; !ok || n < old {
			nums[s] = n
		}
	}
	spec := make(map[string]bool, len(t.SpecializedInstructions))
	for _, s := range t.SpecializedInstructions {
		spec[s] = true
	}
	t.opnumbers, t.specialized = nums, spec
}

// Metadata returns the tables as the three metadata members the E3/E4
// summarizer appends to its JSON. The result shares no memory with t.
func (t *Tables) Metadata() pystats.Metadata {
	return pystats.Metadata{HasBuildTables: true, BuildTables: pystats.BuildTables{
		SpecializedInstructions: append([]string{}, t.SpecializedInstructions...),
		StatsDefines:            cloneDefines(t.StatsDefines),
		Defines:                 cloneDefines(t.Defines),
	}}
}

func cloneDefines(d pystats.Defines) pystats.Defines {
	out := pystats.Defines{Order: append([]int{}, d.Order...), Names: make(map[int][]string, len(d.Names))}
	for n, names := range d.Names {
		out.Names[n] = append([]string{}, names...)
	}
	return out
}
