package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"

	"github.com/pystats-dev/pystats/internal/atomicfile"
)

// Format is an output file format.
type Format string

// The output formats.
const (
	Parquet Format = "parquet" // Apache Parquet, the Arrow schema stored in the file
	Arrow   Format = "arrow"   // Arrow IPC file format (Feather v2)
	CSV     Format = "csv"     // RFC 4180 CSV with a header row, CRLF line ends
)

// Ext is the file name extension of a format.
func (f Format) Ext() string { return "." + string(f) }

// Compression names a codec for Parquet pages and Arrow IPC buffers.
type Compression string

// The compression codecs. IPC supports zstd and lz4 only; CSV is never
// compressed.
const (
	Zstd         Compression = "zstd"
	Snappy       Compression = "snappy"
	LZ4          Compression = "lz4"
	Uncompressed Compression = "none"
)

// Options tune an export.
type Options struct {
	// Format of the files; "" means Parquet.
	Format Format
	// Partition writes DIR/<table>/run=<label>/part-0.<ext> (Hive style, the
	// run column left out of the files) instead of DIR/<table>.<ext>.
	Partition bool
	// Compression codec; "" means zstd for Parquet and none for Arrow IPC
	// (Apache Arrow JS, the browser's reader, opens no compressed IPC file).
	Compression Compression
	// Version is the pystats version written into Parquet's created_by
	// ("pystats version <Version>", the form parquet-java parses); ""
	// means "unknown".
	Version string
	// Allocator for the Arrow tables; nil means memory.DefaultAllocator.
	Allocator memory.Allocator
	// Protected are paths that must not be overwritten (the inputs): the
	// output folder must not be, lie inside or hold one of them.
	Protected []string
	// Log, when set, receives a line naming the files of a previous export
	// that the commit removed.
	Log io.Writer
	// ListFiles makes Writer.Close return the files written (Write always
	// does). Off, a Writer's memory does not grow with the number of files.
	ListFiles bool
}

// Validate reports an unknown format or a codec the format cannot use.
func (o Options) Validate() error { return o.normalize() }

func (o *Options) normalize() error {
	if o.Format == "" {
		o.Format = Parquet
	}
	if o.Compression == "" {
		o.Compression = Zstd
		if o.Format == Arrow {
			o.Compression = Uncompressed
		}
	}
	if o.Allocator == nil {
		o.Allocator = memory.DefaultAllocator
	}
	switch o.Format {
	case Parquet:
		switch o.Compression {
		case Zstd, Snappy, LZ4, Uncompressed:
		default:
			return fmt.Errorf("--compression %q: want zstd, snappy, lz4 or none", o.Compression)
		}
	case Arrow:
		switch o.Compression {
		case Zstd, LZ4, Uncompressed:
		default:
			return fmt.Errorf("--compression %q: Arrow IPC supports zstd, lz4 or none", o.Compression)
		}
	case CSV:
	default:
		return fmt.Errorf("--format %q: want parquet, arrow or csv", o.Format)
	}
	return nil
}

// File is one encoded output file.
type File struct {
	// Path is relative to the output directory, with forward slashes.
	Path string
	// Table is the table's name; Run the partition label ("" unpartitioned).
	Table, Run string
	// Rows is the number of rows in the file.
	Rows int64
	Data []byte
}

// CheckLabel reports whether a label can name a run: it must be non-empty,
// must not start with '.', and must not contain '/', '\\', '=', '%', control
// characters or the characters Hive-style partition paths escape
// (" * : < > ? | ^ [ ] { } # ').
func CheckLabel(label string) error {
	if label == "" {
		return errors.New("empty label")
	}
	if label[0] == '.' {
		return fmt.Errorf("label %q starts with '.'", label)
	}
	for _, r := range label {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\=%"*:<>?|^[]{}#'`, r) {
			return fmt.Errorf("label %q contains %q, which is not allowed in a partition path", label, r)
		}
	}
	return nil
}

