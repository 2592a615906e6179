// Package poll lets a test wait for a state that another goroutine
// reaches and nothing announces — a lock's queue holding its waiters, a
// request counted as in flight — without sleeping a guessed time: it
// checks every millisecond and fails the test if the state is not
// reached in 5 s.
package poll

import (
	"testing"
	"time"
)

// Limit is how long Until waits.
const Limit = 5 * time.Second

// Until returns once cond holds. After Limit it fails t with what
// describe says was seen then (describe may be nil).
func Until(t testing.TB, cond func() bool, describe func() string) {
	t.Helper()
	deadline := time.Now().Add(Limit)
	for !cond() {
		if time.Now().After(deadline) {
			msg := "condition not reached"
			if describe != nil {
				msg = describe()
			}
			t.Fatalf("%s in %v", msg, Limit)
		}
		time.Sleep(time.Millisecond)
	}
}
