package pystats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"sort"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/klauspost/compress/gzip"

	"github.com/pystats-dev/pystats/internal/mapfile"
)

// Column positions of the pyperf benchmarks table (PyperfBenchmarksSchema).
const (
	PBName = iota
	PBTags
	PBUnit
	PBLoops
	PBInnerLoops
	PBRuns
	PBValues
	PBValuesOffset
	PBMean
	PBMedian
	PBStdev
	PBMemMaxRSS
	PBCommandMaxRSS
	PBMetadata
)

// PyperfBenchmarksSchema is the schema of the "benchmarks" table of a pyperf
// results file: one row per benchmark, in file order.
//
//   - name: the benchmark name (benchmark metadata "name", else the file's).
//   - tags: the effective "tags" metadata (empty list when absent).
//   - unit: the effective "unit" metadata ("second" when absent).
//   - loops, inner_loops: the effective metadata, null when absent.
//   - runs: number of runs, calibration runs included.
//   - values: number of values (calibration runs and warmups excluded).
//   - values_offset: row of the benchmark's first value in the values table;
//     a benchmark's values are rows values_offset .. values_offset+values-1.
//   - mean: the arithmetic mean of the values, computed exactly and rounded
//     once (Python's statistics.mean, which pyperf uses); null without values.
//   - median: the median (mean of the two middle values for even counts).
//   - stdev: the sample standard deviation (n-1); null with fewer than 2 values.
//   - mem_max_rss, command_max_rss: benchmark-level memory metadata in bytes,
//     null when absent (per-run values are in the runs table).
//   - metadata: the benchmark's own "metadata" object as compact JSON ("{}"
//     when absent); file-level keys are in PyperfSuite.Metadata.
var PyperfBenchmarksSchema = arrow.NewSchema([]arrow.Field{
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
	{Name: "unit", Type: arrow.BinaryTypes.String},
	{Name: "loops", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "inner_loops", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "runs", Type: arrow.PrimitiveTypes.Int64},
	{Name: "values", Type: arrow.PrimitiveTypes.Int64},
	{Name: "values_offset", Type: arrow.PrimitiveTypes.Int64},
	{Name: "mean", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "median", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "stdev", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "mem_max_rss", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "command_max_rss", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "metadata", Type: arrow.BinaryTypes.String},
}, nil)

// Column positions of the pyperf values table (PyperfValuesSchema).
const (
	PVBenchmark = iota
	PVRun
	PVIndex
	PVValue
)

// PyperfValuesSchema is the schema of the "values" table: one row per value,
// grouped by benchmark in file order, runs in order. Values are times (or
// sizes, counts) per single loop iteration as pyperf stores them.
//
//   - benchmark: the benchmark name.
//   - run: index of the run within the benchmark (0-based, calibration runs
//     counted, so it matches the runs table).
//   - index: index of the value within its run.
//   - value: the value.
var PyperfValuesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "benchmark", Type: arrow.BinaryTypes.String},
	{Name: "run", Type: arrow.PrimitiveTypes.Int32},
	{Name: "index", Type: arrow.PrimitiveTypes.Int32},
	{Name: "value", Type: arrow.PrimitiveTypes.Float64},
}, nil)

// PyperfWarmupsSchema is the schema of the "warmups" table: one row per
// warmup value (benchmark, run, index as in the values table; loops; value per
// loop iteration).
var PyperfWarmupsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "benchmark", Type: arrow.BinaryTypes.String},
	{Name: "run", Type: arrow.PrimitiveTypes.Int32},
	{Name: "index", Type: arrow.PrimitiveTypes.Int32},
	{Name: "loops", Type: arrow.PrimitiveTypes.Int64},
	{Name: "value", Type: arrow.PrimitiveTypes.Float64},
}, nil)