// Encode builds every table of inputs and encodes it; nothing is written.
// Pystats tables are produced when an input is a pystats data set, pyperf
// tables when one is a pyperf result, each even when it has no rows (so a
// dataset always has the same files). Output is deterministic: the same
// inputs and options give the same bytes.
func Encode(inputs []Input, opt Options) ([]File, error) {
	if err := opt.normalize(); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var haveStats, havePyperf bool
	for _, in := range inputs {
		if err := CheckLabel(in.Label); err != nil {
			return nil, err
		}
		if seen[in.Label] {
			return nil, fmt.Errorf("label %q is used twice; give each input its own --label", in.Label)
		}
		seen[in.Label] = true
		haveStats = haveStats || in.Stats != nil
		havePyperf = havePyperf || in.Pyperf != nil
	}
	inputs = withReference(inputs)
	var files []File
	for _, t := range tables {
		if !t.All && ((t.Pyperf && !havePyperf) || (!t.Pyperf && !haveStats)) {
			continue
		}
		if !opt.Partition {
			f, err := encodeTable(t, inputs, "", opt, nil)
			if err != nil {
				return nil, err
			}
			f.Path = t.Name + opt.Format.Ext()
			files = append(files, f)
			continue
		}
		for i := range inputs {
			in := inputs[i : i+1]
			if !t.Takes(&in[0]) {
				continue
			}
			f, err := encodeTable(t, in, in[0].Label, opt, nil)
			if err != nil {
				return nil, err
			}
			f.Path = t.Name + "/run=" + in[0].Label + "/part-0" + opt.Format.Ext()
			files = append(files, f)
		}
	}
	return files, nil
}

// withReference returns inputs with the first pyperf input as every pyperf
// input's comparison reference.
func withReference(inputs []Input) []Input {
	out := append([]Input(nil), inputs...)
	var ref *Input
	for i := range out {
		if out[i].Pyperf == nil {
			continue
		}
		if ref == nil {
			ref = &out[i]
		}
		out[i].ref, out[i].refLabel = ref.Pyperf, ref.Label
	}
	return out
}

// encodeTable builds t from inputs and encodes it to w (nil: into the
// returned File's Data); with a run label, the run column is dropped (it is
// in the partition path).
func encodeTable(t *Table, inputs []Input, run string, opt Options, w io.Writer) (File, error) {
	rec, err := buildRecord(t, inputs, run, opt)
	if err != nil {
		return File{}, err
	}
	defer rec.Release()
	var buf *bytes.Buffer
	if w == nil {
		buf = new(bytes.Buffer)
		w = buf
	}
	if err := encodeRecord(w, rec, opt); err != nil {
		return File{}, fmt.Errorf("encoding %s: %w", t.Name, err)
	}
	f := File{Table: t.Name, Run: run, Rows: rec.NumRows()}
	if buf != nil {
		f.Data = buf.Bytes()
	}
	return f, nil
}

// buildRecord builds t from inputs; with a run label, without the run
// column (it is in the partition path). The caller releases the record.
func buildRecord(t *Table, inputs []Input, run string, opt Options) (arrow.RecordBatch, error) {
	rec, err := t.Build(opt.Allocator, inputs)
	if err != nil || run == "" {
		return rec, err
	}
	defer rec.Release()
	sc := arrow.NewSchema(rec.Schema().Fields()[1:], nil)
	return array.NewRecordBatch(sc, rec.Columns()[1:], rec.NumRows()), nil
}

// EncodeRecord writes rec to w in the given format ("" means Parquet) and
// codec ("" means the format's default, see Options.Compression).
func EncodeRecord(w io.Writer, rec arrow.RecordBatch, format Format, comp Compression, mem memory.Allocator) error {
	opt := Options{Format: format, Compression: comp, Allocator: mem}
	if err := opt.normalize(); err != nil {
		return err
	}
	return encodeRecord(w, rec, opt)
}

