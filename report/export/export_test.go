package export

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
)

var workloads313 = []string{"test_small", "json_tool", "json_tool_run2", "compileall_stdlib"}

// TestParquetMatchesSummarizer exports each 3.13 workload's raw dumps, reads
// the Parquet files back with arrow-go's reader, and checks every table
// against the JSON and markdown that CPython 3.13.5's summarize_stats.py wrote
// for the same dumps.
func TestParquetMatchesSummarizer(t *testing.T) {
	for _, w := range workloads313 {
		t.Run(w, func(t *testing.T) {
			mem := checkedMem(t)
			dir := dataPath(t, "dumps/3.13/"+w)
			in := loadStats(t, mem, w, filepath.Join(dir, "raw"))
			ref := readReference(t, filepath.Join(dir, "summarize_stats.json"))
			out := t.TempDir()
			files, err := Write(out, []Input{in}, Options{Allocator: mem})
			if err != nil {
				t.Fatal(err)
			}
			if n := countTables(false); len(files) != n {
				t.Errorf("%d files, want the %d pystats tables", len(files), n)
			}
			read := func(name string) *table { return readParquet(t, mem, filepath.Join(out, name+".parquet")) }
			for _, tb := range Tables() {
				if tb.Pyperf {
					continue
				}
				got := read(tb.Name)
				if schemaString(got.schema) != schemaString(tb.Schema) {
					t.Errorf("%s: schema read back\n%s\nwant\n%s", tb.Name, got.schema, tb.Schema)
				}
				for r := range got.rows {
					if got.get(r, "run") != w || got.get(r, "commit") != nil || got.get(r, "date") != nil {
						t.Fatalf("%s row %d: run columns %v", tb.Name, r, got.rows[r][:RunColumns])
					}
				}
			}
			checkCounters(t, read("counters"), ref)
			checkOpcodes(t, read("opcodes"), ref)
			checkFailureKinds(t, read("failure_kinds"), ref, mdFailureKinds(t, filepath.Join(dir, "summarize_stats.md")))
			checkPairs(t, read("pairs"), ref)
			checkKeyed(t, read("calls"), ref, func(tb *table, r int) string {
				if idx := tb.get(r, "index"); idx != nil {
					return fmt.Sprintf("%s[%d]", tb.get(r, "name"), idx)
				}
				return tb.get(r, "name").(string)
			}, "Calls ", "Frame")
			checkKeyed(t, read("objects"), ref, func(tb *table, r int) string { return "Object " + tb.get(r, "name").(string) }, "Object ")
			checkKeyed(t, read("rare_events"), ref, func(tb *table, r int) string {
				return "Rare event (" + tb.get(r, "event").(string) + ")"
			}, "Rare event ")
			checkGC(t, read("gc"), ref)
			if w == "json_tool" {
				// The ranking of `pystats specialize`, whose counts its own tests
				// check against the summarizer's tables.
				loss := read("specialization_loss")
				if len(loss.rows) == 0 || loss.get(0, "family") != "LOAD_ATTR" || loss.get(0, "lost") != int64(2545728) || loss.get(0, "rank") != int32(1) {
					t.Errorf("specialization_loss first row %v, want LOAD_ATTR lost 2,545,728", loss.rows[0])
				}
			}
			if n := len(read("optimization").rows) + len(read("histograms").rows); n != 0 {
				t.Errorf("default 3.13 build: %d optimization/histogram rows, want none", n)
			}
		})
	}
}

func checkCounters(t *testing.T, got *table, ref *reference) {
	t.Helper()
	if len(got.rows) != len(ref.counters) {
		t.Errorf("counters: %d rows, want %d keys", len(got.rows), len(ref.counters))
	}
	for r := range got.rows {
		key := got.get(r, "key").(string)
		if want, ok := ref.counters[key]; !ok || got.get(r, "count") != want {
			t.Errorf("counters %s = %v, want %d (present %v)", key, got.get(r, "count"), want, ok)
		}
		p := pystats.ParseKey(key)
		if got.get(r, "category") != string(p.Family) || got.get(r, "name") != p.Name ||
			got.get(r, "counter") != p.Counter || got.get(r, "index") != p.Index {
			t.Errorf("counters %s: dimensions %v, want %+v", key, got.rows[r][RunColumns+1:RunColumns+5], p)
		}
	}
}

