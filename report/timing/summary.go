package timing

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// ExtraOptions select the statistics beyond pyperf's; all are off by default.
type ExtraOptions struct {
	CI        bool   // bootstrap CI of the geometric mean
	Resamples int    // bootstrap resamples (default 2000)
	Seed      uint64 // bootstrap seed
	MWU       bool   // Mann-Whitney U test per benchmark
	Memory    bool   // memory change from mem_max_rss / command_max_rss
}

// BenchSummary is one benchmark of one head in the JSON output.
type BenchSummary struct {
	Name        string   `json:"name"`
	Tags        []string `json:"tags"`
	Unit        string   `json:"unit"`
	RefMean     float64  `json:"ref_mean"`
	HeadMean    float64  `json:"head_mean"`
	Ratio       float64  `json:"ratio"` // head mean / ref mean
	Text        string   `json:"text"`  // "1.35x faster" as pyperf words it
	Significant bool     `json:"significant"`
	TScore      *float64 `json:"t_score"` // null when pyperf's t-test raised
	MWU         *MWU     `json:"mwu,omitempty"`
}

// HeadSummary is the comparison of the reference with one head.
type HeadSummary struct {
	Path string `json:"path"`
	// GeometricMean is pyperf's geometric mean of head/ref over all common
	// benchmarks; Summary is its wording, or "not sig" when pyperf prints no
	// overall geometric-mean row (bench_runner's rule), plus " \*" when
	// MarkHashes is set and the benchmark_hash metadata differ.
	GeometricMean float64        `json:"geometric_mean"`
	Summary       string         `json:"summary"`
	Missing       []string       `json:"missing_benchmarks"`
	New           []string       `json:"new_benchmarks"`
	Hidden        []string       `json:"not_significant"`
	Benchmarks    []BenchSummary `json:"benchmarks"`
	CI            *CI            `json:"geometric_mean_ci,omitempty"`
	MemoryChange  *float64       `json:"memory_change,omitempty"`
	MemoryBenchs  int            `json:"memory_benchmarks,omitempty"`
}

// Summary is the machine-readable form of a comparison.
type Summary struct {
	Ref   string        `json:"ref"`
	Heads []HeadSummary `json:"heads"`
}

// Summarize builds the summary of c. markHashes adds bench_runner's " \*"
// marker to the summary text.
func (c *Comparison) Summarize(markHashes bool, ex ExtraOptions) Summary {
	s := Summary{Ref: c.Ref.Path}
	refNames := c.Ref.Names()
	for h, head := range c.Heads {
		hs := HeadSummary{Path: head.Path, Missing: []string{}, New: []string{}, Hidden: []string{}}
		headNames := head.Names()
		hs.Missing = diff(refNames, headNames)
		hs.New = diff(headNames, refNames)
		anySig := false
		for _, r := range c.Results {
			hr := r.Heads[h]
			b := BenchSummary{Name: r.Name, Tags: r.Tags, Unit: r.Unit, RefMean: r.RefMean,
				HeadMean: hr.Mean, Ratio: hr.NormMean, Text: FormatRatio(hr.NormMean), Significant: hr.Significant}
			if b.Tags == nil {
				b.Tags = []string{}
			}
			if hr.HasT {
				t := hr.TScore
				b.TScore = &t
			}
			if ex.MWU {
				m := MannWhitneyU(c.Ref.BenchValues(r.refIdx), head.BenchValues(r.headIdx[h]))
				b.MWU = &m
			}
			if hr.Significant {
				anySig = true
			} else {
				hs.Hidden = append(hs.Hidden, r.Name)
			}
			hs.Benchmarks = append(hs.Benchmarks, b)
		}
		hs.GeometricMean = c.GeoMean(h)
		if len(c.Results) > 1 && anySig {
			hs.Summary = FormatRatio(hs.GeometricMean)
			if markHashes {
				hs.Summary += HashMarker(c.Ref, head)
			}
		} else {
			hs.Summary = "not sig"
		}
		if ex.CI {
			n := ex.Resamples
			if n <= 0 {
				n = 2000
			}
			ci := c.BootstrapGeoMeanCI(h, n, 0.95, ex.Seed)
			hs.CI = &ci
		}
		if ex.Memory {
			if m, n, ok := c.MemoryChange(h); ok {
				hs.MemoryChange = &m
				hs.MemoryBenchs = n
			}
		}
		s.Heads = append(s.Heads, hs)
	}
	return s
}

// diff returns the sorted names of a that are not in b.
func diff(a, b []string) []string {
	in := make(map[string]bool, len(b))
	for _, n := range b {
		in[n] = true
	}
	out := []string{}
	for _, n := range a {
		if !in[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// WriteJSON writes s as indented JSON.
func (s Summary) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// WriteText writes the summary lines (bench_runner's README wording) and the
// requested extras, after pyperf's output. With several heads each block is
// prefixed with the head's path.
func (s Summary) WriteText(w io.Writer, ex ExtraOptions) error {
	var b strings.Builder
	for _, h := range s.Heads {
		b.WriteString("\n")
		if len(s.Heads) > 1 {
			b.WriteString(h.Path + ":\n")
		}
		b.WriteString("- " + h.Summary + "\n")
		if len(h.Missing) > 0 {
			b.WriteString("- missing benchmarks: " + strings.Join(h.Missing, ", ") + "\n")
		}
		if len(h.New) > 0 {
			b.WriteString("- new benchmarks: " + strings.Join(h.New, ", ") + "\n")
		}
		if h.CI != nil {
			fmt.Fprintf(&b, "- geometric mean %.0f%% CI (bootstrap, %d resamples, seed %d): %s .. %s (ratio %.4f .. %.4f)\n",
				h.CI.Level*100, h.CI.Resamples, h.CI.Seed, FormatRatio(h.CI.Hi), FormatRatio(h.CI.Lo), h.CI.Lo, h.CI.Hi)
		}
		if ex.Memory {
			if h.MemoryChange != nil {
				fmt.Fprintf(&b, "- memory change: %.2fx (%d benchmarks with max RSS)\n", *h.MemoryChange, h.MemoryBenchs)
			} else {
				b.WriteString("- memory change: unknown (no mem_max_rss)\n")
			}
		}
		if ex.MWU {
			b.WriteString("\nMann-Whitney U test (two-sided, alpha 0.05):\n\n")
			rows := [][]string{}
			sig := 0
			for _, bs := range h.Benchmarks {
				verdict := "not significant"
				if bs.MWU.P < 0.05 {
					verdict = bs.Text
					sig++
				}
				rows = append(rows, []string{bs.Name, fmt.Sprintf("%.3f", bs.MWU.P), verdict})
			}
			writeSimpleTable(&b, []string{"Benchmark", "p", "change"}, rows)
			fmt.Fprintf(&b, "\n%d of %d benchmarks differ at p < 0.05\n", sig, len(h.Benchmarks))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeSimpleTable(b *strings.Builder, headers []string, rows [][]string) {
	ws := widths(headers, rows)
	row := func(r []string) {
		for i, c := range r {
			b.WriteString("| " + c + strings.Repeat(" ", ws[i]-len([]rune(c))) + " ")
		}
		b.WriteString("|\n")
	}
	row(headers)
	for i, n := range ws {
		if i == 0 {
			b.WriteString("|" + strings.Repeat("-", n+2))
		} else {
			b.WriteString("|" + strings.Repeat("-", n+1) + ":")
		}
	}
	b.WriteString("|\n")
	for _, r := range rows {
		row(r)
	}
}
