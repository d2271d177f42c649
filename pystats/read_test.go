package pystats

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
)

// writeDir makes a dump directory with the given files.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func counters(st *Stats) map[string]uint64 {
	m := map[string]uint64{}
	k, v := st.Keys(), st.Values()
	for i := 0; i < k.Len(); i++ {
		m[k.Value(i)] = v.Value(i)
	}
	return m
}

func keyOrder(st *Stats) []string {
	k := st.Keys()
	out := make([]string, k.Len())
	for i := range out {
		out[i] = k.Value(i)
	}
	return out
}

func TestReadDirSumsAndOrders(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"a.txt": "opcode[BINARY_SLICE].specializable : 1\n    opcode[LOAD_FAST].execution_count : 5\nFrames pushed: 7\n",
		"b.txt": "opcode[BINARY_SLICE].specializable : 1\nuops[LOAD_FAST].execution_count : 2\n    opcode[LOAD_FAST].execution_count : 18446744073709551610\nFrames pushed: 3\n",
	})
	for _, workers := range []int{1, 2, 4} {
		st, err := Read(dir, Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"opcode[BINARY_SLICE].specializable", "opcode[LOAD_FAST].execution_count", "Frames pushed", "__nfiles__", "uops[_LOAD_FAST].execution_count"}
		if got := keyOrder(st); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("workers=%d: key order %q, want %q", workers, got, want)
		}
		c := counters(st)
		if c["opcode[LOAD_FAST].execution_count"] != 18446744073709551615 || c["Frames pushed"] != 10 || c["__nfiles__"] != 2 || c["opcode[BINARY_SLICE].specializable"] != 2 {
			t.Errorf("workers=%d: sums %v", workers, c)
		}
		st.Release()
	}
}

