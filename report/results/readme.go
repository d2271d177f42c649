package results

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pystats-dev/pystats/internal/mapfile"
	"github.com/pystats-dev/pystats/report/timing"
)

// entry is bench_runner's (runner, base, text) README entry; "" is None.
type entry struct{ runner, base, text string }

// writeReadmes writes the README.md of every folder holding a raw result
// whose page is new or changed (every one with Force), in folder order, as
// bench_runner's generate_directory_indices does (2023 layout). Pages are
// made one folder at a time and not kept: a first pass makes each page and
// notes the folders whose page changed, so that a page that cannot be made
// stops the run before any README is written; the second makes and writes
// those again. A dry run makes each page once.
func writeReadmes(results []*Result, opt Options, cache *suiteCache) error {
	byDir := map[string][]*Result{}
	var dirs []string
	for _, r := range results {
		if _, ok := byDir[r.Dir]; !ok {
			dirs = append(dirs, r.Dir)
		}
		byDir[r.Dir] = append(byDir[r.Dir], r)
	}
	sort.Strings(dirs)
	changed := func(d string, page []byte) bool {
		old, err := mapfile.ReadFile(filepath.Join(d, "README.md"), 16<<20) // never blocks on a FIFO
		return err != nil || !bytes.Equal(old, page) || opt.Force
	}
	if !opt.DryRun {
		var todo []string
		for _, d := range dirs {
			page, err := readmePage(d, byDir[d], opt, cache)
			if err != nil {
				return err
			}
			if changed(d, page) {
				todo = append(todo, d)
			}
		}
		dirs = todo
	}
	for _, d := range dirs {
		page, err := readmePage(d, byDir[d], opt, cache)
		if err != nil {
			return err
		}
		if !changed(d, page) {
			continue
		}
		if err := write(filepath.Join(d, "README.md"), opt, func(w io.Writer) error { _, err := w.Write(page); return err }); err != nil {
			return err
		}
	}
	return nil
}

// readmePage makes the README.md of folder d from its raw results (in
// file-name order): bench_runner sorts every result by version, then commit
// date (both descending), and lists each folder's in that order, which is
// the same order for the results of one folder sorted alone.
func readmePage(d string, results []*Result, opt Options, cache *suiteCache) ([]byte, error) {
	sorted := append([]*Result(nil), results...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if c := compareVersions(a.Name.Version, b.Name.Version); c != 0 {
			return c > 0
		}
		return commitDatetime(a) > commitDatetime(b)
	})
	var es []entry
	refs := map[string]bool{}
	for _, r := range sorted {
		refs[r.Name.Ref] = true
		runner, err := runnerString(r.Name, opt.Runners)
		if err != nil {
			return nil, err
		}
		fork := r.Name.ForkDisplay()
		add := func(runner, base, text string) { es = append(es, entry{runner, base, text}) }
		add("", "", "fork: "+fork)
		add("", "", "version: "+r.Name.Version)
		add("", "", "commit hash: "+linkToHash(r.Name.Hash, r.Name.Fork))
		add("", "", "commit date: "+commitDatetime(r))
		if mb, ok := r.meta("commit_merge_base"); ok {
			add("", "", "commit merge base: "+linkToHash(mb, r.Name.Fork))
		}
		if u, ok := r.meta("github_action_url"); ok {
			add(runner, "", "[GitHub Action run]("+u+")")
		}
		cpu, ok := r.meta("cpu_model_name")
		if !ok {
			cpu = "missing"
		}
		add(runner, "", "cpu model: "+cpu)
		plat, ok := r.meta("platform")
		if !ok {
			plat = "missing"
		}
		add(runner, "", "platform: "+plat)
		for _, base := range r.Order {
			ref := r.Bases[base]
			sum, err := summaryOf(r, ref, base, opt, cache)
			if err != nil {
				return nil, err
			}
			add(runner, base, sum)
			missing, added := setDiff(ref.names, r.names), setDiff(r.names, ref.names)
			if len(missing) > 0 {
				prefix := ""
				if base == "base" {
					prefix = "🔴 "
				}
				add(runner, base, "missing benchmarks: "+prefix+strings.Join(missing, ", "))
			}
			if len(added) > 0 {
				add(runner, base, "new benchmarks: "+strings.Join(added, ", "))
			}
		}
	}
	var rs []string
	for ref := range refs {
		rs = append(rs, ref)
	}
	sort.Strings(rs)
	es = append(es, entry{"", "", "ref: " + strings.Join(rs, ", ")})
	names, err := listDir(d, opt)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		n, err := timing.ParseResultName(name)
		if err != nil {
			continue
		}
		typ, base, ok := n.Type()
		if !ok {
			continue
		}
		runner, err := runnerString(n, opt.Runners)
		if err != nil {
			return nil, err
		}
		es = append(es, entry{runner, base, "[" + typ + "](" + PyQuote(name) + ")"})
	}
	return render(es), nil
}

