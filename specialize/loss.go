package specialize

import (
	"cmp"
	"slices"
	"sort"
	"strings"
)

// This file ranks specialization families by the Tier-1 work they lose: the
// executions of the generic (unspecialized) instruction plus the misses
// (deopts) of its specialized forms. It only combines counters that the
// summarizer itself prints, so every count here can be found in its report:
//
//   - Generic is the generic opcode's execution_count ("Execution counts"),
//     plus in 3.11 data the execution_count of the family's *_ADAPTIVE
//     forms (Adaptive): the executions the view classes as not specialized
//     (ClassGeneric, ClassAdaptive), as the 3.11 summarizer counts them.
//   - Hits and Deferred are the generic opcode's specialization.hit and
//     specialization.deferred (the family's "Kind" table): CPython counts both
//     on the family's generic opcode.
//   - Misses is the sum of specialization.miss over the family's specialized
//     instructions (their "Miss ratio" and "Misses by instruction" rows),
//     where CPython counts a deopt. CPython counts the same deopt on the
//     generic opcode too, so it equals the family's "miss" Kind row
//     (GenericMisses); both are kept and tests check that they agree.
//   - Success, Failure and the failure kinds are the family's "Success" and
//     "Failure kind" tables.
//
// Lost work is Generic + Misses. Deferred is shown but not added: deferred
// executions are generic executions (and the generic runs after a deopt) that
// did not try to specialize, so they overlap both.

// KindCount is a labelled failure-kind count.
type KindCount struct {
	Label string
	Count uint64
}

// FamilyLoss is one specialization family's share of lost work.
type FamilyLoss struct {
	// Family is the generic opcode, e.g. LOAD_ATTR.
	Family string
	// Members are the family's specialized instructions present in the data,
	// in the order of the build's specialized-instruction list.
	Members []string
	// HasForms is false when the build has no specialized instruction for the
	// family (BINARY_SLICE, STORE_SLICE and POP_JUMP_IF_* in 3.13): such a
	// family is marked specializable but can never run specialized.
	HasForms bool
	// Generic is the family's not-specialized executions: the generic
	// opcode's execution_count plus Adaptive.
	Generic uint64
	// Adaptive is the part of Generic executed by the family's 3.11
	// *_ADAPTIVE forms (ClassAdaptive); 0 in other eras.
	Adaptive uint64
	// Deferred and Hits are the generic opcode's specialization counters.
	Deferred, Hits uint64
	// Misses is the sum of the members' specialization.miss.
	Misses uint64
	// GenericMisses is the generic opcode's own specialization.miss.
	GenericMisses uint64
	// MemberExecutions is the sum of the members' execution_count.
	MemberExecutions uint64
	// Success and Failure are the specialization attempts.
	Success, Failure uint64
	// FailureKinds are sorted by count, largest first (ties keep the
	// summarizer's order).
	FailureKinds []KindCount
}

// Lost is the family's lost work: generic executions plus misses.
func (f *FamilyLoss) Lost() uint64 { return f.Generic + f.Misses }

// Total is the summarizer's specialization total of the family: hits, misses
// and the generic opcode's own executions (its "unquickened" row in 3.11,
// whose summarizer also adds Deferred).
func (f *FamilyLoss) Total() uint64 { return f.Hits + f.GenericMisses + f.Generic - f.Adaptive }

// SuccessRate is Success / (Success + Failure); false when no attempt was made.
func (f *FamilyLoss) SuccessRate() (float64, bool) {
	if f.Success+f.Failure == 0 {
		return 0, false
	}
	return float64(f.Success) / float64(f.Success+f.Failure), true
}

// Unattributed is a specialized instruction that no specializable family
// claims (RESUME_CHECK: RESUME has no inline cache, so the data does not
// mark it specializable).
type Unattributed struct {
	Name                   string
	ExecutionCount, Misses uint64
}

// Loss is the ranked specialization view of one data set.
type Loss struct {
	// Tier1 is the total of every Tier-1 execution_count: the denominator of
	// every share.
	Tier1 uint64
	// Families are the specializable families whose specialization total or
	// lost work is non-zero, ranked by lost work (ties by name).
	Families []FamilyLoss
	// Unattributed are specialized instructions with executions or misses
	// that belong to no specializable family, by name.
	Unattributed []Unattributed
}

// FamilyOf returns the family (generic opcode) of a specialized instruction:
// the longest name among generics such that the instruction's name starts
// with it followed by "_" (LOAD_ATTR_SLOT → LOAD_ATTR, LOAD_SUPER_ATTR_METHOD
// → LOAD_SUPER_ATTR, CALL_KW_PY → CALL_KW where CALL_KW is specializable, else
// CALL). generics are the opcodes the data marks specializable; the
// specialized names come from the build's specialized-instruction list, so
// both halves of the rule are the summarizer's own data. It returns false
// when no generic matches.
func FamilyOf(name string, generics []string) (string, bool) {
	best := ""
	for _, g := range generics {
		if len(g) > len(best) && len(name) > len(g)+1 && strings.HasPrefix(name, g) && name[len(g)] == '_' {
			best = g
		}
	}
	return best, best != ""
}

