package atomicfile

import (
	"os"
	"sync"
)

var (
	mu      sync.Mutex
	pending = map[string]bool{}
)

// Track records a temporary file to remove if the process is interrupted.
func Track(path string) {
	mu.Lock()
	pending[path] = true
	mu.Unlock()
}

// Untrack forgets a temporary file (it was renamed or removed).
func Untrack(path string) {
	mu.Lock()
	delete(pending, path)
	mu.Unlock()
}

// RemovePending removes every tracked temporary file. The command calls it
// from its interrupt handler so that nothing is left behind.
func RemovePending() {
	mu.Lock()
	defer mu.Unlock()
	for p := range pending {
		os.Remove(p)
		delete(pending, p)
	}
}
