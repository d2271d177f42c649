package specview

import (
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// lossStrings returns every string a Loss holds.
func lossStrings(l *specialize.Loss) []string {
	var out []string
	for _, f := range l.Families {
		out = append(out, f.Family)
		out = append(out, f.Members...)
		for _, k := range f.FailureKinds {
			out = append(out, k.Label)
		}
	}
	for _, u := range l.Unattributed {
		out = append(out, u.Name)
	}
	return out
}

// inBuffers reports whether s's bytes lie in one of st's Arrow buffers.
func inBuffers(st *pystats.Stats, s string) bool {
	if len(s) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	for _, col := range st.Counters.Columns() {
		for _, b := range col.Data().Buffers() {
			if b == nil || b.Len() == 0 {
				continue
			}
			lo := uintptr(unsafe.Pointer(&b.Bytes()[0]))
			if p >= lo && p < lo+uintptr(b.Len()) {
				return true
			}
		}
	}
	return false
}

// TestLossOwnsNames checks that the Loss of SpecLoss and DatasetLoss shares
// no memory with the data's Arrow tables: a run folder's view keeps one per
// benchmark after releasing its data, and a name aliasing a string column
// would keep the benchmark's whole tables alive.
func TestLossOwnsNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		loss func(*pystats.Stats) (*specialize.Loss, error)
	}{
		{"SpecLoss", func(st *pystats.Stats) (*specialize.Loss, error) {
			tab, _ := specialize.Embedded("3.13")
			return SpecLoss(st, tab)
		}},
		{"DatasetLoss", func(st *pystats.Stats) (*specialize.Loss, error) {
			d, err := specialize.Resolve(st, nil)
			if err != nil {
				return nil, err
			}
			return DatasetLoss(d)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := pystats.Read(filepath.Join("..", "..", "testdata", "dumps", "3.13", "json_tool", "raw"), pystats.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release()
			l, err := tc.loss(st)
			if err != nil {
				t.Fatal(err)
			}
			names := lossStrings(l)
			if len(names) == 0 {
				t.Fatal("no names in the Loss")
			}
			for _, s := range names {
				if inBuffers(st, s) {
					t.Fatalf("%q aliases the data's Arrow buffers", s)
				}
			}
		})
	}
}
