package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkSummarizeLarge runs the whole summarize command (read, resolve,
// render) on a folder of dumps named by PYSTATS_BENCH_DIR (for example the
// LARGE 3.13 run extracted), with SetBytes so that -bench reports MB/s.
func BenchmarkSummarizeLarge(b *testing.B) {
	dir := os.Getenv("PYSTATS_BENCH_DIR")
	if dir == "" {
		b.Skip("PYSTATS_BENCH_DIR not set (a folder of dump files)")
	}
	var size int64
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if fi, err := os.Stat(filepath.Join(dir, e.Name())); err == nil {
			size += fi.Size()
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if code := run([]string{"summarize", dir, "--date", "2026-01-01"}, newEnv(io.Discard, io.Discard)); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
