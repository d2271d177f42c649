package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pystats-dev/pystats/internal/shared"
)

// seedHead is the seed's head results folder (see
// ../shared/data/real-timing/README.md): four runners' pyperf JSON, the
// pystats JSON and table, every comparison table and plot, the README.
const seedHead = "bm-20230415-3.12.0a7+-4fe1c4b"

// resultsFleet makes a bench_runner results tree under dir: the seed's two
// base folders and k copies of its head folder under distinct dates and
// commit hashes (bm-2xxxxxxx-3.12.0a7+-HASH, every file renamed to match),
// with their comparison tables, plots and pystats table, so that a run has
// only the README.md pages to make, as when a tree of thousands of results
// is regenerated after one new result. Files are hard links where the file
// system allows (they are never written: existing outputs are kept), copies
// else; README.md files are copies. It returns the tree.
func resultsFleet(tb testing.TB, dir string, k int) string {
	tb.Helper()
	src := shared.Path(tb, "data/real-timing/public/results")
	root := filepath.Join(dir, "results")
	place := func(from, to string, link bool) {
		if link && os.Link(from, to) == nil {
			return
		}
		in, err := os.Open(from)
		if err != nil {
			tb.Fatal(err)
		}
		defer in.Close()
		out, err := os.Create(to)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			tb.Fatal(err)
		}
		if err := out.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	copyDir := func(from, to string, rename func(string) string) {
		ents, err := os.ReadDir(from)
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.MkdirAll(to, 0o755); err != nil {
			tb.Fatal(err)
		}
		for _, e := range ents {
			place(filepath.Join(from, e.Name()), filepath.Join(to, rename(e.Name())), e.Name() != "README.md")
		}
	}
	same := func(s string) string { return s }
	copyDir(filepath.Join(src, "bm-20220323-3.10.4-9d38120"), filepath.Join(root, "bm-20220323-3.10.4-9d38120"), same)
	copyDir(filepath.Join(src, "bm-20221024-3.11.0-deaf509"), filepath.Join(root, "bm-20221024-3.11.0-deaf509"), same)
	for i := range k {
		date, hash := fmt.Sprintf("2%07d", i), fmt.Sprintf("%07x", 0x1000000+i)
		r := strings.NewReplacer("20230415", date, "4fe1c4b", hash)
		copyDir(filepath.Join(src, seedHead), filepath.Join(root, r.Replace(seedHead)), r.Replace)
	}
	return root
}

// BenchmarkResultsFleet runs `pystats results` over a results tree of k
// copies of the seed's head folder (k=25: 532 files, k=250: 5,257 files;
// each copy holds 4 raw results, compared with 7 base results in all),
// reporting seconds and
// peak RSS (MiB) per run. Run:
// go test ./cmd/pystats -run '^$' -bench ResultsFleet -benchtime 1x
func BenchmarkResultsFleet(b *testing.B) {
	for _, k := range []int{25, 250} {
		b.Run(fmt.Sprint(k), func(b *testing.B) {
			root := resultsFleet(b, b.TempDir(), k)
			// The first run draws the base folders' own comparisons (3.10.4
			// vs 3.11.0 and back) and rewrites the pages; the runs measured
			// read every result and make every page, and write nothing.
			runMain(b, "results", "-q", "--path-prefix", "public/results", root)
			b.ResetTimer()
			var maxRSS int64
			var total time.Duration
			for range b.N {
				elapsed, rss := runMain(b, "results", "-q", "--path-prefix", "public/results", root)
				total += elapsed
				maxRSS = max(maxRSS, rss)
			}
			b.ReportMetric(total.Seconds()/float64(b.N), "s/run")
			b.ReportMetric(float64(maxRSS)/(1<<20), "peak-MiB")
		})
	}
}
