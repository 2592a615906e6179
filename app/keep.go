package app

import (
	"context"
	"log/slog"
	"time"

	"rapport/backend/store"
)

// What the user set up by hand is copied beside the store
// (rapport.db.keep, store.Keep), for Start afresh to restore what a
// damaged store cannot give back. The scheduler looks for changes every
// keepEvery (a hash of a few small tables), and a process holding the
// data directory's writer lock once more as it closes (app.go), so that
// what a command-line command changed is copied too.
const keepEvery = time.Minute

// keepHandMade refreshes the copy of an open store. A store that cannot
// be read leaves the last copy as it was.
func (a *App) keepHandMade(st *store.Store) {
	if a.StoreState().Phase != phaseReady {
		return
	}
	// Not the app's context: close cancels it before this last copy.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := st.Keep(ctx); err != nil {
		// A damaged store is told to the user by what met it first.
		level := slog.LevelWarn
		if store.Damaged(err) {
			level = slog.LevelDebug
		}
		a.log.Log(ctx, level, "could not keep a copy of what you set up", "err", err)
	}
}
