package pystats

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
)

// FuzzReadPyperf feeds arbitrary bytes to the pyperf JSON reader: it must
// return a suite or an error, never panic, and a suite's tables must agree.
func FuzzReadPyperf(f *testing.F) {
	seedPyperf(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadPyperf("fuzz.json", data)
		if err != nil {
			return
		}
		defer s.Release()
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		n := s.NumBenchmarks()
		for i := 0; i < n; i++ {
			_ = s.Name(i)
			_ = s.Tags(i)
			if vals := s.BenchValues(i); len(vals) > 0 {
				if _, ok := s.Mean(i); !ok {
					t.Fatalf("benchmark %d has %d values but no mean", i, len(vals))
				}
			}
		}
	})
}

// FuzzPyperfDecode checks the pyperf decoder against encoding/json: what it
// accepts is valid JSON that encoding/json decodes to the very same
// structure, and what encoding/json refuses it refuses, with an error at a
// place of the input.
func FuzzPyperfDecode(f *testing.F) {
	seedPyperf(f)
	for _, s := range []string{
		`{"version": "1.0", "Benchmarks": []}`,
		`{"version": "1.0", "benchmarks": [{"runs": [{"values": [1], "values": [2]}]}]}`,
		`{"version": "1.0", "benchmarks": [{"runs": [{"warmups": [[1], [1, 2, 3]], "values": null}]}]}`,
		`{"version": "1.0", "benchmarks": [{"runs": [{"metadata": {"date": null, "inner_loops": "5"}}]}]} x`,
		`{"version": "1.0", "benchmarks": [{"runs": [{"values": [1e999]}]}]}`,
		"{\"version\": \"1.0\", \"metadata\": {\"name\": \"\xff\"}, \"benchmarks\": []}",
		`{"version": null, "metadata": null, "benchmarks": [null, {"runs": [null, {"metadata": null, "warmups": null}]}]}`,
		`null`, `{"benchmarks": [{"runs": [{"values": [1, null]}]}]}`, `{"benchmarks": {}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got, std pjFile
		err := decodePyperf(data, &got)
		stdErr := json.Unmarshal(data, &std)
		if err != nil {
			var pe *pyperfError
			if !errors.As(err, &pe) || pe.off < 0 || pe.off > int64(len(data)) {
				t.Fatalf("error %v on %q is not at a place of the input", err, data)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("decoder accepted invalid JSON %q", data)
		}
		if stdErr != nil {
			t.Fatalf("decoder accepted %q, encoding/json says %v", data, stdErr)
		}
		if !reflect.DeepEqual(got, std) {
			t.Fatalf("decoder and encoding/json differ on %q:\n%#v\n%#v", data, got, std)
		}
	})
}

// seedPyperf adds the start of real pyperf files and hand-made cases.
func seedPyperf(f *testing.F) {
	var files []string
	if root := shared.Root(); root != "" {
		files, _ = filepath.Glob(filepath.Join(root, "data/real-timing/public/results/*/*linux*.json"))
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 20000 {
			data = data[:20000]
		}
		f.Add(data)
	}
	for _, s := range []string{
		`{"version": "1.0", "benchmarks": []}`,
		`{"version": "1.0", "metadata": {"name": "x", "unit": "second"}, "benchmarks": [{"runs": [{"values": [1.0, 2.0]}]}]}`,
		`{"version": "1.0", "benchmarks": [{"metadata": {"name": "a", "loops": 4}, "runs": [{"warmups": [[1, 0.5]]}, {"values": [1e-9]}]}]}`,
		`{"version": 6, "metadata": {"name": "x"}, "runs": [{"samples": [1, 2]}]}`,
		`{"version": "2.0"}`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
}

// TestPyperfDecodeRealFiles checks that real pyperf results files decode to
// what encoding/json gives.
func TestPyperfDecodeRealFiles(t *testing.T) {
	root := shared.Path(t, "data/real-timing/public/results")
	files, _ := filepath.Glob(filepath.Join(root, "*/*.json"))
	n := 0
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var probe struct {
			Benchmarks json.RawMessage `json:"benchmarks"`
		}
		if json.Unmarshal(data, &probe) != nil || probe.Benchmarks == nil {
			continue // a pystats JSON, not a pyperf one
		}
		var fast, std pjFile
		if err := decodePyperf(data, &fast); err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if err := json.Unmarshal(data, &std); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, std) {
			t.Errorf("%s: the decoder and encoding/json differ", p)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no pyperf files found")
	}
	t.Logf("%d pyperf files", n)
}

// FuzzMetadataDecode checks the metadata decoder against encoding/json with
// UseNumber: on any valid JSON object both give the same value.
func FuzzMetadataDecode(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a": 1, "a": 2}`, `{"name": "x", "tags": ["a", "b"], "loops": 1e3, "n": null, "t": true}`,
		`{"nested": {"x": [1, {"y": -0.5}]}}`, `{"s": "\u00e9\ud83d\ude00\n"}`, "{\"bad\": \"\xff\xfe\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want map[string]any
		if dec.Decode(&want) != nil {
			return // not an object
		}
		got, err := decodeObject(data)
		if err != nil {
			if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
				return
			}
			t.Fatalf("decodeObject(%q): %v", data, err)
		}
		if want == nil && got == nil {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeObject(%q) = %#v, encoding/json gives %#v", data, got, want)
		}
	})
}
