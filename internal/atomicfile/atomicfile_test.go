package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name     string
		existing string // content before, "" for none
		fill     func(w io.Writer) error
		wantErr  string
		want     string // content after
	}{
		{"new file", "", func(w io.Writer) error { _, err := io.WriteString(w, "data"); return err }, "", "data"},
		{"replace", "old", func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }, "", "new"},
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
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.Name() != "out.md" {
					t.Errorf("left behind: %s", e.Name())
				}
			}
		})
	}
}

func TestRefusesToOverwriteInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.json")
	os.WriteFile(in, []byte("input"), 0o644)
	link := filepath.Join(dir, "link.json")
	os.Symlink(in, link)
	for _, target := range []string{in, link} {
		err := Write(target, []string{in}, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
		if err == nil || !strings.Contains(err.Error(), "refusing to overwrite input file") {
			t.Errorf("%s: error %v", target, err)
		}
	}
	if b, _ := os.ReadFile(in); string(b) != "input" {
		t.Errorf("input changed: %q", b)
	}
}

func TestRemovePending(t *testing.T) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, ".out.tmp-1")
	os.WriteFile(tmp, []byte("x"), 0o644)
	Track(tmp)
	RemovePending()
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temporary file still there: %v", err)
	}
}
