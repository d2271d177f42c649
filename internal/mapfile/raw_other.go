//go:build !unix

package mapfile

import "os"

// ListedFile is a regular file opened by OpenListedFile.
type ListedFile struct{ *os.File }

// OpenListedFile is OpenListed for a file that is only read, start to end,
// and closed.
func OpenListedFile(path string) (*ListedFile, error) {
	f, _, err := OpenListed(path)
	if err != nil {
		return nil, err
	}
	return &ListedFile{f}, nil
}
