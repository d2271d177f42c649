package main

// runCompare is not implemented yet.
func runCompare(args []string, e *env) error {
	return usagef("the compare command is not implemented yet")
}
