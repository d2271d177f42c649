package specialize

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
)

// TestNamed renames a small numeric data set and checks keys, merging,
// order and metadata.
func TestNamed(t *testing.T) {
	tab := &Tables{
		Version: "3.12",
		Opnames: map[int]string{1: "POP_TOP", 2: "LOAD_ATTR", 3: "LOAD_ATTR_SLOT", 4: "LOAD_ATTR"},
		BuildTables: pystats.BuildTables{
			SpecializedInstructions: []string{"LOAD_ATTR_SLOT"},
			Defines:                 defs(9, []string{"ATTR_X"}),
		},
	}
	bench := []pystats.KeyValue{{Key: "commit_id", Value: []byte(`"abc1234"`)}}
	for _, tc := range []struct {
		name     string
		keys     []string
		values   []uint64
		meta     pystats.Metadata
		wantKeys []string
		wantVals []uint64
		wantSpec []string
	}{
		{"rename and pairs",
			[]string{"opcode[2].specializable", "opcode[2].execution_count", "opcode[2].pair_count[3]", "opcode[2].pair_count[99]",
				"opcode[3].specialization.failure_kinds[9]", "opcode[99].execution_count", "Object allocations", "__nfiles__"},
			[]uint64{1, 10, 5, 6, 7, 8, 9, 2},
			pystats.Metadata{BenchRunner: bench},
			[]string{"opcode[LOAD_ATTR].specializable", "opcode[LOAD_ATTR].execution_count", "opcode[LOAD_ATTR].pair_count[LOAD_ATTR_SLOT]",
				"opcode[LOAD_ATTR].pair_count[<99>]", "opcode[LOAD_ATTR_SLOT].specialization.failure_kinds[9]",
				"opcode[<99>].execution_count", "Object allocations", "__nfiles__"},
			[]uint64{1, 10, 5, 6, 7, 8, 9, 2},
			[]string{"LOAD_ATTR_SLOT"}},
		{"two numbers, one name: counters added",
			[]string{"opcode[2].execution_count", "opcode[1].execution_count", "opcode[4].execution_count", "opcode[1].pair_count[4]", "opcode[1].pair_count[2]"},
			[]uint64{3, 1, 4, 5, 6},
			pystats.Metadata{},
			[]string{"opcode[LOAD_ATTR].execution_count", "opcode[POP_TOP].execution_count", "opcode[POP_TOP].pair_count[LOAD_ATTR]"},
			[]uint64{7, 1, 11},
			[]string{"LOAD_ATTR_SLOT"}},
		{"metadata the input carries wins",
			[]string{"opcode[1].execution_count"}, []uint64{1},
			pystats.Metadata{HasBuildTables: true, BuildTables: pystats.BuildTables{SpecializedInstructions: []string{"OWN"}}},
			[]string{"opcode[POP_TOP].execution_count"}, []uint64{1},
			[]string{"OWN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := pystats.NewStats(tc.keys, tc.values, tc.meta, pystats.Source{Path: "x"})
			defer st.Release()
			got, err := Named(st, tab)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			var keys []string
			var vals []uint64
			for i := 0; i < got.NumRows(); i++ {
				keys = append(keys, got.Keys().Value(i))
				vals = append(vals, got.Values().Value(i))
			}
			if strings.Join(keys, "\n") != strings.Join(tc.wantKeys, "\n") {
				t.Errorf("keys:\n%s\nwant:\n%s", strings.Join(keys, "\n"), strings.Join(tc.wantKeys, "\n"))
			}
			for i := range vals {
				if i < len(tc.wantVals) && vals[i] != tc.wantVals[i] {
					t.Errorf("value %d (%s) = %d, want %d", i, keys[i], vals[i], tc.wantVals[i])
				}
			}
			if !got.Meta.HasBuildTables || strings.Join(got.Meta.SpecializedInstructions, ",") != strings.Join(tc.wantSpec, ",") {
				t.Errorf("metadata %+v", got.Meta)
			}
			if v, _ := got.Meta.BenchRunnerValue("commit_id"); tc.meta.BenchRunner != nil && v != "abc1234" {
				t.Errorf("bench_runner metadata lost: %q", v)
			}
			if e := pystats.DetectEra(got); !e.NamedOpcodes {
				t.Errorf("renamed data is not named-opcode data: %+v", e)
			}
			if st.Keys().Value(0) != tc.keys[0] {
				t.Errorf("input modified")
			}
		})
	}
	st := pystats.NewStats([]string{"opcode[1].execution_count"}, []uint64{1}, pystats.Metadata{}, pystats.Source{Path: "x"})
	defer st.Release()
	t313, _ := Embedded("3.13")
	if _, err := Named(st, t313); !errors.Is(err, ErrNoOpnames) {
		t.Errorf("3.13 tables: %v, want ErrNoOpnames", err)
	}
}

