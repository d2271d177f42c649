package pystats

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDefaultLabel(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"run.json", "run"},
		{"bm-x-pystats.json.gz", "bm-x-pystats"},
		{"dumps.tar.gz", "dumps"},
		{"dumps.tar.zst", "dumps"},
		{"dumps.tgz", "dumps"},
		{"/tmp/py_stats", "py_stats"},
		{"/tmp/py_stats/", "py_stats"},
		{"data/json_tool/raw", "json_tool"},
		{"data/json_tool/raw/", "json_tool"},
		{"data/LARGE/raw.tar.gz", "LARGE"},
		{"data/test_medium/raw.tar.zst", "test_medium"},
		{"a/raw-2", "raw-2"},
		{".json", ".json"},
		{"runs/base/", "base"},
		{"x/3f09a1.txt", "3f09a1"},
		{"x/results.json.gz", "results"},
	} {
		if got := DefaultLabel(tc.path); got != tc.want {
			t.Errorf("DefaultLabel(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestSplitLabel(t *testing.T) {
	dir := t.TempDir()
	hive := filepath.Join(dir, "run=a")
	if err := os.Mkdir(hive, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		arg, label, path string
		explicit         bool
	}{
		{"base=old/raw", "base", "old/raw", true},
		{"3.13=x.json", "3.13", "x.json", true},
		{"a=b=c.json", "a", "b=c.json", true},
		{"x/json_tool/raw", "json_tool", "x/json_tool/raw", false},
		{hive, "run=a", hive, false}, // an existing path with '=' stays a path
		{"=x.json", "=x", "=x.json", false},
		{"x=", "x=", "x=", false},
	} {
		label, path, explicit := SplitLabel(tc.arg)
		if label != tc.label || path != tc.path || explicit != tc.explicit {
			t.Errorf("SplitLabel(%q) = %q, %q, %v; want %q, %q, %v", tc.arg, label, path, explicit, tc.label, tc.path, tc.explicit)
		}
	}
}
