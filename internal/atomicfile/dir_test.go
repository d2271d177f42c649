package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// exportOwned accepts <name>.parquet and <name>/run=<x>/part-0.parquet.
func exportOwned(rel string, isDir bool) bool {
	parts := strings.Split(rel, "/")
	switch {
	case len(parts) == 1:
		return isDir || strings.HasSuffix(rel, ".parquet")
	case len(parts) == 2:
		return isDir && strings.HasPrefix(parts[1], "run=")
	case len(parts) == 3:
		return !isDir && parts[2] == "part-0.parquet"
	}
	return false
}

// tree lists the files under dir with their contents.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		b, _ := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	return out
}

func setOf(files []DirFile) map[string]string {
	m := map[string]string{}
	for _, f := range files {
		m[f.Path] = string(f.Data)
	}
	return m
}

func sameTree(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			return false
		}
	}
	return true
}

func TestCommitDir(t *testing.T) {
	newSet := []DirFile{{"a.parquet", []byte("A2")}, {"t/run=x/part-0.parquet", []byte("T2")}}
	for _, fallback := range []bool{false, true} {
		noExchange = fallback
		parent := t.TempDir()
		dir := filepath.Join(parent, "out")
		// New folder, missing parents made.
		deep := filepath.Join(parent, "p", "q", "out")
		if _, err := CommitDir(deep, newSet, DirOptions{Owned: exportOwned}); err != nil {
			t.Fatal(err)
		}
		if got := tree(t, deep); !sameTree(got, setOf(newSet)) {
			t.Errorf("new folder: %v", got)
		}
		// Replace an older export: its extra table goes, and is named.
		os.MkdirAll(filepath.Join(dir, "t", "run=y"), 0o750)
		os.WriteFile(filepath.Join(dir, "a.parquet"), []byte("A1"), 0o644)
		os.WriteFile(filepath.Join(dir, "old.parquet"), []byte("O1"), 0o644)
		os.WriteFile(filepath.Join(dir, "t", "run=y", "part-0.parquet"), []byte("Y1"), 0o644)
		removed, err := CommitDir(dir, newSet, DirOptions{Owned: exportOwned})
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(removed)
		if strings.Join(removed, ",") != "old.parquet,t/run=y/part-0.parquet" {
			t.Errorf("removed %v", removed)
		}
		if got := tree(t, dir); !sameTree(got, setOf(newSet)) {
			t.Errorf("replaced folder: %v", got)
		}
		if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o750 {
			t.Errorf("folder mode %04o, want 0750", fi.Mode().Perm())
		}
		// A folder with a foreign file is refused and left as it was.
		os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
		before := tree(t, dir)
		if _, err := CommitDir(dir, newSet, DirOptions{Owned: exportOwned}); err == nil || !strings.Contains(err.Error(), "notes.txt") {
			t.Errorf("foreign file: %v", err)
		}
		if !sameTree(tree(t, dir), before) {
			t.Error("refused folder changed")
		}
		// Through a link: the real folder is replaced, the link stays.
		os.Remove(filepath.Join(dir, "notes.txt"))
		link := filepath.Join(parent, "link")
		os.Symlink("out", link)
		if _, err := CommitDir(link, []DirFile{{"z.parquet", []byte("Z")}}, DirOptions{Owned: exportOwned}); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Lstat(link); fi.Mode()&fs.ModeSymlink == 0 {
			t.Error("link replaced")
		}
		if got := tree(t, dir); !sameTree(got, map[string]string{"z.parquet": "Z"}) {
			t.Errorf("through link: %v", got)
		}
		// A file is not a folder; an input inside is refused.
		if _, err := CommitDir(filepath.Join(dir, "z.parquet"), newSet, DirOptions{Owned: exportOwned}); err == nil {
			t.Error("file as folder accepted")
		}
		if _, err := CommitDir(dir, newSet, DirOptions{Owned: exportOwned, Protected: []string{filepath.Join(dir, "z.parquet")}}); !errors.Is(err, ErrInput) {
			t.Errorf("input inside: %v", err)
		}
		if _, err := CommitDir(filepath.Join(dir, "sub"), newSet, DirOptions{Owned: exportOwned, Protected: []string{dir}}); !errors.Is(err, ErrInput) {
			t.Errorf("inside input: %v", err)
		}
		noStrays(t, parent)
	}
	noExchange = false
}

// TestCommitDirFailures: whatever step fails, the folder is the old one and
// nothing is left behind.
func TestCommitDirFailures(t *testing.T) {
	defer func() { hook, noExchange = nil, false }()
	for _, fallback := range []bool{false, true} {
		for _, failAt := range []string{"write", "swap", "rename-in"} {
			noExchange = fallback
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			os.Mkdir(dir, 0o755)
			os.WriteFile(filepath.Join(dir, "a.parquet"), []byte("old"), 0o644)
			before := tree(t, dir)
			hook = func(s string) error {
				if s == failAt {
					return errors.New("injected")
				}
				return nil
			}
			_, err := CommitDir(dir, []DirFile{{"a.parquet", []byte("new")}, {"b.parquet", []byte("new")}}, DirOptions{Owned: exportOwned})
			hook = nil
			if failAt == "rename-in" && !fallback {
				if err != nil {
					t.Errorf("exchange: %v", err)
				}
				continue // the exchange has no such step
			}
			if err == nil {
				t.Errorf("%s: no error", failAt)
			}
			if !sameTree(tree(t, dir), before) {
				t.Errorf("fallback %v, failing at %s: folder changed", fallback, failAt)
			}
			noStrays(t, parent)
		}
	}
}
