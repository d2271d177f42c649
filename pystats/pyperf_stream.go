package pystats

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// pyperfError is a problem at one place of a pyperf JSON file: a syntax
// error or a value of the wrong type for pyperf's schema.
type pyperfError struct {
	off    int64 // byte offset of the problem
	msg    string
	syntax bool // the JSON is invalid
}

func (e *pyperfError) Error() string { return e.msg }

// decodePyperf decodes pyperf JSON in one pass with jsontext, the
// encoding/json/v2 tokenizer: it validates as it reads, allocates little and
// copies nothing it does not keep.
//
// What it accepts, encoding/json decodes into the same pjFile, and what
// encoding/json refuses, it refuses (FuzzPyperfDecode checks both). A null
// stands for an absent member, as with encoding/json. It refuses a few things
// encoding/json would take and pyperf never writes, because encoding/json's
// reading of them is a guess: a null or a missing element where a number is
// expected (encoding/json makes it 0), a warmup that is not a pair, a member
// name repeated or differing from pyperf's only in case, a number in a string.
// Errors are *pyperfError, at the offset of the problem.
func decodePyperf(data []byte, f *pjFile) error {
	s := pyperfStream{d: newJSONDecoder(data), data: data}
	if err := s.file(f); err != nil {
		return s.fail(err)
	}
	off := s.next()
	if _, err := s.d.ReadToken(); err != io.EOF {
		if err != nil {
			return s.fail(err)
		}
		return &pyperfError{off: off, msg: "data after the JSON object"}
	}
	return nil
}

type pyperfStream struct {
	d    *jsontext.Decoder
	data []byte
	// Scratch space reused for every run and benchmark; each keeps an
	// exact-size copy, so nothing is grown run by run.
	runs    []pjRun
	values  []float64
	warmups [][2]float64
}

// next gives the offset of the next token: after the last one read, past
// white space.
func (s *pyperfStream) next() int64 {
	off := s.d.InputOffset()
	for off < int64(len(s.data)) {
		switch s.data[off] {
		case ' ', '\t', '\n', '\r':
			off++
			continue
		}
		break
	}
	return off
}

// fail gives err as a *pyperfError.
func (s *pyperfStream) fail(err error) error {
	var pe *pyperfError
	if errors.As(err, &pe) {
		return pe
	}
	reason, off, ok := jsonSyntax(err, s.d.InputOffset())
	if !ok {
		reason = err.Error()
	}
	return &pyperfError{off: off, msg: reason, syntax: true}
}

// where names a place of the file by its JSON pointer.
func where(p jsontext.Pointer) string {
	if p == "" {
		return "the top-level value"
	}
	return fmt.Sprintf("%q", clipString(string(p)))
}

// kindName names a JSON kind in a message.
func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "no value"
}

// mismatch skips the next value (a syntax error in it comes first) and
// refuses it: want says what pyperf writes there.
func (s *pyperfStream) mismatch(want string) error {
	off, k := s.next(), s.d.PeekKind()
	if err := s.d.SkipValue(); err != nil {
		return err
	}
	return &pyperfError{off: off, msg: fmt.Sprintf("%s is %s; pyperf writes %s there", where(s.d.StackPointer()), kindName(k), want)}
}

// object reads a JSON object, calling member for each name of fields with
// the decoder at the member's value; other members are skipped. A null is
// an absent object (null reports it). A repeated field name, or a name that
// matches a field only after case folding, is refused: encoding/json would
// merge or match them.
func (s *pyperfStream) object(fields []string, member func(field int) error) (null bool, err error) {
	switch s.d.PeekKind() {
	case 'n':
		_, err := s.d.ReadToken()
		return true, err
	case '{':
	default:
		return false, s.mismatch("an object")
	}
	if _, err := s.d.ReadToken(); err != nil {
		return false, err
	}
	var seen uint32
	for s.d.PeekKind() != '}' {
		off := s.next()
		tok, err := s.d.ReadToken()
		if err != nil {
			return false, err
		}
		name := tok.String()
		field := -1
		for i, fname := range fields {
			if name == fname {
				field = i
				break
			}
			if strings.EqualFold(name, fname) {
				return false, &pyperfError{off: off, msg: fmt.Sprintf("member %q of %s: pyperf's name is %q", clip([]byte(name)), where(s.d.StackPointer().Parent()), fname)}
			}
		}
		if field < 0 {
			if err := s.d.SkipValue(); err != nil {
				return false, err
			}
			continue
		}
		if seen&(1<<field) != 0 {
			return false, &pyperfError{off: off, msg: fmt.Sprintf("member %q of %s occurs twice", clip([]byte(name)), where(s.d.StackPointer().Parent()))}
		}
		seen |= 1 << field
		if err := member(field); err != nil {
			return false, err
		}
	}
	_, err = s.d.ReadToken()
	return false, err
}

// array reads a JSON array, calling elem with the decoder at each element.
// A null is an absent array (null reports it).
func (s *pyperfStream) array(elem func() error) (null bool, err error) {
	switch s.d.PeekKind() {
	case 'n':
		_, err := s.d.ReadToken()
		return true, err
	case '[':
	default:
		return false, s.mismatch("an array")
	}
	if _, err := s.d.ReadToken(); err != nil {
		return false, err
	}
	for s.d.PeekKind() != ']' {
		if err := elem(); err != nil {
			return false, err
		}
	}
	_, err = s.d.ReadToken()
	return false, err
}

