package specialize

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/pystats-dev/pystats/pystats"
)

// Choice is what the user said about a data set's build tables: the
// command line's --cpython-src DIR or --tables FILE, --strict and --force.
// The zero Choice picks the embedded tables of the detected version.
type Choice struct {
	// CPythonSrc is a CPython checkout to read tables from (--cpython-src).
	CPythonSrc string
	// TablesFile is a build-tables JSON file (--tables).
	TablesFile string
	// Strict makes a numbering mismatch (release tables on a development
	// build's numeric data) an error instead of a verdict.
	Strict bool
	// Force accepts given tables whose version does not fit the data, with
	// a warning, instead of refusing them.
	Force bool

	once   sync.Once
	loaded *Tables
	err    error
}

// Tables returns the tables the choice names (read once, shared by every
// data set resolved with the choice), or nil when it names none.
func (c *Choice) Tables() (*Tables, error) {
	c.once.Do(func() {
		switch {
		case c.CPythonSrc != "" && c.TablesFile != "":
			c.err = &UsageError{"give --cpython-src or --tables, not both"}
		case c.CPythonSrc != "":
			c.loaded, c.err = FromCPythonSource(c.CPythonSrc)
		case c.TablesFile != "":
			c.loaded, c.err = LoadTablesFile(c.TablesFile)
		}
	})
	return c.loaded, c.err
}

// given names the option that gave the tables, for messages.
func (c *Choice) given() string {
	if c.CPythonSrc != "" {
		return "--cpython-src " + c.CPythonSrc
	}
	return "--tables " + c.TablesFile
}

// UsageError is a mistake on the command line found while resolving a data
// set (tables that do not fit the data, two table options): the command
// exits with status 1.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Dataset is one data set with everything its meaning depends on: the
// counters, the detected era, the build tables chosen for it, and the
// verdict on that choice. Every command gets it from Resolve, so the table
// choice and its warnings are the same everywhere.
type Dataset struct {
	Stats *pystats.Stats
	Era   pystats.Era
	// Tables are the build tables used for the data (nil when none are
	// known: numeric names then print as "<N>"). For named-opcode data
	// without metadata they are also attached to Stats.Meta.
	Tables *Tables
	// NamesReliable is false when the opcode and failure-kind names under
	// Tables are known to be wrong (release tables on a development build's
	// numeric data, see Tables.CheckNumbering) or unchecked guesses (given
	// tables of another version with --force); NamesReason says why.
	NamesReliable bool
	NamesReason   string
	// Warnings are the verdict's messages, each prefixed with the input's
	// path ("PATH: ..."), in the order found. Commands print them as
	// "warning: " lines; `info` counts them as problems.
	Warnings []string

	viewCache
	// rules, when set, are the label rules of the data's own era (a copy
	// made by Named).
	rules *Rules
}

// Problems are the reader's warnings (Stats.Source.Warnings) followed by the
// verdict's: what `info` lists and counts.
func (d *Dataset) Problems() []string {
	out := make([]string, 0, len(d.Stats.Source.Warnings)+len(d.Warnings))
	for _, w := range d.Stats.Source.Warnings {
		out = append(out, w.String())
	}
	return append(out, d.Warnings...)
}

// Resolve chooses the build tables of st and judges the choice:
//
//   - tables named by c (--cpython-src, --tables) are used when their version
//     fits the data (see Fits); otherwise Resolve returns a *UsageError naming
//     both versions, or, with c.Force, uses them with a warning;
//   - else named-opcode data that carries its metadata needs none; other data
//     gets the embedded tables of its detected release line, or for a newer
//     named line than the binary knows, the newest older one (with a warning);
//   - release tables on numeric data are checked against the data's
//     numbering (NumberingWarning): a misfit makes NamesReliable false with a
//     warning, or an error with c.Strict.
//
// Named-opcode data without metadata gets the tables attached (Attach), as
// the summarizer adds them from its checkout. st is kept (not copied) in the
// Dataset; the caller still owns it.
func Resolve(st *pystats.Stats, c *Choice) (*Dataset, error) {
	if c == nil {
		c = &Choice{}
	}
	d := &Dataset{Stats: st, Era: pystats.DetectEra(st), NamesReliable: true}
	path := st.Source.Path
	given, err := c.Tables()
	if err != nil {
		return nil, err
	}
	if given != nil {
		if why := Fits(given, d.Era); why != "" {
			msg := fmt.Sprintf("%s: %s gives build tables of %s, but the data is %s (%s)", path, c.given(), tablesName(given), dataName(d.Era), why)
			if !c.Force {
				return nil, &UsageError{msg + "; give the tables of the data's build, or --force to use these anyway"}
			}
			d.setUnreliable(msg + "; used anyway (--force): names may be wrong")
		}
		d.Tables = given
	} else if d.Era.NamedOpcodes && d.Era.Version != "" && !st.Meta.HasBuildTables {
		if _, ok := Embedded(d.Era.Version); !ok {
			// A newer line than the binary knows (main): the nearest older
			// tables name most kinds right; say so.
			if older := nearestOlderTables(d.Era.Version); older != nil {
				d.Tables = older
				d.Warnings = append(d.Warnings, fmt.Sprintf("%s: no build tables for %s are built in; using %s's (give --cpython-src or --tables for exact failure-kind names)", path, d.Era.Version, older.Version))
			}
		}
	}
	if d.Tables == nil {
		if t, ok := Embedded(d.Era.Version); ok {
			d.Tables = t
			// Release tables on a development build's data give wrong names.
			if msg := t.NumberingWarning(st); msg != "" {
				if c.Strict {
					return nil, fmt.Errorf("%s: %s", path, msg)
				}
				d.setUnreliable(path + ": " + msg)
			}
		}
	}
	if d.Era.NamedOpcodes && !st.Meta.HasBuildTables && d.Tables != nil {
		Attach(st, d.Tables)
	}
	return d, nil
}

