package export

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// specLossFields are the columns of the specialization_loss table: one row
// per specialization family, in `pystats specialize`'s ranking (lost work,
// largest first), with the counts that ranking is made of.
func specLossFields() []arrow.Field {
	return []arrow.Field{
		i32("rank"), dict("family"),
		{Name: "has_forms", Type: arrow.FixedWidthTypes.Boolean},
		cnt("tier1"), cnt("lost"), cnt("generic"), cnt("deferred"), cnt("miss"), cnt("hit"),
		cnt("success"), cnt("failure"),
	}
}

// fillSpecLoss writes the ranked families of `pystats specialize`: families
// with specialized forms first, ranked by lost work, then those the build
// marks specializable but cannot specialize (3.13's POP_JUMP_IF_*), as the
// view lists them apart. Numeric (3.11/3.12) data is ranked by its names
// under its build tables, as the command ranks it.
func fillSpecLoss(b *rows, in *Input) error {
	// The input's own view (shared with the other tables) rather than
	// specview.SpecLoss, which builds another: the same ranking.
	loss := viewOf(in).Loss()
	ranked := loss.WithForms()
	for _, f := range loss.Families {
		if !f.HasForms {
			ranked = append(ranked, f)
		}
	}
	for i := range ranked {
		f := &ranked[i]
		b.i32(0, int32(i+1))
		b.str(1, f.Family)
		b.boolOrNull(2, f.HasForms, true)
		for j, v := range []uint64{loss.Tier1, f.Lost(), f.Generic, f.Deferred, f.Misses, f.Hits, f.Success, f.Failure} {
			b.count(3+j, v)
		}
	}
	return nil
}
