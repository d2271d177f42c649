package export

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

const largeTarball = "dumps/3.13/LARGE_test_suite_136/raw.tar.gz"

// BenchmarkExportLarge measures the whole export of the LARGE 3.13 data set
// (179 dumps in a .tar.gz): read and sum the dumps, build the tables, encode
// zstd Parquet and write the files. Bytes are the uncompressed dump bytes.
func BenchmarkExportLarge(b *testing.B) {
	path := dataPath(b, largeTarball)
	dir := b.TempDir()
	st, err := pystats.Read(path, pystats.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Source.Bytes)
	st.Release()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := pystats.Read(path, pystats.Options{})
		if err != nil {
			b.Fatal(err)
		}
		in := Input{Label: "large", Stats: st, Era: pystats.DetectEra(st)}
		in.Tables, _ = specialize.Embedded(in.Era.Version)
		if in.Tables != nil {
			specialize.Attach(st, in.Tables)
		}
		if _, err := Write(dir, []Input{in}, Options{}); err != nil {
			b.Fatal(err)
		}
		st.Release()
	}
}

// BenchmarkEncodeLarge measures building and encoding the tables of the LARGE
// data set once it is read (no file I/O), per format.
func BenchmarkEncodeLarge(b *testing.B) {
	mem := memory.DefaultAllocator
	st, err := pystats.Read(dataPath(b, largeTarball), pystats.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Release()
	in := Input{Label: "large", Stats: st, Era: pystats.DetectEra(st)}
	in.Tables, _ = specialize.Embedded(in.Era.Version)
	if in.Tables != nil {
		specialize.Attach(st, in.Tables)
	}
	for _, f := range []Format{Parquet, Arrow, CSV} {
		b.Run(string(f), func(b *testing.B) {
			b.SetBytes(st.Source.Bytes)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Encode([]Input{in}, Options{Format: f, Allocator: mem}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestExportLargeLeaksNothing exports the LARGE data set with a checked
// allocator.
func TestExportLargeLeaksNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	mem := checkedMem(t)
	in := loadStats(t, mem, "large", dataPath(t, largeTarball))
	ref := readReference(t, dataPath(t, "dumps/3.13/LARGE_test_suite_136/summarize_stats.json"))
	dir := t.TempDir()
	if _, err := Write(dir, []Input{in}, Options{Allocator: mem}); err != nil {
		t.Fatal(err)
	}
	checkCounters(t, readParquet(t, mem, dir+"/counters.parquet"), ref)
	checkOpcodes(t, readParquet(t, mem, dir+"/opcodes.parquet"), ref)
}
