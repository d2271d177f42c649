package pystats

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// ReadTarball reads the dump files of a tar archive, plain or gzip- or
// zstd-compressed (as Read does for any file that holds one).
//
// Members are taken in archive order, whatever Options.DirectoryOrder says
// (the order is the archive's, fixed by its bytes, so both --file-order
// modes give the same result), and parsed on several cores while the
// archive is read on, each member of up to 1 MiB whole, a larger one as it
// streams by. Directories and macOS
// "._" files are skipped. A hard link or a symbolic link counts as a dump of
// its own holding the linked member's content, as a link in a dump folder
// does; a link that leaves the archive, or points to a missing member or to a
// directory, is an error. So is any other kind of member (a device, a FIFO),
// a member name that occurs twice, an archive cut short (without its
// end-of-archive blocks) and a compressed stream with a bad checksum.
func ReadTarball(path string, opt Options) (*Stats, error) {
	if !hasTarName(path) {
		// Read sniffs; a tarball asked for by name must be one.
		st, err := readFile(path, opt)
		if err == nil && st.Source.Kind != KindTarball {
			st.Release()
			return nil, fmt.Errorf("%s: not a tar archive", QuoteName(path))
		}
		return st, err
	}
	return readFile(path, opt)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// tarMember is what the reader remembers of a member: enough to resolve
// links and to name duplicates.
type tarMember struct {
	entry  int    // 1-based position in the archive
	name   string // as stored
	typ    byte
	target string // for links: the cleaned target name
}

// tarLink is a link member waiting for its target's content.
type tarLink struct {
	order  int
	name   string // member name as stored
	target string // resolved regular member
}

// maxTrailing bounds the bytes read after the end-of-archive blocks.
const maxTrailing = 1 << 20

// maxLinkHops bounds chains of symbolic links (as the kernel's ELOOP does).
const maxLinkHops = 40

// readTar reads a tar stream. open, nil for standard input, opens the
// archive again from its start for a second pass over the members that
// links point to.
func readTar(name string, r io.Reader, open func() (io.Reader, func(), error), opt Options) (*Stats, error) {
	cr := &countingReader{r: r}
	tr := tar.NewReader(cr)
	// Members are parsed on the other cores while this goroutine reads
	// (and decompresses) the archive, or here when every core is busy
	// (memberParsers); a member too large to hand over is parsed here, as
	// it streams by, into the reader's own aggregator.
	var buf []byte // made for the first large member
	parsers := newMemberParsers(opt)
	defer parsers.stop() // after an error too: no worker outlives the read
	members := map[string]tarMember{}
	var links []tarLink
	var pending []string // link member names, in order, before resolution
	var pendingOrder []int
	order, entry := 0, 0
	var skip int64 // bytes Next must skip before the next header
	truncated := func() error {
		return fmt.Errorf("%s: truncated archive (it ends after %d members without the end-of-archive blocks)", QuoteName(name), entry)
	}
	for {
		before := cr.n
		h, err := tr.Next()
		if err == io.EOF {
			if cr.n-before < skip+512 {
				return nil, parsers.firstError(order, truncated())
			}
			break
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, parsers.firstError(order, truncated())
			}
			return nil, parsers.firstError(order, fmt.Errorf("%s: reading archive (after %d members): %w", QuoteName(name), entry, err))
		}
		entry++
		skip = (h.Size + 511) &^ 511
		clean := path.Clean(h.Name)
		if h.Typeflag == tar.TypeDir || h.Typeflag == tar.TypeXGlobalHeader {
			continue // folders; a pax global header (git archive writes one)
		}
		if prev, ok := members[clean]; ok {
			return nil, parsers.firstError(order, fmt.Errorf("%s: members %q (entry %d) and %q (entry %d) are the same file: the archive is ambiguous", QuoteName(name), prev.name, prev.entry, h.Name, entry))
		}
		m := tarMember{entry: entry, name: h.Name, typ: h.Typeflag}
		switch h.Typeflag {
		case tar.TypeReg:
		case tar.TypeLink:
			m.target = path.Clean(h.Linkname)
		case tar.TypeSymlink:
			if path.IsAbs(h.Linkname) {
				m.target = "/" // outside
			} else {
				m.target = path.Join(path.Dir(clean), h.Linkname)
			}
		default:
			return nil, parsers.firstError(order, fmt.Errorf("%s: member %q is not a regular file (tar type %q; an archive of dumps holds only dump files)", QuoteName(name), h.Name, h.Typeflag))
		}
		members[clean] = m
		if strings.HasPrefix(path.Base(clean), "._") {
			continue // macOS resource forks
		}
		if m.typ == tar.TypeLink || m.typ == tar.TypeSymlink {
			pending = append(pending, clean)
			pendingOrder = append(pendingOrder, order)
			order++
			continue
		}
		var n int64
		if h.Size <= maxHandedMember {
			n, err = parsers.parse(order, name+":"+h.Name, tr, h.Size)
		} else {
			if buf == nil {
				buf = make([]byte, ReadBlockSize)
			}
			n, err = parsers.readerAggregator().addStream(name+":"+h.Name, order, tr, buf)
			if err == nil && opt.Progress != nil {
				opt.Progress(n)
			}
		}
		if err != nil {
			return nil, parsers.firstError(order, err)
		}
		if parsers.failed() {
			break // a member handed over is bad; its error is returned below
		}
		skip -= n
		order++
	}
	a, err := parsers.wait()
	if err != nil {
		return nil, err
	}
	// Read on to the end of the stream so that a compressed archive's
	// checksum is checked. What follows the end-of-archive blocks is the
	// padding of the last record (tar writes 10 KiB records); much more is
	// not an archive of ours.
	if n, err := io.CopyN(io.Discard, cr, maxTrailing+1); err != io.EOF {
		if err != nil {
			return nil, streamErr(name, err)
		}
		return nil, fmt.Errorf("%s: more than %d KiB of data after the end of the archive (%d bytes read)", QuoteName(name), maxTrailing>>10, n)
	}
	for i, ln := range pending {
		target, err := resolveLink(name, members, ln)
		if err != nil {
			return nil, err
		}
		links = append(links, tarLink{order: pendingOrder[i], name: ln, target: target})
	}
	if len(links) > 0 {
		if err := readLinkTargets(name, a, links, open); err != nil {
			return nil, err
		}
	}
	if a.files == 0 {
		return nil, fmt.Errorf("%s: %w", QuoteName(name), ErrNoData)
	}
	st, err := finish(a, name, KindTarball, opt)
	return st, err
}

