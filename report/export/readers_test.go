package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
)

// interopScript returns node and the path of an interop script, or skips
// (fails with PYSTATS_REQUIRE_DUCKDB=1) when node or the npm packages
// (DuckDB, polars, Apache Arrow JS: "npm ci" in scripts/duckdb-interop) are
// missing.
func interopScript(t *testing.T, name string) (node, script string) {
	t.Helper()
	node, _ = duckdbScript(t)
	dir := filepath.Join(shared.ModuleRoot(t), "scripts", "duckdb-interop")
	skip := t.Skipf
	if os.Getenv("PYSTATS_REQUIRE_DUCKDB") == "1" {
		skip = t.Fatalf
	}
	for _, pkg := range []string{"nodejs-polars", "nodejs-polars-linux-x64-gnu", "apache-arrow"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			skip("%s not installed (cd scripts/duckdb-interop && npm ci): %v", pkg, err)
		}
	}
	return node, filepath.Join(dir, name)
}

// sumColumn is the column whose sum the readers report: the table's first
// int64 column after the run columns, else its first float64 one.
func sumColumn(sc *arrow.Schema) string {
	for _, want := range []arrow.Type{arrow.INT64, arrow.FLOAT64} {
		for _, f := range sc.Fields()[RunColumns:] {
			if f.Type.ID() == want {
				return f.Name
			}
		}
	}
	return ""
}

// columnSum sums a column of rec as the readers print it: an exact integer,
// or a float.
func columnSum(rec arrow.RecordBatch, name string) string {
	if name == "" {
		return "0"
	}
	col := rec.Column(rec.Schema().FieldIndices(name)[0])
	switch a := col.(type) {
	case *array.Int64:
		var total big.Int
		for i := 0; i < a.Len(); i++ {
			if a.IsValid(i) {
				total.Add(&total, big.NewInt(a.Value(i)))
			}
		}
		return total.String()
	case *array.Float64:
		var total float64
		for i := 0; i < a.Len(); i++ {
			if a.IsValid(i) {
				total += a.Value(i)
			}
		}
		return strconv.FormatFloat(total, 'g', -1, 64)
	}
	panic("no sum of " + name)
}

func sameSum(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y))
}

// TestReadersInterop writes every table in every format and layout for real
// pystats data of three eras and two real pyperf files, and reads every file
// back with DuckDB (Parquet, CSV), polars (Parquet, Arrow IPC, CSV) and
// Apache Arrow JS (Arrow IPC, the default uncompressed file): each reader's
// row count and column sum must be those of the table as built.
func TestReadersInterop(t *testing.T) {
	node, script := interopScript(t, "readall.mjs")
	mem := checkedMem(t)
	inputs := []Input{
		loadStats(t, mem, "3.13", dataPath(t, "dumps/3.13/json_tool/raw")),
		loadStats(t, mem, "uops", dataPath(t, "real-pystats/bm-20240329-3.13.0a5+-bfc57d4-PYTHON_UOPS/bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats.json")),
		loadStats(t, mem, "2023-06-19", dataPath(t, "real-pystats/bm-20230619-3.12.0b3-f992a60/bm-20230619-azure-x86_64-python-v3.12.0b3-3.12.0b3-f992a60-pystats.json")),
	}
	dir := "real-timing/public/results/bm-20221024-3.11.0-deaf509/"
	for i, f := range []string{"bm-20221024-linux-x86_64-python-deaf509e8fc6e0363bd6-3.11.0-deaf509.json", "bm-20221024-pythonperf1-amd64-python-deaf509e8fc6e0363bd6-3.11.0-deaf509.json"} {
		s, err := pystats.ReadPyperfFile(dataPath(t, dir+f))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Release)
		inputs = append(inputs, Input{Label: fmt.Sprint("timing", i), Pyperf: s})
	}
	withRef := withReference(inputs)
	// Expected rows and sums, from the tables as built (flat, then per run).
	type expect struct{ rows, sum string }
	want := map[string]expect{}
	type file struct {
		Path   string `json:"path"`
		Format string `json:"format"`
		Sum    string `json:"sum"`
		Float  bool   `json:"float"`
	}
	var files []file
	root := t.TempDir()
	for _, f := range []Format{Parquet, Arrow, CSV} {
		for _, part := range []bool{false, true} {
			out := filepath.Join(root, fmt.Sprintf("%s-%v", f, part))
			written, err := Write(out, inputs, Options{Format: f, Partition: part, Allocator: mem})
			if err != nil {
				t.Fatal(err)
			}
			for _, wf := range written {
				tb, _ := Lookup(wf.Table)
				sel := withRef
				if part {
					for _, in := range withRef {
						if in.Label == wf.Run {
							sel = []Input{in}
						}
					}
				}
				rec, err := tb.Build(mem, sel)
				if err != nil {
					t.Fatal(err)
				}
				col := sumColumn(tb.Schema)
				p := filepath.Join(out, filepath.FromSlash(wf.Path))
				want[p] = expect{fmt.Sprint(rec.NumRows()), columnSum(rec, col)}
				rec.Release()
				float := col != "" && tb.Schema.Field(tb.Schema.FieldIndices(col)[0]).Type.ID() == arrow.FLOAT64
				files = append(files, file{p, string(f), col, float})
			}
		}
	}
	in, _ := json.Marshal(map[string]any{"files": files})
	cmd := exec.Command(node, script)
	cmd.Dir = filepath.Dir(script)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	var got map[string]map[string]struct{ Rows, Sum string }
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	readers := map[string]int{}
	for _, f := range files {
		w := want[f.Path]
		wantReaders := map[string][]string{"parquet": {"duckdb", "polars"}, "csv": {"duckdb", "polars"}, "arrow": {"polars", "arrow"}}[f.Format]
		for _, r := range wantReaders {
			g, ok := got[f.Path][r]
			if !ok {
				t.Errorf("%s: no %s result", f.Path, r)
				continue
			}
			readers[r]++
			if g.Rows != w.rows || !sameSum(g.Sum, w.sum) {
				t.Errorf("%s: %s read %s rows, sum(%s) %s; wrote %s rows, sum %s", f.Path, r, g.Rows, f.Sum, g.Sum, w.rows, w.sum)
			}
		}
	}
	t.Logf("%d files; files read per reader: %v", len(files), readers)
}