func encodeRecord(w io.Writer, rec arrow.RecordBatch, opt Options) error {
	switch opt.Format {
	case Parquet:
		return writeParquet(w, rec, opt)
	case Arrow:
		return writeIPC(w, rec, opt.Compression, opt.Allocator)
	case CSV:
		return WriteCSV(w, rec)
	}
	return fmt.Errorf("format %q: want parquet, arrow or csv", opt.Format)
}

// CreatedBy is the created_by string of the Parquet files: "pystats version
// V", which parquet-java's VersionParser reads as application pystats,
// version V.
func CreatedBy(version string) string {
	if version == "" {
		version = "unknown"
	}
	return "pystats version " + version
}

func parquetCodec(c Compression) compress.Compression {
	switch c {
	case Snappy:
		return compress.Codecs.Snappy
	case LZ4:
		return compress.Codecs.Lz4Raw
	case Uncompressed:
		return compress.Codecs.Uncompressed
	}
	return compress.Codecs.Zstd
}

func writeParquet(w io.Writer, rec arrow.RecordBatch, opt Options) error {
	fw, err := newParquetWriter(w, rec.Schema(), opt)
	if err != nil {
		return err
	}
	if rec.NumRows() > 0 {
		if err := fw.Write(rec); err != nil {
			fw.Close()
			return err
		}
	}
	return fw.Close()
}

// newIPCFileWriter starts an Arrow IPC file of schema sc on w, its buffers
// compressed with comp.
func newIPCFileWriter(w io.Writer, sc *arrow.Schema, comp Compression, mem memory.Allocator) (*ipc.FileWriter, error) {
	opts := []ipc.Option{ipc.WithSchema(sc), ipc.WithAllocator(mem)}
	switch comp {
	case Zstd:
		opts = append(opts, ipc.WithZstd())
	case LZ4:
		opts = append(opts, ipc.WithLZ4())
	}
	return ipc.NewFileWriter(w, opts...)
}

func writeIPC(w io.Writer, rec arrow.RecordBatch, comp Compression, mem memory.Allocator) error {
	fw, err := newIPCFileWriter(w, rec.Schema(), comp, mem)
	if err != nil {
		return err
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return err
	}
	return fw.Close()
}

