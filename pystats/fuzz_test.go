package pystats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// seedDumps adds the real dump fixtures (cut to their first lines, to keep the
// fuzzer fast) and a few hand-made edge cases.
func seedDumps(f *testing.F) {
	for _, p := range []string{"../testdata/dumps/3.13/json_tool/raw", "../testdata/dumps/3.11/json_tool/raw"} {
		files, _ := filepath.Glob(filepath.Join(p, "*"))
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			lines := bytes.SplitAfter(data, []byte("\n"))
			if len(lines) > 60 {
				lines = lines[len(lines)-60:]
			}
			f.Add(bytes.Join(lines, nil))
		}
	}
	for _, s := range []string{
		"", "\n", ":", "a:1", "a: 1\na : 2\n", "    opcode[X].execution_count : 5\n",
		"uops[LOAD_FAST].execution_count : 1\n", "a: 18446744073709551615\na: 1\n",
		"a: b: c\n", "\xff: 1\n", "a\x00: 1\n", "opcode[1].x : 1\nopcode[Y].x : 1\n",
		// Shapes the predicted-key and canonical paths must read as the general one does.
		"    uops[X].a : 1\nuops[X].a : 1\n    uops[X].a : 1\n", "uops[_X].a : 1\nuops[_X].a : 2\n",
		"a : 1\nb : 2\n--\na : 1\n  a: 2\na  :  3\nb :4\nb\t: 5\nb : 6\r\n",
		"a : 1\nb : 2\na : 1\nb : 99999999999999999999\n", "a : 1\nb : 2\na : 1\nb : 2", "a : 1\nb : 2\na : 1\nbc : 2\nb:3\n",
		// Binary text after lines the fast path takes (its lazy text check).
		"x : 1\ny : 2\n--\nx : 1\ny : 2\x00\n", "x : 1\n--\nx : 1\nw\xff : 5\n", "x : 1\n--\nx : 1\nx : 1\n\x00\n",
	} {
		f.Add([]byte(s))
	}
}

// checkStats checks invariants of any successfully read Stats and that writing
// it as JSON and reading that back gives the same counters.
func checkStats(t *testing.T, st *Stats) {
	t.Helper()
	for _, w := range st.Source.Warnings {
		if w.Line < 1 && !strings.HasPrefix(w.Msg, "... and ") {
			t.Fatalf("warning without a line number: %s", w)
		}
	}
	k := st.Keys()
	for i := 0; i < k.Len(); i++ {
		if strings.ContainsAny(k.Value(i), "\n") || k.Value(i) == "" {
			t.Fatalf("bad key %q", k.Value(i))
		}
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, st, JSONCompact); err != nil {
		t.Fatal(err)
	}
	again, err := ReadJSON("roundtrip.json", buf.Bytes(), Options{})
	if err != nil {
		t.Fatalf("re-reading written JSON: %v\n%s", err, buf.Bytes())
	}
	defer again.Release()
	a, b := counters(st), counters(again)
	if len(a) != len(b) {
		t.Fatalf("round trip: %d keys, then %d", len(a), len(b))
	}
	for key, v := range a {
		if b[key] != v {
			t.Fatalf("round trip: %q = %d, then %d", key, v, b[key])
		}
	}
	DetectEra(st)
}

// FuzzParseDump feeds arbitrary bytes to the dump parser as one file, then
// as a run of files (its parts between "\n--\n" lines, then the whole of it
// once more): from the second file on, most lines take the predicted path,
// which must agree with the general one.
func FuzzParseDump(f *testing.F) {
	seedDumps(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		a := newAggregator()
		err := a.addFile("fuzz.txt", 0, data)
		general := newAggregator()
		general.generalOnly = true
		errGeneral := general.addFile("fuzz.txt", 0, data)
		sameAggregate(t, a, err, general, errGeneral)
		sameAsStream(t, data, a, err)
		files := bytes.Split(data, []byte("\n--\n"))
		if len(files) > 8 {
			files = files[:8]
		}
		sameRunBothPaths(t, append(files, data))
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		st, err := finish(a, "fuzz.txt", KindDumpFile, Options{})
		if err != nil {
			return // mixed numeric and named opcodes
		}
		defer st.Release()
		checkStats(t, st)
	})
}

