package pystats

import (
	"strings"
	"testing"
)

// TestReadPyperfSyntaxErrorLine: a syntax error names the file and line.
func TestReadPyperfSyntaxErrorLine(t *testing.T) {
	tests := []struct{ data, want string }{
		{"{\n\"version\": \"1.0\",\n\"benchmarks\": [\n{\"runs\": [{\"values\": [1.0,]}]}]}", "x.json:4:"},
		{"{\"version\": \"1.0\", \"benchmarks\": [{\"runs\": [{\"values\": [\"a\"]}]}]}", "x.json:1:"},
		{"{\"version\": \"1.0\"", "x.json:1:"},
	}
	for _, tt := range tests {
		_, err := ReadPyperf("x.json", []byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want it to contain %q", tt.data, err, tt.want)
		}
	}
}
