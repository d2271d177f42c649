// Package chunks holds output that must be complete before any of it is
// written (a report that fails half-way writes nothing).
package chunks

import (
	"bytes"
	"io"
)

// Buffer keeps what is written to it as a list of copies, in order: each
// byte is copied once on its way in, never again to grow a buffer, which
// for a report of several hundred KiB written through a 64 KiB bufio.Writer
// saves the copies and zeroing of a doubling bytes.Buffer. The zero value is
// empty and ready to use.
type Buffer struct {
	parts [][]byte
	n     int64
}

// Write keeps a copy of p; it never fails.
func (b *Buffer) Write(p []byte) (int, error) {
	if len(p) > 0 {
		b.parts = append(b.parts, bytes.Clone(p))
		b.n += int64(len(p))
	}
	return len(p), nil
}

// Len is the number of bytes kept.
func (b *Buffer) Len() int64 { return b.n }

// WriteTo writes the kept bytes to w in order and returns how many it wrote
// and the first error. The bytes stay kept. A *Buffer as w takes them
// without a copy (kept bytes are never changed): a report held by its
// writer until complete, then by the command until every output is, is
// copied once, not twice.
func (b *Buffer) WriteTo(w io.Writer) (int64, error) {
	if c, ok := w.(*Buffer); ok && c != b {
		c.parts = append(c.parts, b.parts...)
		c.n += b.n
		return b.n, nil
	}
	var total int64
	for _, p := range b.parts {
		n, err := w.Write(p)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
