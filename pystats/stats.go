package pystats

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Column positions of the counters table.
const (
	ColKey = iota
	ColFamily
	ColName
	ColCounter
	ColIndex
	ColValue
)

// CountersSchema is the schema of the counters table: one row per distinct raw
// key, in the summarizer's first-seen order, with the key's parsed dimensions.
// "__nfiles__" is a row of family meta at the position the summarizer gives it.
var CountersSchema = arrow.NewSchema([]arrow.Field{
	{Name: "key", Type: arrow.BinaryTypes.String},
	{Name: "family", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}},
	{Name: "name", Type: arrow.BinaryTypes.String},
	{Name: "counter", Type: arrow.BinaryTypes.String},
	{Name: "index", Type: arrow.BinaryTypes.String},
	{Name: "value", Type: arrow.PrimitiveTypes.Uint64},
}, nil)

// Defines maps a kind number to the names #defined for it, keeping the order
// in which numbers first appear in the source (the summarizer's JSON order).
// It is the shape of the summarizer's "_defines" (SPEC_FAIL_*) and
// "_stats_defines" (EVAL_CALL_*) metadata.
type Defines struct {
	Order []int            // kind numbers in first-appearance order
	Names map[int][]string // names per number, in source order
}

// Add appends name to the list for n.
func (d *Defines) Add(n int, name string) {
	if d.Names == nil {
		d.Names = map[int][]string{}
	}
	if _, ok := d.Names[n]; !ok {
		d.Order = append(d.Order, n)
	}
	d.Names[n] = append(d.Names[n], name)
}

// Len is the number of kind numbers defined.
func (d *Defines) Len() int { return len(d.Order) }

// KeyValue is one member of a JSON object kept verbatim (raw JSON value).
type KeyValue struct {
	Key   string
	Value []byte // raw JSON
}

// BuildTables are the names one CPython build gives to what its counters
// number: the specialized instructions, the SPEC_FAIL_* failure kinds (the
// summarizer's "_defines") and the EVAL_CALL_* kinds ("_stats_defines"). It is
// the one type for them: named-opcode summarize JSON carries them (Metadata),
// and specialize.Tables adds a release's opcode numbering to them.
type BuildTables struct {
	// SpecializedInstructions are the specialized instruction names (names
	// containing "__" dropped, as the summarizer does). For 3.11 the
	// *_ADAPTIVE names are included, as they are in
	// opcode._specialized_instructions.
	SpecializedInstructions []string
	// StatsDefines are the EVAL_CALL_* names (prefix dropped) by number; empty
	// for 3.11.
	StatsDefines Defines
	// Defines are the SPEC_FAIL_* names (prefix dropped) by kind number.
	Defines Defines
}

// Metadata is what a summarize JSON carries besides counters, and what the
// summarizer adds from the build's sources: the build tables and bench_runner's
// "metadata" object.
type Metadata struct {
	// HasBuildTables is true when the JSON carries the build tables
	// (named-opcode data, E3/E4 summarizer JSON). A JSON with any one of the
	// three members has it set; the others are then written empty.
	HasBuildTables bool
	BuildTables
	// BenchRunner is bench_runner's trailing "metadata" object, member order kept;
	// nil when absent.
	BenchRunner []KeyValue
}

// BenchRunnerValue returns the string value of a bench_runner metadata member
// (commit_id, commit_fork, commit_branch, commit_date, benchmark_hash, ...).
func (m *Metadata) BenchRunnerValue(key string) (string, bool) {
	for _, kv := range m.BenchRunner {
		if kv.Key == key {
			return unquoteJSONString(kv.Value)
		}
	}
	return "", false
}

// InputKind says what an input was.
type InputKind string

// The kinds of input the readers accept.
const (
	KindDumpDir     InputKind = "dump directory"
	KindDumpFile    InputKind = "dump file"
	KindTarball     InputKind = "tarball"
	KindSummaryJSON InputKind = "summarize JSON"
)

