package export

import (
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/pystats-dev/pystats/report"
)

// Input kinds of the runs table.
const (
	KindPystats = "pystats"
	KindPyperf  = "pyperf"
)

func boolField(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.FixedWidthTypes.Boolean, Nullable: true}
}

func str(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true}
}

// runsFields are the runs table's columns after the run columns: one
// row per input, pystats and pyperf alike.
func runsFields() []arrow.Field {
	return []arrow.Field{
		dict("kind"), {Name: "input", Type: arrow.BinaryTypes.String},
		nullable(dict("input_format")),
		nullable(dict("version")), str("version_source"),
		nullable(dict("style")), nullable(dict("opcode_keys")),
		boolField("tier2"), boolField("uop_pairs"), boolField("jit_memory"),
		nullable(cnt("files")), nullable(cnt("nfiles")),
		boolField("names_reliable"), str("names_reason"), nullable(dict("build_tables")),
		{Name: "timestamp", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	}
}

// fillRuns writes one row describing the input: what it is, the CPython
// version guessed from its keys (and which keys decided it), the
// summarizer style its report takes, the Tier-2/JIT counters it has, its
// file counts, whether its opcode and failure-kind names are reliable (the
// build-table verdict), and its bench_runner commit date as a timestamp.
func fillRuns(b *rows, in *Input) error {
	_, _, _, date := in.Metadata()
	if in.Pyperf != nil {
		b.str(0, KindPyperf)
		b.str(1, in.Pyperf.Path)
		b.strOrNull(2, "pyperf "+in.Pyperf.Version, true)
		v, ok := in.Pyperf.MetaString("python_version")
		b.strOrNull(3, v, ok)
		b.strOrNull(4, "pyperf metadata python_version", ok)
		for i := 5; i <= 14; i++ {
			b.null(i)
		}
		b.timestampOrNull(15, date)
		return nil
	}
	st, era := in.Stats, in.Era
	b.str(0, KindPystats)
	b.str(1, st.Source.Path)
	b.strOrNull(2, string(st.Source.Kind), st.Source.Kind != "")
	b.strOrNull(3, era.Version, era.Version != "")
	b.strOrNull(4, era.Why, era.Why != "")
	style := report.ResolveStyle(st, report.StyleAuto)
	if style.IsE4() {
		style = report.ResolveE4Style(st, style)
	}
	b.str(5, string(style))
	keys := "none"
	if era.HasOpcodes {
		keys = "numeric"
		if era.NamedOpcodes {
			keys = "named"
		}
	}
	b.str(6, keys)
	b.boolOrNull(7, era.Tier2, true)
	b.boolOrNull(8, era.UopPairs, true)
	b.boolOrNull(9, era.JITMemory, true)
	b.count(10, uint64(max(st.Source.Files, 0)))
	b.count(11, st.NFiles())
	reliable, reason := namesVerdict(in)
	b.boolOrNull(12, reliable, true)
	b.strOrNull(13, reason, reason != "")
	if in.Tables != nil {
		b.str(14, in.Tables.Version+" ("+in.Tables.Source+")")
	} else {
		b.strOrNull(14, "", false)
	}
	b.timestampOrNull(15, date)
	return nil
}

// namesVerdict is the build-table verdict on the input's names: the
// resolved dataset's when there is one, else the numbering check of the
// tables against the data (specialize.Tables.NumberingWarning).
func namesVerdict(in *Input) (bool, string) {
	if in.Dataset != nil {
		return in.Dataset.NamesReliable, in.Dataset.NamesReason
	}
	if in.Tables != nil && in.Era.HasOpcodes && !in.Era.NamedOpcodes {
		if w := in.Tables.NumberingWarning(in.Stats); w != "" {
			return false, w
		}
	}
	return true, ""
}

// timestampOrNull appends an ISO 8601 date (bench_runner's commit_date,
// with an offset, or a bare date) as a UTC timestamp; null when empty or
// not a date.
func (b *rows) timestampOrNull(i int, date string) {
	tb := b.field(i).(*array.TimestampBuilder)
	t, ok := parseDate(date)
	if !ok {
		tb.AppendNull()
		return
	}
	tb.Append(arrow.Timestamp(t.UTC().UnixMicro()))
}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
