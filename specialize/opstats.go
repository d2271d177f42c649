package specialize

import (
	"sort"
	"strconv"

	"github.com/pystats-dev/pystats/pystats"
)

// This file is the per-instruction view of the counters that every
// summarizer era renders from: for one bracket family (opcode, uops, uop,
// unsupported_opcode, error_in_opcode), the counters of each instruction
// name, names in first-seen key order. It is built once per data set from
// the Arrow columns (family, name, counter, index, value); key strings are
// never parsed again.

// NamedCount is a counter with its label.
type NamedCount struct {
	Name  string
	Value uint64
}

// IndexedCount is an indexed counter, e.g. failure_kinds[Index].
type IndexedCount struct {
	Index int
	Value uint64
}

// OpcodeStat is everything one instruction name has in one family.
type OpcodeStat struct {
	Name string
	// Specializable is true when the ".specializable" marker is present
	// (its value is a file count, not meaningful).
	Specializable bool
	// HasExecutionCount is true when an execution_count key is present.
	HasExecutionCount bool
	ExecutionCount    uint64
	// HasCount and Count are the ".count" of unsupported_opcode[X] and
	// error_in_opcode[X].
	HasCount bool
	Count    uint64
	// The specialization.* counters (0 when absent).
	Success, Failure, Hit, Deferred, Miss, Deopt uint64
	// KindCounters are the counters the summarizer lists in a family's
	// "Kind" table: specialization.* other than success, failure and
	// failure kinds (Name is the part after "specialization."), plus any
	// unknown un-indexed counter (Name is the counter). Sorted as the
	// summarizer sorts them: by the counter's full name.
	KindCounters []NamedCount
	// KindKeys are the full counter names of KindCounters, same order
	// ("specialization.deferred", "count", "x[3]"): the E1 summarizer
	// labels rows with them.
	KindKeys []string
	// FailureKinds are specialization.failure_kinds[i], by index ascending.
	FailureKinds []IndexedCount
	// Pairs are pair_count[X] (successor X), first-seen order, zeros kept.
	Pairs []NamedCount
}

// SpecializationTotal is hit + miss + execution_count: the summarizer's
// denominator for a family's Kind table (E2-E4).
func (o *OpcodeStat) SpecializationTotal() uint64 {
	return o.Hit + o.Miss + o.ExecutionCount
}

// OpcodeStats are the instruction names of one family in first-seen order.
type OpcodeStats struct {
	Family pystats.Family
	Ops    []OpcodeStat
	index  map[string]int
	// names and npairs (each name's pair count) while NewOpcodeViews
	// numbers the names.
	names  []string
	npairs []int

	predSucc *predSucc
}

// Get returns the stats of a name, or nil.
func (s *OpcodeStats) Get(name string) *OpcodeStat {
	if i, ok := s.index[name]; ok {
		return &s.Ops[i]
	}
	return nil
}

// Has reports whether name has any key in the family.
func (s *OpcodeStats) Has(name string) bool {
	_, ok := s.index[name]
	return ok
}

// TotalExecutionCount is the sum of execution_count over all names.
func (s *OpcodeStats) TotalExecutionCount() uint64 {
	var t uint64
	for i := range s.Ops {
		t += s.Ops[i].ExecutionCount
	}
	return t
}

// Pair is a dynamic instruction pair with its count.
type Pair struct {
	First, Second string
	Count         uint64
}

// PairCounts are the non-zero pairs, ordered by first name (first-seen) and
// then successor (first-seen).
func (s *OpcodeStats) PairCounts() []Pair {
	n := 0
	for i := range s.Ops {
		for _, p := range s.Ops[i].Pairs {
			if p.Value != 0 {
				n++
			}
		}
	}
	out := make([]Pair, 0, n)
	for i := range s.Ops {
		o := &s.Ops[i]
		for _, p := range o.Pairs {
			if p.Value != 0 {
				out = append(out, Pair{o.Name, p.Name, p.Value})
			}
		}
	}
	return out
}

type predSucc struct {
	pred, succ map[string][]NamedCount
}

