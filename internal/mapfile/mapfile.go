// Package mapfile reads whole input files for parsers that look at every
// byte once. Large regular files are mapped into memory read-only instead of
// copied into a fresh buffer: the copy's page faults cost more than the
// parse on some virtual machines (about 18 µs per 4 KiB page measured on the
// project's 2-core VMs), while a mapping of cached file pages faults once per
// 16 pages or more.
package mapfile

import (
	"fmt"
	"io"
	"os"
	"unsafe"
)

// minMapSize is the size from which mapping pays: below it one read into a
// small buffer is as cheap.
const minMapSize = 256 << 10

// Read returns the contents of path and a function that releases them. The
// bytes must not be used, nor kept in part, after release. Mapped bytes are
// read-only; the file is never modified.
//
// A mapped file that shrinks while it is read would fault; Read's caller runs
// the parse through Guard, which turns that fault into an error.
//
// Only regular files are read: others are refused by OpenRegular.
func Read(path string) (data []byte, release func(), err error) {
	f, fi, err := OpenRegular(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if fi.Size() >= minMapSize && int64(int(fi.Size())) == fi.Size() {
		if data, release, err := mapFile(f, int(fi.Size())); err == nil {
			return data, release, nil
		}
		// Fall back to reading (a file system without mmap support).
	}
	data, err = ReadInto(f, fi.Size(), nil)
	if err != nil {
		return nil, nil, err
	}
	return data, func() {}, nil
}

// ReadInto reads f to its end into buf, which it reuses when the file (of
// size bytes, a hint) fits and otherwise replaces by one at least twice as
// large, so that a caller reading many files touches fresh memory rarely.
func ReadInto(f *os.File, size int64, buf []byte) ([]byte, error) {
	buf = buf[:0]
	if int64(cap(buf)) < size+1 {
		buf = make([]byte, 0, max(size+512, 2*int64(cap(buf))))
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// Guard runs parse over the bytes of path and returns its error. A fault in
// reading the mapped bytes (the file was truncated under us) becomes an error
// naming the file instead of a crash; any other panic, a fault elsewhere
// included, goes on.
func Guard(path string, parse func(data []byte) error) (err error) {
	data, release, err := Read(path)
	if err != nil {
		return err
	}
	defer release()
	restore := panicOnFault()
	defer restore()
	defer func() {
		if r := recover(); r != nil {
			if addr, ok := faultAddr(r); ok && len(data) > 0 && within(addr, data) {
				err = fmt.Errorf("%s: the file changed while it was read", path)
				return
			}
			panic(r)
		}
	}()
	return parse(data)
}

// within reports whether addr points into b.
func within(addr uintptr, b []byte) bool {
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return addr >= start && addr-start < uintptr(len(b))
}
