package export

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/pystats-dev/pystats/pystats"
)

// pyperfMetadata returns bench_runner's commit metadata of a pyperf file.
func pyperfMetadata(s *pystats.PyperfSuite) (commit, fork, ref, date string) {
	commit, _ = s.MetaString("commit_id")
	fork, _ = s.MetaString("commit_fork")
	ref, _ = s.MetaString("commit_branch")
	date, _ = s.MetaString("commit_date")
	return commit, fork, ref, date
}

func f64(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
}

func i64(name string) arrow.Field { return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64} }

// benchmarkFields are the columns of the benchmarks table after the run
// columns: the pyperf reader's benchmarks table (pystats.PyperfBenchmarksSchema)
// with values renamed n and values_offset left out.
func benchmarkFields() []arrow.Field {
	return []arrow.Field{
		dict("name"),
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
		dict("unit"),
		nullable(i64("loops")), nullable(i64("inner_loops")),
		i64("runs"), i64("n"),
		f64("mean"), f64("median"), f64("stdev"),
		f64("mem_max_rss"), f64("command_max_rss"),
		{Name: "metadata", Type: arrow.BinaryTypes.String},
	}
}

// valueFields are the columns of the values table after the run columns.
func valueFields() []arrow.Field {
	return []arrow.Field{
		dict("benchmark"), i32("run_index"), i32("value_index"),
		{Name: "value", Type: arrow.PrimitiveTypes.Float64},
	}
}

// fillBenchmarks copies the pyperf reader's benchmarks table.
func fillBenchmarks(b *rows, in *Input) error {
	rec := in.Pyperf.Benchmarks
	name := rec.Column(pystats.PBName).(*array.String)
	tags := rec.Column(pystats.PBTags).(*array.List)
	tagValues := tags.ListValues().(*array.String)
	unit := rec.Column(pystats.PBUnit).(*array.String)
	tb := b.field(1).(*array.ListBuilder)
	tvb := tb.ValueBuilder().(*array.StringBuilder)
	int64s := func(col int) *array.Int64 { return rec.Column(col).(*array.Int64) }
	float64s := func(col int) *array.Float64 { return rec.Column(col).(*array.Float64) }
	for i := 0; i < int(rec.NumRows()); i++ {
		b.str(0, name.Value(i))
		tb.Append(true)
		start, end := tags.ValueOffsets(i)
		for j := start; j < end; j++ {
			tvb.Append(tagValues.Value(int(j)))
		}
		b.str(2, unit.Value(i))
		for j, col := range []int{pystats.PBLoops, pystats.PBInnerLoops} {
			a := int64s(col)
			b.i64OrNull(3+j, a.Value(i), a.IsValid(i))
		}
		b.i64(5, int64s(pystats.PBRuns).Value(i))
		b.i64(6, int64s(pystats.PBValues).Value(i))
		for j, col := range []int{pystats.PBMean, pystats.PBMedian, pystats.PBStdev, pystats.PBMemMaxRSS, pystats.PBCommandMaxRSS} {
			a := float64s(col)
			b.f64OrNull(7+j, a.Value(i), a.IsValid(i))
		}
		b.str(12, rec.Column(pystats.PBMetadata).(*array.String).Value(i))
	}
	return nil
}

// fillValues copies the pyperf reader's values table: one row per value
// (calibration runs and warmups excluded), runs and values numbered from 0.
func fillValues(b *rows, in *Input) error {
	rec := in.Pyperf.Values
	name := rec.Column(pystats.PVBenchmark).(*array.String)
	run := rec.Column(pystats.PVRun).(*array.Int32)
	idx := rec.Column(pystats.PVIndex).(*array.Int32)
	val := rec.Column(pystats.PVValue).(*array.Float64)
	for i := 0; i < int(rec.NumRows()); i++ {
		b.str(0, name.Value(i))
		b.i32(1, run.Value(i))
		b.i32(2, idx.Value(i))
		b.f64(3, val.Value(i))
	}
	return nil
}
