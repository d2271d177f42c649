package main

import (
	"os"
	"strings"
	"testing"
)

const fixture311 = "../../testdata/dumps/3.11/json_tool"

// TestSummarize311 checks the command end to end on 3.11.2 dumps: the
// automatic style is E1 with the embedded 3.11 tables and reproduces the
// 3.11.2 summarizer byte for byte (footer date aside); --style e2 still gives
// the 3.12-era rendering; a 3.11 comparison is the E2 one.
func TestSummarize311(t *testing.T) {
	want, err := os.ReadFile(fixture311 + "/summarize_stats.md")
	if err != nil {
		t.Fatal(err)
	}
	date := strings.TrimPrefix(lastLine(string(want)), "Stats gathered on: ")
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, md string)
	}{
		{"auto", []string{"summarize", fixture311 + "/raw", "--date", date}, func(t *testing.T, md string) {
			if md != string(want) {
				t.Error("markdown differs from the 3.11.2 summarize_stats.py's")
			}
		}},
		{"e1", []string{"summarize", fixture311 + "/raw", "--date", date, "--style", "e1"}, func(t *testing.T, md string) {
			if md != string(want) {
				t.Error("markdown differs from the 3.11.2 summarize_stats.py's")
			}
		}},
		{"e2", []string{"summarize", fixture311 + "/raw", "--date", date, "--style", "e2"}, func(t *testing.T, md string) {
			if md == string(want) || !strings.Contains(md, "Top 5 predecessors") {
				t.Error("--style e2 did not give the E2 rendering")
			}
		}},
		{"compare", []string{"compare", fixture311 + "/raw", fixture311 + "/raw", "--date", date, "--no-summary"}, func(t *testing.T, md string) {
			if !strings.Contains(md, "| Base Count | Head Count | Change | ") {
				t.Errorf("not the E2 comparison:\n%.500s", md)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, md, stderr := runCLI(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			tt.check(t, md)
		})
	}
}
