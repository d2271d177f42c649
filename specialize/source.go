package specialize

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/pystats-dev/pystats/internal/mapfile"
	"github.com/pystats-dev/pystats/pystats"
)

// Files of a CPython checkout that FromCPythonSource reads, relative to its root.
const (
	patchlevelFile  = "Include/patchlevel.h"
	specializeFile  = "Python/specialize.c"
	statsHeader313  = "Include/cpython/pystats.h" // E3/E4 summarizers (3.13+)
	statsHeader312  = "Include/pystats.h"         // E2 summarizer (3.12)
	opcodePyFile    = "Lib/opcode.py"             // 3.11, 3.12: def_op(...) and _specializations
	opcodeMetaFile  = "Lib/_opcode_metadata.py"   // 3.13+: _specialized_opmap
	opcodeHeader    = "Include/opcode.h"          // 3.11, 3.12: #define NAME N (cross-check only)
	opcodeIDsHeader = "Include/opcode_ids.h"      // 3.13+: #define NAME N (cross-check only)
)

// FromCPythonSource reads the tables from a CPython checkout (or unpacked
// source release) the way that version's Tools/scripts/summarize_stats.py
// gets them:
//
//   - Defines: every line of Python/specialize.c that, stripped, starts with
//     "#define SPEC_FAIL_" is split into exactly a name and an integer value
//     (the summarizer would crash on anything else; here it is an error with
//     file and line).
//   - StatsDefines: the same for "#define EVAL_CALL_" in
//     Include/cpython/pystats.h (3.13+) or else Include/pystats.h (3.12);
//     empty when neither exists (3.11).
//   - Named-opcode versions (Lib/_opcode_metadata.py has _specialized_opmap,
//     3.13+): SpecializedInstructions are its keys in source order without
//     names containing "__"; Opnames stays empty.
//   - Numeric versions (3.11, 3.12): Lib/opcode.py's def_op-style lines give
//     opcode.opname, and its _specializations (or a literal
//     _specialized_instructions list) gives opcode._specialized_instructions;
//     Opnames is opname with slot 0 named "<0>" and each "<n>" hole filled by
//     the next specialized instruction, as the E1/E2 summarizers do.
//
// Version is the major.minor of PY_VERSION in Include/patchlevel.h.
func FromCPythonSource(dir string) (*Tables, error) {
	pyVersion, err := readPyVersion(filepath.Join(dir, patchlevelFile))
	if err != nil {
		return nil, err
	}
	t := &Tables{Version: releaseLine(pyVersion)}
	used := []string{patchlevelFile, specializeFile}
	if t.Defines, err = ParseDefinesFile(filepath.Join(dir, specializeFile), "SPEC_FAIL"); err != nil {
		return nil, err
	}
	t.StatsDefines = pystats.Defines{Order: []int{}, Names: map[int][]string{}}
	for _, h := range []string{statsHeader313, statsHeader312} {
		path := filepath.Join(dir, h)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		if t.StatsDefines, err = ParseDefinesFile(path, "EVAL_CALL"); err != nil {
			return nil, err
		}
		used = append(used, h)
		break
	}
	metaPath := filepath.Join(dir, opcodeMetaFile)
	named := false
	if data, err := mapfile.ReadFile(metaPath, maxSourceFile); err == nil && bytes.Contains(data, []byte("_specialized_opmap = {")) {
		named = true
		opmap, err := parseSpecializedOpmap(metaPath, data)
		if err != nil {
			return nil, err
		}
		t.SpecializedInstructions = withoutSuper(opmap)
		used = append(used, opcodeMetaFile)
	}
	if !named {
		opPath := filepath.Join(dir, opcodePyFile)
		data, err := mapfile.ReadFile(opPath, maxSourceFile)
		if err != nil {
			return nil, fmt.Errorf("reading opcode tables (neither %s with _specialized_opmap nor %s): %w", opcodeMetaFile, opcodePyFile, err)
		}
		opname, specialized, err := parseOpcodePy(opPath, data)
		if err != nil {
			return nil, err
		}
		t.Opnames = fillOpnames(opname, specialized)
		t.SpecializedInstructions = withoutSuper(specialized)
		used = append(used, opcodePyFile)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	t.Source = fmt.Sprintf("CPython %s source at %s (%s)", pyVersion, abs, strings.Join(used, ", "))
	t.index()
	return t, nil
}

// releaseLine turns "3.12.5" or "3.13.0a1+" into "3.12" / "3.13".
func releaseLine(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	minor := parts[1]
	for i, c := range minor {
		if c < '0' || c > '9' {
			minor = minor[:i]
			break
		}
	}
	return parts[0] + "." + minor
}

var pyVersionRE = lazyRegexp(`^#\s*define\s+PY_VERSION\s+"([^"]+)"`)

// maxSourceFile bounds a CPython source file read for build tables (the
// largest, Python/specialize.c, is about 100 KB).
const maxSourceFile = 16 << 20

func readPyVersion(path string) (string, error) {
	data, err := mapfile.ReadFile(path, maxSourceFile)
	if err != nil {
		return "", fmt.Errorf("reading the CPython version: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if m := pyVersionRE().FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			return m[1], nil
		}
	}
	return "", &pystats.ParseError{File: path, Msg: "no #define PY_VERSION line"}
}

// ParseDefinesFile reads the "#define <prefix>_<NAME> <int>" lines of a C
// source file the way the summarizer does; see ParseDefines.
func ParseDefinesFile(path, prefix string) (pystats.Defines, error) {
	data, err := mapfile.ReadFile(path, maxSourceFile)
	if err != nil {
		return pystats.Defines{}, fmt.Errorf("reading %s defines: %w", prefix, err)
	}
	return ParseDefines(path, data, prefix)
}

// ParseDefines applies the summarizer's rule to C source: each line that,
// stripped of surrounding white space, starts with "#define "+prefix+"_" must
// split into exactly two white-space separated fields, a name (kept without
// the prefix) and an integer; names are grouped by value, values in order of
// first appearance and names in source order. name is used in messages only.
func ParseDefines(name string, src []byte, prefix string) (pystats.Defines, error) {
	d := pystats.Defines{Order: []int{}, Names: map[int][]string{}}
	start := "#define " + prefix + "_"
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, start) {
			continue
		}
		fields := strings.Fields(line[len(start):])
		if len(fields) != 2 {
			return d, &pystats.ParseError{File: name, Line: lineNo, Msg: fmt.Sprintf("%q: want \"#define %s_NAME VALUE\" (the summarizer cannot read this line)", line, prefix)}
		}
		v, err := strconv.Atoi(fields[1])
		if err != nil {
			return d, &pystats.ParseError{File: name, Line: lineNo, Msg: fmt.Sprintf("%q: value %q is not an integer", line, fields[1])}
		}
		d.Add(v, fields[0])
	}
	if err := sc.Err(); err != nil {
		return d, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

var (
	defOpRE    = lazyRegexp(`^(?:def_op|name_op|jrel_op|jabs_op|pseudo_op)\(\s*['"](\w+)['"]\s*,\s*(\d+)`)
	pyStringRE = lazyRegexp(`"(\w+)"|'(\w+)'`)
)

// parseOpcodePy reads a 3.11/3.12 Lib/opcode.py: opcode.opname for slots
// 0-255 (unassigned slots are "<n>") and opcode._specialized_instructions.
func parseOpcodePy(path string, data []byte) (opname []string, specialized []string, err error) {
	opname = make([]string, 256)
	for i := range opname {
		opname[i] = "<" + strconv.Itoa(i) + ">"
	}
	lines := strings.Split(string(data), "\n")
	found := false
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if m := defOpRE().FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[2])
			if n < len(opname) {
				opname[n] = m[1]
			}
			found = true
			continue
		}
		var block string
		switch {
		case strings.HasPrefix(line, "_specializations = {"):
			block = "}"
		case strings.HasPrefix(line, "_specialized_instructions = [") && !strings.Contains(line, "]"):
			block = "]"
		default:
			continue
		}
		startLine := i + 1
		var list []string
		comprehension := false
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != block; i++ {
			l := lines[i]
			if c := strings.IndexByte(l, '#'); c >= 0 {
				l = l[:c]
			}
			if strings.Contains(l, " for ") {
				// _specialized_instructions = [op for family in _specializations.values() ...]
				comprehension = true
			}
			if block == "}" {
				// "FAMILY": [ -- the key is not an instruction of the list.
				if c := strings.Index(l, ":"); c >= 0 {
					l = l[c+1:]
				}
			}
			for _, m := range pyStringRE().FindAllStringSubmatch(l, -1) {
				list = append(list, m[1]+m[2])
			}
		}
		if i == len(lines) {
			return nil, nil, &pystats.ParseError{File: path, Line: startLine, Msg: "unterminated list of specialized instructions"}
		}
		if comprehension {
			continue
		}
		if specialized != nil {
			return nil, nil, &pystats.ParseError{File: path, Line: startLine, Msg: "a second list of specialized instructions"}
		}
		specialized = append([]string{}, list...)
	}
	if !found {
		return nil, nil, &pystats.ParseError{File: path, Msg: "no def_op(...) lines: not a 3.11/3.12 Lib/opcode.py"}
	}
	if specialized == nil {
		return nil, nil, &pystats.ParseError{File: path, Msg: "no _specializations or _specialized_instructions"}
	}
	return opname, specialized, nil
}

