// Package report renders pystats data: the summarizer's markdown of each era
// (E2 pipe tables, E4 HTML tables), base-vs-head comparisons, timing tables,
// plots, results pages and columnar exports. Every renderer writes to an
// io.Writer and reads the Arrow tables that package pystats builds.
package report
