package export

import (
	"sync"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// Parquet's zstd codec, as arrow-go registers it, makes encoders with zstd's
// default 8 MiB window, which allocate about 18 MiB each. Column chunks of
// pystats tables are far smaller, so that memory buys nothing; it was a
// third of export's peak RSS. This codec encodes with a 1 MiB window and
// zstd's lower-memory tables (2.5 MiB); frames are standard zstd, readable
// by any Parquet reader. Decoding and streaming stay arrow-go's.
//
// The default level is zstd's level 1 (klauspost's SpeedFastest), as in
// Arrow C++ and so pyarrow (kZSTDDefaultCompressionLevel = 1), not arrow-go's
// level 3: pystats pages are small, and level 3's 1 MiB long-match table is
// probed at random for each of them, mostly missing the cache. On 300 real
// summarize JSONs exported as one partitioned dataset, level 1 took 1.5 of
// 12 CPU seconds less for files 1.2% larger (58.96 -> 59.69 MB).

// zstdWindow is the encoder's window: larger than any column chunk pystats
// writes for a whole test-suite run.
const zstdWindow = 1 << 20

type lowMemoryZstd struct {
	compress.Codec // arrow-go's zstd codec, for everything but block encoding
}

// zstdEncoders keeps idle encoders per level. Not a sync.Pool: that one is
// emptied at every garbage collection, and an export of many small runs
// then made a new 2.5 MiB encoder for nearly every column chunk (a sixth
// of a fleet export's allocations).
var zstdEncoders = struct {
	sync.Mutex
	idle map[zstd.EncoderLevel][]*zstd.Encoder
}{idle: map[zstd.EncoderLevel][]*zstd.Encoder{}}

func getEncoder(l zstd.EncoderLevel) *zstd.Encoder {
	zstdEncoders.Lock()
	idle := zstdEncoders.idle[l]
	if n := len(idle); n > 0 {
		enc := idle[n-1]
		zstdEncoders.idle[l] = idle[:n-1]
		zstdEncoders.Unlock()
		return enc
	}
	zstdEncoders.Unlock()
	enc, err := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(l),
		zstd.WithEncoderConcurrency(1), zstd.WithAllLitEntropyCompression(true),
		zstd.WithWindowSize(zstdWindow), zstd.WithLowerEncoderMem(true))
	if err != nil {
		panic(err) // only for invalid options, which these are not
	}
	return enc
}

func putEncoder(l zstd.EncoderLevel, enc *zstd.Encoder) {
	zstdEncoders.Lock()
	zstdEncoders.idle[l] = append(zstdEncoders.idle[l], enc)
	zstdEncoders.Unlock()
}

func (c lowMemoryZstd) Encode(dst, src []byte) []byte {
	return c.EncodeLevel(dst, src, compress.DefaultCompressionLevel)
}

func (c lowMemoryZstd) EncodeLevel(dst, src []byte, level int) []byte {
	l := zstd.SpeedFastest
	if level != compress.DefaultCompressionLevel {
		l = zstd.EncoderLevelFromZstd(level)
	}
	enc := getEncoder(l)
	defer putEncoder(l, enc)
	return enc.EncodeAll(src, dst[:0])
}

// warmEncoders puts n encoders of the default level in the pool, each used
// once, and must run while no other goroutine of the process is busy: a
// fresh encoder's first use reads its 256 KiB match table before writing
// it, so each page is first mapped to the kernel's zero page, then copied
// on write, and with another thread of the process running on another core
// every copy flushes that core's TLB by an inter-processor interrupt. On
// this project's 2-core VMs that costs about 20 µs per page (2.5 µs with
// the other core idle): 1.3-2.5 ms per encoder, against a 0.2 ms encode,
// paid by the two encoders of an export's writers while the other one
// runs. Warmed before the reading starts, the same pages cost a fifth.
func warmEncoders(n int) {
	// 16 KiB of noise: the encoder probes its table at about a thousand
	// positions, which touch every one of its pages.
	src := make([]byte, 16<<10)
	x := uint64(0x9E3779B97F4A7C15)
	for i := range src {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		src[i] = byte(x)
	}
	encs := make([]*zstd.Encoder, n)
	var dst []byte
	for i := range encs {
		encs[i] = getEncoder(zstd.SpeedFastest)
		dst = encs[i].EncodeAll(src, dst[:0])
	}
	for _, e := range encs {
		putEncoder(zstd.SpeedFastest, e)
	}
}

// maxWarmEncoders bounds warmEncoders: a writer with more goroutines than
// that makes the others as it goes.
const maxWarmEncoders = 4

func init() {
	if base, err := compress.GetCodec(compress.Codecs.Zstd); err == nil {
		compress.RegisterCodec(compress.Codecs.Zstd, lowMemoryZstd{base})
	}
}
