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
	if got := rsync.Explain(fmt.Errorf("apply mail page: %w", sqlite3.Error{Code: sqlite3.ErrFull})); strings.Contains(got, "damaged") {
		t.Fatalf("Explain(a full disk) = %q", got)
	}
}