// raw reads any value verbatim (a null as "null", as encoding/json does).
func (s *pyperfStream) raw() (json.RawMessage, error) {
	v, err := s.d.ReadValue()
	if err != nil {
		return nil, err
	}
	return append(json.RawMessage(nil), v...), nil
}

// number reads a JSON number as a float64, as strconv.ParseFloat does.
func (s *pyperfStream) number() (float64, error) {
	if s.d.PeekKind() != '0' {
		return 0, s.mismatch("a number")
	}
	off := s.next()
	tok, err := s.d.ReadToken()
	if err != nil {
		return 0, err
	}
	v, err := tok.Float()
	if err != nil {
		return 0, &pyperfError{off: off, msg: fmt.Sprintf("%s: number %s out of range", where(s.d.StackPointer()), clipString(tok.String()))}
	}
	return v, nil
}

// numbers reads an array of numbers; null gives nil.
func (s *pyperfStream) numbers() ([]float64, error) {
	s.values = s.values[:0]
	null, err := s.array(func() error {
		v, err := s.number()
		s.values = append(s.values, v)
		return err
	})
	if null || err != nil {
		return nil, err
	}
	return append(make([]float64, 0, len(s.values)), s.values...), nil
}

// numberText reads a JSON number as its literal (a json.Number); null
// gives nil.
func (s *pyperfStream) numberText() (*json.Number, error) {
	switch s.d.PeekKind() {
	case 'n':
		_, err := s.d.ReadToken()
		return nil, err
	case '0':
	default:
		return nil, s.mismatch("a number")
	}
	tok, err := s.d.ReadToken()
	if err != nil {
		return nil, err
	}
	n := json.Number(tok.String())
	return &n, nil
}

func (s *pyperfStream) file(f *pjFile) error {
	_, err := s.object([]string{"version", "metadata", "benchmarks"}, func(field int) (err error) {
		switch field {
		case 0:
			f.Version, err = s.raw()
		case 1:
			f.Metadata, err = s.raw()
		case 2:
			f.Benchmarks = []pjBench{}
			var null bool
			null, err = s.array(func() error {
				var b pjBench
				err := s.bench(&b)
				f.Benchmarks = append(f.Benchmarks, b)
				return err
			})
			if null {
				f.Benchmarks = nil
			}
		}
		return err
	})
	return err
}

func (s *pyperfStream) bench(b *pjBench) error {
	_, err := s.object([]string{"metadata", "common_metadata", "runs"}, func(field int) (err error) {
		switch field {
		case 0:
			b.Metadata, err = s.raw()
		case 1:
			b.CommonMetadata, err = s.raw()
		case 2:
			s.runs = s.runs[:0]
			var null bool
			null, err = s.array(func() error {
				var r pjRun
				err := s.run(&r)
				s.runs = append(s.runs, r)
				return err
			})
			if !null {
				b.Runs = append(make([]pjRun, 0, len(s.runs)), s.runs...)
			}
		}
		return err
	})
	return err
}

func (s *pyperfStream) run(r *pjRun) error {
	_, err := s.object([]string{"metadata", "values", "samples", "warmups"}, func(field int) (err error) {
		switch field {
		case 0:
			err = s.runMeta(&r.Metadata)
		case 1:
			r.Values, err = s.numbers()
		case 2:
			r.Samples, err = s.numbers()
		case 3:
			s.warmups = s.warmups[:0]
			var null bool
			null, err = s.array(func() error {
				var w [2]float64
				n := 0
				off := s.next()
				null, err := s.array(func() error {
					if n == 2 { // encoding/json would drop extra elements
						if err := s.d.SkipValue(); err != nil {
							return err
						}
						return &pyperfError{off: off, msg: fmt.Sprintf("%s: a warmup is a pair [loops, value]", where(s.d.StackPointer().Parent()))}
					}
					var err error
					w[n], err = s.number()
					n++
					return err
				})
				if err == nil && (null || n != 2) {
					// encoding/json zero-fills missing elements
					return &pyperfError{off: off, msg: fmt.Sprintf("%s: a warmup is a pair [loops, value]", where(s.d.StackPointer()))}
				}
				s.warmups = append(s.warmups, w)
				return err
			})
			if !null {
				r.Warmups = append(make([][2]float64, 0, len(s.warmups)), s.warmups...)
			}
		}
		return err
	})
	return err
}

func (s *pyperfStream) runMeta(m *pjRunMeta) error {
	_, err := s.object([]string{"date", "mem_max_rss", "command_max_rss", "inner_loops"}, func(field int) (err error) {
		switch field {
		case 0:
			switch s.d.PeekKind() {
			case 'n':
				_, err := s.d.ReadToken()
				return err
			case '"':
			default:
				return s.mismatch("a string")
			}
			tok, err := s.d.ReadToken()
			if err != nil {
				return err
			}
			date := tok.String()
			m.Date = &date
		case 1:
			m.MemMaxRSS, err = s.numberText()
		case 2:
			m.CommandMaxRSS, err = s.numberText()
		case 3:
			m.InnerLoops, err = s.numberText()
		}
		return err
	})
	return err
}
