// Package atomicfile writes outputs the way careful Unix tools do (sort -o,
// install, rsync): a regular file is replaced atomically through a temporary
// file in the same directory, renamed over the target only when complete, so
// a failure or an interrupt never leaves half a file behind; a target that is
// not a regular file (a character device such as /dev/null, a FIFO, a socket,
// /dev/stdout or /proc/self/fd/N) is written to directly and never replaced;
// a symbolic link is written through (its target file is replaced, the link
// stays). A replaced file keeps its permission bits (and, where allowed, its
// owner); a new file gets 0666 minus the umask. A read-only file (no owner
// write bit) is refused, as cp and sort -o refuse it for an ordinary user,
// even when running as root. Inputs are never written: Write refuses any
// target that is, or lies inside, one of the protected paths.
//
// Temporary files and folders are named .pystats-tmp-PID-RANDOM-NAME; the
// ones a killed run left behind are removed by the next run that writes in
// the same folder (see RemoveStale). Commit and CommitDir hold a lock that
// the interrupt handler (RemovePending) takes too, so a signal arriving
// during a swap waits for it: a reader sees the old output or the new one.
package atomicfile

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tmpPrefix starts the name of every temporary file or folder of pystats.
const tmpPrefix = ".pystats-tmp-"

// oldPrefix starts the name of an export folder moved aside during a swap.
const oldPrefix = ".pystats-old-"

// Target is what writing a path resolves to.
type Target struct {
	// Path is the file to create or replace (symbolic links resolved).
	Path string
	// Info describes the existing file, nil when there is none.
	Info fs.FileInfo
	// Direct is set when the file is written to in place: it exists and is
	// not a regular file, or it is reached through /proc or /dev/fd.
	Direct bool
}

// Resolve finds what writing path means: symbolic links are followed to the
// final name (which may not exist yet). It fails for a directory.
func Resolve(path string) (Target, error) {
	p := path
	direct := false
	for hops := 0; ; hops++ {
		if hops > 40 {
			return Target{}, fmt.Errorf("output %q: too many levels of symbolic links", path)
		}
		if magicPath(p) {
			direct = true
		}
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			// A new file; its folder must exist.
			if _, derr := os.Stat(filepath.Dir(p)); derr != nil {
				return Target{}, fmt.Errorf("output %q: %w", path, derr)
			}
			return Target{Path: p}, nil
		}
		if err != nil {
			return Target{}, fmt.Errorf("output %q: %w", path, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if fi.IsDir() {
				return Target{}, fmt.Errorf("output %q is a directory", path)
			}
			return Target{Path: p, Info: fi, Direct: direct || !fi.Mode().IsRegular()}, nil
		}
		if direct {
			// A /proc or /dev/fd link may name a pipe or a deleted file that
			// no path reaches: open it as it is.
			fi, err := os.Stat(p)
			if err != nil {
				return Target{}, fmt.Errorf("output %q: %w", path, err)
			}
			if fi.IsDir() {
				return Target{}, fmt.Errorf("output %q is a directory", path)
			}
			return Target{Path: p, Info: fi, Direct: true}, nil
		}
		link, err := os.Readlink(p)
		if err != nil {
			return Target{}, fmt.Errorf("output %q: %w", path, err)
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(p), link)
		}
		p = link
	}
}

// magicPath reports whether p lies in /proc or /dev/fd, whose links name open
// files rather than paths.
func magicPath(p string) bool {
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	return strings.HasPrefix(abs, "/proc/") || strings.HasPrefix(abs, "/dev/fd/")
}

// Write writes the bytes that fill produces to path (see the package
// comment). It refuses to write what the guard protects (the command's
// inputs; nil protects nothing). On error the temporary file is removed and
// path is left as it was.
func Write(path string, guard *Guard, fill func(w io.Writer) error) error {
	s, err := Stage(path, guard, fill)
	if err != nil {
		return err
	}
	return s.Commit()
}

// A Staged output is complete but not yet in place (see Stage): Commit puts
// it there, Abort drops it. One of them must be called.
type Staged struct {
	path, tmp, target string
	direct            *Target      // written in place at Commit
	buf               bytes.Buffer // what a direct target gets
}