// WriteCSV writes rec as RFC 4180 CSV: a header row of column names, CRLF
// line ends, quotes only where needed. Nulls are empty fields, booleans
// true/false, floats in the shortest form that reads back exactly, lists as
// their items joined by ';'.
func WriteCSV(w io.Writer, rec arrow.RecordBatch) error {
	cw, err := newCSVWriter(w, rec.Schema())
	if err != nil {
		return err
	}
	if err := writeCSVRows(cw, rec); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// newCSVWriter starts a CSV file of that schema on w: its header row.
func newCSVWriter(w io.Writer, sc *arrow.Schema) (*csv.Writer, error) {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	header := make([]string, sc.NumFields())
	for i, f := range sc.Fields() {
		header[i] = f.Name
	}
	return cw, cw.Write(header)
}

// writeCSVRows writes the rows of rec (see WriteCSV).
func writeCSVRows(cw *csv.Writer, rec arrow.RecordBatch) error {
	format := make([]func(int) string, rec.NumCols())
	for i, f := range rec.Schema().Fields() {
		fn, err := csvFormatter(rec.Column(i))
		if err != nil {
			return fmt.Errorf("column %s: %w", f.Name, err)
		}
		format[i] = fn
	}
	row := make([]string, len(format))
	for r := 0; r < int(rec.NumRows()); r++ {
		for i, fn := range format {
			row[i] = ""
			if rec.Column(i).IsNull(r) {
				continue
			}
			row[i] = fn(r)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	return nil
}

func csvFormatter(col arrow.Array) (func(int) string, error) {
	switch a := col.(type) {
	case *array.Dictionary:
		inner, err := csvFormatter(a.Dictionary())
		if err != nil {
			return nil, err
		}
		return func(i int) string { return inner(a.GetValueIndex(i)) }, nil
	case *array.String:
		return a.Value, nil
	case *array.Uint64:
		return func(i int) string { return strconv.FormatUint(a.Value(i), 10) }, nil
	case *array.Int64:
		return func(i int) string { return strconv.FormatInt(a.Value(i), 10) }, nil
	case *array.Int32:
		return func(i int) string { return strconv.FormatInt(int64(a.Value(i)), 10) }, nil
	case *array.Boolean:
		return func(i int) string { return strconv.FormatBool(a.Value(i)) }, nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return func(i int) string { return a.Value(i).ToTime(unit).UTC().Format(time.RFC3339Nano) }, nil
	case *array.Float64:
		return func(i int) string { return formatFloat(a.Value(i)) }, nil
	case *array.List:
		inner, err := csvFormatter(a.ListValues())
		if err != nil {
			return nil, err
		}
		return func(i int) string {
			start, end := a.ValueOffsets(i)
			parts := make([]string, 0, end-start)
			for j := start; j < end; j++ {
				parts = append(parts, inner(int(j)))
			}
			return strings.Join(parts, ";")
		}, nil
	}
	return nil, fmt.Errorf("type %s has no CSV form", col.DataType())
}

func formatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Write encodes every table of inputs and commits the files as a set: dir
// ends up holding exactly the new tables or, on any error or interrupt, what
// it held before (see atomicfile.CommitDir). A folder that holds anything but
// a pystats export's files (see Owned) is refused. Tables of an older export
// that this one does not write are removed, and named on opt.Log. Inputs are
// encoded one by one (see Writer). It returns the files written (Data nil).
func Write(dir string, inputs []Input, opt Options) ([]File, error) {
	opt.ListFiles = true
	w, err := NewWriter(dir, opt)
	if err != nil {
		return nil, err
	}
	for _, in := range inputs {
		if err := w.Add(in); err != nil {
			return nil, err
		}
	}
	return w.Close()
}

// Commit writes files as the whole content of dir, all or nothing (see
// Write).
func Commit(dir string, files []File, opt Options) error {
	set := make([]atomicfile.DirFile, len(files))
	for i, f := range files {
		set[i] = atomicfile.DirFile{Path: f.Path, Data: f.Data}
	}
	removed, err := atomicfile.CommitDir(dir, set, atomicfile.DirOptions{Protected: opt.Protected, Owned: Owned})
	if err != nil {
		return err
	}
	if opt.Log != nil && len(removed) > 0 {
		fmt.Fprintf(opt.Log, "removed %d file(s) of the previous export in %q that this export does not write: %s\n",
			len(removed), dir, strings.Join(removed, ", "))
	}
	return nil
}

// Owned reports whether a path inside an export folder (relative, with
// forward slashes) is one an export writes: <table>.<ext>, or
// <table>/run=<label>/part-0.<ext> and its folders, where <table> is lower
// case letters, digits and '_' and <ext> is parquet, arrow or csv. This is
// how an existing folder is recognised as a pystats export that may be
// replaced.
func Owned(rel string, isDir bool) bool {
	parts := strings.Split(rel, "/")
	if !tableName(parts[0]) && (isDir || len(parts) > 1) {
		return false
	}
	switch len(parts) {
	case 1:
		if isDir {
			return true
		}
		name, ext, ok := strings.Cut(parts[0], ".")
		return ok && tableName(name) && knownExt(ext)
	case 2:
		return isDir && strings.HasPrefix(parts[1], "run=") && len(parts[1]) > len("run=")
	case 3:
		ext, ok := strings.CutPrefix(parts[2], "part-0.")
		return !isDir && ok && knownExt(ext)
	}
	return false
}

func tableName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func knownExt(ext string) bool {
	return ext == string(Parquet) || ext == string(Arrow) || ext == string(CSV)
}
