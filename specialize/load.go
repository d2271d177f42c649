package specialize

import (
	"embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/pystats-dev/pystats/internal/mapfile"
	"github.com/pystats-dev/pystats/pystats"
)

// embeddedFS holds one build-tables file per release line, generated from
// CPython sources by ./gentables (see tables/README.md).
//
//go:embed tables
var embeddedFS embed.FS

var embedded struct {
	sync.Mutex
	tables map[string]*Tables
}

// Embedded returns the tables shipped in the binary for a release line
// ("3.11", "3.12", "3.13", "3.14", "3.15"); false when there are none. The
// tables are parsed once and shared between callers: do not modify them.
func Embedded(version string) (*Tables, bool) {
	embedded.Lock()
	defer embedded.Unlock()
	if t, ok := embedded.tables[version]; ok {
		return t, t != nil
	}
	if embedded.tables == nil {
		embedded.tables = map[string]*Tables{}
	}
	var t *Tables
	name := "tables/" + version + ".json"
	if data, err := embeddedFS.ReadFile(name); err == nil && !strings.ContainsAny(version, "/\\") {
		t, err = ParseTables(name, data)
		if err != nil {
			// The embedded files are checked by the tests; this cannot happen
			// in a released binary.
			panic(fmt.Sprintf("specialize: embedded %v", err))
		}
	}
	embedded.tables[version] = t
	return t, t != nil
}

// EmbeddedVersions lists the release lines that have embedded tables, sorted.
func EmbeddedVersions() []string {
	entries, _ := embeddedFS.ReadDir("tables")
	var out []string
	for _, e := range entries {
		if v, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// LoadTablesFile reads a build-tables JSON file (the format of tables/*.json,
// described in tables/README.md).
func LoadTablesFile(path string) (*Tables, error) {
	data, err := mapfile.ReadFile(path, pystats.MaxJSONSize)
	if err != nil {
		return nil, fmt.Errorf("reading build tables: %w", err)
	}
	return ParseTables(path, data)
}

// Attach copies the tables' specialized instructions and defines into st's
// metadata, as the E3/E4 summarizer adds them to its JSON. Metadata the input
// already carries wins.
func Attach(st *pystats.Stats, t *Tables) {
	if st.Meta.HasBuildTables || t == nil {
		return
	}
	bench := st.Meta.BenchRunner
	st.Meta = t.Metadata()
	st.Meta.BenchRunner = bench
}
