package specview

import (
	"errors"
	"strings"

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
// nil for data with its own metadata. The Loss shares no memory with st: it
// stays valid, and keeps none of st's tables alive, after st.Release() (a
// run folder's view holds one Loss per benchmark).
func SpecLoss(st *pystats.Stats, tables *specialize.Tables) (*specialize.Loss, error) {
	era := pystats.DetectEra(st)
	if era.HasOpcodes && !era.NamedOpcodes {
		return nil, ErrNumericOpcodes
	}
	return ownLoss(specialize.NewView(st, era, tables).Loss()), nil
}

// ownLoss copies the names of l in place (instruction names and failure-kind
// labels are read from Arrow string columns and alias their buffers) and
// returns l.
func ownLoss(l *specialize.Loss) *specialize.Loss {
	for i := range l.Families {
		f := &l.Families[i]
		f.Family = strings.Clone(f.Family)
		for j := range f.Members {
			f.Members[j] = strings.Clone(f.Members[j])
		}
		for j := range f.FailureKinds {
			f.FailureKinds[j].Label = strings.Clone(f.FailureKinds[j].Label)
		}
	}
	for i := range l.Unattributed {
		l.Unattributed[i].Name = strings.Clone(l.Unattributed[i].Name)
	}
	return l
}

// DatasetLoss is SpecLoss of a resolved data set, from its shared view.
func DatasetLoss(d *specialize.Dataset) (*specialize.Loss, error) {
	if d.Era.HasOpcodes && !d.Era.NamedOpcodes {
		return nil, ErrNumericOpcodes
	}
	return d.View().Loss(), nil
}
