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

// TestDirStageConcurrentCreate creates the files of a partitioned layout
// from several goroutines at once (run under -race): after Commit the
// folder holds exactly them, and the old files written again are not
// reported removed; after an Abort racing with the Creates nothing is
// left, and every later Create fails.
func TestDirStageConcurrentCreate(t *testing.T) {
	const tables, runs, workers = 5, 40, 4
	rel := func(i int) string {
		return "t" + string(rune('a'+i%tables)) + "/run=" + strings.Repeat("r", 1+i/tables) + "/part-0.parquet"
	}
	createAll := func(s *DirStage) []error {
		errs := make([]error, tables*runs)
		done := make(chan struct{})
		for w := 0; w < workers; w++ {
			go func(w int) {
				defer func() { done <- struct{}{} }()
				for i := w; i < tables*runs; i += workers {
					f, err := s.Create(rel(i))
					if err == nil {
						_, err = f.WriteString(rel(i))
						if cerr := f.Close(); err == nil {
							err = cerr
						}
					}
					errs[i] = err
				}
			}(w)
		}
		for w := 0; w < workers; w++ {
			<-done
		}
		return errs
	}

	dir := filepath.Join(t.TempDir(), "out")
	if err := os.MkdirAll(filepath.Join(dir, "ta", "run=r"), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, rel(0)), []byte("old"), 0o666); err != nil {
		t.Fatal(err)
	}
	s, err := BeginDir(dir, DirOptions{Owned: exportOwned})
	if err != nil {
		t.Fatal(err)
	}
	for i, err := range createAll(s) {
		if err != nil {
			t.Fatalf("%s: %v", rel(i), err)
		}
	}
	removed, err := s.Commit()
	if err != nil || len(removed) != 0 {
		t.Fatalf("Commit: removed %v, %v", removed, err)
	}
	want := map[string]string{}
	for i := 0; i < tables*runs; i++ {
		want[rel(i)] = rel(i)
	}
	if got := tree(t, dir); !sameTree(got, want) {
		t.Fatalf("folder holds %d files, want %d: %v", len(got), len(want), got)
	}

	parent := t.TempDir()
	s, err = BeginDir(filepath.Join(parent, "new"), DirOptions{Owned: exportOwned})
	if err != nil {
		t.Fatal(err)
	}
	go s.Abort()
	createAll(s)
	s.Abort()
	if _, err := s.Create(rel(0)); err == nil {
		t.Fatal("Create after Abort succeeded")
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Fatalf("Abort left %v", entries)
	}
}

// TestMakeFolderKeepsRemovedStage: the folders of a file are made up to the
// stage, but a stage that is gone (removed by an interrupt) is not made again.
func TestMakeFolderKeepsRemovedStage(t *testing.T) {
	stage := filepath.Join(t.TempDir(), "stage")
	if err := os.Mkdir(stage, 0o777); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(stage, "a", "b", "c")
	if err := makeFolder(stage, deep); err != nil {
		t.Fatal(err)
	}
	if err := makeFolder(stage, deep); err != nil {
		t.Fatalf("again: %v", err)
	}
	if fi, err := os.Stat(deep); err != nil || !fi.IsDir() {
		t.Fatalf("%s not made: %v", deep, err)
	}
	os.RemoveAll(stage)
	if err := makeFolder(stage, deep); err == nil {
		t.Fatal("made the folders of a removed stage")
	}
	if _, err := os.Stat(stage); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stage made again: %v", err)
	}
}
