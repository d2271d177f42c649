package specialize

import (
	"strconv"
	"testing"

	"github.com/pystats-dev/pystats/pystats"
)

func TestFailureKindLabelE1(t *testing.T) {
	e311, ok := Embedded("3.11")
	if !ok {
		t.Fatal("no embedded 3.11 tables")
	}
	d := &e311.Defines
	small := defs(7, []string{"LOAD_ATTR_SEVEN"}, 9, []string{"PRECALL_X", "ATTR_"})
	tests := []struct {
		op      string
		n       int
		defines *pystats.Defines
		want    string
	}{
		{"LOAD_ATTR", 2, d, "overridden"},
		{"CALL", 6, d, "wrong number arguments"},
		// Kinds 7 and 8 are not generic in E1 (they are in E2-E4).
		{"LOAD_ATTR", 8, d, "overriding descriptor"},
		{"STORE_ATTR", 8, d, "overriding descriptor"},
		{"LOAD_METHOD", 8, d, "overriding descriptor"},
		{"BINARY_OP", 8, d, "add different types"},
		{"UNPACK_SEQUENCE", 8, d, "iterator"},
		{"LOAD_ATTR", 7, d, "kind 7"},
		{"LOAD_ATTR", 7, &small, "kind 7"}, // prefix ATTR, not LOAD_ATTR
		{"BINARY_SUBSCR", 12, d, "string int"},
		{"STORE_SUBSCR", 9, d, "array slice"},
		{"PRECALL", 9, d, "complex parameters"},
		{"PRECALL", 9, &small, "kind 9"},
		{"CALL", 29, d, "pep 523"},
		{"LOAD_GLOBAL", 18, d, "non string or split"},
		{"FOR_ITER", 10, d, "generator"},
		{"COMPARE_OP", 9, d, "kind 9"},
		{"LOAD_ATTR", 9, &small, ""},
		{"LOAD_ATTR", 0, nil, "kind 0"},
		{"LOAD_ATTR", 40, d, "kind 40"},
	}
	for _, tt := range tests {
		t.Run(tt.op+"/"+strconv.Itoa(tt.n), func(t *testing.T) {
			if got := FailureKindLabelE1(tt.op, tt.n, tt.defines); got != tt.want {
				t.Errorf("FailureKindLabelE1(%s, %d) = %q, want %q", tt.op, tt.n, got, tt.want)
			}
		})
	}
}
