package pystats

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pystats-dev/pystats/internal/mapfile"
)

// MaxKeys bounds the distinct keys of one input: CPython's runs have at most
// about 9,000 (opcode pairs and Tier-2 uops included); far more means the
// input is not pystats data, and the key table is what memory grows with.
const MaxKeys = 1 << 16

// MaxKeyLength bounds the length of one counter key. CPython's longest keys are
// under 100 bytes; a longer "key" means the file is not a stats dump.
const MaxKeyLength = 4096

// A Warning is a problem in the input that the summarizer would skip over
// (it prints "Unparsable line" and goes on). With strict reading it is an error.
//
// Of each kind of warning an input keeps the first MaxWarningsPerKind; the
// rest are counted, per file, in one summary warning each (Line 0, Msg
// "... and N more lines like this"), so that memory does not grow with the
// number of bad lines.
type Warning struct {
	File string // file name as given, or archive member; "" for a summary over many files
	Line int    // 1-based line number; 0 when the warning is about the whole file
	Msg  string
}

// String formats the warning as "file:line: msg" (or "file: msg"). A file
// name that would not print as itself (control characters, quotes, spaces,
// invalid UTF-8) is quoted as Go's %q does.
func (w Warning) String() string {
	switch {
	case w.File == "":
		return w.Msg
	case w.Line > 0:
		return fmt.Sprintf("%s:%d: %s", QuoteName(w.File), w.Line, w.Msg)
	}
	return fmt.Sprintf("%s: %s", QuoteName(w.File), w.Msg)
}

// QuoteName returns a file name as it should appear in a message: as is when
// it prints as itself, else quoted as Go's %q does (so that an escape
// sequence in a name cannot reach the terminal).
func QuoteName(name string) string { return mapfile.QuoteName(name) }

// A ParseError is a fatal problem at one place of the input: a value that is
// not an unsigned decimal integer, a sum that overflows uint64, bytes that are
// not text. It prints as "file:line: msg".
type ParseError struct {
	File string
	Line int
	Msg  string
}

// Error formats the error as "file:line: msg" (or "file: msg"), the file
// name quoted as Warning.String does.
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", QuoteName(e.File), e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", QuoteName(e.File), e.Msg)
}

// slot is one distinct key of an aggregator.
type slot struct {
	// pat is the key followed by " : ", the start of the line CPython
	// prints for it; name() is the key.
	pat       string
	value     uint64
	firstFile int32 // order index of the file where the key was first seen
	firstLine int32 // line number there
	lastFile  int32 // last file that added to the key, to spot duplicate keys in a file
	// next holds the slots of the last four different keys that followed
	// this one, the latest first (-1: none): dumps of one build print their
	// keys in the same order, leaving out zero counters, so one of them is
	// nearly always the next line's key (of the 442,564 lines of the LARGE
	// 3.13 test-suite run, 83% are the first, 95% the first or the second,
	// 98.5% of those whose key was seen before one of the four; a slot is
	// 56 bytes with three or four).
	next [4]int32
	// plain is true when an unindented line with this key keeps it (it is
	// not a "uops[X" key the summarizer renames).
	plain bool
}

// name is the slot's key.
func (s *slot) name() string { return s.pat[:len(s.pat)-len(" : ")] }

// newSlot is the slot of a key first seen at line firstLine of file
// firstFile, holding val.
func newSlot(k string, val uint64, firstFile, firstLine int32) slot {
	var b strings.Builder // one allocation for the pattern and the key
	b.Grow(len(k) + len(" : "))
	b.WriteString(k)
	b.WriteString(" : ")
	return slotOf(b.String(), val, firstFile, firstLine)
}

// newSlotBytes is newSlot of a key read from a line, its pattern held in
// a's pattern arena.
func (a *aggregator) newSlotBytes(k []byte, val uint64, firstFile, firstLine int32) slot {
	return slotOf(a.pattern(k), val, firstFile, firstLine)
}

// patternChunk is the size of the chunks of an aggregator's pattern arena:
// about 300 keys of a 3.13 dump.
const patternChunk = 16 << 10

// pattern is k + " : " as a string carved from a's pattern arena: a reader
// learns thousands of keys and keeps them all as long as it lives, so one
// allocation per chunk replaces one per key. The arena is a strings.Builder,
// whose bytes once written are never written again, so each key is a slice
// of its String(); a chunk too full for k is left as it is for a new one.
func (a *aggregator) pattern(k []byte) string {
	n := len(k) + len(" : ")
	if a.arena.Cap()-a.arena.Len() < n {
		a.arena = strings.Builder{}
		a.arena.Grow(max(n, patternChunk))
	}
	start := a.arena.Len()
	a.arena.Write(k)
	a.arena.WriteString(" : ")
	return a.arena.String()[start:]
}

// slotOf is the slot of pattern pat (key + " : ").
func slotOf(pat string, val uint64, firstFile, firstLine int32) slot {
	return slot{pat: pat, value: val, firstFile: firstFile, firstLine: firstLine,
		lastFile: firstFile, next: [4]int32{-1, -1, -1, -1}, plain: plainKey(pat[:len(pat)-len(" : ")])}
}

