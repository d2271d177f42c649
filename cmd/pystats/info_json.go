package main

import (
	"encoding/json"
	"io"

	"github.com/pystats-dev/pystats/pystats"
	"github.com/pystats-dev/pystats/specialize"
)

// infoJSON is `info --json`: what an input holds, under the field names of
// the export's runs table where they describe the same thing. Fields are
// never renamed; new ones may be added.
type infoJSON struct {
	Input         string            `json:"input"`
	InputFormat   string            `json:"input_format"`
	Files         int               `json:"files"`
	Lines         *int64            `json:"lines"` // null for a summarize JSON
	Bytes         int64             `json:"bytes"`
	DistinctKeys  int               `json:"distinct_keys"`
	NFiles        uint64            `json:"nfiles"`
	OpcodeKeys    string            `json:"opcode_keys"` // named, numeric, none
	Version       *string           `json:"version"`
	VersionSource *string           `json:"version_source"`
	Categories    []string          `json:"categories"` // the key categories present, first-seen order
	Tier2         bool              `json:"tier2"`
	UopPairs      bool              `json:"uop_pairs"`
	JITMemory     bool              `json:"jit_memory"`
	Tier1Total    uint64            `json:"tier1_instructions"`
	BuildMetadata *infoBuildMeta    `json:"build_metadata"`
	BuildTables   *infoBuildTables  `json:"build_tables"`
	BenchRunner   map[string]string `json:"bench_runner"`
	NamesReliable bool              `json:"names_reliable"`
	NamesReason   *string           `json:"names_reason"`
	Problems      []string          `json:"problems"`
}

type infoBuildMeta struct {
	SpecializedInstructions int `json:"specialized_instructions"`
	SpecFailKinds           int `json:"spec_fail_kinds"`
	EvalCallKinds           int `json:"eval_call_kinds"`
}

type infoBuildTables struct {
	Version string `json:"version"`
	Source  string `json:"source"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// writeInfoJSON writes the dataset's description as one indented JSON object.
func writeInfoJSON(w io.Writer, d *specialize.Dataset) error {
	st, era := d.Stats, d.Era
	src := st.Source
	out := infoJSON{
		Input: src.Path, InputFormat: string(src.Kind), Files: src.Files, Bytes: src.Bytes,
		DistinctKeys: st.NumRows(), NFiles: st.NFiles(), OpcodeKeys: "none",
		Version: optString(era.Version), VersionSource: optString(era.Why),
		Categories: []string{}, Tier2: era.Tier2, UopPairs: era.UopPairs, JITMemory: era.JITMemory,
		Tier1Total: d.View().Tier1Total, NamesReliable: d.NamesReliable, NamesReason: optString(d.NamesReason),
		Problems: d.Problems(),
	}
	if src.Kind != pystats.KindSummaryJSON {
		lines := src.Lines
		out.Lines = &lines
	}
	if era.HasOpcodes {
		out.OpcodeKeys = "numeric"
		if era.NamedOpcodes {
			out.OpcodeKeys = "named"
		}
	}
	for _, f := range era.Families {
		out.Categories = append(out.Categories, string(f))
	}
	if st.Meta.HasBuildTables {
		out.BuildMetadata = &infoBuildMeta{len(st.Meta.SpecializedInstructions), st.Meta.Defines.Len(), st.Meta.StatsDefines.Len()}
	}
	if d.Tables != nil {
		out.BuildTables = &infoBuildTables{d.Tables.Version, d.Tables.Source}
	}
	if st.Meta.BenchRunner != nil {
		out.BenchRunner = map[string]string{}
		for _, kv := range st.Meta.BenchRunner {
			if v, ok := st.Meta.BenchRunnerValue(kv.Key); ok {
				out.BenchRunner[kv.Key] = v
			}
		}
	}
	if out.Problems == nil {
		out.Problems = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
