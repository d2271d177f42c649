package pystats

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
)

func dirBytes(b *testing.B, dir string) int64 {
	b.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			b.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

// BenchmarkParseDump parses one 3.13 dump file (113 KB) in memory.
func BenchmarkParseDump(b *testing.B) {
	files, _ := filepath.Glob("../testdata/dumps/3.13/json_tool/raw/*")
	data, err := os.ReadFile(files[0])
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	// Steady state, as for all but the first file of a directory: the keys
	// are known, so parsing allocates nothing.
	a := newAggregator()
	i := 0
	for b.Loop() {
		if err := a.addFile("dump.txt", i, data); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkReadDir reads the 12-file 3.13 test_small directory (1.5 MB).
func BenchmarkReadDir(b *testing.B) {
	dir := shared.Path(b, "data/dumps/3.13/test_small/raw")
	b.SetBytes(dirBytes(b, dir))
	b.ReportAllocs()
	for b.Loop() {
		st, err := Read(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		st.Release()
	}
}

// BenchmarkReadTarball reads the LARGE 3.13 run (179 dumps, 23.5 MB) from its .tar.gz.
func BenchmarkReadTarball(b *testing.B) {
	path := shared.Path(b, "data/dumps/3.13/LARGE_test_suite_136/raw.tar.gz")
	b.SetBytes(23510520)
	for b.Loop() {
		st, err := Read(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		st.Release()
	}
}

// BenchmarkReadJSON reads a bench_runner-indented summarize JSON (500 KB).
func BenchmarkReadJSON(b *testing.B) {
	path := shared.Path(b, "data/real-pystats/bm-20240629-3.14.0a0-6b280a8-PYTHON_UOPS/bm-20240629-azure-x86_64-python-6b280a84988ca221b5bd-3.14.0a0-6b280a8-pystats.json")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		st, err := ReadJSON(path, data, Options{})
		if err != nil {
			b.Fatal(err)
		}
		st.Release()
	}
}
