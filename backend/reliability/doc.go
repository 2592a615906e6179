// Package reliability holds Rapport's reliability and security suites
// (issue 8): crash convergence under kill -9, fault convergence under
// random Graph failures, hostile input, secret leaks and the single-writer
// rule. They run the real binary and the real engine against graphsim and
// compare the store with the simulator's truth item by item.
//
// Everything is in _test.go files: nothing here ships. The suites skip
// unless RAPPORT_RELIABILITY is "ci" (the short versions `make test`
// runs) or "full" (`make crash`, `make faults`, ...). docs/RELIABILITY.md
// explains each suite and records the figures of the last full run.
package reliability
