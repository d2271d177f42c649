//go:build unix

package atomicfile

import (
	"io/fs"
	"os"
	"syscall"
)

// umask is the process's file mode creation mask, read once at start.
var umask = func() fs.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return fs.FileMode(m) & fs.ModePerm
}()

// keepOwner gives f the owner and group of old where the process may (as
// root, or the group when the user is a member); errors are ignored.
func keepOwner(f *os.File, old fs.FileInfo) {
	if st, ok := old.Sys().(*syscall.Stat_t); ok {
		if st.Uid != uint32(os.Geteuid()) || st.Gid != uint32(os.Getegid()) {
			f.Chown(int(st.Uid), int(st.Gid))
		}
	}
}

// alive reports whether a process with this id exists (it may be another
// program: callers combine it with an age limit).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// ownedByUs reports whether fi belongs to the effective user.
func ownedByUs(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || st.Uid == uint32(os.Geteuid())
}
