package specialize

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
)

func defs(pairs ...any) pystats.Defines {
	d := pystats.Defines{Order: []int{}, Names: map[int][]string{}}
	for i := 0; i < len(pairs); i += 2 {
		for _, name := range pairs[i+1].([]string) {
			d.Add(pairs[i].(int), name)
		}
	}
	return d
}

func TestFromCPythonSource(t *testing.T) {
	tests := []struct {
		dir          string
		version      string
		opnames      map[int]string // only these slots are checked
		numOpnames   int
		specialized  []string
		defines      pystats.Defines
		statsDefines pystats.Defines
	}{
		{
			dir:     "fake-numeric",
			version: "3.12",
			opnames: map[int]string{
				0: "<0>", 1: "POP_TOP", 2: "LOAD_ATTR_SLOT", 3: "LOAD_FAST__LOAD_FAST",
				4: "LOAD_ATTR", 5: "FOR_ITER_LIST", 6: "FOR_ITER", 7: "<7>", 255: "<255>",
			},
			numOpnames:   256,
			specialized:  []string{"LOAD_ATTR_SLOT", "FOR_ITER_LIST"},
			defines:      defs(0, []string{"OTHER"}, 1, []string{"NO_DICT"}, 17, []string{"LOAD_GLOBAL_NON_DICT"}, 9, []string{"ATTR_SHADOWED", "SUBSCR_LIST_SLICE"}),
			statsDefines: defs(0, []string{"TOTAL"}, 1, []string{"VECTOR"}, 2, []string{"KINDS"}),
		},
		{
			dir:          "fake-named",
			version:      "3.14",
			specialized:  []string{"TO_BOOL_LIST", "BINARY_OP_ADD_INT"},
			defines:      defs(0, []string{"OTHER"}, 10, []string{"TO_BOOL_LIST"}, 1, []string{"NO_DICT"}),
			statsDefines: defs(0, []string{"TOTAL"}, 1, []string{"KINDS"}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			got, err := FromCPythonSource(filepath.Join("testdata", tt.dir))
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != tt.version {
				t.Errorf("Version = %q, want %q", got.Version, tt.version)
			}
			if len(got.Opnames) != tt.numOpnames {
				t.Errorf("%d opnames, want %d", len(got.Opnames), tt.numOpnames)
			}
			for n, want := range tt.opnames {
				if got.Opnames[n] != want {
					t.Errorf("Opnames[%d] = %q, want %q", n, got.Opnames[n], want)
				}
			}
			if !reflect.DeepEqual(got.SpecializedInstructions, tt.specialized) {
				t.Errorf("SpecializedInstructions = %q, want %q", got.SpecializedInstructions, tt.specialized)
			}
			if !reflect.DeepEqual(got.Defines, tt.defines) {
				t.Errorf("Defines = %v, want %v", got.Defines, tt.defines)
			}
			if !reflect.DeepEqual(got.StatsDefines, tt.statsDefines) {
				t.Errorf("StatsDefines = %v, want %v", got.StatsDefines, tt.statsDefines)
			}
			if !strings.Contains(got.Source, "CPython "+tt.version) {
				t.Errorf("Source = %q does not name the version", got.Source)
			}
		})
	}
}

func TestParseDefinesErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"three fields", "\n#define SPEC_FAIL_X 9 // why\n", "x.c:2:"},
		{"one field", "#define SPEC_FAIL_X\n", "x.c:1:"},
		{"not an int", "#define SPEC_FAIL_OTHER 0\n\n\n#define SPEC_FAIL_X (9)\n", "x.c:4:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDefines("x.c", []byte(tt.src), "SPEC_FAIL")
			var pe *pystats.ParseError
			if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error = %v, want a ParseError starting %q", err, tt.want)
			}
		})
	}
}

func TestFromCPythonSourceErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no patchlevel", map[string]string{}, "reading the CPython version"},
		{"bad define", map[string]string{
			"Include/patchlevel.h": `#define PY_VERSION "3.12.0"`,
			"Python/specialize.c":  "\n\n#define SPEC_FAIL_A 1 2\n",
		}, "specialize.c:3:"},
		{"no opcode tables", map[string]string{
			"Include/patchlevel.h": `#define PY_VERSION "3.12.0"`,
			"Python/specialize.c":  "#define SPEC_FAIL_A 1\n",
		}, "reading opcode tables"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				path := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := FromCPythonSource(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestTablesFileRoundTrip(t *testing.T) {
	fromSource, err := FromCPythonSource(filepath.Join("testdata", "fake-numeric"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		t    *Tables
	}{
		{"numeric from source", fromSource},
		{"empty", &Tables{Version: "3.99", BuildTables: pystats.BuildTables{SpecializedInstructions: []string{}, Defines: defs(), StatsDefines: defs()}}},
		{"quoting", &Tables{Version: "x", Source: "a \"quoted\" <source> & more\n", Opnames: map[int]string{0: "<0>", 200: "X"},
			BuildTables: pystats.BuildTables{SpecializedInstructions: []string{"A"}, Defines: defs(5, []string{"B", "C"}, 2, []string{"D"}), StatsDefines: defs()}}},
	}
	for _, v := range EmbeddedVersions() {
		e, _ := Embedded(v)
		tests = append(tests, struct {
			name string
			t    *Tables
		}{"embedded " + v, e})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var first bytes.Buffer
			if err := WriteTables(&first, tt.t); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "tables.json")
			if err := os.WriteFile(path, first.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := LoadTablesFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != tt.t.Version || got.Source != tt.t.Source ||
				!reflect.DeepEqual(got.SpecializedInstructions, tt.t.SpecializedInstructions) ||
				!reflect.DeepEqual(got.Defines, tt.t.Defines) || !reflect.DeepEqual(got.StatsDefines, tt.t.StatsDefines) ||
				len(got.Opnames) != len(tt.t.Opnames) || (len(got.Opnames) > 0 && !reflect.DeepEqual(got.Opnames, tt.t.Opnames)) {
				t.Errorf("round trip changed the tables:\n%s", first.String())
			}
			var second bytes.Buffer
			if err := WriteTables(&second, got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first.Bytes(), second.Bytes()) {
				t.Errorf("second write differs:\n%s\n---\n%s", first.String(), second.String())
			}
		})
	}
}

func TestEmbeddedFilesAreCanonical(t *testing.T) {
	// The files are gentables output: rewriting them must not change a byte.
	for _, v := range EmbeddedVersions() {
		data, err := embeddedFS.ReadFile("tables/" + v + ".json")
		if err != nil {
			t.Fatal(err)
		}
		e, ok := Embedded(v)
		if !ok || e.Version != v {
			t.Fatalf("Embedded(%q) = %v, %v", v, e, ok)
		}
		var buf bytes.Buffer
		if err := WriteTables(&buf, e); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), data) {
			t.Errorf("tables/%s.json is not in WriteTables form", v)
		}
	}
	if _, ok := Embedded("2.7"); ok {
		t.Error("Embedded(2.7) found tables")
	}
	if _, ok := Embedded("../specialize"); ok {
		t.Error("Embedded accepted a path")
	}
}

