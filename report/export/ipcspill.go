package export

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pystats-dev/pystats/internal/spool"
)

// ipcSpill holds the runs of a flat Arrow IPC file until the file is
// written, so that an export of many inputs keeps one run in memory, not all
// of them. The IPC file format allows one dictionary per column, known only
// once every run has been read: each run's rows go to an IPC stream in a
// spool (in memory up to ipcSpoolMemory bytes, then in an unnamed temporary
// file), their dictionary columns as indices into the union of the runs'
// dictionaries, in first-seen order; finish writes them back, one record
// batch per run, with the final dictionaries. Memory then holds the
// dictionaries' distinct values, one run and at most the spool's bound.
type ipcSpill struct {
	schema  *arrow.Schema // the table's
	spilled *arrow.Schema // the same, dictionary columns as their indices
	dicts   []*dictUnion  // per column; nil for a column without a dictionary
	spool   spool.Spool
	w       *ipc.Writer
	rows    int64
	// empty is the first run when it has no rows: the file of runs that
	// all have none holds it, as a file of one run does.
	empty arrow.RecordBatch
	mem   memory.Allocator
}

// dictUnion numbers the values of one dictionary column across runs.
type dictUnion struct {
	name   string
	typ    *arrow.DictionaryType
	limit  int // the most values its index type numbers
	seen   map[string]int32
	values []string
}

// indexLimit is the number of values each dictionary index type numbers.
var indexLimit = map[arrow.Type]int{arrow.INT8: 1 << 7, arrow.INT16: 1 << 15, arrow.INT32: 1 << 31}

func newIPCSpill(sc *arrow.Schema, mem memory.Allocator) (*ipcSpill, error) {
	s := &ipcSpill{schema: sc, dicts: make([]*dictUnion, sc.NumFields()), mem: mem}
	fields := make([]arrow.Field, sc.NumFields())
	for i, f := range sc.Fields() {
		fields[i] = f
		if dt, ok := f.Type.(*arrow.DictionaryType); ok {
			limit, ok := indexLimit[dt.IndexType.ID()]
			if !arrow.TypeEqual(dt.ValueType, arrow.BinaryTypes.String) || !ok {
				return nil, fmt.Errorf("column %s: dictionary %s, want int8, int16 or int32 indices of strings", f.Name, dt)
			}
			s.dicts[i] = &dictUnion{name: f.Name, typ: dt, limit: limit, seen: map[string]int32{}}
			fields[i].Type = dt.IndexType
		}
	}
	meta := sc.Metadata()
	s.spilled = arrow.NewSchema(fields, &meta)
	s.spool.Limit = ipcSpoolMemory
	s.w = ipc.NewWriter(&s.spool, ipc.WithSchema(s.spilled), ipc.WithAllocator(mem))
	return s, nil
}

// ipcSpoolMemory is how many bytes of one table's spilled runs stay in
// memory before they move to a temporary file, as specview's Fleet keeps
// (a file per table of a large fleet: at 8 MiB, 13 tables kept up to 104
// MiB, and 300 inputs took 3.4 s against 1.9 under the fleet's soft memory
// limit). A variable for the tests.
var ipcSpoolMemory = 1 << 20

// add spills one run's rows; rec stays the caller's.
func (s *ipcSpill) add(rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		if s.rows == 0 && s.empty == nil {
			rec.Retain()
			s.empty = rec
		}
		return nil
	}
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i := range cols {
		if s.dicts[i] == nil {
			cols[i] = rec.Column(i)
			cols[i].Retain()
			continue
		}
		c, err := s.dicts[i].indices(rec.Column(i).(*array.Dictionary), s.mem)
		if err != nil {
			return err
		}
		cols[i] = c
	}
	out := array.NewRecordBatch(s.spilled, cols, rec.NumRows())
	defer out.Release()
	s.rows += rec.NumRows()
	return s.w.Write(out)
}

