package specialize

import (
	"fmt"

	"github.com/pystats-dev/pystats/pystats"
)

// Embedded returns the tables shipped in the binary for a release line
// ("3.11", "3.12", "3.13", "3.14", "3.15").
func Embedded(version string) (*Tables, bool) {
	return nil, false // filled in by the table generator work
}

// LoadTablesFile reads a build-tables JSON file (the format of tables/*.json).
func LoadTablesFile(path string) (*Tables, error) {
	return nil, fmt.Errorf("build-tables files are not supported yet")
}

// FromCPythonSource reads the tables from a CPython checkout.
func FromCPythonSource(dir string) (*Tables, error) {
	return nil, fmt.Errorf("--cpython-src is not supported yet")
}

// Attach copies the tables' specialized instructions and defines into st's
// metadata, as the E3/E4 summarizer adds them to its JSON. Metadata the input
// already carries wins.
func Attach(st *pystats.Stats, t *Tables) {
	if st.Meta.HasBuildTables || t == nil {
		return
	}
	st.Meta.HasBuildTables = true
	st.Meta.SpecializedInstructions = append([]string{}, t.SpecializedInstructions...)
	st.Meta.Defines = t.Defines
	st.Meta.StatsDefines = t.StatsDefines
}
