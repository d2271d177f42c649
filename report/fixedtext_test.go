package report

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pystats-dev/pystats/internal/shared"
	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// The fixed-text test: every fixed text a style prints (headings, summary
// lines, documentation paragraphs, column names, pop-up labels and texts)
// must be a string of the real summarize_stats.py of that style's era. The
// texts are taken from the style's own output on a real input, so a text
// that only one sub-style prints is checked against that sub-style's
// script. Data-derived lines (opcode names, counter labels, numbers) are not
// texts of the script and are left out. Scripts are looked up in
// testdata/summarizers/<dir>/ and ../shared/data/summarizers/<dir>/; a style
// whose script is in neither is skipped (testdata/summarizers/README.md).

// fixedTextStyles maps each style to the folder names its script may have,
// and the input it is rendered from.
var fixedTextStyles = []struct {
	style   Style
	scripts []string
	input   string // "3.11", "3.12" or "3.13-tier2"
}{
	{StyleE1, []string{"3.11.2"}, "3.11"},
	{StyleE2Nov2022, []string{"main-2022-11"}, "3.12"},
	{StyleE2Dec2022, []string{"main-2022-12"}, "3.12"},
	{StyleE2Apr2023, []string{"main-2023-04"}, "3.12"},
	{StyleE2, []string{"3.12.0", "3.12"}, "3.12"},
	{StyleE4a, []string{"main-2024-03"}, "3.13-tier2"},
	{StyleE4b2024, []string{"main-2024-06"}, "3.13-tier2"},
	{StyleE4b, []string{"3.13.5"}, "3.13-tier2"},
	{StyleE4c, []string{"main-2025-03"}, "3.13-tier2"},
}

func TestFixedTextsAreTheScripts(t *testing.T) {
	for _, tc := range fixedTextStyles {
		t.Run(string(tc.style), func(t *testing.T) {
			script := findScript(tc.scripts)
			if script == "" {
				t.Skipf("no summarize_stats.py of %s here (looked for %v)", tc.style, tc.scripts)
			}
			src, err := os.ReadFile(script)
			if err != nil {
				t.Fatal(err)
			}
			lits := newScriptTexts(pythonStringLiterals(string(src)))
			out := renderForFixedTexts(t, tc.style, tc.input)
			texts := fixedTexts(out)
			if len(texts) < 20 {
				t.Fatalf("only %d fixed texts found in the %s output", len(texts), tc.style)
			}
			var missing []string
			for _, x := range texts {
				if !lits.has(x) {
					missing = append(missing, x)
				}
			}
			for _, m := range missing {
				t.Errorf("%s prints %q, which is no string of %s", tc.style, m, script)
			}
			t.Logf("%s: %d of %d fixed texts are strings of %s", tc.style, len(texts)-len(missing), len(texts), script)
		})
	}
}

