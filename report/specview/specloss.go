package specview

import (
	"strings"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// SpecLoss computes the ranked specialization view of one data set from its
// per-instruction view (specialize.View.Loss: the counters, families and
// failure-kind labels its era's report renders; numeric-opcode 3.11 and 3.12
// data is named through tables). tables supply the opcode names, specialized
// instructions and SPEC_FAIL_* names when the data carries none; they may be
// nil for data with its own metadata. The Loss shares no memory with st: it
// stays valid, and keeps none of st's tables alive, after st.Release() (a
// run folder's view holds one Loss per benchmark).
func SpecLoss(st *pystats.Stats, tables *specialize.Tables) (*specialize.Loss, error) {
	return ownLoss(specialize.NewView(st, pystats.DetectEra(st), tables).Loss()), nil
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

// DatasetLoss is SpecLoss of a resolved data set, from its shared view. Like
// SpecLoss's, the Loss shares no memory with the data set's tables.
func DatasetLoss(d *specialize.Dataset) (*specialize.Loss, error) {
	return ownLoss(d.View().Loss()), nil
}
