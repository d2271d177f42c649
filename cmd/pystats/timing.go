package main

// runTiming is not implemented yet.
func runTiming(args []string, e *env) error {
	return usagef("the timing command is not implemented yet")
}