// PyperfRunsSchema is the schema of the "runs" table: one row per run.
//
//   - benchmark, run: as in the values table.
//   - calibration: true for a run without values.
//   - values, warmups: counts.
//   - date: the run's "date" metadata (null when absent).
//   - mem_max_rss, command_max_rss: the run's effective memory metadata
//     (run, else benchmark, else file level), null when absent.
var PyperfRunsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "benchmark", Type: arrow.BinaryTypes.String},
	{Name: "run", Type: arrow.PrimitiveTypes.Int32},
	{Name: "calibration", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "values", Type: arrow.PrimitiveTypes.Int32},
	{Name: "warmups", Type: arrow.PrimitiveTypes.Int32},
	{Name: "date", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "mem_max_rss", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "command_max_rss", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// MetaEntry is one metadata key with its decoded JSON value (string, a
// json.Number, bool, nil, []any or map[string]any).
type MetaEntry struct {
	Key   string
	Value any
}

// A PyperfSuite is one pyperf results file (pyperf's BenchmarkSuite) read
// into Arrow tables. Release it when done.
type PyperfSuite struct {
	// Path is the file name as given (used in messages and in pyperf's
	// "Ignored benchmarks" line).
	Path string
	// Version is the file's format version: "1.0", "6" or "5".
	Version string
	// Metadata is the file-level "metadata" object in file order (bench_runner
	// appends its own keys at the end). Empty for version 5 files.
	Metadata []MetaEntry

	Benchmarks arrow.RecordBatch // PyperfBenchmarksSchema
	Values     arrow.RecordBatch // PyperfValuesSchema
	Warmups    arrow.RecordBatch // PyperfWarmupsSchema
	Runs       arrow.RecordBatch // PyperfRunsSchema
}

// Release releases the suite's tables.
func (s *PyperfSuite) Release() {
	for _, r := range []arrow.RecordBatch{s.Benchmarks, s.Values, s.Warmups, s.Runs} {
		if r != nil {
			r.Release()
		}
	}
}

// Meta returns the file-level metadata value of key.
func (s *PyperfSuite) Meta(key string) (any, bool) {
	for _, e := range s.Metadata {
		if e.Key == key {
			return e.Value, true
		}
	}
	return nil, false
}

// MetaString returns the file-level metadata value of key as text (numbers
// as written in the file); ok is false when absent or null.
func (s *PyperfSuite) MetaString(key string) (string, bool) {
	v, ok := s.Meta(key)
	if !ok || v == nil {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	default:
		return fmt.Sprint(v), true
	}
}

// NumBenchmarks is the number of benchmarks.
func (s *PyperfSuite) NumBenchmarks() int { return int(s.Benchmarks.NumRows()) }

// Name returns the name of benchmark i.
func (s *PyperfSuite) Name(i int) string {
	return s.Benchmarks.Column(PBName).(*array.String).Value(i)
}

// Names returns the benchmark names in file order.
func (s *PyperfSuite) Names() []string {
	col := s.Benchmarks.Column(PBName).(*array.String)
	out := make([]string, col.Len())
	for i := range out {
		out[i] = col.Value(i)
	}
	return out
}

// Index returns the row of the benchmark called name, or -1.
func (s *PyperfSuite) Index(name string) int {
	col := s.Benchmarks.Column(PBName).(*array.String)
	for i := 0; i < col.Len(); i++ {
		if col.Value(i) == name {
			return i
		}
	}
	return -1
}

// Unit returns the unit of benchmark i ("second", "byte", "integer").
func (s *PyperfSuite) Unit(i int) string {
	return s.Benchmarks.Column(PBUnit).(*array.String).Value(i)
}

// Tags returns the tags of benchmark i.
func (s *PyperfSuite) Tags(i int) []string {
	l := s.Benchmarks.Column(PBTags).(*array.List)
	start, end := l.ValueOffsets(i)
	vals := l.ListValues().(*array.String)
	out := make([]string, 0, end-start)
	for j := start; j < end; j++ {
		out = append(out, vals.Value(int(j)))
	}
	return out
}

// Mean returns the exact mean of benchmark i's values (ok false without values).
func (s *PyperfSuite) Mean(i int) (float64, bool) {
	c := s.Benchmarks.Column(PBMean).(*array.Float64)
	if c.IsNull(i) {
		return 0, false
	}
	return c.Value(i), true
}

// BenchValues returns benchmark i's values, all runs in order. The slice
// aliases the values table: do not modify it.
func (s *PyperfSuite) BenchValues(i int) []float64 {
	off := s.Benchmarks.Column(PBValuesOffset).(*array.Int64).Value(i)
	n := s.Benchmarks.Column(PBValues).(*array.Int64).Value(i)
	all := s.Values.Column(PVValue).(*array.Float64).Float64Values()
	return all[off : off+n : off+n]
}

// ReadPyperfFile reads a pyperf JSON results file (".json" or gzip-compressed
// ".json.gz"; gzip is also detected from the content).
//
// The path "-" reads standard input. Only regular files are read (a FIFO or
// a device is refused before it is opened), of at most MaxJSONSize bytes
// after decompression.
func ReadPyperfFile(path string) (*PyperfSuite, error) {
	if path == StdinName {
		if stdinTaken.Swap(true) {
			return nil, errors.New("-: standard input is read once per run; give - once")
		}
		data, err := mapfile.ReadAllLimit("<stdin>", "JSON", os.Stdin, MaxJSONSize)
		if err != nil {
			return nil, readErr("<stdin>", err)
		}
		return ReadPyperf("<stdin>", data)
	}
	var s *PyperfSuite
	err := mapfile.Guard(path, func(data []byte) (err error) {
		if len(data) > MaxJSONSize {
			return &mapfile.TooLargeError{Path: path, Limit: MaxJSONSize, What: "JSON file"}
		}
		s, err = ReadPyperf(path, data)
		return err
	})
	return s, err
}

// ReadPyperf parses pyperf JSON (format versions 1.0, 6 and 5, optionally
// gzip-compressed, at most MaxJSONSize bytes after decompression, a UTF-8
// byte order mark skipped); name is used in messages and kept as Path.
//
// A benchmark whose runs are all calibration runs (no values) is kept with
// values 0 and a null mean; comparisons reject it with an error naming it.
func ReadPyperf(name string, data []byte) (*PyperfSuite, error) {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		compressed := data
		open := func() (io.Reader, func(), error) {
			zr, err := gzip.NewReader(bytes.NewReader(compressed))
			if err != nil {
				return nil, nil, err
			}
			return zr, func() { zr.Close() }, nil
		}
		zr, done, err := open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", QuoteName(name), err)
		}
		data, err = readSized(name, zr, open)
		done()
		if err != nil {
			return nil, readErr(name, err)
		}
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	var f pjFile
	if err := decodePyperf(data, &f); err != nil {
		return nil, jsonError(name, data, err)
	}
	version, err := pyperfVersion(f.Version)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	old := version != "1.0" && version != "6"
	s := &PyperfSuite{Path: name, Version: version}
	var top map[string]any
	if !old && len(f.Metadata) > 0 && !bytes.Equal(bytes.TrimSpace(f.Metadata), []byte("null")) {
		s.Metadata, err = orderedObject(f.Metadata)
		if err != nil {
			return nil, fmt.Errorf("%s: metadata: %w", name, err)
		}
		top = make(map[string]any, len(s.Metadata))
		for _, e := range s.Metadata {
			top[e.Key] = e.Value
		}
	}
	if f.Benchmarks == nil {
		return nil, fmt.Errorf("%s: no \"benchmarks\" array", name)
	}
	if len(f.Benchmarks) == 0 {
		return nil, fmt.Errorf("%s: the file doesn't contain any benchmark", name)
	}
	if err := s.build(f.Benchmarks, top, old, version); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}

