//go:build unix

package mapfile

import "os"

// openListed is OpenListedFile's file as an *os.File.
func openListed(path string) (*os.File, error) {
	lf, err := OpenListedFile(path)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(lf.fd), path), nil
}
