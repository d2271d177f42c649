package main

// runExport is not implemented yet.
func runExport(args []string, e *env) error {
	return usagef("the export command is not implemented yet")
}
