// Package shared locates the project's reference data (../shared beside the
// repository) for tests. Tests that need it skip cleanly when it is absent.
package shared

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns the absolute path of the shared/ folder beside the module
// root, or "" when there is none. PYSTATS_SHARED overrides it.
func Root() string {
	if d := os.Getenv("PYSTATS_SHARED"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(dir), "shared")
			if fi, err := os.Stat(s); err == nil && fi.IsDir() {
				return s
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Path returns the path of rel inside shared/, skipping the test when it does
// not exist.
func Path(t testing.TB, rel string) string {
	t.Helper()
	root := Root()
	if root == "" {
		t.Skip("reference data ../shared not present")
	}
	p := filepath.Join(root, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("reference data %s not present", rel)
	}
	return p
}

// ModuleRoot returns the module's root directory (where go.mod is).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}
