package e2

import (
	"fmt"
	"testing"
)

func TestE2JoinRows(t *testing.T) {
	tests := []struct {
		name string
		a, b [][]string
		want [][]string
	}{
		{"both empty", nil, nil, nil},
		{"base only", [][]string{{"x", "1"}}, nil, [][]string{{"x", "1", ""}}},
		{"head only", nil, [][]string{{"x", "1", "2"}}, [][]string{{"x", "", "", "1", "2"}}},
		{"base order then head-only", [][]string{{"b", "1"}, {"a", "2"}}, [][]string{{"c", "3"}, {"a", "4"}},
			[][]string{{"b", "1", ""}, {"a", "2", "4"}, {"c", "", "3"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := e2JoinRows(tc.a, tc.b)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("e2JoinRows = %q, want %q", got, tc.want)
			}
		})
	}
}
