package results

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
)

// TestSuiteCache reads one real pyperf file as many results, from several
// goroutines: every get returns the whole suite under its display name, a
// result read is read once while it is held, and no more than
// maxHeldSuites idle suites are kept.
func TestSuiteCache(t *testing.T) {
	path := filepath.Join(shared.Path(t, "data/real-timing/public/results"), "bm-20220323-3.10.4-9d38120", "bm-20220323-linux-x86_64-python-9d38120e335357a3b294-3.10.4-9d38120.json")
	rs := make([]*Result, 3*maxHeldSuites)
	for i := range rs {
		rs[i] = &Result{Path: path, Display: fmt.Sprintf("r%02d.json", i)}
	}
	c := newSuiteCache()
	defer c.close()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rs {
				r := rs[(i+w)%len(rs)]
				ref, head, done, err := c.pair(rs[0], r)
				if err != nil {
					t.Error(err)
					return
				}
				if ref.Path != "r00.json" || head.Path != r.Display || head.NumBenchmarks() == 0 {
					t.Errorf("got %s and %s (%d benchmarks) for r00.json and %s", ref.Path, head.Path, head.NumBenchmarks(), r.Display)
				}
				done()
			}
		}()
	}
	wg.Wait()
	c.mu.Lock()
	held, idle := len(c.held), len(c.idle)
	c.mu.Unlock()
	if held > maxHeldSuites || idle != held {
		t.Errorf("%d suites held, %d idle, want at most %d, all idle", held, idle, maxHeldSuites)
	}
	// A missing file is an error for every get, and is not kept.
	missing := &Result{Path: filepath.Join(t.TempDir(), "none.json")}
	for range 2 {
		if _, _, _, err := c.pair(rs[0], missing); err == nil {
			t.Error("no error for a missing file")
		}
	}
	if c.held[missing] != nil {
		t.Error("a failed read is kept")
	}
}
