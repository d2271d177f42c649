package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pystats-dev/pystats/internal/shared"
)

// duckdbScript returns the command that runs scripts/duckdb-interop/check.mjs,
// or skips the test when node or the npm packages are missing (run
// "npm ci" in scripts/duckdb-interop to install them). With
// PYSTATS_REQUIRE_DUCKDB=1 a missing reader fails the test instead.
func duckdbScript(t *testing.T) (node, script string) {
	t.Helper()
	skip := t.Skipf
	if os.Getenv("PYSTATS_REQUIRE_DUCKDB") == "1" {
		skip = t.Fatalf
	}
	dir := filepath.Join(shared.ModuleRoot(t), "scripts", "duckdb-interop")
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node not found: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api", "package.json")); err != nil {
		skip("@duckdb/node-api not installed (cd scripts/duckdb-interop && npm ci): %v", err)
	}
	return node, filepath.Join(dir, "check.mjs")
}

// duckdb runs queries with DuckDB and returns each one's rows, cells as text.
func duckdb(t *testing.T, queries map[string]string) map[string][][]string {
	t.Helper()
	node, script := duckdbScript(t)
	in, err := json.Marshal(queries)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script)
	cmd.Dir = filepath.Dir(script)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	t.Logf("DuckDB ran %d queries in %v", len(queries), time.Since(start).Round(time.Millisecond))
	var raw map[string][][]any
	if err := json.Unmarshal(stdout.Bytes(), &raw); err != nil {
		t.Fatalf("DuckDB output: %v\n%s", err, stdout.String())
	}
	out := map[string][][]string{}
	for name, rows := range raw {
		for _, row := range rows {
			var cells []string
			for _, c := range row {
				cells = append(cells, fmt.Sprint(c))
			}
			out[name] = append(out[name], cells)
		}
	}
	return out
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// TestDuckDBInterop writes Parquet files for three 3.13 workloads (one file
// per table and a Hive-partitioned copy), reads them with DuckDB through its
// npm package, and checks row counts, sums and column types against the
// JSON written by CPython's summarize_stats.py for the same dumps.
func TestDuckDBInterop(t *testing.T) {
	duckdbScript(t) // skip early
	mem := checkedMem(t)
	type run struct{ label, input, ref string }
	runs := []run{
		{"test_small", "dumps/3.13/test_small/raw", "dumps/3.13/test_small/summarize_stats"},
		{"json_tool", "dumps/3.13/json_tool/raw", "dumps/3.13/json_tool/summarize_stats"},
		{"LARGE", largeTarball, "dumps/3.13/LARGE_test_suite_136/summarize_stats"},
	}
	var inputs []Input
	refs := map[string]*reference{}
	effectiveness := map[string][]string{}
	for _, r := range runs {
		inputs = append(inputs, loadStats(t, mem, r.label, dataPath(t, r.input)))
		refs[r.label] = readReference(t, dataPath(t, r.ref+".json"))
		effectiveness[r.label] = mdEffectiveness(t, dataPath(t, r.ref+".md"))
	}
	flat, part := t.TempDir(), t.TempDir()
	if _, err := Write(flat, inputs, Options{Allocator: mem}); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(part, inputs, Options{Allocator: mem, Partition: true}); err != nil {
		t.Fatal(err)
	}
	file := func(table string) string { return sqlString(filepath.Join(flat, table+".parquet")) }
	perRun := func(table, exprs, where string) string {
		if where != "" {
			where = " WHERE " + where
		}
		return fmt.Sprintf("SELECT run::VARCHAR, %s FROM read_parquet(%s)%s GROUP BY run ORDER BY run", exprs, file(table), where)
	}
	queries := map[string]string{
		"counters":      perRun("counters", "count(*)::VARCHAR, sum(count)::HUGEINT::VARCHAR", ""),
		"opcodes":       perRun("opcodes", "count(*)::VARCHAR, sum(execution_count)::HUGEINT::VARCHAR", "tier = 1"),
		"failure_kinds": perRun("failure_kinds", "count(*)::VARCHAR, sum(count)::HUGEINT::VARCHAR", ""),
		"pairs":         perRun("pairs", "count(*)::VARCHAR, sum(count)::HUGEINT::VARCHAR", ""),
		"gc":            perRun("gc", "count(*)::VARCHAR, sum(collections)::HUGEINT::VARCHAR", ""),
		"objects":       perRun("objects", "count(*)::VARCHAR, sum(count)::HUGEINT::VARCHAR", ""),
		"specializable": perRun("opcodes", "count(*)::VARCHAR", "specializable"),
		"partitioned": fmt.Sprintf("SELECT run::VARCHAR, count(*)::VARCHAR, sum(execution_count)::HUGEINT::VARCHAR FROM read_parquet(%s, hive_partitioning = true) WHERE tier = 1 GROUP BY run ORDER BY run",
			sqlString(filepath.Join(part, "opcodes", "*", "*.parquet"))),
		// The summarizer's "Specialization effectiveness" rows, from the
		// opcodes table's flags (counts are UBIGINT: widen before subtracting).
		"effectiveness": perRun("opcodes", `sum(execution_count) FILTER (WHERE NOT specializable AND NOT specialized)::VARCHAR,
			sum(execution_count) FILTER (WHERE specializable)::VARCHAR,
			sum(execution_count - miss) FILTER (WHERE specialized)::VARCHAR,
			sum(miss) FILTER (WHERE specialized)::VARCHAR`, "tier = 1"),
		"types": fmt.Sprintf("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(%s)) WHERE column_name IN ('run', 'tier', 'execution_count', 'specializable', 'family')", file("opcodes")),
		"codec": fmt.Sprintf("SELECT DISTINCT compression::VARCHAR FROM parquet_metadata(%s)", file("counters")),
	}
	got := duckdb(t, queries)

	// Expected values, from the summarizer's JSON only.
	want := map[string][][]string{}
	labels := []string{"LARGE", "json_tool", "test_small"} // ORDER BY run
	for _, l := range labels {
		ref := refs[l]
		sum := func(match func(string) bool) []string {
			var total big.Int
			n := 0
			for k, v := range ref.counters {
				if match(k) {
					total.Add(&total, new(big.Int).SetInt64(v))
					n++
				}
			}
			return []string{l, fmt.Sprint(n), total.String()}
		}
		opcodeNames := map[string]bool{}
		specializable := 0
		for k := range ref.counters {
			if rest, ok := strings.CutPrefix(k, "opcode["); ok {
				opcodeNames[rest[:strings.IndexByte(rest, ']')]] = true
				if strings.HasSuffix(k, "].specializable") {
					specializable++
				}
			}
		}
		all := sum(func(string) bool { return true })
		execs := sum(func(k string) bool {
			return strings.HasPrefix(k, "opcode[") && strings.HasSuffix(k, "].execution_count")
		})
		execs[1] = fmt.Sprint(len(opcodeNames))
		gc := sum(func(k string) bool { return strings.HasPrefix(k, "GC[") && strings.HasSuffix(k, "] collections") })
		want["counters"] = append(want["counters"], all)
		want["opcodes"] = append(want["opcodes"], execs)
		want["partitioned"] = append(want["partitioned"], execs)
		want["failure_kinds"] = append(want["failure_kinds"], sum(func(k string) bool { return strings.Contains(k, "].specialization.failure_kinds[") }))
		want["pairs"] = append(want["pairs"], sum(func(k string) bool { return strings.HasPrefix(k, "opcode[") && strings.Contains(k, "].pair_count[") }))
		want["gc"] = append(want["gc"], gc)
		want["objects"] = append(want["objects"], sum(func(k string) bool { return strings.HasPrefix(k, "Object ") }))
		want["specializable"] = append(want["specializable"], []string{l, fmt.Sprint(specializable)})
		want["effectiveness"] = append(want["effectiveness"], append([]string{l}, effectiveness[l]...))
	}
	// gc has one row per generation: count 3, not the number of keys.
	for i := range want["gc"] {
		want["gc"][i][1] = "3"
	}
	want["types"] = [][]string{{"run", "VARCHAR"}, {"tier", "INTEGER"}, {"execution_count", "BIGINT"}, {"specializable", "BOOLEAN"}, {"family", "VARCHAR"}}
	want["codec"] = [][]string{{"ZSTD"}}
	for name := range queries {
		if fmt.Sprint(got[name]) != fmt.Sprint(want[name]) {
			t.Errorf("%s:\nDuckDB  %v\nexpected %v", name, got[name], want[name])
		}
	}
	if t.Failed() {
		return
	}
	for _, l := range labels {
		t.Logf("%s: %v counters, tier-1 executions %v", l, got["counters"][indexOf(labels, l)][1], got["opcodes"][indexOf(labels, l)][2])
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// mdEffectiveness returns the four counts of an E4 report's "Specialization
// effectiveness" table (basic, not specialized, specialized hits, specialized
// misses), without thousands separators.
func mdEffectiveness(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(data), "## Specialization effectiveness\n")
	if !ok {
		t.Fatalf("%s: no Specialization effectiveness section", path)
	}
	var out []string
	for _, line := range strings.Split(sec, "\n") {
		v, ok := strings.CutPrefix(line, `<td align="right">`)
		if !ok || strings.Contains(v, "%") {
			continue
		}
		out = append(out, strings.ReplaceAll(strings.TrimSuffix(v, "</td>"), ",", ""))
		if len(out) == 4 {
			return out
		}
	}
	t.Fatalf("%s: effectiveness table not found", path)
	return nil
}
