package app

import (
	"errors"
	"strings"
	"testing"
)

// Regression (issue 8, suite 7): two writers could open one data
// directory — two `rapport sync`, a sync beside the window, and a second
// `rapport --demo`, which wiped the first one's database at start. Now a
// writer holds a lock, and the next one is told who holds it.
func TestOneWriterPerDataDirectory(t *testing.T) {
	dir := t.TempDir()
	first, err := lockDataDir(dir, false, "rapport sync")
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockDataDir(dir, false, "rapport serve")
	var busy *InstanceBusyError
	if !errors.As(err, &busy) || busy.What != "rapport sync" || busy.PID == 0 || busy.Desktop() {
		t.Fatalf("second writer: %v (%+v)", err, busy)
	}
	if !strings.Contains(err.Error(), "rapport sync (process ") || !strings.Contains(err.Error(), "--data-dir") {
		t.Fatalf("message %q", err)
	}
	// The demo has a lock of its own: it may run beside the real account.
	demo, err := lockDataDir(dir, true, "the desktop app")
	if err != nil {
		t.Fatalf("demo beside a real writer: %v", err)
	}
	if _, err := lockDataDir(dir, true, "rapport serve"); !errors.As(err, &busy) || !busy.Desktop() {
		t.Fatalf("second demo: %v", err)
	}
	first.release()
	demo.release()
	again, err := lockDataDir(dir, false, "rapport sync")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again.release()
	for path, want := range map[string]bool{"sync": true, "serve": true, "account add": true, "clients add": true,
		"status": false, "clients": false, "timeline": false, "account list": false, "export": false,
		"clients map-folder": true, "libraries add": true, "account remove": true, "a future command": true} {
		if got := lockName(path) != ""; got != want {
			t.Errorf("%s: writer %v, want %v", path, got, want)
		}
	}
}
