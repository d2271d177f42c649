package specialize

import (
	"strconv"
	"strings"

	"github.com/pystats-dev/pystats/pystats"
)

// FailureKindLabel names failure kind n of the family whose generic opcode is
// op, as the E2-E4 summarizers do: kinds 0-8 are the common kinds; others take
// the first SPEC_FAIL_* name for n that starts with the family prefix (SUPER,
// ATTR, ITER, SUBSCR, or the opcode name itself); "kind n" when none does.
// getIterIsIter selects the 2025 (E4c) rule that GET_ITER uses ITER names.
func FailureKindLabel(op string, n int, defines *pystats.Defines, getIterIsIter bool) string {
	return kindLabel(defines.Names[n], n, 9, FamilyPrefix(op, getIterIsIter))
}

// kindLabel is the summarizers' kind_to_text: kinds below generic take their
// first name; others the first name that starts with prefix, minus the prefix
// and one separator (name[len(prefix) + 1:]); "kind n" when none does.
func kindLabel(names []string, n, generic int, prefix string) string {
	if n < generic {
		if len(names) > 0 {
			return pretty(names[0])
		}
		return "kind " + strconv.Itoa(n)
	}
	for _, name := range names {
		if strings.HasPrefix(name, prefix) {
			if len(name) <= len(prefix)+1 {
				return ""
			}
			return pretty(name[len(prefix)+1:])
		}
	}
	return "kind " + strconv.Itoa(n)
}

// FamilyPrefix is the SPEC_FAIL_* name prefix the summarizer uses for a family.
func FamilyPrefix(op string, getIterIsIter bool) string {
	switch {
	case op == "LOAD_SUPER_ATTR":
		return "SUPER"
	case strings.HasSuffix(op, "ATTR"):
		return "ATTR"
	case op == "FOR_ITER" || op == "SEND" || (getIterIsIter && op == "GET_ITER"):
		return "ITER"
	case strings.HasSuffix(op, "SUBSCR"):
		return "SUBSCR"
	}
	return op
}

func pretty(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, "_", " "))
}
