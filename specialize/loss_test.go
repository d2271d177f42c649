package specialize

import (
	"fmt"
	"slices"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
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
	// name: execution_count, deferred, hit, miss, success, failure
	type counts struct {
		name                                   string
		generic                                bool
		exec, deferred, hit, miss, succ, fails uint64
	}
	ops := []counts{
		{"LOAD_FAST", false, 1000, 0, 0, 0, 0, 0},
		{"LOAD_ATTR", true, 50, 60, 200, 7, 3, 1},
		{"LOAD_ATTR_SLOT", false, 150, 0, 0, 5, 0, 0},
		{"LOAD_ATTR_MODULE", false, 57, 0, 0, 2, 0, 0},
		{"CALL", true, 30, 0, 10, 27, 0, 0},
		{"CALL_PY_EXACT_ARGS", false, 37, 0, 0, 27, 0, 0},
		{"TO_BOOL", true, 57, 0, 0, 0, 0, 0}, // ties LOAD_ATTR on lost work
		{"TO_BOOL_INT", false, 0, 0, 0, 0, 0, 0},
		{"POP_JUMP_IF_TRUE", true, 500, 0, 0, 0, 0, 0},
		{"STORE_SLICE", true, 0, 0, 0, 0, 0, 0}, // nothing counted: left out
		{"RESUME", false, 4, 0, 0, 1, 0, 0},
		{"RESUME_CHECK", false, 90, 0, 0, 1, 0, 0},
	}
	var keys []string
	var vals []uint64
	for _, o := range ops {
		k := "opcode[" + o.name + "]."
		if o.generic {
			keys, vals = append(keys, k+"specializable"), append(vals, 1)
		}
		for _, c := range []struct {
			counter string
			v       uint64
		}{{"execution_count", o.exec}, {"specialization.deferred", o.deferred}, {"specialization.hit", o.hit},
			{"specialization.miss", o.miss}, {"specialization.success", o.succ}, {"specialization.failure", o.fails}} {
			if c.v != 0 || (c.counter == "execution_count" && o.name == "TO_BOOL_INT") {
				keys, vals = append(keys, k+c.counter), append(vals, c.v)
			}
		}
	}
	keys = append(keys, "opcode[LOAD_ATTR].specialization.failure_kinds[0]", "opcode[LOAD_ATTR].specialization.failure_kinds[12]")
	vals = append(vals, 1, 4)
	specialized := []string{"LOAD_ATTR_SLOT", "LOAD_ATTR_MODULE", "CALL_PY_EXACT_ARGS", "TO_BOOL_INT", "RESUME_CHECK", "STORE_FAST__LOAD_FAST", "BINARY_OP_ADD_INT"}
	meta := pystats.Metadata{HasBuildTables: true, BuildTables: pystats.BuildTables{SpecializedInstructions: specialized}}
	meta.Defines.Add(0, "OTHER")
	meta.Defines.Add(12, "ATTR_METHOD")
	st := pystats.NewStats(keys, vals, meta, pystats.Source{})
	defer st.Release()
	l := ComputeLoss(NewView(st, pystats.DetectEra(st), nil))
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
	bs := []BenchmarkLoss{{"b", l}, {"a", l}, {"c", &Loss{}}}
	cs := Contributors(bs, "CALL", 0)
	if len(cs) != 2 || cs[0].Benchmark != "a" || cs[1].Benchmark != "b" || cs[0].Lost != 57 {
		t.Errorf("Contributors = %v", cs)
	}
	if cs := Contributors(bs, "CALL", 1); len(cs) != 1 {
		t.Errorf("Contributors n=1 gave %d", len(cs))
	}
}

// TestTopContributorsIsStableSort checks the one-at-a-time ranking against
// a stable sort of every contribution cut to n, on benchmarks with many ties
// (equal lost work, equal names) and some without the family.
func TestTopContributorsIsStableSort(t *testing.T) {
	var bs []BenchmarkLoss
	for i := range 200 {
		l := &Loss{Tier1: uint64(i)}
		if i%7 != 0 {
			l.Families = []FamilyLoss{{Family: "CALL", Generic: uint64(i*31%5) * 10, Misses: uint64(i % 3)}}
		}
		bs = append(bs, BenchmarkLoss{Name: fmt.Sprint("b", i*17%13), Loss: l})
	}
	var all []Contribution
	for _, b := range bs {
		if f := b.Loss.Family("CALL"); f != nil && f.Lost() != 0 {
			all = append(all, Contribution{b.Name, f.Lost(), b.Loss.Tier1})
		}
	}
	slices.SortStableFunc(all, rankContribution)
	for _, n := range []int{0, 1, 2, 5, 50, len(all), len(all) + 3} {
		want := all
		if n > 0 && len(want) > n {
			want = want[:n]
		}
		if got := Contributors(bs, "CALL", n); !slices.Equal(got, want) {
			t.Errorf("n=%d: got %v\nwant %v", n, got, want)
		}
	}
	if got := Contributors(bs, "LOAD_ATTR", 5); got != nil {
		t.Errorf("no LOAD_ATTR family: got %v", got)
	}
}
