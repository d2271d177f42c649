package export

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/timing"
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
	runMean := runMemory(in.Pyperf)
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
		for j, col := range []int{pystats.PBMean, pystats.PBMedian, pystats.PBStdev} {
			a := float64s(col)
			b.f64OrNull(7+j, a.Value(i), a.IsValid(i))
		}
		for j, col := range []int{pystats.PBMemMaxRSS, pystats.PBCommandMaxRSS} {
			a := float64s(col)
			if a.IsValid(i) {
				b.f64(10+j, a.Value(i))
				continue
			}
			// pyperf keeps a value that differs between runs in each run's
			// metadata, not the benchmark's: their mean.
			v, ok := runMean[j][name.Value(i)]
			b.f64OrNull(10+j, v, ok)
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

// runMemory is the mean of each benchmark's run-level mem_max_rss ([0]) and
// command_max_rss ([1]) over the runs that carry one.
func runMemory(s *pystats.PyperfSuite) [2]map[string]float64 {
	out := [2]map[string]float64{{}, {}}
	if s.Runs == nil {
		return out
	}
	names := runsColumn(s.Runs, "benchmark").(*array.String)
	for j, col := range []string{"mem_max_rss", "command_max_rss"} {
		a := runsColumn(s.Runs, col).(*array.Float64)
		sums := map[string][2]float64{}
		for i := 0; i < a.Len(); i++ {
			if a.IsNull(i) {
				continue
			}
			v := sums[names.Value(i)]
			v[0] += a.Value(i)
			v[1]++
			sums[names.Value(i)] = v
		}
		for name, v := range sums {
			out[j][name] = v[0] / v[1]
		}
	}
	return out
}

// pyperfRunFields are the columns of the pyperf_runs table: one row per
// pyperf run (calibration runs included), the reader's runs table.
func pyperfRunFields() []arrow.Field {
	return []arrow.Field{
		dict("benchmark"), i32("run_index"),
		{Name: "calibration", Type: arrow.FixedWidthTypes.Boolean},
		i32("values"), i32("warmups"),
		str("run_date"),
		{Name: "timestamp", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		f64("mem_max_rss"), f64("command_max_rss"),
	}
}

// fillPyperfRuns copies the pyperf reader's runs table, with each run's date
// metadata as text and as a UTC timestamp.
func fillPyperfRuns(b *rows, in *Input) error {
	rec := in.Pyperf.Runs
	if rec == nil {
		return nil
	}
	name := runsColumn(rec, "benchmark").(*array.String)
	run := runsColumn(rec, "run").(*array.Int32)
	calib := runsColumn(rec, "calibration").(*array.Boolean)
	values := runsColumn(rec, "values").(*array.Int32)
	warmups := runsColumn(rec, "warmups").(*array.Int32)
	date := runsColumn(rec, "date").(*array.String)
	mem := runsColumn(rec, "mem_max_rss").(*array.Float64)
	cmd := runsColumn(rec, "command_max_rss").(*array.Float64)
	for i := 0; i < int(rec.NumRows()); i++ {
		b.str(0, name.Value(i))
		b.i32(1, run.Value(i))
		b.boolOrNull(2, calib.Value(i), true)
		b.i32(3, values.Value(i))
		b.i32(4, warmups.Value(i))
		d := ""
		if date.IsValid(i) {
			d = date.Value(i)
		}
		b.strOrNull(5, d, date.IsValid(i))
		b.timestampOrNull(6, d)
		b.f64OrNull(7, mem.Value(i), mem.IsValid(i))
		b.f64OrNull(8, cmd.Value(i), cmd.IsValid(i))
	}
	return nil
}

// runsColumn is the column of that name of the pyperf reader's runs table
// (pystats.PyperfRunsSchema).
func runsColumn(rec arrow.RecordBatch, name string) arrow.Array {
	idx := pystats.PyperfRunsSchema.FieldIndices(name)
	if len(idx) != 1 {
		panic("export: no column " + name + " in the pyperf runs table")
	}
	return rec.Column(idx[0])
}

// comparisonFields are the columns of the comparisons table: one row per
// benchmark of each pyperf input after the first, compared with the first
// (the reference), as `pystats timing REF HEAD --json-output` with --ci and
// --test mwu reports it.
func comparisonFields() []arrow.Field {
	return []arrow.Field{
		dict("reference"), dict("benchmark"), dict("unit"),
		f64("ref_mean"), f64("head_mean"), f64("ratio"), dict("text"),
		{Name: "significant", Type: arrow.FixedWidthTypes.Boolean},
		f64("t_score"), f64("mwu_u"), f64("mwu_p"), boolField("mwu_exact"),
		f64("geometric_mean"), f64("geometric_mean_ci_lo"), f64("geometric_mean_ci_hi"),
	}
}

// fillComparisons compares the input with the reference (the export's first
// pyperf input) through timing.Compare and Summarize: pyperf's ratio,
// wording, significance and t score, the Mann-Whitney U test, and the
// geometric mean with its bootstrap 95% CI (2,000 resamples, seed 0). The
// reference itself has no rows.
func fillComparisons(b *rows, in *Input) error {
	if in.ref == nil || in.refLabel == in.Label {
		return nil
	}
	cmp, err := timing.Compare(in.ref, []*pystats.PyperfSuite{in.Pyperf}, timing.Options{})
	if err != nil {
		return err
	}
	s := cmp.Summarize(false, timing.ExtraOptions{CI: true, MWU: true})
	if len(s.Heads) != 1 {
		return nil
	}
	h := s.Heads[0]
	for _, bs := range h.Benchmarks {
		b.str(0, in.refLabel)
		b.str(1, bs.Name)
		b.str(2, bs.Unit)
		b.f64(3, bs.RefMean)
		b.f64(4, bs.HeadMean)
		b.f64(5, bs.Ratio)
		b.str(6, bs.Text)
		b.boolOrNull(7, bs.Significant, true)
		if bs.TScore != nil {
			b.f64(8, *bs.TScore)
		} else {
			b.f64OrNull(8, 0, false)
		}
		if bs.MWU != nil {
			b.f64(9, bs.MWU.U)
			b.f64(10, bs.MWU.P)
			b.boolOrNull(11, bs.MWU.Exact, true)
		} else {
			b.f64OrNull(9, 0, false)
			b.f64OrNull(10, 0, false)
			b.boolOrNull(11, false, false)
		}
		b.f64(12, h.GeometricMean)
		if h.CI != nil {
			b.f64(13, h.CI.Lo)
			b.f64(14, h.CI.Hi)
		} else {
			b.f64OrNull(13, 0, false)
			b.f64OrNull(14, 0, false)
		}
	}
	return nil
}