// pjRunMeta holds the run metadata the tables keep; other keys are skipped.
type pjRunMeta struct {
	Date          *string      `json:"date"`
	MemMaxRSS     *json.Number `json:"mem_max_rss"`
	CommandMaxRSS *json.Number `json:"command_max_rss"`
	InnerLoops    *json.Number `json:"inner_loops"`
}

type pjFile struct {
	Version    json.RawMessage `json:"version"`
	Metadata   json.RawMessage `json:"metadata"`
	Benchmarks []pjBench       `json:"benchmarks"`
}

type pjBench struct {
	Metadata       json.RawMessage `json:"metadata"`
	CommonMetadata json.RawMessage `json:"common_metadata"`
	Runs           []pjRun         `json:"runs"`
}

type pjRun struct {
	Metadata pjRunMeta    `json:"metadata"`
	Values   []float64    `json:"values"`
	Samples  []float64    `json:"samples"`
	Warmups  [][2]float64 `json:"warmups"`
}

func pyperfVersion(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch string(raw) {
	case `"1.0"`:
		return "1.0", nil
	case "6":
		return "6", nil
	case "5":
		return "5", nil
	case "":
		return "", errors.New("no \"version\": not a pyperf results file")
	}
	return "", fmt.Errorf("pyperf file format version %s not supported (want \"1.0\", 6 or 5)", raw)
}

