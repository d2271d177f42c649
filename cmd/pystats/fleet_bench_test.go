package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/pystats-dev/pystats/internal/shared"
)

// The fleet benchmarks run the test binary itself as `pystats` in a
// subprocess (fleetMain), so that each measurement has its own peak RSS
// (Rusage.Maxrss) and a cold Go heap, as a user's command would.
const fleetMainEnv = "PYSTATS_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(fleetMainEnv) == "1" {
		os.Exit(run(os.Args[1:], newEnv(os.Stdout, os.Stderr)))
	}
	os.Exit(m.Run())
}

// fleet makes n summarize JSONs under dir by copying the real ones of
// ../shared/data/real-pystats under distinct names (run00001.json, ...), in
// turn, and returns their paths.
func fleet(tb testing.TB, dir string, n int) []string {
	tb.Helper()
	var real []string
	root := shared.Path(tb, "data/real-pystats")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".json" {
			real = append(real, p)
		}
		return nil
	})
	if len(real) == 0 {
		tb.Skipf("no summarize JSONs under %s", root)
	}
	sort.Strings(real)
	data := make([][]byte, len(real))
	for i, p := range real {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		data[i] = b
	}
	paths := make([]string, n)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("run%05d.json", i))
		if err := os.WriteFile(paths[i], data[i%len(data)], 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return paths
}

// runMain runs the test binary as `pystats args...` and returns its wall
// time and peak RSS.
func runMain(tb testing.TB, args ...string) (time.Duration, int64) {
	tb.Helper()
	elapsed, rss, _ := runMainCPU(tb, args...)
	return elapsed, rss
}

// runMainCPU is runMain that also returns the CPU time (user + system).
func runMainCPU(tb testing.TB, args ...string) (time.Duration, int64, time.Duration) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), fleetMainEnv+"=1")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if err != nil {
		tb.Fatalf("pystats %s: %v\n%s", args[0], err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return elapsed, ru.Maxrss * 1024, cpu // Linux reports Maxrss in KiB
}

// BenchmarkExportFleet exports a fleet of N summarize JSONs as one
// --partition Parquet dataset, reporting wall and CPU seconds and peak RSS
// (MiB) per export, and 300 as flat Arrow IPC files. Run: go test
// ./cmd/pystats -run '^$' -bench ExportFleet -benchtime 1x
func BenchmarkExportFleet(b *testing.B) {
	for _, tc := range []struct {
		name  string
		n     int
		flags []string
	}{
		{"300", 300, []string{"--partition"}},
		{"3000", 3000, []string{"--partition"}},
		// One flat Arrow IPC file per table: the runs are spilled, not held.
		{"300-flat-arrow", 300, []string{"--format", "arrow"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			dir := b.TempDir()
			paths := fleet(b, filepath.Join(dir), tc.n)
			b.ResetTimer()
			var maxRSS int64
			var total, cpu time.Duration
			for i := 0; i < b.N; i++ {
				out := filepath.Join(dir, fmt.Sprint("out", i))
				args := append(append([]string{"export", "-o", out}, tc.flags...), paths...)
				elapsed, rss, c := runMainCPU(b, args...)
				total += elapsed
				cpu += c
				maxRSS = max(maxRSS, rss)
				b.StopTimer()
				os.RemoveAll(out)
				b.StartTimer()
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/export")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/export")
			b.ReportMetric(float64(maxRSS)/(1<<20), "peak-MiB")
		})
	}
}