// plainKey reports whether an unindented line's key k is kept as is.
func plainKey(k string) bool {
	return !(strings.HasPrefix(k, "uops[") && (len(k) < 6 || k[5] != '_'))
}

// aggregator sums counters of dump files. Its size depends on the number of
// distinct keys only. One aggregator is owned by one goroutine.
type aggregator struct {
	// first is the slot of the first key of the last file, or -1. With next
	// it predicts each line's key: dumps of one build print their keys in
	// nearly the same order, so most lookups are one byte comparison.
	first int32
	index map[string]int32
	slots []slot
	warn  warnSet
	lines int64
	bytes int64
	files int
	// arena holds the patterns of the keys learnt last (see pattern).
	arena strings.Builder
	// strict turns the first warning into an error (--strict fails at the
	// first bad line, without reading on).
	strict bool
	// generalOnly turns the fast path off (tests compare the two paths).
	generalOnly bool
}

// expectedKeys sizes an aggregator's tables: one dump of a 3.13 test-suite
// process has about 2,700 keys, a whole run about 6,000 (the tables grow
// once then; sized for 8,192, a read of one small file costs twice as much).
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

// fileParse is the state of one file's parse, carried from block to block.
type fileParse struct {
	name  string
	order int32
	line  int32 // lines started so far
	prev  int32 // slot of the last key, or -1
	// loose is set once a line of the file separates its key and value
	// otherwise than by " : " (3.13 prints "Calls to PyEval_EvalDefault:
	// 2581"); predicted then also tries the predicted key with such a
	// separator (looseAt), which a file without one would pay for nothing.
	loose bool
	// unchecked is the block parseBlock is parsing while it has not been
	// checked for binary or non-UTF-8 text, and uncheckedLine the lines
	// started before it: see verify.
	unchecked     []byte
	uncheckedLine int32
}

// ReadBlockSize is the buffer one dump reader parses through: a dump is read
// in blocks of this size (lines cut at a block's end are carried over), so
// memory does not depend on the size of a file. A line longer than a block
// is classified as it streams by.
const ReadBlockSize = 256 << 10

// addFile parses one dump file's bytes and adds its counters. fileOrder is the
// file's position in the input, which decides the first-seen key order.
// Unparsable lines become warnings; values that are not integers, sums that
// overflow and binary content are errors.
func (a *aggregator) addFile(name string, fileOrder int, data []byte) error {
	a.files++
	a.bytes += int64(len(data))
	fp := fileParse{name: name, order: int32(fileOrder), prev: -1}
	return a.parseBlock(&fp, data)
}

// addStream parses one dump read from r through buf (ReadBlockSize bytes or
// more) and adds its counters, as addFile does with the whole file. It
// returns the number of bytes read.
func (a *aggregator) addStream(name string, fileOrder int, r io.Reader, buf []byte) (int64, error) {
	a.files++
	fp := fileParse{name: name, order: int32(fileOrder), prev: -1}
	n := 0
	var total int64
	for {
		m, err := r.Read(buf[n:])
		total += int64(m)
		eof := err == io.EOF
		if err != nil && !eof {
			a.bytes += total
			return total, fmt.Errorf("reading %s: %w", QuoteName(name), err)
		}
		end := n + m
		if !eof {
			// Parse up to the last complete line; look only at the new bytes.
			nl := bytes.LastIndexByte(buf[n:n+m], '\n')
			if nl < 0 {
				n += m
				if n < len(buf) {
					continue
				}
				// A line longer than the buffer.
				rest, more, err := a.longLine(&fp, r, buf)
				total += more
				if err != nil {
					a.bytes += total
					return total, err
				}
				n = rest
				if n < 0 { // the long line ended the file
					break
				}
				continue
			}
			end = n + nl + 1
		}
		if err := a.parseBlock(&fp, buf[:end]); err != nil {
			a.bytes += total
			return total, err
		}
		n = copy(buf, buf[end:n+m])
		if eof {
			break
		}
	}
	a.bytes += total
	return total, nil
}

// checkText refuses binary and non-UTF-8 data in a block of whole lines,
// the first of which is line line+1 of its file.
func checkText(name string, line int32, data []byte) error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return &ParseError{File: name, Line: int(line) + lineOf(data, i), Msg: "binary data (NUL byte): not a pystats dump"}
	}
	if !utf8.Valid(data) {
		return &ParseError{File: name, Line: int(line) + firstInvalidUTF8Line(data), Msg: "invalid UTF-8: not a pystats dump"}
	}
	return nil
}

// cleanText reports whether b holds neither a NUL byte nor invalid UTF-8:
// what checkText looks for.
func cleanText(b []byte) bool {
	return bytes.IndexByte(b, 0) < 0 && utf8.Valid(b)
}

