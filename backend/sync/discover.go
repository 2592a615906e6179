package sync

import (
	"context"
	"errors"
	"strings"
	gosync "sync"
	"time"

	"rapport/backend/graph"
	"rapport/backend/model"
	"rapport/backend/store"
)

// excludedFolders are well-known folders that hold no client activity worth
// mirroring by default (DESIGN: Junk, Drafts, Outbox, Conversation History,
// Sync Issues and its children). Their subfolders are excluded too. The
// user can include any of them in Settings.
var excludedFolders = []string{"junkemail", "drafts", "outbox", "conversationhistory", "syncissues", "conflicts", "localfailures", "serverfailures"}

// Discover lists every mail folder (recursively, hidden ones included,
// search folders skipped) and every calendar, records them with their
// defaults, and makes the set of streams match the folders and calendars
// to sync: new folders get a stream at once, excluded or vanished ones lose
// theirs. The discovery's start is recorded last, for the orphan purge.
func (e *Engine) Discover(ctx context.Context, acct model.Account) error {
	return e.discover(ctx, acct, nil)
}

// discover is Discover; on an account's first discovery it also gives the
// largest of the mailbox's main folders (earlyFolders) its stream as soon
// as their own requests have answered, and starts its round (early, when
// not nil), before the rest of the discovery is done: a first sync waits
// for its largest folder, whose pages come one after another.
func (e *Engine) discover(ctx context.Context, acct model.Account, early *earlyRun) (err error) {
	as := e.state(acct.ID)
	as.discoverMu.Lock()
	defer as.discoverMu.Unlock()
	defer func() {
		e.mu.Lock()
		as.discErr = err
		e.mu.Unlock()
		if err == nil || errors.As(err, new(*CalendarAccessError)) {
			e.setOffline(acct, false)
		} else if errors.Is(err, model.ErrOffline) {
			e.setOffline(acct, true)
		}
	}()
	start := e.o.Store.Tick()
	gc := e.client(acct)
	var largest func(wellKnown string, f model.MailFolder, found bool)
	if early != nil {
		if known, err := e.o.Store.MailFolders(ctx, acct.ID); err == nil && len(known) == 0 {
			// The four main lookups, then the largest folder's first
			// request, go before the discovery's other requests. When the
			// names are known already (no lookup is made), wellKnownIDs
			// calls largest with found false at once, which lets go.
			early.holdGate(gc.Gate)
			defer early.release() // however the discovery ends
			largest = func(wellKnown string, f model.MailFolder, found bool) {
				if !found || !e.startEarly(ctx, acct, wellKnown, f, start, early.start) {
					early.release()
				}
			}
		}
	}

	// The folder tree, the well-known names and the calendars are read
	// concurrently (the gate keeps the mailbox at 4 requests in flight).
	var (
		wg                gosync.WaitGroup
		wk                map[string]string
		wkErr, calListErr error
		cals              []model.Calendar
	)
	wg.Add(2)
	go func() { defer wg.Done(); wk, wkErr = e.wellKnownIDs(ctx, gc, acct, largest) }()
	go func() { defer wg.Done(); cals, calListErr = gc.Calendars(ctx) }()
	folders, err := gc.MailFolders(ctx)
	wg.Wait()
	if err != nil {
		return err
	}
	// Then some twenty short writes, one after another: drive pages, which
	// may be writing by now (SyncAccount), wait until they are done, or
	// each would wait for one and the mail would start seconds late.
	release := e.o.Store.HoldBulkWrites()
	defer release()
	if err := wkErr; err != nil {
		return err
	}
	byID := map[string]model.MailFolder{}
	for _, f := range folders {
		byID[f.ID] = f
	}
	excluded := map[string]bool{}
	for id, name := range wk {
		for _, x := range excludedFolders {
			if name == x {
				excluded[id] = true
			}
		}
	}
	rows := make([]store.FolderRow, 0, len(folders))
	for _, f := range folders {
		path, def := []string{f.DisplayName}, !excluded[f.ID]
		for p, depth := f.ParentFolderID, 0; depth < 20; depth++ {
			parent, ok := byID[p]
			if !ok {
				break
			}
			if excluded[parent.ID] {
				def = false
			}
			path = append([]string{parent.DisplayName}, path...)
			p = parent.ParentFolderID
		}
		rows = append(rows, store.FolderRow{ID: f.ID, ParentID: f.ParentFolderID, Name: f.DisplayName, Path: strings.Join(path, "/"),
			WellKnown: wk[f.ID], Hidden: f.IsHidden, Total: f.TotalItemCount, DefaultIncluded: def})
	}
	gone, err := e.o.Store.SaveFolders(ctx, acct.ID, rows, start)
	if err != nil {
		return err
	}
	for _, id := range gone {
		if err := e.o.Store.DropFolder(ctx, acct.ID, id); err != nil {
			return err
		}
	}
	if err := e.ApplyFolderChoices(ctx, acct); err != nil {
		return err
	}

	var calErr error
	err = calListErr
	switch {
	case err == nil:
		gone, err := e.o.Store.SaveCalendars(ctx, acct.ID, cals, start)
		if err != nil {
			return err
		}
		for _, id := range gone {
			if _, err := e.o.Store.DropCalendar(ctx, acct.ID, id); err != nil {
				return err
			}
		}
		if err := e.ApplyCalendarChoices(ctx, acct); err != nil {
			return err
		}
	case errors.Is(err, model.ErrAccessDenied):
		// No calendar permission (an older sign-in): mail still syncs; the
		// error tells the user how to add it.
		calErr = &CalendarAccessError{Err: err}
	default:
		return err
	}
	if err := e.o.Store.SetDiscovered(ctx, acct.ID, start); err != nil {
		return err
	}
	return calErr
}

