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

// Guard is the set of files and folders a run reads, looked at once, so
// that every output can be checked against thousands of them cheaply.
type Guard struct {
	ins []guardIn
}

type guardIn struct {
	name string
	dir  bool
	// id identifies the file (links followed) where the system gives an
	// identity (fileIDOf: device and inode); info is kept only where not.
	// An index of thousands of inputs holds 16 bytes each instead of a
	// file info (over 200).
	id   fileID
	info fs.FileInfo
	// real is the real path; "" for a plain (not linked) entry of an input
	// folder, which that folder's own entry covers.
	real string
}

// newGuardIn is the entry of input name whose file info (links followed)
// is fi.
func newGuardIn(name string, fi fs.FileInfo) guardIn {
	e := guardIn{name: name, dir: fi.IsDir()}
	if id, ok := fileIDOf(fi); ok {
		e.id = id
	} else {
		e.info = fi
	}
	return e
}

// same reports whether fi is the entry's file, as os.SameFile does.
func (e *guardIn) same(fi fs.FileInfo) bool {
	if fi == nil {
		return false
	}
	if e.info != nil {
		return os.SameFile(e.info, fi)
	}
	id, ok := fileIDOf(fi)
	return ok && id == e.id
}

// sameAny reports whether one of infos is the entry's file.
func (e *guardIn) sameAny(infos []fs.FileInfo) bool {
	for _, fi := range infos {
		if e.same(fi) {
			return true
		}
	}
	return false
}

// NewGuard looks at inputs (files or folders; "" and "-" are skipped, as
// are paths that do not exist). A folder stands for everything inside it.
func NewGuard(inputs []string) *Guard {
	g := &Guard{}
	dirs := map[string]bool{}
	for _, in := range inputs {
		if in == "" || in == "-" {
			continue
		}
		lfi, err := os.Lstat(in)
		if err != nil {
			continue
		}
		fi := lfi
		link := lfi.Mode()&fs.ModeSymlink != 0
		if link {
			if fi, err = os.Stat(in); err != nil {
				continue
			}
		}
		clean := filepath.Clean(in)
		e := newGuardIn(in, fi)
		if link || !dirs[filepath.Dir(clean)] {
			e.real = RealPath(in)
		}
		if fi.IsDir() {
			dirs[clean] = true
		}
		g.ins = append(g.ins, e)
	}
	return g
}

// ancestors are the file infos of p (when it exists), its folder, that
// folder's folder, up to the root.
func ancestors(p string) []fs.FileInfo {
	var out []fs.FileInfo
	for cur := p; ; cur = filepath.Dir(cur) {
		if fi, err := os.Stat(cur); err == nil {
			out = append(out, fi)
		}
		if filepath.Dir(cur) == cur {
			return out
		}
	}
}

// insideDir reports whether the real path p, whose ancestors are anc, is
// or lies inside the input folder e (by real path, or by identity of a
// folder on the way, which catches bind mounts and other aliases).
func (e *guardIn) insideDir(p string, anc []fs.FileInfo) bool {
	return e.dir && ((e.real != "" && within(p, e.real)) || e.sameAny(anc))
}

// Check fails (wrapping ErrInput) when writing path would write an input:
// path names the same file as an input file (through links too), or lies
// inside an input folder. A nil Guard accepts everything.
func (g *Guard) Check(path string) error {
	if g == nil || len(g.ins) == 0 {
		return nil
	}
	target := path
	if t, err := Resolve(path); err == nil {
		target = t.Path
	}
	real := RealPath(target)
	outInfo, _ := os.Stat(target)
	anc := ancestors(real)
	for i := range g.ins {
		e := &g.ins[i]
		if e.insideDir(real, anc) {
			return fmt.Errorf("%w: output %q lies inside input folder %q", ErrInput, path, e.name)
		}
		if !e.dir && e.same(outInfo) {
			if path == e.name {
				return fmt.Errorf("%w file %q", ErrInput, path)
			}
			return fmt.Errorf("%w file %q: output %q is the same file", ErrInput, e.name, path)
		}
	}
	return nil
}

// CheckDir fails (wrapping ErrInput) when dir, an output folder that is
// replaced as a whole, is or lies inside an input folder, or holds an input.
func (g *Guard) CheckDir(dir string) error {
	if g == nil || len(g.ins) == 0 {
		return nil
	}
	real := RealPath(dir)
	anc := ancestors(real)
	for i := range g.ins {
		e := &g.ins[i]
		if e.insideDir(real, anc) {
			return fmt.Errorf("%w: output folder %q lies inside input folder %q", ErrInput, dir, e.name)
		}
		if e.real != "" && within(e.real, real) {
			return fmt.Errorf("%w: output folder %q holds input %q", ErrInput, dir, e.name)
		}
	}
	return nil
}

// CheckNotInput is NewGuard(inputs).Check(path).
func CheckNotInput(path string, inputs []string) error { return NewGuard(inputs).Check(path) }

// CheckDirNotInput is NewGuard(inputs).CheckDir(dir).
func CheckDirNotInput(dir string, inputs []string) error {
	return NewGuard(inputs).CheckDir(dir)
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
