package results

import (
	"encoding/json"
	"slices"
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

// pageMeta are the metadata keys the pages and the base matching read of a
// result (Result.meta); the comparisons read the whole suite again.
var pageMeta = []string{"benchmark_hash", "commit_merge_base", "commit_date", "github_action_url", "cpu_model_name", "platform"}

// scanSuite reads r's pyperf file once and keeps what the pages need of it
// without its tables: the metadata entries of pageMeta (in file order) and
// the benchmark names, interned in names so that the thousands of results
// of a tree share one copy of each string and of each list of names (most
// results of a runner have the same benchmarks).
func scanSuite(r *Result, names map[string]string, lists map[string][]string) error {
	s, err := readSuite(r)
	if err != nil {
		return err
	}
	defer s.Release()
	intern := func(v string) string {
		own, ok := names[v]
		if !ok {
			own = strings.Clone(v) // may alias the released table or the file
			names[own] = own
		}
		return own
	}
	r.info = &pystats.PyperfSuite{Path: s.Path, Version: s.Version}
	for _, e := range s.Metadata {
		if !slices.Contains(pageMeta, e.Key) {
			continue
		}
		switch v := e.Value.(type) {
		case string:
			e.Value = intern(v)
		case json.Number:
			e.Value = json.Number(intern(string(v)))
		}
		r.info.Metadata = append(r.info.Metadata, pystats.MetaEntry{Key: intern(e.Key), Value: e.Value})
	}
	n := s.NumBenchmarks()
	own := make([]string, n)
	for i := range n {
		own[i] = intern(s.Name(i))
	}
	key := strings.Join(own, "\x00")
	if shared, ok := lists[key]; ok && slices.Equal(shared, own) {
		r.names = shared
	} else {
		lists[key] = own
		r.names = own
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
