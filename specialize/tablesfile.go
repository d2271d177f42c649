package specialize

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/pystats-dev/pystats/pystats"
)

// Members of a build-tables file (see tables/README.md).
const (
	memberVersion                 = "version"
	memberSource                  = "source"
	memberOpnames                 = "opnames"
	memberSpecializedInstructions = "_specialized_instructions"
	memberStatsDefines            = "_stats_defines"
	memberDefines                 = "_defines"
)

// ParseTables decodes a build-tables file. Member order inside "_defines" and
// "_stats_defines" is kept (it is the order the summarizer writes them in);
// unknown members are an error, so typos do not pass silently. name is used
// in messages only.
func ParseTables(name string, data []byte) (*Tables, error) {
	p := &tablesParser{name: name, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	t, err := p.parse()
	if err != nil {
		return nil, err
	}
	t.index()
	return t, nil
}

type tablesParser struct {
	name string
	data []byte
	dec  *json.Decoder
}

func (p *tablesParser) errorf(format string, args ...any) error {
	off := int(p.dec.InputOffset())
	if off > len(p.data) {
		off = len(p.data)
	}
	return &pystats.ParseError{File: p.name, Line: bytes.Count(p.data[:off], []byte{'\n'}) + 1, Msg: fmt.Sprintf(format, args...)}
}

func (p *tablesParser) token() (json.Token, error) {
	t, err := p.dec.Token()
	if err == nil {
		return t, nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := min(int(se.Offset), len(p.data))
		return nil, &pystats.ParseError{File: p.name, Line: bytes.Count(p.data[:off], []byte{'\n'}) + 1, Msg: "invalid JSON: " + se.Error()}
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return nil, p.errorf("invalid JSON: %v", err)
}

func (p *tablesParser) delim(want json.Delim, what string) error {
	t, err := p.token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return p.errorf("%s: expected %q, found %v", what, string(want), t)
	}
	return nil
}

func (p *tablesParser) str(what string) (string, error) {
	t, err := p.token()
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		return "", p.errorf("%s: expected a string, found %v", what, t)
	}
	return s, nil
}

func (p *tablesParser) parse() (*Tables, error) {
	if err := p.delim('{', "build tables"); err != nil {
		return nil, err
	}
	t := &Tables{}
	seen := map[string]bool{}
	for p.dec.More() {
		key, err := p.str("member name")
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, p.errorf("member %q occurs twice", key)
		}
		seen[key] = true
		switch key {
		case memberVersion:
			t.Version, err = p.str(key)
		case memberSource:
			t.Source, err = p.str(key)
		case memberOpnames:
			t.Opnames, err = p.opnames()
		case memberSpecializedInstructions:
			t.SpecializedInstructions, err = p.strList(key)
		case memberStatsDefines:
			t.StatsDefines, err = p.defines(key)
		case memberDefines:
			t.Defines, err = p.defines(key)
		default:
			return nil, p.errorf("unknown member %q", key)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := p.delim('}', "build tables"); err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, p.errorf("data after the JSON object")
	}
	for _, k := range []string{memberVersion, memberSpecializedInstructions, memberStatsDefines, memberDefines} {
		if !seen[k] {
			return nil, &pystats.ParseError{File: p.name, Line: 1, Msg: fmt.Sprintf("member %q is missing", k)}
		}
	}
	if t.SpecializedInstructions == nil {
		t.SpecializedInstructions = []string{}
	}
	return t, nil
}

func (p *tablesParser) opnames() (map[int]string, error) {
	if err := p.delim('{', memberOpnames); err != nil {
		return nil, err
	}
	m := map[int]string{}
	for p.dec.More() {
		k, err := p.str(memberOpnames)
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(k)
		if err != nil || n < 0 || n > 255 || strconv.Itoa(n) != k {
			return nil, p.errorf("%s: key %q is not an opcode number 0-255", memberOpnames, k)
		}
		if _, dup := m[n]; dup {
			return nil, p.errorf("%s: opcode %d named twice", memberOpnames, n)
		}
		if m[n], err = p.str(memberOpnames); err != nil {
			return nil, err
		}
	}
	return m, p.delim('}', memberOpnames)
}

