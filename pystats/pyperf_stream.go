package pystats

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	json "github.com/goccy/go-json"
)

// errOffStreamPath says that a pyperf file holds something the streaming
// decoder leaves to the general one: a null, a duplicate or case-folded
// member name, a type the schema does not expect, or invalid JSON.
var errOffStreamPath = errors.New("pyperf JSON outside the streaming decoder's subset")

// decodePyperfStream decodes pyperf JSON in one pass with jsontext, the
// encoding/json/v2 tokenizer: it validates as it reads, allocates little and
// copies nothing it does not keep, which makes it 3-4x faster than
// validating with encoding/json and then decoding.
//
// It covers the shape pyperf writes. On anything else it returns
// errOffStreamPath and the caller decodes with encoding/json, whose result
// and errors stand; where this decoder succeeds, the result equals
// encoding/json's (FuzzPyperfStream checks it).
func decodePyperfStream(data []byte, f *pjFile) error {
	// A bytes.Buffer is parsed in place, without a copy.
	d := jsontext.NewDecoder(bytes.NewBuffer(data),
		// encoding/json's leniency: later duplicates are caught below,
		// invalid UTF-8 is replaced, not refused.
		jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	s := pyperfStream{d: d}
	if err := s.file(f); err != nil {
		return errOffStreamPath
	}
	if _, err := d.ReadToken(); err != io.EOF {
		return errOffStreamPath // trailing data
	}
	return nil
}

type pyperfStream struct {
	d *jsontext.Decoder
	// Scratch space reused for every run and benchmark; each keeps an
	// exact-size copy, so nothing is grown run by run.
	runs    []pjRun
	values  []float64
	warmups [][2]float64
}

// object reads a JSON object, calling member for each name with the decoder
// at the member's value. Names matching one of fields only after case
// folding, and repeated field names, are refused: encoding/json would match
// or merge them.
func (s *pyperfStream) object(fields []string, member func(field int) error) error {
	if s.d.PeekKind() != '{' {
		return errOffStreamPath
	}
	if _, err := s.d.ReadToken(); err != nil {
		return err
	}
	var seen uint32
	for s.d.PeekKind() != '}' {
		tok, err := s.d.ReadToken()
		if err != nil {
			return err
		}
		name := tok.String()
		field := -1
		for i, fname := range fields {
			if name == fname {
				field = i
				break
			}
			if strings.EqualFold(name, fname) {
				return errOffStreamPath
			}
		}
		if field < 0 {
			if err := s.d.SkipValue(); err != nil {
				return err
			}
			continue
		}
		if seen&(1<<field) != 0 {
			return errOffStreamPath
		}
		seen |= 1 << field
		if err := member(field); err != nil {
			return err
		}
	}
	_, err := s.d.ReadToken()
	return err
}

// array reads a JSON array, calling elem with the decoder at each element.
func (s *pyperfStream) array(elem func() error) error {
	if s.d.PeekKind() != '[' {
		return errOffStreamPath
	}
	if _, err := s.d.ReadToken(); err != nil {
		return err
	}
	for s.d.PeekKind() != ']' {
		if err := elem(); err != nil {
			return err
		}
	}
	_, err := s.d.ReadToken()
	return err
}

// raw reads any non-null value verbatim.
func (s *pyperfStream) raw() (json.RawMessage, error) {
	if s.d.PeekKind() == 'n' {
		return nil, errOffStreamPath
	}
	v, err := s.d.ReadValue()
	if err != nil {
		return nil, err
	}
	return append(json.RawMessage(nil), v...), nil
}

// number reads a JSON number as a float64, as strconv.ParseFloat does.
func (s *pyperfStream) number() (float64, error) {
	if s.d.PeekKind() != '0' {
		return 0, errOffStreamPath
	}
	tok, err := s.d.ReadToken()
	if err != nil {
		return 0, err
	}
	return tok.Float() // out of range is an error, as for encoding/json
}

// numbers reads an array of numbers.
func (s *pyperfStream) numbers() ([]float64, error) {
	s.values = s.values[:0]
	err := s.array(func() error {
		v, err := s.number()
		s.values = append(s.values, v)
		return err
	})
	return append(make([]float64, 0, len(s.values)), s.values...), err
}

// numberText reads a JSON number as its literal (a json.Number).
func (s *pyperfStream) numberText() (*json.Number, error) {
	if s.d.PeekKind() != '0' {
		return nil, errOffStreamPath
	}
	tok, err := s.d.ReadToken()
	if err != nil {
		return nil, err
	}
	n := json.Number(tok.String())
	return &n, nil
}

func (s *pyperfStream) file(f *pjFile) error {
	return s.object([]string{"version", "metadata", "benchmarks"}, func(field int) (err error) {
		switch field {
		case 0:
			f.Version, err = s.raw()
		case 1:
			f.Metadata, err = s.raw()
		case 2:
			f.Benchmarks = []pjBench{}
			err = s.array(func() error {
				var b pjBench
				err := s.bench(&b)
				f.Benchmarks = append(f.Benchmarks, b)
				return err
			})
		}
		return err
	})
}

func (s *pyperfStream) bench(b *pjBench) error {
	return s.object([]string{"metadata", "common_metadata", "runs"}, func(field int) (err error) {
		switch field {
		case 0:
			b.Metadata, err = s.raw()
		case 1:
			b.CommonMetadata, err = s.raw()
		case 2:
			s.runs = s.runs[:0]
			err = s.array(func() error {
				var r pjRun
				err := s.run(&r)
				s.runs = append(s.runs, r)
				return err
			})
			b.Runs = append(make([]pjRun, 0, len(s.runs)), s.runs...)
		}
		return err
	})
}

func (s *pyperfStream) run(r *pjRun) error {
	return s.object([]string{"metadata", "values", "samples", "warmups"}, func(field int) (err error) {
		switch field {
		case 0:
			err = s.runMeta(&r.Metadata)
		case 1:
			r.Values, err = s.numbers()
		case 2:
			r.Samples, err = s.numbers()
		case 3:
			s.warmups = s.warmups[:0]
			err = s.array(func() error {
				var w [2]float64
				n := 0
				err := s.array(func() error {
					if n == 2 {
						return errOffStreamPath // encoding/json drops extra elements
					}
					var err error
					w[n], err = s.number()
					n++
					return err
				})
				if err == nil && n != 2 {
					return errOffStreamPath // encoding/json zero-fills missing ones
				}
				s.warmups = append(s.warmups, w)
				return err
			})
			r.Warmups = append(make([][2]float64, 0, len(s.warmups)), s.warmups...)
		}
		return err
	})
}

func (s *pyperfStream) runMeta(m *pjRunMeta) error {
	return s.object([]string{"date", "mem_max_rss", "command_max_rss", "inner_loops"}, func(field int) (err error) {
		switch field {
		case 0:
			if s.d.PeekKind() != '"' {
				return errOffStreamPath
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
}
