package pystats

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
)

// FuzzReadPyperf feeds arbitrary bytes to the pyperf JSON reader: it must
// return a suite or an error, never panic, and a suite's tables must agree.
func FuzzReadPyperf(f *testing.F) {
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
