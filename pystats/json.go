package pystats

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/pystats-dev/pystats/internal/mapfile"
)

// Names of the metadata members of a summarize JSON.
const (
	keySpecializedInstructions = "_specialized_instructions"
	keyStatsDefines            = "_stats_defines"
	keyDefines                 = "_defines"
	keyBenchRunnerMetadata     = "metadata"
)

// ReadJSONFile reads a summarize JSON file: the summarizer's own single-line
// output (--json-output) or bench_runner's indent=2 copy with a trailing
// "metadata" object. Member order is kept.
func ReadJSONFile(path string, opt Options) (*Stats, error) {
	var st *Stats
	err := mapfile.Guard(path, func(data []byte) (err error) {
		if len(data) > MaxJSONSize {
			return &mapfile.TooLargeError{Path: path, Limit: MaxJSONSize, What: "JSON file"}
		}
		if opt.Progress != nil {
			opt.Progress(int64(len(data)))
		}
		st, err = ReadJSON(path, data, opt)
		return err
	})
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return nil, fmt.Errorf("reading summarize JSON: %w", err)
	}
	return st, err
}

// ReadJSON parses summarize JSON bytes; name is used in messages only.
//
// The input is read in one pass by jsontext, encoding/json/v2's tokenizer,
// which validates as it reads: repeated names are allowed (the parser reports
// a repeated counter itself, and bench_runner's metadata is kept verbatim)
// and invalid UTF-8 becomes U+FFFD, as with encoding/json. Whatever it
// accepts, encoding/json reads the same way, and what encoding/json refuses
// it refuses (FuzzReadJSON checks both). A syntax error names the line and
// the column.
//
// A UTF-8 byte order mark before the JSON is skipped. A JSON without any
// counter ("{}") is an error wrapping ErrNoCounters.
func ReadJSON(name string, data []byte, opt Options) (*Stats, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	keys, values, meta, err := parseJSONText(name, data)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s: %w (a JSON object without counters)", QuoteName(name), ErrNoCounters)
	}
	if err := checkOpcodeNaming(name, keys); err != nil {
		return nil, err
	}
	indented := len(data) > 1 && data[0] == '{' && data[1] == '\n'
	return &Stats{
		Counters: buildCounters(opt.allocator(), keys, values),
		Meta:     meta,
		Source:   Source{Path: name, Kind: KindSummaryJSON, Indented: indented, Files: 1, Lines: int64(bytes.Count(data, []byte{'\n'}) + 1), Bytes: int64(len(data))},
	}, nil
}

// newJSONDecoder reads JSON as encoding/json does: repeated names are
// allowed and invalid UTF-8 becomes U+FFFD. A bytes.Buffer is parsed in
// place, without a copy.
func newJSONDecoder(data []byte) *jsontext.Decoder {
	return jsontext.NewDecoder(bytes.NewBuffer(data), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
}

// parseJSONText parses summarize JSON with jsontext.
func parseJSONText(name string, data []byte) (keys []string, values []uint64, meta Metadata, err error) {
	p := &jsonParser{name: name, data: data, dec: textTokens{newJSONDecoder(data)}}
	return p.parse()
}

// jsonPosition gives the line and the column (in bytes, both from 1) of
// byte offset off of data.
func jsonPosition(data []byte, off int64) (line, col int) {
	o := int(min(max(off, 0), int64(len(data))))
	head := data[:o]
	return bytes.Count(head, []byte{'\n'}) + 1, o - (bytes.LastIndexByte(head, '\n') + 1) + 1
}

// jsonSyntax describes a jsontext error for a message: the reason, without
// the package prefix and the offset (the caller gives line and column), and
// the offset it happened at; ok is false for an error that is not one of
// the JSON text.
func jsonSyntax(err error, off int64) (reason string, at int64, ok bool) {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return "unexpected end of file", off, true
	}
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		return "", off, false
	}
	reason = "syntax error"
	if se.Err == io.ErrUnexpectedEOF || se.Err == io.EOF {
		reason = "unexpected end of file"
	} else if se.Err != nil {
		reason = se.Err.Error()
	}
	if se.JSONPointer != "" {
		reason += fmt.Sprintf(" (in %q)", clipString(string(se.JSONPointer)))
	}
	return reason, se.ByteOffset, true
}

