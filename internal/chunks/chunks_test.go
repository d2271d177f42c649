package chunks

import (
	"bytes"
	"errors"
	"testing"
)

func TestBufferKeepsTheBytesInOrder(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
	}{
		{"nothing", nil},
		{"one", []string{"abc"}},
		{"several, an empty one among them", []string{"ab", "", "c", "defg"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b Buffer
			var want bytes.Buffer
			for _, s := range tc.writes {
				p := []byte(s)
				if n, err := b.Write(p); n != len(p) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", s, n, err)
				}
				copy(p, "XXXX") // the buffer keeps a copy
				want.WriteString(s)
			}
			var got bytes.Buffer
			n, err := b.WriteTo(&got)
			if err != nil || n != int64(want.Len()) || b.Len() != int64(want.Len()) || got.String() != want.String() {
				t.Fatalf("WriteTo gave %q (%d, %v), Len %d; want %q", got.String(), n, err, b.Len(), want.String())
			}
		})
	}
}

type failAfter struct{ left int }

func (f *failAfter) Write(p []byte) (int, error) {
	if f.left == 0 {
		return 0, errors.New("disk full")
	}
	f.left--
	return len(p), nil
}

func TestWriteToStopsAtTheFirstError(t *testing.T) {
	var b Buffer
	b.Write([]byte("ab"))
	b.Write([]byte("cde"))
	b.Write([]byte("f"))
	n, err := b.WriteTo(&failAfter{left: 1})
	if err == nil || n != 2 {
		t.Fatalf("WriteTo = %d, %v; want 2 and the writer's error", n, err)
	}
}

// TestWriteToABuffer: a Buffer written to another hands over its bytes,
// which both then hold, in order after what the other held; writing a
// Buffer to itself doubles it, as to any writer.
func TestWriteToABuffer(t *testing.T) {
	var a, b Buffer
	a.Write([]byte("ab"))
	a.Write([]byte("c"))
	b.Write([]byte("xy"))
	if n, err := a.WriteTo(&b); n != 3 || err != nil {
		t.Fatalf("WriteTo = %d, %v", n, err)
	}
	a.Write([]byte("d")) // later writes to a do not reach b
	for _, tc := range []struct {
		name string
		buf  *Buffer
		want string
	}{{"source", &a, "abcd"}, {"target", &b, "xyabc"}} {
		var got bytes.Buffer
		if _, err := tc.buf.WriteTo(&got); err != nil || got.String() != tc.want || tc.buf.Len() != int64(len(tc.want)) {
			t.Errorf("%s: %q, Len %d; want %q", tc.name, got.String(), tc.buf.Len(), tc.want)
		}
	}
	var c Buffer
	c.Write([]byte("ab"))
	if n, err := c.WriteTo(&c); n != 2 || err != nil || c.Len() != 4 {
		t.Fatalf("to itself: %d, %v, Len %d", n, err, c.Len())
	}
	var got bytes.Buffer
	c.WriteTo(&got)
	if got.String() != "abab" {
		t.Errorf("to itself: %q", got.String())
	}
}
