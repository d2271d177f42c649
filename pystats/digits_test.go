package pystats

import (
	"encoding/binary"
	"strconv"
	"testing"
)

// TestEightDigits checks the 8-bytes-at-once value reading of the fast path
// against strconv for every digit count and the bytes that may follow.
func TestEightDigits(t *testing.T) {
	for _, tc := range []string{
		"0\n", "7\n", "12\n", "123 : x", "9999\n", "10000000", "12345678", "1234567\n",
		"00000001", "99999999", "4\x00\x00\x00\x00\x00\x00\x00", "8/", "8:", "\n", "a1234567", "123\xff4567",
	} {
		b := []byte(tc)
		for len(b) < 8 {
			b = append(b, '\n')
		}
		x := binary.LittleEndian.Uint64(b)
		k := 0
		for k < 8 && b[k] >= '0' && b[k] <= '9' {
			k++
		}
		if got := leadingDigits(x); got != k {
			t.Errorf("leadingDigits(%q) = %d, want %d", tc, got, k)
			continue
		}
		var want uint64
		if k > 0 {
			want, _ = strconv.ParseUint(string(b[:k]), 10, 64)
		}
		if got := eightDigits(x << (64 - 8*k)); got != want {
			t.Errorf("eightDigits(%q) = %d, want %d", tc, got, want)
		}
	}
}
