package sync_test

import (
	"strings"
	"testing"

	rsync "rapport/backend/sync"
)

// On a first sync Graph gives a calendar no count, so the scheduler cannot
// know it is long; it starts it before the mail folders rather than after
// them (one stream at a time here, so the order shows in the requests), and
// the folders follow largest first. (The largest main folder is not the
// scheduler's: it started during the discovery, early.go.)
func TestFirstSyncStartsTheCalendarFirstThenTheLargestFolders(t *testing.T) {
	h := newHarness(t, func(c *config) { c.engine = func(o *rsync.Options) { o.MaxConcurrent = 1 } })
	h.sync(t)
	early := h.largestMainFolder(t)
	sizes := map[string]int{} // folder id → items the simulator holds
	for _, f := range h.sim.Folders() {
		if f.ID != early {
			sizes[f.ID] = f.TotalItemCount
		}
	}
	var order []string // "calendar" or a folder's id, by first request
	seen := map[string]bool{}
	for _, r := range h.sim.Requests() {
		key := ""
		switch {
		case strings.Contains(r.Path, "/calendarView"):
			key = "calendar"
		case strings.HasSuffix(r.Path, "/messages/delta"):
			for id := range sizes {
				if strings.Contains(r.Path, id) {
					key = id
				}
			}
		}
		if key != "" && !seen[key] {
			seen[key] = true
			order = append(order, key)
		}
	}
	if len(order) < 3 || order[0] != "calendar" {
		t.Fatalf("first requests by stream: %v, want the calendar first", order)
	}
	for i := 2; i < len(order); i++ {
		if sizes[order[i]] > sizes[order[i-1]] {
			t.Fatalf("folder %s (%d items) started after %s (%d items)", order[i], sizes[order[i]], order[i-1], sizes[order[i-1]])
		}
	}
}
