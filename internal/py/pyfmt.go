// Package py formats numbers exactly as Python's format mini-language does
// in the places the reference tools use it: format(n, ",d"), f"{x:,.1%}",
// f"{x:.1%}", "%.2f". All rounding is correct rounding of the binary value
// (half to even on ties), which is what CPython and strconv both do.
package py

import (
	"math/big"
	"strconv"
	"strings"
)

// Int formats n like format(n, ",d"): 18226969405 -> "18,226,969,405".
func Int(n uint64) string { return Group(strconv.FormatUint(n, 10)) }

// SignedInt formats a signed n like format(n, ",d").
func SignedInt(n int64) string { return Group(strconv.FormatInt(n, 10)) }

// Group inserts "," thousands separators into the integer part of a decimal
// number string (which may have a sign and a fraction).
func Group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		sign, s = s[:1], s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	if len(intPart) <= 3 {
		return sign + intPart + frac
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/3 + 1)
	b.WriteString(sign)
	lead := len(intPart) % 3
	if lead > 0 {
		b.WriteString(intPart[:lead])
	}
	for i := lead; i < len(intPart); i += 3 {
		if b.Len() > len(sign) {
			b.WriteByte(',')
		}
		b.WriteString(intPart[i : i+3])
	}
	b.WriteString(frac)
	return b.String()
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
func GroupedPercent(x float64, prec int) string {
	return Group(strconv.FormatFloat(x*100, 'f', prec, 64)) + "%"
}

// Fixed formats x like "%.Nf" % x.
func Fixed(x float64, prec int) string { return strconv.FormatFloat(x, 'f', prec, 64) }

// GroupedFixed formats x like f"{x:,.Nf}".
func GroupedFixed(x float64, prec int) string { return Group(strconv.FormatFloat(x, 'f', prec, 64)) }