// readmeQueries returns every SQL statement of the READMEs' ```sql blocks.
func readmeQueries(t *testing.T) []string {
	t.Helper()
	root := shared.ModuleRoot(t)
	block := regexp.MustCompile("(?s)```sql\n(.*?)```")
	var out []string
	for _, f := range []string{"README.md", "report/export/README.md"} {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range block.FindAllStringSubmatch(string(data), -1) {
			var lines []string
			for _, l := range strings.Split(m[1], "\n") {
				if !strings.HasPrefix(strings.TrimSpace(l), "--") {
					lines = append(lines, l)
				}
			}
			for _, q := range strings.Split(strings.Join(lines, "\n"), ";") {
				if q = strings.TrimSpace(q); q != "" {
					out = append(out, q)
				}
			}
		}
	}
	return out
}

// selectList is the column names (aliases) of a simple SELECT.
func selectList(q string) []string {
	q = strings.Join(strings.Fields(q), " ")
	start, end := strings.Index(q, "SELECT ")+len("SELECT "), strings.Index(q, " FROM ")
	var cols []string
	depth, cur := 0, ""
	for _, r := range q[start:end] {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			cols = append(cols, cur)
			cur = ""
			continue
		}
		cur += string(r)
	}
	cols = append(cols, cur)
	for i, c := range cols {
		c = strings.TrimSpace(c)
		if j := strings.LastIndex(c, " AS "); j >= 0 {
			c = c[j+len(" AS "):]
		}
		cols[i] = c
	}
	return cols
}

