package pystats

import (
	"bytes"
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// MaxKeyLength bounds the length of one counter key. CPython's longest keys are
// under 100 bytes; a longer "key" means the file is not a stats dump.
const MaxKeyLength = 4096

// A Warning is a problem in the input that the summarizer would skip over
// (it prints "Unparsable line" and goes on). With strict reading it is an error.
type Warning struct {
	File string // file name as given, or archive member
	Line int    // 1-based line number; 0 when the warning is about the whole file
	Msg  string
}

// String formats the warning as "file:line: msg" (or "file: msg").
func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg)
	}
	return fmt.Sprintf("%s: %s", w.File, w.Msg)
}

// A ParseError is a fatal problem at one place of the input: a value that is
// not an unsigned decimal integer, a sum that overflows uint64, bytes that are
// not text. It prints as "file:line: msg".
type ParseError struct {
	File string
	Line int
	Msg  string
}

// Error formats the error as "file:line: msg" (or "file: msg").
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// slot is one distinct key of an aggregator.
type slot struct {
	key       string
	value     uint64
	firstFile int32 // order index of the file where the key was first seen
	firstLine int32 // line number there
	lastFile  int32 // last file that added to the key, to spot duplicate keys in a file
	next      int32 // the slot whose key followed this one last time, or -1
}

// aggregator sums counters of dump files. Its size depends on the number of
// distinct keys only. One aggregator is owned by one goroutine.
type aggregator struct {
	// first is the slot of the first key of the last file, or -1. With next
	// it predicts each line's key: dumps of one build print their keys in
	// nearly the same order, so most lookups are one byte comparison.
	first    int32
	index    map[string]int32
	slots    []slot
	warnings []Warning
	lines    int64
	bytes    int64
	files    int
	// generalOnly turns the fast path off (tests compare the two paths).
	generalOnly bool
}

// expectedKeys sizes an aggregator's tables: one dump of a 3.13 test-suite
// process has about 2,500 keys, a whole run about 6,000.
const expectedKeys = 4096

func newAggregator() *aggregator {
	return &aggregator{index: make(map[string]int32, expectedKeys), slots: make([]slot, 0, expectedKeys), first: -1}
}

// asciiSpace reports the bytes Python's str.strip removes that can occur in a
// dump (ASCII whitespace).
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && asciiSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && asciiSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// parseUint parses an unsigned decimal integer without allocating.
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		hi, lo := bits.Mul64(v, 10)
		if hi != 0 {
			return 0, false
		}
		lo, carry := bits.Add64(lo, uint64(c-'0'), 0)
		if carry != 0 {
			return 0, false
		}
		v = lo
	}
	return v, true
}

// addFile parses one dump file's bytes and adds its counters. fileOrder is the
// file's position in the input, which decides the first-seen key order.
// Unparsable lines become warnings; values that are not integers, sums that
// overflow and binary content are errors.
func (a *aggregator) addFile(name string, fileOrder int, data []byte) error {
	a.files++
	a.bytes += int64(len(data))
	if bytes.IndexByte(data, 0) >= 0 {
		return &ParseError{File: name, Line: lineOf(data, bytes.IndexByte(data, 0)), Msg: "binary data (NUL byte): not a pystats dump"}
	}
	if !utf8.Valid(data) {
		return &ParseError{File: name, Line: firstInvalidUTF8Line(data), Msg: "invalid UTF-8: not a pystats dump"}
	}
	fo := int32(fileOrder)
	lineNo := 0
	prev := int32(-1)
	for len(data) > 0 {
		lineNo++
		// Fast path: the shape CPython writes, "key : digits\n", with no
		// other colon, no leading space and no "uops[X" to rename. Anything
		// else goes the general way below, which gives the same result.
		if key, val, rest, ok := splitCanonical(data); ok && !a.generalOnly {
			a.lines++
			var err error
			if prev, err = a.add(name, fo, int32(lineNo), prev, key, val); err != nil {
				return err
			}
			data = rest
			continue
		}
		var line []byte
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			line, data = data, nil
			a.warnings = append(a.warnings, Warning{File: name, Line: lineNo, Msg: "last line has no newline (truncated dump?)"})
		} else {
			line, data = data[:nl], data[nl+1:]
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 || bytes.IndexByte(line[colon+1:], ':') >= 0 {
			a.warnings = append(a.warnings, Warning{File: name, Line: lineNo, Msg: fmt.Sprintf("unparsable line %q: want exactly one ':'", clip(line))})
			continue
		}
		rawKey := line[:colon]
		key := trimSpace(rawKey)
		if len(key) == 0 {
			a.warnings = append(a.warnings, Warning{File: name, Line: lineNo, Msg: fmt.Sprintf("unparsable line %q: empty key", clip(line))})
			continue
		}
		if len(key) > MaxKeyLength {
			return &ParseError{File: name, Line: lineNo, Msg: fmt.Sprintf("key of %d bytes (longest allowed %d): not a pystats dump", len(key), MaxKeyLength)}
		}
		val, ok := parseUint(trimSpace(line[colon+1:]))
		if !ok {
			return &ParseError{File: name, Line: lineNo, Msg: fmt.Sprintf("value of %q is not an unsigned 64-bit decimal integer: %q", key, clip(trimSpace(line[colon+1:])))}
		}
		// The summarizer's compatibility hack: uops[X -> uops[_X (checked on the unstripped key).
		if bytes.HasPrefix(rawKey, []byte("uops[")) && (len(rawKey) < 6 || rawKey[5] != '_') {
			key = append([]byte("uops[_"), key[len("uops["):]...)
		}
		a.lines++
		var err error
		if prev, err = a.add(name, fo, int32(lineNo), prev, key, val); err != nil {
			return err
		}
	}
	return nil
}

