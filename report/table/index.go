package table

import "fmt"

// MaxDenseIndex bounds the numbers that renderers use as positions in a
// table built by index: numeric opcodes (one byte in CPython, so below 256)
// and GC generations (3 or 4). The summarizer grows a list up to the number
// it reads, which on a garbage key such as GC[17111111111] never ends;
// pystats stops with an error instead.
const MaxDenseIndex = 1 << 12

// ErrDenseIndex reports a table index out of range.
func ErrDenseIndex(report, what string, n int) error {
	return fmt.Errorf("%s report: %s %d out of range (0-%d): not CPython pystats data", report, what, n, MaxDenseIndex-1)
}
