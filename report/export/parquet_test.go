package export

import (
	"bytes"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// TestParquetWriterMatchesPqarrow writes records through parquetWriter and
// through pqarrow.FileWriter with the same properties and wants the same
// bytes: dictionary columns whose every entry is used (the path that skips
// pqarrow's compute.Unique), with nulls or only nulls, with unused entries
// or duplicate values (where pqarrow's own path is taken), an empty string
// among the entries, nullable plain
// columns, several row groups, an empty file, and a nested schema (left to
// pqarrow whole), in every codec.
func TestParquetWriterMatchesPqarrow(t *testing.T) {
	str := func(mem memory.Allocator, vals ...*string) arrow.Array {
		b := array.NewStringBuilder(mem)
		defer b.Release()
		for _, v := range vals {
			if v == nil {
				b.AppendNull()
			} else {
				b.Append(*v)
			}
		}
		return b.NewArray()
	}
	s := func(v string) *string { return &v }
	// dictOf makes a dictionary array of dict's values indexed by idx (-1: null).
	dictOf := func(mem memory.Allocator, dict []string, idx ...int) arrow.Array {
		ib := array.NewInt32Builder(mem)
		defer ib.Release()
		for _, i := range idx {
			if i < 0 {
				ib.AppendNull()
			} else {
				ib.Append(int32(i))
			}
		}
		ind := ib.NewArray()
		defer ind.Release()
		vals := make([]*string, len(dict))
		for i := range dict {
			vals[i] = &dict[i]
		}
		d := str(mem, vals...)
		defer d.Release()
		return array.NewDictionaryArray(dictString, ind, d)
	}
	counts := func(mem memory.Allocator, n int, nullEvery int) arrow.Array {
		b := array.NewUint64Builder(mem)
		defer b.Release()
		for i := 0; i < n; i++ {
			if nullEvery > 0 && i%nullEvery == 0 {
				b.AppendNull()
			} else {
				b.Append(uint64(i * 7))
			}
		}
		return b.NewArray()
	}
	flat := arrow.NewSchema([]arrow.Field{
		{Name: "family", Type: dictString},
		{Name: "label", Type: dictString, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "key", Type: arrow.BinaryTypes.String},
		{Name: "count", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	}, nil)
	type batch func(mem memory.Allocator) []arrow.Array
	rows := func(family, label arrow.Array, nullEvery int) batch {
		return func(mem memory.Allocator) []arrow.Array {
			n := family.Len()
			names := make([]*string, n)
			keys := make([]*string, n)
			for i := range names {
				if i%3 != 1 {
					names[i] = s("n" + string(rune('a'+i%5)))
				}
				keys[i] = s("k" + string(rune('a'+i)))
			}
			return []arrow.Array{family, label, str(mem, names...), str(mem, keys...), counts(mem, n, nullEvery)}
		}
	}
	for _, tc := range []struct {
		name    string
		batches func(mem memory.Allocator) []batch
	}{
		{"every entry used", func(mem memory.Allocator) []batch {
			return []batch{rows(dictOf(mem, []string{"LOAD_ATTR", "CALL", "BINARY_OP"}, 0, 1, 2, 1, 0, 0),
				dictOf(mem, []string{"hit", "miss"}, 0, 1, 1, 0, 0, 1), 0)}
		}},
		{"nulls", func(mem memory.Allocator) []batch {
			return []batch{rows(dictOf(mem, []string{"b", "a", "c"}, 2, 1, 0, 0, 1, 2, 2),
				dictOf(mem, []string{"x", "y"}, -1, 0, -1, 1, 1, -1, 0), 2)}
		}},
		{"only nulls", func(mem memory.Allocator) []batch {
			return []batch{rows(dictOf(mem, []string{"a"}, 0, 0, 0),
				dictOf(mem, nil, -1, -1, -1), 1)}
		}},
		{"unused entries", func(mem memory.Allocator) []batch {
			return []batch{rows(dictOf(mem, []string{"a", "zz", "b", "0"}, 0, 2, 2, 0),
				dictOf(mem, []string{"q", "r", "s"}, 1, -1, 1, 1), 3)}
		}},
		{"duplicate values", func(mem memory.Allocator) []batch {
			return []batch{rows(dictOf(mem, []string{"a", "b", "a"}, 0, 1, 2, 2),
				dictOf(mem, []string{"x", "x"}, 0, 1, 0, 1), 0)}
		}},
		{"row groups", func(mem memory.Allocator) []batch {
			return []batch{
				rows(dictOf(mem, []string{"a", "b"}, 0, 1, 1), dictOf(mem, []string{"x"}, 0, -1, 0), 2),
				rows(dictOf(mem, []string{"c", "a"}, 0, 1, 0, 0), dictOf(mem, []string{"y", "x"}, 1, 0, -1, 0), 0),
			}
		}},
		{"empty string entry", func(mem memory.Allocator) []batch {
			return []batch{rows(dictOf(mem, []string{"b", "", "a"}, 0, 1, 2, 1),
				dictOf(mem, []string{"", "x"}, 1, 0, -1, 0), 0)}
		}},
		{"empty", func(mem memory.Allocator) []batch { return nil }},
	} {
		for _, comp := range []Compression{Zstd, Snappy, LZ4, Uncompressed} {
			t.Run(tc.name+"/"+string(comp), func(t *testing.T) {
				mem := checkedMem(t)
				opt := Options{Format: Parquet, Compression: comp, Allocator: mem, Version: "test"}
				var recs []arrow.RecordBatch
				for _, b := range tc.batches(mem) {
					cols := b(mem)
					recs = append(recs, array.NewRecordBatch(flat, cols, int64(cols[0].Len())))
					for _, c := range cols {
						c.Release()
					}
				}
				defer func() {
					for _, r := range recs {
						r.Release()
					}
				}()
				sameParquet(t, flat, recs, opt)
			})
		}
	}

	t.Run("nested", func(t *testing.T) {
		mem := checkedMem(t)
		sc := arrow.NewSchema([]arrow.Field{
			{Name: "name", Type: dictString},
			{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		}, nil)
		b := array.NewRecordBuilder(mem, sc)
		defer b.Release()
		b.Field(0).(*array.BinaryDictionaryBuilder).AppendString("go")
		lb := b.Field(1).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.StringBuilder).Append("apps")
		rec := b.NewRecordBatch()
		defer rec.Release()
		sameParquet(t, sc, []arrow.RecordBatch{rec}, Options{Format: Parquet, Compression: Zstd, Allocator: mem})
	})
}

// sameParquet writes recs as one file with parquetWriter and with
// pqarrow.FileWriter (the same properties) and wants the same bytes.
func sameParquet(t *testing.T, sc *arrow.Schema, recs []arrow.RecordBatch, opt Options) {
	t.Helper()
	var got, want bytes.Buffer
	pw, err := newParquetWriter(&got, sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := pqarrow.NewFileWriter(sc, &want, parquetProperties(sc, opt),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(opt.Allocator)))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := pw.Write(r); err != nil {
			t.Fatal(err)
		}
		if err := fw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("parquetWriter wrote %d bytes, pqarrow.FileWriter %d, not the same", got.Len(), want.Len())
	}
}

// TestStatisticsWithEmptyString: a string column holding "" gets "" as its
// minimum in the column chunk, whether it is categorical (our dictionary
// path, or pqarrow's for unused entries), plain, or inside a list (the pyperf
// tags, written by pqarrow whole). arrow-go before v18.9.0 passed over empty
// values, so a reader filtering row groups on the minimum (DuckDB: WHERE
// opcode < 'A') skipped the rows holding "".
func TestStatisticsWithEmptyString(t *testing.T) {
	listOf := arrow.ListOf(arrow.BinaryTypes.String)
	for _, tc := range []struct {
		name     string
		typ      arrow.DataType
		values   []string
		unused   bool // build the dictionary with an entry no row uses
		nested   bool // add a list column, so pqarrow writes the file whole (the pyperf tables)
		min, max string
	}{
		{"dictionary, empty among others", dictString, []string{"hit", "", "miss", "hit"}, false, false, "", "miss"},
		{"dictionary, only empty", dictString, []string{"", ""}, false, false, "", ""},
		{"dictionary, no empty", dictString, []string{"hit", "miss"}, false, false, "hit", "miss"},
		{"dictionary, unused entry", dictString, []string{"b", "", "b"}, true, false, "", "b"},
		{"dictionary beside a list (pyperf)", dictString, []string{"b", "", "b"}, false, true, "", "b"},
		{"plain", arrow.BinaryTypes.String, []string{"k", "", "a"}, false, false, "", "k"},
		{"list (pyperf tags)", listOf, []string{"apps", "", "math"}, false, false, "", "math"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			fields := []arrow.Field{{Name: "label", Type: tc.typ}}
			if tc.nested {
				fields = append(fields, arrow.Field{Name: "tags", Type: listOf})
			}
			sc := arrow.NewSchema(fields, nil)
			var col arrow.Array
			switch tc.typ.(type) {
			case *arrow.DictionaryType:
				dict := append([]string(nil), tc.values...)
				if tc.unused {
					dict = append(dict, "zzz")
				}
				ib := array.NewInt32Builder(mem)
				vb := array.NewStringBuilder(mem)
				seen := map[string]int32{}
				var entries []string
				for _, v := range dict {
					if _, ok := seen[v]; !ok {
						seen[v] = int32(len(entries))
						entries = append(entries, v)
					}
				}
				vb.AppendValues(entries, nil)
				for _, v := range tc.values {
					ib.Append(seen[v])
				}
				ind, vals := ib.NewArray(), vb.NewArray()
				ib.Release()
				vb.Release()
				col = array.NewDictionaryArray(dictString, ind, vals)
				ind.Release()
				vals.Release()
			case *arrow.ListType:
				lb := array.NewListBuilder(mem, arrow.BinaryTypes.String)
				lb.Append(true)
				lb.ValueBuilder().(*array.StringBuilder).AppendValues(tc.values, nil)
				col = lb.NewArray()
				lb.Release()
			default:
				sb := array.NewStringBuilder(mem)
				sb.AppendValues(tc.values, nil)
				col = sb.NewArray()
				sb.Release()
			}
			defer col.Release()
			cols := []arrow.Array{col}
			if tc.nested {
				lb := array.NewListBuilder(mem, arrow.BinaryTypes.String)
				for range col.Len() {
					lb.Append(true)
					lb.ValueBuilder().(*array.StringBuilder).Append("apps")
				}
				tags := lb.NewArray()
				lb.Release()
				defer tags.Release()
				cols = append(cols, tags)
			}
			rec := array.NewRecordBatch(sc, cols, int64(col.Len()))
			defer rec.Release()
			var buf bytes.Buffer
			pw, err := newParquetWriter(&buf, sc, Options{Format: Parquet, Compression: Zstd, Allocator: mem, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			if err := pw.Write(rec); err != nil {
				t.Fatal(err)
			}
			if err := pw.Close(); err != nil {
				t.Fatal(err)
			}
			r, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			cc, err := r.MetaData().RowGroup(0).ColumnChunk(0)
			if err != nil {
				t.Fatal(err)
			}
			st, err := cc.Statistics()
			if err != nil || st == nil {
				t.Fatalf("no statistics (%v)", err)
			}
			bs := st.(*metadata.ByteArrayStatistics)
			if !bs.HasMinMax() || string(bs.Min()) != tc.min || string(bs.Max()) != tc.max {
				t.Errorf("column chunk min %q max %q (set %v), want %q %q", bs.Min(), bs.Max(), bs.HasMinMax(), tc.min, tc.max)
			}
		})
	}
}
