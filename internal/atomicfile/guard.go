package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrInput marks an output refused because it would write an input.
var ErrInput = errors.New("refusing to overwrite input")

// RealPath is the absolute path of p with every symbolic link of its
// existing part resolved; the missing tail is appended as given.
func RealPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	var tail []string
	for cur := abs; ; cur = filepath.Dir(cur) {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(append([]string{r}, tail...)...)
		}
		if filepath.Dir(cur) == cur {
			return abs
		}
		tail = append([]string{filepath.Base(cur)}, tail...)
	}
}

// within reports whether p is dir or lies inside it (both real paths).
func within(p, dir string) bool {
	if p == dir || dir == "/" {
		return true
	}
	return strings.HasPrefix(p, dir+string(filepath.Separator))
}

// sameAsAncestor reports whether any of p, its folder, its folder's folder
// and so on is the same file as fi (this catches bind mounts and other
// aliases that real paths do not).
func sameAsAncestor(p string, fi fs.FileInfo) bool {
	for cur := p; ; cur = filepath.Dir(cur) {
		if ci, err := os.Stat(cur); err == nil && os.SameFile(ci, fi) {
			return true
		}
		if filepath.Dir(cur) == cur {
			return false
		}
	}
}

// CheckNotInput fails (wrapping ErrInput) when writing path would write one
// of inputs: path names the same file as an input file (through links too),
// or lies inside an input folder. Inputs that do not exist are skipped.
func CheckNotInput(path string, inputs []string) error {
	target := path
	if t, err := Resolve(path); err == nil {
		target = t.Path
	}
	real := RealPath(target)
	outInfo, _ := os.Stat(target)
	for _, in := range inputs {
		if in == "" || in == "-" {
			continue
		}
		fi, err := os.Stat(in)
		if err != nil {
			continue
		}
		if fi.IsDir() {
			if within(real, RealPath(in)) || sameAsAncestor(real, fi) {
				return fmt.Errorf("%w: output %q lies inside input folder %q", ErrInput, path, in)
			}
			continue
		}
		if outInfo != nil && os.SameFile(outInfo, fi) {
			if path == in {
				return fmt.Errorf("%w file %q", ErrInput, path)
			}
			return fmt.Errorf("%w file %q: output %q is the same file", ErrInput, in, path)
		}
	}
	return nil
}

// CheckDirNotInput fails (wrapping ErrInput) when dir, an output folder that
// is replaced as a whole, is or lies inside an input folder, or contains an
// input.
func CheckDirNotInput(dir string, inputs []string) error {
	real := RealPath(dir)
	dirInfo, _ := os.Stat(dir)
	for _, in := range inputs {
		if in == "" || in == "-" {
			continue
		}
		fi, err := os.Stat(in)
		if err != nil {
			continue
		}
		rin := RealPath(in)
		if fi.IsDir() && (within(real, rin) || sameAsAncestor(real, fi)) {
			return fmt.Errorf("%w: output folder %q lies inside input folder %q", ErrInput, dir, in)
		}
		if within(rin, real) || (dirInfo != nil && sameAsAncestor(rin, dirInfo)) {
			return fmt.Errorf("%w: output folder %q holds input %q", ErrInput, dir, in)
		}
	}
	return nil
}

// SameOutput reports whether two output paths name the same file (through
// links too); "-" is standard output.
func SameOutput(a, b string) bool {
	if a == "-" || b == "-" {
		return a == b
	}
	ta, erra := Resolve(a)
	tb, errb := Resolve(b)
	if erra == nil && errb == nil {
		if ta.Info != nil && tb.Info != nil {
			// Two outputs to /dev/null (any character device) do not clash.
			char := ta.Info.Mode()&fs.ModeCharDevice != 0
			return !char && os.SameFile(ta.Info, tb.Info)
		}
		return RealPath(ta.Path) == RealPath(tb.Path)
	}
	return RealPath(a) == RealPath(b)
}
