package pystats

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/pystats-dev/pystats/internal/mapfile"
)

// ErrNoData is returned for an input that holds no dump file.
var ErrNoData = errors.New("no counters: no pystats dump files")

// ErrNoCounters is returned for an input that holds no counter at all: an
// empty file or folder, a folder of empty files, whitespace only, "{}",
// "null" or any text without one "key : value" line.
var ErrNoCounters = errors.New("no counters")

// MaxJSONSize caps what a JSON input (summarize or pyperf JSON, a build
// tables file) may hold, after decompression: JSON is parsed in memory, so
// the cap bounds the memory. Real files are below 3 MB.
const MaxJSONSize = 32 << 20

// zstdMaxWindow bounds the window of a zstd stream, and so the decoder's
// memory: zstd's levels 1-19 use at most 8 MiB.
const zstdMaxWindow = 32 << 20

// Options tune reading.
type Options struct {
	// Strict turns warnings (unparsable lines, duplicate keys, a missing final
	// newline) into errors.
	Strict bool
	// Workers bounds the files read at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called after each dump file with its size in bytes.
	// It may be called from several goroutines at once.
	Progress func(bytes int64)
	// Allocator for the Arrow tables; nil means memory.DefaultAllocator.
	Allocator memory.Allocator
	// DirectoryOrder takes a directory's files in the order the file system
	// lists them, as the summarizer does (os.listdir), instead of in name
	// order. Sums never depend on it; the order of keys, and so of tied rows
	// in reports, does. Name order (the default) gives the same output for
	// the same files everywhere.
	DirectoryOrder bool
	// Ignore, when set, leaves out the entries of a dump directory whose
	// base name it returns true for: they are neither read nor counted
	// (a stray README.md beside the dumps). The caller names them.
	Ignore func(name string) bool
	// Stdin is what the input "-" reads; nil means os.Stdin.
	Stdin io.Reader
}

func (o Options) allocator() memory.Allocator {
	if o.Allocator == nil {
		return memory.DefaultAllocator
	}
	return o.Allocator
}

// DefaultInput is where CPython writes its dumps on POSIX systems.
const DefaultInput = "/tmp/py_stats"

// StdinName is the input name that means standard input.
const StdinName = "-"

// stdinTaken is set once os.Stdin has been read as an input.
var stdinTaken atomic.Bool

// Read reads any pystats input: a directory of dump files, one dump file, a
// .tar archive of dump files, a summarize JSON file (the summarizer's compact
// output or bench_runner's indented one), or "-" for standard input. Files
// are recognised by their content, not their names: a file (or standard
// input) may be gzip- or zstd-compressed, and what it holds after
// decompression is sniffed again (a tar archive, JSON, or a dump).
//
// Only regular files, directories and standard input are read: a FIFO, a
// device or a socket is refused before it is opened. Memory does not depend
// on the input's size: dumps and archives are read as streams; JSON, which
// is parsed in memory, is capped at MaxJSONSize.
func Read(path string, opt Options) (*Stats, error) {
	var st *Stats
	var err error
	if path == StdinName {
		in := opt.Stdin
		if in == nil {
			if stdinTaken.Swap(true) {
				return nil, errors.New("-: standard input is read once per run; give - once")
			}
			in = os.Stdin
		}
		st, err = readStream("<stdin>", in, nil, opt)
	} else {
		var fi fs.FileInfo
		fi, err = os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("reading pystats input: %w", err)
		}
		if fi.IsDir() {
			st, err = ReadDir(path, opt)
		} else {
			st, err = readFile(path, opt)
		}
	}
	if err != nil {
		return nil, err
	}
	if opt.Strict && len(st.Source.Warnings) > 0 {
		st.Release()
		return nil, fmt.Errorf("%s (--strict)", st.Source.Warnings[0])
	}
	return st, nil
}

// tarNames are the names of archives; a file so named must hold a tar
// archive (possibly compressed).
var tarNames = []string{".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst"}

func hasTarName(path string) bool {
	for _, ext := range tarNames {
		if strings.HasSuffix(path, ext) {
			return true
		}
	}
	return false
}

// readFile reads one regular file of any kind.
func readFile(path string, opt Options) (*Stats, error) {
	f, _, err := mapfile.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("reading pystats input: %w", err)
	}
	defer f.Close()
	reopen := func() (io.ReadCloser, error) {
		g, _, err := mapfile.OpenRegular(path)
		return g, err
	}
	return readStream(path, f, reopen, opt)
}

// The formats a stream is sniffed as.
type format int

const (
	formatDump format = iota
	formatTar
	formatJSON
)