// predictSteps is how far add follows the chain of keys that followed each
// other last time before it hashes the key. Dumps leave out zero counters,
// so a process that skipped an opcode skips a link or two: on a 3.13 test
// suite run one step finds 83% of the keys, four steps 94%.
const predictSteps = 4

// splitCanonical splits the first line of data when it has the exact shape
// CPython prints, "key : value\n": a key that starts with a letter or '_',
// is not a "uops[" key and holds no newline, then " : ", then 1 to 19 digits
// (which cannot overflow uint64) and a newline. ok is false for any other
// line, which the caller parses the general way.
func splitCanonical(data []byte) (key []byte, val uint64, rest []byte, ok bool) {
	if len(data) == 0 || asciiSpace(data[0]) {
		return nil, 0, nil, false
	}
	colon := bytes.IndexByte(data, ':')
	if colon < 2 || data[colon-1] != ' ' || colon+2 >= len(data) || data[colon+1] != ' ' {
		return nil, 0, nil, false
	}
	key = data[:colon-1]
	if asciiSpace(key[len(key)-1]) || bytes.IndexByte(key, '\n') >= 0 ||
		(len(key) >= 5 && string(key[:5]) == "uops[") || len(key) > MaxKeyLength {
		return nil, 0, nil, false
	}
	i := colon + 2
	start := i
	for i < len(data) && i-start < 20 {
		c := data[i]
		if c < '0' || c > '9' {
			break
		}
		val = val*10 + uint64(c-'0')
		i++
	}
	if n := i - start; n == 0 || n > 19 || i >= len(data) || data[i] != '\n' {
		return nil, 0, nil, false
	}
	return key, val, data[i+1:], true
}

// add adds val to key and returns the key's slot. prev is the slot of the
// line before (-1 at the start of a file); the keys that followed it last
// time are tried first. The map lookup with string(key) does not allocate.
func (a *aggregator) add(file string, fileOrder, line, prev int32, key []byte, val uint64) (int32, error) {
	guess := a.first
	if prev >= 0 {
		guess = a.slots[prev].next
	}
	i := int32(-1)
	for step := 0; guess >= 0 && step < predictSteps; step++ {
		if a.slots[guess].key == string(key) {
			i = guess
			break
		}
		guess = a.slots[guess].next
	}
	if i < 0 {
		var ok bool
		i, ok = a.index[string(key)]
		if !ok {
			k := string(key)
			i = int32(len(a.slots))
			a.index[k] = i
			a.slots = append(a.slots, slot{key: k, value: val, firstFile: fileOrder, firstLine: line, lastFile: fileOrder, next: -1})
			a.link(prev, i)
			return i, nil
		}
		a.link(prev, i)
	}
	s := &a.slots[i]
	if s.lastFile == fileOrder {
		a.warnings = append(a.warnings, Warning{File: file, Line: int(line), Msg: fmt.Sprintf("key %q occurs twice in this file (values are summed, as the summarizer does)", s.key)})
	}
	s.lastFile = fileOrder
	sum, carry := bits.Add64(s.value, val, 0)
	if carry != 0 {
		return i, &ParseError{File: file, Line: int(line), Msg: fmt.Sprintf("sum of %q overflows uint64 (%d + %d)", s.key, s.value, val)}
	}
	s.value = sum
	return i, nil
}

// link records that slot i followed slot prev (or started a file).
func (a *aggregator) link(prev, i int32) {
	if prev >= 0 {
		a.slots[prev].next = i
	} else {
		a.first = i
	}
}

// merge adds b's counters into a. Keys keep the earliest first-seen position.
func (a *aggregator) merge(b *aggregator) error {
	for _, bs := range b.slots {
		i, ok := a.index[bs.key]
		if !ok {
			a.index[bs.key] = int32(len(a.slots))
			bs.next = -1 // b's slot numbers mean nothing here
			a.slots = append(a.slots, bs)
			continue
		}
		s := &a.slots[i]
		sum, carry := bits.Add64(s.value, bs.value, 0)
		if carry != 0 {
			return fmt.Errorf("sum of %q over all files overflows uint64 (%d + %d)", s.key, s.value, bs.value)
		}
		s.value = sum
		if bs.firstFile < s.firstFile || (bs.firstFile == s.firstFile && bs.firstLine < s.firstLine) {
			s.firstFile, s.firstLine = bs.firstFile, bs.firstLine
		}
	}
	a.warnings = append(a.warnings, b.warnings...)
	a.lines += b.lines
	a.bytes += b.bytes
	a.files += b.files
	return nil
}

func clip(b []byte) string {
	const max = 80
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

func lineOf(data []byte, off int) int {
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

func firstInvalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}
