package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pystats-dev/pystats/internal/shared"
)

// TestCompareCommand runs 'pystats compare' in process on the 3.13 dumps and
// checks its output against the 3.13.5 summarizer's comparison.
func TestCompareCommand(t *testing.T) {
	d := shared.Path(t, "data/dumps/3.13")
	want, err := os.ReadFile(filepath.Join(d, "_comparisons/json_tool_run1_vs_run2.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"json", []string{filepath.Join(d, "json_tool/summarize_stats.json"), filepath.Join(d, "json_tool_run2/summarize_stats.json")}},
		{"raw", []string{filepath.Join(d, "json_tool/raw"), filepath.Join(d, "json_tool_run2/raw")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now}
			args := append([]string{"compare"}, tc.args...)
			args = append(args, "--date", "2026-11-25")
			if code := run(args, e); code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if !bytes.Equal(stdout.Bytes(), want) {
				t.Errorf("output differs from %s (%d vs %d bytes)", "json_tool_run1_vs_run2.md", stdout.Len(), len(want))
			}
		})
	}
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now}
	if code := run([]string{"compare", "only-one"}, e); code != exitUsage {
		t.Errorf("one input: exit %d, want %d", code, exitUsage)
	}
}
