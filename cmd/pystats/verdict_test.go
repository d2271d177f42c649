package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
)

// seedPystats is the seed's bench_runner pystats JSON: numeric opcodes of a
// development build (main 4fe1c4b) whose numbering no release has.
const seedPystats = "data/real-timing/public/results/bm-20230415-3.12.0a7+-4fe1c4b/bm-20230415-azure-x86_64-python-main-3.12.0a7+-4fe1c4b-pystats.json"

const mismatch = "does not match the 3.12 tables"

// TestDevBuildMismatchEveryCommand: the embedded 3.12 release tables do not
// fit the seed's development build, and every command that reads it says so
// the same way (one "warning: PATH: ..." line from specialize.Resolve);
// info counts it as a problem, compare lists it among the differences.
func TestDevBuildMismatchEveryCommand(t *testing.T) {
	src := shared.Path(t, seedPystats)
	dir := t.TempDir()
	warnLine := func(t *testing.T, stderr string) {
		t.Helper()
		n := 0
		for _, l := range strings.Split(stderr, "\n") {
			if strings.HasPrefix(l, "warning: ") && strings.Contains(l, mismatch) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no mismatch warning on stderr:\n%s", stderr)
		}
	}
	t.Run("summarize", func(t *testing.T) {
		code, _, stderr := runCLI(t, "summarize", src, "--date", "2023-04-16")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		warnLine(t, stderr)
	})
	t.Run("summarize --strict", func(t *testing.T) {
		code, _, stderr := runCLI(t, "summarize", src, "--strict")
		if code != exitInput || !strings.Contains(stderr, mismatch) {
			t.Fatalf("exit %d, want %d with the mismatch: %s", code, exitInput, stderr)
		}
	})
	t.Run("info", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "info", src)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		warnLine(t, stderr)
		if !strings.Contains(stdout, "problems:       1\n") || !strings.Contains(stdout, mismatch) {
			t.Errorf("info does not count the mismatch as a problem:\n%s", stdout)
		}
		if !strings.Contains(stdout, "names:          unreliable") {
			t.Errorf("info does not say the names are unreliable:\n%s", stdout)
		}
	})
	t.Run("compare", func(t *testing.T) {
		js := filepath.Join(dir, "notable.json")
		code, stdout, stderr := runCLI(t, "compare", src, src, "--date", "2023-04-16", "--json-output", js)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		warnLine(t, stderr)
		if !strings.Contains(stdout, "**Warning:** base names are unreliable") || !strings.Contains(stdout, "**Warning:** head names are unreliable") {
			t.Errorf("Notable changes do not list the mismatch:\n%.2000s", stdout)
		}
		var n struct{ Differences []string }
		data, _ := os.ReadFile(js)
		if err := json.Unmarshal(data, &n); err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, d := range n.Differences {
			if strings.Contains(d, mismatch) {
				found++
			}
		}
		if found != 2 {
			t.Errorf("JSON differences %q: want the mismatch of both sides", n.Differences)
		}
	})
	t.Run("export", func(t *testing.T) {
		code, _, stderr := runCLI(t, "export", src, "-o", filepath.Join(dir, "export"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		warnLine(t, stderr)
	})
	t.Run("specialize", func(t *testing.T) {
		// The specialization view refuses numeric data, after the verdict.
		_, _, stderr := runCLI(t, "specialize", src)
		warnLine(t, stderr)
	})
	t.Run("results", func(t *testing.T) {
		res := filepath.Join(dir, "results", "bm-20230415-3.12.0a7+-4fe1c4b")
		if err := os.MkdirAll(res, 0o755); err != nil {
			t.Fatal(err)
		}
		raw := strings.Replace(filepath.Base(seedPystats), "azure-x86_64", "linux-x86_64", 1)
		raw = strings.TrimSuffix(raw, "-pystats.json") + ".json"
		for _, f := range []string{src, filepath.Join(filepath.Dir(src), raw)} {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(res, filepath.Base(f)), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		code, _, stderr := runCLI(t, "results", filepath.Dir(res), "--bases", "3.11.0", "--date", "2023-04-16", "-q")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		warnLine(t, stderr)
	})
}

// TestTablesVersionMisfit: given tables whose version does not fit the data
// are refused (usage error naming both versions) unless --force, which warns.
func TestTablesVersionMisfit(t *testing.T) {
	const data311 = "../../testdata/dumps/3.11/json_tool/raw"
	const tables312 = "../../specialize/tables/3.12.json"
	const tables313 = "../../specialize/tables/3.13.json"
	for _, tt := range []struct {
		name       string
		args       []string
		code       int
		wantStderr []string
	}{
		{"3.12 tables on 3.11 data", []string{"summarize", data311, "--tables", tables312}, exitUsage, []string{"build tables of 3.12", "the data is 3.11"}},
		{"named tables on numeric data", []string{"info", data311, "--tables", tables313}, exitUsage, []string{"build tables of 3.13", "the data is 3.11", "no numbering"}},
		{"numeric tables on named data", []string{"summarize", fixture313 + "/raw", "--tables", tables312}, exitUsage, []string{"build tables of 3.12", "the data is 3.13"}},
		{"--force warns", []string{"summarize", data311, "--tables", tables312, "--force"}, exitOK, []string{"warning: ", "used anyway (--force)"}},
		{"both options", []string{"info", data311, "--tables", tables312, "--cpython-src", "."}, exitUsage, []string{"not both"}},
		{"compare", []string{"compare", data311, data311, "--tables", tables312}, exitUsage, []string{"build tables of 3.12"}},
		{"export", []string{"export", data311, "-o", t.TempDir(), "--tables", tables312}, exitUsage, []string{"build tables of 3.12"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, stderr)
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}
