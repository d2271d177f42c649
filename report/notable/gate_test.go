package notable

import (
	"errors"
	"strings"
	"testing"
)

// TestParseGates parses good expressions into their canonical form.
func TestParseGates(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"miss_ratio[LOAD_ATTR] > +2pt", []string{"miss_ratio[LOAD_ATTR] > +2pt"}},
		{"specialized_hits < -1pt", []string{"specialized_hits < -1pt"}},
		{"share[LOAD_FAST] > +0.5pt", []string{"share[LOAD_FAST] > +0.5pt"}},
		{"  any( miss_ratio )>2pt ", []string{"any(miss_ratio) > +2pt"}},
		{"failure_share[CALL:*] >= 5pt", []string{"failure_share[CALL:*] >= +5pt"}},
		{"failure_share[CALL:pep 523] > 1pt", []string{"failure_share[CALL:pep 523] > +1pt"}},
		{"failure_share[CALL:pep_523] <= -1pt; basic > 3%", []string{"failure_share[CALL:pep_523] <= -1pt", "basic > +3%"}},
		{"any(miss_ratio) > +2pt, specialized_hits < -1pt", []string{"any(miss_ratio) > +2pt", "specialized_hits < -1pt"}},
		{"gc[0:collections] > +10%", []string{"gc[0:collections] > +10%"}},
		{"gc[*] > 1000", []string{"gc[*] > +1000"}},
		{"object[Materialize dict (on request), x] > 5%", []string{"object[Materialize dict (on request), x] > +5%"}},
		{"tier2[Traces created] < -2pt", []string{"tier2[Traces created] < -2pt"}},
		{"any(share) > 0.25pt", []string{"any(share) > +0.25pt"}},
	} {
		gs, err := ParseGates(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		var got []string
		for _, g := range gs {
			got = append(got, g.String())
		}
		if strings.Join(got, " | ") != strings.Join(tc.want, " | ") {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestParseGatesErrors checks that bad expressions are rejected with the
// offending token named.
func TestParseGatesErrors(t *testing.T) {
	for _, tc := range []struct {
		in, token, msg string
	}{
		{"", "", "empty expression"},
		{"miss_ratio[LOAD_ATTR] > +2pt,", "", "empty expression"},
		{"miss_ratios[LOAD_ATTR] > 2pt", `"miss_ratios"`, "unknown metric"},
		{"miss_ratio > 2pt", `">"`, "needs an argument"},
		{"miss_ratio[LOAD_ATTR >2pt", `"LOAD_ATTR"`, `missing "]"`},
		{"miss_ratio[] > 2pt", `"]"`, "empty argument"},
		{"basic[X] > 1pt", `"["`, "takes no argument"},
		{"miss_ratio[LOAD_ATTR] >> 2pt", `">"`, "want a number"},
		{"miss_ratio[LOAD_ATTR] = 2pt", `"="`, "want a comparison"},
		{"miss_ratio[LOAD_ATTR] > 2", `"2"`, "is a ratio"},
		{"miss_ratio[LOAD_ATTR] > 2pts", `"s"`, "unknown unit"},
		{"miss_ratio[LOAD_ATTR] > 2pt)", `")"`, "unexpected text"},
		{"miss_ratio[LOAD_ATTR] > 2px", `"px"`, "unknown unit"},
		{"miss_ratio[LOAD_ATTR] > pt", `"pt"`, "want a number"},
		{"gc[0:collections] > 2pt", `"2pt"`, "is a count"},
		{"failure_share[CALL] > 2pt", `"CALL"`, "FAMILY:kind"},
		{"any(miss_ratio > 2pt", `">"`, `want ")"`},
		{"any(nope) > 2pt", `"nope"`, "unknown metric"},
		{"> 2pt", `">"`, "want a metric name"},
	} {
		_, err := ParseGates(tc.in)
		var ge *GateError
		if !errors.As(err, &ge) {
			t.Errorf("%q: error %v, want a *GateError", tc.in, err)
			continue
		}
		msg := err.Error()
		wantTok := "at " + tc.token
		if tc.token == "" {
			wantTok = "at end of expression"
		}
		if !strings.Contains(msg, wantTok) || !strings.Contains(msg, tc.msg) {
			t.Errorf("%q: %s\nwant %s and %q", tc.in, msg, wantTok, tc.msg)
		}
	}
}

// TestGateEvaluate evaluates gates on the default build against the
// PYTHON_UOPS build of 3.13.0b2+ a19bb26.
func TestGateEvaluate(t *testing.T) {
	_, _, r := uopsPair(t)
	all := Changes(r)
	for _, tc := range []struct {
		expr    string
		want    []string // offending rows
		wantErr string
	}{
		{"any(hit_ratio) < -5pt", []string{
			"hit_ratio[BINARY_SUBSCR]: base 74.9%, head 65.8%, change -9.12pt (-12.2%)",
			"hit_ratio[FOR_ITER]: base 73.0%, head 42.7%, change -30.32pt (-41.5%)",
			"hit_ratio[STORE_SUBSCR]: base 49.8%, head 41.1%, change -8.69pt (-17.5%)",
		}, ""},
		{"any(miss_ratio) > +2pt", nil, ""},
		{"specialized_hits < -1pt", nil, ""},
		{"not_specialized < -1pt", []string{"not_specialized: base 10.6%, head 8.9%, change -1.69pt (-15.9%)"}, ""},
		{"share[load_fast] > -100pt", []string{"share[LOAD_FAST]: base 18.5%, head 17.3%, change -1.23pt (-6.7%)"}, ""},
		{"share[ENTER_EXECUTOR] > +1000%", []string{"share[ENTER_EXECUTOR]: base —, head 3.7%, change +3.75pt (new)"}, ""},
		{"failure_share[TO_BOOL:*] < -20pt", []string{
			"failure_share[TO_BOOL:number]: base 25.3%, head 2.4%, change -22.94pt (-90.5%)",
			"failure_share[TO_BOOL:other]: base 24.5%, head 2.6%, change -21.86pt (-89.3%)",
		}, ""},
		{"gc[1:objects_collected] < -50%", []string{"gc[1:objects_collected]: base 115,756,633, head 19,462,612, change -96,294,021 (-83.2%)"}, ""},
		{"gc[1:OBJECTS COLLECTED] < -100000000", nil, ""},
		{"miss_ratio[LOAD_ATTRR] > 1pt", nil, "no row matches"},
		{"object[Frees] > 1pt", nil, "is a count"},
		// This pair has no Tier 2: a gate on it could never trip.
		{"any(tier2) > 1pt", nil, "no tier2 rows in this comparison"},
		{"uop_share[_LOAD_FAST] > 1pt", nil, "no uop_share rows"},
	} {
		gs, err := ParseGates(tc.expr)
		if err != nil {
			t.Fatalf("%q: %v", tc.expr, err)
		}
		res, err := gs[0].Evaluate(all)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !(errors.Is(err, ErrNoMatch) || errors.Is(err, ErrNoRows)) {
				t.Errorf("%q: error %v, want %q", tc.expr, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		var got []string
		for i := range res.Offending {
			got = append(got, FormatOffending(&res.Offending[i]))
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") || res.Tripped() != (len(tc.want) > 0) {
			t.Errorf("%q:\n%s\nwant:\n%s", tc.expr, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}
