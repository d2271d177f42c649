package export

import (
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
)

// familiesFields are the columns of the families table: one row per
// specialization family the summarizer's "Specialization stats" section
// lists (a generic instruction marked specializable whose Kind-table
// total is not 0), in name order, with the section's counts and ratios.
func familiesFields() []arrow.Field {
	return []arrow.Field{
		dict("family"), dict("selector"),
		cnt("executions"), cnt("hit"), cnt("miss"), cnt("deferred"), cnt("deopt"), cnt("total"),
		f64("hit_ratio"), f64("miss_ratio"), f64("deferred_ratio"), f64("deopt_ratio"),
		cnt("success"), cnt("failure"), f64("success_ratio"), f64("failure_ratio"),
	}
}

// ratio is num/den, or null (ok false) when den is 0, as the report's
// Ratio cell prints nothing.
func ratio(num, den uint64) (float64, bool) {
	if den == 0 {
		return 0, false
	}
	return float64(num) / float64(den), true
}

// fillFamilies writes the families of the summarizer's "Specialization
// stats" section from the input's view (specialize.View, the reports'
// own): the generic instruction's specialization counters, which are the
// family's (the specialized forms' rows in the opcodes table count their
// own executions, not the family's), the generic executions, the Kind
// table's denominator total (hit + miss + executions, plus deferred for
// 3.11), and the Kind and Success tables' ratios. selector is the FAMILY
// argument of the --fail-on metrics named like the ratio columns
// (hit_ratio[LOAD_ATTR]).
func fillFamilies(b *rows, in *Input) error {
	v := viewOf(in)
	type fam struct {
		name string
		i    int
	}
	var fams []fam
	for i := range v.Tier1 {
		ins := &v.Tier1[i]
		if !ins.Stat.Specializable || v.FamilyTotal(ins.Stat) == 0 {
			continue
		}
		fams = append(fams, fam{ins.Name, i})
	}
	sort.SliceStable(fams, func(a, c int) bool { return fams[a].name < fams[c].name })
	for _, f := range fams {
		o := v.Tier1[f.i].Stat
		total := v.FamilyTotal(o)
		b.str(0, f.name)
		b.str(1, f.name)
		for j, c := range []uint64{o.ExecutionCount, o.Hit, o.Miss, o.Deferred, o.Deopt, total} {
			b.count(2+j, c)
		}
		for j, c := range []uint64{o.Hit, o.Miss, o.Deferred, o.Deopt} {
			r, ok := ratio(c, total)
			b.f64OrNull(8+j, r, ok)
		}
		b.count(12, o.Success)
		b.count(13, o.Failure)
		r, ok := ratio(o.Success, o.Success+o.Failure)
		b.f64OrNull(14, r, ok)
		r, ok = ratio(o.Failure, o.Success+o.Failure)
		b.f64OrNull(15, r, ok)
	}
	return nil
}
