// Package specialize knows what pystats counters mean for each CPython
// version: opcode numbers and names of the numeric eras, the specialized
// instructions, the SPEC_FAIL_* and EVAL_CALL_* tables, and how the
// summarizer names failure kinds. Its tables ship inside the binary; they are
// generated from real CPython sources (see tables/README.md).
package specialize
