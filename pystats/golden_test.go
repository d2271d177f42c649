package pystats

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
)

// referenceCounters loads the counters (not the metadata keys) of a JSON
// written by CPython's summarize_stats.py.
func referenceCounters(t *testing.T, path string) map[string]uint64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for k, v := range raw {
		if strings.HasPrefix(k, "_") && k != "__nfiles__" || k == "metadata" {
			continue
		}
		var n uint64
		if err := json.Unmarshal(v, &n); err != nil {
			t.Fatalf("%s: %s: %v", path, k, err)
		}
		out[k] = n
	}
	return out
}

func diffCounters(t *testing.T, got, want map[string]uint64) {
	t.Helper()
	bad := 0
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			if bad++; bad <= 5 {
				t.Errorf("%s: got %d (present %v), want %d", k, g, ok, w)
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			if bad++; bad <= 5 {
				t.Errorf("unexpected key %s", k)
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d differences in all", bad)
	}
}

// TestRawDumpsMatchSummarizerJSON reads each 3.13.5 workload's raw dumps and
// checks every summed counter (and __nfiles__) against the JSON that 3.13.5's
// summarize_stats.py wrote for the same directory.
func TestRawDumpsMatchSummarizerJSON(t *testing.T) {
	type tc struct{ name, input, reference string }
	cases := []tc{{"fixture json_tool", "../testdata/dumps/3.13/json_tool/raw", "../testdata/dumps/3.13/json_tool/summarize_stats.json"}}
	if root := shared.Root(); root != "" {
		dirs, _ := filepath.Glob(filepath.Join(root, "data/dumps/3.13/*/summarize_stats.json"))
		for _, ref := range dirs {
			dir := filepath.Dir(ref)
			input := filepath.Join(dir, "raw")
			if _, err := os.Stat(input); err != nil {
				input = filepath.Join(dir, "raw.tar.gz")
			}
			cases = append(cases, tc{filepath.Base(dir), input, ref})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := Read(c.input, Options{Strict: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release()
			diffCounters(t, counters(st), referenceCounters(t, c.reference))
			// Writing and re-reading gives the same counters again.
			var buf bytes.Buffer
			if err := WriteJSON(&buf, st, JSONCompact); err != nil {
				t.Fatal(err)
			}
			again, err := ReadJSON("out.json", buf.Bytes(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer again.Release()
			diffCounters(t, counters(again), counters(st))
		})
	}
}

// TestJSONRoundTrip writes every real summarize JSON back in its own layout
// and expects the same bytes: the summarizer's one-line files and
// bench_runner's indented ones with their metadata object.
func TestJSONRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("../testdata/json/*.json")
	files = append(files, "../testdata/dumps/3.13/json_tool/summarize_stats.json")
	if root := shared.Root(); root != "" {
		for _, pat := range []string{"data/real-pystats/*/*.json", "data/real-pystats/*/*/*.json", "data/dumps/3.13/*/summarize_stats.json", "data/real-timing/public/results/*/*-pystats.json"} {
			more, _ := filepath.Glob(filepath.Join(root, pat))
			files = append(files, more...)
		}
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			orig, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			st, err := ReadJSON(f, orig, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release()
			style := JSONCompact
			if st.Source.Indented {
				style = JSONIndented
			}
			var buf bytes.Buffer
			if err := WriteJSON(&buf, st, style); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), orig) {
				t.Errorf("written JSON differs from the original (%d vs %d bytes)", buf.Len(), len(orig))
			}
		})
	}
}

// naiveSums is an independent, deliberately simple reading of dump files:
// split on ":", strip, sum with big integers.
func naiveSums(t *testing.T, dir string) map[string]*big.Int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]*big.Int{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			parts := strings.Split(line, ":")
			if len(parts) != 2 {
				t.Fatalf("%s: unexpected line %q", e.Name(), line)
			}
			v, ok := new(big.Int).SetString(strings.TrimSpace(parts[1]), 10)
			if !ok {
				t.Fatalf("%s: bad value in %q", e.Name(), line)
			}
			k := strings.TrimSpace(parts[0])
			if sums[k] == nil {
				sums[k] = new(big.Int)
			}
			sums[k].Add(sums[k], v)
		}
	}
	sums["__nfiles__"] = big.NewInt(int64(len(entries)))
	return sums
}

// TestNumericDumpsMatchIndependentSums checks 3.11.2 dumps (numeric opcode
// keys) against an independent computation.
func TestNumericDumpsMatchIndependentSums(t *testing.T) {
	dirs := []string{"../testdata/dumps/3.11/json_tool/raw"}
	if root := shared.Root(); root != "" {
		more, _ := filepath.Glob(filepath.Join(root, "data/dumps/3.11/*/raw"))
		dirs = append(dirs, more...)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(filepath.Dir(dir)), func(t *testing.T) {
			st, err := Read(dir, Options{Strict: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release()
			want := naiveSums(t, dir)
			got := counters(st)
			if len(got) != len(want) {
				t.Errorf("%d keys, want %d", len(got), len(want))
			}
			for k, w := range want {
				if !w.IsUint64() || got[k] != w.Uint64() {
					t.Errorf("%s: got %d, want %s", k, got[k], w)
				}
			}
			if era := DetectEra(st); era.NamedOpcodes || era.Version != "3.11" {
				t.Errorf("era %+v, want numeric 3.11", era)
			}
		})
	}
}

func TestDetectEra(t *testing.T) {
	tests := []struct {
		path    string
		version string
		named   bool
		tier2   bool
	}{
		{"../testdata/dumps/3.13/json_tool/raw", "3.13", true, false},
		{"../testdata/dumps/3.11/json_tool/raw", "3.11", false, false},
		{"../testdata/json/bm-20250315-azure-x86_64-python-e82c2ca2a59235bc1965-3.14.0a6+-e82c2ca-pystats-python_startup_no_site.json", "3.14", true, false},
	}
	for _, tt := range tests {
		st, err := Read(tt.path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		e := DetectEra(st)
		st.Release()
		if e.Version != tt.version || e.NamedOpcodes != tt.named || e.Tier2 != tt.tier2 {
			t.Errorf("%s: era %+v, want version %s named %v tier2 %v", tt.path, e, tt.version, tt.named, tt.tier2)
		}
	}
}