// indices is d's column as indices into the union, which it extends.
func (u *dictUnion) indices(d *array.Dictionary, mem memory.Allocator) (arrow.Array, error) {
	dict, ok := d.Dictionary().(*array.String)
	if !ok {
		return nil, fmt.Errorf("dictionary of %s, want strings", d.Dictionary().DataType())
	}
	// Each entry of this run's dictionary, numbered in the union when a
	// row first uses it (the order of one concatenated column).
	local := make([]int32, dict.Len())
	for i := range local {
		local[i] = -1
	}
	b := array.NewBuilder(mem, u.typ.IndexType)
	defer b.Release()
	b.Reserve(d.Len())
	for i := 0; i < d.Len(); i++ {
		if d.IsNull(i) {
			b.AppendNull()
			continue
		}
		j := d.GetValueIndex(i)
		if local[j] < 0 {
			v := dict.Value(j)
			n, ok := u.seen[v]
			if !ok {
				if len(u.values) == u.limit {
					return nil, fmt.Errorf("column %s: more than %d distinct values across the runs, more than its %s dictionary indices number", u.name, u.limit, u.typ.IndexType)
				}
				n = int32(len(u.values))
				u.seen[v] = n
				u.values = append(u.values, v)
			}
			local[j] = n
		}
		switch ib := b.(type) {
		case *array.Int8Builder:
			ib.Append(int8(local[j]))
		case *array.Int16Builder:
			ib.Append(int16(local[j]))
		case *array.Int32Builder:
			ib.Append(local[j])
		}
	}
	return b.NewArray(), nil
}

// finish writes the spilled runs to w as an Arrow IPC file, one record batch
// per run that has rows, every batch with the final dictionaries.
func (s *ipcSpill) finish(w io.Writer, comp Compression) error {
	err := s.w.Close()
	s.w = nil
	if err != nil {
		return fmt.Errorf("spilling the runs: %w", err)
	}
	if s.rows == 0 {
		return writeIPC(w, s.empty, comp, s.mem) // the first run, kept by add
	}
	dicts := make([]arrow.Array, len(s.dicts))
	defer func() {
		for _, d := range dicts {
			if d != nil {
				d.Release()
			}
		}
	}()
	for i, u := range s.dicts {
		if u != nil {
			b := array.NewStringBuilder(s.mem)
			b.AppendValues(u.values, nil)
			dicts[i] = b.NewArray()
			b.Release()
		}
	}
	spilled, err := s.spool.Reader()
	if err != nil {
		return fmt.Errorf("reading the spilled runs back: %w", err)
	}
	r, err := ipc.NewReader(spilled, ipc.WithSchema(s.spilled), ipc.WithAllocator(s.mem))
	if err != nil {
		return fmt.Errorf("reading the spilled runs back: %w", err)
	}
	defer r.Release()
	fw, err := newIPCFileWriter(w, s.schema, comp, s.mem)
	if err != nil {
		return err
	}
	for r.Next() {
		in := r.RecordBatch()
		if err := s.writeRun(fw, in, dicts); err != nil {
			fw.Close()
			return err
		}
	}
	if err := r.Err(); err != nil {
		fw.Close()
		return err
	}
	return fw.Close()
}

// writeRun writes one spilled run with its dictionary columns restored.
func (s *ipcSpill) writeRun(fw *ipc.FileWriter, in arrow.RecordBatch, dicts []arrow.Array) error {
	cols := make([]arrow.Array, in.NumCols())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for i := range cols {
		if dicts[i] == nil {
			cols[i] = in.Column(i)
			cols[i].Retain()
			continue
		}
		cols[i] = array.NewDictionaryArray(s.dicts[i].typ, in.Column(i), dicts[i])
	}
	rec := array.NewRecordBatch(s.schema, cols, in.NumRows())
	defer rec.Release()
	return fw.Write(rec)
}

// close frees the spill: its file and what it holds.
func (s *ipcSpill) close() {
	if s.w != nil {
		s.w.Close()
		s.w = nil
	}
	if s.empty != nil {
		s.empty.Release()
		s.empty = nil
	}
	s.spool.Close()
}