// sniffFormat tells a tar archive (a first header block with a valid
// checksum, or an empty archive's zero block), JSON (an object or array,
// after an optional UTF-8 byte order mark and white space) and a dump
// (anything else) apart.
func sniffFormat(head []byte, tarName bool) format {
	if len(head) >= 512 {
		if isTarHeader(head[:512], tarName) {
			return formatTar
		}
	}
	t := bytes.TrimPrefix(head, utf8BOM)
	t = bytes.TrimLeft(t, " \t\r\n")
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return formatJSON
	}
	return formatDump
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// isTarHeader reports whether a 512-byte block is a tar header (its checksum
// field matches its bytes), or, in a file named as an archive, the zero
// block that ends an (empty) archive.
func isTarHeader(b []byte, tarName bool) bool {
	if bytes.Count(b, []byte{0}) == len(b) {
		return tarName
	}
	field := bytes.Trim(b[148:156], " \x00")
	if len(field) == 0 {
		return false
	}
	var want int64
	for _, c := range field {
		if c < '0' || c > '7' {
			return false
		}
		want = want*8 + int64(c-'0')
	}
	var unsigned, signed int64
	for i, c := range b {
		if i >= 148 && i < 156 {
			c = ' '
		}
		unsigned += int64(c)
		signed += int64(int8(c))
	}
	return want == unsigned || want == signed
}

// compression is a stream's compression, known by its magic bytes.
func compression(head []byte) string {
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return "gzip"
	case len(head) >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd:
		return "zstd"
	}
	return ""
}

// decompressor wraps r in the decoder of its compression ("" for none).
func decompressor(name string, r io.Reader, kind string) (io.Reader, func(), error) {
	switch kind {
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", QuoteName(name), err)
		}
		return zr, func() { zr.Close() }, nil
	case "zstd":
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", QuoteName(name), err)
		}
		return zr, zr.Close, nil
	}
	return r, func() {}, nil
}

// readStream reads a file or standard input, sniffing its compression and
// format. reopen, nil for standard input, opens the file again (to read the
// members that links of an archive point to).
func readStream(name string, src io.Reader, reopen func() (io.ReadCloser, error), opt Options) (*Stats, error) {
	br := bufio.NewReaderSize(src, 64<<10)
	head, err := br.Peek(512)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("reading %s: %w", QuoteName(name), err)
	}
	comp := compression(head)
	r, done, err := decompressor(name, br, comp)
	if err != nil {
		return nil, err
	}
	defer done()
	inner := br
	if comp != "" {
		inner = bufio.NewReaderSize(r, 64<<10)
		head, err = inner.Peek(512)
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return nil, readErr(name, err)
		}
	}
	// openAgain gives the decompressed stream again from its start.
	openAgain := func() (io.Reader, func(), error) {
		rc, err := reopen()
		if err != nil {
			return nil, nil, err
		}
		r, done, err := decompressor(name, bufio.NewReaderSize(rc, 64<<10), comp)
		if err != nil {
			rc.Close()
			return nil, nil, err
		}
		return r, func() { done(); rc.Close() }, nil
	}
	f := sniffFormat(head, hasTarName(name))
	if hasTarName(name) && f != formatTar {
		return nil, fmt.Errorf("%s: not a tar archive (the name says it is one; its content is not)", QuoteName(name))
	}
	switch f {
	case formatTar:
		var again func() (io.Reader, func(), error)
		if reopen != nil {
			again = openAgain
		}
		return readTar(name, inner, again, opt)
	case formatJSON:
		if comp == "" && reopen != nil {
			// A plain file: mapped, not copied.
			return ReadJSONFile(name, opt)
		}
		var data []byte
		if reopen != nil {
			// Measure, then read into a buffer of the right size: a
			// decompression bomb costs no memory.
			data, err = readSized(name, inner, openAgain)
		} else {
			data, err = mapfile.ReadAllLimit(name, "JSON (decompressed)", inner, MaxJSONSize)
		}
		if err != nil {
			return nil, readErr(name, err)
		}
		if opt.Progress != nil {
			opt.Progress(int64(len(data)))
		}
		return ReadJSON(name, data, opt)
	}
	a := newAggregator()
	a.strict = opt.Strict
	n, err := a.addStream(name, 0, inner, make([]byte, ReadBlockSize))
	if err != nil {
		return nil, err
	}
	if opt.Progress != nil {
		opt.Progress(n)
	}
	return finish(a, name, KindDumpFile, opt)
}

