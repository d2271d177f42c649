package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// DirFile is one file of a folder committed as a set.
type DirFile struct {
	// Path is relative to the folder, with forward slashes.
	Path string
	Data []byte
}

// DirOptions tune CommitDir.
type DirOptions struct {
	// Protected are the inputs: the folder must not be, lie inside or hold
	// one of them.
	Protected []string
	// Owned reports whether an existing entry of the folder (its relative
	// path with forward slashes, and whether it is a folder) is one that
	// this kind of output writes. A folder holding anything else is
	// refused; nil accepts only an empty or missing folder.
	Owned func(rel string, isDir bool) bool
}

// hook, when set by tests, is called before each step of a folder commit; an
// error makes the step fail.
var hook func(step string) error

// noExchange, set by tests, makes the swap use the two-rename fallback.
var noExchange bool

func step(name string) error {
	if hook != nil {
		return hook(name)
	}
	return nil
}

// CommitDir replaces the folder dir by one holding exactly files, as a set:
// the files are staged in a temporary folder beside dir, which is then
// swapped with dir (an atomic exchange where the system has one, else dir is
// renamed aside and the new folder renamed in, under the lock that the
// interrupt handler takes), and the old folder is removed. A reader sees the
// old folder or the new one, never a mix; on any error dir is as it was and
// nothing is left behind. A symbolic link to a folder is followed (the link
// stays). An existing folder keeps its mode; a new one gets 0777 minus the
// umask. It returns the relative paths of the old folder's files that the new
// set does not hold (removed by the swap), sorted.
//
// BeginDir does the same for files written one by one, as they are made.
func CommitDir(dir string, files []DirFile, opt DirOptions) (removed []string, err error) {
	s, err := BeginDir(dir, opt)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		w, err := s.Create(f.Path)
		if err == nil {
			_, err = w.Write(f.Data)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				err = fmt.Errorf("writing %q: %w", filepath.Join(dir, filepath.FromSlash(f.Path)), err)
			}
		}
		if err != nil {
			s.Abort()
			return nil, err
		}
	}
	return s.Commit()
}

// A DirStage is a folder commit in progress (see CommitDir): Create adds a
// file to the temporary folder, Commit swaps the folder in, Abort (or a
// failed Commit) removes everything the stage made. Several goroutines may
// call Create at once, so that the file system's work of creating many
// files is spread over cores; Commit and Abort wait for the Creates under
// way.
type DirStage struct {
	dir, real, stage string
	old              os.FileInfo
	mode             fs.FileMode
	made             []string        // parents of a new dir made by BeginDir
	oldFiles         map[string]bool // read-only once BeginDir returns

	// mu is held shared by Create, exclusively by Commit and Abort.
	mu   sync.RWMutex
	done bool

	filesMu  sync.Mutex
	newFiles map[string]bool // the old folder's files written again
}

// BeginDir starts replacing the folder dir (see CommitDir): it checks dir
// against opt and makes the temporary folder.
func BeginDir(dir string, opt DirOptions) (*DirStage, error) {
	if err := NewGuard(opt.Protected).CheckDir(dir); err != nil {
		return nil, err
	}
	real := RealPath(dir)
	if filepath.Dir(real) == real {
		return nil, fmt.Errorf("output folder %q: cannot replace the root folder", dir)
	}
	parent := filepath.Dir(real)
	s := &DirStage{dir: dir, real: real, mode: NewDirMode(), newFiles: map[string]bool{}}
	old, err := os.Stat(real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		made, merr := mkdirParents(parent)
		if merr != nil {
			return nil, fmt.Errorf("output folder %q: %w", dir, merr)
		}
		s.made = made
	case err != nil:
		return nil, fmt.Errorf("output folder %q: %w", dir, err)
	case !old.IsDir():
		return nil, fmt.Errorf("output %q is not a folder", dir)
	default:
		s.old, s.mode = old, old.Mode().Perm()
		s.oldFiles, err = ownedEntries(dir, real, opt.Owned)
		if err != nil {
			return nil, err
		}
	}
	RemoveStale(parent)
	s.stage, err = makeTempDir(parent, filepath.Base(real))
	if err != nil {
		s.Abort()
		return nil, fmt.Errorf("output folder %q: %w", dir, err)
	}
	return s, nil
}

// Create opens a new file of the set (rel: relative, with forward slashes)
// for writing, making its folder in the stage; the caller writes and
// closes it. It is safe for concurrent use. After an error the caller
// aborts the stage (Create does not, so that among concurrent failures each
// caller sees its own error, not the stage's end).
func (s *DirStage) Create(rel string) (*os.File, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.done {
		return nil, fmt.Errorf("output folder %q: commit already finished", s.dir)
	}
	local := filepath.FromSlash(rel)
	if !filepath.IsLocal(local) {
		return nil, fmt.Errorf("output folder %q: file name %q leaves the folder", s.dir, rel)
	}
	// Only what Commit needs is kept (the old files written again), so that
	// memory does not grow with the number of files of a fresh export.
	if s.oldFiles[rel] {
		s.filesMu.Lock()
		s.newFiles[rel] = true
		s.filesMu.Unlock()
	}
	p := filepath.Join(s.stage, local)
	target := filepath.Join(s.dir, local)
	if err := makeFolder(s.stage, filepath.Dir(p)); err != nil {
		return nil, fmt.Errorf("writing %q: %w", target, err)
	}
	if err := step("write"); err != nil {
		return nil, fmt.Errorf("writing %q: %w", target, err)
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, NewFileMode())
	if err != nil {
		return nil, fmt.Errorf("writing %q: %w", target, err)
	}
	// OpenFile's mode is cut by the umask already; Chmod makes it exact.
	if err := f.Chmod(NewFileMode()); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing %q: %w", target, err)
	}
	return f, nil
}

