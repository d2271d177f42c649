package export

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestPartWriterFirstError queues jobs whose files cannot be written (their
// create opens them read-only) or created, and wants the error of the first of them in job order, whatever
// the encoders' timing, every record released, and every other file
// complete up to that job.
func TestPartWriterFirstError(t *testing.T) {
	const jobs = 24
	for _, tc := range []struct {
		name    string
		failing []int // their files cannot be written
		refused []int // their files cannot be created
		abort   bool
		want    int // the job named by the error; -1: none
	}{
		{name: "none", want: -1},
		{name: "first", failing: []int{0}, want: 0},
		{name: "last", failing: []int{jobs - 1}, want: jobs - 1},
		{name: "two", failing: []int{17, 5}, want: 5},
		{name: "every other", failing: []int{3, 5, 7, 9, 11, 13}, want: 3},
		{name: "aborted", failing: []int{2}, abort: true, want: -1},
		{name: "not created", refused: []int{9}, want: 9},
		{name: "not created, then not written", failing: []int{6, 20}, refused: []int{4, 11}, want: 4},
		{name: "not written, then not created", failing: []int{1}, refused: []int{2, 3}, want: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for round := 0; round < 20; round++ {
				mem := checkedMem(t)
				dir := t.TempDir()
				bad := map[string]bool{}
				for _, i := range tc.failing {
					bad[fmt.Sprintf("part-%02d.parquet", i)] = true
				}
				refused := map[string]bool{}
				for _, i := range tc.refused {
					refused[fmt.Sprintf("part-%02d.parquet", i)] = true
				}
				create := func(rel string) (*os.File, error) {
					if refused[rel] {
						return nil, fmt.Errorf("writing %q: refused", rel)
					}
					return openJobFile(t, filepath.Join(dir, rel), bad[rel]), nil
				}
				p := newPartWriter(Options{Format: Parquet, Compression: Zstd, Allocator: mem}, create)
				for i := 0; i < jobs; i++ {
					p.send("t", fmt.Sprintf("part-%02d.parquet", i), smallRecord(mem, i))
				}
				var err error
				if tc.abort {
					p.abort()
				} else {
					err = p.wait()
				}
				switch {
				case tc.want < 0 && err != nil:
					t.Fatalf("round %d: %v", round, err)
				case tc.want >= 0 && (err == nil || !strings.Contains(err.Error(), fmt.Sprintf("part-%02d.parquet", tc.want))):
					t.Fatalf("round %d: error %v, want one naming part-%02d.parquet", round, err, tc.want)
				}
				for i := 0; i < jobs && !tc.abort && (tc.want < 0 || i < tc.want); i++ {
					if fi, err := os.Stat(filepath.Join(dir, fmt.Sprintf("part-%02d.parquet", i))); err != nil || fi.Size() == 0 {
						t.Fatalf("round %d: part-%02d.parquet not written before the first failure (%v)", round, i, err)
					}
				}
				if n := mem.CurrentAlloc(); n != 0 {
					t.Fatalf("round %d: %d bytes still allocated", round, n)
				}
			}
		})
	}
}

// TestPartWriterWaitTwice: wait and abort may follow each other (an Add that
// fails, then the Writer's Abort).
func TestPartWriterWaitTwice(t *testing.T) {
	p := newPartWriter(Options{Format: Parquet, Compression: Zstd, Allocator: memory.DefaultAllocator}, os.Create)
	if err := p.wait(); err != nil {
		t.Fatal(err)
	}
	p.abort()
	if err := p.wait(); err != nil {
		t.Fatal(err)
	}
}

// openJobFile creates path, reopened read-only when it is to fail.
func openJobFile(t *testing.T, path string, fail bool) *os.File {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if fail {
		f.Close()
		if f, err = os.Open(path); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// smallRecord is a one-column record of n+1 rows.
func smallRecord(mem memory.Allocator, n int) arrow.RecordBatch {
	sc := arrow.NewSchema([]arrow.Field{{Name: "count", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	for i := 0; i <= n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
	}
	return b.NewRecordBatch()
}