// earlyFolders are the well-known folders that may hold most of a
// mailbox (the Inbox, Sent Items, Archive, Deleted Items), never excluded
// by default: on a first discovery the largest starts before the rest is
// listed (discover).
var earlyFolders = []string{"inbox", "sentitems", "deleteditems", "archive"}

// wellKnownIDs resolves the well-known folder names Rapport cares about to
// ids, once per account (folder ids never change). With largest set, the
// earlyFolders are asked first and the largest of them, once all have
// answered, is passed to it while the other lookups go on; it is called
// with found false when none was found or no lookup is made.
func (e *Engine) wellKnownIDs(ctx context.Context, gc *graph.Client, acct model.Account, largest func(wellKnown string, f model.MailFolder, found bool)) (map[string]string, error) {
	as := e.state(acct.ID)
	e.mu.Lock()
	if len(as.wellKnown) > 0 {
		out := make(map[string]string, len(as.wellKnown))
		for k, v := range as.wellKnown {
			out[k] = v
		}
		e.mu.Unlock()
		if largest != nil {
			largest("", model.MailFolder{}, false) // known already: no early start
		}
		return out, nil
	}
	e.mu.Unlock()
	out := map[string]string{}
	names := append(append([]string{}, earlyFolders...), excludedFolders...)
	folders := make([]model.MailFolder, len(names))
	errs := make([]error, len(names))
	var wg, early gosync.WaitGroup
	for i, name := range names { // concurrently: one GET each, the gate keeps 4 in flight
		wg.Add(1)
		c := ctx
		if largest != nil && i < len(earlyFolders) {
			early.Add(1)
			c = graph.Urgent(ctx) // before the other discovery requests
		}
		go func() {
			defer wg.Done()
			folders[i], errs[i] = gc.MailFolder(c, name)
			if c != ctx {
				early.Done()
			}
		}()
	}
	if largest != nil {
		early.Wait()
		pick := -1
		for i := range earlyFolders {
			if errs[i] == nil && (pick < 0 || folders[i].TotalItemCount > folders[pick].TotalItemCount) {
				pick = i
			}
		}
		if pick >= 0 {
			largest(names[pick], folders[pick], true)
		} else {
			largest("", model.MailFolder{}, false)
		}
	}
	wg.Wait()
	for i, name := range names {
		switch err := errs[i]; {
		case err == nil:
			out[folders[i].ID] = name
		case errors.Is(err, model.ErrNotFound) && !errors.Is(err, model.ErrMailboxUnavailable):
			// this mailbox has no such folder
		default:
			return nil, err
		}
	}
	e.mu.Lock()
	as.wellKnown = out
	e.mu.Unlock()
	return out, nil
}

