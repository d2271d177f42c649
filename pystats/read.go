package pystats

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pystats-dev/pystats/internal/mapfile"
)

// ErrNoData is returned for an input that holds no dump file.
var ErrNoData = errors.New("no pystats dump files")

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
}

func (o Options) allocator() memory.Allocator {
	if o.Allocator == nil {
		return memory.DefaultAllocator
	}
	return o.Allocator
}

// DefaultInput is where CPython writes its dumps on POSIX systems.
const DefaultInput = "/tmp/py_stats"

// Read reads any pystats input: a directory of dump files, one dump file, a
// .tar/.tar.gz/.tgz archive of dump files, or a summarize JSON file (the
// summarizer's compact output or bench_runner's indented one).
func Read(path string, opt Options) (*Stats, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading pystats input: %w", err)
	}
	var st *Stats
	switch {
	case fi.IsDir():
		st, err = ReadDir(path, opt)
	case isTarball(path):
		st, err = ReadTarball(path, opt)
	default:
		var head []byte
		head, err = peek(path, 512)
		if err != nil {
			return nil, err
		}
		if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
			st, err = ReadJSONFile(path, opt)
		} else if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
			st, err = ReadTarball(path, opt)
		} else {
			st, err = ReadDumpFile(path, opt)
		}
	}
	if err != nil {
		return nil, err
	}
	if opt.Strict && len(st.Source.Warnings) > 0 {
		st.Release()
		return nil, fmt.Errorf("%s (strict mode; %d problem(s) in all)", st.Source.Warnings[0], len(st.Source.Warnings))
	}
	return st, nil
}

func isTarball(path string) bool {
	return strings.HasSuffix(path, ".tar") || strings.HasSuffix(path, ".tar.gz") || strings.HasSuffix(path, ".tgz")
}

func peek(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading pystats input: %w", err)
	}
	defer f.Close()
	buf := make([]byte, n)
	m, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return buf[:m], nil
}

// ReadDumpFile reads a single dump file.
func ReadDumpFile(path string, opt Options) (*Stats, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading dump: %w", err)
	}
	a := newAggregator()
	if err := a.addFile(path, 0, data); err != nil {
		return nil, err
	}
	if opt.Progress != nil {
		opt.Progress(int64(len(data)))
	}
	return finish(a, path, KindDumpFile, opt)
}

// ReadDump parses one dump held in memory; name is used in messages only.
func ReadDump(name string, data []byte, opt Options) (*Stats, error) {
	a := newAggregator()
	if err := a.addFile(name, 0, data); err != nil {
		return nil, err
	}
	return finish(a, name, KindDumpFile, opt)
}

// ReadDir reads every dump file of a directory, several at once, and sums
// them. Files are taken in name order, so the key order of the result does not
// depend on the file system. Entries that are not regular files are an error:
// a dump directory holds nothing else.
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
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			if !fi.Mode().IsRegular() {
				return nil, fmt.Errorf("%s: not a regular file (a dump directory holds only dump files)", p)
			}
		} else if !e.Type().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file (a dump directory holds only dump files)", p)
		}
		names = append(names, p)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoData)
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

// readFiles parses files concurrently; each worker owns an aggregator and the
// workers' aggregates are merged at the end, so memory depends on the number
// of distinct keys times the number of workers, never on the number of files.
func readFiles(names []string, opt Options) (*aggregator, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > len(names) {
		workers = len(names)
	}
	next := make(chan int)
	aggs := make([]*aggregator, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	var stop sync.Once
	done := make(chan struct{})
	for w := 0; w < workers; w++ {
		aggs[w] = newAggregator()
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			// One buffer per worker, reused for every file and grown by
			// doubling: fresh memory costs a page fault per 4 KiB, which on
			// some virtual machines is dearer than parsing the page.
			var buf []byte
			for i := range next {
				var err error
				buf, err = readInto(names[i], buf)
				if err == nil {
					err = aggs[w].addFile(names[i], i, buf)
				}
				if err != nil {
					errs[w] = err
					stop.Do(func() { close(done) })
					return
				}
				if opt.Progress != nil {
					opt.Progress(int64(len(buf)))
				}
			}
		}(w)
	}
feed:
	for i := range names {
		select {
		case next <- i:
		case <-done:
			break feed
		}
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	total := aggs[0]
	for _, a := range aggs[1:] {
		if err := total.merge(a); err != nil {
			return nil, err
		}
	}
	return total, nil
}

// readInto reads a whole file into buf, growing it when needed.
func readInto(path string, buf []byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return buf, fmt.Errorf("reading dump: %w", err)
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	buf, err = mapfile.ReadInto(f, size, buf)
	if err != nil {
		return buf, fmt.Errorf("reading %s: %w", path, err)
	}
	return buf, nil
}

// ReadTarball reads the regular files of a .tar or .tar.gz archive as dump
// files, in archive order. Directories inside the archive are skipped.
func ReadTarball(path string, opt Options) (*Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading tarball: %w", err)
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 1<<16)
	if head, _ := r.(*bufio.Reader).Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	tr := tar.NewReader(r)
	a := newAggregator()
	var buf bytes.Buffer
	order := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: reading archive: %w", path, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if strings.HasPrefix(filepath.Base(h.Name), "._") {
			continue // macOS resource forks
		}
		buf.Reset()
		if _, err := io.Copy(&buf, tr); err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w", path, h.Name, err)
		}
		if err := a.addFile(path+":"+h.Name, order, buf.Bytes()); err != nil {
			return nil, err
		}
		order++
		if opt.Progress != nil {
			opt.Progress(int64(buf.Len()))
		}
	}
	if order == 0 {
		return nil, fmt.Errorf("%s: %w", path, ErrNoData)
	}
	return finish(a, path, KindTarball, opt)
}

// finish orders the aggregate's keys as the summarizer would have seen them
// reading the files one after the other, places __nfiles__ after the first
// file's keys, checks the opcode naming and builds the Arrow table.
func finish(a *aggregator, path string, kind InputKind, opt Options) (*Stats, error) {
	slots := a.slots
	sort.Slice(slots, func(i, j int) bool {
		if slots[i].firstFile != slots[j].firstFile {
			return slots[i].firstFile < slots[j].firstFile
		}
		return slots[i].firstLine < slots[j].firstLine
	})
	keys := make([]string, 0, len(slots)+1)
	values := make([]uint64, 0, len(slots)+1)
	placed := false
	for _, s := range slots {
		if !placed && s.firstFile > 0 {
			keys = append(keys, "__nfiles__")
			values = append(values, uint64(a.files))
			placed = true
		}
		keys = append(keys, s.key)
		values = append(values, s.value)
	}
	if !placed {
		keys = append(keys, "__nfiles__")
		values = append(values, uint64(a.files))
	}
	if err := checkOpcodeNaming(path, keys); err != nil {
		return nil, err
	}
	sort.SliceStable(a.warnings, func(i, j int) bool {
		if a.warnings[i].File != a.warnings[j].File {
			return a.warnings[i].File < a.warnings[j].File
		}
		return a.warnings[i].Line < a.warnings[j].Line
	})
	st := &Stats{
		Counters: buildCounters(opt.allocator(), keys, values),
		Source: Source{Path: path, Kind: kind, Files: a.files, Lines: a.lines, Bytes: a.bytes,
			Warnings: a.warnings},
	}
	return st, nil
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
			return fmt.Errorf("%s: mixes numeric-opcode dumps (3.11/3.12, e.g. %q) with named-opcode dumps (3.13+, e.g. %q); read each build's dumps separately", path, numeric, named)
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