// TestNamed312Against313 maps the 3.12.0b3 data to names and compares its
// opcodes and metadata with the 3.13.0b2+ data.
func TestNamed312Against313(t *testing.T) {
	p12 := shared.Path(t, "data/real-pystats/bm-20230619-3.12.0b3-f992a60/bm-20230619-azure-x86_64-python-v3.12.0b3-3.12.0b3-f992a60-pystats.json")
	p13 := shared.Path(t, "data/real-pystats/bm-20240615-3.13.0b2+-a19bb26/bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats.json")
	s12, err := pystats.ReadJSONFile(p12, pystats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s12.Release()
	s13, err := pystats.ReadJSONFile(filepath.Clean(p13), pystats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s13.Release()
	t12, _ := Embedded("3.12")
	named, err := Named(s12, t12)
	if err != nil {
		t.Fatal(err)
	}
	defer named.Release()
	if got, want := named.Get("opcode[LOAD_ATTR].execution_count"), s12.Get("opcode[106].execution_count"); got != want || got == 0 {
		t.Errorf("LOAD_ATTR execution_count %d, opcode[106] %d", got, want)
	}
	if named.Get("opcode[LOAD_ATTR].specialization.failure_kinds[25]") != 612861 {
		t.Errorf("failure kind 25 of LOAD_ATTR: %d", named.Get("opcode[LOAD_ATTR].specialization.failure_kinds[25]"))
	}
	var sum12, sumNamed uint64
	for i := 0; i < s12.NumRows(); i++ {
		sum12 += s12.Values().Value(i)
	}
	for i := 0; i < named.NumRows(); i++ {
		sumNamed += named.Values().Value(i)
	}
	if sum12 != sumNamed {
		t.Errorf("counter total %d, renamed %d", sum12, sumNamed)
	}
	onlyBase, onlyHead := OneSided(named, s13)
	for _, want := range []string{"LOAD_FAST__LOAD_FAST", "KW_NAMES", "CALL_NO_KW_LEN"} {
		if !renameTestHas(onlyBase, want) {
			t.Errorf("%s not reported as 3.12-only: %v", want, onlyBase)
		}
	}
	for _, want := range []string{"LOAD_FAST_LOAD_FAST", "TO_BOOL", "RESUME_CHECK", "CALL_LEN"} {
		if !renameTestHas(onlyHead, want) {
			t.Errorf("%s not reported as 3.13-only: %v", want, onlyHead)
		}
	}
	if renameTestHas(onlyBase, "LOAD_ATTR") || renameTestHas(onlyHead, "LOAD_ATTR") {
		t.Errorf("LOAD_ATTR reported on one side only")
	}
	diffs := MetadataDifferences(&named.Meta, &s13.Meta)
	if len(diffs) != 2 || !strings.HasPrefix(diffs[0], "_specialized_instructions differ: 12 only in base, 27 only in head") ||
		!strings.HasPrefix(diffs[1], "_defines differ: 4 entries only in base, 18 only in head") {
		t.Errorf("metadata differences: %q", diffs)
	}
	if d := MetadataDifferences(&s13.Meta, &s13.Meta); d != nil {
		t.Errorf("same metadata: %q", d)
	}
}

func renameTestHas(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