// buildPredSucc groups the non-zero pairs by second name (predecessors) and
// by first name (successors), in pair order. An instruction's successors are
// its own non-zero pairs; predecessors are counted by the second name's
// number (its instruction's index, or one after them for a name with no keys
// of its own) and laid out as windows of one array, so each pair costs one
// map lookup.
func (s *OpcodeStats) buildPredSucc() *predSucc {
	if s.predSucc != nil {
		return s.predSucc
	}
	n := len(s.Ops)
	var others []string // second names that are no instruction of the family
	otherIndex := map[string]int{}
	predN := make([]int, n)
	targets := make([]int32, 0, n)
	for i := range s.Ops {
		for _, p := range s.Ops[i].Pairs {
			if p.Value == 0 {
				continue
			}
			t, ok := s.index[p.Name]
			if !ok {
				if t, ok = otherIndex[p.Name]; !ok {
					t = n + len(others)
					otherIndex[p.Name] = t
					others = append(others, p.Name)
					predN = append(predN, 0)
				}
			}
			predN[t]++
			targets = append(targets, int32(t))
		}
	}
	nameOf := func(t int) string {
		if t < n {
			return s.Ops[t].Name
		}
		return others[t-n]
	}
	ps := &predSucc{pred: make(map[string][]NamedCount), succ: make(map[string][]NamedCount)}
	pred := make([][]NamedCount, len(predN))
	predBacking := make([]NamedCount, len(targets))
	off := 0
	for t, c := range predN {
		pred[t] = predBacking[off : off : off+c]
		off += c
	}
	succBacking := make([]NamedCount, 0, len(targets))
	k := 0
	for i := range s.Ops {
		o := &s.Ops[i]
		start := len(succBacking)
		for _, p := range o.Pairs {
			if p.Value == 0 {
				continue
			}
			t := targets[k]
			k++
			pred[t] = append(pred[t], NamedCount{o.Name, p.Value})
			succBacking = append(succBacking, NamedCount{p.Name, p.Value})
		}
		if len(succBacking) > start {
			ps.succ[o.Name] = succBacking[start:len(succBacking):len(succBacking)]
		}
	}
	for t, xs := range pred {
		if len(xs) > 0 {
			ps.pred[nameOf(t)] = xs
		}
	}
	s.predSucc = ps
	return ps
}

// Predecessors of name with their pair counts, in pair order.
func (s *OpcodeStats) Predecessors(name string) []NamedCount { return s.buildPredSucc().pred[name] }

// Successors of name with their pair counts, in pair order.
func (s *OpcodeStats) Successors(name string) []NamedCount { return s.buildPredSucc().succ[name] }

// OpcodeViews are the per-instruction views of one data set.
type OpcodeViews struct {
	Opcode            *OpcodeStats // opcode[X]: Tier 1
	Uops              *OpcodeStats // uops[X]: Tier 2 micro-ops
	UopPairs          *OpcodeStats // uop[X].pair_count[Y]
	UnsupportedOpcode *OpcodeStats // unsupported_opcode[X].count
	ErrorInOpcode     *OpcodeStats // error_in_opcode[X].count
}

// NewOpcodeViews builds the per-instruction views of st in one pass over its
// counters table.
func NewOpcodeViews(st *pystats.Stats) *OpcodeViews {
	v := &OpcodeViews{
		Opcode:            newOpcodeStats(pystats.FamilyOpcode),
		Uops:              newOpcodeStats(pystats.FamilyUops),
		UopPairs:          newOpcodeStats(pystats.FamilyUopPair),
		UnsupportedOpcode: newOpcodeStats(pystats.FamilyUnsupportedOpcode),
		ErrorInOpcode:     newOpcodeStats(pystats.FamilyErrorInOpcode),
	}
	byFamily := map[pystats.Family]*OpcodeStats{
		pystats.FamilyOpcode:            v.Opcode,
		pystats.FamilyUops:              v.Uops,
		pystats.FamilyUopPair:           v.UopPairs,
		pystats.FamilyUnsupportedOpcode: v.UnsupportedOpcode,
		pystats.FamilyErrorInOpcode:     v.ErrorInOpcode,
	}
	fams := st.Families()
	names, counters, indexes, values := st.Names(), st.CounterNames(), st.Indexes(), st.Values()
	// First pass: the instruction of each row, and how many pairs each
	// has, so that the Pairs of a family are windows of one array. A
	// name's rows mostly follow one another: the map is asked only when
	// the name changes.
	opOf := make([]int32, len(fams))
	var cur *OpcodeStats
	var curFam pystats.Family
	last, lastName := -1, ""
	for i, f := range fams {
		if f != curFam || cur == nil {
			cur, curFam = byFamily[f], f
			last = -1
		}
		if cur == nil {
			opOf[i] = -1
			continue
		}
		if name := names.Value(i); last < 0 || name != lastName {
			last, lastName = cur.op(name), name
		}
		opOf[i] = int32(last)
		if isPairCount(counters.Value(i), indexes.Value(i)) {
			cur.npairs[last]++
		}
	}
	for _, s := range byFamily {
		s.Ops = make([]OpcodeStat, len(s.names))
		total := 0
		for _, c := range s.npairs {
			total += c
		}
		backing := make([]NamedCount, total)
		off := 0
		for j, name := range s.names {
			c := s.npairs[j]
			s.Ops[j].Name, s.Ops[j].Pairs = name, backing[off:off:off+c]
			off += c
		}
		s.names, s.npairs = nil, nil
	}
	cur, curFam = nil, ""
	for i, f := range fams {
		if opOf[i] < 0 {
			continue
		}
		if f != curFam || cur == nil {
			cur, curFam = byFamily[f], f
		}
		cur.add(&cur.Ops[opOf[i]], counters.Value(i), indexes.Value(i), values.Value(i))
	}
	for _, s := range byFamily {
		s.finish()
	}
	return v
}

