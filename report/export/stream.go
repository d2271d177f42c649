package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/pystats-dev/pystats/internal/atomicfile"
	"github.com/pystats-dev/pystats/pystats"
)

// A Writer writes an export run by run, so that memory does not grow with
// the number of inputs: Add builds one input's tables and writes them to
// temporary files beside their targets, after which the caller may release
// the input; Close swaps the folder in (atomicfile.BeginDir). An error from
// Add or Close (or a call to Abort) leaves dir as it was: as with Write, an
// export is all or nothing.
//
// With Options.Partition every (table, run) is its own file: Add builds its
// record, and two goroutines create, encode and write the file while the
// caller reads the next input (partWriter); Close waits for them. Without it, one file per table receives every run's rows:
// Parquet as one row group per run, CSV as rows, and Arrow IPC, whose file
// format allows one dictionary per column, as one record batch per run, the
// runs spilled to a temporary file until Close (ipcSpill).
type Writer struct {
	dir    string
	opt    Options
	stage  *atomicfile.DirStage
	labels map[string]bool
	kinds  [2]bool     // pystats, pyperf inputs seen
	flat   []*flatFile // open per-table files (no Partition), in table order
	byName map[*Table]*flatFile
	files  []File // the files written (Data nil), with Options.ListFiles
	nfiles int
	nrows  int64
	part   *partWriter // the encoders of a partitioned export, once started
	failed error
	// ref is the first pyperf input, kept for the comparisons table.
	ref      *pystats.PyperfSuite
	refLabel string
}

// NewWriter starts an export into dir (created when missing), which ends up
// holding exactly the new tables (see Write).
func NewWriter(dir string, opt Options) (*Writer, error) {
	if err := opt.normalize(); err != nil {
		return nil, err
	}
	st, err := atomicfile.BeginDir(dir, atomicfile.DirOptions{Protected: opt.Protected, Owned: Owned})
	if err != nil {
		return nil, err
	}
	if opt.Format == Parquet && opt.Compression == Zstd {
		// Before any input is read, while this goroutine is the only
		// one running (see warmEncoders).
		warmEncoders(min(runtime.GOMAXPROCS(0), maxWarmEncoders))
	}
	return &Writer{dir: dir, opt: opt, stage: st, labels: map[string]bool{}, byName: map[*Table]*flatFile{}}, nil
}

// Add writes the tables of one input. The Writer does not keep in (nor, but
// for flat Arrow IPC files, anything built from it), so the caller may
// release it once Add returns. After an error the export is aborted.
func (w *Writer) Add(in Input) (err error) {
	if w.failed != nil {
		return w.failed
	}
	defer func() {
		if err != nil {
			w.failed = err
			w.Abort()
		}
	}()
	if err := CheckLabel(in.Label); err != nil {
		return err
	}
	if w.labels[in.Label] {
		return fmt.Errorf("label %q is used twice; give each input its own --label", in.Label)
	}
	w.labels[in.Label] = true
	if in.Stats == nil && in.Pyperf == nil {
		return nil
	}
	if in.Pyperf != nil {
		if w.ref == nil {
			w.ref, w.refLabel = retainSuite(in.Pyperf), in.Label
		}
		in.ref, in.refLabel = w.ref, w.refLabel
	}
	if w.opt.Partition {
		return w.addParts(&in)
	}
	var todo []*Table
	for _, t := range tables {
		if !t.Takes(&in) {
			continue
		}
		if w.byName[t] == nil {
			ff, err := w.openFlat(t)
			if err != nil {
				return err
			}
			w.byName[t] = ff
			w.flat = append(w.flat, ff)
		}
		todo = append(todo, t)
	}
	return w.addFlat(todo, []Input{in})
}