var opmapEntryRE = lazyRegexp(`^\s*['"](\w+)['"]\s*:\s*(\d+)\s*,?\s*$`)

// parseSpecializedOpmap returns the keys of _specialized_opmap in a 3.13+
// Lib/_opcode_metadata.py, in source order.
func parseSpecializedOpmap(path string, data []byte) ([]string, error) {
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		if !strings.HasPrefix(line, "_specialized_opmap = {") {
			continue
		}
		names := []string{}
		for j := i + 1; j < len(lines); j++ {
			l := strings.TrimSpace(lines[j])
			if l == "}" {
				return names, nil
			}
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			m := opmapEntryRE().FindStringSubmatch(l)
			if m == nil {
				return nil, &pystats.ParseError{File: path, Line: j + 1, Msg: fmt.Sprintf("unexpected line in _specialized_opmap: %q", l)}
			}
			names = append(names, m[1])
		}
		return nil, &pystats.ParseError{File: path, Line: len(lines), Msg: "unterminated _specialized_opmap"}
	}
	return nil, &pystats.ParseError{File: path, Msg: "no _specialized_opmap"}
}

// fillOpnames builds the E1/E2 summarizer's name list: slot 0 is "<0>", and
// every other "<n>" hole takes the next specialized instruction in order.
func fillOpnames(opname, specialized []string) map[int]string {
	out := make(map[int]string, len(opname))
	out[0] = "<0>"
	next := 0
	for i := 1; i < len(opname); i++ {
		name := opname[i]
		if strings.HasPrefix(name, "<") && next < len(specialized) {
			name = specialized[next]
			next++
		}
		out[i] = name
	}
	return out
}

