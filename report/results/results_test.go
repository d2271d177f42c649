package results

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/specialize"
)

const seedDir = "bm-20230415-3.12.0a7+-4fe1c4b"

// copyJSON copies the JSON files of the published results into a fresh
// folder (heads, bases and the pystats JSON, nothing else).
func copyJSON(t *testing.T) (src, dst string) {
	src = shared.Path(t, "data/real-timing/public/results")
	dst = filepath.Join(t.TempDir(), "results")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		os.MkdirAll(filepath.Join(dst, filepath.Dir(rel)), 0o755)
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return src, dst
}

func snapshot(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			fi, _ := d.Info()
			out[p] = string(data) + "\x00" + fi.ModTime().String()
		}
		return nil
	})
	return out
}

func TestRegenerateSeed(t *testing.T) {
	if testing.Short() {
		t.Skip("draws 13 plots")
	}
	src, dst := copyJSON(t)
	opt := Options{Bases: []string{"3.10.4", "3.11.0"}, PathPrefix: "public/results", Date: "2023-04-16"}
	// The seed's pystats table needs the E2 test tables (rebuilt from the
	// published markdown, see testdata/tables/README.md); without them only
	// the timing files are checked.
	tablesPath := filepath.Join(shared.ModuleRoot(t), "testdata", "tables", "4fe1c4b.json")
	withTables := false
	choice := &specialize.Choice{TablesFile: tablesPath}
	if _, err := choice.Tables(); err == nil {
		opt.Tables, withTables = choice, true
	}
	// Dry run: lists, writes nothing.
	var log bytes.Buffer
	before := snapshot(t, dst)
	dry := opt
	dry.DryRun, dry.Log = true, &log
	Regenerate(dst, dry)
	if len(snapshot(t, dst)) != len(before) {
		t.Fatal("dry run wrote files")
	}
	if !strings.Contains(log.String(), "would write "+filepath.Join(dst, seedDir, "README.md")) {
		t.Errorf("dry run does not list the README:\n%s", log.String())
	}

	err := Regenerate(dst, opt)
	if err != nil && withTables {
		t.Fatal(err)
	}
	mds, _ := filepath.Glob(filepath.Join(src, seedDir, "*.md"))
	for _, want := range mds {
		name := filepath.Base(want)
		if strings.HasSuffix(name, "-pystats.md") && !withTables {
			continue
		}
		w, _ := os.ReadFile(want)
		g, err := os.ReadFile(filepath.Join(dst, seedDir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(g, w) {
			t.Errorf("%s differs from the published file", name)
		}
	}
	pngs, _ := filepath.Glob(filepath.Join(src, seedDir, "*.png"))
	for _, p := range pngs {
		g, err := os.ReadFile(filepath.Join(dst, seedDir, filepath.Base(p)))
		if err != nil || !bytes.HasPrefix(g, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s: missing or not a PNG", filepath.Base(p))
		}
	}

	// A second run writes nothing.
	first := snapshot(t, dst)
	log.Reset()
	opt.Log = &log
	Regenerate(dst, opt)
	if log.Len() != 0 {
		t.Errorf("second run wrote:\n%s", log.String())
	}
	// --force rewrites identical bytes.
	opt.Force = true
	Regenerate(dst, opt)
	for p, v := range snapshot(t, dst) {
		a, _, _ := strings.Cut(v, "\x00")
		b, _, _ := strings.Cut(first[p], "\x00")
		if a != b {
			t.Errorf("--force changed %s", p)
		}
	}
}

func TestPyQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"bm-20230415-linux-x86_64-python-main-3.12.0a7+-4fe1c4b.json", "bm-20230415-linux-x86_64-python-main-3.12.0a7%2B-4fe1c4b.json"},
		{"a b/c~d%2d", "a%20b/c~d%252d"},
		{"é", "%C3%A9"},
	} {
		if got := PyQuote(tc.in); got != tc.want {
			t.Errorf("PyQuote(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"3.12.0a7+", "3.11.0", 1},
		{"3.11.0", "3.11.0rc2", 1},
		{"3.10.4", "3.10.4", 0},
		{"3.12.0a6", "3.12.0a7+", -1},
	} {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestScanSuiteKeepsPageMeta checks what the scan keeps of a result: the
// page's metadata keys with their values as the whole suite gives them,
// nothing else, and one shared list of names for results with the same
// benchmarks.
func TestScanSuiteKeepsPageMeta(t *testing.T) {
	dir := shared.Path(t, "data/real-timing/public/results/"+seedDir)
	files, _ := filepath.Glob(filepath.Join(dir, "bm-*-python-*.json"))
	var raw []string
	for _, f := range files {
		if !strings.HasSuffix(f, "-pystats.json") {
			raw = append(raw, f)
		}
	}
	if len(raw) < 2 {
		t.Fatalf("%d raw results in %s", len(raw), dir)
	}
	names, lists := map[string]string{}, map[string][]string{}
	var rs []*Result
	for _, f := range append(raw, raw[0]) {
		r := &Result{Path: f, Display: f}
		if err := scanSuite(r, names, lists); err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
		whole, err := readSuite(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range whole.Metadata {
			got, gok := r.info.MetaString(e.Key) // r.meta panics on keys outside pageMeta
			want, wok := whole.MetaString(e.Key)
			if keep := slices.Contains(pageMeta, e.Key); keep && (got != want || gok != wok) || !keep && gok {
				t.Errorf("%s: meta %q = %q, %v; whole suite %q, %v (kept: %v)", filepath.Base(f), e.Key, got, gok, want, wok, keep)
			}
		}
		if n := whole.NumBenchmarks(); len(r.names) != n || n > 0 && r.names[n-1] != whole.Name(n-1) {
			t.Errorf("%s: %d names, want %d", filepath.Base(f), len(r.names), n)
		}
		whole.Release()
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("meta of a key outside pageMeta did not panic")
			}
		}()
		rs[0].meta("boot_time")
	}()
	first, again := rs[0], rs[len(rs)-1]
	if len(first.names) == 0 || &first.names[0] != &again.names[0] {
		t.Error("the same benchmarks read twice do not share one list of names")
	}
}