// Source describes where a Stats came from and what reading it found.
type Source struct {
	Path     string
	Kind     InputKind
	Indented bool // summarize JSON in bench_runner's indent=2 flavour
	Files    int  // dump files read (for JSON: the file itself)
	Lines    int64
	Bytes    int64
	Warnings []Warning
}

// Stats is one pystats data set: the counters table plus metadata. The
// counters record is owned by Stats; call Release when done. A Stats caches
// lookups on first use; reading it from several goroutines at once is safe
// (export builds an input's tables concurrently).
type Stats struct {
	Counters arrow.RecordBatch
	Meta     Metadata
	Source   Source

	lookupOnce   sync.Once
	lookup       map[string]int // built by Value on first use
	familiesOnce sync.Once
	families     []Family // built by Families on first use
}

// Release frees the Arrow memory.
func (s *Stats) Release() {
	if s.Counters != nil {
		s.Counters.Release()
		s.Counters = nil
	}
}

// NumRows is the number of distinct counter keys (including __nfiles__).
func (s *Stats) NumRows() int { return int(s.Counters.NumRows()) }

// Keys is the key column.
func (s *Stats) Keys() *array.String { return s.Counters.Column(ColKey).(*array.String) }

// Names is the name column.
func (s *Stats) Names() *array.String { return s.Counters.Column(ColName).(*array.String) }

// CounterNames is the counter column.
func (s *Stats) CounterNames() *array.String { return s.Counters.Column(ColCounter).(*array.String) }

// Indexes is the index column.
func (s *Stats) Indexes() *array.String { return s.Counters.Column(ColIndex).(*array.String) }

// Values is the value column.
func (s *Stats) Values() *array.Uint64 { return s.Counters.Column(ColValue).(*array.Uint64) }

// Family returns the family of row i.
func (s *Stats) Family(i int) Family {
	d := s.Counters.Column(ColFamily).(*array.Dictionary)
	return Family(d.Dictionary().(*array.String).Value(d.GetValueIndex(i)))
}

// Families returns the family of every row (a convenience for renderers).
// The slice is built once and shared: callers must not modify it.
func (s *Stats) Families() []Family {
	s.familiesOnce.Do(func() {
		d := s.Counters.Column(ColFamily).(*array.Dictionary)
		dict := d.Dictionary().(*array.String)
		names := make([]Family, dict.Len())
		for i := range names {
			names[i] = Family(dict.Value(i))
		}
		s.families = make([]Family, d.Len())
		for i := range s.families {
			s.families[i] = names[d.GetValueIndex(i)]
		}
	})
	return s.families
}

// Value returns the value of a raw key (0, false when absent: a missing key
// always means 0 in pystats).
func (s *Stats) Value(key string) (uint64, bool) {
	s.lookupOnce.Do(func() {
		keys := s.Keys()
		s.lookup = make(map[string]int, keys.Len())
		for i := 0; i < keys.Len(); i++ {
			s.lookup[keys.Value(i)] = i
		}
	})
	i, ok := s.lookup[key]
	if !ok {
		return 0, false
	}
	return s.Values().Value(i), true
}

// Get returns the value of a raw key, 0 when absent.
func (s *Stats) Get(key string) uint64 {
	v, _ := s.Value(key)
	return v
}

// NFiles is the __nfiles__ counter (0 when absent, as in pre-Dec-2022 JSON).
func (s *Stats) NFiles() uint64 { return s.Get("__nfiles__") }

