package specialize

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
)

func TestFits(t *testing.T) {
	numbered := func(v string) *Tables { return &Tables{Version: v, Opnames: map[int]string{1: "POP_TOP"}} }
	named := func(v string) *Tables { return &Tables{Version: v} }
	num := func(v string) pystats.Era { return pystats.Era{HasOpcodes: true, Version: v} }
	nam := func(v string) pystats.Era { return pystats.Era{HasOpcodes: true, NamedOpcodes: true, Version: v} }
	for _, tt := range []struct {
		name string
		t    *Tables
		e    pystats.Era
		fits bool
	}{
		{"3.11 on 3.11", numbered("3.11"), num("3.11"), true},
		{"3.12 on 3.11", numbered("3.12"), num("3.11"), false},
		{"3.11 on 3.12", numbered("3.11"), num("3.12"), false},
		{"early 3.13 main (numeric) on a 3.12 guess", numbered("3.13"), num("3.12"), true},
		{"commit tables on 3.12", numbered("4fe1c4b"), num("3.12"), true},
		{"named tables on numeric data", named("3.13"), num("3.12"), false},
		{"numeric tables on named data", numbered("3.12"), nam("3.13"), false},
		{"3.13 on 3.13", named("3.13"), nam("3.13"), true},
		{"3.14 on a 3.13 guess (lower bound)", named("3.14"), nam("3.13"), true},
		{"3.13 on 3.14", named("3.13"), nam("3.14"), false},
		{"no opcodes", numbered("3.12"), pystats.Era{}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			why := Fits(tt.t, tt.e)
			if (why == "") != tt.fits {
				t.Errorf("Fits = %q, want fits=%v", why, tt.fits)
			}
		})
	}
}

// TestDatasetNamedKeepsRules: numeric data mapped to names keeps the label
// rules of its own era (here the November 2022 script's: no __nfiles__, 8
// generic kinds, SEND's own prefix), which the names alone no longer show.
func TestDatasetNamedKeepsRules(t *testing.T) {
	keys := []string{"opcode[3].specializable", "opcode[3].execution_count", "opcode[5].execution_count", "Calls via PyEval_EvalFrame[0]"}
	st := pystats.NewStats(keys, []uint64{1, 10, 20, 1}, pystats.Metadata{}, pystats.Source{Path: "x"})
	defer st.Release()
	tables := &Tables{Version: "052bc12", Opnames: map[int]string{3: "SEND", 5: "SEND_GEN"}, BuildTables: pystats.BuildTables{SpecializedInstructions: []string{"SEND_GEN"}}}
	path := filepath.Join(t.TempDir(), "tables.json")
	var buf bytes.Buffer
	if err := WriteTables(&buf, tables); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Resolve(st, &Choice{TablesFile: path})
	if err != nil {
		t.Fatal(err)
	}
	r := d.View().Rules
	if r.GenericKinds != 8 || !r.SendOwnPrefix {
		t.Fatalf("numeric rules %+v", r)
	}
	n, err := d.Named()
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stats.Release()
	if !n.Era.NamedOpcodes || n.View().Rules != r {
		t.Errorf("named copy: era %+v, rules %+v, want %+v", n.Era, n.View().Rules, r)
	}
	if n.View().Instruction("SEND_GEN").Class != ClassSpecialized {
		t.Errorf("SEND_GEN is not specialized in the named copy")
	}
}
