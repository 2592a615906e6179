package sync

import (
	"context"
	"errors"
	"time"

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
		// The round's first request goes out before the round's
		// bookkeeping is written (BeginRound, the window): those writes
		// wait for the writer, which a first sync keeps busy, and the
		// folder's first page went out only after them (docs/PERFORMANCE.md
		// §54). The round starts, for the orphan purge, before the request.
		cur, err := e.o.Store.Stream(ctx, st.ID)
		if err != nil {
			return err
		}
		link := cur.NextLink
		if link == "" {
			link = cur.DeltaLink
		}
		var since time.Time
		if link == "" {
			settings, err := e.o.Store.SyncSettings(ctx, acct.ID, e.o.Now())
			if err != nil {
				return err
			}
			since = settings.HistoryStart
			if !cur.WindowStart.IsZero() && cur.WindowStart.Before(since) {
				since = cur.WindowStart // a resync keeps everything the stream covered
			}
			link = graph.MessagesDeltaURL(cur.Resource, since)
		}
		started := e.o.Store.Tick()
		pages := e.mailPager(ctx, gc, link, false)
		if err := e.beginMailRound(ctx, st.ID, started, since, cur.WindowEnd); err != nil {
			pages.close()
			return err
		}
		err = e.mailPages(ctx, acct, mb, st, pages, link, false)
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

// beginMailRound writes what a round needs before its first page is
// applied: the round (BeginRoundAt) and, for a round from the start of
// the history (since set), the stream's window.
func (e *Engine) beginMailRound(ctx context.Context, streamID int64, started, since, windowEnd time.Time) error {
	if _, err := e.o.Store.BeginRoundAt(ctx, streamID, started); err != nil {
		return err
	}
	if since.IsZero() {
		return nil
	}
	return e.o.Store.SetStreamWindow(ctx, streamID, since, windowEnd)
}

// listed is a page of mail: a delta page, or a backfill listing's page
// with the folder's count (-1 for a delta page).
type listed struct {
	page  model.Page[model.Message]
	count int
}

// mailPager fetches a round's pages from link ahead of their writes.
func (e *Engine) mailPager(ctx context.Context, gc *graph.Client, link string, backfill bool) *pager[listed] {
	return newPager(ctx, link, itemPagesAhead, func(ctx context.Context, link string) (listed, error) {
		if backfill {
			page, count, err := gc.ListMessages(ctx, link)
			return listed{page, count}, err
		}
		page, err := gc.MessagesDelta(ctx, link)
		return listed{page, -1}, err
	}, func(l listed) string { return l.page.NextLink })
}

// mailPages applies pages from link to the end of the round (a deltaLink,
// or for a backfill listing the page without a nextLink).
func (e *Engine) mailPages(ctx context.Context, acct model.Account, mb clients.Mailbox, st model.Stream, pages *pager[listed], link string, backfill bool) error {
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
		return e.mailPages(ctx, acct, mb, cur, e.mailPager(ctx, gc, cur.NextLink, true), cur.NextLink, true)
	}
}
