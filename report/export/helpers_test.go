package export

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// checkedMem returns an allocator that fails the test when memory is still
// allocated at the end (a missing Release). Register it before anything that
// releases in a Cleanup, so that it runs last.
func checkedMem(t testing.TB) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// loadStats reads a pystats input as the export command does: embedded build
// tables for the detected version, attached to named-opcode data.
func loadStats(t testing.TB, mem memory.Allocator, label, path string) Input {
	t.Helper()
	st, err := pystats.Read(path, pystats.Options{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Release)
	in := Input{Label: label, Stats: st, Era: pystats.DetectEra(st)}
	if tb, ok := specialize.Embedded(in.Era.Version); ok {
		in.Tables = tb
		if in.Era.NamedOpcodes {
			specialize.Attach(st, tb)
		}
	}
	return in
}

// table is a file read back: column names and rows of Go values (string,
// int32, int64, float64, bool, []any, or nil for null).
type table struct {
	schema *arrow.Schema
	cols   []string
	rows   [][]any
}

func (tb *table) col(name string) int {
	for i, c := range tb.cols {
		if c == name {
			return i
		}
	}
	panic("no column " + name)
}

// get returns column name of row r.
func (tb *table) get(r int, name string) any { return tb.rows[r][tb.col(name)] }

func fromArrowTable(tbl arrow.Table) *table {
	out := &table{schema: tbl.Schema()}
	for _, f := range tbl.Schema().Fields() {
		out.cols = append(out.cols, f.Name)
	}
	out.rows = make([][]any, tbl.NumRows())
	for i := range out.rows {
		out.rows[i] = make([]any, tbl.NumCols())
	}
	for c := 0; c < int(tbl.NumCols()); c++ {
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				out.rows[r][c] = goValue(chunk, i)
				r++
			}
		}
	}
	return out
}

func fromRecord(rec arrow.RecordBatch) *table {
	tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
	defer tbl.Release()
	return fromArrowTable(tbl)
}

func goValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Dictionary:
		return goValue(a.Dictionary(), a.GetValueIndex(i))
	case *array.String:
		return a.Value(i)
	case *array.Uint64:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Int32:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.Timestamp:
		return a.Value(i).ToTime(arrow.Microsecond).UTC().Format(time.RFC3339)
	case *array.List:
		start, end := a.ValueOffsets(i)
		out := []any{}
		for j := start; j < end; j++ {
			out = append(out, goValue(a.ListValues(), int(j)))
		}
		return out
	}
	panic(fmt.Sprintf("unexpected type %s", a.DataType()))
}

func readParquet(t testing.TB, mem memory.Allocator, path string) *table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tbl, err := pqarrow.ReadTable(context.Background(), f, parquet.NewReaderProperties(mem), pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer tbl.Release()
	return fromArrowTable(tbl)
}

func readIPC(t testing.TB, mem memory.Allocator, path string) *table {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer r.Close()
	var recs []arrow.RecordBatch
	defer func() {
		for _, rec := range recs {
			rec.Release()
		}
	}()
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		rec.Retain() // the reader's until its next RecordBatch
		recs = append(recs, rec)
	}
	tbl := array.NewTableFromRecords(r.Schema(), recs)
	defer tbl.Release()
	return fromArrowTable(tbl)
}

// reference is a summarize_stats.py JSON: counters plus metadata.
type reference struct {
	counters    map[string]int64
	specialized map[string]bool
}

func readReference(t testing.TB, path string) *reference {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	ref := &reference{counters: map[string]int64{}, specialized: map[string]bool{}}
	for k, v := range raw {
		switch {
		case k == "_specialized_instructions":
			var list []string
			if err := json.Unmarshal(v, &list); err != nil {
				t.Fatal(err)
			}
			for _, s := range list {
				ref.specialized[s] = true
			}
		case k == "metadata" || strings.HasPrefix(k, "_") && k != "__nfiles__":
		default:
			var n int64
			if err := json.Unmarshal(v, &n); err != nil {
				t.Fatalf("%s: %s: %v", path, k, err)
			}
			ref.counters[k] = n
		}
	}
	return ref
}

// sum adds the reference counters whose key has prefix and suffix.
func (r *reference) sum(prefix, suffix string) (total int64, n int) {
	for k, v := range r.counters {
		if strings.HasPrefix(k, prefix) && strings.HasSuffix(k, suffix) {
			total += v
			n++
		}
	}
	return total, n
}

// mdFailureKinds extracts the failure-kind tables of an E4 markdown report:
// family → label → count.
func mdFailureKinds(t testing.TB, path string) map[string]map[string]int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	heading := regexp.MustCompile(`^### (\S+)$`)
	cell := regexp.MustCompile(`^<td align="(left|right)">(.*)</td>$`)
	out := map[string]map[string]int64{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	family, inTable, label := "", false, ""
	for sc.Scan() {
		line := sc.Text()
		if m := heading.FindStringSubmatch(line); m != nil {
			family, inTable = m[1], false
			continue
		}
		switch {
		case line == `<th align="left">Failure kind</th>`:
			inTable, label = true, ""
			if out[family] == nil {
				out[family] = map[string]int64{}
			}
		case line == "</tbody>":
			inTable = false
		case inTable:
			m := cell.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			if m[1] == "left" {
				label = m[2]
			} else if label != "" {
				n, err := strconv.ParseInt(strings.ReplaceAll(m[2], ",", ""), 10, 64)
				if err != nil {
					t.Fatalf("%s: count %q", path, m[2])
				}
				out[family][label] = n
				label = ""
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dataPath returns the path of reference data: the module's testdata/ copy
// when it has one (so the test runs without ../shared), else ../shared/data,
// skipping the test when neither exists.
func dataPath(t testing.TB, rel string) string {
	t.Helper()
	if p := filepath.Join(shared.ModuleRoot(t), "testdata", rel); exists(p) {
		return p
	}
	return shared.Path(t, filepath.Join("data", rel))
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// schemaString describes a schema's fields (name, type, nullability), leaving
// out field metadata such as PARQUET:field_id.
func schemaString(sc *arrow.Schema) string {
	var b strings.Builder
	for _, f := range sc.Fields() {
		fmt.Fprintf(&b, "%s %s nullable=%v\n", f.Name, f.Type, f.Nullable)
	}
	return b.String()
}

// asCount is a count cell read back (an int64).
func asCount(v any) int64 {
	n, ok := v.(int64)
	if !ok || n < 0 {
		panic(fmt.Sprintf("count cell %v (%T) is not a non-negative int64", v, v))
	}
	return n
}