var opcodeColumns = map[string]string{
	"execution_count": "execution_count", "hit": "specialization.hit", "miss": "specialization.miss",
	"deferred": "specialization.deferred", "success": "specialization.success",
	"failure": "specialization.failure", "deopt": "specialization.deopt",
}

func checkOpcodes(t *testing.T, got *table, ref *reference) {
	t.Helper()
	names := map[string]bool{}
	for k := range ref.counters {
		if rest, ok := strings.CutPrefix(k, "opcode["); ok {
			names[rest[:strings.IndexByte(rest, ']')]] = true
		}
	}
	var total int64
	rows := 0
	for r := range got.rows {
		if got.get(r, "tier") != int32(1) {
			continue
		}
		rows++
		op := got.get(r, "opcode").(string)
		for col, counter := range opcodeColumns {
			if g, w := got.get(r, col), ref.counters["opcode["+op+"]."+counter]; g != w {
				t.Errorf("opcodes %s %s = %v, want %d", op, col, g, w)
			}
		}
		total += asCount(got.get(r, "execution_count"))
		_, spz := ref.counters["opcode["+op+"].specializable"]
		if got.get(r, "specializable") != spz || got.get(r, "specialized") != ref.specialized[op] {
			t.Errorf("opcodes %s: specializable %v specialized %v, want %v %v", op,
				got.get(r, "specializable"), got.get(r, "specialized"), spz, ref.specialized[op])
		}
		fam := got.get(r, "family")
		switch {
		case spz && fam != op:
			t.Errorf("opcodes %s: family %v, want itself", op, fam)
		case ref.specialized[op] && (fam == nil || !strings.HasPrefix(op, fam.(string)+"_")):
			t.Errorf("opcodes %s: family %v", op, fam)
		case !spz && !ref.specialized[op] && fam != nil:
			t.Errorf("opcodes %s: basic instruction with family %v", op, fam)
		}
	}
	if rows != len(names) {
		t.Errorf("opcodes: %d tier-1 rows, want %d opcodes", rows, len(names))
	}
	if want, _ := ref.sum("opcode[", "].execution_count"); total != want {
		t.Errorf("opcodes: execution counts sum to %d, want %d", total, want)
	}
}

func checkFailureKinds(t *testing.T, got *table, ref *reference, md map[string]map[string]int64) {
	t.Helper()
	var wantTotal int64
	wantRows := 0
	for k, v := range ref.counters {
		if strings.Contains(k, ".specialization.failure_kinds[") {
			wantTotal += v
			wantRows++
		}
	}
	var total int64
	type kind struct {
		n     int32
		label string
		count int64
	}
	byFamily := map[string][]kind{}
	for r := range got.rows {
		fam, n, c := got.get(r, "family").(string), got.get(r, "kind").(int32), asCount(got.get(r, "count"))
		key := fmt.Sprintf("opcode[%s].specialization.failure_kinds[%d]", fam, n)
		if ref.counters[key] != c {
			t.Errorf("failure_kinds %s = %d, want %d", key, c, ref.counters[key])
		}
		total += c
		label, _ := got.get(r, "label").(string)
		byFamily[fam] = append(byFamily[fam], kind{n, label, c})
	}
	if len(got.rows) != wantRows || total != wantTotal {
		t.Errorf("failure_kinds: %d rows summing to %d, want %d keys summing to %d", len(got.rows), total, wantRows, wantTotal)
	}
	// The report's failure-kind tables: one row per label, a later kind
	// overwriting an earlier one with the same label (a dict in the script).
	for fam, want := range md {
		kinds := byFamily[fam]
		sort.Slice(kinds, func(i, j int) bool { return kinds[i].n < kinds[j].n })
		gotLabels := map[string]int64{}
		for _, k := range kinds {
			gotLabels[k.label] = k.count
		}
		if fmt.Sprint(gotLabels) != fmt.Sprint(want) {
			t.Errorf("failure kinds of %s:\n got %v\nwant %v (summarize_stats.md)", fam, gotLabels, want)
		}
	}
	if len(md) == 0 {
		t.Error("no failure-kind tables found in the markdown")
	}
}

