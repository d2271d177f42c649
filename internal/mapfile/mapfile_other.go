//go:build !unix

package mapfile

import (
	"errors"
	"os"
)

func mapFile(*os.File, int) ([]byte, func(), error) {
	return nil, nil, errors.New("not mapped")
}

func panicOnFault() func() { return func() {} }

func faultAddr(any) (uintptr, bool) { return 0, false }