// verify runs checkText on the block being parsed, once, and returns its
// error. A block is refused whole when it holds binary or non-UTF-8 text,
// before any other problem of its lines, but parseBlock checks it only when
// it must: before the first line it parses the general way (parseLine),
// when a new key is not clean text (then verify fails), and when a line
// fails. A block that needs none of these is clean by construction: its
// lines hold known keys (whose names are clean text) or new keys found
// clean, and spaces, ':', digits and newlines. A warning of the fast paths
// (a key twice in a file) needs no check: a block with binary text fails
// later, and a failed read is thrown away whole. So the error, and the line
// it names, are the ones a check of every block up front gives, without
// reading every byte twice.
func (a *aggregator) verify(fp *fileParse) error {
	if fp.unchecked == nil {
		return nil
	}
	data := fp.unchecked
	fp.unchecked = nil
	return checkText(fp.name, fp.uncheckedLine, data)
}

// parseBlock parses whole lines; only the block's last line may lack its
// newline, and then it is the file's last line. The block is checked for
// binary and non-UTF-8 text as verify says.
func (a *aggregator) parseBlock(fp *fileParse, data []byte) error {
	fp.unchecked, fp.uncheckedLine = data, fp.line
	err := a.parseLines(fp, data)
	if err != nil {
		// The block's text error comes first, as it would from a check
		// of the block before its lines.
		if verr := a.verify(fp); verr != nil {
			err = verr
		}
	}
	fp.unchecked = nil
	return err
}

// parseLines is parseBlock without its last check.
func (a *aggregator) parseLines(fp *fileParse, data []byte) error {
	for len(data) > 0 {
		// Fastest path: the lines that hold the key predicted from the
		// line before, exactly as CPython prints them (most lines).
		if !a.generalOnly {
			if n := a.predicted(fp, data); n > 0 {
				data = data[n:]
				continue
			}
		}
		fp.line++
		var line []byte
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			line, data = data, nil
			if err := a.warnf(warnNoNewline, fp, "last line has no newline (truncated dump?)"); err != nil {
				return err
			}
		} else {
			line, data = data[:nl], data[nl+1:]
			// Fast path: the shapes CPython writes ("key : digits",
			// "key: digits", indented), no "uops[X" to rename.
			// Anything else goes the general way, which gives the same
			// result.
			if key, val, loose, ok := splitCanonical(line); ok && !a.generalOnly {
				fp.loose = fp.loose || loose
				a.lines++
				var err error
				if fp.prev, err = a.add(fp, key, val); err != nil {
					return err
				}
				continue
			}
		}
		if err := a.verify(fp); err != nil {
			return err
		}
		if err := a.parseLine(fp, line); err != nil {
			return err
		}
	}
	return nil
}

// parseLine parses one line (without its newline) the general way.
func (a *aggregator) parseLine(fp *fileParse, line []byte) error {
	colon := bytes.IndexByte(line, ':')
	if colon < 0 || bytes.IndexByte(line[colon+1:], ':') >= 0 {
		if a.excessWarning(warnUnparsable, fp) {
			return nil
		}
		return a.warnf(warnUnparsable, fp, "unparsable line %q: want exactly one ':'", clip(line))
	}
	rawKey := line[:colon]
	key := trimSpace(rawKey)
	if len(key) == 0 {
		if a.excessWarning(warnEmptyKey, fp) {
			return nil
		}
		return a.warnf(warnEmptyKey, fp, "unparsable line %q: empty key", clip(line))
	}
	if len(key) > MaxKeyLength {
		return &ParseError{File: fp.name, Line: int(fp.line), Msg: fmt.Sprintf("key of %d bytes (longest allowed %d): not a pystats dump", len(key), MaxKeyLength)}
	}
	valText := trimSpace(line[colon+1:])
	val, ok := parseUint(valText)
	if !ok {
		return a.badValue(fp, key, valText, int64(len(valText)), allDigits(valText))
	}
	// The summarizer's compatibility hack: uops[X -> uops[_X (checked on the unstripped key).
	if bytes.HasPrefix(rawKey, []byte("uops[")) && (len(rawKey) < 6 || rawKey[5] != '_') {
		key = append([]byte("uops[_"), key[len("uops["):]...)
	}
	a.lines++
	var err error
	fp.prev, err = a.add(fp, key, val)
	return err
}

// badValue is the error for a value that is not an unsigned 64-bit integer;
// head is the value's first bytes, size its length.
func (a *aggregator) badValue(fp *fileParse, key, head []byte, size int64, digits bool) error {
	return &ParseError{File: fp.name, Line: int(fp.line), Msg: fmt.Sprintf("value of %q is not an unsigned 64-bit decimal integer: %s", clip(key), ClipValue(head, size, digits))}
}

// maxValueShown is how much of a bad value a message shows.
const maxValueShown = 40

