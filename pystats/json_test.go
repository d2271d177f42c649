package pystats

import (
	"bufio"
	"bytes"
	"testing"
)

// TestPyJSONString: strings are written as Python's json.dumps writes them
// with ensure_ascii (expected values printed by CPython 3.13's json.dumps).
func TestPyJSONString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"abc", `"abc"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"a\x7fb", `"a\u007fb"`},
		{"\x00\x1f\t\n\r\b\f", `"\u0000\u001f\t\n\r\b\f"`},
		{"é€😀", `"\u00e9\u20ac\ud83d\ude00"`},
		{"opcode[LOAD_ATTR].specializable é", `"opcode[LOAD_ATTR].specializable \u00e9"`},
	} {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		pyJSON{w: w}.str(tc.in)
		w.Flush()
		if b.String() != tc.want {
			t.Errorf("str(%q) = %s, want %s", tc.in, b.String(), tc.want)
		}
	}
}