// TestREADMEQueries runs every SQL query of the READMEs with DuckDB on an
// export of real 3.13 dumps (runs labelled "2024-03-29" and "2024-03-30",
// which must stay strings) and two real pyperf files, and checks every answer
// against the summarizer's own markdown and JSON for the same dumps (the
// pyperf one against the reader's pyperf-exact means). A README query this
// test does not know fails it.
func TestREADMEQueries(t *testing.T) {
	duckdbScript(t)
	mem := checkedMem(t)
	type run struct{ label, dir string }
	// Date-like labels: DuckDB types such a partition value as DATE unless
	// told (hive_types).
	runs := []run{{"2024-03-29", "dumps/3.13/json_tool"}, {"2024-03-30", "dumps/3.13/test_small"}}
	var inputs []Input
	md := map[string]map[string]map[string]map[string]mdCell{}
	refs := map[string]*reference{}
	eff := map[string][]string{}
	for _, r := range runs {
		dir := dataPath(t, r.dir)
		inputs = append(inputs, loadStats(t, mem, r.label, filepath.Join(dir, "raw")))
		md[r.label] = mdFamilyTables(t, filepath.Join(dir, "summarize_stats.md"))
		refs[r.label] = readReference(t, filepath.Join(dir, "summarize_stats.json"))
		eff[r.label] = mdEffectiveness(t, filepath.Join(dir, "summarize_stats.md"))
	}
	suites := map[string]*pystats.PyperfSuite{}
	for i, f := range []string{"bm-20221024-linux-x86_64-python-deaf509e8fc6e0363bd6-3.11.0-deaf509.json", "bm-20221024-pythonperf1-amd64-python-deaf509e8fc6e0363bd6-3.11.0-deaf509.json"} {
		s, err := pystats.ReadPyperfFile(dataPath(t, "real-timing/public/results/bm-20221024-3.11.0-deaf509/"+f))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Release)
		label := fmt.Sprint("timing", i)
		suites[label] = s
		inputs = append(inputs, Input{Label: label, Pyperf: s})
	}
	flat, part := t.TempDir(), t.TempDir()
	if _, err := Write(flat, inputs, Options{Allocator: mem}); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(part, inputs, Options{Allocator: mem, Partition: true}); err != nil {
		t.Fatal(err)
	}
	partPath := regexp.MustCompile(`'out/([a-z_]+)/\*/\*\.parquet'`)
	flatPath := regexp.MustCompile(`'out/([a-z_]+)\.parquet'`)
	queries := readmeQueries(t)
	sqls := map[string]string{}
	for i, q := range queries {
		q = partPath.ReplaceAllString(q, sqlString(filepath.Join(part, "$1", "*", "*.parquet")))
		q = flatPath.ReplaceAllString(q, sqlString(filepath.Join(flat, "$1.parquet")))
		sqls[fmt.Sprint(i)] = q
		if strings.Contains(q, "hive_partitioning") {
			sqls[fmt.Sprint("type", i)] = "SELECT DISTINCT typeof(run) FROM (" + q + ")"
		}
	}
	got := duckdb(t, sqls)
	isRun := func(s string) bool { _, ok := md[s]; return ok }
	for name, rows := range got {
		if strings.HasPrefix(name, "type") && fmt.Sprint(rows) != "[[VARCHAR]]" {
			t.Errorf("README query %s: run is %v, not a string: hive_types = {'run': VARCHAR} missing", strings.TrimPrefix(name, "type"), rows)
		}
	}
	for i, q := range queries {
		rows := got[fmt.Sprint(i)]
		cols := selectList(q)
		if len(rows) == 0 {
			t.Errorf("README query %d has no rows:\n%s", i, q)
			continue
		}
		col := func(row []string, name string) string {
			for j, c := range cols {
				if c == name {
					return row[j]
				}
			}
			t.Fatalf("query %d: no column %s", i, name)
			return ""
		}
		switch {
		case strings.Contains(q, "out/families/"):
			for _, row := range rows {
				r, fam := col(row, "run"), col(row, "family")
				if !isRun(r) {
					t.Errorf("query %d: run %q is not a label (hive_types?)", i, r)
					continue
				}
				tables := md[r][fam]
				for _, c := range cols {
					kind, isRatio := strings.CutSuffix(c, "_ratio")
					table, label := "Kind", kind
					if kind == "failure" || kind == "success" {
						table, label = "Success", strings.ToUpper(kind[:1])+kind[1:]
					}
					v := col(row, c)
					switch {
					case c == "run" || c == "family" || c == "total":
					case isRatio:
						f, _ := strconv.ParseFloat(v, 64)
						if w, ok := tables[table][label]; ok && pct(f) != w.ratio || !ok && v != "<nil>" && f != 0 {
							t.Errorf("query %d: %s %s %s = %s (%s), report %v", i, r, fam, c, v, pct(f), tables[table][label])
						}
					default:
						if w := tables[table][label]; v != fmt.Sprint(w.count) {
							t.Errorf("query %d: %s %s %s = %s, report %d", i, r, fam, c, v, w.count)
						}
					}
				}
			}
		case strings.Contains(q, "FILTER (WHERE specializable)"):
			for _, row := range rows {
				if !isRun(row[0]) || fmt.Sprint(row[1:]) != fmt.Sprint(eff[row[0]]) {
					t.Errorf("query %d: %v, report %v", i, row, eff[row[0]])
				}
			}
		case strings.Contains(q, "'Object allocations from freelist'"):
			if len(rows) != len(runs) {
				t.Errorf("query %d: %d rows, want one per pystats run", i, len(rows))
			}
			for _, row := range rows {
				if !isRun(row[0]) || col(row, "count") != fmt.Sprint(refs[row[0]].counters["Object allocations from freelist"]) {
					t.Errorf("query %d: %v, summarizer JSON %d", i, row, refs[row[0]].counters["Object allocations from freelist"])
				}
			}
		case strings.Contains(q, "out/values.parquet"):
			for _, row := range rows {
				s := suites[col(row, "run")]
				if s == nil {
					t.Errorf("query %d: run %v", i, row)
					continue
				}
				b := s.Index(col(row, "benchmark"))
				mean, ok := s.Mean(b)
				got, _ := strconv.ParseFloat(col(row, "mean"), 64)
				if !ok || !sameSum(fmt.Sprint(got), fmt.Sprint(mean)) || col(row, "n") != fmt.Sprint(len(s.BenchValues(b))) {
					t.Errorf("query %d: %v, pyperf mean %v of %d values", i, row, mean, len(s.BenchValues(b)))
				}
			}
		default:
			t.Errorf("README query %d has no check in this test:\n%s", i, q)
		}
	}
	t.Logf("%d README queries checked", len(queries))
}
