package main

// runResults is not implemented yet.
func runResults(args []string, e *env) error {
	return usagef("the results command is not implemented yet")
}
