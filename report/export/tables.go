package export

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report"
	"github.com/pystats-dev/pystats/report/internal/e4"
	rtable "github.com/pystats-dev/pystats/report/table"
	"github.com/pystats-dev/pystats/specialize"
)

// Input is one data set to export: a pystats data set (Stats set) or a pyperf
// result file (Pyperf set). Label is the value of the run column.
type Input struct {
	// Label names the input in every row (the run column); labels of one
	// export must be unique.
	Label string
	// Stats is the pystats data set; nil for a pyperf input. It is read, never
	// released, by this package.
	Stats *pystats.Stats
	// Era is pystats.DetectEra(Stats).
	Era pystats.Era
	// Tables are the build tables known for Stats (opcode names of numeric
	// data, specialized instructions, SPEC_FAIL_* and EVAL_CALL_* names); nil
	// when unknown.
	Tables *specialize.Tables
	// Pyperf is a pyperf result file; nil for a pystats input. It is read,
	// never released, by this package.
	Pyperf *pystats.PyperfSuite
	// Dataset is the resolved pystats data set (specialize.Resolve) when the
	// caller has one: its NamesReliable and NamesReason are the verdict on
	// the build tables (false when names are known to be wrong), for the
	// runs table. Stats, Era and Tables are then the Dataset's.
	Dataset *specialize.Dataset

	// ref is the reference of the comparisons table: the export's first
	// pyperf input, labelled refLabel (set by Encode and Writer).
	ref      *pystats.PyperfSuite
	refLabel string
}

// Metadata returns the bench_runner metadata of the input: commit, fork, ref
// (branch or tag) and date. A value is "" when unknown.
func (in *Input) Metadata() (commit, fork, ref, date string) {
	switch {
	case in.Stats != nil:
		m := &in.Stats.Meta
		commit, _ = m.BenchRunnerValue("commit_id")
		fork, _ = m.BenchRunnerValue("commit_fork")
		ref, _ = m.BenchRunnerValue("commit_branch")
		date, _ = m.BenchRunnerValue("commit_date")
	case in.Pyperf != nil:
		commit, fork, ref, date = pyperfMetadata(in.Pyperf)
	}
	return commit, fork, ref, date
}

// dictString is the type of every categorical string column.
var dictString = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// RunColumns is the number of leading columns every table has: run, commit,
// fork, ref, date.
const RunColumns = 5

// runFields are the leading columns of every table. run is never null; the
// bench_runner metadata columns are null when the input does not carry them.
func runFields() []arrow.Field {
	return []arrow.Field{
		{Name: "run", Type: dictString},
		{Name: "commit", Type: dictString, Nullable: true},
		{Name: "fork", Type: dictString, Nullable: true},
		{Name: "ref", Type: dictString, Nullable: true},
		{Name: "date", Type: dictString, Nullable: true},
	}
}

func schema(fields ...arrow.Field) *arrow.Schema {
	return arrow.NewSchema(append(runFields(), fields...), nil)
}

// cnt is a count column. Counts are int64, not CPython's uint64_t: pandas and
// polars subtract unsigned columns with silent wrap-around, and no CPython
// counter comes near 2^63. A larger value is an error (see checkCounts).
func cnt(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64}
}

func nullable(f arrow.Field) arrow.Field {
	f.Nullable = true
	return f
}

func dict(name string) arrow.Field { return arrow.Field{Name: name, Type: dictString} }

func i32(name string) arrow.Field { return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int32} }

// countersFields are the counters record's own columns (pystats.CountersSchema),
// exported unchanged.
func countersFields() []arrow.Field {
	fields := append([]arrow.Field(nil), pystats.CountersSchema.Fields()...)
	fields[pystats.ColValue].Type = arrow.PrimitiveTypes.Int64
	// One naming scheme across tables: "family" is a specialization family
	// (opcodes, failure_kinds, families); a key's family is its category,
	// and every counter value is a count.
	fields[pystats.ColFamily].Name = "category"
	fields[pystats.ColValue].Name = "count"
	return fields
}

