package export

import (
	"bytes"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
)

// TestLowMemoryZstdRoundTrip checks that the registered zstd codec's blocks
// decode with arrow-go's own decoder, at the default and explicit levels,
// for empty, small and larger-than-window blocks.
func TestLowMemoryZstdRoundTrip(t *testing.T) {
	codec, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := codec.(lowMemoryZstd); !ok {
		t.Fatalf("zstd codec is %T, want lowMemoryZstd", codec)
	}
	for _, size := range []int{0, 100, 3 * zstdWindow} {
		src := bytes.Repeat([]byte("opcode[LOAD_ATTR].specialization.hit 12345\n"), size/43+1)[:size]
		for _, level := range []int{compress.DefaultCompressionLevel, 1, 3, 9} {
			enc := codec.EncodeLevel(nil, src, level)
			got := codec.Decode(make([]byte, len(src)), enc)
			if !bytes.Equal(got, src) {
				t.Fatalf("size %d level %d: round trip lost data", size, level)
			}
		}
		if got := codec.Decode(make([]byte, len(src)), codec.Encode(nil, src)); !bytes.Equal(got, src) {
			t.Fatalf("size %d: Encode round trip lost data", size)
		}
	}
}
