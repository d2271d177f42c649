package pystats

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

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
func BenchmarkParseDump(b *testing.B) { benchParse(b, testDump(b)) }

// benchParse parses data as one dump file over and over. Steady state, as
// for all but the first file of a directory: the keys are known, so parsing
// allocates nothing.
func benchParse(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	defer reportCPUThroughput(b, int64(len(data)), cpuTime())
	b.ReportAllocs()
	a := newAggregator()
	i := 0
	for b.Loop() {
		if err := a.addFile("dump.txt", i, data); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkParseFirstDump parses the 3.13 dump into a new aggregator each
// time, as each reader's first file of a run: every key is met for the
// first time (checked, stored, entered in the key table), which costs more
// than parsing its line; ns/key is per key learnt.
func BenchmarkParseFirstDump(b *testing.B) {
	data := testDump(b)
	b.SetBytes(int64(len(data)))
	defer reportCPUThroughput(b, int64(len(data)), cpuTime())
	b.ReportAllocs()
	keys := 0
	for b.Loop() {
		a := newAggregator()
		if err := a.addFile("dump.txt", 0, data); err != nil {
			b.Fatal(err)
		}
		keys = len(a.slots)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(keys), "ns/key")
}

// BenchmarkReadDir reads the 12-file 3.13 test_small directory (1.5 MB).
func BenchmarkReadDir(b *testing.B) {
	dir := shared.Path(b, "data/dumps/3.13/test_small/raw")
	b.SetBytes(dirBytes(b, dir))
	defer reportCPUThroughput(b, dirBytes(b, dir), cpuTime())
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
	defer reportCPUThroughput(b, 23510520, cpuTime())
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
	defer reportCPUThroughput(b, int64(len(data)), cpuTime())
	b.ReportAllocs()
	for b.Loop() {
		st, err := ReadJSON(path, data, Options{})
		if err != nil {
			b.Fatal(err)
		}
		st.Release()
	}
}

// generalDump rewrites every line of a dump so that none takes the fast
// path: indented by four spaces, "key: value" (both shapes CPython prints).
func generalDump(data []byte) []byte {
	var out []byte
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		k, v, ok := bytes.Cut(line, []byte(" : "))
		if !ok {
			out = append(out, line...)
			continue
		}
		out = append(out, "    "...)
		out = append(out, k...)
		out = append(out, ": "...)
		out = append(out, v...)
	}
	return out
}

// BenchmarkParseDumpGeneral parses the 3.13 dump rewritten so that every
// line goes the general way (indented, "key: value").
func BenchmarkParseDumpGeneral(b *testing.B) { benchParse(b, generalDump(testDump(b))) }

// BenchmarkParseDumpShuffled parses the 3.13 dump with its lines in a
// different random order on each pass (16 orders, in turn), so that the key
// predicted from the line before is nearly always wrong and nearly every
// line takes the general path: the key cut at its ':' and looked up in the
// key table. Real runs send 2.8% of their lines this way (keys a process
// prints out of its build's order, and every key of a worker's first file).
func BenchmarkParseDumpShuffled(b *testing.B) {
	lines := bytes.SplitAfter(testDump(b), []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var orders [][]byte
	for range 16 {
		rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
		orders = append(orders, bytes.Join(lines, nil))
	}
	b.SetBytes(int64(len(orders[0])))
	defer reportCPUThroughput(b, int64(len(orders[0])), cpuTime())
	b.ReportAllocs()
	a := newAggregator()
	i := 0
	for b.Loop() {
		if err := a.addFile("dump.txt", i, orders[i%len(orders)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkParseStream parses the 3.13 dump through the streaming reader
// (ReadBlockSize blocks, as files are read), steady state.
func BenchmarkParseStream(b *testing.B) {
	data := testDump(b)
	b.SetBytes(int64(len(data)))
	defer reportCPUThroughput(b, int64(len(data)), cpuTime())
	b.ReportAllocs()
	a := newAggregator()
	buf := make([]byte, ReadBlockSize)
	i := 0
	for b.Loop() {
		if _, err := a.addStream("dump.txt", i, bytes.NewReader(data), buf); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// dumpFile is one dump of a benchmark's run.
type dumpFile struct {
	name string
	data []byte
}

// writeLayouts writes files under dir as a folder (raw/), a .tar and a
// .tar.gz of it, and returns their total size.
func writeLayouts(b testing.TB, dir string, files []dumpFile) int64 {
	b.Helper()
	raw := filepath.Join(dir, "raw")
	os.Mkdir(raw, 0o755)
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	var size int64
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(raw, f.name), f.data, 0o644); err != nil {
			b.Fatal(err)
		}
		tw.WriteHeader(&tar.Header{Name: "raw/" + f.name, Size: int64(len(f.data)), Mode: 0o644, Typeflag: tar.TypeReg})
		tw.Write(f.data)
		size += int64(len(f.data))
	}
	tw.Close()
	os.WriteFile(filepath.Join(dir, "raw.tar"), tb.Bytes(), 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tb.Bytes())
	zw.Close()
	os.WriteFile(filepath.Join(dir, "raw.tar.gz"), gz.Bytes(), 0o644)
	return size
}

// copies writes n copies of the 3.13 dump (writeLayouts) and returns their
// total size.
func copies(b *testing.B, dir string, n int) int64 {
	b.Helper()
	data := testDump(b)
	files := make([]dumpFile, n)
	for i := range files {
		files[i] = dumpFile{fmt.Sprintf("%05d.txt", i), data}
	}
	return writeLayouts(b, dir, files)
}

// benchRead reads each of the layouts under dir (size bytes of dumps) over
// and over.
func benchRead(b *testing.B, dir string, size int64, layouts ...string) {
	for _, in := range layouts {
		b.Run(in, func(b *testing.B) {
			b.SetBytes(size)
			defer reportCPUThroughput(b, size, cpuTime())
			b.ReportAllocs()
			for b.Loop() {
				st, err := Read(filepath.Join(dir, in), Options{})
				if err != nil {
					b.Fatal(err)
				}
				st.Release()
			}
		})
	}
}

// BenchmarkReadLarge reads 200 copies of the 3.13 dump (22.7 MB, warm in
// the page cache) as a folder, a .tar and a .tar.gz.
func BenchmarkReadLarge(b *testing.B) {
	dir := b.TempDir()
	benchRead(b, dir, copies(b, dir, 200), "raw", "raw.tar", "raw.tar.gz")
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPUThroughput reports MB per CPU-second: on a shared machine the
// wall-clock MB/s says how busy the neighbours are; this says what one core
// does.
func reportCPUThroughput(b *testing.B, bytes int64, start time.Duration) {
	if cpu := cpuTime() - start; cpu > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}

// realRun extracts the LARGE 3.13 run (179 dumps of real test-suite
// processes, 23.5 MB) into dir (writeLayouts) and returns the dumps' total
// size. Unlike copies of one dump, the files differ in which keys they hold
// and in their order, as a real run's do.
func realRun(b testing.TB, dir string) int64 {
	b.Helper()
	src := shared.Path(b, "data/dumps/3.13/LARGE_test_suite_136/raw.tar.gz")
	f, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	var files []dumpFile
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, dumpFile{filepath.Base(h.Name), data})
	}
	return writeLayouts(b, dir, files)
}

// BenchmarkReadRealRun reads the LARGE 3.13 run (179 real dumps, 23.5 MB,
// warm in the page cache) as a folder, a .tar and a .tar.gz: the parser's
// speed on a real run, where 2.8% of the lines hold a key that none of the
// four predicted from the line before is (new keys included).
func BenchmarkReadRealRun(b *testing.B) {
	dir := b.TempDir()
	benchRead(b, dir, realRun(b, dir), "raw", "raw.tar", "raw.tar.gz")
}

// BenchmarkParseRealRun parses the 179 dumps of the LARGE 3.13 run, held in
// memory, with one aggregator (one core, no system calls): the parser alone
// on real key variation. The first pass, which meets every key first, is
// not timed.
func BenchmarkParseRealRun(b *testing.B) {
	raw := filepath.Join(b.TempDir(), "run")
	os.Mkdir(raw, 0o755)
	realRun(b, raw)
	names, err := filepath.Glob(filepath.Join(raw, "raw", "*"))
	if err != nil || len(names) == 0 {
		b.Fatal("no dumps", err)
	}
	var files [][]byte
	var size int64
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
		size += int64(len(data))
	}
	a := newAggregator()
	order := 0
	parse := func() {
		for _, data := range files {
			if err := a.addFile("dump.txt", order, data); err != nil {
				b.Fatal(err)
			}
			order++
		}
	}
	parse()
	b.SetBytes(size)
	b.ReportAllocs()
	defer reportCPUThroughput(b, size, cpuTime())
	for b.Loop() {
		parse()
	}
}

// BenchmarkReadOneDump reads one real 3.13 dump as a one-file folder and as
// a one-member .tar: the set-up every input pays (key tables, buffers,
// workers), which a fleet of thousands of small inputs pays thousands of
// times.
func BenchmarkReadOneDump(b *testing.B) {
	dir := b.TempDir()
	benchRead(b, dir, writeLayouts(b, dir, []dumpFile{{"a.txt", testDump(b)}}), "raw", "raw.tar")
}
