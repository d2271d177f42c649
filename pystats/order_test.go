package pystats

import (
	"fmt"
	"slices"
	"testing"
)

// TestFirstSeenOrder: slots by (first file, first line), whether their
// positions are packed with the slot index (file and line below 2^24) or
// sorted as pairs (any larger one).
func TestFirstSeenOrder(t *testing.T) {
	tests := []struct {
		name string
		at   [][2]int32 // first file, first line of each slot
		want []int32
	}{
		{"empty", nil, []int32{}},
		{"in order", [][2]int32{{0, 1}, {0, 2}, {1, 1}}, []int32{0, 1, 2}},
		{"merged", [][2]int32{{0, 1}, {3, 7}, {0, 9}, {1, 2}, {2, 1}, {1, 1}}, []int32{0, 2, 5, 3, 4, 1}},
		{"line past 2^24", [][2]int32{{1, 1}, {0, 1 << 24}, {0, 3}}, []int32{2, 1, 0}},
		{"file past 2^24", [][2]int32{{1 << 24, 1}, {5, 2}, {5, 1}}, []int32{2, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slots := make([]slot, len(tt.at))
			for i, at := range tt.at {
				slots[i] = newSlot(fmt.Sprint("k", i), 1, at[0], at[1])
			}
			if got := firstSeenOrder(slots); !slices.Equal(got, tt.want) {
				t.Errorf("firstSeenOrder = %v, want %v", got, tt.want)
			}
		})
	}
}
