package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// FuzzCommit drives the output commit with a sequence of operations read
// from the input, two bytes each: a file write or a folder commit of a
// random set, failing or interrupted at a chosen step, with or without the
// atomic exchange. After every operation the output is the old one or the
// new one (the new one exactly when the operation succeeded), and no
// temporary file or folder is left.
func FuzzCommit(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0})
	f.Add([]byte{1, 0x13, 1, 0x22, 0, 0x31})
	f.Add([]byte{3, 0xff, 2, 0x40, 1, 0x05, 0, 0x81})
	f.Fuzz(func(t *testing.T, ops []byte) {
		defer func() { hook, noExchange, interrupted = nil, false, false }()
		parent := t.TempDir()
		dir := filepath.Join(parent, "out")
		file := filepath.Join(parent, "out.md")
		var fileState string
		fileExists := false
		dirState := map[string]string{}
		if len(ops) > 64 {
			ops = ops[:64]
		}
		for i := 0; i+1 < len(ops); i += 2 {
			op, arg := ops[i], ops[i+1]
			noExchange = op&4 != 0
			interrupted = false
			failStep := int(arg & 0x0f) // which hook call fails (0: none)
			interrupt := arg&0x10 != 0  // the failure is an interrupt
			calls := 0
			var wg sync.WaitGroup
			hook = func(s string) error {
				calls++
				if calls != failStep {
					return nil
				}
				if !interrupt {
					return errors.New("injected")
				}
				if s == "write" {
					RemovePending() // a signal between writes
					return nil
				}
				wg.Add(1) // a signal during the swap waits for the lock
				go func() { defer wg.Done(); RemovePending() }()
				return nil
			}
			if op&1 == 0 {
				content := fmt.Sprintf("v%d-%d", i, arg)
				err := Write(file, nil, func(w io.Writer) error {
					if arg&0x20 != 0 {
						io.WriteString(w, "half")
						return errors.New("fill failed")
					}
					_, err := io.WriteString(w, content)
					return err
				})
				hook = nil
				if err == nil {
					fileState, fileExists = content, true
				}
				b, rerr := os.ReadFile(file)
				if fileExists != (rerr == nil) || (fileExists && string(b) != fileState) {
					t.Fatalf("op %d: file %q (%v), want %q (err %v)", i, b, rerr, fileState, err)
				}
			} else {
				n := int(arg>>5) + 1
				var set []DirFile
				want := map[string]string{}
				for k := range n {
					p := fmt.Sprintf("t%d.parquet", (k+int(op))%5)
					if k%3 == 2 {
						p = fmt.Sprintf("p%d/run=r%d/part-0.parquet", k%2, op%3)
					}
					data := fmt.Sprintf("%d-%d-%d", i, k, arg)
					set = append(set, DirFile{p, []byte(data)})
					want[p] = data
				}
				_, err := CommitDir(dir, set, DirOptions{Owned: exportOwned})
				hook = nil
				wg.Wait()
				got := tree(t, dir)
				switch {
				case sameTree(got, want):
					dirState = want
				case sameTree(got, dirState):
					if err == nil {
						t.Fatalf("op %d: success but old folder %v", i, got)
					}
				default:
					t.Fatalf("op %d: folder %v is neither old %v nor new %v (err %v)", i, got, dirState, want, err)
				}
			}
			noStrays(t, parent)
		}
	})
}
