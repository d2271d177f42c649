package py

import (
	"strconv"
	"strings"
	"testing"
)

func TestFormats(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"int small", Int(999), "999"},
		{"int grouped", Int(18226969405), "18,226,969,405"},
		{"int exact thousand", Int(1000), "1,000"},
		{"negative", SignedInt(-1234567), "-1,234,567"},
		{"percent", Percent(Div(176, 1000), 1), "17.6%"},
		{"grouped percent", GroupedPercent(22.03, 1), "2,203.0%"},
		{"negative percent", GroupedPercent(-0.974, 1), "-97.4%"},
		// 0.0625 * 100 = 6.25 exactly: ties go to even, as in Python.
		{"tie to even", Percent(0.0625, 1), "6.2%"},
		{"huge quotient", Percent(Div(1<<62+1, 3), 1), "153722867280912908288.0%"},
		{"fixed", Fixed(1.315, 2), "1.31"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestGroupAgreesWithStringBuilding holds Group and the Append formats to
// the string-building Group they replaced (groupReference), on signs,
// fractions and every length of integer part.
func TestGroupAgreesWithStringBuilding(t *testing.T) {
	var inputs []string
	for _, s := range []string{"", "-", "+", ".5", "-.5", "0", "1", "12", "123", "1234", "-1234", "+1234.5", "123456", "1234567.125", "-1234567.0"} {
		inputs = append(inputs, s)
	}
	n := "1"
	for i := 0; i < 21; i++ {
		inputs = append(inputs, n, "-"+n, n+".25", "-"+n+".0")
		n += strconv.Itoa((i + 2) % 10)
	}
	for _, s := range inputs {
		if got, want := Group(s), groupReference(s); got != want {
			t.Errorf("Group(%q) = %q, want %q", s, got, want)
		}
	}
	for _, v := range []uint64{0, 7, 999, 1000, 65535, 1 << 32, 18446744073709551615} {
		if got, want := string(AppendInt([]byte("x"), v)), "x"+groupReference(strconv.FormatUint(v, 10)); got != want {
			t.Errorf("AppendInt(%d) = %q, want %q", v, got, want)
		}
	}
	for _, x := range []float64{0, 0.0625, 0.5, -0.974, 22.03, 1234.5678, -98765.4321, 1e15} {
		if got, want := GroupedPercent(x, 1), groupReference(strconv.FormatFloat(x*100, 'f', 1, 64))+"%"; got != want {
			t.Errorf("GroupedPercent(%v) = %q, want %q", x, got, want)
		}
		if got, want := GroupedFixed(x, 2), groupReference(strconv.FormatFloat(x, 'f', 2, 64)); got != want {
			t.Errorf("GroupedFixed(%v) = %q, want %q", x, got, want)
		}
	}
}

// groupReference is Group as it was first written, with strings.Builder.
func groupReference(s string) string {
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
