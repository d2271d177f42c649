package specialize

import (
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
)

func TestCheckNumbering(t *testing.T) {
	t312, ok := Embedded("3.12")
	if !ok {
		t.Fatal("no embedded 3.12 tables")
	}
	t311, _ := Embedded("3.11")
	tests := []struct {
		name   string
		path   string
		tables *Tables
		fits   bool
		want   string
	}{
		{"3.12.0b3 with 3.12 tables", "data/real-pystats/bm-20230619-3.12.0b3-f992a60/bm-20230619-azure-x86_64-python-v3.12.0b3-3.12.0b3-f992a60-pystats.json", t312, true, ""},
		{"development build 4fe1c4b with 3.12 tables", "data/real-pystats/faster-cpython-ideas/pystats-2023-04-16-python-4fe1c4b.json", t312, false, "does not match the 3.12 tables"},
		{"3.11.2 dumps with 3.11 tables", "data/dumps/3.11/test_small/raw", t311, true, ""},
		{"3.11.2 dumps with 3.12 tables", "data/dumps/3.11/test_small/raw", t312, false, "does not match the 3.12 tables"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := pystats.Read(shared.Path(t, tt.path), pystats.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Release()
			msg := tt.tables.NumberingWarning(st)
			if tt.fits && msg != "" {
				t.Errorf("unexpected misfit: %s", msg)
			}
			if !tt.fits && !strings.Contains(msg, tt.want) {
				t.Errorf("warning %q, want it to contain %q", msg, tt.want)
			}
		})
	}
}
