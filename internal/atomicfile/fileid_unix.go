//go:build unix

package atomicfile

import (
	"io/fs"
	"syscall"
)

// fileID is a file's identity: what os.SameFile compares on this system.
type fileID struct{ dev, ino uint64 }

// fileIDOf returns the identity of the file fi describes (from os.Stat or
// os.Lstat); false when fi carries none.
func fileIDOf(fi fs.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st == nil {
		return fileID{}, false
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true
}
