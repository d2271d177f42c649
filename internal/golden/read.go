package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// ReadStats reads a test input; it is released when the test ends.
func ReadStats(t testing.TB, path string) *pystats.Stats {
	t.Helper()
	st, err := pystats.Read(path, pystats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Release)
	return st
}

// ReadRaw313 reads a 3.13 raw dump directory or tarball in directory order,
// as the summarizer took its files, and gives it the 3.13 metadata
// (_specialized_instructions, _stats_defines, _defines) that the summarizer
// adds from its checkout, from the tables embedded in the binary. When this
// copy of the data lists its files in another order than the summarizer saw
// (a copy on another file system), the summarize_stats.json beside it shows
// it and the test is skipped: tied rows would differ.
func ReadRaw313(t *testing.T, path string) *pystats.Stats {
	t.Helper()
	st, err := pystats.Read(path, pystats.Options{DirectoryOrder: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Release)
	tab, ok := specialize.Embedded("3.13")
	if !ok {
		t.Fatal("no embedded 3.13 build tables")
	}
	specialize.Attach(st, tab)
	if ref, err := os.ReadFile(filepath.Join(filepath.Dir(path), "summarize_stats.json")); err == nil {
		var buf bytes.Buffer
		if err := pystats.WriteJSON(&buf, st, pystats.JSONCompact); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), ref) {
			t.Skip("this file system lists the dumps in another order than summarize_stats.py saw; tied rows would differ")
		}
	}
	return st
}
