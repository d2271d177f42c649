package export

import (
	"bytes"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
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

// TestWarmEncodersKeepTheBytes: a page encoded by a warmed encoder (see
// warmEncoders) has the bytes a fresh encoder gives it, so the warm-up
// changes no file; the warmed encoders are in the pool afterwards.
func TestWarmEncodersKeepTheBytes(t *testing.T) {
	page := bytes.Repeat([]byte("opcode[LOAD_ATTR].specialization.hit 12345\n"), 500)
	fresh, err := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(zstd.SpeedFastest),
		zstd.WithEncoderConcurrency(1), zstd.WithAllLitEntropyCompression(true),
		zstd.WithWindowSize(zstdWindow), zstd.WithLowerEncoderMem(true))
	if err != nil {
		t.Fatal(err)
	}
	want := fresh.EncodeAll(page, nil)

	zstdEncoders.Lock()
	saved := zstdEncoders.idle[zstd.SpeedFastest]
	zstdEncoders.idle[zstd.SpeedFastest] = nil
	zstdEncoders.Unlock()
	defer func() {
		zstdEncoders.Lock()
		zstdEncoders.idle[zstd.SpeedFastest] = saved
		zstdEncoders.Unlock()
	}()
	warmEncoders(2)
	zstdEncoders.Lock()
	n := len(zstdEncoders.idle[zstd.SpeedFastest])
	zstdEncoders.Unlock()
	if n != 2 {
		t.Fatalf("%d encoders in the pool after warmEncoders(2), want 2", n)
	}
	codec := lowMemoryZstd{}
	for i := range 3 {
		if got := codec.EncodeLevel(nil, page, compress.DefaultCompressionLevel); !bytes.Equal(got, want) {
			t.Fatalf("encode %d after the warm-up: %d bytes, a fresh encoder's %d, not the same", i, len(got), len(want))
		}
	}
}
