package specialize

import (
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
