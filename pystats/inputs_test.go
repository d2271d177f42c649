package pystats

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestInputPaths: InputPaths lists an input folder and every entry, three
// levels deep; InputPathsForFolder leaves out the plain files and keeps
// the folders and the links (which may lead out of the folder).
func TestInputPaths(t *testing.T) {
	root := t.TempDir()
	in := filepath.Join(root, "in")
	ext := filepath.Join(root, "ext")
	for _, d := range []string{in, ext, filepath.Join(in, "bench", "raw")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"a.txt", "bench/raw/b.txt"} {
		if err := os.WriteFile(filepath.Join(in, f), []byte("a : 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(ext, "c.txt"), []byte("a : 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(ext, "c.txt"), filepath.Join(in, "bench", "raw", "c.txt")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if err := os.Symlink(ext, filepath.Join(in, "ext")); err != nil {
		t.Fatal(err)
	}
	rel := func(paths []string) []string {
		var out []string
		for _, p := range paths {
			r, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(r))
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		name  string
		paths func(string) []string
		want  []string
	}{
		{"InputPaths", InputPaths, []string{"in", "in/a.txt", "in/bench", "in/bench/raw", "in/bench/raw/b.txt", "in/bench/raw/c.txt", "in/ext", "in/ext/c.txt"}},
		{"InputPathsForFolder", InputPathsForFolder, []string{"in", "in/bench", "in/bench/raw", "in/bench/raw/c.txt", "in/ext"}},
	} {
		if got := rel(tc.paths(in)); !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	for _, p := range []string{"", "-"} {
		if got := InputPaths(p); got != nil {
			t.Errorf("InputPaths(%q) = %q", p, got)
		}
	}
}
