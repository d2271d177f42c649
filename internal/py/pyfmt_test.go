package py

import "testing"

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