// maxHandedMember is the largest member handed to another core (read whole
// into a buffer); a larger one is parsed as it streams by. Dumps are about
// 130 KB.
const maxHandedMember = 1 << 20

// memberParsers parse the members of an archive that its reader hands over,
// one aggregator per core, as readFiles does with the files of a folder.
// When every worker is busy and the queue is full, the reader parses the
// member itself, into its own aggregator (own), instead of waiting: a
// worker that took a job would otherwise make the reader runnable on its
// own, busy core, and the reader waited there to be scheduled (an
// uncompressed archive of 1,790 dumps: 12% slower than the same folder;
// now 5%). At most 2 buffers per worker are in use (one parsed, one
// queued), and one that the reader reads or parses, so memory stays bounded
// whatever the archive holds.
type memberParsers struct {
	jobs     chan memberJob
	free     chan []byte
	aggs     []*aggregator
	errs     []memberErr // each worker's first error
	wg       sync.WaitGroup
	minFail  atomic.Int64 // the order of the earliest bad member, or math.MaxInt64
	progress func(int64)
	done     bool
	strict   bool
	own      *aggregator // the members the reader parsed itself, or nil
	ownErr   memberErr   // the first error of those handed to itself
}

// memberJob is a member read whole, for a worker to parse.
type memberJob struct {
	order int
	name  string
	data  []byte
}

// memberErr is a member's error and its position in the archive.
type memberErr struct {
	order int
	err   error
}

func newMemberParsers(opt Options) *memberParsers {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &memberParsers{jobs: make(chan memberJob, workers), free: make(chan []byte, 2*workers+1),
		aggs: make([]*aggregator, workers), errs: make([]memberErr, workers), progress: opt.Progress, strict: opt.Strict}
	p.minFail.Store(math.MaxInt64)
	for w := range p.aggs {
		p.wg.Add(1)
		go p.work(w)
	}
	return p
}

