package pystats

import (
	"strings"
	"testing"
)

func TestParseKey(t *testing.T) {
	tests := []struct {
		key  string
		want KeyParts
	}{
		{"opcode[LOAD_ATTR].specializable", KeyParts{FamilyOpcode, "LOAD_ATTR", "specializable", ""}},
		{"opcode[106].specialization.hit", KeyParts{FamilyOpcode, "106", "specialization.hit", ""}},
		{"opcode[LOAD_ATTR].specialization.failure_kinds[3]", KeyParts{FamilyOpcode, "LOAD_ATTR", "specialization.failure_kinds", "3"}},
		{"opcode[LOAD_FAST].pair_count[STORE_FAST]", KeyParts{FamilyOpcode, "LOAD_FAST", "pair_count", "STORE_FAST"}},
		{"opcode[0].pair_count[150]", KeyParts{FamilyOpcode, "0", "pair_count", "150"}},
		{"uops[_LOAD_FAST].execution_count", KeyParts{FamilyUops, "_LOAD_FAST", "execution_count", ""}},
		{"uops[_GUARD_TYPE_VERSION].specialization.miss", KeyParts{FamilyUops, "_GUARD_TYPE_VERSION", "specialization.miss", ""}},
		{"uop[_LOAD_FAST].pair_count[_STORE_FAST]", KeyParts{FamilyUopPair, "_LOAD_FAST", "pair_count", "_STORE_FAST"}},
		{"unsupported_opcode[SEND].count", KeyParts{FamilyUnsupportedOpcode, "SEND", "count", ""}},
		{"error_in_opcode[_PUSH_FRAME].count", KeyParts{FamilyErrorInOpcode, "_PUSH_FRAME", "count", ""}},
		{"Calls to PyEval_EvalDefault", KeyParts{FamilyCalls, "Calls to PyEval_EvalDefault", "", ""}},
		{"Frames pushed", KeyParts{FamilyCalls, "Frames pushed", "", ""}},
		{"Calls via PyEval_EvalFrame[4]", KeyParts{FamilyCalls, "Calls via PyEval_EvalFrame", "", "4"}},
		{"Object materialize dict (on request)", KeyParts{FamilyObject, "materialize dict (on request)", "", ""}},
		{"GC[1] object visits", KeyParts{FamilyGC, "object visits", "", "1"}},
		{"Optimization attempts", KeyParts{FamilyOptimization, "Optimization attempts", "", ""}},
		{"Optimizer remove globals incorrect keys", KeyParts{FamilyOptimization, "Optimizer remove globals incorrect keys", "", ""}},
		{"Executors invalidated", KeyParts{FamilyOptimization, "Executors invalidated", "", ""}},
		{"JIT code size", KeyParts{FamilyOptimization, "JIT code size", "", ""}},
		{"Trace length[64]", KeyParts{FamilyHistogram, "Trace length", "", "64"}},
		{"Trace total memory size[1024]", KeyParts{FamilyHistogram, "Trace total memory size", "", "1024"}},
		{"Rare event (set_class)", KeyParts{FamilyRareEvent, "set_class", "", ""}},
		{"Mutex sleeps (mutex_sleeps)", KeyParts{FamilyFreeThreading, "Mutex sleeps (mutex_sleeps)", "", ""}},
		{"__nfiles__", KeyParts{FamilyMeta, "__nfiles__", "", ""}},
		{"Something new", KeyParts{FamilyOther, "Something new", "", ""}},
		{"opcode[broken", KeyParts{FamilyOther, "opcode[broken", "", ""}},
	}
	for _, tt := range tests {
		if got := ParseKey(tt.key); got != tt.want {
			t.Errorf("ParseKey(%q) = %+v, want %+v", tt.key, got, tt.want)
		}
	}
}

func TestKeyProblem(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want string // substring of the problem; "" for none
	}{
		{"GC[0] collections", ""},
		{"GC[4095] collections", ""},
		{"GC[] collections", `GC generation ""`},
		{"GC[-5] collections", `GC generation "-5"`},
		{"GC[4096] collections", "from 0 to 4095"},
		{"GC[99999999999999999999] collections", "from 0 to 4095"},
		{"GCx", "GC generation"},
		{"Calls via PyEval_EvalFrame[3]", ""},
		{"Calls via PyEval_EvalFrame[x]", `call kind "x"`},
		{"opcode[LOAD_ATTR].specialization.failure_kinds[3]", ""},
		{"opcode[LOAD_ATTR].specialization.failure_kinds[x]", `failure kind "x"`},
		{"opcode[106].specialization.failure_kinds[2]", ""},
		{"opcode[17111111111].execution_count", "numeric opcode"},
		{"Trace length[-5]", ""},
		{"Trace length[64]", ""},
		{"\n", "line break"},
		{"Frames\r pushed", "line break"},
	} {
		got := KeyProblem(tc.key)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("KeyProblem(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
	// A bucket that is not a plain decimal is a plain counter, as for the summarizer.
	for _, k := range []string{"Trace length[-5]", "Trace length[99999999999999999999]", "Trace length[x]"} {
		if f := ParseKey(k).Family; f != FamilyOther {
			t.Errorf("ParseKey(%q).Family = %s, want other", k, f)
		}
	}
}