func withoutSuper(names []string) []string {
	out := []string{}
	for _, s := range names {
		if !strings.Contains(s, "__") {
			out = append(out, s)
		}
	}
	return out
}

var hashDefineRE = lazyRegexp(`^#define\s+(\w+)\s+(\d+)\s*$`)

// HeaderOpcodes reads the opcode numbers #defined in a checkout's
// Include/opcode_ids.h (3.13+) or Include/opcode.h (3.11, 3.12). It is used to
// cross-check Opnames against the numbering the interpreter was compiled with.
func HeaderOpcodes(dir string) (map[string]int, string, error) {
	for _, h := range []string{opcodeIDsHeader, opcodeHeader} {
		data, err := mapfile.ReadFile(filepath.Join(dir, h), maxSourceFile)
		if err != nil {
			continue
		}
		m := map[string]int{}
		for _, line := range strings.Split(string(data), "\n") {
			if mm := hashDefineRE().FindStringSubmatch(strings.TrimSpace(line)); mm != nil {
				n, _ := strconv.Atoi(mm[2])
				m[mm[1]] = n
			}
		}
		return m, h, nil
	}
	return nil, "", fmt.Errorf("%s: neither %s nor %s found", dir, opcodeIDsHeader, opcodeHeader)
}

// lazyRegexp compiles expr on first use, not at start-up: every command of
// the binary pays for package initialization, and only --cpython-src reads
// sources.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
