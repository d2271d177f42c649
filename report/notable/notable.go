// Package notable computes the Notable changes of a comparison and its CI
// gates (--fail-on): metrics read from the typed tags of the E4 comparison
// tables (table.Table.Metric), ranked within their groups, written as
// markdown and JSON.
package notable

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/report/table"
)

// This file computes the "Notable changes" of a comparison: the metrics of
// the summarizer's own comparison tables (CompareE4's joined tables), each
// with base, head, absolute and relative change, ranked by magnitude within
// its group. No counter is read again: every number is a cell of a joined
// table, or a ratio of cells of one column (the execution shares are each
// count over its column's total, which is the summarizer's "Self" column).

// Unit says how a metric is measured and how its change is ranked.
type Unit string

// The units of a metric.
const (
	// UnitRatio is a fraction (printed as a percentage); its change is
	// ranked and gated in percentage points.
	UnitRatio Unit = "ratio"
	// UnitCount is a count; its change is ranked and gated as a relative
	// change (percent).
	UnitCount Unit = "count"
)

// Groups of metrics, in the order the Notable changes section lists them.
const (
	GroupExecutionShare = "execution_share" // share[OP]
	GroupSpecialization = "specialization"  // hit_ratio, miss_ratio, deferred_ratio, deopt_ratio, failure_ratio [FAMILY]
	GroupFailureKinds   = "failure_kinds"   // failure_share[FAMILY:kind]
	GroupEffectiveness  = "effectiveness"   // basic, not_specialized, specialized_hits, specialized_misses
	GroupObjects        = "objects"         // object[Label]
	GroupCalls          = "calls"           // call[Label]
	GroupGC             = "gc"              // gc[GEN:field]
	GroupTier2          = "tier2"           // tier2[Label], uop_share[UOP]
)

// NotableGroups lists the groups in section order.
var NotableGroups = []string{GroupExecutionShare, GroupSpecialization, GroupFailureKinds, GroupEffectiveness,
	GroupObjects, GroupCalls, GroupGC, GroupTier2}

// Change is one metric of a comparison: its value in base and head, taken
// from a cell of the summarizer's joined tables. A side that has no row is
// absent and counts as 0.
type Change struct {
	Group  string
	Metric string // share, miss_ratio, failure_share, object, ...
	Arg    string // the bracketed argument ("LOAD_ATTR", "CALL:pep 523"); "" for none
	Unit   Unit
	// BaseNum/BaseDen and HeadNum/HeadDen are the cells' numerator and
	// denominator; a count has Den 0.
	BaseNum, BaseDen uint64
	HeadNum, HeadDen uint64
	// HasBase and HasHead are false when that side has no row.
	HasBase, HasHead bool
	// Table is the section path of the source table, joined by " / ".
	Table string
}

// Selector is the metric as --fail-on names it: metric[arg] with spaces in the
// argument written as "_", or the bare metric name.
func (c *Change) Selector() string {
	if c.Arg == "" {
		return c.Metric
	}
	return c.Metric + "[" + strings.ReplaceAll(c.Arg, " ", "_") + "]"
}

func ratioValue(num, den uint64) float64 { return table.RatioCell(num, den).Float() }

// Base is the base value: a fraction for a ratio, the count for a count.
func (c *Change) Base() float64 {
	if c.Unit == UnitRatio {
		return ratioValue(c.BaseNum, c.BaseDen)
	}
	return float64(c.BaseNum)
}

// Head is the head value: a fraction for a ratio, the count for a count.
func (c *Change) Head() float64 {
	if c.Unit == UnitRatio {
		return ratioValue(c.HeadNum, c.HeadDen)
	}
	return float64(c.HeadNum)
}

// Delta is head − base, in the metric's unit (a fraction for a ratio).
func (c *Change) Delta() float64 {
	if c.Unit == UnitCount {
		if c.HeadNum >= c.BaseNum {
			return float64(c.HeadNum - c.BaseNum)
		}
		return -float64(c.BaseNum - c.HeadNum)
	}
	return c.Head() - c.Base()
}

