package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestGuardInSame checks an entry's file identity both ways it is kept: by
// fileIDOf where the system gives one, and by file info (os.SameFile)
// elsewhere; a hard link is the same file, another file is not.
func TestGuardInSame(t *testing.T) {
	dir := t.TempDir()
	in, hard, other := filepath.Join(dir, "in"), filepath.Join(dir, "hard"), filepath.Join(dir, "other")
	os.WriteFile(in, []byte("a"), 0o644)
	os.WriteFile(other, []byte("b"), 0o644)
	if err := os.Link(in, hard); err != nil {
		t.Skipf("no hard links: %v", err)
	}
	stat := func(p string) fs.FileInfo {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi
	}
	byID := newGuardIn(in, stat(in))
	byInfo := guardIn{name: in, info: stat(in)}
	for _, tc := range []struct {
		name string
		e    guardIn
	}{{"by id", byID}, {"by info", byInfo}} {
		if !tc.e.same(stat(in)) || !tc.e.same(stat(hard)) {
			t.Errorf("%s: the file or its hard link is not the same file", tc.name)
		}
		if tc.e.same(stat(other)) || tc.e.same(nil) {
			t.Errorf("%s: another file (or none) is the same file", tc.name)
		}
		if !tc.e.sameAny([]fs.FileInfo{stat(other), stat(hard)}) || tc.e.sameAny([]fs.FileInfo{stat(other)}) {
			t.Errorf("%s: sameAny", tc.name)
		}
	}
}
