package main

import (
	"encoding/json"
	"testing"
)

// TestInfoJSON checks `info --json` on a dump folder and a bench_runner
// summarize JSON: one object with the documented field names.
func TestInfoJSON(t *testing.T) {
	tests := []struct {
		input                    string
		format, version, keys    string
		lines, tier2, benchRunnr bool
	}{
		{fixture313 + "/raw", "dump directory", "3.13", "named", true, false, false},
		{fixture314JSON, "summarize JSON", "3.14", "named", false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "info", "--json", tt.input)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			for _, k := range []string{"input", "input_format", "files", "lines", "bytes", "distinct_keys", "nfiles", "opcode_keys",
				"version", "version_source", "categories", "tier2", "uop_pairs", "jit_memory", "tier1_instructions",
				"build_metadata", "build_tables", "bench_runner", "names_reliable", "names_reason", "problems"} {
				if _, ok := got[k]; !ok {
					t.Errorf("no field %q", k)
				}
			}
			if got["input_format"] != tt.format || got["version"] != tt.version || got["opcode_keys"] != tt.keys ||
				(got["lines"] != nil) != tt.lines || got["tier2"] != tt.tier2 || (got["bench_runner"] != nil) != tt.benchRunnr ||
				got["names_reliable"] != true {
				t.Errorf("got %v", got)
			}
			if n, _ := got["tier1_instructions"].(float64); n <= 0 {
				t.Errorf("tier1_instructions %v", got["tier1_instructions"])
			}
		})
	}
}
