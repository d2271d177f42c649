package export

import (
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rows appends values to a table's columns: the fill functions address the
// columns after the run columns (str(0, ...) is the first column after
// them); Build appends the run columns.
type rows struct {
	mem    memory.Allocator
	schema *arrow.Schema
	plain  []array.Builder // per column; nil for a dictionary string column
	dicts  []*dictColumn   // per column; nil for the other columns
	whole  []arrow.Array   // per column: set by column, else nil
	// single is true when one input fills the table: a fill function may
	// then give whole columns (column) instead of values.
	single bool
	err    error // the first count out of int64 range
}

// newRows starts the columns of schema.
func newRows(mem memory.Allocator, schema *arrow.Schema) *rows {
	n := schema.NumFields()
	b := &rows{mem: mem, schema: schema, plain: make([]array.Builder, n), dicts: make([]*dictColumn, n), whole: make([]arrow.Array, n)}
	for i, f := range schema.Fields() {
		if dt, ok := f.Type.(*arrow.DictionaryType); ok && dt.ValueType.ID() == arrow.STRING {
			b.dicts[i] = &dictColumn{dt: dt, ids: map[string]int32{}}
			continue
		}
		b.plain[i] = array.NewBuilder(mem, f.Type)
	}
	return b
}

// release frees the builders and the whole columns.
func (b *rows) release() {
	for i, pb := range b.plain {
		if pb != nil {
			pb.Release()
		}
		if b.whole[i] != nil {
			b.whole[i].Release()
			b.whole[i] = nil
		}
	}
}

// column gives all the rows of column i (after the run columns) as one
// array, which the record then shares (the input's own Arrow memory, not a
// copy); only when b.single, and only for a column that has no values yet.
// arr must have the column's type.
func (b *rows) column(i int, arr arrow.Array) {
	i += RunColumns
	if !b.single || b.len(i) != 0 {
		panic(fmt.Sprintf("export: column %s given whole after values", b.schema.Field(i).Name))
	}
	arr.Retain()
	b.whole[i] = arr
}

// len is the number of values in column i of the schema (run columns
// included).
func (b *rows) len(i int) int {
	if w := b.whole[i]; w != nil {
		return w.Len()
	}
	if d := b.dicts[i]; d != nil {
		return len(d.indices)
	}
	return b.plain[i].Len()
}

// record returns the columns as a record; the builders are left empty.
func (b *rows) record() (arrow.RecordBatch, error) {
	n := b.len(0)
	for i, f := range b.schema.Fields() {
		if b.len(i) != n {
			return nil, fmt.Errorf("column %s has %d rows, want %d", f.Name, b.len(i), n)
		}
	}
	cols := make([]arrow.Array, len(b.plain))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, pb := range b.plain {
		switch {
		case b.whole[i] != nil:
			cols[i], b.whole[i] = b.whole[i], nil
			continue
		case pb != nil:
			cols[i] = pb.NewArray()
			continue
		}
		c, err := b.dicts[i].newArray(b.mem)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", b.schema.Field(i).Name, err)
		}
		cols[i] = c
	}
	return array.NewRecordBatch(b.schema, cols, int64(n)), nil
}

func (b *rows) field(i int) array.Builder {
	if b.plain[RunColumns+i] == nil || b.whole[RunColumns+i] != nil {
		panic(fmt.Sprintf("export: column %d is a dictionary column or given whole", i))
	}
	return b.plain[RunColumns+i]
}

// null appends a null to column i.
func (b *rows) null(i int) {
	if d := b.dicts[RunColumns+i]; d != nil && b.whole[RunColumns+i] == nil {
		d.appendNulls(1)
		return
	}
	b.field(i).AppendNull()
}

func (b *rows) str(i int, s string) {
	if d := b.dicts[RunColumns+i]; d != nil && b.whole[RunColumns+i] == nil {
		d.append(s)
		return
	}
	switch fb := b.field(i).(type) {
	case *array.StringBuilder:
		fb.Append(s)
	default:
		panic(fmt.Sprintf("export: column %d is not a string column", i))
	}
}

func (b *rows) strOrNull(i int, s string, ok bool) {
	if !ok {
		b.null(i)
		return
	}
	b.str(i, s)
}

// count appends a count to an int64 column; a value above 2^63-1 (a sum of
// counts, as raw values are checked by checkCounts) is kept as an error that
// Build returns.
func (b *rows) count(i int, v uint64) {
	if v > math.MaxInt64 && b.err == nil {
		b.err = fmt.Errorf("column %s: %d is above 2^63-1, the largest count an int64 column holds",
			b.schema.Field(RunColumns+i).Name, v)
	}
	b.field(i).(*array.Int64Builder).Append(int64(v))
}

func (b *rows) countOrNull(i int, v uint64, ok bool) {
	if !ok {
		b.field(i).AppendNull()
		return
	}
	b.count(i, v)
}

func (b *rows) i32(i int, v int32) { b.field(i).(*array.Int32Builder).Append(v) }

func (b *rows) i32OrNull(i int, v int32, ok bool) {
	if !ok {
		b.field(i).AppendNull()
		return
	}
	b.i32(i, v)
}

func (b *rows) i64(i int, v int64) { b.field(i).(*array.Int64Builder).Append(v) }