func TestReadProblems(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		strict  bool
		wantErr string // substring of the error; "" means success
		warn    string // substring of the first warning
	}{
		{"ok both separators", map[string]string{"a": "Frames pushed: 1\n    opcode[X].execution_count : 2\n"}, false, "", ""},
		{"key with trailing spaces", map[string]string{"a": "Frames pushed   : 1\n"}, false, "", ""},
		{"no colon", map[string]string{"a": "Frames pushed 1\nFrames pushed: 1\n"}, false, "", "a:1: unparsable line \"Frames pushed 1\": want exactly one ':'"},
		{"two colons", map[string]string{"a": "a: b: 1\nFrames pushed: 1\n"}, false, "", "a:1: unparsable line"},
		{"two colons strict", map[string]string{"a": "a: b: 1\n"}, true, "a:1: unparsable line", ""},
		{"empty key", map[string]string{"a": ": 1\nFrames pushed: 1\n"}, false, "", "empty key"},
		{"only bad lines", map[string]string{"a": "a: b: 1\n: 1\n"}, false, "no counters", ""},
		{"empty file", map[string]string{"a": ""}, false, "no counters", ""},
		{"empty files", map[string]string{"a": "", "b": "\n \n"}, false, "no counters", ""},
		{"blank line", map[string]string{"a": "Frames pushed: 1\n\n"}, false, "", "a:2: unparsable line"},
		{"no trailing newline", map[string]string{"a": "Frames pushed: 1"}, false, "", "a:1: last line has no newline"},
		{"truncated last line", map[string]string{"a": "Frames pushed: 1\nFrames pus"}, false, "", "a:2: unparsable line"},
		{"duplicate key in a file", map[string]string{"a": "Frames pushed: 1\nFrames pushed: 2\n"}, false, "", "a:2: key \"Frames pushed\" occurs twice"},
		{"negative value", map[string]string{"a": "Frames pushed: -1\n"}, false, "a:1: value of \"Frames pushed\" is not an unsigned 64-bit decimal integer", ""},
		{"hex value", map[string]string{"a": "Frames pushed: 0x10\n"}, false, "is not an unsigned 64-bit decimal integer", ""},
		{"value above 2^64-1", map[string]string{"a": "Frames pushed: 18446744073709551616\n"}, false, "is not an unsigned 64-bit decimal integer", ""},
		{"sum overflows", map[string]string{"a": "Frames pushed: 18446744073709551615\nFrames pushed: 1\n"}, false, "a:2: sum of \"Frames pushed\" overflows uint64", ""},
		{"sum overflows across files", map[string]string{"a": "Frames pushed: 18446744073709551615\n", "b": "Frames pushed: 1\n"}, false, "overflows uint64", ""},
		{"binary", map[string]string{"a": "Frames pushed: 1\n\x00\x01\x02"}, false, "a:2: binary data", ""},
		{"non-UTF-8", map[string]string{"a": "Frames pushed: 1\nObject \xff: 2\n"}, false, "a:2: invalid UTF-8", ""},
		{"huge line", map[string]string{"a": strings.Repeat("x", 10<<20) + ": 1\n"}, false, "a:1: key of 10485760 bytes", ""},
		// The fast path checks a block's text only when it must (verify):
		// binary or non-UTF-8 text after lines it took is still refused,
		// naming the same line, and before any other problem of the block.
		{"binary after predicted lines", map[string]string{"a": "x : 1\ny : 2\n", "b": "x : 1\ny : 2\nz\x00 : 3\n"}, false, "b:3: binary data", ""},
		{"binary in a predicted key's value", map[string]string{"a": "x : 1\ny : 2\n", "b": "x : 1\ny : 2\x00\n"}, false, "b:2: binary data", ""},
		{"non-UTF-8 new key after predicted lines", map[string]string{"a": "x : 1\ny : 2\n", "b": "x : 1\ny : 2\nz\xff : 3\n"}, false, "b:3: invalid UTF-8", ""},
		{"binary after a new key", map[string]string{"a": "x : 1\n", "b": "x : 1\nw : 5\n\x00\n"}, false, "b:3: binary data", ""},
		{"binary after a duplicate key, strict", map[string]string{"a": "x : 1\n", "b": "x : 1\nx : 1\n\x00\n"}, true, "b:3: binary data", ""},
		{"binary after a sum overflows", map[string]string{"a": "x : 18446744073709551615\n", "b": "x : 1\n\x00\n"}, false, "b:2: binary data", ""},
		{"binary after a bad key", map[string]string{"a": "GC[x] : 1\n\x00\n"}, false, "a:2: binary data", ""},
		{"non-UTF-8 after a bad value", map[string]string{"a": "x : 1\ny : -1\nz : \xff\n"}, false, "a:3: invalid UTF-8", ""},
		{"binary in a later block", map[string]string{"a": keyLines(30000, -1), "b": keyLines(30000, 25000)}, false, "b:25000: binary data", ""},
		{"mixed numeric and named", map[string]string{"a": "opcode[1].execution_count : 1\n", "b": "opcode[LOAD_FAST].execution_count : 1\n"}, false, "mixes numeric-opcode dumps", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, tt.files)
			st, err := Read(dir, Options{Strict: tt.strict, Workers: 1})
			if tt.wantErr != "" {
				if err == nil {
					st.Release()
					t.Fatalf("no error, want %q", tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %q, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release()
			if tt.warn == "" {
				if len(st.Source.Warnings) > 0 {
					t.Fatalf("unexpected warning %s", st.Source.Warnings[0])
				}
				return
			}
			for _, w := range st.Source.Warnings {
				if strings.Contains(w.String(), tt.warn) {
					return
				}
			}
			t.Fatalf("warnings %v, want one containing %q", st.Source.Warnings, tt.warn)
		})
	}
}

func TestReadInputErrors(t *testing.T) {
	empty := t.TempDir()
	withSub := writeDir(t, map[string]string{"a": "Frames pushed: 1\n"})
	os.Mkdir(filepath.Join(withSub, "sub"), 0o755)
	loop := t.TempDir()
	os.Symlink(filepath.Join(loop, "l2"), filepath.Join(loop, "l1"))
	os.Symlink(filepath.Join(loop, "l1"), filepath.Join(loop, "l2"))
	tests := []struct {
		name, path, want string
	}{
		{"missing path", filepath.Join(empty, "nope"), "no such file or directory"},
		{"empty directory", empty, "no pystats dump files"},
		{"subdirectory", withSub, "sub: not a regular file"},
		{"symlink loop", loop, "too many levels of symbolic links"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(tt.path, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if tt.name == "empty directory" && !errors.Is(err, ErrNoData) {
				t.Errorf("want ErrNoData")
			}
		})
	}
}

func TestReadJSONErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not an object", "[1, 2]", "x.json:1: a summarize JSON is an object of counters"},
		{"float counter", "{\"a\": 1,\n \"b\": 1.5}", "x.json:2: counter \"b\" is not an unsigned 64-bit integer"},
		{"string counter", "{\"a\": \"1\"}", "counter \"a\" is not an integer"},
		{"negative counter", "{\"a\": -1}", "not an unsigned 64-bit integer"},
		{"truncated", "{\"a\": 1,", "invalid JSON"},
		{"trailing data", "{\"a\": 1} {}", "data after the JSON object"},
		{"duplicate key", "{\"a\": 1, \"a\": 2}", "key \"a\" occurs twice"},
		{"bad defines", "{\"a\": 1, \"_defines\": {\"x\": [\"A\"]}}", "non-integer kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON("x.json", []byte(tt.body), Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestFastPathMatchesGeneral parses every real dump fixture with and without
// the fast line path and wants the same aggregate.
func TestFastPathMatchesGeneral(t *testing.T) {
	files, _ := filepath.Glob("../testdata/dumps/*/json_tool/raw/*")
	if len(files) == 0 {
		t.Fatal("no dump fixtures")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fast, general := newAggregator(), newAggregator()
		general.generalOnly = true
		errFast := fast.addFile(f, 0, data)
		errGeneral := general.addFile(f, 0, data)
		sameAggregate(t, fast, errFast, general, errGeneral)
	}
}

// TestFastPathMatchesGeneralAcrossFiles feeds every file of real runs, in
// order, to one aggregator with and without the fast path: from the second
// file on, most lines go the predicted way (slot.next), whose guesses, their
// rotation and the lines they leave to the general path must not change the
// aggregate. Synthetic runs add what real ones rarely hold: keys that come
// and go between files, values of 8 digits and more, 19 and 20 digits,
// renamed uops keys, other spacing, duplicates and a sum that overflows.
func TestFastPathMatchesGeneralAcrossFiles(t *testing.T) {
	runs := map[string][][]byte{}
	for _, dir := range []string{"3.11/json_tool", "3.13/json_tool"} {
		runs[dir] = readAll(t, filepath.Join("../testdata/dumps", dir, "raw"))
	}
	for _, dir := range []string{"3.11/test_small", "3.13/test_small", "3.13-tier2/test_small_run1"} {
		runs["shared "+dir] = readAll(t, shared.Path(t, filepath.Join("data/dumps", dir, "raw")))
	}
	large := t.TempDir()
	realRun(t, large)
	runs["shared LARGE_test_suite_136"] = readAll(t, filepath.Join(large, "raw"))
	runs["synthetic"] = [][]byte{
		[]byte("a : 1\nb : 22\nc : 333\n    d : 4444\nuops[X].e : 5\n"),
		[]byte("a : 12345678\nc : 123456789\nb : 1234567890123456789\n    d : 7\nuops[X].e : 6\n"),
		[]byte("a : 9\nx : 1\nc : 2\nb:3\n  d  :  4\n    uops[X].e : 7\n"),
		[]byte("a : 1\nc : 2\nc : 3\nb : 12345678901234567890\nd : 4"),
		[]byte("a : 1\nb : 18446744073709551615\nc : 1\n"),
	}
	// Separators other than " : " (3.13 prints "Calls to ...: 5"): once a
	// file holds one, predicted also tries them (looseAt); lines it must
	// leave to the general path sit at the same places in later files.
	runs["synthetic loose separators"] = [][]byte{
		[]byte("a: 1\nb:2\n  c  :  3\nd :4\nuops[X].e: 5\n    uops[X].f: 6\n"),
		[]byte("a: 1\nb:2\n  c  :  3\nd :4\nuops[X].e: 5\n    uops[X].f: 6\n"),
		[]byte("a: 7\nb : 8\n  c:9\nd:  10\nuops[X].e:11\n    uops[X].f :12\n"),
		[]byte("a: 1\nb: 2\nd :: 4\nuops[X].e: 5\n    uops[X].f:\t6\n"),
		[]byte("a: 1\n    uops[X].f: 6\n"),
		[]byte("a: 1\nuops[X].f: 6\n"), // renamed: not the key predicted
		[]byte("x: 1\na: 2\nb:3"),
		[]byte("a: 1\nb: 2\r\nd: 1\nd: 2\na  : 18446744073709551615\n"),
		[]byte("a: 1\nb: 2\nc:  12345678901234567890\n"), // a bad value ends the run
	}
	// Keys seen before that are none of the four that followed the line
	// before's key lately: predicted looks them up in the key table
	// (lookup), which must not take what the general path reads otherwise
	// (a renamed uops key, a key twice in a file, a sum that overflows).
	runs["synthetic key table"] = [][]byte{
		[]byte("a : 1\nb : 1\nc : 1\nd : 1\ne : 1\nf : 1\n    uops[X].u : 1\n"),
		[]byte("a : 1\nf : 2\ne : 3\nd : 4\nc : 5\nb : 6\n"),
		[]byte("a : 1\nc : 1\ne : 1\nb : 1\nd : 1\nf : 1\na : 9\n"),
		[]byte("e : 1\na : 1\nuops[X].u : 1\n    uops[X].u : 2\nab : 3\nb  : 4\nf : 5\n"),
		[]byte("a : 1\nd : 1\nc : 2\nf : 1\n"),
		// " :" and no space: the value is not where " : " would put it.
		[]byte("a : 1\nf :25\ne : 3\nb :7\n"),
		[]byte("a : 1\nf : 2\nc :x5\n"),
	}
	runs["synthetic key table, a sum overflows"] = [][]byte{
		[]byte("a : 1\nb : 1\nc : 1\nd : 1\ne : 1\nf : 18446744073709551615\n"),
		[]byte("a : 1\nd : 1\nc : 2\nf : 1\n"),
	}
	for name, files := range runs {
		t.Run(name, func(t *testing.T) { sameRunBothPaths(t, files) })
	}
}

// readAll reads the files of dir in name order.
func readAll(t *testing.T, dir string) [][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no files in %s (%v)", dir, err)
	}
	var out [][]byte
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

func TestReadDirIgnore(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"a.txt":     "Frames pushed: 1\n",
		"b.txt":     "Frames pushed: 2\n",
		"README.md": "# notes\n",
	})
	if err := os.Mkdir(filepath.Join(dir, "plots"), 0o755); err != nil {
		t.Fatal(err)
	}
	notDump := func(name string) bool { return !strings.HasSuffix(name, ".txt") }
	st, err := Read(dir, Options{Ignore: notDump})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Release()
	if c := counters(st); c["Frames pushed"] != 3 || c["__nfiles__"] != 2 || len(st.Source.Warnings) != 0 {
		t.Errorf("sums %v, warnings %q; want 3 frames from 2 files, no warning", c, st.Source.Warnings)
	}
	if _, err := Read(dir, Options{}); err == nil {
		t.Error("without Ignore, a subfolder in a dump directory must stay an error")
	}
	if _, err := Read(dir, Options{Ignore: func(string) bool { return true }}); !errors.Is(err, ErrNoData) {
		t.Errorf("everything ignored: %v, want ErrNoData", err)
	}
}