// ComputeLoss ranks the families of one data set from its view: the
// Tier-1 instructions, the build's specialized-instruction list (names with
// "__" are ignored, as the summarizer ignores them) and the failure kinds
// labelled as View.FailureKinds does.
func ComputeLoss(v *View) *Loss {
	l := &Loss{Tier1: v.Tier1Total}
	byName := make(map[string]*Instruction, len(v.Tier1))
	var generics []string
	for i := range v.Tier1 {
		in := &v.Tier1[i]
		byName[in.Name] = in
		if in.Stat.Specializable {
			generics = append(generics, in.Name)
		}
	}
	fams := make(map[string]*FamilyLoss, len(generics))
	for _, g := range generics {
		o := byName[g].Stat
		fams[g] = &FamilyLoss{
			Family: g, Generic: o.ExecutionCount, Deferred: o.Deferred, Hits: o.Hit,
			GenericMisses: o.Miss, Success: o.Success, Failure: o.Failure,
			FailureKinds: sortKinds(v.FailureKinds(g, o, v.Rules)),
		}
	}
	for i := range v.Tier1 {
		// 3.11's *_ADAPTIVE forms are not specialized (see View.Effectiveness).
		if in := &v.Tier1[i]; in.Class == ClassAdaptive {
			if f := fams[in.Family]; f != nil {
				f.Generic += in.Stat.ExecutionCount
				f.Adaptive += in.Stat.ExecutionCount
			}
		}
	}
	for _, s := range v.Specialized {
		if v.adaptive(s) {
			continue // counted above, not a specialized form
		}
		g, ok := FamilyOf(s, generics)
		in := byName[s]
		if !ok {
			if in != nil && !in.Stat.Specializable && (in.Stat.ExecutionCount != 0 || in.Stat.Miss != 0) {
				l.Unattributed = append(l.Unattributed, Unattributed{s, in.Stat.ExecutionCount, in.Stat.Miss})
			}
			continue
		}
		f := fams[g]
		f.HasForms = true
		if in == nil || in.Stat.Specializable {
			continue
		}
		f.Members = append(f.Members, s)
		f.Misses += in.Stat.Miss
		f.MemberExecutions += in.Stat.ExecutionCount
	}
	for _, g := range generics {
		f := fams[g]
		if f.Total() == 0 && f.Lost() == 0 {
			continue
		}
		l.Families = append(l.Families, *f)
	}
	rankFamilies(l.Families)
	slices.SortFunc(l.Unattributed, func(a, b Unattributed) int { return cmp.Compare(a.Name, b.Name) })
	return l
}

// rankFamilies sorts by lost work, largest first, then by name.
func rankFamilies(fs []FamilyLoss) {
	slices.SortStableFunc(fs, func(a, b FamilyLoss) int {
		if c := cmp.Compare(b.Lost(), a.Lost()); c != 0 {
			return c
		}
		return cmp.Compare(a.Family, b.Family)
	})
}

// sortKinds sorts failure kinds by count, largest first, keeping the order of
// equal counts (the summarizer's stable sort).
func sortKinds(ks []KindCount) []KindCount {
	slices.SortStableFunc(ks, func(a, b KindCount) int { return cmp.Compare(b.Count, a.Count) })
	return ks
}

// WithForms returns the families that have specialized forms in the build
// (HasForms), keeping the ranking.
func (l *Loss) WithForms() []FamilyLoss {
	var out []FamilyLoss
	for _, f := range l.Families {
		if f.HasForms {
			out = append(out, f)
		}
	}
	return out
}

// Family returns the named family's row, or nil.
func (l *Loss) Family(name string) *FamilyLoss {
	for i := range l.Families {
		if l.Families[i].Family == name {
			return &l.Families[i]
		}
	}
	return nil
}

// SumLoss adds up the counts of several data sets (e.g. the benchmarks of one
// run) into one view, as if their dumps had been read together: counts are
// summed per family, instruction and failure-kind label, then re-ranked. A
// family has forms when it has them in any input.
func SumLoss(ls []*Loss) *Loss {
	var s LossSum
	for _, l := range ls {
		s.Add(l)
	}
	return s.Loss()
}

// A LossSum is SumLoss one data set at a time, so that a run's benchmarks
// can be added as they are read without being held: the sum of Add's
// arguments, in order, is Loss(). The zero value is an empty sum.
type LossSum struct {
	tier1  uint64
	fams   map[string]*FamilyLoss
	order  []string
	kinds  map[string]map[string]int
	unattr map[string]*Unattributed
}

