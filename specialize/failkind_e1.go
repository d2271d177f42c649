package specialize

import (
	"strings"

	"github.com/pystats-dev/pystats/pystats"
)

// FailureKindLabelE1 names failure kind n of the family whose generic opcode
// is op, as the 3.11 (E1) summarizer's kind_to_text does: kinds 0-6 are the
// generic kinds (their first SPEC_FAIL_* name); other kinds take the first
// name for n that starts with the family prefix (see FamilyPrefixE1), minus
// that prefix and one separator; "kind n" when none does. Where the script
// would fail (a generic kind without any define) this returns "kind n" too.
func FailureKindLabelE1(op string, n int, defines *pystats.Defines) string {
	var names []string
	if defines != nil {
		names = defines.Names[n]
	}
	return kindLabel(names, n, 7, FamilyPrefixE1(op))
}

// FamilyPrefixE1 is the SPEC_FAIL_* name prefix the 3.11 summarizer uses for
// a family: names ending in ATTR use ATTR, names ending in SUBSCR use
// SUBSCR, names starting with PRECALL use CALL, and any other family its own
// name (3.11's LOAD_METHOD_* and FOR_ITER_* defines match their opcodes).
func FamilyPrefixE1(op string) string {
	if strings.HasSuffix(op, "ATTR") {
		op = "ATTR"
	}
	if strings.HasSuffix(op, "SUBSCR") {
		op = "SUBSCR"
	}
	if strings.HasPrefix(op, "PRECALL") {
		op = "CALL"
	}
	return op
}
