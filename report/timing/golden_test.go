package timing

import (
	"github.com/pystats-dev/pystats/internal/golden"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
)

const seedDir = "public/results/bm-20230415-3.12.0a7+-4fe1c4b"

// seedPairs are the published comparisons of the seed: head, base directory
// and base file, relative to data/real-timing.
func seedPairs(t testing.TB) (root string, pairs [][3]string) {
	root = shared.Path(t, "data/real-timing")
	mds, err := filepath.Glob(filepath.Join(root, seedDir, "*-vs-*.md"))
	if err != nil || len(mds) == 0 {
		t.Skip("no seed tables")
	}
	for _, md := range mds {
		name := filepath.Base(md)
		i := strings.Index(name, "-vs-")
		head := seedDir + "/" + name[:i] + ".json"
		base := strings.TrimSuffix(name[i+4:], ".md")
		hn, _ := ParseResultName(head)
		bases, _ := filepath.Glob(filepath.Join(root, "public/results/bm-*-"+base+"-*", "bm-*-"+hn.Nickname+"-*-"+base+"-*.json"))
		if len(bases) != 1 {
			t.Fatalf("%s: %d base files", name, len(bases))
		}
		rel, _ := filepath.Rel(root, bases[0])
		pairs = append(pairs, [3]string{seedDir + "/" + name, head, rel})
	}
	return root, pairs
}

func chdir(t testing.TB, dir string) {
	old, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(old) })
}

func TestSeedTablesByteForByte(t *testing.T) {
	root, pairs := seedPairs(t)
	chdir(t, root)
	for _, p := range pairs {
		t.Run(filepath.Base(p[0]), func(t *testing.T) {
			want, err := os.ReadFile(p[0])
			if err != nil {
				t.Fatal(err)
			}
			ref, err := pystats.ReadPyperfFile(p[2])
			if err != nil {
				t.Fatal(err)
			}
			defer ref.Release()
			head, err := pystats.ReadPyperfFile(p[1])
			if err != nil {
				t.Fatal(err)
			}
			defer head.Release()
			base := strings.TrimSuffix(p[0][strings.Index(p[0], "-vs-")+4:], ".md")
			got, _, err := BenchRunnerMarkdown(ref, head, base, DefaultRunners())
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("differs from the published file at %s", golden.FirstDiff(got, want))
			}
		})
	}
}
