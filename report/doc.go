// Package report is the dispatch of the summarizer-compatible markdown: the
// report styles and their choice for the data (ResolveStyle), WriteSummary
// and WriteComparison, and the E4 report with typed cells that Notable
// changes read. Each summarizer era lives in its own package
// (report/internal/e1, e2, e4), the table model in report/table; timing,
// results, exports, Notable changes and the specialization view are the
// sibling packages under report/.
package report
