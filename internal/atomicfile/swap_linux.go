//go:build linux

package atomicfile

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps two paths atomically with renameat2(RENAME_EXCHANGE). It
// reports false when the file system does not support it.
func exchange(a, b string) (bool, error) {
	if noExchange {
		return false, nil
	}
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
		return false, nil
	}
	return true, err
}