// readSized reads a compressed JSON stream of at most MaxJSONSize bytes in
// two passes: r is read to its end to learn the size (and check the
// checksum), then open gives the stream again, read into a buffer of that
// size.
func readSized(name string, r io.Reader, open func() (io.Reader, func(), error)) ([]byte, error) {
	n, err := io.CopyN(io.Discard, r, MaxJSONSize+1)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if n > MaxJSONSize {
		return nil, &mapfile.TooLargeError{Path: name, Limit: MaxJSONSize, What: "JSON (decompressed)"}
	}
	again, done, err := open()
	if err != nil {
		return nil, err
	}
	defer done()
	buf := make([]byte, n+1)
	m, err := io.ReadFull(again, buf)
	if err != io.ErrUnexpectedEOF || int64(m) != n {
		if err == nil || err == io.EOF {
			err = fmt.Errorf("the file changed while it was read")
		}
		return nil, err
	}
	return buf[:n], nil
}

// readErr wraps an error met reading name; a *TooLargeError names the file
// itself.
func readErr(name string, err error) error {
	var tl *mapfile.TooLargeError
	if errors.As(err, &tl) {
		return err
	}
	return fmt.Errorf("reading %s: %w", QuoteName(name), err)
}

// ReadDumpFile reads a single dump file (plain; see Read for compressed ones).
func ReadDumpFile(path string, opt Options) (*Stats, error) {
	f, _, err := mapfile.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("reading dump: %w", err)
	}
	defer f.Close()
	a := newAggregator()
	a.strict = opt.Strict
	n, err := a.addStream(path, 0, f, make([]byte, ReadBlockSize))
	if err != nil {
		return nil, err
	}
	if opt.Progress != nil {
		opt.Progress(n)
	}
	return finish(a, path, KindDumpFile, opt)
}

// ReadDump parses one dump held in memory; name is used in messages only.
func ReadDump(name string, data []byte, opt Options) (*Stats, error) {
	a := newAggregator()
	a.strict = opt.Strict
	if err := a.addFile(name, 0, data); err != nil {
		return nil, err
	}
	return finish(a, name, KindDumpFile, opt)
}

// ReadDir reads every dump file of a directory, several at once, and sums
// them. Files are taken in name order, so the key order of the result does not
// depend on the file system (Options.DirectoryOrder takes the file system's
// order instead). Entries that are not regular files are an error: a dump
// directory holds nothing else. A symbolic link is followed.
func ReadDir(dir string, opt Options) (*Stats, error) {
	entries, err := readDirUnsorted(dir)
	if err != nil {
		return nil, fmt.Errorf("reading dump directory: %w", err)
	}
	var names []string
	for _, e := range entries {
		if opt.Ignore != nil && opt.Ignore(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if e.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(p)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", QuoteName(p), err)
			}
			if !fi.Mode().IsRegular() {
				return nil, fmt.Errorf("%s: not a regular file (%s; a dump directory holds only dump files)", QuoteName(p), mapfile.DescribeMode(fi.Mode()))
			}
		} else if !e.Type().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file (%s; a dump directory holds only dump files)", QuoteName(p), mapfile.DescribeMode(e.Type()))
		}
		names = append(names, p)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: %w", QuoteName(dir), ErrNoData)
	}
	if !opt.DirectoryOrder {
		sort.Strings(names)
	}
	a, err := readFiles(names, opt)
	if err != nil {
		return nil, err
	}
	return finish(a, dir, KindDumpDir, opt)
}