// addFlat builds one input's rows of each table in todo and writes them to
// the table's file, on as many cores as there are (GOMAXPROCS), one table
// per goroutine at a time. Every file still receives its runs one after the
// other, in input order (Add returns when all are written), so its bytes
// do not depend on timing; the error returned is the first failing table's,
// in table order.
func (w *Writer) addFlat(todo []*Table, one []Input) error {
	errs := make([]error, len(todo))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(todo) {
					return
				}
				ff := w.byName[todo[i]]
				if err := ff.add(todo[i], one, w.opt); err != nil {
					errs[i] = fmt.Errorf("writing %s: %w", ff.file.Path, err)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// addParts builds the partition files of one input: each record is built
// here, in table order, then queued for the encoders, which create the file
// and write it (partWriter).
func (w *Writer) addParts(in *Input) error {
	if w.part == nil {
		w.part = newPartWriter(w.opt, w.stage.Create)
	}
	if err := w.part.failed(); err != nil {
		return w.partError(err)
	}
	one := []Input{*in}
	for _, t := range tables {
		if !t.Takes(in) {
			continue
		}
		path := t.Name + "/run=" + in.Label + "/part-0" + w.opt.Format.Ext()
		rec, err := buildRecord(t, one, in.Label, w.opt)
		if err != nil {
			return w.partError(fmt.Errorf("writing %s: %w", path, err))
		}
		w.wrote(File{Path: path, Table: t.Name, Run: in.Label, Rows: rec.NumRows()})
		w.part.send(t.Name, path, rec)
	}
	return nil
}

// partError is what a failed Add of a partitioned export reports: the error
// of an earlier file still being encoded if there is one (the encoders are
// let finish first), else err.
func (w *Writer) partError(err error) error {
	if perr := w.part.wait(); perr != nil {
		return perr
	}
	return err
}

// wrote counts a file written, and lists it with Options.ListFiles.
func (w *Writer) wrote(f File) {
	w.nfiles++
	w.nrows += f.Rows
	if w.opt.ListFiles {
		w.files = append(w.files, f)
	}
}

// Count returns the number of files written so far and their rows.
func (w *Writer) Count() (files int, rows int64) { return w.nfiles, w.nrows }

// Close finishes the files and swaps the folder in. With Options.ListFiles
// it returns the files written (Data nil); see Count for their number.
func (w *Writer) Close() (files []File, err error) {
	if w.failed != nil {
		return nil, w.failed
	}
	defer func() {
		if err != nil {
			w.failed = err
			w.Abort()
		}
	}()
	if w.part != nil {
		if err := w.part.wait(); err != nil {
			return nil, err
		}
	}
	for _, ff := range w.flat {
		if err := ff.close(w.opt); err != nil {
			return nil, fmt.Errorf("writing %s: %w", ff.file.Path, err)
		}
		w.wrote(ff.file)
	}
	w.flat = nil
	removed, err := w.stage.Commit()
	if err != nil {
		return nil, err
	}
	if w.opt.Log != nil && len(removed) > 0 {
		fmt.Fprintf(w.opt.Log, "removed %d file(s) of the previous export in %q that this export does not write: %s\n",
			len(removed), w.dir, strings.Join(removed, ", "))
	}
	w.failed = fmt.Errorf("export writer is closed")
	if w.ref != nil {
		w.ref.Release()
		w.ref = nil
	}
	return w.files, nil
}

// retainSuite is a copy of s that holds its own references to s's tables.
func retainSuite(s *pystats.PyperfSuite) *pystats.PyperfSuite {
	c := *s
	for _, r := range []arrow.RecordBatch{c.Benchmarks, c.Values, c.Warmups, c.Runs} {
		if r != nil {
			r.Retain()
		}
	}
	return &c
}

// Abort removes what the export wrote so far; it is safe to call more than
// once and after Close.
func (w *Writer) Abort() {
	if w.ref != nil {
		w.ref.Release()
		w.ref = nil
	}
	if w.part != nil {
		w.part.abort()
	}
	for _, ff := range w.flat {
		ff.abort()
	}
	w.flat = nil
	w.stage.Abort()
	if w.failed == nil {
		w.failed = fmt.Errorf("export aborted")
	}
}

// flatFile is one table's file of an unpartitioned export.
type flatFile struct {
	file File
	f    *os.File
	bw   *bufio.Writer
	pq   *parquetWriter
	csv  *csv.Writer
	// Arrow IPC: the first run's rows, kept for a file of one run (its
	// single record batch, as it was built); from a second run on, every
	// run is spilled instead (see ipcSpill).
	first arrow.RecordBatch
	spill *ipcSpill
}

func (w *Writer) openFlat(t *Table) (*flatFile, error) {
	path := t.Name + w.opt.Format.Ext()
	f, err := w.stage.Create(path)
	if err != nil {
		return nil, err
	}
	ff := &flatFile{file: File{Path: path, Table: t.Name}, f: f, bw: bufio.NewWriterSize(f, 64<<10)}
	switch w.opt.Format {
	case Parquet:
		ff.pq, err = newParquetWriter(ff.bw, t.Schema, w.opt)
	case CSV:
		ff.csv, err = newCSVWriter(ff.bw, t.Schema)
	}
	if err != nil {
		ff.abort()
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return ff, nil
}

func (ff *flatFile) add(t *Table, one []Input, opt Options) error {
	rec, err := t.Build(opt.Allocator, one)
	if err != nil {
		return err
	}
	ff.file.Rows += rec.NumRows()
	switch {
	case ff.pq != nil:
		defer rec.Release()
		if rec.NumRows() == 0 {
			return nil
		}
		return ff.pq.Write(rec)
	case ff.csv != nil:
		defer rec.Release()
		return writeCSVRows(ff.csv, rec)
	}
	if ff.first == nil && ff.spill == nil {
		ff.first = rec
		return nil
	}
	defer rec.Release()
	if ff.spill == nil {
		sp, err := newIPCSpill(t.Schema, opt.Allocator)
		if err != nil {
			return err
		}
		ff.spill = sp
		first := ff.first
		ff.first = nil
		err = sp.add(first)
		first.Release()
		if err != nil {
			return err
		}
	}
	return ff.spill.add(rec)
}

func (ff *flatFile) close(opt Options) error {
	var err error
	switch {
	case ff.pq != nil:
		err = ff.pq.Close()
		ff.pq = nil
	case ff.csv != nil:
		ff.csv.Flush()
		err = ff.csv.Error()
	case ff.spill != nil:
		err = ff.spill.finish(ff.bw, opt.Compression)
		ff.spill.close()
		ff.spill = nil
	case ff.first != nil:
		err = writeIPC(ff.bw, ff.first, opt.Compression, opt.Allocator)
		ff.first.Release()
		ff.first = nil
	}
	if err == nil {
		err = ff.bw.Flush()
	}
	if cerr := ff.f.Close(); err == nil {
		err = cerr
	}
	ff.f = nil
	return err
}

func (ff *flatFile) abort() {
	if ff.pq != nil {
		ff.pq.Close() // frees its buffers; the file is removed with the stage
		ff.pq = nil
	}
	if ff.first != nil {
		ff.first.Release()
		ff.first = nil
	}
	if ff.spill != nil {
		ff.spill.close()
		ff.spill = nil
	}
	if ff.f != nil {
		ff.f.Close()
		ff.f = nil
	}
}