func (p *tablesParser) strList(what string) ([]string, error) {
	if err := p.delim('[', what); err != nil {
		return nil, err
	}
	out := []string{}
	for p.dec.More() {
		s, err := p.str(what)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, p.delim(']', what)
}

func (p *tablesParser) defines(what string) (pystats.Defines, error) {
	d := pystats.Defines{Order: []int{}, Names: map[int][]string{}}
	if err := p.delim('{', what); err != nil {
		return d, err
	}
	for p.dec.More() {
		k, err := p.str(what)
		if err != nil {
			return d, err
		}
		n, err := strconv.Atoi(k)
		if err != nil {
			return d, p.errorf("%s: kind %q is not an integer", what, k)
		}
		if _, dup := d.Names[n]; dup {
			return d, p.errorf("%s: kind %d occurs twice", what, n)
		}
		names, err := p.strList(what)
		if err != nil {
			return d, err
		}
		d.Order = append(d.Order, n)
		d.Names[n] = names
	}
	return d, p.delim('}', what)
}

// WriteTables writes t in the build-tables format: members in a fixed order,
// opnames by number, defines in their recorded order, two-space indentation
// and a final newline. The same tables always give the same bytes.
func WriteTables(w io.Writer, t *Tables) error {
	bw := bufio.NewWriter(w)
	q := jsonString
	fmt.Fprintf(bw, "{\n  %q: %s,\n  %q: %s,\n", memberVersion, q(t.Version), memberSource, q(t.Source))
	if len(t.Opnames) > 0 {
		nums := make([]int, 0, len(t.Opnames))
		for n := range t.Opnames {
			nums = append(nums, n)
		}
		sort.Ints(nums)
		fmt.Fprintf(bw, "  %q: {\n", memberOpnames)
		for i, n := range nums {
			fmt.Fprintf(bw, "    %s: %s%s\n", q(strconv.Itoa(n)), q(t.Opnames[n]), comma(i, len(nums)))
		}
		bw.WriteString("  },\n")
	}
	fmt.Fprintf(bw, "  %q: [", memberSpecializedInstructions)
	for i, s := range t.SpecializedInstructions {
		if i == 0 {
			bw.WriteString("\n")
		}
		fmt.Fprintf(bw, "    %s%s\n", q(s), comma(i, len(t.SpecializedInstructions)))
	}
	if len(t.SpecializedInstructions) > 0 {
		bw.WriteString("  ")
	}
	bw.WriteString("],\n")
	writeDefines(bw, memberStatsDefines, &t.StatsDefines, q, ",")
	writeDefines(bw, memberDefines, &t.Defines, q, "")
	bw.WriteString("}\n")
	return bw.Flush()
}

func writeDefines(bw *bufio.Writer, member string, d *pystats.Defines, q func(string) string, after string) {
	fmt.Fprintf(bw, "  %q: {", member)
	for i, n := range d.Order {
		if i == 0 {
			bw.WriteString("\n")
		}
		fmt.Fprintf(bw, "    %s: [", q(strconv.Itoa(n)))
		for j, name := range d.Names[n] {
			if j > 0 {
				bw.WriteString(", ")
			}
			bw.WriteString(q(name))
		}
		fmt.Fprintf(bw, "]%s\n", comma(i, len(d.Order)))
	}
	if len(d.Order) > 0 {
		bw.WriteString("  ")
	}
	fmt.Fprintf(bw, "}%s\n", after)
}

func comma(i, n int) string {
	if i < n-1 {
		return ","
	}
	return ""
}

// jsonString quotes s as JSON without HTML escaping (so "<0>" stays readable).
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // cannot fail for a string
	return string(bytes.TrimSuffix(b.Bytes(), []byte{'\n'}))
}
