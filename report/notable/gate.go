package notable

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// This file is the --fail-on expression language: small comparisons of a
// Notable-changes metric's change against a threshold, for CI.
//
//	list      = expr { ("," | ";") expr }
//	expr      = selector op threshold
//	selector  = "any(" ref ")" | ref
//	ref       = metric [ "[" arg "]" ]
//	op        = ">" | ">=" | "<" | "<="
//	threshold = [ "+" | "-" ] number [ "pt" | "%" ]
//
// "pt" compares the absolute change of a ratio in percentage points, "%"
// the relative change (head−base)/base of any metric, and a plain number
// the absolute change of a count. An arg is matched ignoring case, with "_"
// and " " the same, and "*" matching any run of characters. A selector
// without any() or "*" must match a row of the comparison.

// gateMetrics are the metric names a gate may use, with their unit: "ratio",
// "count", or "mixed" (a ratio when the summarizer's row has one, else the
// count), and whether they take an argument.
var gateMetrics = map[string]struct {
	unit   string
	hasArg bool
	argFmt string
}{
	"share":              {"ratio", true, "OPCODE"},
	"uop_share":          {"ratio", true, "UOP"},
	"hit_ratio":          {"ratio", true, "FAMILY"},
	"miss_ratio":         {"ratio", true, "FAMILY"},
	"deferred_ratio":     {"ratio", true, "FAMILY"},
	"deopt_ratio":        {"ratio", true, "FAMILY"},
	"failure_ratio":      {"ratio", true, "FAMILY"},
	"failure_share":      {"ratio", true, "FAMILY:kind"},
	"basic":              {"ratio", false, ""},
	"not_specialized":    {"ratio", false, ""},
	"specialized_hits":   {"ratio", false, ""},
	"specialized_misses": {"ratio", false, ""},
	"object":             {"mixed", true, "Label"},
	"call":               {"mixed", true, "Label"},
	"tier2":              {"mixed", true, "Label"},
	"gc":                 {"count", true, "GEN:field"},
}