// work parses handed members until the jobs close. After a bad member,
// only the members before it are still parsed (one of them may be bad too,
// and its error comes first); the rest are only released.
func (p *memberParsers) work(w int) {
	defer p.wg.Done()
	for j := range p.jobs {
		p.parseOne(&p.aggs[w], &p.errs[w], j)
	}
}

// parseOne parses a handed member into *a, made on the first member (a
// small archive needs fewer), unless a member before it was bad; it keeps
// the member's error in e and frees its buffer.
func (p *memberParsers) parseOne(a **aggregator, e *memberErr, j memberJob) {
	if int64(j.order) < p.minFail.Load() {
		if *a == nil {
			*a = p.newAggregator()
		}
		if err := (*a).addFile(j.name, j.order, j.data); err != nil {
			if e.err == nil || j.order < e.order {
				*e = memberErr{j.order, err}
			}
			lowerTo(&p.minFail, int64(j.order))
		} else if p.progress != nil {
			p.progress(int64(len(j.data)))
		}
	}
	p.free <- j.data[:0]
}

// newAggregator is an aggregator for one goroutine's members.
func (p *memberParsers) newAggregator() *aggregator {
	a := newAggregator()
	a.strict = p.strict
	return a
}

// readerAggregator is the reader's own aggregator, for the members it
// parses itself (made on the first).
func (p *memberParsers) readerAggregator() *aggregator {
	if p.own == nil {
		p.own = p.newAggregator()
	}
	return p.own
}

// lowerTo sets v to x if x is smaller.
func lowerTo(v *atomic.Int64, x int64) {
	for cur := v.Load(); x < cur; cur = v.Load() {
		if v.CompareAndSwap(cur, x) {
			return
		}
	}
}

// parse reads the member of size bytes from r and hands it to a worker.
func (p *memberParsers) parse(order int, name string, r io.Reader, size int64) (int64, error) {
	var data []byte
	select {
	case data = <-p.free:
	default:
	}
	if int64(cap(data)) < size {
		// Grown by doubling (up to the largest member handed over), so
		// that a run of growing members makes few buffers.
		data = make([]byte, 0, max(size, min(2*int64(cap(data)), maxHandedMember)))
	}
	data = data[:size]
	n, err := io.ReadFull(r, data)
	if err != nil {
		p.free <- data[:0]
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return int64(n), fmt.Errorf("reading %s: %w", QuoteName(name), err)
	}
	j := memberJob{order: order, name: name, data: data}
	select {
	case p.jobs <- j:
	default:
		// Every worker is busy and the queue is full: parse it here
		// rather than wait for a worker to take one (and to be scheduled).
		p.parseOne(&p.own, &p.ownErr, j)
	}
	return size, nil
}

// failed reports whether a handed member was bad.
func (p *memberParsers) failed() bool { return p.minFail.Load() != math.MaxInt64 }

// stop waits for the workers to finish what they were handed; calling it
// again does nothing.
func (p *memberParsers) stop() {
	if !p.done {
		p.done = true
		close(p.jobs)
		p.wg.Wait()
	}
}

// firstError is the error to report when reading the member at order
// failed with err: a handed member before it that was bad comes first, as
// it would have been met first reading the archive in one pass.
func (p *memberParsers) firstError(order int, err error) error {
	p.stop()
	if e := p.workerError(); e.err != nil && e.order < order {
		return e.err
	}
	return err
}

// workerError is the error of the earliest bad member handed over (parsed
// by a worker or by the reader itself), if any.
func (p *memberParsers) workerError() memberErr {
	first := p.ownErr
	for _, e := range p.errs {
		if e.err != nil && (first.err == nil || e.order < first.order) {
			first = e
		}
	}
	return first
}

// wait waits for the workers and returns the sum of their aggregators and
// the reader's own, or the error of the earliest bad member.
func (p *memberParsers) wait() (*aggregator, error) {
	p.stop()
	if e := p.workerError(); e.err != nil {
		return nil, e.err
	}
	var a *aggregator
	for _, b := range append(p.aggs, p.own) {
		switch {
		case b == nil:
		case a == nil:
			a = b
		default:
			if err := a.merge(b); err != nil {
				return nil, err
			}
		}
	}
	if a == nil {
		a = newAggregator() // no member: the caller reports that
	}
	return a, nil
}

