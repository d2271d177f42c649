package specialize

import (
	"slices"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
)

// TestViewFamilies: the family of a specialized instruction is the longest
// marked-specializable instruction whose name and "_" start its name, else
// the longest other unspecialized one (RESUME for RESUME_CHECK: generics
// without inline caches are not marked); none for a name that no generic
// starts.
func TestViewFamilies(t *testing.T) {
	var keys []string
	var vals []uint64
	for _, g := range []string{"LOAD_ATTR", "LOAD_SUPER_ATTR", "CALL", "CALL_KW", "BINARY_OP", "TO_BOOL"} {
		keys, vals = append(keys, "opcode["+g+"].specializable"), append(vals, 1)
	}
	spec := []string{"LOAD_ATTR_SLOT", "LOAD_SUPER_ATTR_METHOD", "CALL_KW_PY", "CALL_PY_EXACT_ARGS", "TO_BOOL_ALWAYS_TRUE",
		"RESUME_CHECK", "JUMP_BACKWARD_NO_JIT", "LOAD_CONST_IMMORTAL", "STORE_FAST_MAYBE_NULL", "LOAD_ATTRX"}
	for _, n := range append([]string{"RESUME", "JUMP_BACKWARD", "LOAD_CONST", "CALL_FUNCTION_EX"}, spec...) {
		keys, vals = append(keys, "opcode["+n+"].execution_count"), append(vals, 1)
	}
	st := pystats.NewStats(keys, vals, pystats.Metadata{HasBuildTables: true, BuildTables: pystats.BuildTables{SpecializedInstructions: spec}}, pystats.Source{})
	defer st.Release()
	v := NewView(st, pystats.DetectEra(st), nil)
	for _, tt := range []struct {
		name, family string
		class        Class
	}{
		{"LOAD_ATTR_SLOT", "LOAD_ATTR", ClassSpecialized},
		{"LOAD_SUPER_ATTR_METHOD", "LOAD_SUPER_ATTR", ClassSpecialized},
		{"CALL_KW_PY", "CALL_KW", ClassSpecialized},
		{"CALL_PY_EXACT_ARGS", "CALL", ClassSpecialized},
		{"TO_BOOL_ALWAYS_TRUE", "TO_BOOL", ClassSpecialized},
		{"RESUME_CHECK", "RESUME", ClassSpecialized},
		{"JUMP_BACKWARD_NO_JIT", "JUMP_BACKWARD", ClassSpecialized},
		{"LOAD_CONST_IMMORTAL", "LOAD_CONST", ClassSpecialized},
		{"STORE_FAST_MAYBE_NULL", "", ClassSpecialized},
		{"LOAD_ATTRX", "", ClassSpecialized},
		{"CALL", "CALL", ClassGeneric},
		{"LOAD_CONST", "", ClassBasic},
	} {
		in := v.Instruction(tt.name)
		if in == nil {
			t.Fatalf("%s: not in the view", tt.name)
		}
		if in.Family != tt.family || in.Class != tt.class {
			t.Errorf("%s: family %q class %d, want %q %d", tt.name, in.Family, in.Class, tt.family, tt.class)
		}
	}
}

// TestViewRules311: 3.11 data (numeric, or renamed with its 3.11 metadata)
// counts *_ADAPTIVE executions as not specialized and adds the deferred
// count to a family's total; other eras do neither.
func TestViewRules311(t *testing.T) {
	keys := []string{"opcode[LOAD_ATTR].specializable", "opcode[LOAD_ATTR].execution_count", "opcode[LOAD_ATTR].specialization.deferred",
		"opcode[LOAD_ATTR_ADAPTIVE].execution_count", "opcode[LOAD_ATTR_ADAPTIVE].specialization.miss",
		"opcode[LOAD_ATTR_SLOT].execution_count", "opcode[LOAD_ATTR_SLOT].specialization.miss", "opcode[POP_TOP].execution_count",
		"Calls via PyEval_EvalFrame[0]"}
	vals := []uint64{1, 10, 70, 20, 30, 40, 5, 100, 1}
	for _, tt := range []struct {
		name     string
		spec     []string
		line311  bool
		eff      Effectiveness
		famTotal uint64
	}{
		{"3.11 metadata", []string{"LOAD_ATTR_ADAPTIVE", "LOAD_ATTR_SLOT"}, true, Effectiveness{Basic: 100, NotSpecialized: 30, Hits: 35, Misses: 5}, 80},
		{"3.13 metadata", []string{"LOAD_ATTR_SLOT"}, false, Effectiveness{Basic: 120, NotSpecialized: 10, Hits: 35, Misses: 5}, 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := pystats.NewStats(keys, vals, pystats.Metadata{HasBuildTables: true, BuildTables: pystats.BuildTables{SpecializedInstructions: tt.spec}}, pystats.Source{})
			defer st.Release()
			v := NewView(st, pystats.DetectEra(st), nil)
			if v.Rules.Line311 != tt.line311 {
				t.Fatalf("Line311 = %v", v.Rules.Line311)
			}
			if e := v.Effectiveness(); e != tt.eff {
				t.Errorf("Effectiveness = %+v, want %+v", e, tt.eff)
			}
			if got := v.FamilyTotal(v.Instruction("LOAD_ATTR").Stat); got != tt.famTotal {
				t.Errorf("FamilyTotal = %d, want %d", got, tt.famTotal)
			}
			if v.Tier1Total != 170 {
				t.Errorf("Tier1Total = %d", v.Tier1Total)
			}
		})
	}
}

func TestPredecessorsSuccessors(t *testing.T) {
	// A's successors B (twice: a pair of A, a pair of C), C and X, which has
	// no keys of its own; zero pairs are left out; lists keep pair order.
	st, err := pystats.ReadJSON("pairs.json", []byte(`{
		"opcode[A].execution_count": 9,
		"opcode[A].pair_count[B]": 5,
		"opcode[A].pair_count[C]": 0,
		"opcode[A].pair_count[X]": 2,
		"opcode[A].pair_count[A]": 1,
		"opcode[B].execution_count": 4,
		"opcode[C].pair_count[B]": 3,
		"opcode[C].pair_count[X]": 7
	}`), pystats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Release()
	ops := NewOpcodeViews(st).Opcode
	tests := []struct {
		name       string
		pred, succ []NamedCount
	}{
		{"A", []NamedCount{{"A", 1}}, []NamedCount{{"B", 5}, {"X", 2}, {"A", 1}}},
		{"B", []NamedCount{{"A", 5}, {"C", 3}}, nil},
		{"C", nil, []NamedCount{{"B", 3}, {"X", 7}}},
		{"X", []NamedCount{{"A", 2}, {"C", 7}}, nil},
		{"Y", nil, nil},
	}
	for _, tt := range tests {
		if got := ops.Predecessors(tt.name); !slices.Equal(got, tt.pred) {
			t.Errorf("Predecessors(%s) = %v, want %v", tt.name, got, tt.pred)
		}
		if got := ops.Successors(tt.name); !slices.Equal(got, tt.succ) {
			t.Errorf("Successors(%s) = %v, want %v", tt.name, got, tt.succ)
		}
	}
}
