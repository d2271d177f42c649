//go:build !unix

package mapfile

import "os"

// ListedFile is a regular file opened by OpenListedFile.
type ListedFile struct{ *os.File }

// OpenListedFile opens a file that a directory listing has just shown to be
// regular, refusing it on the open descriptor when it is not, for reading
// start to end and closing.
func OpenListedFile(path string) (*ListedFile, error) {
	f, err := openListed(path)
	if err != nil {
		return nil, err
	}
	return &ListedFile{f}, nil
}
