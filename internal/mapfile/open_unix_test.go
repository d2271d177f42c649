//go:build unix

package mapfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenListedRefusesWhatIsNotRegular: a path listed as a regular file
// but replaced since by a FIFO (or a folder) is refused on the open
// descriptor, without blocking on the FIFO, as OpenRegular refuses it.
func TestOpenListedRefusesWhatIsNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.txt")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO here:", err)
	}
	file := filepath.Join(dir, "dump.txt")
	if err := os.WriteFile(file, []byte("a : 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		regular    bool
	}{
		{"FIFO", fifo, false},
		{"folder", dir, false},
		{"regular file", file, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, open := range []struct {
				name string
				fn   func(string) (*os.File, os.FileInfo, error)
			}{{"OpenListed", OpenListed}, {"OpenRegular", OpenRegular}, {"OpenListedFile", openListedFile}} {
				done := make(chan error, 1)
				go func() {
					f, _, err := open.fn(tc.path)
					if err == nil {
						f.Close()
					}
					done <- err
				}()
				select {
				case err := <-done:
					var nr *NotRegularError
					if tc.regular && err != nil {
						t.Errorf("%s: %v", open.name, err)
					}
					if !tc.regular && !errors.As(err, &nr) {
						t.Errorf("%s: got %v, want a *NotRegularError", open.name, err)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("%s blocked on %s", open.name, tc.name)
				}
			}
		})
	}
}

// openListedFile is OpenListedFile with OpenListed's results, closing the
// file itself (the test only opens it).
func openListedFile(path string) (*os.File, os.FileInfo, error) {
	f, err := OpenListedFile(path)
	if err != nil {
		return nil, nil, err
	}
	f.Close()
	null, err := os.Open(os.DevNull)
	return null, nil, err
}

// TestListedFileReads: a ListedFile gives a file's bytes, then io.EOF, as
// an *os.File does, whatever the size and the read size; a missing file is
// os.ErrNotExist.
func TestListedFileReads(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 4095, 4096, 100_000} {
		want := bytes.Repeat([]byte("key : 1\n"), size/8+1)[:size]
		path := filepath.Join(dir, "dump.txt")
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, bufSize := range []int{1, 7, 4096, 1 << 18} {
			f, err := OpenListedFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			buf := make([]byte, bufSize)
			for {
				n, err := f.Read(buf)
				got = append(got, buf[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("size %d, reads of %d: %v", size, bufSize, err)
				}
			}
			if n, err := f.Read(nil); n != 0 || err != nil {
				t.Errorf("empty read: %d, %v", n, err)
			}
			if err := f.Close(); err != nil {
				t.Error(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("size %d, reads of %d: got %d bytes", size, bufSize, len(got))
			}
		}
	}
	if _, err := OpenListedFile(filepath.Join(dir, "missing.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