// jsonError turns a decoding error into one naming the file, the line and
// the column.
func jsonError(name string, data []byte, err error) error {
	var pe *pyperfError
	if errors.As(err, &pe) {
		line, col := jsonPosition(data, pe.off)
		if pe.syntax {
			return fmt.Errorf("%s:%d: invalid JSON at column %d: %s", name, line, col, pe.msg)
		}
		return fmt.Errorf("%s:%d: column %d: %s", name, line, col, pe.msg)
	}
	return fmt.Errorf("%s: %w", name, err)
}

// orderedObject decodes a JSON object keeping member order (and repeated
// names, each in its place). Numbers become json.Number.
func orderedObject(raw []byte) ([]MetaEntry, error) {
	d := newMetaDecoder(raw)
	if d.PeekKind() != '{' {
		return nil, errors.New("want a JSON object")
	}
	if _, err := d.ReadToken(); err != nil {
		return nil, err
	}
	var out []MetaEntry
	for d.PeekKind() != '}' {
		name, err := d.ReadToken()
		if err != nil {
			return nil, err
		}
		key := name.String() // before the next read voids the token
		v, err := decodeValue(d)
		if err != nil {
			return nil, err
		}
		out = append(out, MetaEntry{key, v})
	}
	return out, nil
}

// decodeObject decodes a JSON object into a map (a later repeated name
// wins, as with encoding/json); empty input and null give nil.
func decodeObject(raw []byte) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	d := newMetaDecoder(raw)
	if d.PeekKind() != '{' {
		return nil, errors.New("want a JSON object")
	}
	v, err := decodeValue(d)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

// newMetaDecoder reads metadata JSON leniently, as encoding/json does:
// repeated names are allowed and invalid UTF-8 becomes U+FFFD.
func newMetaDecoder(raw []byte) *jsontext.Decoder {
	return jsontext.NewDecoder(bytes.NewBuffer(raw), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
}

// decodeValue decodes the next JSON value as encoding/json does into an
// interface with UseNumber: map[string]any, []any, string, json.Number,
// bool or nil.
func decodeValue(d *jsontext.Decoder) (any, error) {
	tok, err := d.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case 'n':
		return nil, nil
	case 't', 'f':
		return tok.Bool(), nil
	case '"':
		return tok.String(), nil
	case '0':
		return json.Number(tok.String()), nil
	case '{':
		m := map[string]any{}
		for d.PeekKind() != '}' {
			name, err := d.ReadToken()
			if err != nil {
				return nil, err
			}
			key := name.String()
			v, err := decodeValue(d)
			if err != nil {
				return nil, err
			}
			m[key] = v
		}
		_, err := d.ReadToken()
		return m, err
	case '[':
		a := []any{}
		for d.PeekKind() != ']' {
			v, err := decodeValue(d)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := d.ReadToken()
		return a, err
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

func lookup(key string, maps ...map[string]any) (any, bool) {
	for _, m := range maps {
		if v, ok := m[key]; ok {
			return v, true
		}
	}
	return nil, false
}

func asFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case float64:
		return v, true
	}
	return 0, false
}

func asInt(v any) (int64, bool) {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, true
		}
		f, err := v.Float64()
		if err == nil && f == math.Trunc(f) {
			return int64(f), true
		}
	case float64:
		if v == math.Trunc(v) {
			return int64(v), true
		}
	}
	return 0, false
}

