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

// SpecLoss computes the ranked specialization view of one data set from its
// per-instruction view (specialize.View.Loss: the counters, families and
// failure-kind labels the E4 report renders). tables supply the specialized
// instructions and SPEC_FAIL_* names when the data carries none; they may be
// nil for data with its own metadata.
func SpecLoss(st *pystats.Stats, tables *specialize.Tables) (*specialize.Loss, error) {
	era := pystats.DetectEra(st)
	if era.HasOpcodes && !era.NamedOpcodes {
		return nil, ErrNumericOpcodes
	}
	return specialize.NewView(st, era, tables).Loss(), nil
}
