package e4

import (
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/internal/style"
	"github.com/pystats-dev/pystats/report/table"
	"github.com/pystats-dev/pystats/specialize"
)

// ObjectRows are the rows of the E4 report's "Object stats" table for st
// (label, count, ratio), one per "Object ..." counter in data order: what
// exports give as the objects table's label and ratio. v is st's view, or
// nil to build one.
func ObjectRows(st *pystats.Stats, v *specialize.View) [][]table.Cell {
	b := &e4Builder{v: e4VariantOf(ResolveStyle(st, style.StyleAuto))}
	return b.objectRows(newE4Input(st, v))
}

// CallRows are the rows of the E4 report's "Call stats" table for st
// (label, count, ratio): the "Calls ..." counters sorted by key, then the
// "Frame..." counters sorted by key. v is st's view, or nil to build one.
func CallRows(st *pystats.Stats, v *specialize.View) [][]table.Cell {
	return e4CallRows(newE4Input(st, v))
}