func (s *PyperfSuite) build(benches []pjBench, top map[string]any, old bool, version string) error {
	mem := memory.NewGoAllocator()
	bb := array.NewRecordBuilder(mem, PyperfBenchmarksSchema)
	defer bb.Release()
	vb := array.NewRecordBuilder(mem, PyperfValuesSchema)
	defer vb.Release()
	wb := array.NewRecordBuilder(mem, PyperfWarmupsSchema)
	defer wb.Release()
	rb := array.NewRecordBuilder(mem, PyperfRunsSchema)
	defer rb.Release()

	// First pass: each benchmark's metadata, and the tables' sizes, so that
	// every column is allocated once (growing Arrow buffers by doubling
	// touches about three times the memory, and fresh memory is what costs
	// on a one-shot run). Errors are left to the second pass, which reports
	// them in file order.
	metas := make([]map[string]any, len(benches))
	metaErrs := make([]error, len(benches))
	var nvals, nwarm, nruns, valBytes, warmBytes, runBytes, dateBytes int
	for bi, b := range benches {
		mraw := b.Metadata
		if old {
			mraw = b.CommonMetadata
		}
		metas[bi], metaErrs[bi] = decodeObject(mraw)
		nameV, _ := lookup("name", metas[bi], top)
		name, _ := nameV.(string)
		for _, r := range b.Runs {
			n := len(r.Values) + len(r.Samples)
			nvals += n
			valBytes += n * len(name)
			nwarm += len(r.Warmups)
			warmBytes += len(r.Warmups) * len(name)
			nruns++
			runBytes += len(name)
			if r.Metadata.Date != nil {
				dateBytes += len(*r.Metadata.Date)
			}
		}
	}
	vb.Reserve(nvals)
	vName := vb.Field(PVBenchmark).(*array.StringBuilder)
	vName.ReserveData(valBytes)
	vRun := vb.Field(PVRun).(*array.Int32Builder)
	vIdx := vb.Field(PVIndex).(*array.Int32Builder)
	vVal := vb.Field(PVValue).(*array.Float64Builder)
	wb.Reserve(nwarm)
	wb.Field(0).(*array.StringBuilder).ReserveData(warmBytes)
	rb.Reserve(nruns)
	rb.Field(0).(*array.StringBuilder).ReserveData(runBytes)
	rb.Field(5).(*array.StringBuilder).ReserveData(dateBytes)
	bb.Reserve(len(benches))

	seen := map[string]bool{}
	offset := int64(0)
	var scratch []float64
	for bi, b := range benches {
		mraw := b.Metadata
		if old {
			mraw = b.CommonMetadata
		}
		bmeta, err := metas[bi], metaErrs[bi]
		if err != nil {
			return fmt.Errorf("benchmark #%d: metadata: %w", bi+1, err)
		}
		nameV, _ := lookup("name", bmeta, top)
		name, ok := nameV.(string)
		if !ok || name == "" {
			return fmt.Errorf("benchmark #%d has no name", bi+1)
		}
		if seen[name] {
			return fmt.Errorf("benchmark %q appears twice", name)
		}
		seen[name] = true
		if len(b.Runs) == 0 {
			return fmt.Errorf("benchmark %q has no runs", name)
		}
		bb.Field(PBName).(*array.StringBuilder).Append(name)
		tl := bb.Field(PBTags).(*array.ListBuilder)
		tl.Append(true)
		if tv, ok := lookup("tags", bmeta, top); ok {
			list, ok := tv.([]any)
			if !ok {
				return fmt.Errorf("benchmark %q: \"tags\" is not a list", name)
			}
			for _, t := range list {
				ts, ok := t.(string)
				if !ok {
					return fmt.Errorf("benchmark %q: a tag is not a string", name)
				}
				tl.ValueBuilder().(*array.StringBuilder).Append(ts)
			}
		}
		unit := "second"
		if uv, ok := lookup("unit", bmeta, top); ok {
			if us, ok := uv.(string); ok && us != "" {
				unit = us
			}
		}
		switch unit {
		case "second", "byte", "integer":
		default:
			return fmt.Errorf("benchmark %q: unknown unit %q", name, unit)
		}
		bb.Field(PBUnit).(*array.StringBuilder).Append(unit)
		innerLoops := int64(1)
		for _, k := range []struct {
			key string
			col int
		}{{"loops", PBLoops}, {"inner_loops", PBInnerLoops}} {
			ib := bb.Field(k.col).(*array.Int64Builder)
			if v, ok := lookup(k.key, bmeta, top); ok {
				if n, ok := asInt(v); ok {
					ib.Append(n)
					if k.key == "inner_loops" {
						innerLoops = n
					}
					continue
				}
			}
			ib.AppendNull()
		}
		bb.Field(PBRuns).(*array.Int64Builder).Append(int64(len(b.Runs)))

		scratch = scratch[:0]
		for ri, r := range b.Runs {
			rm := r.Metadata
			values := r.Values
			if old {
				values = r.Samples
			}
			for vi, v := range values {
				if !(v > 0) || math.IsInf(v, 0) {
					return fmt.Errorf("benchmark %q run %d: value %v is not a number > 0", name, ri+1, v)
				}
				vName.Append(name)
				vRun.Append(int32(ri))
				vIdx.Append(int32(vi))
				vVal.Append(v)
				scratch = append(scratch, v)
			}
			for wi, w := range r.Warmups {
				loops, val := w[0], w[1]
				if version != "1.0" {
					il := innerLoops
					if rm.InnerLoops != nil {
						il, _ = asInt(*rm.InnerLoops)
					}
					val /= loops * float64(il)
				}
				wb.Field(0).(*array.StringBuilder).Append(name)
				wb.Field(1).(*array.Int32Builder).Append(int32(ri))
				wb.Field(2).(*array.Int32Builder).Append(int32(wi))
				wb.Field(3).(*array.Int64Builder).Append(int64(loops))
				wb.Field(4).(*array.Float64Builder).Append(val)
			}
			rb.Field(0).(*array.StringBuilder).Append(name)
			rb.Field(1).(*array.Int32Builder).Append(int32(ri))
			rb.Field(2).(*array.BooleanBuilder).Append(len(values) == 0)
			rb.Field(3).(*array.Int32Builder).Append(int32(len(values)))
			rb.Field(4).(*array.Int32Builder).Append(int32(len(r.Warmups)))
			if rm.Date != nil {
				rb.Field(5).(*array.StringBuilder).Append(*rm.Date)
			} else {
				rb.Field(5).(*array.StringBuilder).AppendNull()
			}
			for j, key := range []string{"mem_max_rss", "command_max_rss"} {
				fb := rb.Field(6 + j).(*array.Float64Builder)
				runV := rm.MemMaxRSS
				if j == 1 {
					runV = rm.CommandMaxRSS
				}
				if runV != nil {
					if f, ok := asFloat(*runV); ok {
						fb.Append(f)
						continue
					}
				}
				if v, ok := lookup(key, bmeta, top); ok {
					if f, ok := asFloat(v); ok {
						fb.Append(f)
						continue
					}
				}
				fb.AppendNull()
			}
		}
		n := int64(len(scratch))
		bb.Field(PBValues).(*array.Int64Builder).Append(n)
		bb.Field(PBValuesOffset).(*array.Int64Builder).Append(offset)
		offset += n
		meanB := bb.Field(PBMean).(*array.Float64Builder)
		medB := bb.Field(PBMedian).(*array.Float64Builder)
		sdB := bb.Field(PBStdev).(*array.Float64Builder)
		if n == 0 {
			meanB.AppendNull()
			medB.AppendNull()
			sdB.AppendNull()
		} else {
			m := ExactMean(scratch)
			meanB.Append(m)
			medB.Append(median(scratch))
			if n > 1 {
				sdB.Append(stdev(scratch, m))
			} else {
				sdB.AppendNull()
			}
		}
		for j, key := range []string{"mem_max_rss", "command_max_rss"} {
			fb := bb.Field(PBMemMaxRSS + j).(*array.Float64Builder)
			if v, ok := bmeta[key]; ok {
				if f, ok := asFloat(v); ok {
					fb.Append(f)
					continue
				}
			}
			fb.AppendNull()
		}
		compact := "{}"
		if m := bytes.TrimSpace(mraw); len(m) > 0 && !bytes.Equal(m, []byte("null")) {
			var buf bytes.Buffer
			if err := json.Compact(&buf, m); err == nil {
				compact = buf.String()
			}
		}
		bb.Field(PBMetadata).(*array.StringBuilder).Append(compact)
	}
	s.Benchmarks = bb.NewRecordBatch()
	s.Values = vb.NewRecordBatch()
	s.Warmups = wb.NewRecordBatch()
	s.Runs = rb.NewRecordBatch()
	return nil
}

