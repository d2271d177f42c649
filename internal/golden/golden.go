// Package golden helps tests compare output with the reference tools'
// outputs byte for byte.
package golden

import (
	"fmt"
	"strings"
)

// FirstDiff describes the first line where got and want differ, or returns
// "no line differs".
func FirstDiff(got, want []byte) string {
	g := strings.SplitAfter(string(got), "\n")
	w := strings.SplitAfter(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", i+1, gl, wl)
		}
	}
	return "no line differs"
}
