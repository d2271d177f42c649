//go:build !linux

package atomicfile

// exchange is not available: the caller renames in two steps.
func exchange(a, b string) (bool, error) { return false, nil }
