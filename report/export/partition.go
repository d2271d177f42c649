package export

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// A partitioned export's files are independent: each (table, run) file is
// one record encoded on its own. The Writer builds a run's records in input
// order, on the caller's goroutine, and hands the creating, encoding and
// writing of their files to partEncoders goroutines, so that a fleet uses a
// second core: reading and building the next input goes on while the
// previous one is written. The records are copies (Table.Build), so the
// caller may still release its input when Add returns.
//
// The files are created by the encoders too: a fleet makes two entries per
// file (its run=<label> folder and the file), and on a file system where
// making them is slow, such as an ext4 without a journal shortly after
// other exports were deleted (each new inode is then checked against the
// recently freed ones), that work was most of the caller's goroutine's time
// and now runs on both cores. 300 summarize JSONs (3,900 files), five
// alternating runs each on this project's 2-core machine: on that ext4 at
// its worst, median 15.5 -> 14.1 s (both cores then spend most of the time
// in the kernel); on tmpfs, 6.7 -> 6.1 s.

// partEncoders is the number of goroutines encoding partition files. Two
// keep up with the goroutine that reads and builds the inputs (encoding is
// about two thirds of a summarize JSON's time), and each one holds a zstd
// encoder and Parquet page buffers.
const partEncoders = 2

// partQueue is how many built records may wait for an encoder: enough to
// keep both encoders busy while the next input is read, few enough that
// memory does not grow with the number of inputs (300 summarize JSONs: 4,
// 8 and 16 gave 56.5, 57-58 and 57-60 MiB peak RSS).
const partQueue = 8

// partJob is one partition file to write: its record (without the run
// column) and its path in the stage.
type partJob struct {
	seq   int // the job's place in input and table order
	table string
	path  string
	rec   arrow.RecordBatch
}

// createFunc creates a file of the export (atomicfile.DirStage.Create, safe
// for concurrent use).
type createFunc func(rel string) (*os.File, error)

// partWriter runs the encoders of a partitioned export. An encoding or write
// error is kept with its job's place; once one is seen, later jobs are
// skipped and their files left to the stage's removal, so the error
// reported is the one of the first failing file, whatever the timing.
type partWriter struct {
	opt    Options
	create createFunc
	jobs   chan partJob
	wg     sync.WaitGroup
	stop   sync.Once
	next   int // seq of the next job

	mu      sync.Mutex
	err     error // the failure of the lowest-seq failing job
	errSeq  int
	aborted bool // skip every job still queued
}

// newPartWriter starts the encoders, which create their files with create.
func newPartWriter(opt Options, create createFunc) *partWriter {
	p := &partWriter{opt: opt, create: create, jobs: make(chan partJob, partQueue)}
	n := min(partEncoders, runtime.GOMAXPROCS(0))
	p.wg.Add(n)
	for range n {
		go p.encode()
	}
	return p
}

// send queues rec for writing to a new file at path; rec is released once
// written.
func (p *partWriter) send(table, path string, rec arrow.RecordBatch) {
	p.jobs <- partJob{seq: p.next, table: table, path: path, rec: rec}
	p.next++
}

// encode writes queued jobs until the queue is closed.
func (p *partWriter) encode() {
	defer p.wg.Done()
	bw := bufio.NewWriterSize(nil, 64<<10)
	for j := range p.jobs {
		var err error
		if !p.skip(j.seq) {
			err = p.write(j, bw)
		}
		j.rec.Release()
		if err != nil {
			p.fail(j.seq, err)
		}
	}
}

// write creates one job's file and encodes its record into it.
func (p *partWriter) write(j partJob, bw *bufio.Writer) error {
	f, err := p.create(j.path)
	if err != nil {
		return err
	}
	bw.Reset(f)
	err = encodeRecord(bw, j.rec, p.opt)
	if err != nil {
		err = fmt.Errorf("encoding %s: %w", j.table, err)
	} else {
		err = bw.Flush()
	}
	bw.Reset(nil)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", j.path, err)
	}
	return nil
}

// skip reports whether a job need not run: the export is aborted, or an
// earlier job failed already.
func (p *partWriter) skip(seq int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.aborted || (p.err != nil && seq > p.errSeq)
}

// fail keeps err if its job comes before every failure seen so far.
func (p *partWriter) fail(seq int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err == nil || seq < p.errSeq {
		p.err, p.errSeq = err, seq
	}
}

// failed returns an encoder's error seen so far (nil if none).
func (p *partWriter) failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// wait lets the encoders finish every queued job and stop, and returns the
// first failing job's error; the partWriter takes no more jobs. It may be
// called more than once.
func (p *partWriter) wait() error {
	p.stop.Do(func() {
		close(p.jobs)
		p.wg.Wait()
	})
	return p.failed()
}

// abort stops the encoders, skipping the jobs still queued (the stage
// removes the files written).
func (p *partWriter) abort() {
	p.mu.Lock()
	p.aborted = true
	p.mu.Unlock()
	p.wait()
}