func newOpcodeStats(f pystats.Family) *OpcodeStats {
	return &OpcodeStats{Family: f, index: map[string]int{}}
}

// op is the index of name's stats, numbered when new (NewOpcodeViews makes
// the stats once every name is known).
func (s *OpcodeStats) op(name string) int {
	i, ok := s.index[name]
	if !ok {
		i = len(s.names)
		s.index[name] = i
		s.names = append(s.names, name)
		s.npairs = append(s.npairs, 0)
	}
	return i
}

// isPairCount reports whether a counter is a pair_count[X]: a successor's
// count, which add keeps in Pairs.
func isPairCount(counter, index string) bool { return index != "" && counter == "pair_count" }

// add adds one counter of o.
func (s *OpcodeStats) add(o *OpcodeStat, counter, index string, value uint64) {
	if isPairCount(counter, index) {
		o.Pairs = append(o.Pairs, NamedCount{index, value})
		return
	}
	if index != "" {
		switch counter {
		case "specialization.failure_kinds":
			if n, err := strconv.Atoi(index); err == nil {
				o.FailureKinds = append(o.FailureKinds, IndexedCount{n, value})
				return
			}
		}
		// Unknown indexed counters: the summarizer would list any that is
		// not "pair..." in the Kind table under its full name.
		full := counter + "[" + index + "]"
		s.addKind(o, full, full, value)
		return
	}
	switch counter {
	case "specializable":
		o.Specializable = true
	case "execution_count":
		o.HasExecutionCount, o.ExecutionCount = true, value
	case "count":
		o.HasCount, o.Count = true, value
		s.addKind(o, counter, counter, value)
	case "specialization.success":
		o.Success = value
	case "specialization.failure":
		o.Failure = value
	default:
		const prefix = "specialization."
		label := counter
		if len(counter) > len(prefix) && counter[:len(prefix)] == prefix {
			label = counter[len(prefix):]
			switch label {
			case "hit":
				o.Hit = value
			case "miss":
				o.Miss = value
			case "deferred":
				o.Deferred = value
			case "deopt":
				o.Deopt = value
			}
		} else if len(counter) >= 4 && counter[:4] == "pair" {
			return
		}
		s.addKind(o, counter, label, value)
	}
}

func (s *OpcodeStats) addKind(o *OpcodeStat, sortKey, label string, value uint64) {
	o.KindCounters = append(o.KindCounters, NamedCount{label, value})
	o.KindKeys = append(o.KindKeys, sortKey)
}

func (s *OpcodeStats) finish() {
	for i := range s.Ops {
		o := &s.Ops[i]
		if keys := o.KindKeys; len(keys) > 1 {
			idx := make([]int, len(keys))
			for j := range idx {
				idx[j] = j
			}
			sort.SliceStable(idx, func(a, b int) bool { return keys[idx[a]] < keys[idx[b]] })
			sorted := make([]NamedCount, len(idx))
			sortedKeys := make([]string, len(idx))
			for j, k := range idx {
				sorted[j], sortedKeys[j] = o.KindCounters[k], keys[k]
			}
			o.KindCounters, o.KindKeys = sorted, sortedKeys
		}
		if len(o.FailureKinds) > 1 {
			sort.SliceStable(o.FailureKinds, func(a, b int) bool { return o.FailureKinds[a].Index < o.FailureKinds[b].Index })
		}
	}
}