type jsonParser struct {
	name string
	data []byte
	dec  tokenSource
}

// delim and number are the tokens' delimiters and numbers, so that the
// parser does not depend on one decoder's token type.
type (
	delim  rune
	number string
)

// tokenSource is what the parser needs of a JSON tokenizer. Token returns
// delim for delimiters and number for numbers. textTokens is the one
// reader; the fuzz test drives the same parser with encoding/json to check
// that both read every input alike.
type tokenSource interface {
	Token() (any, error)
	More() bool
	InputOffset() int64
	Raw() ([]byte, error)
}

// textTokens reads tokens with jsontext.
type textTokens struct{ d *jsontext.Decoder }

func (s textTokens) Token() (any, error) {
	t, err := s.d.ReadToken()
	if err != nil {
		return nil, err
	}
	switch k := t.Kind(); k {
	case '{', '}', '[', ']':
		return delim(k), nil
	case '"':
		return t.String(), nil
	case '0':
		return number(t.String()), nil
	case 't', 'f':
		return t.Bool(), nil
	}
	return nil, nil // null
}

// More reports whether the current object or array has another member; on
// an error it says yes, so that the caller's next Token reports it.
func (s textTokens) More() bool {
	k := s.d.PeekKind()
	return k != '}' && k != ']'
}
func (s textTokens) InputOffset() int64 { return s.d.InputOffset() }
func (s textTokens) Raw() ([]byte, error) {
	v, err := s.d.ReadValue()
	return append([]byte(nil), v...), err
}