// Relative is (head − base) / base; false when base is 0. For counts it is
// the summarizer's "Change" column.
func (c *Change) Relative() (float64, bool) {
	if c.Unit == UnitCount {
		if c.BaseNum == 0 {
			return 0, false
		}
		return table.DiffCell(table.CountCell(c.BaseNum), table.CountCell(c.HeadNum)).Float(), true
	}
	b := c.Base()
	if b == 0 {
		return 0, false
	}
	return c.Delta() / b, true
}

// Magnitude is what changes are ranked by: |Δ| in percentage points for a
// ratio, |relative change| in percent for a count (+Inf when a count rises
// from 0).
func (c *Change) Magnitude() float64 {
	if c.Unit == UnitRatio {
		return math.Abs(c.Delta()) * 100
	}
	r, ok := c.Relative()
	if !ok {
		if c.HeadNum == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return math.Abs(r) * 100
}

// sideOf reads one side's value cell: a count or a ratio; ok is false for a
// missing side (the join's empty text cell).
func sideOf(c table.Cell) (num, den uint64, ok bool) {
	switch c.Kind {
	case table.CellCount:
		return c.Value, 0, true
	case table.CellRatio:
		if c.Negative {
			return 0, c.Den, true
		}
		return c.Value, c.Den, true
	}
	return 0, 0, false
}

// Changes extracts every metric of a comparison report (CompareE4's), in
// group order and then table order, from the typed metric tags the E4
// renderer attaches to its tables (table.Table.Metric): titles and column headers
// are never read. It returns nil for a single-input report.
func Changes(r *table.Report) []Change {
	if r == nil || !r.Comparison {
		return nil
	}
	byGroup := map[string][]Change{}
	add := func(c Change) { byGroup[c.Group] = append(byGroup[c.Group], c) }
	for _, rt := range r.Tables() {
		t := rt.Table
		if len(t.Rows) == 0 {
			continue
		}
		path := strings.Join(rt.Path, " / ")
		m := t.Metric
		named := func(group string) func(string) (string, string, string, bool) {
			return func(label string) (string, string, string, bool) {
				metric, ok := m.Names[label]
				return group, metric, "", ok
			}
		}
		switch m.Kind {
		case table.MetricShare:
			shareChanges(t, GroupExecutionShare, "share", path, add)
		case table.MetricUopShare:
			shareChanges(t, GroupTier2, "uop_share", path, add)
		case table.MetricKindRatios:
			valueChanges(t, path, func(label string) (string, string, string, bool) {
				return GroupSpecialization, label + "_ratio", m.Family, true
			}, UnitRatio, add)
		case table.MetricFailureRatio:
			valueChanges(t, path, func(label string) (string, string, string, bool) {
				metric, ok := m.Names[label]
				return GroupSpecialization, metric, m.Family, ok
			}, UnitRatio, add)
		case table.MetricFailureShare:
			valueChanges(t, path, func(label string) (string, string, string, bool) {
				return GroupFailureKinds, "failure_share", m.Family + ":" + label, true
			}, UnitRatio, add)
		case table.MetricEffectiveness:
			valueChanges(t, path, named(GroupEffectiveness), UnitRatio, add)
		case table.MetricObject:
			valueChanges(t, path, func(label string) (string, string, string, bool) {
				return GroupObjects, "object", label, true
			}, "", add)
		case table.MetricCall:
			valueChanges(t, path, func(label string) (string, string, string, bool) {
				return GroupCalls, "call", label, true
			}, "", add)
		case table.MetricTier2:
			valueChanges(t, path, func(label string) (string, string, string, bool) {
				return GroupTier2, "tier2", label, true
			}, "", add)
		case table.MetricGC:
			gcChanges(t, m.Fields, path, add)
		}
	}
	var out []Change
	for _, g := range NotableGroups {
		out = append(out, byGroup[g]...)
	}
	return out
}

// shareChanges turns an execution-count table (Name, Base Count, Head Count,
// Change) into shares of each side's total: the summarizer's "Self" column.
func shareChanges(t *table.Table, group, metric, path string, add func(Change)) {
	var baseTotal, headTotal uint64
	for _, row := range t.Rows {
		if n, _, ok := sideOf(row[1]); ok {
			baseTotal += n
		}
		if n, _, ok := sideOf(row[2]); ok {
			headTotal += n
		}
	}
	for _, row := range t.Rows {
		c := Change{Group: group, Metric: metric, Arg: row[0].Label(), Unit: UnitRatio, Table: path,
			BaseDen: baseTotal, HeadDen: headTotal}
		c.BaseNum, _, c.HasBase = sideOf(row[1])
		c.HeadNum, _, c.HasHead = sideOf(row[2])
		add(c)
	}
}

// valueChanges turns a joined (label, Count, Ratio) table (JoinChange:
// label, Base Count, Base Ratio, Head Count, Head Ratio, Change) into
// changes. name maps a row label to the change's group, metric and argument
// (false skips the row). unit forces the unit; "" takes the ratio when both
// sides have a non-zero denominator and the count otherwise.
func valueChanges(t *table.Table, path string, name func(label string) (group, metric, arg string, ok bool), unit Unit, add func(Change)) {
	for _, row := range t.Rows {
		if len(row) < 5 {
			continue
		}
		group, metric, arg, ok := name(row[0].Label())
		if !ok {
			continue
		}
		c := Change{Group: group, Metric: metric, Arg: arg, Table: path}
		bc, _, hasBase := sideOf(row[1])
		hc, _, hasHead := sideOf(row[3])
		bn, bd, _ := sideOf(row[2])
		hn, hd, _ := sideOf(row[4])
		c.HasBase, c.HasHead = hasBase, hasHead
		u := unit
		if u == "" {
			u = UnitCount
			if row[2].Kind == table.CellRatio && row[2].HasDen && bd != 0 && row[4].Kind == table.CellRatio && row[4].HasDen && hd != 0 {
				u = UnitRatio
			}
		}
		c.Unit = u
		if u == UnitRatio {
			c.BaseNum, c.BaseDen, c.HeadNum, c.HeadDen = bn, bd, hn, hd
		} else {
			c.BaseNum, c.HeadNum = bc, hc
		}
		add(c)
	}
}

// gcChanges turns the joined GC table (Generation, Base fields..., Head
// fields...) into gc[GEN:field] counts, fields named by the table's tag.
func gcChanges(t *table.Table, fields []string, path string, add func(Change)) {
	nf := len(fields)
	for _, row := range t.Rows {
		if len(row) < 1+2*nf {
			continue
		}
		gen := strconv.FormatUint(row[0].Value, 10)
		for f, field := range fields {
			c := Change{Group: GroupGC, Metric: "gc", Arg: gen + ":" + field, Unit: UnitCount, Table: path}
			c.BaseNum, _, c.HasBase = sideOf(row[1+f])
			c.HeadNum, _, c.HasHead = sideOf(row[1+nf+f])
			add(c)
		}
	}
}

// NotableOptions choose the rows of the Notable changes section.
type NotableOptions struct {
	// Top is the number of rows kept per group (0 keeps all).
	Top int
	// RatioThreshold is the smallest change, in percentage points, of a
	// ratio metric that is listed.
	RatioThreshold float64
	// CountThreshold is the smallest relative change, in percent, of a count
	// metric that is listed.
	CountThreshold float64
}

// DefaultNotableOptions are the CLI's defaults: 5 rows per group, changes
// of at least 0.1 points or 5%.
var DefaultNotableOptions = NotableOptions{Top: 5, RatioThreshold: 0.1, CountThreshold: 5}

// SelectNotable keeps the changes at or above the thresholds (and never an
// unchanged one), ranks each group by magnitude (descending; ties by
// selector), and keeps the first opt.Top of each group. Groups stay in
// NotableGroups order. The result is a new slice.
func SelectNotable(all []Change, opt NotableOptions) []Change {
	byGroup := map[string][]Change{}
	for _, c := range all {
		m := roundedMagnitude(&c)
		if m == 0 {
			continue
		}
		limit := opt.CountThreshold
		if c.Unit == UnitRatio {
			limit = opt.RatioThreshold
		}
		if m < limit {
			continue
		}
		byGroup[c.Group] = append(byGroup[c.Group], c)
	}
	var out []Change
	for _, g := range NotableGroups {
		cs := byGroup[g]
		sort.SliceStable(cs, func(i, j int) bool {
			mi, mj := roundedMagnitude(&cs[i]), roundedMagnitude(&cs[j])
			if mi != mj {
				return mi > mj
			}
			return cs[i].Selector() < cs[j].Selector()
		})
		if opt.Top > 0 && len(cs) > opt.Top {
			cs = cs[:opt.Top]
		}
		out = append(out, cs...)
	}
	return out
}

// roundedMagnitude is Magnitude rounded to 1e-9, so that float noise in a
// difference of fractions neither breaks ties nor moves a change across a
// threshold (0.011 − 0.010 is 0.1 point).
func roundedMagnitude(c *Change) float64 {
	m := c.Magnitude()
	if math.IsInf(m, 0) {
		return m
	}
	return math.Round(m*1e9) / 1e9
}

// BuildInfo is what is known about the build of one side of a comparison.
type BuildInfo struct {
	Path    string `json:"path"`
	Label   string `json:"label,omitempty"`   // the LABEL of a LABEL=PATH argument, else empty
	Version string `json:"version,omitempty"` // release line from the keys, e.g. "3.13"
	Named   bool   `json:"named_opcodes"`     // false when opcodes were numbers in the input
	Commit  string `json:"commit,omitempty"`  // bench_runner commit_id
	Branch  string `json:"branch,omitempty"`  // bench_runner commit_branch
	Date    string `json:"date,omitempty"`    // bench_runner commit_date
}

// NewBuildInfo describes one input from its era and bench_runner metadata.
func NewBuildInfo(st *pystats.Stats, era pystats.Era) BuildInfo {
	b := BuildInfo{Path: st.Source.Path, Version: era.Version, Named: era.NamedOpcodes}
	b.Commit, _ = st.Meta.BenchRunnerValue("commit_id")
	b.Branch, _ = st.Meta.BenchRunnerValue("commit_branch")
	b.Date, _ = st.Meta.BenchRunnerValue("commit_date")
	return b
}

// String is a one-line description: label (when given), version, commit,
// branch and date when known.
func (b BuildInfo) String() string {
	var parts []string
	if b.Commit != "" {
		parts = append(parts, "commit "+b.Commit)
	}
	if b.Branch != "" {
		parts = append(parts, "branch "+b.Branch)
	}
	if b.Date != "" {
		parts = append(parts, b.Date)
	}
	v := b.Version
	if v == "" {
		v = "unknown version"
	}
	if b.Label != "" {
		v = b.Label + ", " + v
	}
	if len(parts) == 0 {
		return v
	}
	return v + " (" + strings.Join(parts, ", ") + ")"
}

// Notable is the Notable changes section of a comparison.
type Notable struct {
	Base, Head BuildInfo
	// Differences are the ways the two builds differ (version, commit,
	// metadata tables, opcodes on one side only), one sentence each.
	Differences []string
	Options     NotableOptions
	// Rows are the selected changes, grouped and ranked.
	Rows []Change
	// Gates are the --fail-on results, in the order given; nil without gates.
	Gates []GateResult
}

// BuildDifferences lists how two builds differ: release line, commit,
// numbering of opcodes, and their metadata tables (see
// specialize.MetadataDifferences for the latter, passed in as metaDiffs).
func BuildDifferences(base, head BuildInfo, metaDiffs []string) []string {
	var out []string
	if base.Version != head.Version || base.Commit != head.Commit || base.Named != head.Named {
		out = append(out, "different builds: base "+base.String()+" vs head "+head.String())
	}
	if base.Named != head.Named {
		side := "base"
		if base.Named {
			side = "head"
		}
		out = append(out, side+" has numeric opcodes: mapped to names with its build tables")
	}
	return append(out, metaDiffs...)
}

func signed(s string, neg bool) string {
	if neg {
		return "-" + s
	}
	return "+" + s
}

// formatValue prints a value as the report does: a ratio as a percentage
// with one decimal, a count grouped.
func (c *Change) formatValue(num, den uint64, has bool) string {
	if !has {
		return "—"
	}
	if c.Unit == UnitRatio {
		return table.RatioCell(num, den).Markdown()
	}
	return table.CountCell(num).Markdown()
}

// FormatDelta prints the absolute change: "+1.23pt" for a ratio, "+1,234"
// for a count.
func (c *Change) FormatDelta() string {
	d := c.Delta()
	if c.Unit == UnitRatio {
		return signed(strconv.FormatFloat(math.Abs(d)*100, 'f', 2, 64), d < 0) + "pt"
	}
	if c.HeadNum >= c.BaseNum {
		return "+" + table.CountCell(c.HeadNum-c.BaseNum).Markdown()
	}
	return "-" + table.CountCell(c.BaseNum-c.HeadNum).Markdown()
}

// FormatRelative prints the relative change ("+12.3%"), "new" when a value
// rises from 0, "" when both are 0.
func (c *Change) FormatRelative() string {
	r, ok := c.Relative()
	if !ok {
		if c.Delta() == 0 {
			return ""
		}
		return "new"
	}
	return signed(strconv.FormatFloat(math.Abs(r)*100, 'f', 1, 64), r < 0) + "%"
}

// WriteNotableMarkdown writes the Notable changes section: a "## Notable
// changes" heading, the builds compared and their differences, and a GFM
// table of the selected changes (metric, base, head, change, relative), then
// an empty line. It returns the first write error.
func WriteNotableMarkdown(w io.Writer, n *Notable) error {
	var buf bytes.Buffer
	buf.WriteString("## Notable changes\n\n")
	fmt.Fprintf(&buf, "Base: %s; head: %s.\n", n.Base.String(), n.Head.String())
	for _, d := range n.Differences {
		fmt.Fprintf(&buf, "\n**Warning:** %s.\n", mdEscape(d))
	}
	buf.WriteString("\n")
	if len(n.Rows) == 0 {
		fmt.Fprintf(&buf, "No change of at least %spt (ratios) or %s%% (counts).\n\n",
			strconv.FormatFloat(n.Options.RatioThreshold, 'f', -1, 64), strconv.FormatFloat(n.Options.CountThreshold, 'f', -1, 64))
	} else {
		rows := make([][]string, 0, len(n.Rows))
		for i := range n.Rows {
			c := &n.Rows[i]
			rows = append(rows, []string{
				"`" + c.Selector() + "`",
				c.formatValue(c.BaseNum, c.BaseDen, c.HasBase),
				c.formatValue(c.HeadNum, c.HeadDen, c.HasHead),
				c.FormatDelta(),
				c.FormatRelative(),
			})
		}
		if err := writeMarkdownTable(&buf, []string{"Metric", "Base", "Head", "Change", "Relative"},
			[]tw.Align{tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight}, rows); err != nil {
			return err
		}
		buf.WriteString("\n")
	}
	for _, g := range n.Gates {
		if !g.Tripped() {
			continue
		}
		fmt.Fprintf(&buf, "**Gate tripped:** `%s` (%d rows).\n\n", g.Expr.String(), len(g.Offending))
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing notable changes: %w", err)
	}
	return nil
}

// mdEscape escapes the characters that would break a markdown line.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;").Replace(s)
}

