package export

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
)

// TestCountAboveInt64 checks that a counter above 2^63-1 fails the export,
// naming the key and the file, and that 2^63-1 itself is written.
func TestCountAboveInt64(t *testing.T) {
	tests := []struct {
		name, value string
		wantErr     bool
	}{
		{"max int64", "9223372036854775807", false},
		{"one above", "9223372036854775808", true},
		{"max uint64", "18446744073709551615", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := checkedMem(t)
			dump := filepath.Join(t.TempDir(), "dump.txt")
			text := "opcode[LOAD_ATTR].execution_count: " + tt.value + "\nopcode[LOAD_FAST].execution_count: 3\n"
			if err := os.WriteFile(dump, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			in := loadStats(t, mem, "big", dump)
			dir := t.TempDir()
			_, err := Write(dir, []Input{in}, Options{Allocator: mem})
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				ops := readParquet(t, mem, filepath.Join(dir, "opcodes.parquet"))
				if got := ops.get(0, "execution_count"); got != int64(9223372036854775807) {
					t.Errorf("execution_count = %v", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "opcode[LOAD_ATTR].execution_count") || !strings.Contains(err.Error(), dump) {
				t.Fatalf("err = %v, want one naming the key and %s", err, dump)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("failed export left %d entries", len(left))
			}
		})
	}
}

// TestFileMetadata checks Parquet's created_by ("pystats version V", the
// form parquet-java parses) and the codecs: zstd Parquet and uncompressed
// Arrow IPC by default, lz4 or zstd IPC on request.
func TestFileMetadata(t *testing.T) {
	mem := checkedMem(t)
	dump := filepath.Join(t.TempDir(), "dump.txt")
	if err := os.WriteFile(dump, []byte("opcode[LOAD_FAST].execution_count: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := loadStats(t, mem, "r", dump)
	files, err := Encode([]Input{in}, Options{Allocator: mem, Version: "1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	pf, err := file.NewParquetReader(bytes.NewReader(files[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if got := pf.MetaData().GetCreatedBy(); got != "pystats version 1.2.3" {
		t.Errorf("created_by = %q", got)
	}
	if cc, err := pf.MetaData().RowGroup(0).ColumnChunk(0); err != nil {
		t.Fatal(err)
	} else if cc.Compression() != compress.Codecs.Zstd {
		t.Errorf("Parquet codec %v, want zstd", cc.Compression())
	}
	pf.Close()
	// Arrow JS opens the default file (checked by the interop test): it
	// must be the uncompressed one, and differ from lz4 and zstd.
	ipcBytes := map[Compression][]byte{}
	for _, c := range []Compression{"", Uncompressed, LZ4, Zstd} {
		files, err := Encode([]Input{in}, Options{Allocator: mem, Format: Arrow, Compression: c})
		if err != nil {
			t.Fatal(err)
		}
		ipcBytes[c] = files[0].Data
	}
	if !bytes.Equal(ipcBytes[""], ipcBytes[Uncompressed]) {
		t.Error("default Arrow IPC file is not the uncompressed one")
	}
	if bytes.Equal(ipcBytes[""], ipcBytes[LZ4]) || bytes.Equal(ipcBytes[""], ipcBytes[Zstd]) || bytes.Equal(ipcBytes[LZ4], ipcBytes[Zstd]) {
		t.Error("--compression lz4/zstd gave the same Arrow IPC bytes as another codec")
	}
}
