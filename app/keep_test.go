package app

import (
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	"rapport/internal/poll"
)

// While Rapport runs, what the user set up is copied beside the store
// without waiting for the app to close: a desktop that is killed, or a
// laptop whose battery dies, still leaves a copy for Start afresh.
func TestTheRunningAppKeepsACopyOfWhatTheUserSetUp(t *testing.T) {
	t.Parallel()
	a := newDemoApp(t, PollIntervals{Focused: time.Second, Background: 20 * time.Second, Other: 20 * time.Second, Discovery: 20 * time.Second})
	clients, err := a.Clients()
	if err != nil || len(clients) == 0 {
		t.Fatalf("the demo's clients: %v %v", clients, err)
	}
	copyPath := a.st().Path() + ".keep"
	startScheduler(t, a)
	var kept int
	poll.Until(t, func() bool {
		if _, err := os.Stat(copyPath); err != nil {
			return false
		}
		db, err := sql.Open("sqlite3", "file:"+copyPath+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		return db.QueryRow(`SELECT COUNT(*) FROM clients`).Scan(&kept) == nil && kept == len(clients)
	}, func() string { return fmt.Sprintf("%d of the %d clients in the copy", kept, len(clients)) })
}
