package report

import "github.com/pystats-dev/pystats/pystats"

// E4ObjectRows are the rows of the E4 report's "Object stats" table for st
// (label, count, ratio), one per "Object ..." counter in data order: what
// exports give as the objects table's label and ratio.
func E4ObjectRows(st *pystats.Stats) [][]Cell {
	b := &e4Builder{v: e4VariantOf(ResolveE4Style(st, StyleAuto))}
	return b.objectRows(newE4Input(st, nil))
}

// E4CallRows are the rows of the E4 report's "Call stats" table for st
// (label, count, ratio): the "Calls ..." counters sorted by key, then the
// "Frame..." counters sorted by key.
func E4CallRows(st *pystats.Stats) [][]Cell { return e4CallRows(newE4Input(st, nil)) }