func checkPairs(t *testing.T, got *table, ref *reference) {
	t.Helper()
	var want int64
	n := 0
	for k, v := range ref.counters {
		if strings.HasPrefix(k, "opcode[") && strings.Contains(k, "].pair_count[") {
			want += v
			n++
		}
	}
	var total int64
	for r := range got.rows {
		key := fmt.Sprintf("opcode[%s].pair_count[%s]", got.get(r, "first"), got.get(r, "second"))
		c := asCount(got.get(r, "count"))
		if got.get(r, "tier") != int32(1) || ref.counters[key] != c {
			t.Errorf("pairs %s = %d (tier %v), want %d", key, c, got.get(r, "tier"), ref.counters[key])
		}
		total += c
	}
	if len(got.rows) != n || total != want {
		t.Errorf("pairs: %d rows summing to %d, want %d summing to %d", len(got.rows), total, n, want)
	}
}

// checkKeyed checks a table whose rows map back to one raw key each.
func checkKeyed(t *testing.T, got *table, ref *reference, key func(*table, int) string, prefixes ...string) {
	t.Helper()
	n := 0
	for k := range ref.counters {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				n++
				break
			}
		}
	}
	if len(got.rows) != n || n == 0 {
		t.Errorf("%v: %d rows, want %d", prefixes, len(got.rows), n)
	}
	value := "count"
	for r := range got.rows {
		k := key(got, r)
		if w, ok := ref.counters[k]; !ok || got.get(r, value) != w {
			t.Errorf("%s = %v, want %d (present %v)", k, got.get(r, value), w, ok)
		}
	}
}

func checkGC(t *testing.T, got *table, ref *reference) {
	t.Helper()
	if len(got.rows) != 3 {
		t.Fatalf("gc: %d rows, want 3 generations", len(got.rows))
	}
	for r := range got.rows {
		g := got.get(r, "generation").(int32)
		if g != int32(r) {
			t.Errorf("gc row %d: generation %d", r, g)
		}
		for _, name := range gcFields {
			col := strings.ReplaceAll(name, " ", "_")
			w, ok := ref.counters[fmt.Sprintf("GC[%d] %s", g, name)]
			var want any // null when the version has no such counter
			if ok {
				want = w
			}
			if got.get(r, col) != want {
				t.Errorf("gc %d %s = %v, want %v", g, col, got.get(r, col), want)
			}
		}
	}
}

// Test314 exports the 3.14 bench_runner JSON of the module's testdata: five
// GC columns, mortal/immortal object counters, commit metadata.
func Test314(t *testing.T) {
	mem := checkedMem(t)
	path := dataPath(t, "json/bm-20250315-azure-x86_64-python-e82c2ca2a59235bc1965-3.14.0a6+-e82c2ca-pystats-python_startup_no_site.json")
	in := loadStats(t, mem, "startup", path)
	ref := readReference(t, path)
	dir := t.TempDir()
	if _, err := Write(dir, []Input{in}, Options{Allocator: mem}); err != nil {
		t.Fatal(err)
	}
	read := func(name string) *table { return readParquet(t, mem, filepath.Join(dir, name+".parquet")) }
	gc := read("gc")
	checkGC(t, gc, ref)
	if gc.get(0, "objects_reachable_from_roots") == nil {
		t.Error("3.14 data: reachable-from-roots column is null")
	}
	checkKeyed(t, read("objects"), ref, func(tb *table, r int) string { return "Object " + tb.get(r, "name").(string) }, "Object ")
	checkCounters(t, read("counters"), ref)
	checkOpcodes(t, read("opcodes"), ref)
	c := read("counters")
	if c.get(0, "commit") != "e82c2ca2a" || c.get(0, "fork") != "python" {
		t.Errorf("metadata columns %v", c.rows[0][:RunColumns])
	}
}