// makeFolder makes folder dir inside stage, and its missing parents up to
// the stage, never the stage itself: one removed by an interrupt while a
// file was being created stays removed (the create fails). One mkdir when
// only dir is missing, as in a partitioned export, where every file has its
// own folder (os.MkdirAll would first look at dir and its parent).
func makeFolder(stage, dir string) error {
	stage = filepath.Clean(stage) // as filepath.Join left dir
	if dir == stage || !strings.HasPrefix(dir, stage+string(filepath.Separator)) {
		return nil
	}
	err := os.Mkdir(dir, NewDirMode())
	if errors.Is(err, fs.ErrNotExist) {
		if err := makeFolder(stage, filepath.Dir(dir)); err != nil {
			return err
		}
		err = os.Mkdir(dir, NewDirMode())
	}
	if err == nil || errors.Is(err, fs.ErrExist) {
		return nil // a file of that name fails the open that follows
	}
	return err
}

// Commit swaps the staged folder in and returns the old folder's files the
// new set does not hold (see CommitDir). It waits for the Creates under way.
func (s *DirStage) Commit() (removed []string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil, fmt.Errorf("output folder %q: commit already finished", s.dir)
	}
	defer s.abort()
	if err := os.Chmod(s.stage, s.mode); err != nil {
		return nil, fmt.Errorf("output folder %q: %w", s.dir, err)
	}
	if err := swapIn(s.stage, s.real, s.old != nil); err != nil {
		return nil, fmt.Errorf("output folder %q: %w", s.dir, err)
	}
	s.made = nil // in use by the new folder
	for rel := range s.oldFiles {
		if !s.newFiles[rel] {
			removed = append(removed, rel)
		}
	}
	sort.Strings(removed)
	return removed, nil
}

// Abort removes the temporary folder (after Commit: the old folder) and the
// parents BeginDir made; it may be called more than once. It waits for the
// Creates under way, and later ones fail.
func (s *DirStage) Abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.abort()
}

// abort is Abort with s.mu held.
func (s *DirStage) abort() {
	if s.done {
		return
	}
	s.done = true
	if s.stage != "" {
		os.RemoveAll(s.stage)
		Untrack(s.stage)
	}
	for i := len(s.made) - 1; i >= 0; i-- {
		os.Remove(s.made[i]) // only when still empty
	}
}

// swapIn puts the complete folder stage at target. With an existing target
// the old folder ends up at stage (to be removed by the caller).
func swapIn(stage, target string, exists bool) error {
	mu.Lock()
	defer mu.Unlock()
	if interrupted {
		return errors.New("interrupted")
	}
	if err := step("swap"); err != nil {
		return err
	}
	if !exists {
		return os.Rename(stage, target)
	}
	if ok, err := exchange(stage, target); ok {
		return err
	}
	// No atomic exchange: move the old folder aside, the new one in, and
	// the old one to stage. The lock keeps the interrupt handler out
	// between the renames.
	aside := filepath.Join(filepath.Dir(target), oldPrefix+strings.TrimPrefix(filepath.Base(stage), tmpPrefix))
	if err := os.Rename(target, aside); err != nil {
		return err
	}
	if err := step("rename-in"); err != nil {
		os.Rename(aside, target)
		return err
	}
	if err := os.Rename(stage, target); err != nil {
		if rerr := os.Rename(aside, target); rerr != nil {
			return fmt.Errorf("%w (and the old folder could not be put back from %q: %v)", err, aside, rerr)
		}
		return err
	}
	if err := os.Rename(aside, stage); err != nil {
		os.RemoveAll(aside)
	}
	return nil
}

// mkdirParents creates dir and its missing parents (0777 minus the umask)
// and returns the folders it made, outermost first.
func mkdirParents(dir string) ([]string, error) {
	var missing []string
	for p := dir; ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil || filepath.Dir(p) == p {
			break
		}
		missing = append(missing, p)
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], NewDirMode()); err != nil && !errors.Is(err, fs.ErrExist) {
			for j := len(made) - 1; j >= 0; j-- {
				os.Remove(made[j])
			}
			return nil, err
		}
		made = append(made, missing[i])
	}
	return made, nil
}

// makeTempDir creates an empty temporary folder for name in dir, tracked for
// removal on interrupt.
func makeTempDir(dir, name string) (string, error) {
	beforeTemp()
	for range 100 {
		p := filepath.Join(dir, tempName(name))
		err := os.Mkdir(p, 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		Track(p)
		return p, nil
	}
	return "", errors.New("cannot create a temporary folder")
}

// ownedEntries lists the regular files of an existing output folder,
// failing when it holds anything that owned does not accept.
func ownedEntries(dir, real string, owned func(string, bool) bool) (map[string]bool, error) {
	files := map[string]bool{}
	err := filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == real {
			return nil
		}
		rel, _ := filepath.Rel(real, p)
		rel = filepath.ToSlash(rel)
		if _, ok := ourName(d.Name()); ok && !strings.Contains(rel, "/") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		isDir := d.IsDir()
		if !(isDir || d.Type().IsRegular()) || owned == nil || !owned(rel, isDir) {
			return fmt.Errorf("output folder %q holds %q, which is not part of a pystats export: refusing to replace the folder (choose an empty or new folder)", dir, rel)
		}
		if !isDir {
			files[rel] = true
		}
		return nil
	})
	if err != nil {
		if strings.Contains(err.Error(), "not part of a pystats export") {
			return nil, err
		}
		return nil, fmt.Errorf("output folder %q: %w", dir, err)
	}
	return files, nil
}