// listDir lists d's file names, sorted, plus the files a dry run would
// have written, minus README.md and hidden files.
func listDir(d string, opt Options) ([]string, error) {
	ents, err := os.ReadDir(d)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, e := range ents {
		if !e.IsDir() {
			set[e.Name()] = true
		}
	}
	for p := range opt.planned {
		if filepath.Dir(p) == d {
			set[filepath.Base(p)] = true
		}
	}
	var out []string
	for n := range set {
		if n == "README.md" || strings.HasPrefix(n, ".") {
			continue
		}
		out = append(out, n)
	}
	sort.Strings(out)
	return out, nil
}

// render is bench_runner's nested-dict rendering: top-level entries, then
// runners (linux, windows, darwin; then by name), each with its base-less
// entries and one "### vs. {base}" list per base in order of appearance.
// Duplicate entries keep their first position.
func render(es []entry) []byte {
	type group struct {
		bases []string
		items map[string][]string
	}
	top := []string{}
	groups := map[string]*group{}
	var runners []string
	seen := map[entry]bool{}
	for _, e := range es {
		if seen[e] {
			continue
		}
		seen[e] = true
		if e.runner == "" {
			top = append(top, e.text)
			continue
		}
		g, ok := groups[e.runner]
		if !ok {
			g = &group{items: map[string][]string{}}
			groups[e.runner] = g
			runners = append(runners, e.runner)
		}
		if _, ok := g.items[e.base]; !ok {
			g.bases = append(g.bases, e.base)
		}
		g.items[e.base] = append(g.items[e.base], e.text)
	}
	sortRunnerNames(runners)
	var b bytes.Buffer
	list := func(items []string) {
		for _, it := range items {
			b.WriteString("- " + it + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("# Results\n\n")
	list(top)
	for _, r := range runners {
		g := groups[r]
		b.WriteString("## " + r + "\n\n")
		list(g.items[""])
		for _, base := range g.bases {
			if base == "" {
				continue
			}
			b.WriteString("### vs. " + base + "\n\n")
			list(g.items[base])
		}
	}
	return b.Bytes()
}

func sortRunnerNames(rs []string) {
	order := map[string]int{"linux": 0, "windows": 1, "darwin": 2}
	key := func(s string) int {
		os, _, _ := strings.Cut(s, " ")
		if i, ok := order[os]; ok {
			return i
		}
		return len(order)
	}
	sort.SliceStable(rs, func(i, j int) bool {
		if ki, kj := key(rs[i]), key(rs[j]); ki != kj {
			return ki < kj
		}
		return rs[i] < rs[j]
	})
}

// summaryOf is bench_runner's Comparison.geometric_mean, read back from the
// comparison table on disk (so a kept table keeps its number), else computed.
func summaryOf(r, ref *Result, base string, opt Options, cache *suiteCache) (string, error) {
	md := strings.TrimSuffix(r.Path, ".json") + "-vs-" + base + ".md"
	data, err := mapfile.ReadFile(md, 16<<20)
	if err != nil {
		refSuite, headSuite, done, err := cache.pair(ref, r)
		if err != nil {
			return "", err
		}
		defer done()
		_, sum, err := timing.BenchRunnerMarkdown(refSuite, headSuite, base, opt.Runners)
		return sum, err
	}
	return timing.SummaryFromOutput(string(data), ref.info, r.info), nil
}

func commitDatetime(r *Result) string {
	if s, ok := r.meta("commit_date"); ok {
		return s
	}
	return "<unknown>"
}

func linkToHash(hash, fork string) string {
	return "[" + hash + "](https://github.com/" + fork + "/cpython/commit/" + hash + ")"
}

func setDiff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	out := []string{}
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// PyQuote is Python's urllib.parse.quote(s) (safe "/"): every byte except
// ASCII letters, digits, "_.-~" and "/" becomes %XX.
func PyQuote(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(strconv.FormatInt(int64(c)|0x100, 16)[1:]))
		}
	}
	return b.String()
}

// compareVersions orders Python versions as packaging.version does for
// bench_runner's names ("+" read as "0"): release numbers, then a/b/rc
// pre-releases before the final release.
func compareVersions(a, b string) int {
	pa, pb := parseVersion(a), parseVersion(b)
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// parseVersion maps "3.12.0a7+" to [3 12 0 1 70]: release, then a
// pre-release rank (a=1, b=2, rc=3, final=4) and number.
func parseVersion(v string) []int {
	v = strings.ReplaceAll(v, "+", "0")
	var out []int
	parts := strings.Split(v, ".")
	pre := []int{4, 0}
	for i, p := range parts {
		j := 0
		for j < len(p) && p[j] >= '0' && p[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(p[:j])
		out = append(out, n)
		if j < len(p) && i == len(parts)-1 {
			rest := p[j:]
			rank := 0
			switch {
			case strings.HasPrefix(rest, "rc"):
				rank, rest = 3, rest[2:]
			case strings.HasPrefix(rest, "a"):
				rank, rest = 1, rest[1:]
			case strings.HasPrefix(rest, "b"):
				rank, rest = 2, rest[1:]
			}
			num, _ := strconv.Atoi(rest)
			pre = []int{rank, num}
		}
	}
	for len(out) < 3 {
		out = append(out, 0)
	}
	return append(out, pre...)
}
