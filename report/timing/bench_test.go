package timing

import (
	"io"
	"os"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
)

// BenchmarkTimingSeedLinux reads the seed's linux head and 3.10.4 base and
// writes the compare_to table, as "pystats timing" does.
func BenchmarkTimingSeedLinux(b *testing.B) {
	root, pairs := seedPairs(b)
	chdir(b, root)
	var p [3]string
	for _, x := range pairs {
		if hn, _ := ParseResultName(x[1]); hn.Nickname == "linux" && x[2] != "" && len(x[0]) > 0 && x[0][len(x[0])-9:] == "3.10.4.md" {
			p = x
		}
	}
	var size int64
	for _, f := range p[1:] {
		fi, err := os.Stat(f)
		if err != nil {
			b.Fatal(err)
		}
		size += fi.Size()
	}
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		ref, err := pystats.ReadPyperfFile(p[2])
		if err != nil {
			b.Fatal(err)
		}
		head, err := pystats.ReadPyperfFile(p[1])
		if err != nil {
			b.Fatal(err)
		}
		c, err := Compare(ref, []*pystats.PyperfSuite{head}, Options{GroupBySpeed: true})
		if err != nil {
			b.Fatal(err)
		}
		c.WriteTable(io.Discard)
		ref.Release()
		head.Release()
	}
}
