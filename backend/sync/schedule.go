package sync

import (
	"context"
	"math"
	"sort"

	"rapport/backend/model"
	"rapport/backend/store"
)

// schedule groups a pass's streams by the host their requests go to —
// "mailbox" for mail and calendars (Outlook counts them together), the
// drive host for a drive — and orders each group longest first by what the
// stream is known to hold (a folder's totalItemCount, the rows of earlier
// rounds). Longest first keeps the longest chain of sequential pages from
// starting late. A stream whose size is not known yet — a calendar before
// its first round, as Graph gives no count — goes first: it may be the
// longest (the heavy tenant's calendar is 30 pages; scheduled last it
// started when the mail folders were done and ended after them). A stream
// whose host cannot be read joins the mailbox's.
func (e *Engine) schedule(ctx context.Context, acct model.Account, ids []int64) []hostQueue {
	type planned struct {
		id   int64
		size int
	}
	hosts := map[string][]planned{}
	var order []string
	for _, id := range ids {
		host, size := "mailbox", 0
		if st, err := e.o.Store.Stream(ctx, id); err == nil {
			size = max(st.Total, st.Items)
			if size == 0 && st.Kind == model.StreamCalendar {
				size = math.MaxInt
			}
			if st.Kind == model.StreamDrive {
				driveID, rootID := store.ParseDriveResource(st.Resource)
				if row, err := e.o.Store.Drive(ctx, acct.ID, driveID, rootID); err == nil && row.Host != "" {
					host = "drive:" + row.Host
				}
			}
		}
		if _, ok := hosts[host]; !ok {
			order = append(order, host)
		}
		hosts[host] = append(hosts[host], planned{id, size})
	}
	out := make([]hostQueue, 0, len(order))
	for _, h := range order {
		q := hosts[h]
		sort.SliceStable(q, func(i, j int) bool { return q[i].size > q[j].size })
		ids := make([]int64, len(q))
		for i, p := range q {
			ids[i] = p.id
		}
		out = append(out, hostQueue{host: h, ids: ids})
	}
	return out
}

// hostQueue is one host's streams of a pass, in the order they start.
type hostQueue struct {
	host string // "mailbox" or "drive:" and the drive's host
	ids  []int64
}

// maxDrivePageSize is the largest page a drive delta or children listing
// returns ($top up to 1000): a first round over a 30,000-item OneDrive is
// then 35 requests, not 300.
const maxDrivePageSize = 1000