// readDirUnsorted lists a directory in the file system's order (os.ReadDir
// sorts by name).
func readDirUnsorted(dir string) ([]fs.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// readFiles parses files concurrently; each worker owns an aggregator and a
// ReadBlockSize buffer, and the workers' aggregates are merged at the end, so
// memory depends on the number of distinct keys times the number of workers,
// never on the number or size of files. Files are claimed in input order;
// after an error the workers claim no further file, and the error of the
// first failing file in input order is returned (every file before it was
// claimed, and is read to its end, so the answer does not depend on timing).
func readFiles(names []string, opt Options) (*aggregator, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > len(names) {
		workers = len(names)
	}
	// Workers claim files in order from a shared counter: no goroutine
	// hands them out, so a worker that finishes a file never waits for one
	// to be scheduled. A feeding goroutine sat runnable on the other,
	// busy core, and the wait, a few microseconds per file, was 15% of the
	// wall time of a 1,790-file run on two cores.
	var next atomic.Int64
	var stopped atomic.Bool
	aggs := make([]*aggregator, workers)
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		aggs[w] = newAggregator()
		aggs[w].strict = opt.Strict
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			buf := make([]byte, ReadBlockSize)
			for !stopped.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(names) {
					return
				}
				n, err := readOne(aggs[w], names[i], i, buf)
				if err != nil {
					errs[i] = err
					stopped.Store(true)
					return
				}
				if opt.Progress != nil {
					opt.Progress(n)
				}
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	total := aggs[0]
	for _, a := range aggs[1:] {
		if err := total.merge(a); err != nil {
			return nil, fmt.Errorf("%s: %w", QuoteName(filepath.Dir(names[0])), err)
		}
	}
	return total, nil
}

// readOne streams one dump file into a.
func readOne(a *aggregator, path string, order int, buf []byte) (int64, error) {
	f, err := mapfile.OpenListedFile(path)
	if err != nil {
		return 0, fmt.Errorf("reading dump: %w", err)
	}
	defer f.Close()
	return a.addStream(path, order, f, buf)
}

// finish orders the aggregate's keys as the summarizer would have seen them
// reading the files one after the other, places __nfiles__ after the first
// file's keys, checks the opcode naming and builds the Arrow table.
func finish(a *aggregator, path string, kind InputKind, opt Options) (*Stats, error) {
	keys := make([]string, 0, len(a.slots)+1)
	values := make([]uint64, 0, len(a.slots)+1)
	placed := false
	for _, i := range firstSeenOrder(a.slots) {
		s := &a.slots[i]
		if !placed && s.firstFile > 0 {
			keys = append(keys, "__nfiles__")
			values = append(values, uint64(a.files))
			placed = true
		}
		keys = append(keys, s.name())
		values = append(values, s.value)
	}
	if !placed {
		keys = append(keys, "__nfiles__")
		values = append(values, uint64(a.files))
	}
	if err := checkOpcodeNaming(path, keys); err != nil {
		return nil, err
	}
	if len(a.slots) == 0 {
		return nil, fmt.Errorf("%s: %w (an empty input, or no line of the form \"key : value\")", QuoteName(path), ErrNoCounters)
	}
	st := &Stats{
		Counters: buildCounters(opt.allocator(), keys, values),
		Source: Source{Path: path, Kind: kind, Files: a.files, Lines: a.lines, Bytes: a.bytes,
			Warnings: a.warn.list()},
	}
	return st, nil
}

// firstSeenOrder is the slots' indexes by (first file, first line), the
// order the summarizer would have seen the keys in (no two slots share a
// line). The positions are sorted rather than the slots (8 bytes moved, not
// 56); the slot index is packed below the position when file and line
// numbers fit in 24 bits each (slots fit in 16: MaxKeys), so the sort
// compares plain integers.
func firstSeenOrder(slots []slot) []int32 {
	out := make([]int32, len(slots))
	const bits = 24
	packable := len(slots) <= 1<<16
	for _, s := range slots {
		packable = packable && uint32(s.firstFile) < 1<<bits && uint32(s.firstLine) < 1<<bits
	}
	if packable {
		order := make([]uint64, len(slots))
		for i, s := range slots {
			order[i] = uint64(s.firstFile)<<(bits+16) | uint64(s.firstLine)<<16 | uint64(i)
		}
		slices.Sort(order)
		for i, o := range order {
			out[i] = int32(o & (1<<16 - 1))
		}
		return out
	}
	type seen struct {
		at   uint64 // first file << 32 | first line
		slot int32
	}
	order := make([]seen, len(slots))
	for i, s := range slots {
		order[i] = seen{uint64(uint32(s.firstFile))<<32 | uint64(uint32(s.firstLine)), int32(i)}
	}
	slices.SortFunc(order, func(x, y seen) int { return cmp.Compare(x.at, y.at) })
	for i, o := range order {
		out[i] = o.slot
	}
	return out
}

// checkOpcodeNaming fails when numeric (3.11/3.12) and named (3.13+) opcode keys
// are mixed: those dumps come from different builds and cannot be summed.
func checkOpcodeNaming(path string, keys []string) error {
	var numeric, named string
	for _, k := range keys {
		if !strings.HasPrefix(k, "opcode[") {
			continue
		}
		end := strings.IndexByte(k, ']')
		if end < 0 {
			continue
		}
		if isDecimal(k[len("opcode["):end]) {
			if numeric == "" {
				numeric = k
			}
		} else if named == "" {
			named = k
		}
		if numeric != "" && named != "" {
			return fmt.Errorf("%s: mixes numeric-opcode dumps (3.11/3.12, e.g. %q) with named-opcode dumps (3.13+, e.g. %q); read each build's dumps separately", QuoteName(path), numeric, named)
		}
	}
	return nil
}

func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
