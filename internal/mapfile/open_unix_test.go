//go:build unix

package mapfile

import (
	"errors"
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
			}{{"OpenListed", OpenListed}, {"OpenRegular", OpenRegular}} {
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
