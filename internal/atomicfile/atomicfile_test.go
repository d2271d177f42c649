package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// noStrays fails when dir holds a temporary file of pystats.
func noStrays(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if _, ok := ourName(e.Name()); ok || strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestWrite(t *testing.T) {
	tests := []struct {
		name     string
		existing string // content before, "" for none
		fill     func(w io.Writer) error
		wantErr  string
		want     string // content after
	}{
		{"new file", "", writeString("data"), "", "data"},
		{"replace", "old", writeString("new"), "", "new"},
		{"failure leaves no file", "", func(w io.Writer) error { io.WriteString(w, "half"); return errors.New("boom") }, "boom", ""},
		{"failure keeps the old file", "old", func(w io.Writer) error { io.WriteString(w, "half"); return errors.New("boom") }, "boom", "old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.md")
			if tt.existing != "" {
				os.WriteFile(path, []byte(tt.existing), 0o644)
			}
			err := Write(path, nil, tt.fill)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tt.want {
				t.Errorf("content %q, want %q", got, tt.want)
			}
			noStrays(t, dir)
		})
	}
}

// TestWriteModes: a replaced file keeps its mode, a new one gets 0666 minus
// the umask, a read-only one is refused and left alone.
func TestWriteModes(t *testing.T) {
	dir := t.TempDir()
	for _, mode := range []fs.FileMode{0o600, 0o640, 0o664, 0o700} {
		p := filepath.Join(dir, "keep")
		os.Remove(p)
		os.WriteFile(p, []byte("old"), 0o600)
		os.Chmod(p, mode)
		if err := Write(p, nil, writeString("new")); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(p); fi.Mode().Perm() != mode {
			t.Errorf("mode %04o became %04o", mode, fi.Mode().Perm())
		}
	}
	p := filepath.Join(dir, "new")
	if err := Write(p, nil, writeString("x")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o666&^umask {
		t.Errorf("new file mode %04o, want %04o", fi.Mode().Perm(), 0o666&^umask)
	}
	ro := filepath.Join(dir, "ro")
	os.WriteFile(ro, []byte("old"), 0o444)
	os.Chmod(ro, 0o444)
	err := Write(ro, nil, writeString("new"))
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-only file: %v", err)
	}
	if b, _ := os.ReadFile(ro); string(b) != "old" {
		t.Errorf("read-only file changed: %q", b)
	}
	noStrays(t, dir)
}

// TestWriteThroughLinks: a symbolic link to a file has its target replaced
// (the link stays); a dangling link creates its target; a FIFO is written to,
// not replaced.
func TestWriteThroughLinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "sub", "target.md")
	os.Mkdir(filepath.Dir(target), 0o755)
	os.WriteFile(target, []byte("old"), 0o600)
	link := filepath.Join(dir, "link.md")
	os.Symlink("sub/target.md", link)
	if err := Write(link, nil, writeString("new")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("link replaced by a file")
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target %q", b)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
		t.Errorf("target mode %04o", fi.Mode().Perm())
	}
	dangling := filepath.Join(dir, "dangling.md")
	os.Symlink("made.md", dangling)
	if err := Write(dangling, nil, writeString("made")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "made.md")); string(b) != "made" {
		t.Errorf("dangling link target %q", b)
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO:", err)
	}
	got := make(chan string)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	if err := Write(fifo, nil, writeString("through the pipe")); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "through the pipe" {
			t.Errorf("FIFO read %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("FIFO reader got nothing")
	}
	if fi, _ := os.Lstat(fifo); fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("FIFO replaced: %v", fi.Mode())
	}
	noStrays(t, dir)
	noStrays(t, filepath.Dir(target))
}

// TestResolveDevice: /dev/null resolves to a direct write (never replaced);
// the test only resolves, it never writes the device through a rename.
func TestResolveDevice(t *testing.T) {
	for _, p := range []string{"/dev/null", "/dev/stdout", "/proc/self/fd/1"} {
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		tg, err := Resolve(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if !tg.Direct {
			t.Errorf("%s: not written directly", p)
		}
	}
	link := filepath.Join(t.TempDir(), "null")
	os.Symlink("/dev/null", link)
	if tg, err := Resolve(link); err != nil || !tg.Direct || tg.Path != "/dev/null" {
		t.Errorf("link to /dev/null: %+v %v", tg, err)
	}
	if err := Write(link, nil, writeString("gone")); err != nil {
		t.Errorf("writing through a link to /dev/null: %v", err)
	}
	if fi, err := os.Lstat("/dev/null"); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a device: %v %v", fi.Mode(), err)
	}
}

func TestRefusesToOverwriteInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.json")
	os.WriteFile(in, []byte("input"), 0o644)
	link := filepath.Join(dir, "link.json")
	os.Symlink(in, link)
	hard := filepath.Join(dir, "hard.json")
	os.Link(in, hard)
	folder := filepath.Join(dir, "dumps")
	os.Mkdir(folder, 0o755)
	folderLink := filepath.Join(dir, "dumps-link")
	os.Symlink(folder, folderLink)
	tests := []struct {
		target string
		inputs []string
	}{
		{in, []string{in}},
		{link, []string{in}},
		{in, []string{link}},
		{hard, []string{in}},
		{filepath.Join(folder, "new.md"), []string{folder}},
		{filepath.Join(folderLink, "new.md"), []string{folder}},
		{filepath.Join(folder, "new.md"), []string{folderLink}},
	}
	for _, tt := range tests {
		err := Write(tt.target, NewGuard(tt.inputs), writeString("x"))
		if !errors.Is(err, ErrInput) {
			t.Errorf("%s over %v: error %v", tt.target, tt.inputs, err)
		}
	}
	if b, _ := os.ReadFile(in); string(b) != "input" {
		t.Errorf("input changed: %q", b)
	}
	if entries, _ := os.ReadDir(folder); len(entries) != 0 {
		t.Errorf("written into the input folder: %v", entries)
	}
	if err := CheckDirNotInput(dir, []string{in}); !errors.Is(err, ErrInput) {
		t.Errorf("folder holding an input: %v", err)
	}
	if err := CheckDirNotInput(filepath.Join(folder, "out"), []string{folder}); !errors.Is(err, ErrInput) {
		t.Errorf("folder inside an input: %v", err)
	}
	if err := CheckDirNotInput(filepath.Join(dir, "out"), []string{in, folder}); err != nil {
		t.Errorf("unrelated folder: %v", err)
	}
	noStrays(t, dir)
}

func TestSameOutput(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	os.WriteFile(a, nil, 0o644)
	l := filepath.Join(dir, "l")
	os.Symlink("a", l)
	tests := []struct {
		x, y string
		want bool
	}{
		{a, a, true},
		{a, l, true},
		{filepath.Join(dir, "new"), filepath.Join(dir, ".", "new"), true},
		{a, filepath.Join(dir, "b"), false},
		{"-", "-", true},
		{"-", a, false},
		{"/dev/null", "/dev/null", false},
	}
	for _, tt := range tests {
		if got := SameOutput(tt.x, tt.y); got != tt.want {
			t.Errorf("SameOutput(%s, %s) = %v", tt.x, tt.y, got)
		}
	}
}

func TestRemovePending(t *testing.T) {
	defer func() { interrupted = false }()
	dir := t.TempDir()
	tmp := filepath.Join(dir, ".out.tmp-1")
	os.WriteFile(tmp, []byte("x"), 0o644)
	Track(tmp)
	RemovePending()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temporary file still there: %v", err)
	}
	if err := Write(filepath.Join(dir, "late"), nil, writeString("x")); err == nil {
		t.Error("a commit after the interrupt succeeded")
	}
	noStrays(t, dir)
}

// TestRemoveStale: temporary names of dead processes, older than a minute,
// go; our own, a live process's, young ones and names that only look alike
// stay.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	dead := 1 << 30 // no such PID
	for pid := dead; alive(pid); pid-- {
		dead = pid - 1
	}
	files := map[string]bool{ // name -> removed
		tmpPrefix + itoa(dead) + "-0123abcd-out.md":   true,
		oldPrefix + itoa(dead) + "-0123abcd-export":   true, // put back as export
		oldPrefix + itoa(dead) + "-0123abcd-keep.md":  true, // keep.md exists: removed
		tmpPrefix + itoa(os.Getpid()) + "-0123abcd-x": false,
		tmpPrefix + "1-0123abcd-init":                 false, // PID 1 lives
		tmpPrefix + itoa(dead) + "-nothex12-out.md":   false,
		tmpPrefix + itoa(dead) + "-0123abcd":          false,
		".pystats-tmpx-" + itoa(dead) + "-0123abcd-y": false,
		"keep.md": false,
	}
	for name := range files {
		p := filepath.Join(dir, name)
		if strings.HasSuffix(name, "-export") || strings.HasSuffix(name, "-keep.md") {
			os.MkdirAll(filepath.Join(p, "t"), 0o755)
		} else {
			os.WriteFile(p, nil, 0o644)
		}
		os.Chtimes(p, old, old)
	}
	young := tmpPrefix + itoa(dead) + "-0123abcd-young"
	os.WriteFile(filepath.Join(dir, young), nil, 0o644)
	files[young] = false
	RemoveStale(dir)
	if _, err := os.Stat(filepath.Join(dir, "export", "t")); err != nil {
		t.Errorf("a folder moved aside by a killed swap was not put back: %v", err)
	}
	for name, gone := range files {
		_, err := os.Lstat(filepath.Join(dir, name))
		if gone != os.IsNotExist(err) {
			t.Errorf("%s: removed %v, want %v", name, os.IsNotExist(err), gone)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