// ExactMean returns the arithmetic mean of xs as Python's statistics.mean
// computes it: the exact rational sum divided by n, rounded once to the
// nearest float64. It returns NaN for an empty slice.
func ExactMean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	// A big.Float with more bits than the float64 exponent range holds the
	// sum exactly; Quo then rounds the exact quotient once, to nearest even.
	// The big.Floats are reused: their 2,200-bit mantissas are most of the
	// cost of a fresh call.
	//
	// The values are first folded into Shewchuk's non-overlapping partial
	// sums (as math.fsum does), which hold the sum exactly in a few float64s;
	// only those few go through big.Float. Inputs that are not finite, or a
	// partial that overflows, take the value-by-value path.
	m := meanPool.Get().(*exactMeanState)
	defer meanPool.Put(m)
	terms, ok := exactPartials(m.partials[:0], xs)
	m.partials = terms
	if !ok {
		terms = xs
	}
	m.sum.SetPrec(exactPrec).SetInt64(0)
	for _, v := range terms {
		m.x.SetPrec(0).SetFloat64(v)
		m.sum.Add(&m.sum, &m.x)
	}
	m.q.SetPrec(53).SetMode(big.ToNearestEven)
	m.q.Quo(&m.sum, m.x.SetPrec(64).SetInt64(int64(len(xs))))
	f, _ := m.q.Float64()
	return f
}