// Named returns the data set mapped to opcode names (see Named), to lay
// numeric-opcode data beside named-opcode data: its view keeps the rules of
// the data's own era (the 3.11 meaning, the E2 scripts' failure-kind names),
// and the verdict is kept. It returns d itself when the opcodes are named
// already. The caller releases the new Stats.
func (d *Dataset) Named() (*Dataset, error) {
	if !d.Era.HasOpcodes || d.Era.NamedOpcodes {
		return d, nil
	}
	st, err := Named(d.Stats, d.Tables)
	if err != nil {
		return nil, err
	}
	rules := d.View().Rules
	return &Dataset{Stats: st, Era: pystats.DetectEra(st), NamesReliable: d.NamesReliable, NamesReason: d.NamesReason,
		Warnings: d.Warnings, rules: &rules}, nil
}

func (d *Dataset) setUnreliable(msg string) {
	d.NamesReliable = false
	if d.NamesReason == "" {
		d.NamesReason = msg
	}
	d.Warnings = append(d.Warnings, msg)
}

// Fits says why tables cannot describe data of era e, or "" when they may:
// named-opcode data needs tables without an opcode numbering and numeric data
// tables with one; tables of a release line older than the data's detected
// line (a lower bound: the keys that decide it appeared in that line) do not
// fit, nor tables of any line other than 3.11 for 3.11 data (3.11 is told
// apart exactly). Tables named after a development commit have no line and
// are not compared.
func Fits(t *Tables, e pystats.Era) string {
	if t == nil || !e.HasOpcodes {
		return ""
	}
	numbered := len(t.Opnames) > 0
	switch {
	case e.NamedOpcodes && numbered:
		return "its opcodes are named, the tables number them"
	case !e.NamedOpcodes && !numbered:
		return "its opcodes are numbers, the tables have no numbering"
	}
	if !isReleaseLine(t.Version) || !isReleaseLine(e.Version) {
		return ""
	}
	switch {
	case compareLines(t.Version, e.Version) < 0:
		return "the tables are older than the data"
	case e.Version == "3.11" && t.Version != "3.11":
		return "3.11 data needs 3.11 tables"
	}
	return ""
}

func tablesName(t *Tables) string {
	if isReleaseLine(t.Version) {
		return t.Version
	}
	if t.Version == "" {
		return "an unnamed build"
	}
	return "build " + t.Version
}

func dataName(e pystats.Era) string {
	if e.Version == "" {
		return "of an unknown version"
	}
	return e.Version
}

// isReleaseLine reports whether v reads "3.N".
func isReleaseLine(v string) bool {
	a, b, ok := strings.Cut(v, ".")
	if !ok || a == "" || b == "" {
		return false
	}
	_, e1 := strconv.Atoi(a)
	_, e2 := strconv.Atoi(b)
	return e1 == nil && e2 == nil
}

// nearestOlderTables returns the embedded tables of the newest release line
// older than version, or nil.
func nearestOlderTables(version string) *Tables {
	var best *Tables
	for _, v := range EmbeddedVersions() {
		if compareLines(v, version) < 0 {
			if t, ok := Embedded(v); ok && (best == nil || compareLines(v, best.Version) > 0) {
				best = t
			}
		}
	}
	return best
}

// compareLines orders release lines such as "3.9" and "3.14" numerically.
func compareLines(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x - y
		}
	}
	return len(pa) - len(pb)
}

// IsUsageError reports whether err is (or wraps) a *UsageError.
func IsUsageError(err error) bool {
	var u *UsageError
	return errors.As(err, &u)
}