// TestStreamMatchesMemory reads edge cases through the streaming reader with
// small buffers (lines longer than a buffer, UTF-8 sequences cut at its end,
// white space runs) and wants what the in-memory parse gives.
func TestStreamMatchesMemory(t *testing.T) {
	for _, data := range []string{
		"Frames pushed: 1\n", "Frames pushed: 1", "k" + strings.Repeat(" ", 300) + ": 5\nx : 1\n",
		"Object \u00e9\u00e9\u00e9\u00e9\u00e9 : 3\nObject \U0001F600\U0001F600 : 4\n", "uops[X].a : 1\n    uops[X].a : 2\n",
		"a : " + strings.Repeat("9", 300) + "\n", "a : 1\n" + strings.Repeat("x", 500), "a : 1\n: 2\n" + strings.Repeat(":", 200) + "\n",
		"a" + strings.Repeat("b", 5000) + " : 1\n", "a : 1\n\x00", "a : 1\n" + strings.Repeat("y", 100) + "\xff\n",
	} {
		whole := newAggregator()
		err := whole.addFile("fuzz.txt", 0, []byte(data))
		sameAsStream(t, []byte(data), whole, err)
	}
}

// TestTarWithGlobalHeader reads an archive as git archive writes it: a pax
// global header (the commit id) before the members.
func TestTarWithGlobalHeader(t *testing.T) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": "0123abc"}})
	body := "Frames pushed: 3\n"
	tw.WriteHeader(&tar.Header{Name: "raw/a.txt", Typeflag: tar.TypeReg, Size: int64(len(body)), Mode: 0o644})
	tw.Write([]byte(body))
	tw.Close()
	p := filepath.Join(t.TempDir(), "run.tar")
	os.WriteFile(p, b.Bytes(), 0o644)
	st, err := Read(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Release()
	if st.Get("Frames pushed") != 3 || st.NFiles() != 1 {
		t.Fatalf("counters %v", counters(st))
	}
}

