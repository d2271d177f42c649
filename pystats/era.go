package pystats

import "strings"

// Era describes what kind of data a Stats holds, detected from its keys.
type Era struct {
	// NamedOpcodes is true for opcode[NAME] keys (3.13+), false for opcode[N]
	// keys (3.11, 3.12 and main until about September 2023).
	NamedOpcodes bool
	// HasOpcodes is false when the data has no opcode keys at all.
	HasOpcodes bool
	// Families present, in first-seen order.
	Families []Family
	// Tier2 is true when the data has Tier-2 optimizer counters
	// (PYTHON_UOPS and JIT builds; every 3.13 development build until spring 2024).
	Tier2 bool
	// UopPairs is true when uop pair counts are present (Tier-2 interpreter, not JIT).
	UopPairs bool
	// JITMemory is true when the 3.14+ JIT memory counters are present.
	JITMemory bool
	// Version is the best guess of the CPython release line: "3.11", "3.12",
	// "3.13", "3.14", "3.15" (main after 3.14), or "" when unknown.
	Version string
	// Why says which keys decided Version.
	Why string
}

// DetectEra inspects the keys of st.
func DetectEra(st *Stats) Era {
	var e Era
	seen := map[Family]bool{}
	fams := st.Families()
	keys := st.Keys()
	has := map[string]bool{}
	for i, f := range fams {
		if !seen[f] {
			seen[f] = true
			e.Families = append(e.Families, f)
		}
		k := keys.Value(i)
		switch f {
		case FamilyOpcode:
			if !e.HasOpcodes {
				e.HasOpcodes = true
				end := strings.IndexByte(k, ']')
				e.NamedOpcodes = end > 0 && !isDecimal(k[len("opcode["):end])
			}
		case FamilyOptimization:
			if k == "Optimization attempts" {
				e.Tier2 = true
			}
			if strings.HasPrefix(k, "JIT ") {
				e.JITMemory = true
			}
		case FamilyUopPair:
			e.UopPairs = true
		}
		switch k {
		case "Calls via PyEval_EvalFrame[0]", "Object mortal increfs", "Object inline values", "Object new values",
			"JIT GOT size", "opcode[GET_ITER].specializable", "GC[0] objects reachable from roots",
			"Object increfs", "opcode[LOAD_SUPER_ATTR].specializable":
			has[k] = true
		}
	}
	switch {
	case e.NamedOpcodes && (has["JIT GOT size"] || has["opcode[GET_ITER].specializable"]):
		e.Version, e.Why = "3.15", "named opcodes with GET_ITER specializable or JIT GOT size (main after 3.14)"
	case e.NamedOpcodes && (has["Object mortal increfs"] || has["GC[0] objects reachable from roots"]):
		e.Version, e.Why = "3.14", "named opcodes with mortal/immortal refcount or GC reachability counters"
	case e.NamedOpcodes:
		e.Version, e.Why = "3.13", "named opcodes without 3.14 counters"
	case e.HasOpcodes && !has["Calls via PyEval_EvalFrame[0]"]:
		e.Version, e.Why = "3.11", "numeric opcodes without 'Calls via PyEval_EvalFrame' counters"
	case e.HasOpcodes:
		e.Version, e.Why = "3.12", "numeric opcodes with 'Calls via PyEval_EvalFrame' counters"
	}
	return e
}
