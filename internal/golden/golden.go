// Package golden helps tests compare output with the reference tools'
// outputs byte for byte.
package golden

import (
	"bytes"
	"encoding/json"
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

// SameJSONObject reports whether two JSON texts hold the same object (same
// members with equal values), whatever their member order and layout.
func SameJSONObject(a, b []byte) (bool, error) {
	var x, y map[string]json.RawMessage
	if err := json.Unmarshal(a, &x); err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &y); err != nil {
		return false, err
	}
	if len(x) != len(y) {
		return false, nil
	}
	for k, v := range x {
		w, ok := y[k]
		if !ok {
			return false, nil
		}
		var cv, cw bytes.Buffer
		if err := json.Compact(&cv, v); err != nil {
			return false, err
		}
		if err := json.Compact(&cw, w); err != nil {
			return false, err
		}
		if !bytes.Equal(cv.Bytes(), cw.Bytes()) {
			return false, nil
		}
	}
	return true, nil
}
