package specialize

import (
	"github.com/pystats-dev/pystats/pystats"
)

// Tables are the facts about one CPython build that its pystats data does not
// carry: opcode numbering (numeric eras), the specialized instructions, and the
// SPEC_FAIL_* (Defines) and EVAL_CALL_* (StatsDefines) tables.
type Tables struct {
	// Version is the release line or build the tables describe, e.g. "3.12".
	Version string
	// Source says where the tables came from (release tag, file, checkout).
	Source string
	// Opnames maps opcode numbers to names for numeric-opcode data, as the
	// summarizer of that era names them (specialized instructions filled in).
	// Empty for named-opcode versions.
	Opnames map[int]string
	// SpecializedInstructions are the specialized instruction names (names
	// containing "__" already dropped, as the summarizer does).
	SpecializedInstructions []string
	Defines                 pystats.Defines
	StatsDefines            pystats.Defines
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
		if c < '0' || c > '9' {
			return name
		}
		n = n*10 + int(c-'0')
	}
	if s, ok := t.Opnames[n]; ok {
		return s
	}
	return name
}