// buildCounters builds the counters record from ordered keys and values.
func buildCounters(mem memory.Allocator, keys []string, values []uint64) arrow.RecordBatch {
	n := len(keys)
	parts := make([]KeyParts, n)
	// This runs once per input, after the parse, while the other cores
	// wait: a large table is split in two, keys parsed and columns filled
	// (in place, no per-value builder calls) on two goroutines.
	var wg sync.WaitGroup
	parallel := n >= 2048
	split := n
	if parallel {
		split = n / 2
		wg.Go(func() {
			for i := split; i < n; i++ {
				parts[i] = ParseKey(keys[i])
			}
		})
	}
	for i := range split {
		parts[i] = ParseKey(keys[i])
	}
	wg.Wait()
	cols := make([]arrow.Array, 6)
	other := func() {
		cols[0] = stringColumn(mem, n, func(i int) string { return keys[i] })
		cols[2] = stringColumn(mem, n, func(i int) string { return parts[i].Name })
		cols[5] = uint64Column(mem, values)
	}
	if parallel {
		wg.Go(other)
	} else {
		other()
	}
	cols[1] = familyColumn(mem, parts)
	cols[3] = stringColumn(mem, n, func(i int) string { return parts[i].Counter })
	cols[4] = stringColumn(mem, n, func(i int) string { return parts[i].Index })
	wg.Wait()
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	return array.NewRecordBatch(CountersSchema, cols, int64(n))
}

// stringColumn is the string array of at(0) ... at(n-1), none null.
func stringColumn(mem memory.Allocator, n int, at func(i int) string) arrow.Array {
	size := 0
	for i := range n {
		size += len(at(i))
	}
	offsets := memory.NewResizableBuffer(mem)
	offsets.Resize((n + 1) * arrow.Int32SizeBytes)
	data := memory.NewResizableBuffer(mem)
	data.Resize(size)
	offs, d := arrow.Int32Traits.CastFromBytes(offsets.Bytes()), data.Bytes()
	pos := 0
	for i := range n {
		offs[i] = int32(pos)
		pos += copy(d[pos:], at(i))
	}
	offs[n] = int32(pos)
	ad := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{nil, offsets, data}, nil, 0, 0)
	offsets.Release()
	data.Release()
	defer ad.Release()
	return array.NewStringData(ad)
}

// familyColumn is the dictionary-encoded family of each key, the
// dictionary in first-appearance order (as a dictionary builder makes it).
func familyColumn(mem memory.Allocator, parts []KeyParts) arrow.Array {
	typ := CountersSchema.Field(ColFamily).Type.(*arrow.DictionaryType)
	var dict []string
	seen := map[Family]int8{}
	idx := memory.NewResizableBuffer(mem)
	idx.Resize(len(parts))
	ix := arrow.Int8Traits.CastFromBytes(idx.Bytes())
	for i, p := range parts {
		j, ok := seen[p.Family]
		if !ok {
			j = int8(len(dict)) // a handful of families: far below 128
			seen[p.Family] = j
			dict = append(dict, string(p.Family))
		}
		ix[i] = j
	}
	indices := array.NewData(typ.IndexType, len(parts), []*memory.Buffer{nil, idx}, nil, 0, 0)
	idx.Release()
	defer indices.Release()
	values := stringColumn(mem, len(dict), func(i int) string { return dict[i] })
	defer values.Release()
	da := array.NewData(typ, len(parts), indices.Buffers(), nil, 0, 0)
	defer da.Release()
	da.SetDictionary(values.Data())
	return array.MakeFromData(da)
}

// uint64Column is the uint64 array of values, none null.
func uint64Column(mem memory.Allocator, values []uint64) arrow.Array {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(len(values) * arrow.Uint64SizeBytes)
	copy(arrow.Uint64Traits.CastFromBytes(buf.Bytes()), values)
	ad := array.NewData(arrow.PrimitiveTypes.Uint64, len(values), []*memory.Buffer{nil, buf}, nil, 0, 0)
	buf.Release()
	defer ad.Release()
	return array.NewUint64Data(ad)
}

// NewStats builds a Stats from keys and values in order. It is how tests and
// tools make a data set from plain counters.
func NewStats(keys []string, values []uint64, meta Metadata, src Source) *Stats {
	return &Stats{Counters: buildCounters(memory.DefaultAllocator, keys, values), Meta: meta, Source: src}
}
