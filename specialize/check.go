package specialize

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pystats-dev/pystats/pystats"
)

// alwaysSpecializable are opcodes that summarizers mark specializable
// although no specialized instruction derives from them.
var alwaysSpecializable = map[string]bool{"BINARY_SLICE": true, "STORE_SLICE": true, "GET_ITER": true, "FOR_ITER": true}

// CheckNumbering tells whether numeric-opcode data fits these tables: every
// opcode number the data marks "specializable" must be, under the tables, the
// generic instruction of a family (a name that some specialized instruction
// extends, as LOAD_ATTR does LOAD_ATTR_MODULE). Development builds renumbered
// opcodes many times, so release tables on such data give wrong names; this
// catches it. Likewise every number that carries specialization misses, which
// are counted on specialized instructions, must name one. It returns one line
// per misfit, empty when the data fits or has named opcodes.
func (t *Tables) CheckNumbering(st *pystats.Stats) []string {
	if t == nil || len(t.Opnames) == 0 {
		return nil
	}
	families := map[string]bool{}
	for _, s := range t.SpecializedInstructions {
		for i := len(s) - 1; i > 0; i-- {
			if s[i] == '_' {
				families[s[:i]] = true
			}
		}
	}
	fams, names, counters := st.Families(), st.Names(), st.CounterNames()
	marked := map[string]bool{}
	for i, f := range fams {
		if f == pystats.FamilyOpcode && counters.Value(i) == "specializable" {
			marked[names.Value(i)] = true
		}
	}
	var bad []string
	for i, f := range fams {
		if f != pystats.FamilyOpcode {
			continue
		}
		if counters.Value(i) == "specialization.miss" && !marked[names.Value(i)] {
			num := names.Value(i)
			if name := t.OpcodeName(num); !t.IsSpecialized(name) {
				bad = append(bad, fmt.Sprintf("opcode %s has specialization misses but is %s, not a specialized instruction, in the %s tables", num, name, t.Version))
			}
			continue
		}
		if counters.Value(i) != "specializable" {
			continue
		}
		num := names.Value(i)
		name := t.OpcodeName(num)
		if name == num {
			bad = append(bad, fmt.Sprintf("opcode %s has no name in the %s tables", num, t.Version))
			continue
		}
		if !families[name] && !alwaysSpecializable[name] {
			bad = append(bad, fmt.Sprintf("opcode %s is marked specializable but is %s in the %s tables", num, name, t.Version))
		}
	}
	sort.Strings(bad)
	return bad
}

// NumberingWarning is CheckNumbering's findings as one message, or "".
func (t *Tables) NumberingWarning(st *pystats.Stats) string {
	bad := t.CheckNumbering(st)
	if len(bad) == 0 {
		return ""
	}
	more := ""
	if len(bad) > 3 {
		more = fmt.Sprintf(" (and %d more)", len(bad)-3)
		bad = bad[:3]
	}
	return fmt.Sprintf("the opcode numbering of this data does not match the %s tables (%s): it comes from another build, so names would be wrong; give that build's tables with --tables FILE or --cpython-src DIR",
		t.Version, strings.Join(bad, "; ")+more)
}