// exactMeanState holds ExactMean's big.Floats and partials between calls.
type exactMeanState struct {
	sum, x, q big.Float
	partials  []float64
}

// exactPartials appends to partials the non-overlapping float64s whose
// exact sum is the exact sum of xs (Shewchuk's algorithm, Python's msum
// recipe). ok is false when a value is not finite or a partial overflows;
// the partials are then meaningless.
func exactPartials(partials, xs []float64) (_ []float64, ok bool) {
	for _, x := range xs {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return partials, false
		}
		partials = addPartial(partials, x)
		if math.IsInf(partials[len(partials)-1], 0) {
			return partials, false
		}
	}
	return partials, true
}

// addPartial adds x to the non-overlapping partial sums (msum's inner loop):
// each pair is replaced by its rounded sum and the exact rounding error.
// The largest partial is last.
func addPartial(partials []float64, x float64) []float64 {
	i := 0
	for _, y := range partials {
		if math.Abs(x) < math.Abs(y) {
			x, y = y, x
		}
		hi := x + y
		lo := y - (hi - x)
		if lo != 0 {
			partials[i] = lo
			i++
		}
		x = hi
	}
	return append(partials[:i], x)
}

var meanPool = sync.Pool{New: func() any { return new(exactMeanState) }}

// exactPrec covers every float64 (2^-1074 .. 2^1024) plus carries.
const exactPrec = 2200

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func stdev(xs []float64, mean float64) float64 {
	var ss []float64
	for _, v := range xs {
		d := v - mean
		ss = append(ss, d*d)
	}
	return math.Sqrt(Fsum(ss) / float64(len(xs)-1))
}

// Fsum returns the correctly rounded sum of xs, as Python's math.fsum does
// (Shewchuk's algorithm with exact partial sums).
func Fsum(xs []float64) float64 {
	var partials []float64
	specialSum, infSum := 0.0, 0.0
	for _, x := range xs {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			specialSum += x
			infSum += x
			continue
		}
		partials = addPartial(partials, x)
	}
	if specialSum != 0 {
		return specialSum
	}
	n := len(partials)
	if n == 0 {
		return 0
	}
	n--
	hi := partials[n]
	lo := 0.0
	for n > 0 {
		x := hi
		n--
		y := partials[n]
		hi = x + y
		yr := hi - x
		lo = y - yr
		if lo != 0 {
			break
		}
	}
	if n > 0 && ((lo < 0 && partials[n-1] < 0) || (lo > 0 && partials[n-1] > 0)) {
		y := lo * 2
		x := hi + y
		yr := x - hi
		if y == yr {
			hi = x
		}
	}
	return hi
}

// IsPyperfFile reports whether path is a pyperf results file (optionally
// gzip-compressed): a JSON object with a top-level "benchmarks" member
// before any member that pyperf does not write. Summarize JSON, dumps, tarballs, directories and anything that is not a
// regular file (never opened for reading) are not.
func IsPyperfFile(path string) bool {
	f, _, err := mapfile.OpenRegular(path)
	if err != nil {
		return false
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return false
		}
		defer zr.Close()
		r = zr
	}
	r = io.LimitReader(r, MaxJSONSize)
	br2 := bufio.NewReader(r)
	if head, _ := br2.Peek(3); bytes.Equal(head, utf8BOM) {
		br2.Discard(3)
	}
	dec := jsontext.NewDecoder(br2, jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if t, err := dec.ReadToken(); err != nil || t.Kind() != '{' {
		return false
	}
	// A pyperf file's top-level members are "benchmarks", "metadata" and
	// "version": any other name settles it, so that a summarize JSON (which
	// starts with its counters) is not scanned through (that scan was a
	// sixth of a fleet export's time).
	for dec.PeekKind() == '"' {
		t, err := dec.ReadToken()
		if err != nil {
			return false
		}
		switch t.String() {
		case "benchmarks":
			return true
		case "metadata", "version":
		default:
			return false
		}
		if err := dec.SkipValue(); err != nil {
			return false
		}
	}
	return false
}
