package mapfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestReadGivesTheFileBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
	}{
		{"empty", 0},
		{"small, read", 1000},
		{"large, mapped", 3 * minMapSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := bytes.Repeat([]byte("opcode[X].execution_count : 1\n"), tc.size/30+1)[:tc.size]
			path := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			var got []byte
			err := Guard(path, func(data []byte) error {
				got = append(got, data...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("read %d bytes, want the file's %d", len(got), len(want))
			}
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	err := Guard(filepath.Join(t.TempDir(), "absent"), func([]byte) error { return nil })
	if !os.IsNotExist(err) {
		t.Fatalf("got %v, want a not-exist error", err)
	}
}

// TestTruncatedWhileReadingIsAnError truncates a mapped file under the
// parser: the fault must become an error naming the file, not a crash.
func TestTruncatedWhileReadingIsAnError(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("mapping behaviour checked on Linux")
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, bytes.Repeat([]byte{'x'}, 4*minMapSize), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Guard(path, func(data []byte) error {
		if err := os.Truncate(path, 0); err != nil {
			t.Fatal(err)
		}
		var sum int
		for i := 0; i < len(data); i += 4096 {
			sum += int(data[i])
		}
		t.Logf("read all pages after truncation (sum %d)", sum)
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "changed while it was read") || !strings.Contains(err.Error(), path) {
		t.Fatalf("got %v, want an error saying the file changed", err)
	}
}

// TestOtherPanicsGoOn checks that Guard only turns faults in the mapped bytes
// into errors: a parser's own panic is not hidden.
func TestOtherPanicsGoOn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, bytes.Repeat([]byte{'x'}, 2*minMapSize), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v, want the parser's own panic", r)
		}
	}()
	_ = Guard(path, func([]byte) error { panic("boom") })
	t.Fatal("Guard returned")
}

func TestReadAllLimit(t *testing.T) {
	for _, tc := range []struct {
		size, limit int64
		ok          bool
	}{
		{0, 10, true}, {10, 10, true}, {11, 10, false}, {3 << 20, 3 << 20, true}, {3<<20 + 1, 3 << 20, false}, {5 << 20, 3 << 20, false}, {1<<20 + 7, 4 << 20, true},
	} {
		data := bytes.Repeat([]byte("ab"), int(tc.size))[:tc.size]
		got, err := ReadAllLimit("x", "JSON", bytes.NewReader(data), tc.limit)
		if tc.ok != (err == nil) {
			t.Fatalf("size %d, limit %d: error %v", tc.size, tc.limit, err)
		}
		if err == nil && !bytes.Equal(got, data) {
			t.Fatalf("size %d: read %d bytes, not the stream's", tc.size, len(got))
		}
		var tl *TooLargeError
		if err != nil && !errors.As(err, &tl) {
			t.Fatalf("error %T, want *TooLargeError", err)
		}
	}
}
