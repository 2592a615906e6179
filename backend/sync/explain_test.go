package sync_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mattn/go-sqlite3"

	rsync "rapport/backend/sync"
)

// A page write that met a damaged page of the store tells the user to
// restart, which checks the store (store/open_problems.go), instead of
// promising a retry that will fail the same way.
func TestADamagedStoreIsExplainedAsSuch(t *testing.T) {
	err := fmt.Errorf("apply mail page: %w", sqlite3.Error{Code: sqlite3.ErrCorrupt})
	got := rsync.Explain(err)
	if !strings.Contains(got, "store is damaged") || !strings.Contains(got, "start it again") || strings.Contains(got, "will retry") {
		t.Fatalf("Explain(a damaged page) = %q", got)
	}
}

// A full disk and a store held by another program are said as such, with
// what to do, not as an unexpected failure with SQLite's words.
func TestAFullDiskAndABusyStoreAreExplained(t *testing.T) {
	for _, c := range []struct {
		code sqlite3.ErrNo
		want string
	}{
		{sqlite3.ErrFull, "The disk is full: Rapport cannot save what it syncs. Free some space; the sync resumes by itself."},
		{sqlite3.ErrBusy, "Another program is using Rapport's store (a backup or a database tool?); the sync resumes once it is done."},
	} {
		if got := rsync.Explain(fmt.Errorf("apply mail page: %w", sqlite3.Error{Code: c.code})); got != c.want {
			t.Errorf("Explain(%v) = %q, want %q", c.code, got, c.want)
		}
	}
}
