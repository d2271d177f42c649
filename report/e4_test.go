package report

import (
	"bytes"
	"fmt"
	"github.com/pystats-dev/pystats/internal/golden"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/table"
)

// e4FooterDate returns the date of the summarizer's footer line, which is the
// only part of a golden file the tests do not reproduce from the data.
func e4FooterDate(t *testing.T, want []byte) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^Stats gathered on: (\S+)\n\z`).FindSubmatch(want)
	if m == nil {
		t.Fatal("expected output has no footer date line")
	}
	return string(m[1])
}

func e4ReadStats(t testing.TB, path string) *pystats.Stats { return golden.ReadStats(t, path) }

// e4ReadRaw is golden.ReadRaw313: these tests check the embedded 3.13 tables
// end to end.
func e4ReadRaw(t *testing.T, path string) *pystats.Stats { return golden.ReadRaw313(t, path) }

var e4LinkName = regexp.MustCompile(`\[([^\]]+)\]\(`)

// e4BenchmarkLinks rebuilds bench_runner's list of per-benchmark reports. The
// benchmark names are not in the JSON (bench_runner lists the files it
// wrote), so they are taken from the published header; the link targets are
// computed from the JSON's file name.
func e4BenchmarkLinks(want []byte, jsonPath string) []BenchmarkLink {
	for _, line := range strings.SplitN(string(want), "\n", 14) {
		if !strings.HasPrefix(line, "- [") {
			continue
		}
		stem := strings.TrimSuffix(filepath.Base(jsonPath), "-pystats.json")
		var links []BenchmarkLink
		for _, m := range e4LinkName.FindAllStringSubmatch(line, -1) {
			links = append(links, BenchmarkLink{Name: m[1], File: BenchmarkLinkFile(stem, m[1])})
		}
		return links
	}
	return nil
}

func e4CheckGolden(t *testing.T, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from the golden file (%d vs %d bytes), first difference at %s", len(got), len(want), golden.FirstDiff(got, want))
	}
}

func TestE4SummaryDumps313(t *testing.T) {
	dumps := shared.Path(t, "data/dumps/3.13")
	for _, dir := range []string{"test_small", "json_tool", "json_tool_run2", "compileall_stdlib", "LARGE_test_suite_136"} {
		wantPath := filepath.Join(dumps, dir, "summarize_stats.md")
		jsonPath := filepath.Join(dumps, dir, "summarize_stats.json")
		raw := filepath.Join(dumps, dir, "raw")
		if _, err := os.Stat(raw); err != nil {
			raw = filepath.Join(dumps, dir, "raw.tar.gz")
		}
		for _, src := range []string{"json", "raw"} {
			t.Run(dir+"/"+src, func(t *testing.T) {
				want, err := os.ReadFile(wantPath)
				if err != nil {
					t.Skip(err)
				}
				var st *pystats.Stats
				if src == "json" {
					st = e4ReadStats(t, jsonPath)
				} else {
					st = e4ReadRaw(t, raw)
				}
				var buf bytes.Buffer
				opt := MarkdownOptions{Style: StyleAuto, Date: e4FooterDate(t, want)}
				if err := WriteSummary(&buf, st, opt); err != nil {
					t.Fatal(err)
				}
				e4CheckGolden(t, buf.Bytes(), want)
			})
		}
	}
}

// TestE4SummaryPublished renders the published bench_runner reports from
// their JSON, header included.
func TestE4SummaryPublished(t *testing.T) {
	for _, tc := range []struct {
		dir, stem string
		benchmark string
		style     Style // the sub-style auto-detection must pick
	}{
		{"bm-20240329-3.13.0a5+-bfc57d4", "bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats", "all", StyleE4a},
		{"bm-20240329-3.13.0a5+-bfc57d4-PYTHON_UOPS", "bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats", "all", StyleE4a},
		{"bm-20240416-3.13.0a6+-241ed5f-JIT", "bm-20240416-azure-x86_64-python-241ed5f2cdd525de0e13-3.13.0a6+-241ed5f-pystats", "all", StyleE4b2024},
		{"bm-20240615-3.13.0b2+-a19bb26", "bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats", "all", StyleE4b2024},
		{"bm-20240615-3.13.0b2+-a19bb26-PYTHON_UOPS", "bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats", "all", StyleE4b2024},
		{"bm-20240629-3.14.0a0-6b280a8", "bm-20240629-azure-x86_64-python-6b280a84988ca221b5bd-3.14.0a0-6b280a8-pystats", "all", StyleE4b2024},
		{"bm-20240629-3.14.0a0-6b280a8-PYTHON_UOPS", "bm-20240629-azure-x86_64-python-6b280a84988ca221b5bd-3.14.0a0-6b280a8-pystats", "all", StyleE4b2024},
		{"bm-20240629-3.14.0a0-e6543da-JIT", "bm-20240629-azure-x86_64-python-e6543daf12051e9c660a-3.14.0a0-e6543da-pystats", "all", StyleE4b2024},
		{"bm-20250315-3.14.0a6+-e82c2ca", "bm-20250315-azure-x86_64-python-e82c2ca2a59235bc1965-3.14.0a6+-e82c2ca-pystats-python_startup_no_site", "python_startup_no_site", StyleE4c},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			dir := shared.Path(t, filepath.Join("data/real-pystats", tc.dir))
			jsonPath := filepath.Join(dir, tc.stem+".json")
			want, err := os.ReadFile(filepath.Join(dir, tc.stem+".md"))
			if err != nil {
				t.Skip(err)
			}
			st := e4ReadStats(t, jsonPath)
			if got := ResolveE4Style(st, StyleE4); got != tc.style {
				t.Errorf("ResolveE4Style = %q, want %q", got, tc.style)
			}
			opt := MarkdownOptions{
				Style:          StyleAuto,
				Date:           e4FooterDate(t, want),
				Benchmark:      tc.benchmark,
				BenchmarkLinks: e4BenchmarkLinks(want, jsonPath),
			}
			var buf bytes.Buffer
			if err := WriteSummary(&buf, st, opt); err != nil {
				t.Fatal(err)
			}
			e4CheckGolden(t, buf.Bytes(), want)
		})
	}
}

// TestE4Comparison renders the summarizer's base-vs-head reports: the 3.13.5
// comparisons of the dumps (from JSON and from raw dumps) and bench_runner's
// published -pystats-vs-base.md files (default build as base, PYTHON_UOPS
// build of the same commit as head).
func TestE4Comparison(t *testing.T) {
	const d313 = "data/dumps/3.13"
	type input struct {
		path string
		raw  bool // a dump directory or tarball: metadata from the embedded tables
	}
	pub := func(dir, stem string) input {
		return input{path: filepath.Join("data/real-pystats", dir, stem+".json")}
	}
	for _, tc := range []struct {
		name       string
		base, head input
		want       string
	}{
		{"json_tool_run1_vs_run2/json",
			input{path: d313 + "/json_tool/summarize_stats.json"},
			input{path: d313 + "/json_tool_run2/summarize_stats.json"},
			d313 + "/_comparisons/json_tool_run1_vs_run2.md"},
		{"json_tool_run1_vs_run2/raw",
			input{d313 + "/json_tool/raw", true},
			input{d313 + "/json_tool_run2/raw", true},
			d313 + "/_comparisons/json_tool_run1_vs_run2.md"},
		{"test_small_vs_LARGE/raw",
			input{d313 + "/test_small/raw", true},
			input{d313 + "/LARGE_test_suite_136/raw.tar.gz", true},
			d313 + "/_comparisons/test_small_vs_LARGE_rawdirs.md"},
		{"test_small_vs_LARGE/json",
			input{path: d313 + "/test_small/summarize_stats.json"},
			input{path: d313 + "/LARGE_test_suite_136/summarize_stats.json"},
			d313 + "/_comparisons/test_small_vs_LARGE_rawdirs.md"},
		{"bm-20240329-PYTHON_UOPS-vs-base",
			pub("bm-20240329-3.13.0a5+-bfc57d4", "bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats"),
			pub("bm-20240329-3.13.0a5+-bfc57d4-PYTHON_UOPS", "bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats"),
			"data/real-pystats/bm-20240329-3.13.0a5+-bfc57d4-PYTHON_UOPS/bm-20240329-azure-x86_64-python-bfc57d43d8766120ba0c-3.13.0a5+-bfc57d4-pystats-vs-base.md"},
		{"bm-20240615-PYTHON_UOPS-vs-base",
			pub("bm-20240615-3.13.0b2+-a19bb26", "bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats"),
			pub("bm-20240615-3.13.0b2+-a19bb26-PYTHON_UOPS", "bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats"),
			"data/real-pystats/bm-20240615-3.13.0b2+-a19bb26-PYTHON_UOPS/bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats-vs-base.md"},
		{"bm-20240629-PYTHON_UOPS-vs-base",
			pub("bm-20240629-3.14.0a0-6b280a8", "bm-20240629-azure-x86_64-python-6b280a84988ca221b5bd-3.14.0a0-6b280a8-pystats"),
			pub("bm-20240629-3.14.0a0-6b280a8-PYTHON_UOPS", "bm-20240629-azure-x86_64-python-6b280a84988ca221b5bd-3.14.0a0-6b280a8-pystats"),
			"data/real-pystats/bm-20240629-3.14.0a0-6b280a8-PYTHON_UOPS/bm-20240629-azure-x86_64-python-6b280a84988ca221b5bd-3.14.0a0-6b280a8-pystats-vs-base.md"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := os.ReadFile(shared.Path(t, tc.want))
			if err != nil {
				t.Fatal(err)
			}
			load := func(in input) *pystats.Stats {
				p := shared.Path(t, in.path)
				if !in.raw {
					return e4ReadStats(t, p)
				}
				return e4ReadRaw(t, p)
			}
			base, head := load(tc.base), load(tc.head)
			var buf bytes.Buffer
			opt := MarkdownOptions{Style: StyleAuto, Date: e4FooterDate(t, want)}
			if err := WriteComparison(&buf, base, head, opt); err != nil {
				t.Fatal(err)
			}
			e4CheckGolden(t, buf.Bytes(), want)
		})
	}
}

// BenchmarkE4Summary renders the largest 3.13 data set (read once).
func BenchmarkE4Summary(b *testing.B) {
	st := e4ReadStats(b, shared.Path(b, "data/dumps/3.13/LARGE_test_suite_136/summarize_stats.json"))
	opt := MarkdownOptions{Style: StyleAuto, Date: "2026-01-01"}
	b.SetBytes(st.Source.Bytes) // MB/s of summarize JSON rendered
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := WriteSummary(io.Discard, st, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkE4Comparison compares two published whole-suite data sets.
func BenchmarkE4Comparison(b *testing.B) {
	dir := "data/real-pystats/"
	base := e4ReadStats(b, shared.Path(b, dir+"bm-20240615-3.13.0b2+-a19bb26/bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats.json"))
	head := e4ReadStats(b, shared.Path(b, dir+"bm-20240615-3.13.0b2+-a19bb26-PYTHON_UOPS/bm-20240615-azure-x86_64-python-a19bb261a327e1008f21-3.13.0b2+-a19bb26-pystats.json"))
	opt := MarkdownOptions{Style: StyleAuto, Date: "2026-01-01"}
	b.SetBytes(base.Source.Bytes + head.Source.Bytes)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := WriteComparison(io.Discard, base, head, opt); err != nil {
			b.Fatal(err)
		}
	}
}

func TestReportTables(t *testing.T) {
	d := "data/dumps/3.13/"
	base := e4ReadStats(t, shared.Path(t, d+"json_tool/summarize_stats.json"))
	head := e4ReadStats(t, shared.Path(t, d+"json_tool_run2/summarize_stats.json"))
	r, err := CompareE4(base, head, MarkdownOptions{Style: StyleE4})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range r.Tables() {
		if len(rt.Path) == 1 && rt.Path[0] == "Execution counts" {
			if got := fmt.Sprint(rt.Table.Columns); got != "[Name Base Count: Head Count: Change:]" {
				t.Errorf("execution counts columns %s", got)
			}
			if len(rt.Table.Rows) == 0 || rt.Table.Rows[0][3].Kind != table.CellRatio {
				t.Error("execution counts: no change cells")
			}
			return
		}
	}
	t.Error("no Execution counts table")
}
