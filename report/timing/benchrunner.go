package timing

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/pystats-dev/pystats/internal/mapfile"
	"github.com/pystats-dev/pystats/pystats"
)

// ResultName is a bench_runner result file name, parsed as bench_runner's
// Result.from_filename does:
// bm-{YYYYMMDD}-{nickname}-{machine}-{fork}-{ref}-{version}-{hash7}[-{extra...}]{suffix}.
type ResultName struct {
	Date     string // YYYYMMDD, the commit date
	Nickname string // runner nickname (linux, darwin, pythonperf1, ...)
	Machine  string // x86_64, amd64, arm64
	Fork     string // as in the file name ("-" is written "%2d")
	Ref      string // branch, tag or first 20 characters of a SHA
	Version  string // platform.python_version()
	Hash     string // 7-character commit hash
	Extra    []string
	Suffix   string // ".json", ".md", ".png"
}

// ParseResultName parses a bench_runner file name (a base name or a path).
func ParseResultName(name string) (ResultName, error) {
	base := pyBasename(name)
	stem, suffix := base, ""
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		stem, suffix = base[:i], base[i:]
	}
	parts := strings.Split(stem, "-")
	if len(parts) < 8 || parts[0] != "bm" {
		return ResultName{}, fmt.Errorf("%s: not a bench_runner result name (bm-DATE-RUNNER-MACHINE-FORK-REF-VERSION-HASH)", name)
	}
	return ResultName{
		Date: parts[1], Nickname: parts[2], Machine: parts[3], Fork: parts[4],
		Ref: parts[5], Version: parts[6], Hash: parts[7],
		Extra: parts[8:], Suffix: suffix,
	}, nil
}

// Type is bench_runner's result_info: the link text of the file in the
// results README ("raw results", "pystats raw", "pystats table", "table",
// "plot") and, for comparisons, the base it is against. ok is false for
// names bench_runner does not know.
func (n ResultName) Type() (typ, base string, ok bool) {
	switch {
	case len(n.Extra) == 0 && n.Suffix == ".json":
		return "raw results", "", true
	case len(n.Extra) == 1 && n.Extra[0] == "pystats" && n.Suffix == ".md":
		return "pystats table", "", true
	case len(n.Extra) == 1 && n.Extra[0] == "pystats" && n.Suffix == ".json":
		return "pystats raw", "", true
	case len(n.Extra) == 2 && n.Extra[0] == "vs" && n.Suffix == ".md":
		return "table", n.Extra[1], true
	case len(n.Extra) == 2 && n.Extra[0] == "vs" && n.Suffix == ".png":
		return "plot", n.Extra[1], true
	}
	return "", "", false
}

// ForkDisplay is the fork with bench_runner's "%2d" decoded (urllib unquote).
func (n ResultName) ForkDisplay() string {
	if s, err := url.PathUnescape(n.Fork); err == nil {
		return s
	}
	return n.Fork
}

// Runners maps a runner nickname to its OS ("linux", "windows", "darwin"),
// as bench_runner's runners.ini does.
type Runners map[string]string

// DefaultRunners are the runners of bench_runner's runners.ini in April 2023.
func DefaultRunners() Runners {
	return Runners{
		"linux":       "linux",
		"darwin":      "darwin",
		"pythonperf1": "windows",
		"pythonperf2": "linux",
		"azure":       "linux",
	}
}

