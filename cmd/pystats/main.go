// Command pystats turns CPython's specialization counters (--enable-pystats
// dumps) and pyperf benchmark results into reports, comparisons and
// notebook-ready tables.
//
// Usage:
//
//	pystats summarize [INPUT] [--json-output FILE] [-o FILE]   the summarizer's report
//	pystats info [INPUT]                                      what an input holds
//	pystats compare BASE HEAD                                 base-vs-head report
//	pystats export INPUT... -o DIR                            Parquet / Arrow IPC / CSV
//	pystats timing BASE.json HEAD.json...                     pyperf compare_to tables
//	pystats results RESULTS_DIR                               regenerate a results page
//	pystats specialize INPUT                                  where the specializer loses
//
// INPUT is a directory of dump files (default /tmp/py_stats), one dump file,
// a .tar/.tar.gz of dumps, or a summarize JSON file.
//
// Exit status: 0 success, 1 usage error, 2 bad or unreadable input,
// 3 a --fail-on gate tripped.
package main

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/pystats-dev/pystats/internal/atomicfile"
)

func main() {
	atomicfile.OnFirstTemp(handleSignals)
	os.Exit(run(os.Args[1:], newEnv(os.Stdout, os.Stderr)))
}

// handleSignals makes SIGINT, SIGTERM and SIGHUP remove the temporary files
// and folders of outputs being written (waiting for a swap in progress to
// finish) and exit with 128 + the signal number. main installs it just before
// the first temporary file is made (atomicfile.OnFirstTemp); before that, the
// signals end the process by their default action.
func handleSignals() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		s := <-sig
		atomicfile.RemovePending()
		code := 130 // SIGINT
		if n, ok := s.(syscall.Signal); ok {
			code = 128 + int(n)
		}
		os.Exit(code)
	}()
}
