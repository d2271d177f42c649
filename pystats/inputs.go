package pystats

import (
	"os"
	"path/filepath"
)

// maxInputPaths bounds the listing of InputPaths.
const maxInputPaths = 100000

// InputPaths lists what reading path may read, for a command to check that
// no output is written over an input before anything is read: path itself
// (a file, or a folder standing for everything inside it) and every entry
// of a folder (a symbolic link may lead out of the folder, a hard link may
// have a name outside it). Folders are looked into three levels deep (a run
// folder's <benchmark>/raw/ dumps), at most 100,000 entries in all.
// Standard input ("-") has no paths. Nothing is opened but folders.
func InputPaths(path string) []string { return inputPaths(path, true) }

// InputPathsForFolder is InputPaths for a command whose output is a folder
// replaced as a whole (export): the plain files of an input folder are left
// out, as the check of such an output (atomicfile.Guard.CheckDir) learns
// nothing from them that the folder's own entry does not give; the entries
// that may lead elsewhere (symbolic links) and the folders are kept. The
// check then looks at a handful of paths instead of every dump.
func InputPathsForFolder(path string) []string { return inputPaths(path, false) }

// inputPaths is InputPaths, with or without the plain files of folders.
func inputPaths(path string, plainFiles bool) []string {
	if path == "" || path == "-" {
		return nil
	}
	out := []string{path}
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		if depth > 3 || len(out) >= maxInputPaths {
			return
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, ent := range entries {
			if len(out) >= maxInputPaths {
				return
			}
			p := filepath.Join(dir, ent.Name())
			link := ent.Type()&os.ModeSymlink != 0
			if !plainFiles && !link && !ent.IsDir() {
				continue
			}
			out = append(out, p)
			if ent.IsDir() || link {
				if fi, err := os.Stat(p); err == nil && fi.IsDir() {
					walk(p, depth+1)
				}
			}
		}
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		walk(path, 1)
	}
	return out
}
