package pystats

import (
	"archive/tar"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// The large-archive benchmarks make their 1 GB inputs on the fly (about 1 MB
// of gzip for the zeros, 200-300 MB for the valid dumps) and report the
// peak RSS of the read (the process's high-water mark reset after the input
// is made: /proc/self/clear_refs) and its time.

// testDump is the 3.13 fixture dump (113 KB).
func testDump(tb testing.TB) []byte {
	tb.Helper()
	files, _ := filepath.Glob("../testdata/dumps/3.13/json_tool/raw/*.txt")
	if len(files) == 0 {
		tb.Fatal("no 3.13 dump fixture")
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// writeTarGz writes a .tar.gz of members to path; body(i) streams member i.
func writeTarGz(tb testing.TB, path string, n int, size int64, body func(i int, w io.Writer) error) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	for i := range n {
		if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("raw/%05d.txt", i), Mode: 0o644, Size: size, Typeflag: tar.TypeReg, ModTime: time.Unix(1700000000, 0)}); err != nil {
			tb.Fatal(err)
		}
		if err := body(i, tw); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// peakRSSReset drops freed memory and resets the high-water mark of RSS.
func peakRSSReset() bool {
	runtime.GC()
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// peakRSS is the process's RSS high-water mark (VmHWM) in bytes, or -1.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return -1
}

// benchLargeTar reads path b.N times, checking each result, and reports
// peak RSS (MiB) and seconds per read.
func benchLargeTar(b *testing.B, path string, size int64, check func(st *Stats, err error)) {
	b.SetBytes(size)
	measured := peakRSSReset()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		st, err := Read(path, Options{})
		check(st, err)
		if st != nil {
			st.Release()
		}
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "s/read")
	if measured {
		b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
	}
}

// BenchmarkReadTarGzZeros1GB reads a .tar.gz holding one 1 GB member of
// zeros: the reader must stop at the first block ("binary data") without
// holding the member.
func BenchmarkReadTarGzZeros1GB(b *testing.B) {
	path := filepath.Join(b.TempDir(), "zeros.tar.gz")
	zeros := make([]byte, 1<<20)
	writeTarGz(b, path, 1, 1<<30, func(_ int, w io.Writer) error {
		for range 1024 {
			if _, err := w.Write(zeros); err != nil {
				return err
			}
		}
		return nil
	})
	benchLargeTar(b, path, 1<<30, func(st *Stats, err error) {
		if err == nil || !strings.Contains(err.Error(), "binary data") {
			b.Fatalf("got %v, want a binary-data error", err)
		}
	})
}

// BenchmarkReadTarGzValid1GB reads a .tar.gz of 9,500 copies of a real 3.13
// dump (1.07 GB of valid lines) and checks the sums.
func BenchmarkReadTarGzValid1GB(b *testing.B) {
	dump := testDump(b)
	one, err := ReadDump("one.txt", dump, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer one.Release()
	const n = 9500
	path := filepath.Join(b.TempDir(), "valid.tar.gz")
	writeTarGz(b, path, n, int64(len(dump)), func(_ int, w io.Writer) error {
		_, err := w.Write(dump)
		return err
	})
	benchLargeTar(b, path, int64(n)*int64(len(dump)), func(st *Stats, err error) {
		if err != nil {
			b.Fatal(err)
		}
		if got := st.NFiles(); got != n {
			b.Fatalf("__nfiles__ = %d, want %d", got, n)
		}
		keys, values := one.Keys(), one.Values()
		for i := 0; i < keys.Len(); i++ {
			if k := keys.Value(i); k != "__nfiles__" && st.Get(k) != n*values.Value(i) {
				b.Fatalf("%q = %d, want %d x %d", k, st.Get(k), n, values.Value(i))
			}
		}
	})
}

// FuzzReadTarball feeds arbitrary bytes to the archive reader (plain and
// gzip-compressed), seeded with small real archives: regular members, a
// directory, a symbolic and a hard link, a duplicate, a cut archive. Whatever
// it reads must satisfy the Stats invariants, and reading twice gives the
// same result.
func FuzzReadTarball(f *testing.F) {
	for _, s := range tarSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkTarInput(t, data)
	})
}

// checkTarInput reads data as an archive twice and checks the result.
func checkTarInput(t *testing.T, data []byte) {
	read := func() (*Stats, error) {
		reopen := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		return readStream("fuzz.tar", bytes.NewReader(data), reopen, Options{})
	}
	st, err := read()
	again, err2 := read()
	if fmt.Sprint(err) != fmt.Sprint(err2) {
		t.Fatalf("two reads: %v, then %v", err, err2)
	}
	if err != nil {
		return
	}
	defer st.Release()
	defer again.Release()
	if strings.Join(keyOrder(st), "\n") != strings.Join(keyOrder(again), "\n") {
		t.Fatal("two reads give different key orders")
	}
	checkStats(t, st)
}

// tarSeeds are small archives of real dump lines, plain and gzipped.
func tarSeeds(f testing.TB) [][]byte {
	dump := testDump(f)
	lines := bytes.SplitAfter(dump, []byte("\n"))
	small := bytes.Join(lines[:40], nil)
	other := bytes.Join(lines[40:70], nil)
	mk := func(members []tar.Header, bodies [][]byte, end bool) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for i, h := range members {
			if h.Typeflag == tar.TypeReg {
				h.Size = int64(len(bodies[i]))
			}
			h.Mode = 0o644
			tw.WriteHeader(&h)
			if h.Typeflag == tar.TypeReg {
				tw.Write(bodies[i])
			}
		}
		if end {
			tw.Close()
		} else {
			tw.Flush()
		}
		return buf.Bytes()
	}
	seeds := [][]byte{
		mk([]tar.Header{{Name: "raw/", Typeflag: tar.TypeDir}, {Name: "raw/a.txt", Typeflag: tar.TypeReg}, {Name: "raw/b.txt", Typeflag: tar.TypeReg}},
			[][]byte{nil, small, other}, true),
		mk([]tar.Header{{Name: "raw/a.txt", Typeflag: tar.TypeReg}, {Name: "raw/c.txt", Typeflag: tar.TypeSymlink, Linkname: "a.txt"}, {Name: "raw/d.txt", Typeflag: tar.TypeLink, Linkname: "raw/a.txt"}},
			[][]byte{small, nil, nil}, true),
		mk([]tar.Header{{Name: "a.txt", Typeflag: tar.TypeReg}, {Name: "./a.txt", Typeflag: tar.TypeReg}}, [][]byte{small, other}, true),
		mk([]tar.Header{{Name: "a.txt", Typeflag: tar.TypeReg}}, [][]byte{small}, false),
		mk([]tar.Header{{Name: "l", Typeflag: tar.TypeSymlink, Linkname: "../x"}}, [][]byte{nil}, true),
		mk([]tar.Header{{Name: "pax_global_header", Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": "abc"}}, {Name: "a.txt", Typeflag: tar.TypeReg}}, [][]byte{nil, small}, true),
	}
	var out [][]byte
	for _, s := range seeds {
		out = append(out, s)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(s)
		zw.Close()
		out = append(out, gz.Bytes())
	}
	return out
}
