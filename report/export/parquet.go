package export

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// A parquetWriter writes one Parquet file, a row group per Write, with the
// bytes pqarrow.FileWriter writes (the same properties, the Arrow schema
// stored, the same pages and statistics), through arrow-go's column chunk
// writers: pqarrow.WriteArrowToColumn for every column but the dictionary
// ones whose dictionary every row uses (all of pystats' categorical
// columns, which dictColumn builds from the values seen). For those,
// pqarrow computes compute.Unique of the indices, only to find the whole
// dictionary referenced, before taking its minimum and maximum; that was
// about 8% of the CPU of a fleet export (300 summarize JSONs, on every
// dictionary column of 3,900 small files). Here a bitmap over the
// dictionary checks the same thing, and the rest is what pqarrow does.
// A schema with nested columns (pyperf's tags list) is left to
// pqarrow.FileWriter whole.
type parquetWriter struct {
	pq  *pqarrow.FileWriter // nested schemas only
	fw  *file.Writer
	sc  *arrow.Schema
	ctx context.Context // pqarrow's write context (its reusable buffers)
}

// newParquetWriter starts a Parquet file of that schema on w.
func newParquetWriter(w io.Writer, sc *arrow.Schema, opt Options) (*parquetWriter, error) {
	props := parquetProperties(sc, opt)
	arrprops := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(opt.Allocator))
	if !flatSchema(sc) {
		pq, err := pqarrow.NewFileWriter(sc, w, props, arrprops)
		if err != nil {
			return nil, err
		}
		return &parquetWriter{pq: pq}, nil
	}
	pqschema, err := pqarrow.ToParquet(sc, props, arrprops)
	if err != nil {
		return nil, err
	}
	// The key-value metadata as pqarrow.NewFileWriter makes it: the
	// schema's own, then the Arrow schema (normalizing it changes only
	// nested fields, which this path does not take).
	meta := make(metadata.KeyValueMetadata, 0)
	for i := 0; i < sc.Metadata().Len(); i++ {
		meta.Append(sc.Metadata().Keys()[i], sc.Metadata().Values()[i])
	}
	md := sc.Metadata()
	stored := arrow.NewSchema(sc.Fields(), &md)
	meta.Append("ARROW:schema", base64.StdEncoding.EncodeToString(flight.SerializeSchema(stored, props.Allocator())))
	fw, err := file.NewParquetWriterWithError(w, pqschema.Root(), file.WithWriterProps(props), file.WithWriteMetadata(meta))
	if err != nil {
		return nil, err
	}
	return &parquetWriter{fw: fw, sc: sc, ctx: pqarrow.NewArrowWriteContext(context.Background(), &arrprops)}, nil
}

// parquetProperties are the writer properties of a file of that schema.
func parquetProperties(sc *arrow.Schema, opt Options) *parquet.WriterProperties {
	popts := []parquet.WriterProperty{
		parquet.WithAllocator(opt.Allocator),
		parquet.WithCompression(parquetCodec(opt.Compression)),
		parquet.WithCreatedBy(CreatedBy(opt.Version)),
		// Dictionary pages for the name columns only: counts are nearly
		// all distinct, and their dictionaries (encoded, then compressed,
		// then dropped for plain pages) were a third of a fleet export's
		// Parquet time. The unique raw key is plain too.
		parquet.WithDictionaryDefault(false),
	}
	for _, f := range sc.Fields() {
		switch f.Type.ID() {
		case arrow.DICTIONARY:
			popts = append(popts, parquet.WithDictionaryFor(f.Name, true))
		case arrow.STRING:
			popts = append(popts, parquet.WithDictionaryFor(f.Name, f.Name != "key"))
		}
	}
	return parquet.NewWriterProperties(popts...)
}

// flatSchema reports whether no column of sc is nested (list, struct, map).
func flatSchema(sc *arrow.Schema) bool {
	for _, f := range sc.Fields() {
		if _, nested := f.Type.(arrow.NestedType); nested {
			return false
		}
	}
	return true
}