// Stage does what Write does up to the last step: the bytes that fill
// produces go to a temporary file beside path (for a device, FIFO or /proc
// link, which are written in place, to memory), so that several outputs can
// be made, each streamed to disk, before any of them replaces a file. On
// error nothing is left behind.
func Stage(path string, guard *Guard, fill func(w io.Writer) error) (*Staged, error) {
	if err := guard.Check(path); err != nil {
		return nil, err
	}
	t, err := Resolve(path)
	if err != nil {
		return nil, err
	}
	if t.Direct {
		s := &Staged{path: path, direct: &t}
		if err := fill(&s.buf); err != nil {
			return nil, fmt.Errorf("writing %q: %w", path, err)
		}
		return s, nil
	}
	if err := checkWritable(path, t.Info); err != nil {
		return nil, err
	}
	dir := filepath.Dir(t.Path)
	RemoveStale(dir)
	tmp, err := createTemp(dir, filepath.Base(t.Path))
	if err != nil {
		return nil, fmt.Errorf("writing %q: %w", path, err)
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
			Untrack(name)
		}
	}()
	if err := fill(tmp); err != nil {
		return nil, fmt.Errorf("writing %q: %w", path, err)
	}
	if err := step("write"); err != nil {
		return nil, fmt.Errorf("writing %q: %w", path, err)
	}
	if err := setMode(tmp, t.Info); err != nil {
		return nil, fmt.Errorf("writing %q: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("writing %q: %w", path, err)
	}
	ok = true
	return &Staged{path: path, tmp: name, target: t.Path}, nil
}

// Commit renames the staged file over its target (or writes a direct
// target). On error the temporary file is removed.
func (s *Staged) Commit() error {
	if s.direct != nil {
		return writeDirect(s.path, *s.direct, func(w io.Writer) error { _, err := w.Write(s.buf.Bytes()); return err })
	}
	defer Untrack(s.tmp)
	if err := commitRename(s.tmp, s.target); err != nil {
		os.Remove(s.tmp)
		return fmt.Errorf("writing %q: %w", s.path, err)
	}
	return nil
}

// Abort removes the staged file; its target is left as it was.
func (s *Staged) Abort() {
	if s.direct != nil {
		return
	}
	os.Remove(s.tmp)
	Untrack(s.tmp)
}

// writeDirect writes to a device, FIFO or /proc link in place. The bytes are
// produced first, so a failing fill sends nothing.
func writeDirect(path string, t Target, fill func(w io.Writer) error) error {
	var buf bytes.Buffer
	if err := fill(&buf); err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	flag := os.O_WRONLY
	if t.Info != nil && t.Info.Mode().IsRegular() {
		flag |= os.O_APPEND // an fd link to a file: continue where the shell's redirection is
	}
	f, err := os.OpenFile(t.Path, flag, 0)
	if err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	_, werr := f.Write(buf.Bytes())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("writing %q: %w", path, werr)
	}
	return nil
}

// checkWritable refuses to replace a file without an owner write bit.
func checkWritable(path string, fi fs.FileInfo) error {
	if fi != nil && fi.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("output %q is read-only (mode %04o): not replaced; make it writable or remove it first", path, fi.Mode().Perm())
	}
	return nil
}

// setMode gives a temporary file the mode of the file it replaces, else
// 0666 minus the umask; a replaced file's owner is kept where allowed.
func setMode(f *os.File, old fs.FileInfo) error {
	mode := NewFileMode()
	if old != nil {
		mode = old.Mode().Perm()
		keepOwner(f, old)
	}
	return f.Chmod(mode)
}

// createTemp makes an empty temporary file for name in dir, tracked for
// removal on interrupt.
func createTemp(dir, name string) (*os.File, error) {
	beforeTemp()
	for range 100 {
		p := filepath.Join(dir, tempName(name))
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		Track(p)
		return f, nil
	}
	return nil, errors.New("cannot create a temporary file")
}

// tempName is .pystats-tmp-PID-RANDOM-NAME (NAME clipped so the whole stays
// within common file name limits).
func tempName(name string) string {
	var r [4]byte
	rand.Read(r[:])
	if len(name) > 160 {
		name = name[:160]
	}
	return tmpPrefix + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(r[:]) + "-" + name
}

// commitRename renames a complete temporary file over its target, under the
// lock that the interrupt handler takes.
func commitRename(tmp, target string) error {
	mu.Lock()
	defer mu.Unlock()
	if interrupted {
		return errors.New("interrupted")
	}
	return os.Rename(tmp, target)
}