// writeMarkdownTable writes a GFM pipe table with tablewriter v1.1.5: header
// auto-format and wrapping off, cells escaped ("|" and newlines), a fresh
// slice per row.
func writeMarkdownTable(w io.Writer, header []string, align []tw.Align, rows [][]string) error {
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithAlignment(tw.Alignment(align)),
	)
	h := make([]any, len(header))
	for i, s := range header {
		h[i] = s
	}
	t.Header(h...)
	for _, r := range rows {
		row := make([]string, len(r))
		for i, s := range r {
			row[i] = strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
		}
		if err := t.Append(row); err != nil {
			return fmt.Errorf("notable table: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("notable table: %w", err)
	}
	return nil
}

// notableJSON is the stable JSON form of Notable (see the README section
// "Comparing runs and CI gates").
type notableJSON struct {
	Base        BuildInfo    `json:"base"`
	Head        BuildInfo    `json:"head"`
	Differences []string     `json:"differences"`
	Top         int          `json:"top"`
	ThresholdPt float64      `json:"threshold_pt"`
	ThresholdPc float64      `json:"threshold_percent"`
	Changes     []changeJSON `json:"changes"`
	Gates       []gateJSON   `json:"gates"`
}

type changeJSON struct {
	Group    string   `json:"group"`
	Metric   string   `json:"metric"`
	Arg      string   `json:"arg"`
	Selector string   `json:"selector"`
	Unit     Unit     `json:"unit"`
	Base     float64  `json:"base"`
	Head     float64  `json:"head"`
	Change   float64  `json:"change"`
	ChangePt *float64 `json:"change_pt"`
	Relative *float64 `json:"relative"`
	BaseNum  uint64   `json:"base_count"`
	BaseDen  uint64   `json:"base_total"`
	HeadNum  uint64   `json:"head_count"`
	HeadDen  uint64   `json:"head_total"`
	HasBase  bool     `json:"in_base"`
	HasHead  bool     `json:"in_head"`
	Table    string   `json:"table"`
}

type gateJSON struct {
	Expr      string       `json:"expr"`
	Tripped   bool         `json:"tripped"`
	Offending []changeJSON `json:"offending"`
}

func toChangeJSON(c *Change) changeJSON {
	j := changeJSON{Group: c.Group, Metric: c.Metric, Arg: c.Arg, Selector: c.Selector(), Unit: c.Unit,
		Base: c.Base(), Head: c.Head(), Change: c.Delta(),
		BaseNum: c.BaseNum, BaseDen: c.BaseDen, HeadNum: c.HeadNum, HeadDen: c.HeadDen,
		HasBase: c.HasBase, HasHead: c.HasHead, Table: c.Table}
	if c.Unit == UnitRatio {
		pt := c.Delta() * 100
		j.ChangePt = &pt
	}
	if r, ok := c.Relative(); ok {
		j.Relative = &r
	}
	return j
}

// WriteNotableJSON writes n as indented JSON with the stable field names
// documented in the README ("Comparing runs and CI gates").
func WriteNotableJSON(w io.Writer, n *Notable) error {
	j := notableJSON{Base: n.Base, Head: n.Head, Differences: n.Differences, Top: n.Options.Top,
		ThresholdPt: n.Options.RatioThreshold, ThresholdPc: n.Options.CountThreshold,
		Changes: make([]changeJSON, 0, len(n.Rows)), Gates: make([]gateJSON, 0, len(n.Gates))}
	if j.Differences == nil {
		j.Differences = []string{}
	}
	for i := range n.Rows {
		j.Changes = append(j.Changes, toChangeJSON(&n.Rows[i]))
	}
	for _, g := range n.Gates {
		gj := gateJSON{Expr: g.Expr.String(), Tripped: g.Tripped(), Offending: make([]changeJSON, 0, len(g.Offending))}
		for i := range g.Offending {
			gj.Offending = append(gj.Offending, toChangeJSON(&g.Offending[i]))
		}
		j.Gates = append(j.Gates, gj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(j); err != nil {
		return fmt.Errorf("writing notable changes JSON: %w", err)
	}
	return nil
}
