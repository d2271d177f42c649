// Package export writes pystats data sets and pyperf results as tidy tables
// for notebooks and query engines: Apache Parquet (zstd by default), Arrow IPC
// files, or CSV, one file per table, optionally partitioned Hive style by run.
//
// The tables are built from the Arrow records that package pystats reads
// (the counters record, the pyperf benchmarks and values records), never by
// re-parsing key strings. Every table starts with the run columns (run,
// commit, fork, ref, date); see README.md for the schema.
//
// This package is the only one that links pqarrow, so the rest of the module
// builds and tests without it.
package export
