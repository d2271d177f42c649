package timing

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
)

// TestReadFlavours reads the same benchmark written in the layouts pyperf
// has used: 1.0 with the compact, sorted-key layout of current pyperf, 1.0
// indented by bench_runner, gzip-compressed, and the old format 5 with
// "common_metadata" and "samples". Every flavour must give the same values and mean. (The inputs
// are written here by hand; pyperf's own sample files are not committed.)
func TestReadFlavours(t *testing.T) {
	dir := t.TempDir()
	current := `{"benchmarks":[{"metadata":{"loops":8,"name":"mult_list","tags":["math"]},"runs":[{"metadata":{"date":"2026-01-01T00:00:00"},"warmups":[[8,2.1e-06]]},{"metadata":{"date":"2026-01-01T00:00:01"},"values":[2.0e-06,2.5e-06,3.0e-06]}]}],"metadata":{"perf_version":"2.9.0","unit":"second"},"version":"1.0"}`
	indented := "{\n  \"version\": \"1.0\",\n  \"metadata\": {\n    \"unit\": \"second\"\n  },\n  \"benchmarks\": [\n    {\n      \"metadata\": {\n        \"name\": \"mult_list\",\n        \"tags\": [\"math\"]\n      },\n      \"runs\": [\n        {\n          \"values\": [2.0e-06, 2.5e-06, 3.0e-06]\n        }\n      ]\n    }\n  ]\n}"
	old := `{"version": 5, "benchmarks": [{"common_metadata": {"name": "mult_list", "unit": "second"}, "runs": [{"samples": [2.0e-06, 2.5e-06, 3.0e-06]}]}]}`
	write := func(name, body string, gz bool) string {
		p := filepath.Join(dir, name)
		var data []byte
		if gz {
			var b bytes.Buffer
			w := gzip.NewWriter(&b)
			w.Write([]byte(body))
			w.Close()
			data = b.Bytes()
		} else {
			data = []byte(body)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	files := []string{
		write("current.json", current, false),
		write("indented.json", indented, false),
		write("current.json.gz", current, true),
		write("old.json", old, false),
	}
	for _, f := range files {
		s, err := pystats.ReadPyperfFile(f)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		if s.NumBenchmarks() != 1 || s.Name(0) != "mult_list" {
			t.Errorf("%s: benchmarks %v", filepath.Base(f), s.Names())
		}
		if vals := s.BenchValues(0); len(vals) != 3 || vals[1] != 2.5e-06 {
			t.Errorf("%s: values %v", filepath.Base(f), vals)
		}
		if m, ok := s.Mean(0); !ok || m != 2.5e-06 {
			t.Errorf("%s: mean %v", filepath.Base(f), m)
		}
		s.Release()
	}
}

func TestReadPyperfErrors(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"version", `{"version": "2.0", "benchmarks": []}`, `x.json: pyperf file format version "2.0" not supported`},
		{"no version", `{"benchmarks": []}`, `x.json: no "version"`},
		{"syntax", "{\"version\": \"1.0\",\n \"benchmarks\": [}", "x.json:2: "},
		{"empty", `{"version": "1.0", "benchmarks": []}`, "doesn't contain any benchmark"},
		{"no name", `{"version": "1.0", "benchmarks": [{"runs": [{"values": [1]}]}]}`, "benchmark #1 has no name"},
		{"bad value", `{"version": "1.0", "metadata": {"name": "a"}, "benchmarks": [{"runs": [{"values": [-1]}]}]}`, "not a number > 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pystats.ReadPyperf("x.json", []byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestNoValues(t *testing.T) {
	data := `{"version": "1.0", "metadata": {"name": "a"}, "benchmarks": [{"runs": [{"warmups": [[1, 2.0]]}]}]}`
	s, err := pystats.ReadPyperf("x.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	if _, err := Compare(s, []*pystats.PyperfSuite{s}, Options{}); err == nil || !strings.Contains(err.Error(), `x.json: benchmark "a" has no values`) {
		t.Errorf("got %v", err)
	}
}

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		unit string
		v    float64
		want string
	}{
		{"second", 0.336, "336 ms"}, {"second", 0.00906, "9.06 ms"}, {"second", 3.17, "3.17 sec"},
		{"second", 175e-9, "175 ns"}, {"second", 97e-9, "97.0 ns"}, {"second", 4.56e-6, "4.56 us"},
		{"second", 1e-3, "1.00 ms"}, {"second", 1e-10, "0.10 ns"},
		{"byte", 1, "1 byte"}, {"byte", 2048, "2048 bytes"}, {"byte", 20480, "20.0 KiB"}, {"byte", 20 << 20, "20.0 MiB"},
		{"integer", 100000, "10^5"}, {"integer", 16384, "2^14"}, {"integer", 12.5, "12.5"},
		{"integer", 20000, "10^4"}, {"integer", 12288, "12288"}, // pyperf stops at the first quotient below the base
	} {
		if got := FormatValue(tc.unit, tc.v); got != tc.want {
			t.Errorf("FormatValue(%s, %v) = %q, want %q", tc.unit, tc.v, got, tc.want)
		}
	}
}