// GateMetricNames lists the metric names a gate may use, sorted.
func GateMetricNames() []string {
	out := make([]string, 0, len(gateMetrics))
	for k := range gateMetrics {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Gate is one parsed --fail-on expression.
type Gate struct {
	// Src is the expression as written.
	Src string
	// Any is true for any(metric) and for arguments with "*".
	Any    bool
	Metric string
	// Arg is the argument as written ("" for none or any(metric)).
	Arg string
	Op  string // ">", ">=", "<", "<="
	// Value is the threshold: percentage points for "pt", percent for "%",
	// a count otherwise.
	Value float64
	Unit  string // "pt", "%" or ""
}

// String is the expression in canonical form, e.g. "miss_ratio[LOAD_ATTR] > +2pt".
func (g *Gate) String() string {
	sel := g.Metric
	switch {
	case g.Arg != "":
		sel += "[" + g.Arg + "]"
	case g.Any:
		sel = "any(" + sel + ")"
	}
	v := strconv.FormatFloat(math.Abs(g.Value), 'f', -1, 64)
	if g.Value < 0 {
		v = "-" + v
	} else {
		v = "+" + v
	}
	return sel + " " + g.Op + " " + v + g.Unit
}

// GateError is a syntax error in a --fail-on expression: the expression, the
// offending token and its byte offset.
type GateError struct {
	Expr  string
	Pos   int
	Token string // "" at the end of the expression
	Msg   string
}

// Error names the offending token and its offset in the expression.
func (e *GateError) Error() string {
	tok := "end of expression"
	if e.Token != "" {
		tok = strconv.Quote(e.Token)
	}
	return fmt.Sprintf("expression %q: at %s (offset %d): %s", e.Expr, tok, e.Pos, e.Msg)
}

// ErrNoMatch is returned (wrapped) by Evaluate when a selector without any()
// or "*" names no row of the comparison.
var ErrNoMatch = errors.New("no row matches")

// ErrNoRows is returned (wrapped) by Evaluate when the gate's metric has no
// row at all in the comparison (e.g. any(tier2) on data without Tier 2): the
// gate could never trip.
var ErrNoRows = errors.New("the metric has no rows")

// ParseGates parses a list of expressions separated by "," or ";" (outside
// brackets and parentheses). Empty input is an error.
func ParseGates(s string) ([]*Gate, error) {
	var out []*Gate
	depth, start := 0, 0
	flush := func(end int) error {
		piece := s[start:end]
		if strings.TrimSpace(piece) == "" {
			tok := ""
			if end < len(s) {
				tok = s[end : end+1]
			}
			return &GateError{Expr: s, Pos: end, Token: tok, Msg: "empty expression"}
		}
		g, err := ParseGate(piece)
		if err != nil {
			return err
		}
		out = append(out, g)
		return nil
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '(':
			depth++
		case ']', ')':
			if depth > 0 {
				depth--
			}
		case ',', ';':
			if depth == 0 {
				if err := flush(i); err != nil {
					return nil, err
				}
				start = i + 1
			}
		}
	}
	if err := flush(len(s)); err != nil {
		return nil, err
	}
	return out, nil
}

// gateScanner reads one expression.
type gateScanner struct {
	src string
	pos int
}

func (p *gateScanner) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

// errAt makes an error at the current position, naming the token there.
func (p *gateScanner) errAt(format string, args ...any) error {
	p.skipSpace()
	end := p.pos
	if end < len(p.src) {
		ident := isIdent(p.src[end])
		for end < len(p.src) && p.src[end] != ' ' && p.src[end] != '\t' && isIdent(p.src[end]) == ident {
			end++
		}
	}
	return &GateError{Expr: p.src, Pos: p.pos, Token: p.src[p.pos:end], Msg: fmt.Sprintf(format, args...)}
}

func isIdent(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func (p *gateScanner) ident() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.src) && isIdent(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *gateScanner) accept(s string) bool {
	p.skipSpace()
	if strings.HasPrefix(p.src[p.pos:], s) {
		p.pos += len(s)
		return true
	}
	return false
}

// ParseGate parses one expression such as "miss_ratio[LOAD_ATTR] > +2pt".
// Errors are *GateError values naming the offending token.
func ParseGate(s string) (*Gate, error) {
	src := strings.TrimSpace(s)
	p := &gateScanner{src: src}
	g := &Gate{Src: src}
	known := strings.Join(GateMetricNames(), ", ")
	metricAt := 0
	readMetric := func() error {
		p.skipSpace()
		metricAt = p.pos
		g.Metric = p.ident()
		if g.Metric == "" {
			return p.errAt("want a metric name (%s)", known)
		}
		if _, ok := gateMetrics[g.Metric]; !ok {
			p.pos = metricAt
			return p.errAt("unknown metric %q (want one of %s)", g.Metric, known)
		}
		return nil
	}
	p.skipSpace()
	save := p.pos
	if p.ident() == "any" && p.accept("(") {
		g.Any = true
		if err := readMetric(); err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, p.errAt("want \")\" after any(%s", g.Metric)
		}
	} else {
		p.pos = save
		if err := readMetric(); err != nil {
			return nil, err
		}
		spec := gateMetrics[g.Metric]
		if p.accept("[") {
			argAt := p.pos
			end := strings.IndexByte(p.src[p.pos:], ']')
			if end < 0 {
				return nil, p.errAt("missing \"]\"")
			}
			g.Arg = strings.TrimSpace(p.src[p.pos : p.pos+end])
			if !spec.hasArg {
				p.pos = argAt - 1
				return nil, p.errAt("%s takes no argument", g.Metric)
			}
			if g.Arg == "" {
				return nil, p.errAt("empty argument: want %s[%s]", g.Metric, spec.argFmt)
			}
			if strings.Contains(spec.argFmt, ":") && !strings.Contains(g.Arg, ":") && g.Arg != "*" {
				p.pos = argAt
				return nil, p.errAt("want %s[%s] (\"*\" after \":\" for all)", g.Metric, spec.argFmt)
			}
			p.pos += end + 1
			g.Any = strings.Contains(g.Arg, "*")
		} else if spec.hasArg {
			return nil, p.errAt("%s needs an argument: %s[%s], or any(%s)", g.Metric, g.Metric, spec.argFmt, g.Metric)
		}
	}
	switch {
	case p.accept(">="):
		g.Op = ">="
	case p.accept("<="):
		g.Op = "<="
	case p.accept(">"):
		g.Op = ">"
	case p.accept("<"):
		g.Op = "<"
	default:
		return nil, p.errAt("want a comparison: >, >=, < or <=")
	}
	p.skipSpace()
	numAt := p.pos
	neg := false
	if p.accept("-") {
		neg = true
	} else {
		p.accept("+")
	}
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.src) && (p.src[p.pos] >= '0' && p.src[p.pos] <= '9' || p.src[p.pos] == '.') {
		p.pos++
	}
	v, err := strconv.ParseFloat(p.src[start:p.pos], 64)
	if err != nil {
		p.pos = numAt
		return nil, p.errAt("want a number such as +2pt, -1pt, +10%% or 1000")
	}
	if neg {
		v = -v
	}
	g.Value = v
	switch {
	case p.accept("pt"):
		g.Unit = "pt"
	case p.accept("%"):
		g.Unit = "%"
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		if isIdent(p.src[p.pos]) {
			return nil, p.errAt("unknown unit: want pt, %% or none")
		}
		return nil, p.errAt("unexpected text after the threshold")
	}
	unit := gateMetrics[g.Metric].unit
	switch {
	case g.Unit == "pt" && unit == "count":
		p.pos = numAt
		return nil, p.errAt("%s is a count: compare with %% (relative) or a plain number (absolute)", g.Metric)
	case g.Unit == "" && unit == "ratio":
		p.pos = numAt
		return nil, p.errAt("%s is a ratio: give the threshold in pt (points) or %% (relative)", g.Metric)
	}
	return g, nil
}

