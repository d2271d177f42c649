//go:build !unix

package atomicfile

import "io/fs"

// fileID is unused where os.SameFile needs more than a file info's Sys
// value gives: the Guard keeps file infos there.
type fileID struct{}

// fileIDOf returns false: the Guard compares file infos with os.SameFile.
func fileIDOf(fs.FileInfo) (fileID, bool) { return fileID{}, false }