// Add adds l's counts to the sum; l is not kept (nor anything it points to).
func (s *LossSum) Add(l *Loss) {
	if s.fams == nil {
		s.fams, s.kinds, s.unattr = map[string]*FamilyLoss{}, map[string]map[string]int{}, map[string]*Unattributed{}
	}
	s.tier1 += l.Tier1
	for _, f := range l.Families {
		t := s.fams[f.Family]
		if t == nil {
			t = &FamilyLoss{Family: f.Family}
			s.fams[f.Family] = t
			s.order = append(s.order, f.Family)
			s.kinds[f.Family] = map[string]int{}
		}
		t.HasForms = t.HasForms || f.HasForms
		for _, m := range f.Members {
			if !slices.Contains(t.Members, m) {
				t.Members = append(t.Members, m)
			}
		}
		t.Generic += f.Generic
		t.Adaptive += f.Adaptive
		t.Deferred += f.Deferred
		t.Hits += f.Hits
		t.Misses += f.Misses
		t.GenericMisses += f.GenericMisses
		t.MemberExecutions += f.MemberExecutions
		t.Success += f.Success
		t.Failure += f.Failure
		for _, k := range f.FailureKinds {
			if i, ok := s.kinds[f.Family][k.Label]; ok {
				t.FailureKinds[i].Count += k.Count
				continue
			}
			s.kinds[f.Family][k.Label] = len(t.FailureKinds)
			t.FailureKinds = append(t.FailureKinds, k)
		}
	}
	for _, u := range l.Unattributed {
		t := s.unattr[u.Name]
		if t == nil {
			t = &Unattributed{Name: u.Name}
			s.unattr[u.Name] = t
		}
		t.ExecutionCount += u.ExecutionCount
		t.Misses += u.Misses
	}
}

// Loss returns the ranked view of the sum so far (a copy: more can be added
// after).
func (s *LossSum) Loss() *Loss {
	out := &Loss{Tier1: s.tier1}
	for _, name := range s.order {
		f := *s.fams[name]
		f.Members = slices.Clone(f.Members)
		f.FailureKinds = sortKinds(slices.Clone(f.FailureKinds))
		out.Families = append(out.Families, f)
	}
	rankFamilies(out.Families)
	for _, u := range s.unattr {
		out.Unattributed = append(out.Unattributed, *u)
	}
	slices.SortFunc(out.Unattributed, func(a, b Unattributed) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// BenchmarkLoss is the view of one benchmark of a run.
type BenchmarkLoss struct {
	Name string
	Loss *Loss
}

// Contribution is one benchmark's part of a family's lost work.
type Contribution struct {
	Benchmark string
	// Lost is the family's lost work in the benchmark.
	Lost uint64
	// Tier1 is the benchmark's total Tier-1 executions.
	Tier1 uint64
}

// Contributors returns the benchmarks with lost work in family, largest
// first (ties by benchmark name), at most n of them (n <= 0: all).
func Contributors(bs []BenchmarkLoss, family string, n int) []Contribution {
	t := NewTopContributors(family, n)
	for _, b := range bs {
		t.Add(b)
	}
	return t.Contributions()
}

// A TopContributors is Contributors one benchmark at a time: it keeps the n
// benchmarks (n <= 0: all) with the most lost work in one family seen so
// far, so that a run's benchmarks can be ranked as they are read back
// without being held.
type TopContributors struct {
	family string
	n      int
	top    []Contribution
}

// NewTopContributors starts an empty ranking of family's contributors.
func NewTopContributors(family string, n int) *TopContributors {
	return &TopContributors{family: family, n: n}
}

// Add ranks b's lost work in the family (if any); b is not kept.
func (t *TopContributors) Add(b BenchmarkLoss) {
	f := b.Loss.Family(t.family)
	if f == nil || f.Lost() == 0 {
		return
	}
	c := Contribution{b.Name, f.Lost(), b.Loss.Tier1}
	// After every contribution that ranks before or with c: the order of
	// a stable sort of all of them.
	i := sort.Search(len(t.top), func(i int) bool { return rankContribution(c, t.top[i]) < 0 })
	if t.n > 0 && i >= t.n {
		return
	}
	t.top = slices.Insert(t.top, i, c)
	if t.n > 0 && len(t.top) > t.n {
		t.top = t.top[:t.n]
	}
}

// Contributions returns the ranking so far, largest first (ties by
// benchmark name, then in the order added).
func (t *TopContributors) Contributions() []Contribution { return slices.Clone(t.top) }

// rankContribution orders by lost work, largest first, then by benchmark.
func rankContribution(a, b Contribution) int {
	if c := cmp.Compare(b.Lost, a.Lost); c != 0 {
		return c
	}
	return cmp.Compare(a.Benchmark, b.Benchmark)
}
