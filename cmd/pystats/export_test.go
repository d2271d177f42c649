package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixture314JSON = "../../testdata/json/bm-20250315-azure-x86_64-python-e82c2ca2a59235bc1965-3.14.0a6+-e82c2ca-pystats-python_startup_no_site.json"

// TestExportCommand runs the export command end to end: layouts, formats,
// labels, pyperf detection, and the usage errors.
func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	pyperf := filepath.Join(dir, "bench.json")
	if err := os.WriteFile(pyperf, []byte(`{"benchmarks": [{"metadata": {"name": "nbody", "loops": 4},
 "runs": [{"values": [0.5, 0.25]}, {"values": [0.75]}]}],
 "metadata": {"commit_id": "abc1234"}, "version": "1.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		code  int
		msg   string   // in stderr
		files []string // under the output directory
	}{
		{"one file per table", []string{fixture313 + "/raw", fixture314JSON, "--label", "json", "--label", "startup"}, exitOK,
			"wrote 13 files", []string{"runs.parquet", "families.parquet", "counters.parquet", "opcodes.parquet", "failure_kinds.parquet", "pairs.parquet", "calls.parquet",
				"objects.parquet", "gc.parquet", "optimization.parquet", "histograms.parquet", "rare_events.parquet", "specialization_loss.parquet"}},
		{"partitioned CSV", []string{fixture313 + "/summarize_stats.json", "--partition", "--format", "csv"}, exitOK,
			"wrote 13 files", []string{"opcodes/run=summarize_stats/part-0.csv", "gc/run=summarize_stats/part-0.csv"}},
		{"Arrow IPC, default label", []string{fixture313 + "/raw", "--format", "arrow", "--partition"}, exitOK,
			"", []string{"counters/run=json_tool/part-0.arrow"}}, // .../json_tool/raw: the parent's name
		{"LABEL=PATH", []string{"base=" + fixture313 + "/raw", "head=" + fixture313 + "/summarize_stats.json", "--format", "csv", "--partition"}, exitOK,
			"", []string{"counters/run=base/part-0.csv", "counters/run=head/part-0.csv"}},
		{"pyperf and pystats", []string{pyperf, fixture313 + "/raw"}, exitOK,
			"wrote 17 files", []string{"benchmarks.parquet", "values.parquet", "counters.parquet"}},
		{"no output", []string{fixture313 + "/raw"}, exitUsage, "export needs -o DIR", nil},
		{"no input", []string{}, exitUsage, "at least one INPUT", nil},
		{"label count", []string{fixture313 + "/raw", fixture314JSON, "--label", "a"}, exitUsage, "1 --label for 2 inputs", nil},
		{"same default label", []string{fixture313 + "/summarize_stats.json", fixture313 + "/summarize_stats.json"}, exitUsage, `both have label "summarize_stats"`, nil},
		{"bad label", []string{fixture313 + "/raw", "--label", "a/b"}, exitUsage, "not allowed in a partition path", nil},
		{"bad format", []string{fixture313 + "/raw", "--format", "xlsx"}, exitUsage, `--format "xlsx"`, nil},
		{"bad codec for IPC", []string{fixture313 + "/raw", "--format", "arrow", "--compression", "snappy"}, exitUsage, "Arrow IPC supports", nil},
		{"missing input", []string{filepath.Join(dir, "nope")}, exitInput, "no such file", nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, "out", string(rune('a'+i)))
			args := append([]string{"export"}, tt.args...)
			if tt.code != exitUsage || tt.name != "no output" {
				args = append(args, "-o", out)
			}
			code, _, stderr := runCLI(t, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			if !strings.Contains(stderr, tt.msg) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.msg)
			}
			for _, f := range tt.files {
				if _, err := os.Stat(filepath.Join(out, f)); err != nil {
					t.Errorf("missing %s: %v", f, err)
				}
			}
			if tt.code != exitOK {
				if _, err := os.Stat(out); err == nil {
					t.Errorf("failed export left %s behind", out)
				}
			}
		})
	}
}