// ClipValue quotes a value for a message: whole when short, else its first
// 40 bytes, "…", and its length ("(100000 digits)" or "(N bytes)"). head
// holds at least the first 40 bytes of the value (all of it when short).
func ClipValue(head []byte, size int64, digits bool) string {
	if size <= maxValueShown && int64(len(head)) >= size {
		return strconv.Quote(string(head[:size]))
	}
	h := head[:min(len(head), maxValueShown)]
	for len(h) > 0 && !utf8.Valid(h) {
		h = h[:len(h)-1]
	}
	unit := "bytes"
	if digits {
		unit = "digits"
	}
	return fmt.Sprintf("%q… (%d %s)", h, size, unit)
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// longLine reads on a line that fills all of buf (no newline in it) until its
// end, classifying it as parseLine would without holding it: it counts the
// colons and keeps only the first bytes of the key and of the value. The
// bytes after the line's newline are moved to the front of buf; rest is their
// count, or -1 when the line ended the file.
func (a *aggregator) longLine(fp *fileParse, r io.Reader, buf []byte) (rest int, read int64, err error) {
	fp.line++
	var l longLineState
	l.init()
	if buf[0] != ' ' && buf[0] != '\t' && bytes.HasPrefix(buf, []byte("uops[")) {
		l.uops = true
	}
	n := len(buf)
	for {
		// Keep an incomplete UTF-8 sequence at the end for the next read.
		keep := incompleteRune(buf[:n])
		piece := buf[:n-keep]
		nl := bytes.IndexByte(piece, '\n')
		if nl >= 0 {
			piece = piece[:nl]
		}
		if i := bytes.IndexByte(piece, 0); i >= 0 {
			return 0, read, &ParseError{File: fp.name, Line: int(fp.line), Msg: "binary data (NUL byte): not a pystats dump"}
		}
		if !utf8.Valid(piece) {
			return 0, read, &ParseError{File: fp.name, Line: int(fp.line), Msg: "invalid UTF-8: not a pystats dump"}
		}
		l.feed(piece)
		if nl >= 0 {
			rest = copy(buf, buf[nl+1:n])
			return rest, read, a.endLongLine(fp, &l)
		}
		n = copy(buf, buf[n-keep:n])
		m, rerr := io.ReadAtLeast(r, buf[n:], 1)
		read += int64(m)
		n += m
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			if bytes.IndexByte(buf[:n], 0) >= 0 {
				return 0, read, &ParseError{File: fp.name, Line: int(fp.line), Msg: "binary data (NUL byte): not a pystats dump"}
			}
			if n > 0 && !utf8.Valid(buf[:n]) {
				return 0, read, &ParseError{File: fp.name, Line: int(fp.line), Msg: "invalid UTF-8: not a pystats dump"}
			}
			l.feed(buf[:n])
			if err := a.warnf(warnNoNewline, fp, "last line has no newline (truncated dump?)"); err != nil {
				return 0, read, err
			}
			return -1, read, a.endLongLine(fp, &l)
		}
		if rerr != nil {
			return 0, read, fmt.Errorf("reading %s: %w", QuoteName(fp.name), rerr)
		}
	}
}

// incompleteRune is the length of an incomplete UTF-8 sequence ending b.
func incompleteRune(b []byte) int {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return 0
		}
		if c >= 0xC0 {
			need := 2
			if c >= 0xF0 {
				need = 4
			} else if c >= 0xE0 {
				need = 3
			}
			if need > i {
				return i
			}
			return 0
		}
	}
	return 0
}

// longLineState classifies a line seen piece by piece.
type longLineState struct {
	size   int64
	colons int
	head   []byte // the line's first bytes, for messages
	uops   bool   // the unstripped key starts with "uops["
	// Region 0 is the key (before the first colon), 1 the value.
	first, last [2]int64  // offsets of the first and last non-space byte, -1 if none
	kept        [2][]byte // bytes from first on, up to a bound
	digits      bool      // the value's non-space bytes are all digits, in one run
	gap         bool      // a space followed the value's last non-space byte
}

func (l *longLineState) init() {
	l.first = [2]int64{-1, -1}
	l.last = [2]int64{-1, -1}
	l.digits = true
}

func (l *longLineState) feed(p []byte) {
	// One byte more than clip shows, so that clip marks the cut.
	if len(l.head) < 81 {
		l.head = append(l.head, p[:min(len(p), 81-len(l.head))]...)
	}
	for i, c := range p {
		off := l.size + int64(i)
		if c == ':' {
			l.colons++
			if l.colons == 1 {
				continue
			}
		}
		if l.colons > 1 {
			continue // unparsable whatever follows; keep counting
		}
		r := l.colons
		if asciiSpace(c) {
			if r == 1 && l.first[1] >= 0 {
				l.gap = true
			}
			if l.first[r] >= 0 && len(l.kept[r]) < MaxKeyLength+1 {
				l.kept[r] = append(l.kept[r], c)
			}
			continue
		}
		if l.first[r] < 0 {
			l.first[r] = off
		}
		l.last[r] = off
		if r == 1 && (c < '0' || c > '9' || l.gap) {
			l.digits = false
		}
		if len(l.kept[r]) < MaxKeyLength+1 {
			l.kept[r] = append(l.kept[r], c)
		}
	}
	l.size += int64(len(p))
}

