package pystats

import (
	"os"
	"path/filepath"
	"strings"
)

// labelExtensions are the input suffixes a default label drops, longest
// first.
var labelExtensions = []string{".json.gz", ".json.zst", ".tar.gz", ".tar.zst", ".tgz", ".tzst", ".tar", ".json", ".txt"}

// DefaultLabel is the label of an input given without one: its base name
// without a .json, .json.gz, .json.zst, .tar, .tar.gz, .tgz, .tar.zst,
// .tzst or .txt extension; when that name is "raw" (the usual
// <workload>/raw folder, or raw.tar.gz beside it), the parent folder's name.
// It is the one label rule of every command that labels its inputs.
func DefaultLabel(path string) string {
	clean := filepath.Clean(path)
	base := trimLabelExt(filepath.Base(clean))
	if base == "raw" {
		if abs, err := filepath.Abs(clean); err == nil {
			if parent := filepath.Base(filepath.Dir(abs)); parent != "/" && parent != "." && parent != string(filepath.Separator) {
				return parent
			}
		}
	}
	return base
}

func trimLabelExt(base string) string {
	for _, ext := range labelExtensions {
		if strings.HasSuffix(base, ext) && len(base) > len(ext) {
			return strings.TrimSuffix(base, ext)
		}
	}
	return base
}

// SplitLabel reads an input argument that may name its label as benchstat
// does, LABEL=PATH. An argument that exists as a path is a path even when it
// holds '=' (a Hive folder such as run=a); otherwise it is split at its
// first '='. explicit is false when no label was given; label is then
// DefaultLabel(path).
func SplitLabel(arg string) (label, path string, explicit bool) {
	if i := strings.IndexByte(arg, '='); i > 0 && i < len(arg)-1 {
		if _, err := os.Stat(arg); err != nil {
			return arg[:i], arg[i+1:], true
		}
	}
	return DefaultLabel(arg), arg, false
}
