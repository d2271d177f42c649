//go:build unix

package mapfile

import (
	"os"
	"runtime/debug"
	"syscall"
)

func mapFile(f *os.File, size int) ([]byte, func(), error) {
	data, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil, err
	}
	return data, func() { _ = syscall.Munmap(data) }, nil
}

func panicOnFault() func() {
	old := debug.SetPanicOnFault(true)
	return func() { debug.SetPanicOnFault(old) }
}

// faultAddr returns the address of the bad memory access when a recovered
// value is the runtime error that SetPanicOnFault raises for one.
func faultAddr(r any) (uintptr, bool) {
	e, ok := r.(interface{ Addr() uintptr })
	if !ok || e == nil {
		return 0, false
	}
	return e.Addr(), true
}