// endLongLine gives the verdict parseLine would give on the whole line.
func (a *aggregator) endLongLine(fp *fileParse, l *longLineState) error {
	if l.colons != 1 {
		if a.excessWarning(warnUnparsable, fp) {
			return nil
		}
		return a.warnf(warnUnparsable, fp, "unparsable line %q: want exactly one ':'", clip(l.head))
	}
	if l.first[0] < 0 {
		if a.excessWarning(warnEmptyKey, fp) {
			return nil
		}
		return a.warnf(warnEmptyKey, fp, "unparsable line %q: empty key", clip(l.head))
	}
	keyLen := l.last[0] - l.first[0] + 1
	if keyLen > MaxKeyLength {
		return &ParseError{File: fp.name, Line: int(fp.line), Msg: fmt.Sprintf("key of %d bytes (longest allowed %d): not a pystats dump", keyLen, MaxKeyLength)}
	}
	key := l.kept[0][:keyLen]
	valLen := int64(0)
	if l.first[1] >= 0 {
		valLen = l.last[1] - l.first[1] + 1
	}
	val := l.kept[1][:min(int64(len(l.kept[1])), valLen)]
	v, ok := parseUint(val)
	if !ok || valLen > int64(len(val)) {
		return a.badValue(fp, key, val, valLen, l.digits && valLen > 0)
	}
	if l.uops && (len(key) < 6 || key[5] != '_') {
		key = append([]byte("uops[_"), key[len("uops["):]...)
	}
	a.lines++
	var err error
	fp.prev, err = a.add(fp, key, v)
	return err
}

// splitCanonical splits a line (without its newline) when it has one of the
// shapes CPython prints: optional indentation by spaces, a key, optional
// spaces, ':', optional spaces and 1 to 19 digits (which cannot overflow
// uint64) ending the line, where the key does not start with "uops[" unless
// the line is indented or the key is already "uops[_..." (the summarizer
// renames only unindented "uops[X" keys). loose reports a separator other
// than " : ". ok is false for any other line, which the caller parses the
// general way; the result is the same. Every search stays within the line.
func splitCanonical(line []byte) (key []byte, val uint64, loose, ok bool) {
	indent := 0
	for indent < len(line) && line[indent] == ' ' {
		indent++
	}
	if indent == len(line) || asciiSpace(line[indent]) {
		return nil, 0, false, false
	}
	colon := bytes.IndexByte(line[indent:], ':')
	if colon < 1 {
		return nil, 0, false, false
	}
	colon += indent
	end := colon
	for line[end-1] == ' ' {
		end--
	}
	key = line[indent:end]
	if asciiSpace(key[len(key)-1]) || len(key) > MaxKeyLength ||
		(indent == 0 && len(key) >= 5 && string(key[:5]) == "uops[" && (len(key) < 6 || key[5] != '_')) {
		return nil, 0, false, false
	}
	i := colon + 1
	for i < len(line) && line[i] == ' ' {
		i++
	}
	digits := line[i:]
	if len(digits) == 0 || len(digits) > 19 {
		return nil, 0, false, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return nil, 0, false, false
		}
		val = val*10 + uint64(c-'0')
	}
	return key, val, end != colon-1 || i != colon+2, true
}

// predicted parses the lines at the start of data that hold one of the keys
// which followed the line before's key lately (slot.next), printed as
// CPython prints them: optional indentation by spaces (none for a key the
// summarizer renames), the key, " : ", 1 to 19 digits and a newline. It
// returns the number of bytes it consumed, 0 when the first line is not such
// a line. It stops before any line that needs more than adding to a counter
// (a duplicate key, a sum that would overflow, a file read out of order) and
// leaves it to the general path, so the result is the same; it only goes
// faster, holding its state in registers, rejecting a wrong guess by where
// its " : " would be and comparing key and separator at once.
func (a *aggregator) predicted(fp *fileParse, data []byte) int {
	slots := a.slots
	order := fp.order
	prev := fp.prev
	pos, lines := 0, int32(0)
	for pos < len(data) {
		p := pos
		for p < len(data) && data[p] == ' ' {
			p++
		}
		indented := p > pos
		g := a.first
		start := -1
		if prev < 0 {
			if g < 0 || !slots[g].startsAt(data, p, indented) {
				break
			}
			start = p + len(slots[g].pat)
		} else {
			nx := &slots[prev].next
			switch {
			case nx[0] >= 0 && slots[nx[0]].startsAt(data, p, indented):
				g = nx[0]
			case nx[1] >= 0 && slots[nx[1]].startsAt(data, p, indented):
				g = nx[1]
				nx[0], nx[1] = g, nx[0]
			case nx[2] >= 0 && slots[nx[2]].startsAt(data, p, indented):
				g = nx[2]
				nx[0], nx[1], nx[2] = g, nx[0], nx[1]
			case nx[3] >= 0 && slots[nx[3]].startsAt(data, p, indented):
				g = nx[3]
				nx[0], nx[1], nx[2], nx[3] = g, nx[0], nx[1], nx[2]
			default:
				g = -1
				if fp.loose && nx[0] >= 0 {
					if start = slots[nx[0]].looseAt(data, p, indented); start >= 0 {
						g = nx[0]
					}
				}
				if g < 0 {
					// A key seen before, but not after this one lately:
					// the key table, then the four are rotated as the
					// general path's link does.
					if g = a.lookup(data, p, indented); g >= 0 {
						nx[0], nx[1], nx[2], nx[3] = g, nx[0], nx[1], nx[2]
					}
				}
			}
			if g < 0 {
				break
			}
			if start < 0 {
				start = p + len(slots[g].pat)
			}
		}
		s := &slots[g]
		var val uint64
		var j int
		if start+8 < len(data) {
			// Most values: up to 7 digits and the newline, read at once.
			x := binary.LittleEndian.Uint64(data[start : start+8])
			k := leadingDigits(x)
			if k == 8 {
				val, j = longValue(data, start)
			} else {
				val, j = eightDigits(x<<(64-8*k)), start+k
			}
		} else {
			val, j = longValue(data, start)
		}
		if j == start || j-start > 19 || j >= len(data) || data[j] != '\n' ||
			s.lastFile == order || order < s.firstFile {
			break
		}
		sum, carry := bits.Add64(s.value, val, 0)
		if carry != 0 {
			break
		}
		s.value, s.lastFile = sum, order
		prev = g
		pos = j + 1
		lines++
	}
	fp.prev = prev
	fp.line += lines
	a.lines += int64(lines)
	return pos
}