// TestTarErrorOrder builds archives with a bad member and a later fault of
// the archive itself: members are parsed on other cores while the archive
// is read on, and the error reported must still be the one met first in
// archive order, as a one-pass reader meets it.
func TestTarErrorOrder(t *testing.T) {
	good := "Frames pushed: 1\n"
	bad := "Frames pushed: 12x\n"
	type member struct {
		name, body string
		typ        byte
	}
	tests := []struct {
		name    string
		members []member
		cut     bool // drop the end-of-archive blocks
		want    string
	}{
		{"bad member, then a truncated archive", []member{{"a", good, 0}, {"b", bad, 0}, {"c", good, 0}}, true, "b:1:"},
		{"bad member, then a duplicate name", []member{{"a", bad, 0}, {"b", good, 0}, {"b", good, 0}}, false, "a:1:"},
		{"bad member, then a FIFO member", []member{{"a", good, 0}, {"b", bad, 0}, {"f", "", tar.TypeFifo}}, false, "b:1:"},
		{"a duplicate name, then a bad member", []member{{"a", good, 0}, {"a", good, 0}, {"b", bad, 0}}, false, "the same file"},
		{"the first bad member of two", []member{{"a", good, 0}, {"b", bad, 0}, {"c", bad, 0}, {"d", good, 0}}, false, "b:1:"},
		{"a bad last member", []member{{"a", good, 0}, {"b", good, 0}, {"c", bad, 0}}, false, "c:1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			tw := tar.NewWriter(&b)
			for _, m := range tt.members {
				typ := m.typ
				if typ == 0 {
					typ = tar.TypeReg
				}
				tw.WriteHeader(&tar.Header{Name: "raw/" + m.name, Typeflag: typ, Size: int64(len(m.body)), Mode: 0o644})
				tw.Write([]byte(m.body))
			}
			tw.Flush()
			data := b.Bytes()
			if !tt.cut {
				tw.Close()
				data = b.Bytes()
			}
			p := filepath.Join(t.TempDir(), "run.tar")
			os.WriteFile(p, data, 0o644)
			for _, workers := range []int{1, 2, 4} {
				_, err := Read(p, Options{Workers: workers})
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%d workers: error %v, want one with %q", workers, err, tt.want)
				}
			}
		})
	}
}

// TestErrorOrderManyFiles reads runs of 120 dumps with bad ones among
// them, as a folder and as a .tar, on 1 to 4 workers, many times. Folder
// workers claim files in name order; an archive's members are parsed by the
// workers or, when all are busy, by the reader itself, so a bad dump may be
// met first in time by any of them. The error reported must still be the
// first bad dump's in input order, as a one-pass reader meets it.
func TestErrorOrderManyFiles(t *testing.T) {
	tests := []struct {
		name string
		bad  []int // positions of the bad dumps among 120
	}{
		{"the first dump", []int{0}},
		{"two in a row", []int{50, 51}},
		{"the last dump", []int{119}},
		{"far apart", []int{7, 90}},
		{"every other dump", []int{61, 63, 65, 67, 69}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "raw")
			os.Mkdir(dir, 0o755)
			var b bytes.Buffer
			tw := tar.NewWriter(&b)
			for i := range 120 {
				body := strings.Repeat(fmt.Sprintf("opcode[NOP].execution_count : %d\n", i), 300)
				if slices.Contains(tt.bad, i) {
					body += "Frames pushed : 12x\n"
				}
				name := fmt.Sprintf("%03d.txt", i)
				os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
				tw.WriteHeader(&tar.Header{Name: "raw/" + name, Typeflag: tar.TypeReg, Size: int64(len(body)), Mode: 0o644})
				tw.Write([]byte(body))
			}
			tw.Close()
			archive := dir + ".tar"
			os.WriteFile(archive, b.Bytes(), 0o644)
			want := fmt.Sprintf("%03d.txt:301:", tt.bad[0])
			for _, input := range []string{dir, archive} {
				for _, workers := range []int{1, 2, 3, 4} {
					for range 15 {
						_, err := Read(input, Options{Workers: workers})
						if err == nil || !strings.Contains(err.Error(), want) {
							t.Fatalf("%s, %d workers: error %v, want one with %q", filepath.Base(input), workers, err, want)
						}
					}
				}
			}
		})
	}
}

// TestStatsConcurrentLookups reads one Stats's lazily built lookups from
// several goroutines at once, as export's table builders do (run with -race).
func TestStatsConcurrentLookups(t *testing.T) {
	st := NewStats([]string{"a", "opcode[X].execution_count", "__nfiles__"}, []uint64{1, 2, 1}, Metadata{}, Source{})
	defer st.Release()
	done := make(chan bool)
	for range 8 {
		go func() {
			v, ok := st.Value("opcode[X].execution_count")
			done <- ok && v == 2 && len(st.Families()) == 3
		}()
	}
	for range 8 {
		if !<-done {
			t.Fatal("a concurrent lookup went wrong")
		}
	}
}

// keyLines is n lines "kNNNNN : 1", line nul (1-based; -1 for none) holding
// a NUL byte in its key.
func keyLines(n, nul int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i == nul {
			b.WriteString("k\x00")
		}
		fmt.Fprintf(&b, "k%05d : 1\n", i)
	}
	return b.String()
}
