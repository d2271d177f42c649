// Package spool keeps bytes written once and read back later, in memory up
// to a bound and in a temporary file beyond it, so that what a command holds
// does not grow with its input.
package spool

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// Spool is an append-only byte store: in memory up to Limit bytes, then in
// an unnamed temporary file in os.TempDir (in memory still where none can be
// made: the outputs do not depend on it). With the zero Limit every byte
// goes to the file: set Limit before the first Write.
type Spool struct {
	Limit  int
	noFile bool // making the temporary file failed
	mem    []byte
	f      *os.File
	name   string // the file's name while it could not be removed
	w      *bufio.Writer
	size   int64
}

// Write appends p.
func (s *Spool) Write(p []byte) (int, error) {
	if s.f == nil && !s.noFile && len(s.mem)+len(p) > s.Limit {
		s.noFile = s.toFile() != nil
	}
	if s.f == nil {
		s.mem = append(s.mem, p...)
		return len(p), nil
	}
	n, err := s.w.Write(p)
	s.size += int64(n)
	return n, err
}

// InFile reports whether the bytes are in a temporary file.
func (s *Spool) InFile() bool { return s.f != nil }

// FileRefused reports whether a temporary file was needed and could not be
// made (the bytes then stay in memory).
func (s *Spool) FileRefused() bool { return s.noFile }

// toFile moves the bytes held to a new temporary file, removed at once
// where the system allows an open file to be (else by Close); on error the
// bytes stay held and no file is left.
func (s *Spool) toFile() error {
	f, err := os.CreateTemp("", "pystats-spool-*")
	if err != nil {
		return err
	}
	name := ""
	if os.Remove(f.Name()) != nil {
		name = f.Name()
	}
	if _, err := f.Write(s.mem); err != nil {
		f.Close()
		if name != "" {
			os.Remove(name)
		}
		return err
	}
	s.f, s.name, s.w = f, name, bufio.NewWriterSize(f, 64<<10)
	s.size, s.mem = int64(len(s.mem)), nil
	return nil
}

// Reader returns a reader of every byte written so far.
func (s *Spool) Reader() (*bufio.Reader, error) {
	if s.f == nil {
		return bufio.NewReader(bytes.NewReader(s.mem)), nil
	}
	if err := s.w.Flush(); err != nil {
		return nil, err
	}
	return bufio.NewReaderSize(io.NewSectionReader(s.f, 0, s.size), 64<<10), nil
}

// Truncate drops every byte after the first n (a shorter store, as a
// damaged temporary file would be).
func (s *Spool) Truncate(n int64) error {
	if s.f == nil {
		s.mem = s.mem[:min(int64(len(s.mem)), n)]
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	s.size = min(s.size, n)
	return s.f.Truncate(s.size)
}

// Close drops the bytes and removes the file.
func (s *Spool) Close() error {
	s.mem = nil
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	if s.name != "" {
		if rerr := os.Remove(s.name); err == nil {
			err = rerr
		}
	}
	s.f, s.w, s.name = nil, nil, ""
	return err
}
