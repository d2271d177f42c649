package report

import (
	"errors"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// ErrNumericOpcodes is returned by SpecLoss for numeric-opcode data (3.11,
// 3.12): its summarizers label failure kinds differently, so the view is not
// offered for it yet.
var ErrNumericOpcodes = errors.New("the specialization view needs named-opcode data (CPython 3.13 or later)")

// SpecLoss computes the ranked specialization view of one data set from the
// same per-instruction counters the E4 report renders (specialize.NewOpcodeViews), with
// failure kinds labelled as the E4 report labels them. tables supply the
// specialized instructions and SPEC_FAIL_* names when the data carries none;
// they may be nil for data with its own metadata.
func SpecLoss(st *pystats.Stats, tables *specialize.Tables) (*specialize.Loss, error) {
	era := pystats.DetectEra(st)
	if era.HasOpcodes && !era.NamedOpcodes {
		return nil, ErrNumericOpcodes
	}
	specialized, defines := st.Meta.SpecializedInstructions, &st.Meta.Defines
	if !st.Meta.HasBuildTables && tables != nil {
		specialized, defines = tables.SpecializedInstructions, &tables.Defines
	}
	getIterIsIter := e4VariantOf(ResolveE4Style(st, StyleAuto)).getIterIsIter
	ov := specialize.NewOpcodeViews(st)
	ops := make([]specialize.OpCounts, 0, len(ov.Opcode.Ops))
	for i := range ov.Opcode.Ops {
		o := &ov.Opcode.Ops[i]
		c := specialize.OpCounts{
			Name: o.Name, Specializable: o.Specializable,
			ExecutionCount: o.ExecutionCount, Hit: o.Hit, Miss: o.Miss, Deferred: o.Deferred,
			Success: o.Success, Failure: o.Failure,
		}
		if o.Specializable {
			c.FailureKinds = specFailureKinds(o, defines, getIterIsIter)
		}
		ops = append(ops, c)
	}
	return specialize.ComputeLoss(ops, specialized), nil
}

// specFailureKinds labels a family's non-zero failure kinds as the E4
// report's "Failure kind" table does (failureKindRows): a label that two
// kinds share keeps its first position and the later kind's count.
func specFailureKinds(o *specialize.OpcodeStat, defines *pystats.Defines, getIterIsIter bool) []specialize.KindCount {
	var kinds []specialize.KindCount
	pos := map[string]int{}
	for _, fk := range o.FailureKinds {
		if fk.Value == 0 {
			continue
		}
		label := specialize.FailureKindLabel(o.Name, fk.Index, defines, getIterIsIter)
		if i, ok := pos[label]; ok {
			kinds[i].Count = fk.Value
			continue
		}
		pos[label] = len(kinds)
		kinds = append(kinds, specialize.KindCount{Label: label, Count: fk.Value})
	}
	return kinds
}
