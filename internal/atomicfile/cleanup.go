package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// NewFileMode is the mode of a new output file: 0666 minus the umask read at
// start.
func NewFileMode() fs.FileMode { return 0o666 &^ umask }

// NewDirMode is the mode of a new output folder: 0777 minus the umask.
func NewDirMode() fs.FileMode { return 0o777 &^ umask }

var (
	mu          sync.Mutex
	pending     = map[string]bool{}
	interrupted bool
)

var (
	onFirstTemp     func()
	onFirstTempOnce sync.Once
)

// OnFirstTemp makes f run once, just before this process creates its first
// temporary file or folder. The command installs its interrupt handler there:
// until a temporary file exists an interrupt has nothing to remove, and the
// signal's default action ends the process as it ends any Unix tool. A run
// that writes only to standard output or to a device never installs it
// (signal.Notify waits for a new thread: 0.1-0.3 ms of every run).
func OnFirstTemp(f func()) { onFirstTemp = f }

// beforeTemp runs the OnFirstTemp function the first time it is called.
func beforeTemp() {
	onFirstTempOnce.Do(func() {
		if onFirstTemp != nil {
			onFirstTemp()
		}
	})
}

// Track records a temporary file or folder of this process to remove if it
// is interrupted.
func Track(path string) {
	mu.Lock()
	pending[path] = true
	mu.Unlock()
}

// Untrack forgets a temporary file or folder (it was renamed or removed).
func Untrack(path string) {
	mu.Lock()
	delete(pending, path)
	mu.Unlock()
}

// RemovePending removes every tracked temporary file and folder and makes
// later commits fail. The command calls it from its signal handler; it waits
// for a swap in progress to finish, so the output is the old or the new one.
func RemovePending() {
	mu.Lock()
	defer mu.Unlock()
	interrupted = true
	for p := range pending {
		os.RemoveAll(p)
		delete(pending, p)
	}
}

// staleAge is how old a temporary file of a process that is gone must be
// before it is removed (a process of another PID namespace sharing the folder
// may look gone); staleMaxAge removes one whatever its PID (no pystats run
// takes a day).
const (
	staleAge    = time.Minute
	staleMaxAge = 24 * time.Hour
)

// RemoveStale removes the temporary files and folders that killed pystats
// runs left in dir: only names of the form .pystats-tmp-PID-HEX-NAME or
// .pystats-old-PID-HEX-NAME, owned by this user, of a process that no longer
// runs and older than a minute (or older than a day). Errors are ignored.
func RemoveStale(dir string) {
	f, err := os.Open(dir)
	if err != nil {
		return
	}
	names, _ := f.Readdirnames(-1)
	f.Close()
	now := time.Now()
	for _, name := range names {
		pid, ok := ourName(name)
		if !ok || pid == os.Getpid() {
			continue
		}
		p := filepath.Join(dir, name)
		fi, err := os.Lstat(p)
		if err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) || !ownedByUs(fi) {
			continue
		}
		age := now.Sub(fi.ModTime())
		if age > staleMaxAge || (age > staleAge && !alive(pid)) {
			if fi.IsDir() && strings.HasPrefix(name, oldPrefix) {
				// A folder moved aside by a swap that was killed before the
				// new folder went in: put it back if its place is free.
				if orig := origName(name); orig != "" && len(orig) < 160 { // not clipped by tempName
					if _, err := os.Lstat(filepath.Join(dir, orig)); errors.Is(err, fs.ErrNotExist) {
						if os.Rename(p, filepath.Join(dir, orig)) == nil {
							continue
						}
					}
				}
			}
			if fi.IsDir() {
				os.RemoveAll(p)
			} else {
				os.Remove(p)
			}
		}
	}
}

// origName is NAME of .pystats-old-PID-HEX-NAME.
func origName(name string) string {
	parts := strings.SplitN(name, "-", 4) // ".pystats", "old", PID, HEX-NAME
	if len(parts) < 4 {
		return ""
	}
	_, orig, _ := strings.Cut(parts[3], "-")
	return orig
}

// ourName parses the PID of a pystats temporary name.
func ourName(name string) (int, bool) {
	var rest string
	switch {
	case strings.HasPrefix(name, tmpPrefix):
		rest = name[len(tmpPrefix):]
	case strings.HasPrefix(name, oldPrefix):
		rest = name[len(oldPrefix):]
	default:
		return 0, false
	}
	pidStr, rest, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	hexStr, _, ok := strings.Cut(rest, "-")
	if !ok || len(hexStr) != 8 || strings.Trim(hexStr, "0123456789abcdef") != "" {
		return 0, false
	}
	pid, err := strconv.Atoi(pidStr)
	if err != nil || pid <= 0 || strconv.Itoa(pid) != pidStr {
		return 0, false
	}
	return pid, true
}