// A Table is one exported table: its name (the file name) and schema.
type Table struct {
	// Name is the table's name and the base name of its file.
	Name string
	// Schema is the table's schema; the first RunColumns columns are the run
	// columns.
	Schema *arrow.Schema
	// Pyperf is true for the tables of pyperf inputs (benchmarks, values),
	// false for those of pystats inputs.
	Pyperf bool
	// All is true for a table with rows for both kinds of input (runs);
	// Pyperf is then false.
	All bool

	fill func(b *rows, in *Input) error
}

// Takes reports whether in has rows in t: t is of in's kind, or of all.
func (t *Table) Takes(in *Input) bool {
	if in.Stats == nil && in.Pyperf == nil {
		return false
	}
	return t.All || (in.Pyperf != nil) == t.Pyperf
}

// Tables lists every exported table in file order.
func Tables() []*Table { return tables }

// Lookup returns the table of that name.
func Lookup(name string) (*Table, bool) {
	for _, t := range tables {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

var tables = []*Table{
	{Name: "runs", Schema: schema(runsFields()...), All: true, fill: fillRuns},
	{Name: "counters", Schema: schema(countersFields()...), fill: fillCounters},
	{Name: "opcodes", Schema: schema(
		i32("tier"), dict("opcode"), nullable(i32("opcode_number")),
		cnt("execution_count"),
		nullable(arrow.Field{Name: "specializable", Type: arrow.FixedWidthTypes.Boolean}),
		nullable(arrow.Field{Name: "specialized", Type: arrow.FixedWidthTypes.Boolean}),
		nullable(dict("family")),
		cnt("hit"), cnt("miss"), cnt("deferred"), cnt("success"), cnt("failure"), cnt("deopt"),
	), fill: fillOpcodes},
	{Name: "failure_kinds", Schema: schema(
		dict("family"), i32("kind"), nullable(dict("label")), cnt("count"),
		cnt("failure"), f64("share"),
	), fill: fillFailureKinds},
	{Name: "families", Schema: schema(familiesFields()...), fill: fillFamilies},
	{Name: "pairs", Schema: schema(
		i32("tier"), dict("first"), dict("second"), cnt("count"),
	), fill: fillPairs},
	{Name: "calls", Schema: schema(
		dict("name"), nullable(i32("index")), nullable(dict("reason")), cnt("count"),
		nullable(dict("label")), f64("ratio"), nullable(cnt("total")),
	), fill: fillCalls},
	{Name: "objects", Schema: schema(dict("name"), cnt("count"),
		nullable(dict("label")), f64("ratio"), nullable(cnt("total")),
	), fill: fillObjects},
	{Name: "gc", Schema: schema(
		i32("generation"),
		nullable(cnt("collections")), nullable(cnt("object_visits")), nullable(cnt("objects_collected")),
		nullable(cnt("objects_reachable_from_roots")), nullable(cnt("objects_not_reachable_from_roots")),
	), fill: fillGC},
	{Name: "optimization", Schema: schema(dict("section"), dict("name"), cnt("count")), fill: fillOptimization},
	{Name: "histograms", Schema: schema(
		dict("histogram"), cnt("bucket"), cnt("count"),
	), fill: fillHistograms},
	{Name: "rare_events", Schema: schema(dict("event"), cnt("count")), fill: fillRareEvents},
	{Name: "specialization_loss", Schema: schema(specLossFields()...), fill: fillSpecLoss},
	{Name: "benchmarks", Schema: schema(benchmarkFields()...), Pyperf: true, fill: fillBenchmarks},
	{Name: "values", Schema: schema(valueFields()...), Pyperf: true, fill: fillValues},
	{Name: "pyperf_runs", Schema: schema(pyperfRunFields()...), Pyperf: true, fill: fillPyperfRuns},
	{Name: "comparisons", Schema: schema(comparisonFields()...), Pyperf: true, fill: fillComparisons},
}

// Build returns table t holding the rows of every input, in input order, as
// one record. Inputs of the other kind (pyperf inputs for a pystats table and
// the reverse) contribute no rows. The caller releases the record.
func (t *Table) Build(mem memory.Allocator, inputs []Input) (arrow.RecordBatch, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	b := newRows(mem, t.Schema)
	defer b.release()
	takers := 0
	for i := range inputs {
		if t.Takes(&inputs[i]) {
			takers++
		}
	}
	b.single = takers == 1
	for i := range inputs {
		in := &inputs[i]
		if !t.Takes(in) {
			continue
		}
		if err := checkCounts(in); err != nil {
			return nil, err
		}
		before := b.len(RunColumns)
		err := t.fill(b, in)
		if err == nil {
			err = b.err
		}
		if err != nil {
			return nil, fmt.Errorf("%s table, run %s: %w", t.Name, in.Label, err)
		}
		n := b.len(RunColumns) - before
		if n == 0 {
			continue
		}
		// The run columns are one value per input.
		commit, fork, ref, date := in.Metadata()
		for j, v := range []string{in.Label, commit, fork, ref, date} {
			if v == "" && j > 0 {
				b.dicts[j].appendNulls(n)
				continue
			}
			b.dicts[j].appendN(v, n)
		}
	}
	rec, err := b.record()
	if err != nil {
		return nil, fmt.Errorf("%s table: %w", t.Name, err)
	}
	return rec, nil
}

// checkCounts reports the first counter of a pystats input whose value is
// above 2^63-1, naming its key and the input's path: counts are exported as
// int64 (see cnt).
func checkCounts(in *Input) error {
	if in.Stats == nil {
		return nil
	}
	values := in.Stats.Values()
	for i := 0; i < values.Len(); i++ {
		if v := values.Value(i); v > math.MaxInt64 {
			return fmt.Errorf("%s: key %s = %d is above 2^63-1, the largest count the export's int64 columns hold",
				in.Stats.Source.Path, in.Stats.Keys().Value(i), v)
		}
	}
	return nil
}

// counterRows gives the counters record's columns, read once.
type counterRows struct {
	families []pystats.Family
	names    *array.String
	counters *array.String
	indexes  *array.String
	values   *array.Uint64
}

func newCounterRows(st *pystats.Stats) *counterRows {
	return &counterRows{
		families: st.Families(),
		names:    st.Names(),
		counters: st.CounterNames(),
		indexes:  st.Indexes(),
		values:   st.Values(),
	}
}

// fillCounters copies the counters record, every raw key, unchanged.
func fillCounters(b *rows, in *Input) error {
	st := in.Stats
	if b.single {
		// The record's own columns, shared; its values, at most 2^63-1
		// (checkCounts), are read as int64.
		for i := range pystats.CountersSchema.Fields() {
			col := st.Counters.Column(i)
			if i == pystats.ColValue {
				v := int64View(st.Values())
				b.column(i, v)
				v.Release()
				continue
			}
			b.column(i, col)
		}
		return nil
	}
	c := newCounterRows(st)
	keys := st.Keys()
	for i := 0; i < keys.Len(); i++ {
		b.str(pystats.ColKey, keys.Value(i))
		b.str(pystats.ColFamily, string(c.families[i]))
		b.str(pystats.ColName, c.names.Value(i))
		b.str(pystats.ColCounter, c.counters.Value(i))
		b.str(pystats.ColIndex, c.indexes.Value(i))
		b.count(pystats.ColValue, c.values.Value(i))
	}
	return nil
}

// int64View is a uint64 array read as int64 (the same memory); the caller
// releases it. Values above 2^63-1 read as negative.
func int64View(a *array.Uint64) arrow.Array {
	d := a.Data()
	v := array.NewData(arrow.PrimitiveTypes.Int64, d.Len(), d.Buffers(), nil, d.NullN(), d.Offset())
	defer v.Release()
	return array.NewInt64Data(v)
}

// buildFacts are the build tables of an input as the tables need them.
type buildFacts struct {
	// view is the input's per-instruction view (specialize.View): names,
	// classes, families and failure-kind labels, shared with the reports.
	view             *specialize.View
	defines          *pystats.Defines
	statsDefines     *pystats.Defines
	tables           *specialize.Tables
	numericOpcodes   bool
	knownSpecialized bool
}

// viewOf is the input's view: its dataset's when it has one.
func viewOf(in *Input) *specialize.View {
	if in.Dataset != nil {
		return in.Dataset.View()
	}
	return specialize.NewView(in.Stats, in.Era, in.Tables)
}

func factsOf(in *Input) *buildFacts {
	f := &buildFacts{tables: in.Tables, numericOpcodes: in.Era.HasOpcodes && !in.Era.NamedOpcodes, view: viewOf(in)}
	m := &in.Stats.Meta
	switch {
	case m.HasBuildTables:
		f.defines, f.statsDefines = &m.Defines, &m.StatsDefines
		f.knownSpecialized = true
	case in.Tables != nil:
		f.defines, f.statsDefines = &in.Tables.Defines, &in.Tables.StatsDefines
		f.knownSpecialized = len(in.Tables.SpecializedInstructions) > 0
	}
	if f.defines != nil && f.defines.Len() == 0 {
		f.defines = nil
	}
	if f.statsDefines != nil && f.statsDefines.Len() == 0 {
		f.statsDefines = nil
	}
	return f
}

// opcodeName names an opcode key's name field: numeric names through the
// build tables when known, else unchanged.
func (f *buildFacts) opcodeName(name string) string {
	if f.numericOpcodes {
		return f.tables.OpcodeName(name)
	}
	return name
}

// fillOpcodes writes one row per instruction (tier 1 opcodes, then tier 2
// uops, each in first-seen order), from the input's view: specialized is
// the view's class (3.11 *_ADAPTIVE forms are not specialized), family the
// view's family of a generic or specialized instruction.
func fillOpcodes(b *rows, in *Input) error {
	f := factsOf(in)
	row := func(tier int32, name, raw string, o *specialize.OpcodeStat, spec bool, fam string) {
		tier1 := tier == 1
		b.i32(0, tier)
		b.str(1, name)
		num, err := strconv.ParseInt(raw, 10, 32)
		b.i32OrNull(2, int32(num), tier1 && f.numericOpcodes && err == nil)
		b.count(3, o.ExecutionCount)
		b.boolOrNull(4, o.Specializable, tier1)
		b.boolOrNull(5, spec, tier1 && f.knownSpecialized)
		b.strOrNull(6, fam, fam != "")
		for j, v := range []uint64{o.Hit, o.Miss, o.Deferred, o.Success, o.Failure, o.Deopt} {
			b.count(7+j, v)
		}
	}
	for i := range f.view.Tier1 {
		x := &f.view.Tier1[i]
		fam := ""
		if x.Class == specialize.ClassGeneric || x.Class == specialize.ClassSpecialized {
			fam = x.Family
		}
		row(1, x.Name, x.Stat.Name, x.Stat, x.Class == specialize.ClassSpecialized, fam)
	}
	uops := f.view.Counters.Uops.Ops
	for i := range uops {
		row(2, uops[i].Name, uops[i].Name, &uops[i], false, "")
	}
	return nil
}

// fillFailureKinds writes one row per opcode[X].specialization.failure_kinds[n]
// key, in data order, with the summarizer's label for kind n of family X.
func fillFailureKinds(b *rows, in *Input) error {
	f := factsOf(in)
	c := newCounterRows(in.Stats)
	for i, fam := range c.families {
		if fam != pystats.FamilyOpcode || c.counters.Value(i) != "specialization.failure_kinds" {
			continue
		}
		n, err := strconv.ParseInt(c.indexes.Value(i), 10, 32)
		if err != nil {
			return fmt.Errorf("failure kind index %q: %w", c.indexes.Value(i), err)
		}
		op := f.opcodeName(c.names.Value(i))
		b.str(0, op)
		b.i32(1, int32(n))
		if f.defines != nil {
			b.str(2, f.view.FailureKindLabel(op, int(n)))
		} else {
			b.strOrNull(2, "", false)
		}
		b.count(3, c.values.Value(i))
		// The report's denominator: the family's failures.
		var failure uint64
		if ins := f.view.Instruction(op); ins != nil {
			failure = ins.Stat.Failure
		}
		b.count(4, failure)
		r, ok := ratio(c.values.Value(i), failure)
		b.f64OrNull(5, r, ok)
	}
	return nil
}

// fillPairs writes opcode[A].pair_count[B] (tier 1) and uop[A].pair_count[B]
// (tier 2) in data order.
func fillPairs(b *rows, in *Input) error {
	f := factsOf(in)
	c := newCounterRows(in.Stats)
	for i, fam := range c.families {
		if c.counters.Value(i) != "pair_count" {
			continue
		}
		switch fam {
		case pystats.FamilyOpcode:
			b.i32(0, 1)
			b.str(1, f.opcodeName(c.names.Value(i)))
			b.str(2, f.opcodeName(c.indexes.Value(i)))
		case pystats.FamilyUopPair:
			b.i32(0, 2)
			b.str(1, c.names.Value(i))
			b.str(2, c.indexes.Value(i))
		default:
			continue
		}
		b.count(3, c.values.Value(i))
	}
	return nil
}

// fillCalls writes the call and frame counters; "Calls via
// PyEval_EvalFrame[i]" rows carry i and its EVAL_CALL_* reason.
func fillCalls(b *rows, in *Input) error {
	f := factsOf(in)
	c := newCounterRows(in.Stats)
	labels := callLabels(in, c)
	for i, fam := range c.families {
		if fam != pystats.FamilyCalls {
			continue
		}
		b.str(0, c.names.Value(i))
		idx := c.indexes.Value(i)
		n, err := strconv.ParseInt(idx, 10, 32)
		hasIndex := idx != "" && err == nil
		b.i32OrNull(1, int32(n), hasIndex)
		reason, ok := "", false
		if hasIndex && f.statsDefines != nil {
			if names := f.statsDefines.Names[int(n)]; len(names) > 0 {
				reason, ok = strings.ToLower(strings.ReplaceAll(names[0], "_", " ")), true
			}
		}
		b.strOrNull(2, reason, ok)
		b.count(3, c.values.Value(i))
		b.reportCells(4, labels[i], c.values.Value(i))
	}
	return nil
}

// reportCells writes a report row's label, ratio and the ratio's
// denominator (total) at columns i, i+1, i+2: null when the report has no
// such row (numeric-opcode data, whose E1/E2 reports are not built here) or
// no ratio. The row must have the counter's count.
func (b *rows) reportCells(i int, row []rtable.Cell, count uint64) {
	if len(row) != 3 || row[1].Value != count {
		b.strOrNull(i, "", false)
		b.f64OrNull(i+1, 0, false)
		b.countOrNull(i+2, 0, false)
		return
	}
	b.str(i, row[0].Label())
	r := row[2]
	v, ok := ratio(r.Value, r.Den)
	b.f64OrNull(i+1, v, ok && r.HasDen)
	b.countOrNull(i+2, r.Den, r.HasDen)
}

// e4Report reports whether the input's report is the E4 one (named-opcode
// data), whose Object and Call tables label the exported rows.
func e4Report(st *pystats.Stats) bool {
	return report.ResolveStyle(st, report.StyleAuto).IsE4()
}

// callLabels maps each calls row (by counter index) to its row of the E4
// report's "Call stats" table, which lists the "Calls ..." keys sorted by
// key, then the "Frame..." keys.
func callLabels(in *Input, c *counterRows) map[int][]rtable.Cell {
	out := map[int][]rtable.Cell{}
	if !e4Report(in.Stats) {
		return out
	}
	keys := in.Stats.Keys()
	var calls, frames []int
	for i, fam := range c.families {
		if fam != pystats.FamilyCalls {
			continue
		}
		k := keys.Value(i)
		switch {
		case strings.Contains(k, "Calls to"), strings.HasPrefix(k, "Calls "):
			calls = append(calls, i)
		case strings.HasPrefix(k, "Frame"):
			frames = append(frames, i)
		}
	}
	byKey := func(list []int) {
		sort.SliceStable(list, func(a, b int) bool { return keys.Value(list[a]) < keys.Value(list[b]) })
	}
	byKey(calls)
	byKey(frames)
	rows := e4.CallRows(in.Stats, viewOf(in))
	for j, i := range append(calls, frames...) {
		if j < len(rows) {
			out[i] = rows[j]
		}
	}
	return out
}

// fillObjects writes the "Object ..." counters, named without the prefix,
// with the E4 report's label and ratio (its rows are the counters in data
// order).
func fillObjects(b *rows, in *Input) error {
	c := newCounterRows(in.Stats)
	var rows [][]rtable.Cell
	if e4Report(in.Stats) {
		rows = e4.ObjectRows(in.Stats, viewOf(in))
	}
	n := 0
	for i, fam := range c.families {
		if fam != pystats.FamilyObject {
			continue
		}
		b.str(0, c.names.Value(i))
		b.count(1, c.values.Value(i))
		var row []rtable.Cell
		if n < len(rows) {
			row = rows[n]
		}
		n++
		b.reportCells(2, row, c.values.Value(i))
	}
	return nil
}

// fillRareEvents writes the "Rare event (x)" counters, named x.
func fillRareEvents(b *rows, in *Input) error {
	return fillNamed(b, in, pystats.FamilyRareEvent)
}

func fillNamed(b *rows, in *Input, want pystats.Family) error {
	c := newCounterRows(in.Stats)
	for i, fam := range c.families {
		if fam != want {
			continue
		}
		b.str(0, c.names.Value(i))
		b.count(1, c.values.Value(i))
	}
	return nil
}

// gcFields are the GC counters in column order.
var gcFields = []string{"collections", "object visits", "objects collected",
	"objects reachable from roots", "objects not reachable from roots"}

// fillGC writes one row per GC generation, in first-seen order; a counter
// the data does not have (older versions) is null.
func fillGC(b *rows, in *Input) error {
	c := newCounterRows(in.Stats)
	type gen struct {
		n   int32
		v   [5]uint64
		has [5]bool
	}
	var gens []*gen
	byIndex := map[string]*gen{}
	for i, fam := range c.families {
		if fam != pystats.FamilyGC {
			continue
		}
		col := -1
		for j, name := range gcFields {
			if c.names.Value(i) == name {
				col = j
			}
		}
		if col < 0 {
			continue // an unknown GC counter: in the counters table only
		}
		idx := c.indexes.Value(i)
		g := byIndex[idx]
		if g == nil {
			n, err := strconv.ParseInt(idx, 10, 32)
			if err != nil {
				return fmt.Errorf("GC generation %q: %w", idx, err)
			}
			g = &gen{n: int32(n)}
			byIndex[idx] = g
			gens = append(gens, g)
		}
		g.v[col] += c.values.Value(i)
		g.has[col] = true
	}
	for _, g := range gens {
		b.i32(0, g.n)
		for j := range gcFields {
			b.countOrNull(1+j, g.v[j], g.has[j])
		}
	}
	return nil
}

// Sections of the optimization table.
const (
	SectionOptimizer         = "optimizer"
	SectionJIT               = "jit"
	SectionUnsupportedOpcode = "unsupported_opcode"
	SectionErrorInOpcode     = "error_in_opcode"
)

// fillOptimization writes the Tier-2 scalars (section optimizer), the JIT
// memory sizes (jit) and the per-opcode unsupported_opcode[X].count and
// error_in_opcode[X].count counters (name = X), in data order.
func fillOptimization(b *rows, in *Input) error {
	c := newCounterRows(in.Stats)
	for i, fam := range c.families {
		name := c.names.Value(i)
		var section string
		switch fam {
		case pystats.FamilyOptimization:
			section = SectionOptimizer
			if strings.HasPrefix(name, "JIT ") {
				section = SectionJIT
			}
		case pystats.FamilyUnsupportedOpcode:
			section = SectionUnsupportedOpcode
		case pystats.FamilyErrorInOpcode:
			section = SectionErrorInOpcode
		default:
			continue
		}
		b.str(0, section)
		b.str(1, name)
		b.count(2, c.values.Value(i))
	}
	return nil
}

// fillHistograms writes the power-of-two histograms (Trace length[N] ...):
// bucket N counts values in (N/2, N].
func fillHistograms(b *rows, in *Input) error {
	c := newCounterRows(in.Stats)
	for i, fam := range c.families {
		if fam != pystats.FamilyHistogram {
			continue
		}
		n, err := strconv.ParseUint(c.indexes.Value(i), 10, 64)
		if err != nil {
			return fmt.Errorf("histogram bucket %q: %w", c.indexes.Value(i), err)
		}
		b.str(0, c.names.Value(i))
		b.count(1, n)
		b.count(2, c.values.Value(i))
	}
	return nil
}
