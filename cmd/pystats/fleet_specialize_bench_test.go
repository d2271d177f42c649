package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// specFleet makes a run folder of n benchmark folders under dir, each
// <benchmark>/raw/ holding a copy of the real 3.13 json_tool dump
// (testdata/dumps/3.13/json_tool/raw), and returns the run folder.
func specFleet(tb testing.TB, dir string, n int) string {
	tb.Helper()
	src := filepath.Join("..", "..", "testdata", "dumps", "3.13", "json_tool", "raw")
	ents, err := os.ReadDir(src)
	if err != nil {
		tb.Fatal(err)
	}
	run := filepath.Join(dir, "run")
	for i := range n {
		raw := filepath.Join(run, fmt.Sprintf("bench%05d", i), "raw")
		if err := os.MkdirAll(raw, 0o755); err != nil {
			tb.Fatal(err)
		}
		for _, e := range ents {
			data, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				tb.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(raw, e.Name()), data, 0o644); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return run
}

// BenchmarkSpecializeFleet runs `pystats specialize` (markdown and JSON
// outputs) over a run folder of N benchmark folders, reporting seconds and
// peak RSS (MiB) per run. Run:
// go test ./cmd/pystats -run '^$' -bench SpecializeFleet -benchtime 1x
func BenchmarkSpecializeFleet(b *testing.B) {
	for _, n := range []int{30, 300, 3000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			run := specFleet(b, dir, n)
			b.ResetTimer()
			var maxRSS int64
			var total time.Duration
			for range b.N {
				elapsed, rss := runMain(b, "specialize", run, "-o", filepath.Join(dir, "view.md"), "--json-output", filepath.Join(dir, "view.json"))
				total += elapsed
				maxRSS = max(maxRSS, rss)
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/run")
			b.ReportMetric(float64(maxRSS)/(1<<20), "peak-MiB")
		})
	}
}
