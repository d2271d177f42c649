package specialize

import (
	"slices"
	"testing"
)

func TestFamilyOf(t *testing.T) {
	generics := []string{"LOAD_ATTR", "LOAD_SUPER_ATTR", "CALL", "CALL_KW", "BINARY_OP"}
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"LOAD_ATTR_SLOT", "LOAD_ATTR", true},
		{"LOAD_SUPER_ATTR_METHOD", "LOAD_SUPER_ATTR", true},
		{"CALL_KW_PY", "CALL_KW", true},
		{"CALL_PY_EXACT_ARGS", "CALL", true},
		{"BINARY_OP_ADD_INT", "BINARY_OP", true},
		{"RESUME_CHECK", "", false},
		{"LOAD_ATTR", "", false},  // a generic is not its own member
		{"LOAD_ATTRX", "", false}, // no "_" after the prefix
		{"CALL_", "", false},
	}
	for _, tc := range tests {
		got, ok := FamilyOf(tc.name, generics)
		if got != tc.want || ok != tc.ok {
			t.Errorf("FamilyOf(%q) = %q, %v; want %q, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestComputeLoss(t *testing.T) {
	ops := []OpCounts{
		{Name: "LOAD_FAST", ExecutionCount: 1000},
		{Name: "LOAD_ATTR", Specializable: true, ExecutionCount: 50, Deferred: 60, Hit: 200, Miss: 7, Success: 3, Failure: 1,
			FailureKinds: []KindCount{{"other", 1}, {"method", 4}}},
		{Name: "LOAD_ATTR_SLOT", ExecutionCount: 150, Miss: 5},
		{Name: "LOAD_ATTR_MODULE", ExecutionCount: 57, Miss: 2},
		{Name: "CALL", Specializable: true, ExecutionCount: 30, Hit: 10, Miss: 27},
		{Name: "CALL_PY_EXACT_ARGS", ExecutionCount: 37, Miss: 27},
		{Name: "TO_BOOL", Specializable: true, ExecutionCount: 57}, // ties LOAD_ATTR on lost work
		{Name: "TO_BOOL_INT", ExecutionCount: 0},
		{Name: "POP_JUMP_IF_TRUE", Specializable: true, ExecutionCount: 500},
		{Name: "STORE_SLICE", Specializable: true}, // nothing counted: left out
		{Name: "RESUME", ExecutionCount: 4, Miss: 1},
		{Name: "RESUME_CHECK", ExecutionCount: 90, Miss: 1},
	}
	specialized := []string{"LOAD_ATTR_SLOT", "LOAD_ATTR_MODULE", "CALL_PY_EXACT_ARGS", "TO_BOOL_INT", "RESUME_CHECK", "STORE_FAST__LOAD_FAST", "BINARY_OP_ADD_INT"}
	l := ComputeLoss(ops, specialized)
	if l.Tier1 != 1000+50+150+57+30+37+57+500+4+90 {
		t.Errorf("Tier1 = %d", l.Tier1)
	}
	type row struct {
		family     string
		lost       uint64
		forms      bool
		misses     uint64
		memberExec uint64
	}
	var got []row
	for _, f := range l.Families {
		got = append(got, row{f.Family, f.Lost(), f.HasForms, f.Misses, f.MemberExecutions})
	}
	want := []row{
		{"POP_JUMP_IF_TRUE", 500, false, 0, 0},
		{"CALL", 57, true, 27, 37},
		{"LOAD_ATTR", 57, true, 7, 207},
		{"TO_BOOL", 57, true, 0, 0},
	}
	if !slices.Equal(got, want) {
		t.Errorf("families:\n got %v\nwant %v", got, want)
	}
	la := l.Family("LOAD_ATTR")
	if !slices.Equal(la.FailureKinds, []KindCount{{"method", 4}, {"other", 1}}) {
		t.Errorf("LOAD_ATTR kinds %v", la.FailureKinds)
	}
	if r, ok := la.SuccessRate(); !ok || r != 0.75 {
		t.Errorf("success rate %v %v", r, ok)
	}
	if _, ok := l.Family("CALL").SuccessRate(); ok {
		t.Error("CALL has no attempts but a success rate")
	}
	if !slices.Equal(l.Unattributed, []Unattributed{{"RESUME_CHECK", 90, 1}}) {
		t.Errorf("unattributed %v", l.Unattributed)
	}
	if n := len(l.WithForms()); n != 3 {
		t.Errorf("WithForms has %d families", n)
	}

	sum := SumLoss([]*Loss{l, l})
	if sum.Tier1 != 2*l.Tier1 || len(sum.Families) != len(l.Families) {
		t.Fatalf("SumLoss: %d, %d families", sum.Tier1, len(sum.Families))
	}
	s := sum.Family("LOAD_ATTR")
	if s.Lost() != 114 || s.Success != 6 || !slices.Equal(s.FailureKinds, []KindCount{{"method", 8}, {"other", 2}}) || len(s.Members) != 2 {
		t.Errorf("summed LOAD_ATTR %+v", s)
	}
	bs := []BenchmarkLoss{{"b", l}, {"a", l}, {"c", ComputeLoss(nil, nil)}}
	cs := Contributors(bs, "CALL", 0)
	if len(cs) != 2 || cs[0].Benchmark != "a" || cs[1].Benchmark != "b" || cs[0].Lost != 57 {
		t.Errorf("Contributors = %v", cs)
	}
	if cs := Contributors(bs, "CALL", 1); len(cs) != 1 {
		t.Errorf("Contributors n=1 gave %d", len(cs))
	}
}