// normArg is an argument as it is matched: lower case, "_" as " ".
func normArg(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", " "))
}

// globMatch matches s against pattern, where "*" matches any run.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// matches reports whether c is a row the gate's selector names.
func (g *Gate) matches(c *Change) bool {
	if c.Metric != g.Metric {
		return false
	}
	if g.Arg == "" {
		return true
	}
	return globMatch(normArg(g.Arg), normArg(c.Arg))
}

// measure is the quantity the gate compares for c; false when the gate's
// unit does not apply to c (pt on a count row, a plain number on a ratio
// row of a mixed metric).
func (g *Gate) measure(c *Change) (float64, bool) {
	switch g.Unit {
	case "pt":
		if c.Unit != UnitRatio {
			return 0, false
		}
		return c.Delta() * 100, true
	case "%":
		r, ok := c.Relative()
		if !ok {
			d := c.Delta()
			switch {
			case d > 0:
				return math.Inf(1), true
			case d < 0:
				return math.Inf(-1), true
			}
			return 0, true
		}
		return r * 100, true
	}
	if c.Unit != UnitCount {
		return 0, false
	}
	return c.Delta(), true
}

func (g *Gate) holds(x float64) bool {
	switch g.Op {
	case ">":
		return x > g.Value
	case ">=":
		return x >= g.Value
	case "<":
		return x < g.Value
	case "<=":
		return x <= g.Value
	}
	return false
}

// GateResult is a gate with the rows that trip it.
type GateResult struct {
	Expr      *Gate
	Offending []Change
}

// Tripped reports whether any row trips the gate.
func (r GateResult) Tripped() bool { return len(r.Offending) > 0 }

// Evaluate checks the gate against every change of a comparison (Changes'
// result, not a thresholded selection). The offending rows keep the order
// of changes. A selector without any() or "*" that names no row, or names
// rows the unit cannot apply to, is an error wrapping ErrNoMatch.
func (g *Gate) Evaluate(changes []Change) (GateResult, error) {
	res := GateResult{Expr: g}
	matched, applicable, ofMetric := 0, 0, 0
	for i := range changes {
		c := &changes[i]
		if c.Metric == g.Metric {
			ofMetric++
		}
		if !g.matches(c) {
			continue
		}
		matched++
		x, ok := g.measure(c)
		if !ok {
			continue
		}
		applicable++
		if g.holds(x) {
			res.Offending = append(res.Offending, *c)
		}
	}
	if ofMetric == 0 {
		// any(tier2) on data without Tier 2 would pass whatever happens.
		why := ""
		if g.Metric == "tier2" || g.Metric == "uop_share" {
			why = " (Tier-2 rows need Tier-2 data on both sides)"
		}
		return res, fmt.Errorf("%s: %w: no %s rows in this comparison%s", g.String(), ErrNoRows, g.Metric, why)
	}
	if !g.Any {
		switch {
		case matched == 0:
			return res, fmt.Errorf("%s: %w in this comparison", g.String(), ErrNoMatch)
		case applicable == 0:
			unit := "a ratio: use pt or %"
			if g.Unit == "pt" {
				unit = "a count: use % or a plain number"
			}
			return res, fmt.Errorf("%s: %w: the row is %s", g.String(), ErrNoMatch, unit)
		}
	}
	return res, nil
}

// FormatOffending describes a tripping row for stderr: selector, base, head,
// change and relative change.
func FormatOffending(c *Change) string {
	rel := c.FormatRelative()
	if rel != "" {
		rel = " (" + rel + ")"
	}
	return fmt.Sprintf("%s: base %s, head %s, change %s%s",
		c.Selector(), c.formatValue(c.BaseNum, c.BaseDen, c.HasBase), c.formatValue(c.HeadNum, c.HeadDen, c.HasHead), c.FormatDelta(), rel)
}