func TestParseTablesErrors(t *testing.T) {
	const minimal = `"version": "3.12", "_specialized_instructions": [], "_stats_defines": {}, "_defines": {}`
	tests := []struct {
		name, data, want string
	}{
		{"not an object", `[]`, "t.json:1: build tables"},
		{"unknown member", "{\n" + minimal + ",\n\"extra\": 1}", "t.json:3: unknown member"},
		{"missing member", `{"version": "3.12"}`, `member "_specialized_instructions" is missing`},
		{"bad opcode number", "{" + minimal + ",\n\n\"opnames\": {\"256\": \"X\"}}", "t.json:3:"},
		{"duplicate kind", "{" + `"version": "3.12", "_specialized_instructions": [], "_stats_defines": {}, "_defines": {"1": ["A"],` + "\n" + `"1": ["B"]}}`, "t.json:2: _defines: kind 1 occurs twice"},
		{"syntax", "{\n\n\"version\": 3.12,}", "t.json:3:"},
		{"truncated", "{\n\"version\": \"3.12\"", "t.json:2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTables("t.json", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestFailureKindLabel(t *testing.T) {
	// The 3.13 defines, as in CPython 3.13.5's summarize_stats JSON (§3 of
	// the format spec).
	e313, ok := Embedded("3.13")
	if !ok {
		t.Fatal("no embedded 3.13 tables")
	}
	e312, ok := Embedded("3.12")
	if !ok {
		t.Fatal("no embedded 3.12 tables")
	}
	small := defs(0, []string{"OTHER"}, 9, []string{"SUBSCR_ARRAY_INT", "ITER_X"}, 13, []string{"ATTR_Y"}, 14, []string{"LOAD_GLOBAL_"})
	tests := []struct {
		op      string
		n       int
		defines *pystats.Defines
		getIter bool
		want    string
	}{
		{"LOAD_ATTR", 0, &e313.Defines, false, "other"},
		{"CALL", 7, &e313.Defines, false, "code complex parameters"},
		{"BINARY_OP", 8, &e313.Defines, false, "code not optimized"},
		{"LOAD_SUPER_ATTR", 9, &e313.Defines, false, "bad class"},
		{"LOAD_ATTR", 9, &e313.Defines, false, "overriding descriptor"},
		{"STORE_ATTR", 9, &e313.Defines, false, "overriding descriptor"},
		{"BINARY_SUBSCR", 9, &e313.Defines, false, "array int"},
		{"STORE_SUBSCR", 9, &e313.Defines, false, "array int"},
		{"CONTAINS_OP", 9, &e313.Defines, false, "str"},
		{"TO_BOOL", 9, &e313.Defines, false, "bytearray"},
		{"FOR_ITER", 10, &e313.Defines, false, "generator"},
		{"SEND", 30, &e313.Defines, false, "async generator send"},
		{"CALL", 22, &e312.Defines, false, "pep 523"},
		{"BINARY_SUBSCR", 13, &e312.Defines, false, "string int"},
		{"COMPARE_OP", 9, &e313.Defines, false, "kind 9"},
		{"SEND", 13, &small, false, "kind 13"},
		{"GET_ITER", 9, &small, false, "kind 9"},
		{"GET_ITER", 9, &small, true, "x"},
		{"LOAD_GLOBAL", 14, &small, false, ""},
		{"LOAD_ATTR", 13, &small, false, "y"},
		{"LOAD_ATTR", 40, &small, false, "kind 40"},
		{"LOAD_ATTR", 5, &small, false, "kind 5"},
	}
	for _, tt := range tests {
		t.Run(tt.op+"/"+strconv.Itoa(tt.n), func(t *testing.T) {
			if got := FailureKindLabel(tt.op, tt.n, tt.defines, tt.getIter); got != tt.want {
				t.Errorf("FailureKindLabel(%s, %d) = %q, want %q", tt.op, tt.n, got, tt.want)
			}
		})
	}
}

func TestTablesLookups(t *testing.T) {
	e, _ := Embedded("3.12")
	tests := []struct {
		name, key, wantName string
		specialized         bool
		wantNumber          int // -1: no slot has that name
	}{
		{"slot 0", "0", "<0>", false, 0},
		{"generic", "1", "POP_TOP", false, 1},
		{"specialized", "6", "BINARY_OP_ADD_FLOAT", true, 6},
		{"a name", "LOAD_ATTR", "LOAD_ATTR", false, 106},
		{"out of range", "999", "999", false, -1},
		{"empty", "", "", false, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.OpcodeName(tt.key)
			if got != tt.wantName {
				t.Fatalf("OpcodeName(%q) = %q, want %q", tt.key, got, tt.wantName)
			}
			if e.IsSpecialized(got) != tt.specialized {
				t.Errorf("IsSpecialized(%q) = %v", got, !tt.specialized)
			}
			n, ok := e.OpcodeNumber(got)
			if !ok {
				n = -1
			}
			if n != tt.wantNumber {
				t.Errorf("OpcodeNumber(%q) = %d, want %d", got, n, tt.wantNumber)
			}
		})
	}
	var nilTables *Tables
	if nilTables.OpcodeName("5") != "5" || nilTables.IsSpecialized("X") {
		t.Error("nil tables")
	}
}

// The embedded 3.13 tables must equal what CPython 3.13.5's summarizer
// appends to its JSON (a real reference output, not the tables' source).
func TestEmbedded313MatchesSummarizerJSON(t *testing.T) {
	for _, run := range []string{"json_tool", "test_small"} {
		t.Run(run, func(t *testing.T) {
			path := shared.Path(t, "data/dumps/3.13/"+run+"/summarize_stats.json")
			st, err := pystats.ReadJSONFile(path, pystats.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release()
			e, ok := Embedded("3.13")
			if !ok {
				t.Fatal("no embedded 3.13 tables")
			}
			got := e.Metadata()
			want := st.Meta
			want.BenchRunner = nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("embedded 3.13 metadata differs from %s:\n got %+v\nwant %+v", path, got, want)
			}
		})
	}
}

// Every opcode number executed in the real 3.12.0b3 benchmark run must get
// the name the published markdown gives its execution count.
func TestEmbedded312NamesMatch3120b3(t *testing.T) {
	dir := shared.Path(t, "data/real-pystats/bm-20230619-3.12.0b3-f992a60")
	base := filepath.Join(dir, "bm-20230619-azure-x86_64-python-v3.12.0b3-3.12.0b3-f992a60-pystats")
	st, err := pystats.ReadJSONFile(base+".json", pystats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Release()
	md, err := os.ReadFile(base + ".md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(md)
	section = section[strings.Index(section, "## Execution counts"):strings.Index(section, "## Pair counts")]
	rows := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\| (\S+) \| ([\d,]+) \|`).FindAllStringSubmatch(section, -1) {
		rows[m[1]] = strings.ReplaceAll(m[2], ",", "")
	}
	e, _ := Embedded("3.12")
	keyRE := regexp.MustCompile(`^opcode\[(\d+)\]\.execution_count$`)
	keys, values := st.Keys(), st.Values()
	checked := 0
	for i := 0; i < keys.Len(); i++ {
		m := keyRE.FindStringSubmatch(keys.Value(i))
		if m == nil {
			continue
		}
		checked++
		name := e.OpcodeName(m[1])
		if got, want := rows[name], strconv.FormatUint(values.Value(i), 10); got != want {
			t.Errorf("opcode %s is %s here; the markdown's %s row has count %q, want %s", m[1], name, name, got, want)
		}
	}
	if checked < 100 || checked != len(rows) {
		t.Errorf("checked %d opcodes against %d markdown rows", checked, len(rows))
	}
}
