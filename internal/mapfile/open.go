package mapfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// ErrNotRegular is wrapped by the error for an input that is not a regular
// file (a FIFO, a device, a socket): such files can block forever or never
// end, so they are refused before they are opened for reading.
var ErrNotRegular = errors.New("not a regular file")

// NotRegularError is the error for a path that is not a regular file.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s: not a regular file (%s): pystats reads regular files, folders and standard input (-) only", QuoteName(e.Path), DescribeMode(e.Mode))
}

// Unwrap makes errors.Is(err, ErrNotRegular) hold.
func (e *NotRegularError) Unwrap() error { return ErrNotRegular }

// DescribeMode names the type of a file mode ("a named pipe (FIFO)").
func DescribeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "a special file"
}

// QuoteName returns a file name as it should appear in a message: as is when
// it prints as itself, else quoted as Go's %q does (control characters,
// quotes, backslashes, spaces, invalid UTF-8), so that an escape sequence in
// a name cannot reach the terminal.
func QuoteName(name string) string {
	q := strconv.Quote(name)
	if len(q) == len(name)+2 && !strings.ContainsAny(name, " \\\"") {
		return name
	}
	return q
}

// OpenRegular opens a regular file for reading. Anything else is refused
// with a *NotRegularError before it could block: the path is stat'ed first,
// then opened non-blocking (so that a FIFO swapped in meanwhile cannot hang
// the open) and checked again on the open descriptor.
func OpenRegular(path string) (*os.File, fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	return OpenListed(path)
}

// OpenListed is OpenRegular for a path that a directory listing (or a stat)
// has just shown to be a regular file: that look takes the place of
// OpenRegular's stat before the open (a file swapped in since is refused on
// the open descriptor, as OpenRegular refuses one swapped in after its
// stat), which saves a path lookup per file of a dump folder. The open and
// the check are OpenListedFile's.
func OpenListed(path string) (*os.File, fs.FileInfo, error) {
	f, err := openListed(path)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// TooLargeError is the error for a file (or its decompressed content) larger
// than a reader's documented cap.
type TooLargeError struct {
	Path  string
	Limit int64
	What  string // "JSON file", "decompressed JSON", ...
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: %s larger than %d MiB, the most pystats reads into memory", QuoteName(e.Path), e.What, e.Limit>>20)
}

// ReadFile reads a whole regular file of at most limit bytes (refusing
// FIFOs, devices and larger files).
func ReadFile(path string, limit int64) ([]byte, error) {
	f, fi, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > limit {
		return nil, &TooLargeError{Path: path, Limit: limit, What: "file"}
	}
	data, err := ReadInto(f, fi.Size(), nil)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", QuoteName(path), err)
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit, What: "file"}
	}
	return data, nil
}

// ReadAllLimit reads r to its end (so that a decompressor checks its
// trailer) into memory, failing with a *TooLargeError naming path once more
// than limit bytes come.
//
// The bytes are gathered in 1 MiB chunks and joined once at the end, so a
// stream that runs over the limit costs at most limit bytes of memory, and
// one that fits costs twice its size at the peak, never the sum of ever
// larger copies.
func ReadAllLimit(path, what string, r io.Reader, limit int64) ([]byte, error) {
	const chunk = 1 << 20
	var chunks [][]byte
	var total int64
	for {
		c := make([]byte, min(chunk, limit+1-total))
		n, err := io.ReadFull(r, c)
		total += int64(n)
		if n > 0 {
			chunks = append(chunks, c[:n])
		}
		if total > limit {
			return nil, &TooLargeError{Path: path, Limit: limit, What: what}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if total == limit {
			// One more byte would be too many: look for it.
			var one [1]byte
			if m, _ := io.ReadFull(r, one[:]); m > 0 {
				return nil, &TooLargeError{Path: path, Limit: limit, What: what}
			}
			break
		}
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}