// resolveLink follows a link member to the regular member it names.
func resolveLink(archive string, members map[string]tarMember, name string) (string, error) {
	cur := name
	for hop := 0; hop < maxLinkHops; hop++ {
		m := members[cur]
		if m.typ != tar.TypeLink && m.typ != tar.TypeSymlink {
			return cur, nil
		}
		t := m.target
		if t == ".." || strings.HasPrefix(t, "../") || path.IsAbs(t) {
			return "", fmt.Errorf("%s: member %q links to %q, outside the archive", QuoteName(archive), name, t)
		}
		tm, ok := members[t]
		if !ok {
			return "", fmt.Errorf("%s: member %q links to %q, which is not in the archive", QuoteName(archive), name, t)
		}
		if tm.typ == tar.TypeDir {
			return "", fmt.Errorf("%s: member %q links to the directory %q (an archive of dumps holds only dump files)", QuoteName(archive), name, t)
		}
		cur = t
	}
	return "", fmt.Errorf("%s: member %q: too many levels of links", QuoteName(archive), name)
}

// readLinkTargets reads the archive a second time and adds each link
// target's counters once per link, under the link's name and position.
func readLinkTargets(name string, a *aggregator, links []tarLink, open func() (io.Reader, func(), error)) error {
	if open == nil {
		return fmt.Errorf("%s: the archive holds links (%q -> %q); links are read from archive files, not from standard input", QuoteName(name), links[0].name, links[0].target)
	}
	r, done, err := open()
	if err != nil {
		return err
	}
	defer done()
	byTarget := map[string][]tarLink{}
	for _, l := range links {
		byTarget[l.target] = append(byTarget[l.target], l)
	}
	tr := tar.NewReader(r)
	buf := make([]byte, ReadBlockSize)
	for len(byTarget) > 0 {
		h, err := tr.Next()
		if err != nil {
			return fmt.Errorf("%s: reading archive again for its links: %w", QuoteName(name), err)
		}
		ls, ok := byTarget[path.Clean(h.Name)]
		if !ok || h.Typeflag == tar.TypeLink || h.Typeflag == tar.TypeSymlink {
			continue
		}
		delete(byTarget, path.Clean(h.Name))
		sub := newAggregator()
		sub.strict = a.strict
		if _, err := sub.addStream(name+":"+ls[0].name, 0, tr, buf); err != nil {
			return err
		}
		for _, l := range ls {
			if err := a.addAggregate(sub, l.order, name+":"+l.name); err != nil {
				return err
			}
		}
	}
	return nil
}

// addAggregate adds the counters of sub, one file's, as the file at position
// order named name.
func (a *aggregator) addAggregate(sub *aggregator, order int, name string) error {
	fp := fileParse{name: name, order: int32(order), prev: -1}
	for _, s := range sub.slots {
		fp.line = s.firstLine
		k := s.name()
		i, ok := a.index[k]
		if !ok {
			if len(a.slots) >= MaxKeys {
				return tooManyKeys(name, int(s.firstLine))
			}
			a.index[k] = int32(len(a.slots))
			a.slots = append(a.slots, newSlot(k, s.value, fp.order, s.firstLine))
			continue
		}
		t := &a.slots[i]
		if fp.order < t.firstFile {
			t.firstFile, t.firstLine = fp.order, s.firstLine
		}
		sum, carry := bitsAdd(t.value, s.value)
		if carry {
			return &ParseError{File: name, Line: int(s.firstLine), Msg: fmt.Sprintf("sum of %q overflows uint64 (%d + %d)", t.name(), t.value, s.value)}
		}
		t.value = sum
	}
	for k := range numWarnKinds {
		for _, w := range sub.warn.kept[k] {
			w.order, w.w.File = fp.order, name
			a.warn.kept[k] = append(a.warn.kept[k], w)
		}
		for _, c := range sub.warn.more[k] {
			a.warn.count(k, fp.order, name, c.n)
		}
		a.warn.normalize(k)
	}
	a.files += sub.files
	a.lines += sub.lines
	a.bytes += sub.bytes
	return nil
}

// streamErr describes an error of a compressed stream read to its end.
func streamErr(name string, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: truncated compressed stream (the file is cut short): %w", QuoteName(name), err)
	}
	return fmt.Errorf("%s: damaged compressed stream: %w", QuoteName(name), err)
}
