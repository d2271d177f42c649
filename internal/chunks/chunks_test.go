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