func findScript(dirs []string) string {
	var roots []string
	roots = append(roots, "../testdata/summarizers")
	if r := shared.Root(); r != "" {
		roots = append(roots, filepath.Join(r, "data/summarizers"))
	}
	for _, root := range roots {
		for _, d := range dirs {
			p := filepath.Join(root, d, "summarize_stats.py")
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	return ""
}

// renderForFixedTexts renders a single-input report of a real input in
// style s.
func renderForFixedTexts(t *testing.T, s Style, input string) []byte {
	t.Helper()
	var st *pystats.Stats
	var tab *specialize.Tables
	var err error
	switch input {
	case "3.11":
		st, err = pystats.Read("../testdata/dumps/3.11/json_tool/raw", pystats.Options{})
		var ok bool
		if tab, ok = specialize.Embedded("3.11"); !ok {
			t.Fatal("no embedded 3.11 tables")
		}
	case "3.12":
		p := shared.Path(t, "data/real-pystats/bm-20230619-3.12.0b3-f992a60/bm-20230619-azure-x86_64-python-v3.12.0b3-3.12.0b3-f992a60-pystats.json")
		st, err = pystats.Read(p, pystats.Options{})
		var ok bool
		if tab, ok = specialize.Embedded("3.12"); !ok {
			t.Fatal("no embedded 3.12 tables")
		}
	case "3.13-tier2":
		st, err = pystats.Read("../testdata/dumps/3.13-tier2/timeit_numeric_loop/summarize_stats.json", pystats.Options{})
	}
	if err != nil {
		t.Fatal(err)
	}
	defer st.Release()
	var buf bytes.Buffer
	if err := WriteSummary(&buf, st, MarkdownOptions{Style: s, Date: "2000-01-01", Tables: tab}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	ftHeading  = regexp.MustCompile(`^#+ (.*)$`)
	ftSummary  = regexp.MustCompile(`^<summary>\s*(.*?)\s*</summary>$`)
	ftTH       = regexp.MustCompile(`^<th align="\w+">(.*)</th>$`)
	ftPipeSep  = regexp.MustCompile(`^\|[ :|-]+\|$`)
	ftDataName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`) // an opcode or family name
)

// fixedTexts lists the texts of a rendered report that come from the
// script: headings and summary lines that are not bare opcode names,
// column names, and prose lines (documentation paragraphs, pop-up labels and
// texts). Table cells on one line (<td>...</td>, pipe-table rows) are data.
func fixedTexts(md []byte) []string {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" || s == "ⓘ" || ftDataName.MatchString(s) || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
	}
	// bench_runner's "# Pystats results" header, when the input carries its
	// metadata, is not the script's: the report starts at its first section.
	start := 0
	for start < len(lines) && !strings.HasPrefix(lines[start], "## ") {
		start++
	}
	for i := start; i < len(lines); i++ {
		l := lines[i]
		switch {
		case l == "" || strings.HasPrefix(l, "Stats gathered on: "):
		case ftHeading.MatchString(l):
			add(ftHeading.FindStringSubmatch(l)[1])
		case ftSummary.MatchString(l):
			add(ftSummary.FindStringSubmatch(l)[1])
		case ftTH.MatchString(l):
			add(ftTH.FindStringSubmatch(l)[1])
		case strings.HasPrefix(l, "|"):
			if i+1 < len(lines) && ftPipeSep.MatchString(lines[i+1]) {
				for _, c := range strings.Split(strings.Trim(l, "|"), "|") {
					add(c)
				}
			}
		case strings.HasPrefix(l, "<"):
		default:
			// A pop-up label follows a bare <td align="left">; everything
			// else on its own line is prose. A label that is data (a
			// rare-event or kind name from the counters) is still a key
			// of the script's doc table, so it is checked too.
			add(l)
		}
	}
	return out
}

// scriptTexts are the script's string literals as patterns: f-string fields
// match anything, and each literal also matches line by line (dedented
// documentation), lower-cased (the script's title.lower() summaries) and
// without a trailing ':' (column names print without it).
type scriptTexts struct {
	exact map[string]bool
	pats  []*regexp.Regexp
}

var ftField = regexp.MustCompile(`\{[^{}]*\}`)

func newScriptTexts(lits []pyLiteral) *scriptTexts {
	st := &scriptTexts{exact: map[string]bool{}}
	addOne := func(s string, fstr bool) {
		for _, v := range []string{s, strings.ToLower(s), strings.TrimSuffix(s, ":")} {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if !fstr || !ftField.MatchString(v) {
				st.exact[v] = true
				continue
			}
			if len(strings.TrimSpace(ftField.ReplaceAllString(v, ""))) < 4 {
				continue // a pattern of fields alone would match anything
			}
			var re strings.Builder
			re.WriteString("^")
			last := 0
			for _, m := range ftField.FindAllStringIndex(v, -1) {
				re.WriteString(regexp.QuoteMeta(v[last:m[0]]))
				re.WriteString(".*")
				last = m[1]
			}
			re.WriteString(regexp.QuoteMeta(v[last:]) + "$")
			st.pats = append(st.pats, regexp.MustCompile(re.String()))
		}
	}
	for _, l := range lits {
		addOne(l.text, l.fstring)
		if strings.Contains(l.text, "\n") {
			for _, line := range strings.Split(l.text, "\n") {
				addOne(line, l.fstring)
			}
		}
	}
	return st
}

func (st *scriptTexts) has(s string) bool {
	if st.exact[s] {
		return true
	}
	for _, p := range st.pats {
		if p.MatchString(s) {
			return true
		}
	}
	return false
}

// pyLiteral is one Python string literal, or a run of adjacent ones joined
// (implicit concatenation), with its escapes decoded and, for a
// triple-quoted string, textwrap.dedent applied.
type pyLiteral struct {
	text    string
	fstring bool
}

// pythonStringLiterals scans Python source for string literals. It knows
// comments, string prefixes (r, b, f, u and their pairs), triple quotes and
// the common escapes; that is all summarize_stats.py needs.
func pythonStringLiterals(src string) []pyLiteral {
	var out []pyLiteral
	var run []pyLiteral // adjacent literals not yet joined
	flush := func() {
		if len(run) == 0 {
			return
		}
		if len(run) > 1 {
			var b strings.Builder
			f := false
			for _, l := range run {
				b.WriteString(l.text)
				f = f || l.fstring
			}
			out = append(out, pyLiteral{b.String(), f})
		}
		out = append(out, run...)
		run = nil
	}
	isPrefix := func(s string) bool {
		switch strings.ToLower(s) {
		case "r", "b", "f", "u", "rb", "br", "fr", "rf":
			return true
		}
		return false
	}
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			// The prefix is the identifier characters just before.
			j := i
			for j > 0 && pyIdentByte(src[j-1]) {
				j--
			}
			prefix := src[j:i]
			if prefix != "" && !isPrefix(prefix) {
				prefix = ""
			}
			raw := strings.ContainsAny(prefix, "rR")
			q := string(c)
			if strings.HasPrefix(src[i:], strings.Repeat(q, 3)) {
				q = strings.Repeat(q, 3)
			}
			k := i + len(q)
			var b strings.Builder
			for k < len(src) && !strings.HasPrefix(src[k:], q) {
				if src[k] == '\\' && k+1 < len(src) {
					if raw {
						b.WriteByte(src[k])
						b.WriteByte(src[k+1])
					} else {
						switch e := src[k+1]; e {
						case 'n':
							b.WriteByte('\n')
						case 't':
							b.WriteByte('\t')
						case '\n': // line continuation
						default:
							b.WriteByte(e)
						}
					}
					k += 2
					continue
				}
				b.WriteByte(src[k])
				k++
			}
			text := b.String()
			if len(q) == 3 {
				text = pyDedent(text)
			}
			run = append(run, pyLiteral{text, strings.ContainsAny(prefix, "fF")})
			i = k + len(q)
			continue
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\':
		default:
			flush()
		}
		i++
	}
	flush()
	return out
}

func pyIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// pyDedent is textwrap.dedent: the longest common leading whitespace of the
// non-blank lines is removed, and blank lines become empty.
func pyDedent(s string) string {
	lines := strings.Split(s, "\n")
	prefix := ""
	first := true
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		ws := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			prefix, first = ws, false
			continue
		}
		for !strings.HasPrefix(ws, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			lines[i] = ""
		} else {
			lines[i] = strings.TrimPrefix(l, prefix)
		}
	}
	return strings.Join(lines, "\n")
}