// TestFormatsAgree checks that the Arrow IPC and CSV files hold exactly what
// the Parquet files hold.
func TestFormatsAgree(t *testing.T) {
	mem := checkedMem(t)
	inputs := []Input{
		loadStats(t, mem, "small", dataPath(t, "dumps/3.13/test_small/raw")),
		loadStats(t, mem, "uops", dataPath(t, "real-pystats/bm-20240329-3.13.0a5+-bfc57d4-PYTHON_UOPS/bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats.json")),
	}
	dirs := map[Format]string{}
	for _, f := range []Format{Parquet, Arrow, CSV} {
		dirs[f] = t.TempDir()
		if _, err := Write(dirs[f], inputs, Options{Format: f, Allocator: mem}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	for _, tb := range Tables() {
		if tb.Pyperf {
			continue
		}
		pq := readParquet(t, mem, filepath.Join(dirs[Parquet], tb.Name+".parquet"))
		ar := readIPC(t, mem, filepath.Join(dirs[Arrow], tb.Name+".arrow"))
		if schemaString(ar.schema) != schemaString(tb.Schema) {
			t.Errorf("%s.arrow schema %s", tb.Name, ar.schema)
		}
		if fmt.Sprint(ar.rows) != fmt.Sprint(pq.rows) {
			t.Errorf("%s: Arrow IPC and Parquet rows differ", tb.Name)
		}
		data, err := os.ReadFile(filepath.Join(dirs[CSV], tb.Name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(data, []byte("\r\n")) {
			t.Errorf("%s.csv: lines do not end in CRLF", tb.Name)
		}
		recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("%s.csv: %v", tb.Name, err)
		}
		if strings.Join(recs[0], ",") != strings.Join(pq.cols, ",") {
			t.Errorf("%s.csv header %v", tb.Name, recs[0])
		}
		if len(recs)-1 != len(pq.rows) {
			t.Fatalf("%s.csv: %d rows, want %d", tb.Name, len(recs)-1, len(pq.rows))
		}
		for r, row := range pq.rows {
			for c, v := range row {
				want := ""
				if v != nil {
					want = fmt.Sprint(v)
				}
				if recs[r+1][c] != want {
					t.Fatalf("%s.csv row %d column %s: %q, want %q", tb.Name, r, pq.cols[c], recs[r+1][c], want)
				}
			}
		}
	}
}

// TestDeterministic encodes the same inputs twice in every format and layout
// and wants the same bytes.
func TestDeterministic(t *testing.T) {
	mem := checkedMem(t)
	inputs := []Input{
		loadStats(t, mem, "small", dataPath(t, "dumps/3.13/test_small/raw")),
		loadStats(t, mem, "py311", dataPath(t, "dumps/3.11/test_small/raw")),
	}
	for _, f := range []Format{Parquet, Arrow, CSV} {
		for _, part := range []bool{false, true} {
			opt := Options{Format: f, Partition: part, Allocator: mem}
			a, err := Encode(inputs, opt)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Encode(inputs, opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(a) != len(b) {
				t.Fatalf("%s partition=%v: %d then %d files", f, part, len(a), len(b))
			}
			for i := range a {
				if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
					t.Errorf("%s partition=%v: %s differs between two runs", f, part, a[i].Path)
				}
			}
		}
	}
}

// TestPartition checks the Hive layout: one file per table and run, without
// the run column, holding that run's rows.
func TestPartition(t *testing.T) {
	mem := checkedMem(t)
	inputs := []Input{
		loadStats(t, mem, "test_small", dataPath(t, "dumps/3.13/test_small/raw")),
		loadStats(t, mem, "json_tool", dataPath(t, "dumps/3.13/json_tool/raw")),
	}
	flat, part := t.TempDir(), t.TempDir()
	if _, err := Write(flat, inputs, Options{Allocator: mem}); err != nil {
		t.Fatal(err)
	}
	files, err := Write(part, inputs, Options{Partition: true, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	if n := countTables(false); len(files) != 2*n {
		t.Errorf("%d files, want %d tables × 2 runs", len(files), n)
	}
	for _, tb := range Tables() {
		if tb.Pyperf {
			continue
		}
		all := readParquet(t, mem, filepath.Join(flat, tb.Name+".parquet"))
		for _, in := range inputs {
			p := filepath.Join(part, tb.Name, "run="+in.Label, "part-0.parquet")
			got := readParquet(t, mem, p)
			if got.cols[0] != "commit" || len(got.cols) != len(all.cols)-1 {
				t.Errorf("%s: columns %v, want the run column left out", p, got.cols)
			}
			var want [][]any
			for _, row := range all.rows {
				if row[0] == in.Label {
					want = append(want, row[1:])
				}
			}
			if fmt.Sprint(got.rows) != fmt.Sprint(want) {
				t.Errorf("%s: rows differ from the %s rows of %s.parquet", p, in.Label, tb.Name)
			}
		}
	}
}

// TestTier2AndMetadata exports a bench_runner JSON of a PYTHON_UOPS build:
// commit metadata columns, uops rows, optimizer counters and histograms.
func TestTier2AndMetadata(t *testing.T) {
	mem := checkedMem(t)
	path := dataPath(t, "real-pystats/bm-20240329-3.13.0a5+-bfc57d4-PYTHON_UOPS/bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats.json")
	in := loadStats(t, mem, "uops", path)
	ref := readReference(t, path)
	tabs := map[string]*table{}
	for _, tb := range Tables() {
		if tb.Pyperf {
			continue
		}
		rec, err := tb.Build(mem, []Input{in})
		if err != nil {
			t.Fatal(err)
		}
		tabs[tb.Name] = fromRecord(rec)
		rec.Release()
	}
	c := tabs["counters"]
	want := []any{"uops", "bfc57d4", "python", "bfc57d43d8766120ba0c8f3f6d7b2ac681a81d8a", "2024-03-29T18:58:08-04:00"}
	if fmt.Sprint(c.rows[0][:RunColumns]) != fmt.Sprint(want) {
		t.Errorf("run columns %v, want %v", c.rows[0][:RunColumns], want)
	}
	var uops int64
	for r, row := range tabs["opcodes"].rows {
		if row[RunColumns] != int32(2) {
			continue
		}
		op := tabs["opcodes"].get(r, "opcode").(string)
		uops += asCount(tabs["opcodes"].get(r, "execution_count"))
		if tabs["opcodes"].get(r, "specializable") != nil || tabs["opcodes"].get(r, "family") != nil {
			t.Errorf("uop %s: specializable/family should be null", op)
		}
		if g, w := tabs["opcodes"].get(r, "miss"), ref.counters["uops["+op+"].specialization.miss"]; g != w {
			t.Errorf("uop %s miss = %v, want %d", op, g, w)
		}
	}
	if w, _ := ref.sum("uops[", ".execution_count"); uops != w || w == 0 {
		t.Errorf("uops execution counts sum to %d, want %d", uops, w)
	}
	h := tabs["histograms"]
	if len(h.rows) != 96 {
		t.Errorf("histograms: %d rows, want 3 × 32 buckets", len(h.rows))
	}
	for r := range h.rows {
		key := fmt.Sprintf("%s[%d]", h.get(r, "histogram"), h.get(r, "bucket"))
		if ref.counters[key] != h.get(r, "count") {
			t.Errorf("%s = %v, want %d", key, h.get(r, "count"), ref.counters[key])
		}
	}
	o := tabs["optimization"]
	sections := map[string]int{}
	for r := range o.rows {
		sec, name := o.get(r, "section").(string), o.get(r, "name").(string)
		sections[sec]++
		key := name
		if sec == SectionUnsupportedOpcode {
			key = "unsupported_opcode[" + name + "].count"
		}
		if ref.counters[key] != o.get(r, "count") {
			t.Errorf("optimization %s = %v, want %d", key, o.get(r, "count"), ref.counters[key])
		}
	}
	if sections[SectionOptimizer] == 0 || sections[SectionUnsupportedOpcode] == 0 {
		t.Errorf("optimization sections %v", sections)
	}
	if _, n := ref.sum("unsupported_opcode[", ""); n != sections[SectionUnsupportedOpcode] {
		t.Errorf("%d unsupported_opcode rows, want %d", sections[SectionUnsupportedOpcode], n)
	}
}

// TestNumericOpcodes exports 3.12 (summarize JSON) and 3.11 (raw dumps)
// numeric-opcode data: names come from the embedded build tables, numbers stay
// in opcode_number, and without tables the numbers are the names.
func TestNumericOpcodes(t *testing.T) {
	tests := []struct {
		name, path string
		tables     bool
		// wantFamily: instruction → family (a sample).
		wantFamily map[string]string
	}{
		{"3.12", "real-pystats/bm-20230619-3.12.0b3-f992a60/bm-20230619-azure-x86_64-python-v3.12.0b3-3.12.0b3-f992a60-pystats.json", true,
			map[string]string{"LOAD_ATTR_SLOT": "LOAD_ATTR", "LOAD_SUPER_ATTR_METHOD": "LOAD_SUPER_ATTR", "CALL_PY_EXACT_ARGS": "CALL", "LOAD_ATTR": "LOAD_ATTR"}},
		{"3.11", "dumps/3.11/test_small/raw", true,
			map[string]string{"PRECALL_NO_KW_LEN": "PRECALL", "LOAD_METHOD_NO_DICT": "LOAD_METHOD", "LOAD_GLOBAL_BUILTIN": "LOAD_GLOBAL"}},
		{"3.12 without tables", "real-pystats/bm-20230619-3.12.0b3-f992a60/bm-20230619-azure-x86_64-python-v3.12.0b3-3.12.0b3-f992a60-pystats.json", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedMem(t)
			in := loadStats(t, mem, "x", dataPath(t, tt.path))
			if !tt.tables {
				in.Tables = nil
			} else if in.Tables == nil {
				t.Skipf("no embedded tables for %s", in.Era.Version)
			}
			var execKeys int64
			keys, values := in.Stats.Keys(), in.Stats.Values()
			for i := 0; i < keys.Len(); i++ {
				if strings.HasPrefix(keys.Value(i), "opcode[") && strings.HasSuffix(keys.Value(i), "].execution_count") {
					execKeys += int64(values.Value(i))
				}
			}
			rec, err := mustTable(t, "opcodes").Build(mem, []Input{in})
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Release()
			ops := fromRecord(rec)
			var total int64
			fams := map[string]string{}
			for r := range ops.rows {
				op := ops.get(r, "opcode").(string)
				num := ops.get(r, "opcode_number")
				if num == nil {
					t.Fatalf("%s: opcode_number null for numeric data", op)
				}
				_, err := strconv.Atoi(op)
				if tt.tables == (err == nil) {
					t.Errorf("opcode %q (number %v): tables %v", op, num, tt.tables)
				}
				if !tt.tables && op != fmt.Sprint(num) {
					t.Errorf("opcode %q, number %v", op, num)
				}
				if s := ops.get(r, "specialized"); (s == nil) == tt.tables {
					t.Errorf("%s: specialized = %v with tables %v", op, s, tt.tables)
				}
				if f, ok := ops.get(r, "family").(string); ok {
					fams[op] = f
				}
				if ops.get(r, "specialized") == true && strings.Contains(op, "ADAPTIVE") {
					t.Errorf("%s counted as specialized", op)
				}
				total += asCount(ops.get(r, "execution_count"))
			}
			if total != execKeys || total == 0 {
				t.Errorf("execution counts sum to %d, want %d", total, execKeys)
			}
			for op, want := range tt.wantFamily {
				if fams[op] != want {
					t.Errorf("family of %s = %q, want %q", op, fams[op], want)
				}
			}
			frec, err := mustTable(t, "failure_kinds").Build(mem, []Input{in})
			if err != nil {
				t.Fatal(err)
			}
			defer frec.Release()
			fk := fromRecord(frec)
			labelled := 0
			for r := range fk.rows {
				if l := fk.get(r, "label"); l != nil {
					labelled++
				}
			}
			if tt.tables && labelled != len(fk.rows) || !tt.tables && labelled != 0 || len(fk.rows) == 0 {
				t.Errorf("%d of %d failure kinds labelled with tables %v", labelled, len(fk.rows), tt.tables)
			}
		})
	}
}

// mustTable looks a table up by name.
func mustTable(t *testing.T, name string) *Table {
	t.Helper()
	tb, ok := Lookup(name)
	if !ok {
		t.Fatalf("no table %s", name)
	}
	return tb
}

func TestLabels(t *testing.T) {
	tests := []struct {
		label string
		ok    bool
	}{
		{"test_small", true},
		{"3.13.5-jit+tier2", true},
		{"base head", true},
		{"", false},
		{".hidden", false},
		{"a/b", false},
		{"run=1", false},
		{"50%", false},
		{"a\nb", false},
	}
	for _, tt := range tests {
		if err := CheckLabel(tt.label); (err == nil) != tt.ok {
			t.Errorf("CheckLabel(%q) = %v, want ok %v", tt.label, err, tt.ok)
		}
	}
	mem := checkedMem(t)
	in := loadStats(t, mem, "same", dataPath(t, "dumps/3.13/json_tool/raw"))
	if _, err := Encode([]Input{in, in}, Options{Allocator: mem}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate labels: err = %v", err)
	}
	for _, opt := range []Options{{Format: "xlsx"}, {Format: Arrow, Compression: Snappy}, {Compression: "brotli"}} {
		if err := opt.Validate(); err == nil {
			t.Errorf("Validate(%+v) accepted", opt)
		}
	}
}

// TestWriteFailureLeavesNothing makes a rename fail half-way (a directory
// sits where a later file goes) and wants no new file, temporary file or
// directory left behind.
func TestWriteFailureLeavesNothing(t *testing.T) {
	for _, part := range []bool{false, true} {
		t.Run(fmt.Sprintf("partition=%v", part), func(t *testing.T) {
			mem := checkedMem(t)
			in := loadStats(t, mem, "small", dataPath(t, "dumps/3.13/json_tool/raw"))
			dir := t.TempDir()
			blocker := filepath.Join(dir, "rare_events.parquet")
			if part {
				blocker = filepath.Join(dir, "rare_events", "run=small", "part-0.parquet")
			}
			if err := os.MkdirAll(filepath.Join(blocker, "x"), 0o755); err != nil {
				t.Fatal(err)
			}
			before := listTree(t, dir)
			if _, err := Write(dir, []Input{in}, Options{Partition: part, Allocator: mem}); err == nil {
				t.Fatal("Write succeeded over a directory")
			}
			if after := listTree(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("left behind:\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
			}
		})
	}
}

func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPyperf exports pyperf result files next to a pystats input.
func TestPyperf(t *testing.T) {
	mem := checkedMem(t)
	path := dataPath(t, "real-timing/public/results/bm-20221024-3.11.0-deaf509/bm-20221024-linux-x86_64-python-deaf509e8fc6e0363bd6-3.11.0-deaf509.json")
	suite, err := pystats.ReadPyperfFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer suite.Release()
	inputs := []Input{
		{Label: "linux", Pyperf: suite},
		loadStats(t, mem, "small", dataPath(t, "dumps/3.13/json_tool/raw")),
	}
	dir := t.TempDir()
	files, err := Write(dir, inputs, Options{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	if n := countTables(false) + countTables(true); len(files) != n {
		t.Errorf("%d files, want %d pystats and pyperf tables", len(files), n)
	}
	bench := readParquet(t, mem, filepath.Join(dir, "benchmarks.parquet"))
	vals := readParquet(t, mem, filepath.Join(dir, "values.parquet"))
	if len(bench.rows) != suite.NumBenchmarks() || len(vals.rows) != int(suite.Values.NumRows()) {
		t.Fatalf("%d benchmarks and %d values, want %d and %d", len(bench.rows), len(vals.rows), suite.NumBenchmarks(), suite.Values.NumRows())
	}
	commit, _ := suite.MetaString("commit_id")
	sums := map[string]float64{}
	counts := map[string]int64{}
	for r := range vals.rows {
		name := vals.get(r, "benchmark").(string)
		sums[name] += vals.get(r, "value").(float64)
		counts[name]++
	}
	for r := range bench.rows {
		name := bench.get(r, "name").(string)
		i := suite.Index(name)
		if i < 0 || bench.get(r, "run") != "linux" || bench.get(r, "commit") != commit {
			t.Fatalf("benchmark %s: row %v", name, bench.rows[r][:RunColumns])
		}
		n := bench.get(r, "n").(int64)
		if n != int64(len(suite.BenchValues(i))) || counts[name] != n {
			t.Errorf("%s: n = %d, values rows %d, want %d", name, n, counts[name], len(suite.BenchValues(i)))
		}
		if m, ok := suite.Mean(i); ok && bench.get(r, "mean") != m {
			t.Errorf("%s: mean %v, want %v", name, bench.get(r, "mean"), m)
		}
		if mean := sums[name] / float64(n); n > 0 && !near(mean, bench.get(r, "mean").(float64)) {
			t.Errorf("%s: values average %v, mean column %v", name, mean, bench.get(r, "mean"))
		}
		if fmt.Sprint(bench.get(r, "tags")) != fmt.Sprint(toAny(suite.Tags(i))) {
			t.Errorf("%s: tags %v, want %v", name, bench.get(r, "tags"), suite.Tags(i))
		}
	}
}

func toAny(s []string) []any {
	out := []any{}
	for _, v := range s {
		out = append(out, v)
	}
	return out
}

func near(a, b float64) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d <= 1e-9*b
}

// TestPyperfSparse exports a minimal pyperf file (no tags, no memory
// metadata, one value in a run) in every format: empty lists and all-null
// columns must encode.
func TestPyperfSparse(t *testing.T) {
	mem := checkedMem(t)
	suite, err := pystats.ReadPyperf("sparse.json", []byte(`{"benchmarks": [
 {"metadata": {"name": "a", "loops": 4}, "runs": [{"values": [0.5, 0.25]}, {"values": [0.75]}]},
 {"metadata": {"name": "b", "tags": ["x", "y"]}, "runs": [{"values": [2.0]}]}],
 "version": "1.0"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer suite.Release()
	// No tags anywhere: every tags list is empty (a list of dictionary
	// strings with an empty dictionary crashed pqarrow; tags are plain strings).
	untagged, err := pystats.ReadPyperf("untagged.json", []byte(`{"benchmarks": [
 {"metadata": {"name": "a"}, "runs": [{"values": [0.5]}]}], "metadata": {"commit_id": "abc1234"}, "version": "1.0"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer untagged.Release()
	for _, s := range []*pystats.PyperfSuite{suite, untagged} {
		for _, f := range []Format{Parquet, Arrow, CSV} {
			dir := t.TempDir()
			if _, err := Write(dir, []Input{{Label: "sparse", Pyperf: s}}, Options{Format: f, Allocator: mem}); err != nil {
				t.Fatalf("%s %s: %v", s.Path, f, err)
			}
		}
	}
	rec, err := mustTable(t, "benchmarks").Build(mem, []Input{{Label: "sparse", Pyperf: suite}})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	b := fromRecord(rec)
	want := "[[sparse <nil> <nil> <nil> <nil> a [] second 4 <nil> 2 3 0.5 0.5 0.25 <nil> <nil> {\"name\":\"a\",\"loops\":4}] " +
		"[sparse <nil> <nil> <nil> <nil> b [x y] second <nil> <nil> 1 1 2 2 <nil> <nil> <nil> {\"name\":\"b\",\"tags\":[\"x\",\"y\"]}]]"
	if got := fmt.Sprint(b.rows); got != want {
		t.Errorf("benchmarks rows\n got %s\nwant %s", got, want)
	}
}

// countTables counts the tables of pystats inputs (the runs table too), or
// those of pyperf inputs only.
func countTables(pyperf bool) int {
	n := 0
	for _, t := range Tables() {
		if t.Pyperf == pyperf && (!pyperf || !t.All) {
			n++
		}
	}
	return n
}