// lookup finds in the key table the slot of the line at p (its text after
// the indentation) when the line starts with a known key and " : ", as
// startsAt checks; -1 otherwise.
func (a *aggregator) lookup(data []byte, p int, indented bool) int32 {
	end := min(len(data), p+MaxKeyLength+2)
	c := bytes.IndexByte(data[p:end], ':')
	if c < 2 || data[p+c-1] != ' ' {
		return -1
	}
	// The map has compared the key; what startsAt checks besides is
	// the rest of " : " and room for a value and its newline.
	g, ok := a.index[string(data[p:p+c-1])]
	if !ok || p+c+4 > len(data) || data[p+c+1] != ' ' || !(indented || a.slots[g].plain) {
		return -1
	}
	return g
}

// longValue reads the digits of data from start one by one (a value of 8
// digits or more, or one near the end of the block) and returns their value
// and the index after them; a value of more than 19 digits is not one
// predicted takes, whatever it returns for it.
func longValue(data []byte, start int) (uint64, int) {
	var val uint64
	j := start
	for j < len(data) {
		c := data[j] - '0'
		if c > 9 {
			break
		}
		val = val*10 + uint64(c)
		j++
	}
	return val, j
}

// leadingDigits is the number of ASCII digits x (8 bytes of a line, the
// first in the low byte) starts with, 0 to 8. A byte is a digit when
// subtracting '0' leaves at most 9; the subtraction and the addition may
// carry into the bytes after the first non-digit, which do not count.
func leadingDigits(x uint64) int {
	v := x - 0x3030303030303030
	nd := (v | (v + 0x7676767676767676)) & 0x8080808080808080
	return bits.TrailingZeros64(nd) >> 3
}

// eightDigits is the value of 8 ASCII digits in x, the first in the low
// byte; bytes of 0 before them (x shifted left) read as leading zeros.
func eightDigits(x uint64) uint64 {
	x &= 0x0F0F0F0F0F0F0F0F
	x = (x * (10<<8 + 1)) >> 8 & 0x00FF00FF00FF00FF
	x = (x * (100<<16 + 1)) >> 16 & 0x0000FFFF0000FFFF
	return (x * (10000<<32 + 1)) >> 32
}

// startsAt reports whether data at p, a line's text after its indentation,
// starts with s's key and " : ", as predicted needs: the byte where the ':'
// would be is checked first, which rejects most other keys without comparing
// them. A key the summarizer renames ("uops[X") matches indented lines only.
func (s *slot) startsAt(data []byte, p int, indented bool) bool {
	n := len(s.pat)
	return p+n+2 <= len(data) && data[p+n-2] == ':' && (indented || s.plain) && string(data[p:p+n]) == s.pat
}

// looseAt is where the value starts when data at p, a line's text after its
// indentation, holds s's key followed by a separator other than " : " that
// the general path reads the same way: spaces, ':' and spaces ("key: 5",
// "key  :  5"). It returns -1 otherwise. A key the summarizer renames
// matches indented lines only, as in startsAt.
func (s *slot) looseAt(data []byte, p int, indented bool) int {
	q := p + len(s.pat) - len(" : ") // where s's key would end
	// The key must end at q, at a space or ':', and not with " : ", which
	// startsAt has already turned down (the line holds another key).
	if q+2 >= len(data) || (data[q] != ' ' && data[q] != ':') || (data[q+1] == ':' && data[q] == ' ' && data[q+2] == ' ') ||
		!(indented || s.plain) || string(data[p:q]) != s.name() {
		return -1
	}
	for q < len(data) && data[q] == ' ' {
		q++
	}
	if q == len(data) || data[q] != ':' {
		return -1
	}
	q++
	for q < len(data) && data[q] == ' ' {
		q++
	}
	return q
}

