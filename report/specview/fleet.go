package specview

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pystats-dev/pystats/internal/spool"
	"github.com/pystats-dev/pystats/specialize"
)

// A Fleet gathers the benchmarks of a run for its view (NewFleetView) one at
// a time, as they are read, without holding them: each benchmark's counts
// are added to the run's sum (specialize.LossSum), and what the
// per-benchmark tables show of it (its families' counts, no failure kinds)
// is kept as one compact record, its names numbered once per run. Records
// are kept in memory up to a bound (NewFleet), then in a temporary file
// (removed by Close), so that what a view of thousands of benchmarks holds
// does not grow with their number. The zero value is not usable: see
// NewFleet.
type Fleet struct {
	sum     specialize.LossSum
	famIdx  map[string]uint64 // family name -> index in names
	memIdx  map[string]uint64 // family and member list -> index in members
	names   []string          // family names, in order of appearance
	members [][]string        // member lists, in order of appearance
	rec     []byte            // the record being encoded
	scratch []specialize.FamilyLoss
	spool   spool.Spool
	n       int
	err     error // the first error reading the records back
}

// SpoolMemory is how many bytes of benchmark records a Fleet keeps in
// memory before it moves them to a temporary file: some 3,000 benchmarks
// (a record is about 350 bytes for a 3.13 benchmark's 20 families).
const SpoolMemory = 1 << 20

// NewFleet returns an empty Fleet keeping up to spoolMemory bytes of
// records in memory (SpoolMemory when 0 or less).
func NewFleet(spoolMemory int) *Fleet {
	if spoolMemory <= 0 {
		spoolMemory = SpoolMemory
	}
	return &Fleet{famIdx: map[string]uint64{}, memIdx: map[string]uint64{}, spool: spool.Spool{Limit: spoolMemory}}
}

// Add adds one benchmark of the run, named name, in order. l is not kept,
// nor anything it points to; its failure kinds and unattributed
// instructions are only added to the sum.
func (f *Fleet) Add(name string, l *specialize.Loss) error {
	f.sum.Add(l)
	f.rec = f.encode(f.rec[:0], name, l)
	if _, err := f.spool.Write(f.rec); err != nil {
		return fmt.Errorf("keeping benchmark %q: %w", name, err)
	}
	f.n++
	return nil
}

// Len is the number of benchmarks added.
func (f *Fleet) Len() int { return f.n }

// Close removes the records' temporary file, if any; the Fleet and its
// views are not usable after.
func (f *Fleet) Close() error { return f.spool.Close() }

// familyIndex returns the index of a family name in f.names, adding a copy
// when new.
func (f *Fleet) familyIndex(name string) uint64 {
	if i, ok := f.famIdx[name]; ok {
		return i
	}
	own := strings.Clone(name)
	i := uint64(len(f.names))
	f.names = append(f.names, own)
	f.famIdx[own] = i
	return i
}

// membersIndex returns the index of a family's member list in f.members
// (one list per family and build, the same in every benchmark), adding a
// copy when new; an empty list is nil.
func (f *Fleet) membersIndex(fam string, ms []string) uint64 {
	key := fam + "\x00" + strings.Join(ms, "\x00")
	if i, ok := f.memIdx[key]; ok {
		return i
	}
	var own []string
	for _, m := range ms {
		own = append(own, strings.Clone(m))
	}
	i := uint64(len(f.members))
	f.members = append(f.members, own)
	f.memIdx[key] = i
	return i
}

// encode appends the record of one benchmark: its name, Tier-1 total and
// families, each as its name's and member list's indexes, HasForms and its
// counts, all as uvarints.
func (f *Fleet) encode(b []byte, name string, l *specialize.Loss) []byte {
	b = binary.AppendUvarint(b, uint64(len(name)))
	b = append(b, name...)
	b = binary.AppendUvarint(b, l.Tier1)
	b = binary.AppendUvarint(b, uint64(len(l.Families)))
	for i := range l.Families {
		fl := &l.Families[i]
		forms := uint64(0)
		if fl.HasForms {
			forms = 1
		}
		for _, v := range [...]uint64{f.familyIndex(fl.Family)<<1 | forms, f.membersIndex(fl.Family, fl.Members),
			fl.Generic, fl.Adaptive, fl.Deferred, fl.Hits, fl.Misses, fl.GenericMisses,
			fl.MemberExecutions, fl.Success, fl.Failure} {
			b = binary.AppendUvarint(b, v)
		}
	}
	return b
}

// errCorrupt is a record that does not decode (a damaged temporary file).
var errCorrupt = errors.New("benchmark records damaged")

// each calls fn with every benchmark added, in order, until fn returns
// false. The BenchmarkLoss is only valid during the call (its families are
// decoded into a buffer reused for the next). A read error is returned and
// kept (see err).
func (f *Fleet) each(fn func(specialize.BenchmarkLoss) bool) error {
	if f.err != nil {
		return f.err
	}
	r, err := f.spool.Reader()
	if err != nil {
		f.err = fmt.Errorf("reading benchmark records back: %w", err)
		return f.err
	}
	for range f.n {
		b, err := f.decode(r)
		if err != nil {
			f.err = fmt.Errorf("reading benchmark records back: %w", err)
			return f.err
		}
		if !fn(b) {
			return nil
		}
	}
	return nil
}

// maxName bounds a decoded benchmark name (a damaged record's length).
const maxName = 1 << 20

// decode reads one record written by encode.
func (f *Fleet) decode(r *bufio.Reader) (specialize.BenchmarkLoss, error) {
	d := uvarints{r: r}
	name := d.bytes(d.next())
	l := &specialize.Loss{Tier1: d.next()}
	nf := d.next()
	f.scratch = f.scratch[:0]
	var v [11]uint64
	for i := uint64(0); i < nf && d.err == nil; i++ {
		for j := range v {
			v[j] = d.next()
		}
		fi, mi := v[0]>>1, v[1]
		if d.err == nil && (fi >= uint64(len(f.names)) || mi >= uint64(len(f.members))) {
			d.err = errCorrupt
		}
		if d.err != nil {
			break
		}
		f.scratch = append(f.scratch, specialize.FamilyLoss{
			Family: f.names[fi], Members: f.members[mi], HasForms: v[0]&1 == 1,
			Generic: v[2], Adaptive: v[3], Deferred: v[4], Hits: v[5], Misses: v[6],
			GenericMisses: v[7], MemberExecutions: v[8], Success: v[9], Failure: v[10],
		})
	}
	if d.err != nil {
		return specialize.BenchmarkLoss{}, noEOF(d.err)
	}
	l.Families = f.scratch
	return specialize.BenchmarkLoss{Name: name, Loss: l}, nil
}

// uvarints reads a record's fields; the first error sticks (later reads
// return zeros).
type uvarints struct {
	r   *bufio.Reader
	err error
}

func (d *uvarints) next() uint64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(d.r)
	d.err = err
	return v
}

func (d *uvarints) bytes(n uint64) string {
	if d.err == nil && n > maxName {
		d.err = errCorrupt
	}
	if d.err != nil {
		return ""
	}
	b := make([]byte, n)
	_, d.err = io.ReadFull(d.r, b)
	return string(b)
}

// noEOF turns a record cut short into errCorrupt.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errCorrupt
	}
	return err
}
