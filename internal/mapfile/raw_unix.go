//go:build unix

package mapfile

import (
	"io"
	"os"
	"syscall"
)

// ListedFile is a regular file opened by OpenListedFile, read and closed
// with plain system calls. An *os.File of a file opened non-blocking is
// first offered to the runtime's network poller (a system call that fails
// for a regular file), carries a finalizer and takes a lock around each
// read; a dump folder's reader opens thousands of files, once each.
type ListedFile struct {
	fd   int
	path string
}

// OpenListedFile opens a file that a directory listing has just shown to be
// regular, for reading start to end and closing: non-blocking, so that a
// FIFO swapped in since cannot hang the open, and refused with a
// *NotRegularError on the open descriptor when it is not a regular file.
func OpenListedFile(path string) (*ListedFile, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		// The mode as os names it, for the error (a rare path).
		f := os.NewFile(uintptr(fd), path)
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return nil, err
		}
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	return &ListedFile{fd: fd, path: path}, nil
}

// Read reads up to len(p) bytes, as (*os.File).Read does: io.EOF at the
// end, an *os.PathError naming the file on failure.
func (f *ListedFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, p)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, &os.PathError{Op: "read", Path: f.path, Err: err}
		}
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

// Close closes the file.
func (f *ListedFile) Close() error {
	if err := syscall.Close(f.fd); err != nil {
		return &os.PathError{Op: "close", Path: f.path, Err: err}
	}
	return nil
}