// add adds val to key and returns the key's slot. fp.prev is the slot of the
// line before (-1 at the start of a file); the keys that followed it last
// time are tried first. The map lookup with string(key) does not allocate.
func (a *aggregator) add(fp *fileParse, key []byte, val uint64) (int32, error) {
	prev, fileOrder, line := fp.prev, fp.order, fp.line
	i := int32(-1)
	if prev >= 0 {
		for _, g := range a.slots[prev].next {
			if g >= 0 && a.slots[g].name() == string(key) {
				i = g
				break
			}
		}
	} else if a.first >= 0 && a.slots[a.first].name() == string(key) {
		i = a.first
	}
	if i < 0 {
		var ok bool
		i, ok = a.index[string(key)]
		if !ok {
			if !cleanText(key) {
				if err := a.verify(fp); err != nil {
					return -1, err
				}
			}
			ns := a.newSlotBytes(key, val, fileOrder, line)
			if msg := KeyProblem(ns.name()); msg != "" {
				return -1, &ParseError{File: fp.name, Line: int(line), Msg: msg}
			}
			if len(a.slots) >= MaxKeys {
				return -1, tooManyKeys(fp.name, int(line))
			}
			i = int32(len(a.slots))
			a.slots = append(a.slots, ns)
			a.index[ns.name()] = i
			a.link(prev, i)
			return i, nil
		}
	}
	a.link(prev, i)
	return i, a.bump(fp, i, val)
}

// bump adds val to the existing slot i at the current line of fp.
func (a *aggregator) bump(fp *fileParse, i int32, val uint64) error {
	fileOrder, line := fp.order, fp.line
	s := &a.slots[i]
	if s.lastFile == fileOrder {
		if !a.excessWarning(warnDuplicate, fp) {
			if err := a.warnf(warnDuplicate, fp, "key %q occurs twice in this file (values are summed, as the summarizer does)", s.name()); err != nil {
				return err
			}
		}
	} else if fileOrder < s.firstFile {
		// A file read out of order (a link of an archive, resolved after
		// the members that follow it).
		s.firstFile, s.firstLine = fileOrder, line
	}
	s.lastFile = fileOrder
	sum, carry := bits.Add64(s.value, val, 0)
	if carry != 0 {
		return &ParseError{File: fp.name, Line: int(line), Msg: fmt.Sprintf("sum of %q overflows uint64 (%d + %d)", s.name(), s.value, val)}
	}
	s.value = sum
	return nil
}

// link records that slot i followed slot prev (or started a file): i moves
// to the front of prev's recent successors.
func (a *aggregator) link(prev, i int32) {
	if prev < 0 {
		a.first = i
		return
	}
	nx := &a.slots[prev].next
	switch i {
	case nx[0]:
	case nx[1]:
		nx[0], nx[1] = i, nx[0]
	case nx[2]:
		nx[0], nx[1], nx[2] = i, nx[0], nx[1]
	default:
		nx[0], nx[1], nx[2], nx[3] = i, nx[0], nx[1], nx[2]
	}
}

// merge adds b's counters into a. Keys keep the earliest first-seen position.
func (a *aggregator) merge(b *aggregator) error {
	for _, bs := range b.slots {
		i, ok := a.index[bs.name()]
		if !ok {
			if len(a.slots) >= MaxKeys {
				return tooManyKeys("", 0)
			}
			a.index[bs.name()] = int32(len(a.slots))
			bs.next = [4]int32{-1, -1, -1, -1} // b's slot numbers mean nothing here
			bs.plain = plainKey(bs.name())
			a.slots = append(a.slots, bs)
			continue
		}
		s := &a.slots[i]
		sum, carry := bits.Add64(s.value, bs.value, 0)
		if carry != 0 {
			return fmt.Errorf("sum of %q over all files overflows uint64 (%d + %d)", s.name(), s.value, bs.value)
		}
		s.value = sum
		if bs.firstFile < s.firstFile || (bs.firstFile == s.firstFile && bs.firstLine < s.firstLine) {
			s.firstFile, s.firstLine = bs.firstFile, bs.firstLine
		}
	}
	a.warn.merge(&b.warn)
	a.lines += b.lines
	a.bytes += b.bytes
	a.files += b.files
	return nil
}

func clipString(s string) string { return clip([]byte(s)) }

