package sync

import (
	"context"
	"errors"

	"rapport/backend/clients"
	"rapport/backend/graph"
	"rapport/backend/model"
	"rapport/backend/store"
)

// runMailStream runs one folder's round to its deltaLink. The first round
// asks for the history window (receivedDateTime ge start); later rounds
// follow the stored link. A rejected link (410) restarts the folder with a
// full round over the same window, which converges: the round's end removes
// what it no longer reports, and nothing disappears before that.
func (e *Engine) runMailStream(ctx context.Context, gc *graph.Client, acct model.Account, mb clients.Mailbox, st model.Stream) error {
	resynced := false
	for {
		cur, err := e.o.Store.BeginRound(ctx, st.ID)
		if err != nil {
			return err
		}
		link := cur.NextLink
		if link == "" {
			link = cur.DeltaLink
		}
		if link == "" {
			settings, err := e.o.Store.SyncSettings(ctx, acct.ID, e.o.Now())
			if err != nil {
				return err
			}
			since := settings.HistoryStart
			if !cur.WindowStart.IsZero() && cur.WindowStart.Before(since) {
				since = cur.WindowStart // a resync keeps everything the stream covered
			}
			if err := e.o.Store.SetStreamWindow(ctx, st.ID, since, cur.WindowEnd); err != nil {
				return err
			}
			link = graph.MessagesDeltaURL(cur.Resource, since)
		}
		err = e.mailPages(ctx, gc, acct, mb, cur, link, false)
		if errors.Is(err, model.ErrResyncRequired) && !resynced {
			resynced = true
			e.o.Log.Info("delta link rejected; starting a full round", "stream", cur.Name)
			if err := e.o.Store.ResetStream(ctx, st.ID); err != nil {
				return err
			}
			continue
		}
		return err
	}
}

// mailPages applies pages from link to the end of the round (a deltaLink,
// or for a backfill listing the page without a nextLink).
func (e *Engine) mailPages(ctx context.Context, gc *graph.Client, acct model.Account, mb clients.Mailbox, st model.Stream, link string, backfill bool) error {
	type listed struct {
		page  model.Page[model.Message]
		count int
	}
	pages := newPager(ctx, link, itemPagesAhead, func(ctx context.Context, link string) (listed, error) {
		if backfill {
			page, count, err := gc.ListMessages(ctx, link)
			return listed{page, count}, err
		}
		page, err := gc.MessagesDelta(ctx, link)
		return listed{page, -1}, err
	}, func(l listed) string { return l.page.NextLink })
	defer pages.close()
	// toPage keeps what the user's mailbox holds (Classify) and stores the
	// listing's count; an internal-only message is not stored, and if an
	// older version of it was, this folder's claim on it is dropped.
	toPage := func(got listed) (store.MailPage, error) {
		page := got.page
		if got.count >= 0 {
			if err := e.o.Store.SetStreamTotal(ctx, st.ID, got.count); err != nil {
				return store.MailPage{}, err
			}
		}
		recs := make([]model.MailRecord, 0, len(page.Items))
		var internal []string
		for _, m := range page.Items {
			r, keep := mb.Classify(m)
			if keep {
				recs = append(recs, r)
			} else {
				internal = append(internal, m.ID)
			}
		}
		return store.MailPage{
			StreamID: st.ID, AccountID: acct.ID, FolderID: st.Resource,
			Records: recs, Removed: append(page.Removed, internal...), NextLink: page.NextLink, DeltaLink: page.DeltaLink, Backfill: backfill,
		}, nil
	}
	for link != "" {
		got, err := pages.wait()
		if err != nil {
			return err
		}
		// The pages that arrived while the last ones were written go in
		// one transaction with this one (docs/PERFORMANCE.md §33).
		batch := make([]store.MailPage, 0, itemPagesPerWrite)
		for ok := true; ok; got, ok = pages.ready() {
			p, err := toPage(got)
			if err != nil {
				return err
			}
			batch = append(batch, p)
			if p.NextLink == "" || len(batch) == itemPagesPerWrite {
				break
			}
		}
		res, err := e.o.Store.ApplyMailPages(ctx, batch)
		if err != nil {
			return err
		}
		if res.Upserted+res.Removed > 0 {
			e.o.Emit(EventDataChanged, DataChanged{Account: acct.UPN, Kinds: []string{model.KindMail}, ClientIDs: nonNil(res.ClientIDs)})
		}
		last := batch[len(batch)-1]
		done := last.DeltaLink != "" || (backfill && last.NextLink == "")
		e.emitProgress(ctx, acct, st.ID, done)
		link = last.NextLink
	}
	return nil
}

// runBackfill lists one folder's older mail, segment by segment, back to
// the account's "Load older history" date. Each segment is a plain list of
// [from, where the folder's mirror starts) with its nextLink stored after
// every page, so it resumes where it stopped; the folder's delta stream is
// never restarted.
func (e *Engine) runBackfill(ctx context.Context, gc *graph.Client, acct model.Account, mb clients.Mailbox, st model.Stream) error {
	settings, err := e.o.Store.SyncSettings(ctx, acct.ID, e.o.Now())
	if err != nil || settings.BackfillFrom == nil {
		return err
	}
	target := *settings.BackfillFrom
	for {
		cur, err := e.o.Store.Stream(ctx, st.ID)
		if err != nil {
			return err
		}
		if cur.NextLink == "" {
			end := cur.WindowStart
			if end.IsZero() {
				// Start where the folder's delta stream's window starts.
				delta, err := e.o.Store.EnsureStream(ctx, acct.ID, model.StreamMail, cur.Resource, cur.Name, -1)
				if err != nil {
					return err
				}
				if delta.WindowStart.IsZero() {
					return nil // its first round has not begun; try again later
				}
				end = delta.WindowStart
			}
			if !end.After(target) {
				return nil // reaches back far enough
			}
			link := graph.MessagesListURL(cur.Resource, target, end, e.o.PageSize)
			if err := e.o.Store.StartBackfillSegment(ctx, st.ID, target, end, link); err != nil {
				return err
			}
			continue
		}
		return e.mailPages(ctx, gc, acct, mb, cur, cur.NextLink, true)
	}
}
