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

// calendarWindow is the window the calendar should cover now: from the
// start of the account's history to CalendarAhead from today, in whole days.
func (e *Engine) calendarWindow(ctx context.Context, acct model.Account) (time.Time, time.Time, error) {
	settings, err := e.o.Store.SyncSettings(ctx, acct.ID, e.o.Now())
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	day := e.o.Now().UTC().Truncate(24 * time.Hour)
	return settings.HistoryStart.UTC().Truncate(24 * time.Hour), day.Add(e.o.CalendarAhead), nil
}

// runCalendarDelta runs the default calendar's calendarView delta round.
// The window is fixed in the token, so it slides by starting a new baseline
// round — once a week, or at once when the history setting moved its start
// — and the rows of the old window stay until the new round completes and
// sweeps what it did not report: the user never sees an empty calendar.
func (e *Engine) runCalendarDelta(ctx context.Context, gc *graph.Client, acct model.Account, mb clients.Mailbox, st model.Stream) error {
	ws, we, err := e.calendarWindow(ctx, acct)
	if err != nil {
		return err
	}
	if st.NextLink == "" { // never restart a round that is under way
		baseline, err := e.o.Store.BaselineAt(ctx, st.ID)
		if err != nil {
			return err
		}
		stale := st.DeltaLink == "" || st.WindowEnd.IsZero() ||
			e.o.Now().Sub(baseline) >= e.o.SlideEvery ||
			ws.Before(st.WindowStart.Add(-24*time.Hour)) || // history extended
			ws.After(st.WindowStart.Add(e.o.SlideEvery+24*time.Hour)) // history shortened
		if stale {
			if err := e.o.Store.StartBaseline(ctx, st.ID, ws, we, e.o.Now()); err != nil {
				return err
			}
		}
	}
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
			link = graph.CalendarViewDeltaURL(cur.WindowStart, cur.WindowEnd)
		}
		err = e.eventPages(ctx, gc, acct, mb, cur, link, false)
		if errors.Is(err, model.ErrResyncRequired) && !resynced {
			// A full round over the same window; rows stay until it ends.
			resynced = true
			e.o.Log.Info("calendar delta link rejected; starting a full round", "stream", cur.Name)
			if err := e.o.Store.ResetStream(ctx, st.ID); err != nil {
				return err
			}
			continue
		}
		return err
	}
}

// runCalendarListing reads a calendar other than the default one. v1.0
// documents no change tracking for it (/me/calendars/{id}/calendarView/delta
// is beta-only), so each round lists its calendarView over the window and
// the round's end deletes the rows in the window it did not list.
func (e *Engine) runCalendarListing(ctx context.Context, gc *graph.Client, acct model.Account, mb clients.Mailbox, st model.Stream) error {
	cur, err := e.o.Store.BeginRound(ctx, st.ID)
	if err != nil {
		return err
	}
	link := cur.NextLink
	if link == "" {
		ws, we, err := e.calendarWindow(ctx, acct)
		if err != nil {
			return err
		}
		if err := e.o.Store.SetStreamWindow(ctx, st.ID, ws, we); err != nil {
			return err
		}
		link = graph.CalendarViewURL(cur.Resource, ws, we, e.o.PageSize)
	}
	return e.eventPages(ctx, gc, acct, mb, cur, link, true)
}

func (e *Engine) eventPages(ctx context.Context, gc *graph.Client, acct model.Account, mb clients.Mailbox, st model.Stream, link string, listing bool) error {
	pages := newPager(ctx, link, itemPagesAhead, func(ctx context.Context, link string) (model.Page[model.Event], error) {
		if listing {
			return gc.CalendarView(ctx, link)
		}
		return gc.EventsDelta(ctx, link)
	}, model.Page[model.Event].Next)
	defer pages.close()
	for link != "" {
		page, err := pages.wait()
		if err != nil {
			return err
		}
		recs := make([]model.EventRecord, 0, len(page.Items))
		var dropped []string
		for _, ev := range page.Items {
			r, keep := mb.ClassifyEvent(ev)
			if keep {
				recs = append(recs, r)
			} else {
				dropped = append(dropped, ev.ID)
			}
		}
		complete := page.DeltaLink != "" || (listing && page.NextLink == "")
		res, err := e.o.Store.ApplyEventPage(ctx, store.EventPage{
			StreamID: st.ID, AccountID: acct.ID, CalendarID: st.Resource, Records: recs, Removed: page.Removed, Dropped: dropped,
			NextLink: page.NextLink, DeltaLink: page.DeltaLink, Complete: complete,
		})
		if err != nil {
			return err
		}
		if res.Upserted+res.Removed > 0 {
			e.o.Emit(EventDataChanged, DataChanged{Account: acct.UPN, Kinds: []string{model.KindMeeting}, ClientIDs: nonNil(res.ClientIDs)})
		}
		e.emitProgress(ctx, acct, st.ID, complete)
		link = page.NextLink
	}
	return nil
}