// ReadRunnersINI reads a bench_runner runners.ini: one [nickname] section
// per runner with an "os = ..." line.
func ReadRunnersINI(path string) (Runners, error) {
	f, _, err := mapfile.OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := Runners{}
	section := ""
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		switch {
		case s == "" || s[0] == '#' || s[0] == ';':
		case s[0] == '[' && s[len(s)-1] == ']':
			section = s[1 : len(s)-1]
		default:
			k, v, ok := strings.Cut(s, "=")
			if !ok {
				k, v, ok = strings.Cut(s, ":")
			}
			if !ok {
				return nil, fmt.Errorf("%s:%d: want key = value", path, line)
			}
			if strings.TrimSpace(k) == "os" && section != "" {
				r[section] = strings.TrimSpace(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(r) == 0 {
		return nil, fmt.Errorf("%s: no runner with an os", path)
	}
	return r, nil
}

// System returns the OS of a runner nickname.
func (r Runners) System(nickname string) (string, error) {
	if s, ok := r[nickname]; ok {
		return s, nil
	}
	known := make([]string, 0, len(r))
	for k := range r {
		known = append(known, k)
	}
	sort.Strings(known)
	return "", fmt.Errorf("unknown runner %q (known: %s; pass a runners.ini)", nickname, strings.Join(known, ", "))
}

// Header is bench_runner's 2023 header of a "-vs-{base}.md" file.
type Header struct {
	Base       string // "3.10.4", "3.11.0" or "base"
	Fork       string // decoded
	Ref        string
	Machine    string // {system}-{machine}
	Hash       string
	CommitDate string // YYYY-MM-DD
	GeoMean    string // the summary, e.g. "1.31x faster" or "1.25x faster \*"
}

// Write writes the header exactly as bench_runner's dedented template: an
// empty line, "# Results vs. X", the list, an empty line.
func (h Header) Write(w io.Writer) error {
	_, err := fmt.Fprintf(w, "\n# Results vs. %s\n\n- fork: %s\n- ref: %s\n- machine: %s\n- commit hash: %s\n- commit date: %s\n- overall geometric mean: %s\n\n",
		h.Base, h.Fork, h.Ref, h.Machine, h.Hash, h.CommitDate, h.GeoMean)
	return err
}

// HeaderFor builds the header of the comparison of ref (a base) with head
// from their bench_runner file names and metadata. base is the base label
// (a version, or "base"); empty means the ref file name's version.
func HeaderFor(ref, head *pystats.PyperfSuite, base string, runners Runners, summary string) (Header, error) {
	hn, err := ParseResultName(head.Path)
	if err != nil {
		return Header{}, err
	}
	if base == "" {
		rn, err := ParseResultName(ref.Path)
		if err != nil {
			return Header{}, err
		}
		base = rn.Version
	}
	sys, err := runners.System(hn.Nickname)
	if err != nil {
		return Header{}, fmt.Errorf("%s: %w", head.Path, err)
	}
	cd, ok := head.MetaString("commit_date")
	if !ok {
		cd = "<unknown>"
	}
	if len(cd) > 10 {
		cd = cd[:10]
	}
	return Header{
		Base: base, Fork: hn.ForkDisplay(), Ref: hn.Ref, Machine: sys + "-" + hn.Machine,
		Hash: hn.Hash, CommitDate: cd, GeoMean: summary,
	}, nil
}

// SummaryFromOutput is bench_runner's Comparison.geometric_mean: the third
// "|" field of the last line containing "Geometric mean", plus " \*" when
// the benchmark-suite hashes differ (or the head has none); "not sig"
// without such a line.
func SummaryFromOutput(out string, ref, head *pystats.PyperfSuite) string {
	gm := ""
	found := false
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "Geometric mean") {
			f := strings.Split(line, "|")
			if len(f) > 3 {
				gm = strings.TrimSpace(f[3])
				found = true
			}
		}
	}
	if !found {
		return "not sig"
	}
	return gm + HashMarker(ref, head)
}

// HashMarker is " \*" when head has no benchmark_hash or a different one
// from ref's, else "".
func HashMarker(ref, head *pystats.PyperfSuite) string {
	hh, hok := head.MetaString("benchmark_hash")
	rh, rok := ref.MetaString("benchmark_hash")
	if !hok || !rok || hh != rh {
		return ` \*`
	}
	return ""
}

// BenchRunnerMarkdown renders bench_runner's "-vs-{base}.md": the header
// followed by the compare_to -G --table --table-format md output. It returns
// the page and the summary (the header's "overall geometric mean").
func BenchRunnerMarkdown(ref, head *pystats.PyperfSuite, base string, runners Runners) (page []byte, summary string, err error) {
	c, err := Compare(ref, []*pystats.PyperfSuite{head}, Options{GroupBySpeed: true, Format: "md"})
	if err != nil {
		return nil, "", err
	}
	var body strings.Builder
	if err := c.WriteTable(&body); err != nil {
		return nil, "", err
	}
	summary = SummaryFromOutput(body.String(), ref, head)
	h, err := HeaderFor(ref, head, base, runners, summary)
	if err != nil {
		return nil, "", err
	}
	var out strings.Builder
	h.Write(&out)
	out.WriteString(body.String())
	return []byte(out.String()), summary, nil
}
