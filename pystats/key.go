package pystats

import (
	"fmt"
	"strings"
)

// MaxIndex is the largest number a key may carry where CPython's counters
// are indexed by a small number: a GC generation, a failure kind, a
// PyEval_EvalFrame call kind, a numeric (3.11/3.12) opcode. CPython's are
// below 300; the reports build tables by index, so a larger one would make
// them grow without end.
const MaxIndex = 4095

// KeyProblem is the one verdict on keys that every reader and consumer of
// pystats uses: it returns why a key cannot be read as CPython pystats data,
// or "" when it can. The rules are those of the summarizer, which fails on
// such keys (it calls int() on the number and indexes a list with it):
//
//   - a key starting with "GC" must be "GC[<generation>] <name>";
//   - an opcode's "specialization.failure_kinds[<kind>]" and "Calls via
//     PyEval_EvalFrame[<kind>]" need a kind number;
//   - a numeric opcode ("opcode[<n>]...") must be at most MaxIndex;
//   - no key holds a line break (a dump's keys cannot; a summarize JSON member
//     name could, and would break the report's lines);
//
// where each number is a decimal from 0 to MaxIndex. A key that looks like a
// histogram bucket without a plain decimal bucket ("Trace length[-5]") is not
// a problem: the summarizer does not take it for one (its pattern is
// "[0-9]+"), and neither does ParseKey, which makes it a plain counter of
// family other.
func KeyProblem(key string) string {
	switch {
	case strings.IndexByte(key, '\n') >= 0 || strings.IndexByte(key, '\r') >= 0: // not ContainsAny: 3x the time
		return fmt.Sprintf("key %q holds a line break (not CPython pystats data)", clipString(key))
	case strings.HasPrefix(key, "GC"):
		n, _, ok := strings.Cut(strings.TrimPrefix(key, "GC["), "]")
		if !strings.HasPrefix(key, "GC[") || !ok || !smallIndex(n) {
			return fmt.Sprintf("key %q: GC generation %q is not a whole number from 0 to %d (not CPython pystats data; the summarizer fails on it)", clipString(key), clipString(n), MaxIndex)
		}
	case strings.HasPrefix(key, "Calls via PyEval_EvalFrame["):
		n := strings.TrimSuffix(strings.TrimPrefix(key, "Calls via PyEval_EvalFrame["), "]")
		if !strings.HasSuffix(key, "]") || !smallIndex(n) {
			return fmt.Sprintf("key %q: call kind %q is not a whole number from 0 to %d (not CPython pystats data; the summarizer fails on it)", clipString(key), clipString(n), MaxIndex)
		}
	case strings.HasPrefix(key, "opcode["):
		p := ParseKey(key)
		if isDecimal(p.Name) && !smallIndex(p.Name) {
			return fmt.Sprintf("key %q: numeric opcode %s is above %d (not CPython pystats data)", clipString(key), clipString(p.Name), MaxIndex)
		}
		if strings.HasPrefix(p.Counter, "specialization.failure_kind") && !smallIndex(p.Index) {
			return fmt.Sprintf("key %q: failure kind %q is not a whole number from 0 to %d (not CPython pystats data; the summarizer fails on it)", clipString(key), clipString(p.Index), MaxIndex)
		}
	}
	return ""
}

