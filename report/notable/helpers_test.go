package notable

import (
	"testing"

	"github.com/pystats-dev/pystats/pystats"
)

// readStats reads an input for a test; it is released when the test ends.
func readStats(t testing.TB, path string) *pystats.Stats {
	t.Helper()
	st, err := pystats.Read(path, pystats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Release)
	return st
}