// FuzzAggregateDir splits the input into several files of a directory and
// checks that reading them with one or several workers gives the same result.
func FuzzAggregateDir(f *testing.F) {
	seedDumps(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		parts := bytes.Split(data, []byte("\n--\n"))
		if len(parts) > 8 {
			parts = parts[:8]
		}
		dir := t.TempDir()
		for i, p := range parts {
			if err := os.WriteFile(filepath.Join(dir, string(rune('a'+i))+".txt"), p, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		one, err1 := Read(dir, Options{Workers: 1})
		many, err2 := Read(dir, Options{Workers: 3})
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("1 worker: %v; 3 workers: %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		defer one.Release()
		defer many.Release()
		if strings.Join(keyOrder(one), "\n") != strings.Join(keyOrder(many), "\n") {
			t.Fatalf("key order depends on the number of workers")
		}
		a, b := counters(one), counters(many)
		for k, v := range a {
			if b[k] != v {
				t.Fatalf("%q: %d with 1 worker, %d with 3", k, v, b[k])
			}
		}
		checkStats(t, one)
	})
}

// FuzzReadJSON feeds arbitrary bytes to the summarize JSON reader.
func FuzzReadJSON(f *testing.F) {
	for _, p := range []string{"../testdata/json/bm-20250315-azure-x86_64-python-e82c2ca2a59235bc1965-3.14.0a6+-e82c2ca-pystats-python_startup_no_site.json"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data[:4000])
		f.Add(append([]byte("{"), data[len(data)-3000:]...))
	}
	for _, s := range []string{`{}`, `{"a": 1}`, `{"a": 1, "_defines": {"1": ["X"]}, "metadata": {"k": [1, {"a": null}]}}`, `[]`, `{"a": 1.0}`, `{"a": "\u00e9"}`,
		`{"a\ud800": 1}`, `{"metadata": {"x": "\udc00\ud83d"}}`, "{\"\xff\": 1}", `{"a": 1, "a": 2}`, `{"a": 1} {}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// What the reader accepts, encoding/json reads the same way; what
		// encoding/json refuses, the reader refuses.
		keys, values, meta, err := parseJSONText("fuzz.json", data)
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		p := &jsonParser{name: "fuzz.json", data: data, dec: stdTokens{d}}
		k2, v2, m2, err2 := p.parse()
		switch {
		case err == nil && err2 != nil:
			t.Fatalf("jsontext read %q; encoding/json says %v", data, err2)
		case err == nil && (!reflect.DeepEqual(keys, k2) || !reflect.DeepEqual(values, v2) || !reflect.DeepEqual(meta, m2)):
			t.Fatalf("jsontext and encoding/json read %q differently", data)
		case err != nil && json.Valid(data) && err2 == nil:
			t.Fatalf("jsontext refused valid JSON %q (%v) that encoding/json reads", data, err)
		}
		st, err := ReadJSON("fuzz.json", data, Options{})
		if err != nil {
			if pe, ok := err.(*ParseError); ok && pe.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		defer st.Release()
		checkStats(t, st)
		// The metadata must survive a round trip too.
		var buf bytes.Buffer
		if err := WriteJSON(&buf, st, JSONIndented); err != nil {
			t.Fatal(err)
		}
		again, err := ReadJSON("again.json", buf.Bytes(), Options{})
		if err != nil {
			t.Fatalf("re-reading indented JSON: %v\n%s", err, buf.Bytes())
		}
		defer again.Release()
		if len(again.Meta.BenchRunner) != len(st.Meta.BenchRunner) || again.Meta.Defines.Len() != st.Meta.Defines.Len() {
			t.Fatalf("metadata lost in round trip")
		}
	})
}

// sameAggregate fails unless the fast and the general parsing paths agree on
// keys, values, first-seen positions, warnings and errors.
// sameRunBothPaths feeds files, in order, to one aggregator with and one
// without the fast path (each stopping at its first error) and wants the
// same aggregate.
func sameRunBothPaths(t *testing.T, files [][]byte) {
	t.Helper()
	fast, general := newAggregator(), newAggregator()
	general.generalOnly = true
	var errFast, errGeneral error
	for i, file := range files {
		if errFast == nil {
			errFast = fast.addFile(fmt.Sprint("f", i), i, file)
		}
		if errGeneral == nil {
			errGeneral = general.addFile(fmt.Sprint("f", i), i, file)
		}
	}
	sameAggregate(t, fast, errFast, general, errGeneral)
}

func sameAggregate(t *testing.T, fast *aggregator, errFast error, general *aggregator, errGeneral error) {
	t.Helper()
	if fmt.Sprint(errFast) != fmt.Sprint(errGeneral) {
		t.Fatalf("fast path error %v, general path error %v", errFast, errGeneral)
	}
	if errFast != nil && (strings.Contains(errFast.Error(), "binary data") || strings.Contains(errFast.Error(), "invalid UTF-8")) {
		// A failed read is thrown away whole, and the fast path checks a
		// block's text lazily (verify): what it counted of the block
		// before finding it binary is never seen.
		return
	}
	fw, gw := fast.warn.list(), general.warn.list()
	if fast.lines != general.lines || len(fast.slots) != len(general.slots) || len(fw) != len(gw) {
		t.Fatalf("fast path: %d lines, %d keys, %d warnings; general path: %d, %d, %d",
			fast.lines, len(fast.slots), len(fw), general.lines, len(general.slots), len(gw))
	}
	for i, s := range fast.slots {
		g := general.slots[i]
		if s.name() != g.name() || s.value != g.value || s.firstLine != g.firstLine {
			t.Fatalf("slot %d: fast path %q=%d (line %d), general path %q=%d (line %d)", i, s.name(), s.value, s.firstLine, g.name(), g.value, g.firstLine)
		}
	}
	for i, w := range fw {
		if w != gw[i] {
			t.Fatalf("warning %d: fast path %s, general path %s", i, w, gw[i])
		}
	}
}

// stdTokens reads tokens with encoding/json: the reference the fuzz tests
// hold the jsontext reader to.
type stdTokens struct{ d *json.Decoder }

func (s stdTokens) Token() (any, error) {
	t, err := s.d.Token()
	switch v := t.(type) {
	case json.Delim:
		return delim(v), err
	case json.Number:
		return number(v), err
	}
	return t, err
}
func (s stdTokens) More() bool         { return s.d.More() }
func (s stdTokens) InputOffset() int64 { return s.d.InputOffset() }
func (s stdTokens) Raw() ([]byte, error) {
	var raw json.RawMessage
	err := s.d.Decode(&raw)
	return raw, err
}

// sameAsStream reads data through the streaming reader with buffers so
// small that most lines are longer than one (and the line classifier that
// streams by takes them), and wants the aggregate parsed in memory: the same
// keys, values, positions and warnings, or an error for both (which error
// may differ: a stream reports the first bad block's problem).
func sameAsStream(t *testing.T, data []byte, whole *aggregator, errWhole error) {
	t.Helper()
	for _, size := range []int{7, 64, 4096} {
		s := newAggregator()
		_, err := s.addStream("fuzz.txt", 0, bytes.NewReader(data), make([]byte, size))
		if (err == nil) != (errWhole == nil) {
			t.Fatalf("buffer of %d: error %v; in memory: %v", size, err, errWhole)
		}
		if err != nil {
			continue
		}
		sameAggregate(t, whole, errWhole, s, err)
	}
}
