// Package shared locates the project's reference data (../shared beside the
// repository) for tests. Tests that need it skip cleanly when it is absent,
// unless PYSTATS_REQUIRE_SHARED=1 is set (as CI sets it): then they fail.
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

// RequireEnv is the environment variable that turns a missing reference file
// into a test failure instead of a skip ("1" to require).
const RequireEnv = "PYSTATS_REQUIRE_SHARED"

// Path returns the path of rel inside shared/, skipping the test when it does
// not exist (failing it when PYSTATS_REQUIRE_SHARED=1).
func Path(t testing.TB, rel string) string {
	t.Helper()
	missing := t.Skipf
	if os.Getenv(RequireEnv) == "1" {
		missing = t.Fatalf
	}
	root := Root()
	if root == "" {
		missing("reference data ../shared not present (%s=1 requires it)", RequireEnv)
		return ""
	}
	p := filepath.Join(root, rel)
	if _, err := os.Stat(p); err != nil {
		missing("reference data %s not present (%s=1 requires it)", rel, RequireEnv)
		return ""
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