// startEarly records one of the earlyFolders of a first discovery and its
// stream, as the discovery will (a top-level folder, included by default),
// and hands the stream to ready. A failure here only means the folder
// starts with the others.
func (e *Engine) startEarly(ctx context.Context, acct model.Account, wellKnown string, f model.MailFolder, at time.Time, ready func(int64)) (started bool) {
	row := store.FolderRow{ID: f.ID, ParentID: f.ParentFolderID, Name: f.DisplayName, Path: f.DisplayName, WellKnown: wellKnown,
		Hidden: f.IsHidden, Total: f.TotalItemCount, DefaultIncluded: true}
	if err := e.o.Store.SaveFolder(ctx, acct.ID, row, at); err != nil {
		return false
	}
	st, err := e.o.Store.EnsureStream(ctx, acct.ID, model.StreamMail, f.ID, f.DisplayName, f.TotalItemCount)
	if err != nil {
		return false
	}
	ready(st.ID)
	return true
}

// ApplyFolderChoices makes the mail streams match the folders to sync,
// without any request: a stream for each included folder, none for the
// others (their messages are orphaned and purged once every folder had its
// round, unless another folder holds them). Backfill streams follow.
func (e *Engine) ApplyFolderChoices(ctx context.Context, acct model.Account) error {
	all, err := e.o.Store.MailFolders(ctx, acct.ID)
	if err != nil {
		return err
	}
	streams, err := e.o.Store.Streams(ctx, acct.ID)
	if err != nil {
		return err
	}
	has := map[string]bool{}
	for _, s := range streams {
		if s.Kind == model.StreamMail {
			has[s.Resource] = true
		}
	}
	settings, err := e.o.Store.SyncSettings(ctx, acct.ID, e.o.Now())
	if err != nil {
		return err
	}
	for _, f := range all {
		switch {
		case f.Included:
			if _, err := e.o.Store.EnsureStream(ctx, acct.ID, model.StreamMail, f.ID, f.Name, f.Total); err != nil {
				return err
			}
			if settings.BackfillFrom != nil {
				if _, err := e.o.Store.EnsureStream(ctx, acct.ID, model.StreamMailBackfill, f.ID, f.Name, -1); err != nil {
					return err
				}
			}
		case has[f.ID]:
			if err := e.o.Store.DropFolder(ctx, acct.ID, f.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// ApplyCalendarChoices makes the calendar streams match the calendars to
// sync; an excluded calendar's events leave the store at once.
func (e *Engine) ApplyCalendarChoices(ctx context.Context, acct model.Account) error {
	cals, err := e.o.Store.Calendars(ctx, acct.ID)
	if err != nil {
		return err
	}
	streams, err := e.o.Store.Streams(ctx, acct.ID)
	if err != nil {
		return err
	}
	has := map[string]bool{}
	for _, s := range streams {
		if s.Kind == model.StreamCalendar {
			has[s.Resource] = true
		}
	}
	for _, c := range cals {
		switch {
		case c.Included:
			if _, err := e.o.Store.EnsureStream(ctx, acct.ID, model.StreamCalendar, c.ID, c.Name, -1); err != nil {
				return err
			}
		case has[c.ID]:
			ids, err := e.o.Store.DropCalendar(ctx, acct.ID, c.ID)
			if err != nil {
				return err
			}
			e.o.Emit(EventDataChanged, DataChanged{Account: acct.UPN, Kinds: []string{model.KindMeeting}, ClientIDs: nonNil(ids)})
		}
	}
	return nil
}

// LoadOlderHistory extends the account's mail history back to from: one
// bounded, resumable backfill stream per synced folder lists the messages
// received between from and where the folder's delta window starts. The
// delta streams keep their tokens; the calendar window widens with its next
// baseline round.
func (e *Engine) LoadOlderHistory(ctx context.Context, acct model.Account, from time.Time) error {
	if err := e.o.Store.ExtendBackfill(ctx, acct.ID, from); err != nil {
		return err
	}
	return e.ApplyFolderChoices(ctx, acct)
}
