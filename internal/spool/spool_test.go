package spool

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestSpool: the bytes written come back in order, from memory or from the
// temporary file (gone once Close returns), and Truncate shortens them.
func TestSpool(t *testing.T) {
	for _, tc := range []struct {
		name   string
		limit  int
		noTmp  bool
		inFile bool
	}{
		{"in memory", 1 << 20, false, false},
		{"in a file", 4, false, true},
		{"no temporary folder", 4, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			if tc.noTmp {
				t.Setenv("TMPDIR", filepath.Join(tmp, "missing"))
			}
			s := Spool{Limit: tc.limit}
			for _, p := range []string{"abc", "", "defgh", "ij"} {
				if n, err := s.Write([]byte(p)); n != len(p) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", p, n, err)
				}
			}
			if s.InFile() != tc.inFile || s.FileRefused() != tc.noTmp {
				t.Fatalf("in a file %v, refused %v; want %v, %v", s.InFile(), s.FileRefused(), tc.inFile, tc.noTmp)
			}
			for _, want := range []string{"abcdefghij", "abcdefghij"} { // read twice
				r, err := s.Reader()
				if err != nil {
					t.Fatal(err)
				}
				if got, _ := io.ReadAll(r); string(got) != want {
					t.Fatalf("read %q, want %q", got, want)
				}
			}
			if err := s.Truncate(7); err != nil {
				t.Fatal(err)
			}
			r, _ := s.Reader()
			if got, _ := io.ReadAll(r); string(got) != "abcdefg" {
				t.Fatalf("after Truncate(7): %q", got)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("left in TMPDIR: %v", left)
			}
		})
	}
}