func clip(b []byte) string {
	const max = 80
	if len(b) > max {
		b = b[:max]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
		return string(b) + "..."
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

// The kinds of warning; each kind is capped separately.
type warnKind uint8

const (
	warnUnparsable warnKind = iota
	warnEmptyKey
	warnNoNewline
	warnDuplicate
	numWarnKinds
)

// MaxWarningsPerKind is how many warnings of one kind an input keeps (and
// prints); further ones are counted per file.
const MaxWarningsPerKind = 20

// maxCountedFiles bounds the files whose excess warnings are counted one by
// one; beyond it they are counted together.
const maxCountedFiles = 20

// warnSet holds the first warnings of each kind and counts the others, so
// that its size is bounded whatever the input.
type warnSet struct {
	kept  [numWarnKinds][]orderedWarning
	more  [numWarnKinds][]fileCount // files with warnings beyond the kept ones
	other [numWarnKinds]otherFiles
}

// otherFiles counts excess warnings beyond the files counted one by one.
type otherFiles struct {
	lines, files int64
	last         int32 // order+1 of the last file counted, 0 for none
}

type orderedWarning struct {
	order int32
	w     Warning
}

type fileCount struct {
	order int32
	file  string
	n     int64
}

// excessWarning counts a warning of kind at fp when it would only be counted
// (not strict, the kind's first warnings already kept) and reports whether it
// did. Hot paths call it before warnf, so that a file of a million junk lines
// boxes no argument and formats no message per line (it allocated ~20 bytes a
// line, which the GC could let pile up on a loaded machine).
func (a *aggregator) excessWarning(kind warnKind, fp *fileParse) bool {
	if a.strict || len(a.warn.kept[kind]) < MaxWarningsPerKind {
		return false
	}
	a.warn.count(kind, fp.order, fp.name, 1)
	return true
}

// warnf records a warning at the current line of fp; in strict mode it is
// the error instead. The message is only formatted when it is kept.
func (a *aggregator) warnf(kind warnKind, fp *fileParse, format string, args ...any) error {
	if a.strict {
		return &ParseError{File: fp.name, Line: int(fp.line), Msg: fmt.Sprintf(format, args...) + " (--strict)"}
	}
	if a.excessWarning(kind, fp) {
		return nil
	}
	a.warn.kept[kind] = append(a.warn.kept[kind], orderedWarning{fp.order, Warning{File: fp.name, Line: int(fp.line), Msg: fmt.Sprintf(format, args...)}})
	return nil
}

// count adds n excess warnings of a kind for one file.
func (ws *warnSet) count(kind warnKind, order int32, file string, n int64) {
	m := ws.more[kind]
	for i := len(m) - 1; i >= 0 && i >= len(m)-2; i-- {
		if m[i].order == order {
			m[i].n += n
			return
		}
	}
	ws.more[kind] = append(m, fileCount{order, file, n})
	if len(ws.more[kind]) > 2*maxCountedFiles {
		ws.normalize(kind)
	}
}

// normalize keeps the first MaxWarningsPerKind warnings and the first
// maxCountedFiles counts of a kind, in input order, folding the rest into
// the counts and the "other files" total.
func (ws *warnSet) normalize(kind warnKind) {
	kept := ws.kept[kind]
	sort.SliceStable(kept, func(i, j int) bool {
		if kept[i].order != kept[j].order {
			return kept[i].order < kept[j].order
		}
		return kept[i].w.Line < kept[j].w.Line
	})
	var spill []orderedWarning
	if len(kept) > MaxWarningsPerKind {
		spill = kept[MaxWarningsPerKind:]
		ws.kept[kind] = kept[:MaxWarningsPerKind:MaxWarningsPerKind]
	}
	byOrder := map[int32]*fileCount{}
	var list []*fileCount
	addCount := func(order int32, file string, n int64) {
		if c, ok := byOrder[order]; ok {
			c.n += n
			return
		}
		c := &fileCount{order, file, n}
		byOrder[order] = c
		list = append(list, c)
	}
	for _, w := range spill {
		addCount(w.order, w.w.File, 1)
	}
	for _, c := range ws.more[kind] {
		addCount(c.order, c.file, c.n)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].order < list[j].order })
	ws.more[kind] = ws.more[kind][:0]
	for i, c := range list {
		if i < maxCountedFiles {
			ws.more[kind] = append(ws.more[kind], *c)
			continue
		}
		o := &ws.other[kind]
		o.lines += c.n
		if o.last != c.order+1 {
			o.files++
			o.last = c.order + 1
		}
	}
}

// merge adds b's warnings to ws.
func (ws *warnSet) merge(b *warnSet) {
	for k := range numWarnKinds {
		ws.kept[k] = append(ws.kept[k], b.kept[k]...)
		ws.more[k] = append(ws.more[k], b.more[k]...)
		ws.other[k].lines += b.other[k].lines
		ws.other[k].files += b.other[k].files
		ws.normalize(k)
	}
}

// empty reports whether no warning was recorded.
func (ws *warnSet) empty() bool {
	for k := range numWarnKinds {
		if len(ws.kept[k]) > 0 {
			return false
		}
	}
	return true
}

// list returns the kept warnings, sorted by file and line, then one summary
// per file (and for the other files) of each kind's excess.
func (ws *warnSet) list() []Warning {
	var out, summaries []Warning
	for k := range numWarnKinds {
		ws.normalize(k)
		for _, w := range ws.kept[k] {
			out = append(out, w.w)
		}
		for _, c := range ws.more[k] {
			summaries = append(summaries, Warning{File: c.file, Msg: fmt.Sprintf("... and %d more %s like this", c.n, plural(c.n, "line", "lines"))})
		}
		if o := ws.other[k]; o.lines > 0 {
			summaries = append(summaries, Warning{Msg: fmt.Sprintf("... and %d more %s like this in %d other files", o.lines, plural(o.lines, "line", "lines"), o.files)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return append(out, summaries...)
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func bitsAdd(x, y uint64) (uint64, bool) {
	s, c := bits.Add64(x, y, 0)
	return s, c != 0
}

// tooManyKeys is the error for an input with more than MaxKeys keys.
func tooManyKeys(file string, line int) error {
	msg := fmt.Sprintf("more than %d distinct keys: not pystats data (CPython's runs have under 10,000)", MaxKeys)
	if file == "" {
		return errors.New(msg)
	}
	return &ParseError{File: file, Line: line, Msg: msg}
}
