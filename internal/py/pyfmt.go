// Package py formats numbers exactly as Python's format mini-language does
// in the places the reference tools use it: format(n, ",d"), f"{x:,.1%}",
// f"{x:.1%}", "%.2f". All rounding is correct rounding of the binary value
// (half to even on ties), which is what CPython and strconv both do.
package py

import (
	"math/big"
	"strconv"
)

// Int formats n like format(n, ",d"): 18226969405 -> "18,226,969,405".
func Int(n uint64) string { return string(AppendInt(nil, n)) }

// AppendInt appends Int(n) to dst.
func AppendInt(dst []byte, n uint64) []byte {
	var digits [20]byte
	return appendGroup(dst, strconv.AppendUint(digits[:0], n, 10))
}

// SignedInt formats a signed n like format(n, ",d").
func SignedInt(n int64) string { return Group(strconv.FormatInt(n, 10)) }

// Group inserts "," thousands separators into the integer part of a decimal
// number string (which may have a sign and a fraction).
func Group(s string) string {
	if len(s) <= 3 {
		return s
	}
	return string(appendGroup(make([]byte, 0, len(s)+len(s)/3+1), s))
}

// appendGroup appends s, a decimal number, to dst with Group's separators.
func appendGroup[S ~string | ~[]byte](dst []byte, s S) []byte {
	sign := 0
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		sign = 1
	}
	intEnd := len(s)
	for i := sign; i < len(s); i++ {
		if s[i] == '.' {
			intEnd = i
			break
		}
	}
	dst = append(dst, s[:sign]...)
	intLen := intEnd - sign
	lead := intLen % 3
	if lead == 0 && intLen > 0 {
		lead = 3
	}
	dst = append(dst, s[sign:sign+lead]...)
	for i := sign + lead; i < intEnd; i += 3 {
		dst = append(dst, ',')
		dst = append(dst, s[i:i+3]...)
	}
	return append(dst, s[intEnd:]...)
}

// Div returns num/den as Python's int/int true division does: the float64
// nearest to the exact quotient (correct for values above 2^53 too).
func Div(num, den uint64) float64 {
	if num < 1<<53 && den < 1<<53 {
		return float64(num) / float64(den)
	}
	f, _ := new(big.Rat).SetFrac(new(big.Int).SetUint64(num), new(big.Int).SetUint64(den)).Float64()
	return f
}

// SignedDiv is Div for signed numerators (a change of a count).
func SignedDiv(num int64, den uint64) float64 {
	if num > -(1<<53) && num < 1<<53 && den < 1<<53 {
		return float64(num) / float64(den)
	}
	f, _ := new(big.Rat).SetFrac(big.NewInt(num), new(big.Int).SetUint64(den)).Float64()
	return f
}

// Percent formats x like f"{x:.1%}" (prec decimals): x*100 in float64, then
// fixed-point with correct rounding, then "%".
func Percent(x float64, prec int) string {
	return strconv.FormatFloat(x*100, 'f', prec, 64) + "%"
}

// GroupedPercent formats x like f"{x:,.1%}" (prec decimals).
func GroupedPercent(x float64, prec int) string { return string(AppendGroupedPercent(nil, x, prec)) }

// AppendGroupedPercent appends GroupedPercent(x, prec) to dst.
func AppendGroupedPercent(dst []byte, x float64, prec int) []byte {
	var digits [32]byte
	return append(appendGroup(dst, strconv.AppendFloat(digits[:0], x*100, 'f', prec, 64)), '%')
}

// Fixed formats x like "%.Nf" % x.
func Fixed(x float64, prec int) string { return strconv.FormatFloat(x, 'f', prec, 64) }

// GroupedFixed formats x like f"{x:,.Nf}".
func GroupedFixed(x float64, prec int) string { return string(AppendGroupedFixed(nil, x, prec)) }

// AppendGroupedFixed appends GroupedFixed(x, prec) to dst.
func AppendGroupedFixed(dst []byte, x float64, prec int) []byte {
	var digits [32]byte
	return appendGroup(dst, strconv.AppendFloat(digits[:0], x, 'f', prec, 64))
}
