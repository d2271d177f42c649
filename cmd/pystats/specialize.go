package main

// runSpecialize is not implemented yet.
func runSpecialize(args []string, e *env) error {
	return usagef("the specialize command is not implemented yet")
}