// Write writes rec as the file's next row groups (one, unless rec has more
// rows than a row group holds), as pqarrow.FileWriter.Write does.
func (p *parquetWriter) Write(rec arrow.RecordBatch) error {
	if p.pq != nil {
		return p.pq.Write(rec)
	}
	if !rec.Schema().Equal(p.sc) {
		return fmt.Errorf("record schema does not match the file's.\nrecord: %s\nfile: %s", rec.Schema(), p.sc)
	}
	n := rec.NumRows()
	size := p.fw.Properties().MaxRowGroupLength()
	if n <= size {
		return p.writeRowGroup(rec.Columns())
	}
	for off := int64(0); off < n; off += size {
		cols := make([]arrow.Array, rec.NumCols())
		for i, c := range rec.Columns() {
			cols[i] = array.NewSlice(c, off, min(off+size, n))
		}
		err := p.writeRowGroup(cols)
		for _, c := range cols {
			c.Release()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeRowGroup writes one row group of those columns.
func (p *parquetWriter) writeRowGroup(cols []arrow.Array) error {
	rgw := p.fw.AppendRowGroup()
	for i, col := range cols {
		cw, err := rgw.NextColumn()
		if err != nil {
			return err
		}
		if err := p.writeColumn(cw, col, p.sc.Field(i).Nullable); err != nil {
			return fmt.Errorf("column %s: %w", p.sc.Field(i).Name, err)
		}
	}
	return rgw.Close()
}

// writeColumn writes one flat column: its definition levels as pqarrow's
// level builder makes them, then its values.
func (p *parquetWriter) writeColumn(cw file.ColumnChunkWriter, col arrow.Array, nullable bool) error {
	var defLevels []int16
	leafNullable := false
	if nullable {
		nulls := col.NullN()
		defLevels = make([]int16, col.Len())
		switch {
		case nulls == 0:
			for i := range defLevels {
				defLevels[i] = 1
			}
		case nulls == col.Len():
			leafNullable = true
		default:
			leafNullable = true
			for i := range defLevels {
				if col.IsValid(i) {
					defLevels[i] = 1
				}
			}
		}
	}
	if d, ok := col.(*array.Dictionary); ok {
		if done, err := writeWholeDictionary(cw, d, defLevels, leafNullable); done || err != nil {
			return err
		}
	}
	return pqarrow.WriteArrowToColumn(p.ctx, cw, col, defLevels, nil, leafNullable)
}

// dictEncoder is the part of arrow-go's dictionary encoder (an internal
// type) that writeWholeDictionary uses.
type dictEncoder interface {
	NormalizeDict(arrow.Array) (arrow.Array, error)
	PutDictionary(arrow.Array) error
	PreservedDictionary() arrow.Array
	NumEntries() int
}

// writeWholeDictionary writes a dictionary column the way pqarrow does the
// first time it sees a dictionary (its writeDictionaryArrow), when every
// entry of the dictionary is used by some row: the statistics are then
// those of the whole dictionary. It reports false, having written nothing,
// when it does not apply; pqarrow then writes the column.
func writeWholeDictionary(cw file.ColumnChunkWriter, d *array.Dictionary, defLevels []int16, leafNullable bool) (bool, error) {
	enc, ok := cw.CurrentEncoder().(dictEncoder)
	if !ok || cw.CurrentEncoder().Encoding() != parquet.Encodings.PlainDict || enc.PreservedDictionary() != nil {
		return false, nil
	}
	dt := d.DataType().(*arrow.DictionaryType)
	if !arrow.IsBaseBinary(dt.ValueType.ID()) || !everyEntryUsed(d) {
		return false, nil
	}
	// WriteArrowToColumn's set-up of the column writer, for a column that
	// may have nulls below a non-null parent.
	info := cw.LevelInfo()
	singleNullable := info.DefLevel == info.RepeatedAncestorDefLevel+1 && leafNullable
	if info.HasNullableValues() && !singleNullable && !cw.HasBitsBuffer() {
		buf := memory.NewResizableBuffer(cw.Properties().Allocator())
		buf.Resize(int(bitutil.BytesForBits(cw.Properties().WriteBatchSize())))
		cw.SetBitsBuffer(buf)
	}
	normalized, err := enc.NormalizeDict(d.Dictionary())
	if err != nil {
		return true, err
	}
	defer normalized.Release()
	if err := enc.PutDictionary(normalized); err != nil {
		return true, err
	}
	if enc.NumEntries() != normalized.Len() {
		// Duplicate values: pqarrow falls back to plain pages here.
		cw.FallbackToPlain()
		return false, nil
	}
	indices := d.Indices()
	if stats := cw.PageStatistics(); stats != nil {
		nonNull := indices.Len() - indices.NullN()
		stats.IncNulls(max(int64(len(defLevels)-nonNull), 0))
		stats.IncNumValues(int64(nonNull))
		if err := stats.UpdateFromArrow(normalized, false); err != nil {
			return true, err
		}
	}
	return true, cw.WriteDictIndices(indices, defLevels, nil)
}

// everyEntryUsed reports whether each entry of d's dictionary is the value
// of some row.
func everyEntryUsed(d *array.Dictionary) bool {
	n := d.Dictionary().Len()
	used := make([]bool, n)
	left := n
	for i := 0; i < d.Len() && left > 0; i++ {
		if d.IsNull(i) {
			continue
		}
		j := d.GetValueIndex(i)
		if j >= 0 && j < n && !used[j] {
			used[j] = true
			left--
		}
	}
	return left == 0
}

// Close finishes the file: the footer.
func (p *parquetWriter) Close() error {
	if p.pq != nil {
		return p.pq.Close()
	}
	if p.fw == nil {
		return nil
	}
	fw := p.fw
	p.fw = nil
	return fw.Close()
}