func (p *jsonParser) errorf(format string, args ...any) error {
	line, _ := jsonPosition(p.data, p.dec.InputOffset())
	return &ParseError{File: p.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// wrap turns a tokenizer error into one naming the line and column.
func (p *jsonParser) wrap(err error) error {
	reason, off, ok := jsonSyntax(err, p.dec.InputOffset())
	if !ok {
		return p.errorf("invalid JSON: %v", err)
	}
	line, col := jsonPosition(p.data, off)
	return &ParseError{File: p.name, Line: line, Msg: fmt.Sprintf("invalid JSON at column %d: %s", col, reason)}
}

// memberName reads a member name. With jsontext it is not boxed in an interface.
func (p *jsonParser) memberName() (string, error) {
	if tt, ok := p.dec.(textTokens); ok {
		tok, err := tt.d.ReadToken()
		if err != nil {
			return "", err
		}
		return tok.String(), nil
	}
	t, err := p.dec.Token()
	if err != nil {
		return "", err
	}
	return t.(string), nil
}

// counter reads a counter's value: an unsigned 64-bit integer literal gives
// v, anything else its token t (nil with v). With jsontext an integer is
// read in place, without a copy: most of a summarize JSON is integers.
func (p *jsonParser) counter() (v uint64, t any, err error) {
	if tt, ok := p.dec.(textTokens); ok && tt.d.PeekKind() == '0' {
		raw, err := tt.d.ReadValue()
		if err != nil {
			return 0, nil, err
		}
		if v, ok := parseUint(raw); ok {
			return v, nil, nil
		}
		return 0, number(raw), nil
	}
	t, err = p.dec.Token()
	return 0, t, err
}

func (p *jsonParser) delim(want delim) error {
	t, err := p.dec.Token()
	if err != nil {
		return p.wrap(err)
	}
	if d, ok := t.(delim); !ok || d != want {
		return p.errorf("expected %q, found %v", string(rune(want)), tokenString(t))
	}
	return nil
}

func (p *jsonParser) parse() (keys []string, values []uint64, meta Metadata, err error) {
	t, err := p.dec.Token()
	if err != nil {
		return nil, nil, meta, p.wrap(err)
	}
	if d, ok := t.(delim); !ok || d != '{' {
		return nil, nil, meta, p.errorf("a summarize JSON is an object of counters; found %v", tokenString(t))
	}
	// Every member holds one ':', so their count bounds the number of keys:
	// sizing once avoids growing the table and the lists.
	members := min(bytes.Count(p.data, []byte{':'}), 1<<16)
	seen := make(map[string]bool, members)
	keys = make([]string, 0, members)
	values = make([]uint64, 0, members)
	for p.dec.More() {
		key, err := p.memberName()
		if err != nil {
			return nil, nil, meta, p.wrap(err)
		}
		if key == "" {
			return nil, nil, meta, p.errorf("empty counter key")
		}
		if seen[key] {
			return nil, nil, meta, p.errorf("key %q occurs twice", clip([]byte(key)))
		}
		seen[key] = true
		switch key {
		case keySpecializedInstructions:
			if meta.SpecializedInstructions, err = p.stringList(key); err != nil {
				return nil, nil, meta, err
			}
			meta.SpecializedInstructions = nonNil(meta.SpecializedInstructions)
			meta.HasBuildTables = true
		case keyStatsDefines:
			if meta.StatsDefines, err = p.defines(key); err != nil {
				return nil, nil, meta, err
			}
			meta.HasBuildTables = true
		case keyDefines:
			if meta.Defines, err = p.defines(key); err != nil {
				return nil, nil, meta, err
			}
			meta.HasBuildTables = true
		case keyBenchRunnerMetadata:
			if meta.BenchRunner, err = p.rawObject(key); err != nil {
				return nil, nil, meta, err
			}
		default:
			v, t, err := p.counter()
			if err != nil {
				return nil, nil, meta, p.wrap(err)
			}
			if t != nil {
				num, ok := t.(number)
				if !ok {
					return nil, nil, meta, p.errorf("counter %q is not an integer: %v", clip([]byte(key)), clipString(tokenString(t)))
				}
				if v, err = strconv.ParseUint(string(num), 10, 64); err != nil {
					return nil, nil, meta, p.errorf("counter %q is not an unsigned 64-bit integer: %s", clip([]byte(key)), ClipValue([]byte(num), int64(len(num)), allDigits([]byte(num))))
				}
			}
			if len(key) > MaxKeyLength {
				return nil, nil, meta, p.errorf("key of %d bytes (longest allowed %d): not pystats data", len(key), MaxKeyLength)
			}
			if msg := KeyProblem(key); msg != "" {
				return nil, nil, meta, p.errorf("%s", msg)
			}
			if len(keys) >= MaxKeys {
				return nil, nil, meta, p.errorf("more than %d counters: not pystats data (CPython's runs have under 10,000)", MaxKeys)
			}
			keys = append(keys, key)
			values = append(values, v)
		}
	}
	if err := p.delim('}'); err != nil {
		return nil, nil, meta, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, nil, meta, p.errorf("data after the JSON object")
	}
	return keys, values, meta, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (p *jsonParser) stringList(key string) ([]string, error) {
	if err := p.delim('['); err != nil {
		return nil, fmt.Errorf("%w (in %q)", err, key)
	}
	var out []string
	for p.dec.More() {
		t, err := p.dec.Token()
		if err != nil {
			return nil, p.wrap(err)
		}
		s, ok := t.(string)
		if !ok {
			return nil, p.errorf("%q holds a non-string %v", key, tokenString(t))
		}
		out = append(out, s)
	}
	return out, p.delim(']')
}

func (p *jsonParser) defines(key string) (Defines, error) {
	var d Defines
	if err := p.delim('{'); err != nil {
		return d, fmt.Errorf("%w (in %q)", err, key)
	}
	for p.dec.More() {
		t, err := p.dec.Token()
		if err != nil {
			return d, p.wrap(err)
		}
		n, err := strconv.Atoi(t.(string))
		if err != nil {
			return d, p.errorf("%q has a non-integer kind %q", key, t)
		}
		names, err := p.stringList(key)
		if err != nil {
			return d, err
		}
		if _, dup := d.Names[n]; dup {
			return d, p.errorf("%q defines kind %d twice", key, n)
		}
		if d.Names == nil {
			d.Names = map[int][]string{}
		}
		d.Order = append(d.Order, n)
		d.Names[n] = nonNil(names)
	}
	return d, p.delim('}')
}

func (p *jsonParser) rawObject(key string) ([]KeyValue, error) {
	if err := p.delim('{'); err != nil {
		return nil, fmt.Errorf("%w (in %q)", err, key)
	}
	out := []KeyValue{}
	for p.dec.More() {
		t, err := p.dec.Token()
		if err != nil {
			return nil, p.wrap(err)
		}
		raw, err := p.dec.Raw()
		if err != nil {
			return nil, p.wrap(err)
		}
		out = append(out, KeyValue{Key: t.(string), Value: append([]byte(nil), raw...)})
	}
	return out, p.delim('}')
}

// tokenString shows a token in a message.
func tokenString(t any) string {
	switch v := t.(type) {
	case delim:
		return string(rune(v))
	case number:
		return string(v)
	}
	return fmt.Sprint(t)
}

// unquoteJSONString gives the string a raw JSON value holds; ok is false
// when it holds no string.
func unquoteJSONString(raw []byte) (string, bool) {
	tok, err := newJSONDecoder(raw).ReadToken()
	if err != nil || tok.Kind() != '"' {
		return "", false
	}
	return tok.String(), true
}

// JSONStyle selects the layout of written summarize JSON.
type JSONStyle int

const (
	// JSONCompact is the summarizer's json.dump layout: one line, ", " and ": ".
	JSONCompact JSONStyle = iota
	// JSONIndented is bench_runner's json.dump(indent=2) layout.
	JSONIndented
)

// WriteJSON writes st as summarize JSON: counters in table order (with
// __nfiles__ where it stands), then _specialized_instructions, _stats_defines
// and _defines when the data has build tables, then bench_runner's metadata
// object when present. Like Python's json.dump it writes no final newline.
func WriteJSON(w io.Writer, st *Stats, style JSONStyle) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	jw := pyJSON{w: bw, indent: style == JSONIndented}
	keys, values := st.Keys(), st.Values()
	bw.WriteByte('{')
	n := 0
	member := func(key string) {
		if n > 0 {
			jw.sep()
		}
		n++
		jw.newline(1)
		jw.str(key)
		bw.WriteString(": ")
	}
	var num [20]byte
	for i := 0; i < keys.Len(); i++ {
		member(keys.Value(i))
		bw.Write(strconv.AppendUint(num[:0], values.Value(i), 10))
	}
	if st.Meta.HasBuildTables {
		member(keySpecializedInstructions)
		jw.strList(st.Meta.SpecializedInstructions, 1)
		member(keyStatsDefines)
		jw.defines(&st.Meta.StatsDefines, 1)
		member(keyDefines)
		jw.defines(&st.Meta.Defines, 1)
	}
	if st.Meta.BenchRunner != nil {
		member(keyBenchRunnerMetadata)
		if err := jw.rawObject(st.Meta.BenchRunner, 1); err != nil {
			return err
		}
	}
	if n > 0 {
		jw.newline(0)
	}
	bw.WriteByte('}')
	return bw.Flush()
}

// pyJSON writes JSON exactly as Python's json module does with its default
// separators (", " and ": "; "," at line ends when indenting) and ensure_ascii.
type pyJSON struct {
	w      *bufio.Writer
	indent bool
}

func (j pyJSON) newline(level int) {
	if !j.indent {
		return
	}
	j.w.WriteByte('\n')
	for i := 0; i < level; i++ {
		j.w.WriteString("  ")
	}
}

func (j pyJSON) sep() {
	if j.indent {
		j.w.WriteByte(',')
	} else {
		j.w.WriteString(", ")
	}
}

func (j pyJSON) strList(list []string, level int) {
	if len(list) == 0 {
		j.w.WriteString("[]")
		return
	}
	j.w.WriteByte('[')
	for i, s := range list {
		if i > 0 {
			j.sep()
		}
		j.newline(level + 1)
		j.str(s)
	}
	j.newline(level)
	j.w.WriteByte(']')
}

func (j pyJSON) defines(d *Defines, level int) {
	if len(d.Order) == 0 {
		j.w.WriteString("{}")
		return
	}
	j.w.WriteByte('{')
	for i, n := range d.Order {
		if i > 0 {
			j.sep()
		}
		j.newline(level + 1)
		j.str(strconv.Itoa(n))
		j.w.WriteString(": ")
		j.strList(d.Names[n], level+1)
	}
	j.newline(level)
	j.w.WriteByte('}')
}

func (j pyJSON) rawObject(kvs []KeyValue, level int) error {
	if len(kvs) == 0 {
		j.w.WriteString("{}")
		return nil
	}
	j.w.WriteByte('{')
	for i, kv := range kvs {
		if i > 0 {
			j.sep()
		}
		j.newline(level + 1)
		j.str(kv.Key)
		j.w.WriteString(": ")
		if err := j.rawValue(kv.Value, level+1); err != nil {
			return err
		}
	}
	j.newline(level)
	j.w.WriteByte('}')
	return nil
}

// rawValue re-encodes a raw JSON value in Python's layout, keeping member order.
func (j pyJSON) rawValue(raw []byte, level int) error {
	return j.value(newJSONDecoder(raw), level)
}

func (j pyJSON) value(dec *jsontext.Decoder, level int) error {
	t, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch k := t.Kind(); k {
	case '{', '[':
		closing := jsontext.Kind(']')
		if k == '{' {
			closing = '}'
		}
		j.w.WriteByte(byte(k))
		n := 0
		for ; dec.PeekKind() != closing; n++ {
			if n > 0 {
				j.sep()
			}
			j.newline(level + 1)
			if k == '{' {
				name, err := dec.ReadToken()
				if err != nil {
					return err
				}
				j.str(name.String())
				j.w.WriteString(": ")
			}
			if err := j.value(dec, level+1); err != nil {
				return err
			}
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		if n > 0 {
			j.newline(level)
		}
		j.w.WriteByte(byte(closing))
	case '"':
		j.str(t.String())
	case '0':
		j.w.WriteString(t.String())
	case 't', 'f':
		j.w.WriteString(strconv.FormatBool(t.Bool()))
	case 'n':
		j.w.WriteString("null")
	}
	return nil
}

const hexDigits = "0123456789abcdef"

// str writes s as a JSON string the way Python's ensure_ascii encoder does.
// The printable ASCII run at the start (all of a counter key) is written in
// one piece.
func (j pyJSON) str(s string) {
	w := j.w
	w.WriteByte('"')
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\' {
		i++
	}
	w.WriteString(s[:i])
	for _, r := range s[i:] {
		switch {
		case r == '"':
			w.WriteString(`\"`)
		case r == '\\':
			w.WriteString(`\\`)
		case r == '\n':
			w.WriteString(`\n`)
		case r == '\r':
			w.WriteString(`\r`)
		case r == '\t':
			w.WriteString(`\t`)
		case r == '\b':
			w.WriteString(`\b`)
		case r == '\f':
			w.WriteString(`\f`)
		case r < 0x20 || r > 0x7e: // DEL too, as Python's ESCAPE_ASCII
			if r > 0xffff {
				a, b := utf16.EncodeRune(r)
				writeU(w, a)
				writeU(w, b)
			} else {
				if r == utf8.RuneError {
					r = 0xfffd
				}
				writeU(w, r)
			}
		default:
			w.WriteByte(byte(r))
		}
	}
	w.WriteByte('"')
}

func writeU(w *bufio.Writer, r rune) {
	w.WriteString(`\u`)
	w.WriteByte(hexDigits[r>>12&0xf])
	w.WriteByte(hexDigits[r>>8&0xf])
	w.WriteByte(hexDigits[r>>4&0xf])
	w.WriteByte(hexDigits[r&0xf])
}