// smallIndex reports whether s is a decimal from 0 to MaxIndex.
func smallIndex(s string) bool {
	if !isDecimal(s) || len(s) > 4 {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n <= MaxIndex
}

// Family names the group a raw counter key belongs to. The reader parses every
// distinct key into its dimensions once; later code never re-parses key strings.
type Family string

// The counter families that CPython's stats printer writes, in print order.
const (
	FamilyOpcode            Family = "opcode"             // opcode[X]...: Tier-1 instructions
	FamilyUops              Family = "uops"               // uops[X]...: Tier-2 micro-ops
	FamilyUopPair           Family = "uop"                // uop[X].pair_count[Y]: Tier-2 pairs
	FamilyUnsupportedOpcode Family = "unsupported_opcode" // unsupported_opcode[X].count
	FamilyErrorInOpcode     Family = "error_in_opcode"    // error_in_opcode[X].count
	FamilyCalls             Family = "calls"              // Calls to ..., Frames ..., Calls via PyEval_EvalFrame[i]
	FamilyObject            Family = "object"             // Object ...
	FamilyGC                Family = "gc"                 // GC[g] ...
	FamilyOptimization      Family = "optimization"       // Optimization ..., Optimizer ..., Executors invalidated, JIT ...
	FamilyHistogram         Family = "histogram"          // Trace length[N] and the other power-of-two histograms
	FamilyRareEvent         Family = "rare_event"         // Rare event (x)
	FamilyFreeThreading     Family = "free_threading"     // Mutex sleeps (mutex_sleeps) and friends
	FamilyMeta              Family = "meta"               // __nfiles__
	FamilyOther             Family = "other"              // anything this version of pystats does not know
)

// bracketFamilies are the key prefixes of the form prefix[NAME].rest. Longer
// prefixes come first so that "uops[" is not taken for "uop[".
var bracketFamilies = []struct {
	prefix string
	family Family
}{
	{"opcode[", FamilyOpcode},
	{"uops[", FamilyUops},
	{"uop[", FamilyUopPair},
	{"unsupported_opcode[", FamilyUnsupportedOpcode},
	{"error_in_opcode[", FamilyErrorInOpcode},
}

// KeyParts are the dimensions of one raw counter key.
//
// For "opcode[LOAD_ATTR].specialization.failure_kinds[3]" they are family
// opcode, name "LOAD_ATTR", counter "specialization.failure_kinds", index "3".
// For "opcode[LOAD_FAST].pair_count[STORE_FAST]" the counter is "pair_count"
// and the index is the successor "STORE_FAST". For "GC[1] object visits" the
// family is gc, the name "object visits" and the index "1". Keys without an
// instruction keep the whole key (less a family prefix such as "Object ") as name.
type KeyParts struct {
	Family  Family
	Name    string
	Counter string
	Index   string
}

// ParseKey splits a stripped raw counter key into its dimensions. It never
// fails: a key it does not recognise has family other and the key as name.
func ParseKey(key string) KeyParts {
	for _, bf := range bracketFamilies {
		if !strings.HasPrefix(key, bf.prefix) {
			continue
		}
		rest := key[len(bf.prefix):]
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return KeyParts{Family: FamilyOther, Name: key}
		}
		p := KeyParts{Family: bf.family, Name: rest[:end]}
		tail := strings.Trim(rest[end+1:], ".")
		if open := strings.IndexByte(tail, '['); open >= 0 && strings.HasSuffix(tail, "]") {
			p.Counter = tail[:open]
			p.Index = tail[open+1 : len(tail)-1]
		} else {
			p.Counter = tail
		}
		return p
	}
	switch {
	case key == "__nfiles__":
		return KeyParts{Family: FamilyMeta, Name: key}
	case strings.HasPrefix(key, "Calls via PyEval_EvalFrame[") && strings.HasSuffix(key, "]"):
		open := strings.IndexByte(key, '[')
		return KeyParts{Family: FamilyCalls, Name: key[:open], Index: key[open+1 : len(key)-1]}
	case strings.HasPrefix(key, "Calls ") || strings.HasPrefix(key, "Frame"):
		return KeyParts{Family: FamilyCalls, Name: key}
	case strings.HasPrefix(key, "Object "):
		return KeyParts{Family: FamilyObject, Name: key[len("Object "):]}
	case strings.HasPrefix(key, "GC["):
		end := strings.IndexByte(key, ']')
		if end < 0 {
			break
		}
		return KeyParts{Family: FamilyGC, Name: strings.TrimSpace(key[end+1:]), Index: key[3:end]}
	case strings.HasPrefix(key, "Rare event (") && strings.HasSuffix(key, ")"):
		return KeyParts{Family: FamilyRareEvent, Name: key[len("Rare event (") : len(key)-1]}
	case strings.HasSuffix(key, "]") && strings.IndexByte(key, '[') > 0 && histogramBucket(key[strings.IndexByte(key, '[')+1:len(key)-1]):
		open := strings.IndexByte(key, '[')
		return KeyParts{Family: FamilyHistogram, Name: key[:open], Index: key[open+1 : len(key)-1]}
	case strings.HasPrefix(key, "Optimization ") || strings.HasPrefix(key, "Optimizer ") ||
		strings.HasPrefix(key, "Executors ") || strings.HasPrefix(key, "JIT "):
		return KeyParts{Family: FamilyOptimization, Name: key}
	case strings.HasPrefix(key, "Mutex ") || strings.HasPrefix(key, "QSBR ") || strings.HasPrefix(key, "World stops"):
		return KeyParts{Family: FamilyFreeThreading, Name: key}
	}
	return KeyParts{Family: FamilyOther, Name: key}
}

// histogramBucket reports whether s is a histogram bucket: a decimal, as the
// summarizer's "[0-9]+" pattern wants, that fits an int64 (for the exports).
func histogramBucket(s string) bool {
	if !isDecimal(s) {
		return false
	}
	s = strings.TrimLeft(s, "0")
	return len(s) < 19 || (len(s) == 19 && s <= "9223372036854775807")
}
