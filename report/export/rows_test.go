package export

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestDictColumnMatchesBuilder builds dictionary columns with dictColumn
// and with arrow-go's BinaryDictionaryBuilder, and wants equal arrays that
// encode to the same bytes in every format (so that the export's files did
// not change when the builder was replaced).
func TestDictColumnMatchesBuilder(t *testing.T) {
	int8Dict := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
	const null = "\x00null"
	for _, tc := range []struct {
		name   string
		dt     *arrow.DictionaryType
		values []string // null: a null
	}{
		{name: "empty", dt: dictString},
		{name: "one", dt: dictString, values: []string{"a"}},
		{name: "repeats", dt: dictString, values: []string{"b", "a", "b", "b", "c", "a", ""}},
		{name: "nulls first", dt: dictString, values: []string{null, null, "x", "y", "x"}},
		{name: "nulls between", dt: dictString, values: []string{"x", null, "y", null, "x"}},
		{name: "only nulls", dt: dictString, values: []string{null, null, null}},
		{name: "int8 index", dt: int8Dict, values: []string{"opcode", "gc", null, "opcode", "object"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			d := &dictColumn{dt: tc.dt, ids: map[string]int32{}}
			db := array.NewDictionaryBuilder(mem, tc.dt).(*array.BinaryDictionaryBuilder)
			defer db.Release()
			for _, v := range tc.values {
				if v == null {
					d.appendNulls(1)
					db.AppendNull()
					continue
				}
				d.append(v)
				if err := db.AppendString(v); err != nil {
					t.Fatal(err)
				}
			}
			got, err := d.newArray(mem)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			want := db.NewArray()
			defer want.Release()
			if !array.Equal(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
			sc := arrow.NewSchema([]arrow.Field{{Name: "c", Type: tc.dt, Nullable: true}}, nil)
			for _, f := range []Format{Parquet, Arrow, CSV} {
				if a, b := encodeColumn(t, mem, sc, got, f), encodeColumn(t, mem, sc, want, f); !bytes.Equal(a, b) {
					t.Errorf("%s: %d bytes differ from the builder's %d", f, len(a), len(b))
				}
			}
		})
	}
}

// TestDictColumnAppendN: appendN and appendNulls of n values equal n single
// appends.
func TestDictColumnAppendN(t *testing.T) {
	mem := checkedMem(t)
	a := &dictColumn{dt: dictString, ids: map[string]int32{}}
	b := &dictColumn{dt: dictString, ids: map[string]int32{}}
	a.appendN("run", 3)
	a.appendNulls(2)
	a.appendN("other", 2)
	for _, v := range []string{"run", "run", "run", "", "", "other", "other"} {
		if v == "" {
			b.appendNulls(1)
		} else {
			b.append(v)
		}
	}
	x, err := a.newArray(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Release()
	y, err := b.newArray(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer y.Release()
	if !array.Equal(x, y) {
		t.Errorf("%v != %v", x, y)
	}
}

func encodeColumn(t *testing.T, mem memory.Allocator, sc *arrow.Schema, col arrow.Array, f Format) []byte {
	t.Helper()
	rec := array.NewRecordBatch(sc, []arrow.Array{col}, int64(col.Len()))
	defer rec.Release()
	var buf bytes.Buffer
	if err := EncodeRecord(&buf, rec, f, "", mem); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDictColumnIndexOverflow: more distinct values than the index type
// numbers is an error, not a wrapped index.
func TestDictColumnIndexOverflow(t *testing.T) {
	mem := checkedMem(t)
	d := &dictColumn{dt: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}, ids: map[string]int32{}}
	for i := 0; i < 129; i++ {
		d.append(string(rune('a' + i)))
	}
	if a, err := d.newArray(mem); err == nil {
		a.Release()
		t.Fatal("129 values in an int8 dictionary accepted")
	}
}

// TestBuildOneInputMatchesMany: a table built from one input (where the
// counters table shares the input's columns) holds the rows that input has
// in a table built from several, and the record types are the schema's.
func TestBuildOneInputMatchesMany(t *testing.T) {
	mem := checkedMem(t)
	inputs := []Input{
		loadStats(t, mem, "test_small", dataPath(t, "dumps/3.13/test_small/raw")),
		loadStats(t, mem, "json_tool", dataPath(t, "dumps/3.13/json_tool/raw")),
	}
	for _, tb := range Tables() {
		if tb.Pyperf {
			continue
		}
		t.Run(tb.Name, func(t *testing.T) {
			var want [][]any
			for i := range inputs {
				rec, err := tb.Build(mem, inputs[i:i+1])
				if err != nil {
					t.Fatal(err)
				}
				if !rec.Schema().Equal(tb.Schema) {
					t.Errorf("one input: schema %s, want %s", rec.Schema(), tb.Schema)
				}
				want = append(want, fromRecord(rec).rows...)
				rec.Release()
			}
			rec, err := tb.Build(mem, inputs)
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Release()
			if got := fromRecord(rec).rows; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("rows of both inputs differ from each input's rows (%d and %d rows)", len(got), len(want))
			}
		})
	}
}
