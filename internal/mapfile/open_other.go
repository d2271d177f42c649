//go:build !unix

package mapfile

import "os"

func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
