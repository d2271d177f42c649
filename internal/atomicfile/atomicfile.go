// Package atomicfile writes output files so that a failure or an interrupt
// never leaves half a file behind: data goes to a temporary file in the same
// directory, which is renamed over the target only when complete.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates path atomically with the bytes that fill writes. It refuses to
// overwrite any of the protected paths (the command's inputs). On error the
// temporary file is removed and path is left as it was.
func Write(path string, protected []string, fill func(w io.Writer) error) error {
	if err := CheckNotInput(path, protected); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	Track(tmp.Name())
	defer Untrack(tmp.Name())
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := fill(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	ok = true
	return nil
}

// CheckNotInput fails when path names the same file as one of inputs.
func CheckNotInput(path string, inputs []string) error {
	out, err := os.Stat(path)
	if err != nil {
		return nil // does not exist yet
	}
	for _, in := range inputs {
		if fi, err := os.Stat(in); err == nil && os.SameFile(fi, out) {
			return fmt.Errorf("refusing to overwrite input file %s", path)
		}
	}
	return nil
}
