package export

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// TestFlatIPCOfSeveralRuns: a flat Arrow IPC file of several runs holds one
// record batch per run, all with the same dictionaries (the union of the
// runs', which the file format requires), whether the spilled runs stayed in
// memory, went to a temporary file (gone afterwards) or could not (no
// TMPDIR). TestFormatsAgree checks its rows against Parquet's.
func TestFlatIPCOfSeveralRuns(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit int
		noTmp bool
	}{
		{"in memory", 8 << 20, false},
		{"in a file", 1, false},
		{"no temporary folder", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(old int) { ipcSpoolMemory = old }(ipcSpoolMemory)
			ipcSpoolMemory = tc.limit
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			if tc.noTmp {
				t.Setenv("TMPDIR", filepath.Join(tmp, "missing"))
			}
			flatIPCOfSeveralRuns(t)
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("left in TMPDIR: %v", left)
			}
		})
	}
}

func flatIPCOfSeveralRuns(t *testing.T) {
	mem := checkedMem(t)
	small := dataPath(t, "dumps/3.13/test_small/raw")
	inputs := []Input{
		loadStats(t, mem, "a", small),
		loadStats(t, mem, "b", dataPath(t, "dumps/3.13/json_tool/raw")),
		loadStats(t, mem, "c", small),
	}
	dir := t.TempDir()
	if _, err := Write(dir, inputs, Options{Format: Arrow, Allocator: mem}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "counters.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.NumRecords() != len(inputs) {
		t.Fatalf("%d record batches, want one per run (%d)", r.NumRecords(), len(inputs))
	}
	var first []string
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		var dicts []string
		for _, c := range rec.Columns() {
			if d, ok := c.(*array.Dictionary); ok {
				dicts = append(dicts, d.Dictionary().String())
			}
		}
		if i == 0 {
			first = dicts
			if !strings.Contains(dicts[0], `"a" "b" "c"`) {
				t.Errorf("run dictionary %s, want the three labels", dicts[0])
			}
		} else if fmt.Sprint(dicts) != fmt.Sprint(first) {
			t.Errorf("batch %d has other dictionaries than batch 0", i)
		}
	}
}

// TestDictUnionRefusesTooManyValues: a union of more values than its index
// type numbers is an error naming the column, not indices that wrap.
func TestDictUnionRefusesTooManyValues(t *testing.T) {
	mem := checkedMem(t)
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
	u := &dictUnion{name: "category", typ: dt, limit: indexLimit[arrow.INT8], seen: map[string]int32{}}
	run := func(from int) error {
		vb := array.NewStringBuilder(mem)
		ib := array.NewInt8Builder(mem)
		for i := range 100 {
			vb.Append(fmt.Sprint("v", from+i))
			ib.Append(int8(i))
		}
		vals, idx := vb.NewArray(), ib.NewArray()
		vb.Release()
		ib.Release()
		d := array.NewDictionaryArray(dt, idx, vals)
		vals.Release()
		idx.Release()
		defer d.Release()
		got, err := u.indices(d, mem)
		if err == nil {
			got.Release()
		}
		return err
	}
	if err := run(0); err != nil {
		t.Fatalf("100 values: %v", err)
	}
	err := run(100)
	if err == nil || !strings.Contains(err.Error(), "category") || !strings.Contains(err.Error(), "128") {
		t.Fatalf("200 values in int8 indices: got %v, want an error naming the column and its limit", err)
	}
}