func (b *rows) i64OrNull(i int, v int64, ok bool) {
	if !ok {
		b.field(i).AppendNull()
		return
	}
	b.i64(i, v)
}

func (b *rows) f64(i int, v float64) { b.field(i).(*array.Float64Builder).Append(v) }

func (b *rows) f64OrNull(i int, v float64, ok bool) {
	if !ok {
		b.field(i).AppendNull()
		return
	}
	b.f64(i, v)
}

func (b *rows) boolOrNull(i int, v, ok bool) {
	if !ok {
		b.field(i).AppendNull()
		return
	}
	b.field(i).(*array.BooleanBuilder).Append(v)
}

// dictColumn is a dictionary column of strings being built. Values are
// numbered in first-seen order, as array.BinaryDictionaryBuilder numbers
// them, and the array it makes holds the same buffers; but a value costs a
// map lookup, where the builder's AppendString made two allocations (a
// fifth of a fleet export's). The map's keys may alias the input's Arrow
// memory: a dictColumn lives no longer than one Build.
type dictColumn struct {
	dt      *arrow.DictionaryType
	ids     map[string]int32
	values  []string // by id
	size    int      // bytes of values
	indices []int32  // per row; 0 for a null
	valid   []bool   // per row; nil while there is no null
}

// id returns the number of s, numbering it if new.
func (d *dictColumn) id(s string) int32 {
	id, ok := d.ids[s]
	if !ok {
		id = int32(len(d.values))
		d.ids[s] = id
		d.values = append(d.values, s)
		d.size += len(s)
	}
	return id
}

// append appends s.
func (d *dictColumn) append(s string) { d.appendN(s, 1) }

// appendN appends s n times.
func (d *dictColumn) appendN(s string, n int) {
	id := d.id(s)
	d.indices = slices.Grow(d.indices, n)
	for range n {
		d.indices = append(d.indices, id)
	}
	if d.valid != nil {
		d.valid = slices.Grow(d.valid, n)
		for range n {
			d.valid = append(d.valid, true)
		}
	}
}

// appendNulls appends n nulls.
func (d *dictColumn) appendNulls(n int) {
	if d.valid == nil {
		d.valid = make([]bool, len(d.indices), len(d.indices)+n)
		for i := range d.valid {
			d.valid[i] = true
		}
	}
	d.indices = slices.Grow(d.indices, n)
	d.valid = slices.Grow(d.valid, n)
	for range n {
		d.indices = append(d.indices, 0)
		d.valid = append(d.valid, false)
	}
}

// newArray returns the column as a dictionary array and empties d.
func (d *dictColumn) newArray(mem memory.Allocator) (arrow.Array, error) {
	idx, err := d.newIndices(mem)
	if err != nil {
		return nil, err
	}
	defer idx.Release()
	dict := d.newDictionary(mem)
	defer dict.Release()
	*d = dictColumn{dt: d.dt, ids: map[string]int32{}}
	return array.NewDictionaryArray(d.dt, idx, dict), nil
}

// newIndices returns the index array, of the dictionary's index type.
func (d *dictColumn) newIndices(mem memory.Allocator) (arrow.Array, error) {
	ib := array.NewBuilder(mem, d.dt.IndexType)
	defer ib.Release()
	ib.Reserve(len(d.indices))
	switch ib := ib.(type) {
	case *array.Int32Builder:
		ib.AppendValues(d.indices, d.valid)
	case *array.Int16Builder:
		if len(d.values) > math.MaxInt16+1 {
			return nil, fmt.Errorf("%d distinct values for an int16 dictionary index", len(d.values))
		}
		for i, id := range d.indices {
			if d.valid != nil && !d.valid[i] {
				ib.AppendNull()
			} else {
				ib.Append(int16(id))
			}
		}
	case *array.Int8Builder:
		if len(d.values) > math.MaxInt8+1 {
			return nil, fmt.Errorf("%d distinct values for an int8 dictionary index", len(d.values))
		}
		for i, id := range d.indices {
			if d.valid != nil && !d.valid[i] {
				ib.AppendNull()
			} else {
				ib.Append(int8(id))
			}
		}
	default:
		return nil, fmt.Errorf("dictionary index type %s", d.dt.IndexType)
	}
	return ib.NewArray(), nil
}

// newDictionary returns the values as a string array laid out as
// array.GetDictArrayData lays out a dictionary builder's: no validity
// bitmap, int32 offsets, the bytes.
func (d *dictColumn) newDictionary(mem memory.Allocator) arrow.Array {
	offsets := memory.NewResizableBuffer(mem)
	defer offsets.Release()
	offsets.Resize(arrow.Int32Traits.BytesRequired(len(d.values) + 1))
	offs := arrow.Int32Traits.CastFromBytes(offsets.Bytes())
	data := memory.NewResizableBuffer(mem)
	defer data.Release()
	data.Resize(d.size)
	bytes := data.Bytes()
	at := 0
	for i, v := range d.values {
		offs[i] = int32(at)
		at += copy(bytes[at:], v)
	}
	offs[len(d.values)] = int32(at)
	ad := array.NewData(d.dt.ValueType, len(d.values), []*memory.Buffer{nil, offsets, data}, nil, 0, 0)
	defer ad.Release()
	return array.MakeFromData(ad)
}
