package timing

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

var timeUnits = [...]string{"sec", "ms", "us", "ns"}

// FormatValue formats v in unit ("second", "byte", "integer") as pyperf's
// Benchmark.format_value does: three significant digits for times
// ("336 ms", "9.06 ms", "97.0 ns"), KiB/MiB for sizes, plain numbers for
// integers.
func FormatValue(unit string, v float64) string {
	switch unit {
	case "byte":
		return formatFilesize(v)
	case "integer":
		return formatNumber(v)
	}
	return FormatTimedelta(v)
}

// FormatTimedelta is pyperf's format_timedelta.
func FormatTimedelta(v float64) string {
	ref := math.Abs(v)
	i := -9
	for j := 2; j > -9; j-- {
		if ref >= pow10[j+8] {
			i = j
			break
		}
	}
	prec := 2 - pyMod(i, 3)
	k := 0
	if i < 0 {
		k = -pyFloorDiv(i, 3)
	}
	factor := [...]float64{1, 1e3, 1e6, 1e9}[k]
	return strconv.FormatFloat(v*factor, 'f', prec, 64) + " " + timeUnits[k]
}

// pow10[j+8] is 10**j for j in -8..2, as Python's float power gives them.
var pow10 = [...]float64{1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 1e1, 1e2}

func pyMod(a, b int) int {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func pyFloorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func formatFilesize(size float64) string {
	if size < 10*1024 {
		if size != 1 {
			return strconv.FormatFloat(size, 'f', 0, 64) + " bytes"
		}
		return "1 byte"
	}
	if size > 10*1024*1024 {
		return strconv.FormatFloat(size/(1024.0*1024.0), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatFloat(size/1024.0, 'f', 1, 64) + " KiB"
}

// formatNumber is pyperf's format_number for a mean (a float unless the
// mean of integer values is itself an integer): powers of ten and of two
// are abbreviated like pyperf does for integers.
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		n := int64(v)
		if n >= 10000 {
			if p, ok := pyperfPower(n, 10); ok {
				return "10^" + strconv.Itoa(p)
			}
		}
		if n > 8192 {
			if p, ok := pyperfPower(n, 2); ok {
				return "2^" + strconv.Itoa(p)
			}
		}
		return strconv.FormatInt(n, 10)
	}
	return PyFloatRepr(v)
}

// PyFloatRepr is Python's repr(float): the shortest round-tripping digits,
// in scientific notation when the exponent is < -4 or >= 16.
func PyFloatRepr(v float64) string {
	if math.IsInf(v, 1) {
		return "inf"
	}
	if math.IsInf(v, -1) {
		return "-inf"
	}
	if math.IsNaN(v) {
		return "nan"
	}
	s := strconv.FormatFloat(v, 'e', -1, 64)
	mant, expS, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expS)
	if exp < -4 || exp >= 16 {
		return fmt.Sprintf("%se%s%02d", mant, sign(exp), abs(exp))
	}
	out := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(out, ".") {
		out += ".0"
	}
	return out
}

func sign(e int) string {
	if e < 0 {
		return "-"
	}
	return "+"
}

func abs(e int) int {
	if e < 0 {
		return -e
	}
	return e
}

// pyperfPower is pyperf's power test in format_number: divide by base while
// the remainder is 0 and report the number of divisions when no remainder
// was left. Like pyperf, it stops at the first quotient below base, so
// 20000 passes as 10^4.
func pyperfPower(n, base int64) (int, bool) {
	x, p, r := n, 0, int64(0)
	for x >= base {
		r = x % base
		x /= base
		p++
		if r != 0 {
			break
		}
	}
	return p, r == 0
}
