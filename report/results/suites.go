package results

import (
	"strings"
	"sync"

	"github.com/pystats-dev/pystats/pystats"
)

// maxHeldSuites bounds the suites kept read after their last use: a results
// tree compares thousands of heads with a few bases per runner, so the
// recently used bases are kept, not read again for each head. A seed-sized
// suite (90 benchmarks, 1-2 MB of JSON) holds well under 1 MiB of tables.
const maxHeldSuites = 12

// suiteCache reads the pyperf suites of results when a comparison needs
// their values, and releases them when they fall out of the most recently
// used few, so what a run holds does not grow with the number of results
// (the scan keeps only their names and metadata, see Result).
type suiteCache struct {
	mu   sync.Mutex
	held map[*Result]*heldSuite
	idle []*Result // held suites nobody uses, least recently used first
}

// heldSuite is one suite read (or being read: ready is closed when done).
type heldSuite struct {
	suite *pystats.PyperfSuite
	err   error
	refs  int
	ready chan struct{}
}

func newSuiteCache() *suiteCache { return &suiteCache{held: map[*Result]*heldSuite{}} }

// get returns r's whole suite, reading it if needed; every get is paired
// with a put once the suite is no longer used.
func (c *suiteCache) get(r *Result) (*pystats.PyperfSuite, error) {
	c.mu.Lock()
	h := c.held[r]
	if h == nil {
		h = &heldSuite{ready: make(chan struct{})}
		c.held[r] = h
		h.refs++
		c.mu.Unlock()
		h.suite, h.err = readSuite(r)
		close(h.ready)
		return h.suite, h.err
	}
	if h.refs == 0 {
		c.idle = removeResult(c.idle, r)
	}
	h.refs++
	c.mu.Unlock()
	<-h.ready
	return h.suite, h.err
}

// put ends a use of r's suite (see get); the least recently used idle
// suites beyond maxHeldSuites are released.
func (c *suiteCache) put(r *Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.held[r]
	if h.refs--; h.refs > 0 {
		return
	}
	if h.err != nil {
		delete(c.held, r) // not kept: a later get tries again
		return
	}
	c.idle = append(c.idle, r)
	for len(c.idle) > maxHeldSuites {
		old := c.idle[0]
		c.idle = c.idle[1:]
		c.held[old].suite.Release()
		delete(c.held, old)
	}
}

// close releases every suite held; none may be in use.
func (c *suiteCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for r, h := range c.held {
		if h.suite != nil {
			h.suite.Release()
		}
		delete(c.held, r)
	}
	c.idle = nil
}

func removeResult(rs []*Result, r *Result) []*Result {
	for i, x := range rs {
		if x == r {
			return append(rs[:i], rs[i+1:]...)
		}
	}
	return rs
}

// readSuite reads r's pyperf file, named in tables as r.Display.
func readSuite(r *Result) (*pystats.PyperfSuite, error) {
	s, err := pystats.ReadPyperfFile(r.Path)
	if err != nil {
		return nil, err
	}
	s.Path = r.Display
	return s, nil
}

// scanSuite reads r's pyperf file once and keeps what the pages need of it
// without its tables: metadata and benchmark names (interned in names, so
// the thousands of results of a tree share one copy of each name).
func scanSuite(r *Result, names map[string]string) error {
	s, err := readSuite(r)
	if err != nil {
		return err
	}
	defer s.Release()
	r.info = &pystats.PyperfSuite{Path: s.Path, Version: s.Version, Metadata: s.Metadata}
	n := s.NumBenchmarks()
	r.names = make([]string, n)
	for i := range n {
		name := s.Name(i) // aliases the released table: copy it once
		own, ok := names[name]
		if !ok {
			own = strings.Clone(name)
			names[own] = own
		}
		r.names[i] = own
	}
	return nil
}

// pair gets the suites of a comparison (see get); done puts them back.
func (c *suiteCache) pair(ref, head *Result) (refSuite, headSuite *pystats.PyperfSuite, done func(), err error) {
	refSuite, err = c.get(ref)
	if err != nil {
		c.put(ref)
		return nil, nil, nil, err
	}
	headSuite, err = c.get(head)
	if err != nil {
		c.put(ref)
		c.put(head)
		return nil, nil, nil, err
	}
	return refSuite, headSuite, func() { c.put(ref); c.put(head) }, nil
}
