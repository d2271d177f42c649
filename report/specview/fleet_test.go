package specview

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pystats-dev/pystats/specialize"
)

// withoutKinds returns a copy of bs whose families have no failure kinds
// (what a Fleet keeps of each benchmark).
func withoutKinds(bs []specialize.BenchmarkLoss) []specialize.BenchmarkLoss {
	out := make([]specialize.BenchmarkLoss, len(bs))
	for i, b := range bs {
		l := *b.Loss
		l.Families = slices.Clone(l.Families)
		for j := range l.Families {
			l.Families[j].FailureKinds = nil
		}
		out[i] = specialize.BenchmarkLoss{Name: b.Name, Loss: &l}
	}
	return out
}

// TestFleetViewWritesAsSliceView checks that the view of a Fleet writes the
// same markdown and JSON as NewSpecView of the same benchmarks, with its
// records in memory and in a temporary file (spool limit of 1 byte), and
// that the file is gone after Close.
func TestFleetViewWritesAsSliceView(t *testing.T) {
	la := specLoad(t, "data/dumps/3.13/json_tool/raw", true)
	lb := specLoad(t, "data/dumps/3.13/compileall_stdlib/raw", true)
	lc := specLoad(t, "data/dumps/3.11/json_tool/raw", true)
	var bs []specialize.BenchmarkLoss
	for i, l := range []*specialize.Loss{la, lb, lc, la, lb, lb, la, {}} {
		bs = append(bs, specialize.BenchmarkLoss{Name: []string{"a", "b <&>", "c", "a", "d", "e\nf", "g", "empty"}[i], Loss: l})
	}
	overall := specialize.SumLoss([]*specialize.Loss{la, lb, lc, la, lb, lb, la, {}})
	for _, tc := range []struct {
		name  string
		bs    []specialize.BenchmarkLoss
		opt   SpecOptions
		spool int
		noTmp bool // TMPDIR missing: no temporary file can be made
	}{
		{"in memory", bs, SpecOptions{}, 0, false},
		{"in a file", bs, SpecOptions{}, 1, false},
		{"in a file, all families", bs, SpecOptions{AllFamilies: true, TopFamilies: 8, TopBenchmarks: 2}, 1, false},
		{"file from the third", bs, SpecOptions{TopBenchmarks: 1, TopKinds: 1}, 2500, false},
		{"one benchmark", bs[:1], SpecOptions{}, 1, false},
		{"none", nil, SpecOptions{}, 1, false},
		{"no temporary folder", bs, SpecOptions{}, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			if tc.noTmp {
				t.Setenv("TMPDIR", filepath.Join(tmp, "missing"))
			}
			f := NewFleet(tc.spool)
			var ls []*specialize.Loss
			for _, b := range tc.bs {
				if err := f.Add(b.Name, b.Loss); err != nil {
					t.Fatal(err)
				}
				ls = append(ls, b.Loss)
			}
			if inFile := f.spool.InFile(); tc.spool == 1 && inFile != (len(tc.bs) > 0 && !tc.noTmp) || f.spool.FileRefused() != tc.noTmp {
				t.Fatalf("records in a file: %v (no file: %v)", inFile, f.spool.FileRefused())
			}
			sum := specialize.SumLoss(ls)
			if len(tc.bs) == len(bs) && !slices.EqualFunc(sum.Families, overall.Families, func(a, b specialize.FamilyLoss) bool { return a.Lost() == b.Lost() }) {
				t.Fatal("sum differs")
			}
			want := NewSpecView(sum, withoutKinds(tc.bs), tc.opt)
			got := NewFleetView(f, tc.opt)
			for _, w := range []struct {
				name  string
				write func(*bytes.Buffer, *SpecView) error
			}{
				{"markdown", func(b *bytes.Buffer, v *SpecView) error { return WriteSpecMarkdown(b, v) }},
				{"JSON", func(b *bytes.Buffer, v *SpecView) error { return WriteSpecJSON(b, v) }},
				{"svg", func(b *bytes.Buffer, v *SpecView) error { return WriteSpecPlot(b, "svg", v, "t", 0) }},
			} {
				var wb, gb bytes.Buffer
				werr, gerr := w.write(&wb, want), w.write(&gb, got)
				if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
					t.Fatalf("%s: error %v, want %v", w.name, gerr, werr)
				}
				if !bytes.Equal(gb.Bytes(), wb.Bytes()) {
					t.Errorf("%s differs from the slice view's:\n got %.400q\nwant %.400q", w.name, gb.String(), wb.String())
				}
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
				t.Errorf("left in TMPDIR: %v", ents)
			}
		})
	}
}

// TestFleetDamagedRecords checks that a record that does not decode is an
// error of the writers, not a crash or a short output without one.
func TestFleetDamagedRecords(t *testing.T) {
	la := specLoad(t, "data/dumps/3.13/json_tool/raw", true)
	f := NewFleet(0)
	defer f.Close()
	for _, name := range []string{"a", "b"} {
		if err := f.Add(name, la); err != nil {
			t.Fatal(err)
		}
	}
	r, err := f.spool.Reader()
	if err != nil {
		t.Fatal(err)
	}
	all, _ := io.ReadAll(r)
	if err := f.spool.Truncate(int64(len(all) - 3)); err != nil {
		t.Fatal(err)
	}
	v := NewFleetView(f, SpecOptions{})
	var b bytes.Buffer
	if err := WriteSpecMarkdown(&b, v); err == nil {
		t.Error("markdown: no error")
	}
	if err := WriteSpecJSON(&b, v); err == nil {
		t.Error("JSON: no error")
	}
}
