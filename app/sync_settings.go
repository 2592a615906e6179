package app

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"rapport/backend/model"
	rsync "rapport/backend/sync"
)

// The sync settings of an account (Settings → Mail and calendar): which
// folders and calendars are synced, how far back the history goes, and
// "Load older history". Each call validates, calls one backend function
// and wakes the scheduler so the change takes effect at once.

func (a *App) accountByUPN(upn string) (model.Account, error) {
	if strings.TrimSpace(upn) == "" {
		return model.Account{}, errors.New("no account selected")
	}
	acct, err := a.st().AccountByUPN(a.ctx, strings.TrimSpace(upn))
	if errors.Is(err, model.ErrNotFound) {
		return acct, fmt.Errorf("no account %s is signed in", upn)
	}
	return acct, err
}

// MailFolders lists an account's mail folders in tree order: name, path,
// whether it is synced (and whether that is the default), messages stored
// from it and messages it holds. New folders appear after the next
// discovery (every 5 minutes) and are synced unless the user excludes them.
func (a *App) MailFolders(upn string) ([]model.FolderView, error) {
	acct, err := a.accountByUPN(upn)
	if err != nil {
		return nil, err
	}
	return a.st().MailFolders(a.ctx, acct.ID)
}

// SetFolderIncluded includes or excludes one folder. Excluding removes the
// folder's messages from the store unless another synced folder holds
// them (after every folder's next poll, so a quick undo loses nothing);
// including syncs it at once.
func (a *App) SetFolderIncluded(upn, folderID string, included bool) error {
	acct, err := a.accountByUPN(upn)
	if err != nil {
		return err
	}
	if err := a.st().SetFolderIncluded(a.ctx, acct.ID, folderID, included); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return errors.New("that folder is not in this mailbox any more; reopen the folder list")
		}
		return err
	}
	if err := a.eng().ApplyFolderChoices(a.ctx, acct); err != nil {
		return err
	}
	a.emit(rsync.EventDataChanged, rsync.DataChanged{Account: acct.UPN, Kinds: []string{"folders"}, ClientIDs: []int64{}})
	a.sched().syncNow()
	return nil
}

// Calendars lists an account's calendars: the default one and the user's
// own are synced unless excluded; shared and holiday calendars are not
// unless included.
func (a *App) Calendars(upn string) ([]model.CalendarView, error) {
	acct, err := a.accountByUPN(upn)
	if err != nil {
		return nil, err
	}
	return a.st().Calendars(a.ctx, acct.ID)
}

// SetCalendarIncluded includes or excludes one calendar; an excluded
// calendar's events leave the store at once.
func (a *App) SetCalendarIncluded(upn, calendarID string, included bool) error {
	acct, err := a.accountByUPN(upn)
	if err != nil {
		return err
	}
	if err := a.st().SetCalendarIncluded(a.ctx, acct.ID, calendarID, included); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return errors.New("that calendar is not in this mailbox any more; reopen the calendar list")
		}
		return err
	}
	if err := a.eng().ApplyCalendarChoices(a.ctx, acct); err != nil {
		return err
	}
	a.emit(rsync.EventDataChanged, rsync.DataChanged{Account: acct.UPN, Kinds: []string{"calendars", model.KindMeeting}, ClientIDs: []int64{}})
	a.sched().syncNow()
	return nil
}

// SyncSettings returns an account's history settings: 30/90/180 days or a
// date, how far "Load older history" reached, and the effective start.
func (a *App) SyncSettings(upn string) (model.SyncSettings, error) {
	acct, err := a.accountByUPN(upn)
	if err != nil {
		return model.SyncSettings{}, err
	}
	return a.st().SyncSettings(a.ctx, acct.ID, time.Now())
}

// SetHistory chooses how far back mail and calendar go: days (30, 90 or
// 180) with since "", or since a date "2026-01-31" with days 0. A longer
// history loads the older mail in the background (without restarting
// anything) and widens the calendar; a shorter one keeps what is stored.
func (a *App) SetHistory(upn string, days int, since string) error {
	acct, err := a.accountByUPN(upn)
	if err != nil {
		return err
	}
	var from *time.Time
	switch {
	case strings.TrimSpace(since) != "":
		t, err := time.Parse("2006-01-02", strings.TrimSpace(since))
		if err != nil {
			return errors.New("the history date must look like 2026-01-31")
		}
		if t.After(time.Now()) {
			return errors.New("the history date must be in the past")
		}
		from, days = &t, 0
	case days == 30 || days == 90 || days == 180:
	default:
		return errors.New("choose 30, 90 or 180 days, or a date")
	}
	before, err := a.st().SyncSettings(a.ctx, acct.ID, time.Now())
	if err != nil {
		return err
	}
	if err := a.st().SetHistory(a.ctx, acct.ID, days, from); err != nil {
		return err
	}
	after, err := a.st().SyncSettings(a.ctx, acct.ID, time.Now())
	if err != nil {
		return err
	}
	if after.HistoryStart.Before(before.HistoryStart) {
		if err := a.eng().LoadOlderHistory(a.ctx, acct, after.HistoryStart); err != nil {
			return err
		}
	}
	a.sched().syncNow()
	return nil
}

// LoadOlderHistory reaches days further back than the account's history
// now starts: a bounded backfill per folder, with progress (sync:progress
// events of kind "mail-backfill"; Status().accounts[].backfill), resumable
// after a restart, while the usual polls go on.
func (a *App) LoadOlderHistory(upn string, days int) error {
	acct, err := a.accountByUPN(upn)
	if err != nil {
		return err
	}
	if days <= 0 || days > 3650 {
		return errors.New("choose how many days of older history to load (1 to 3650)")
	}
	set, err := a.st().SyncSettings(a.ctx, acct.ID, time.Now())
	if err != nil {
		return err
	}
	if err := a.eng().LoadOlderHistory(a.ctx, acct, set.HistoryStart.AddDate(0, 0, -days)); err != nil {
		return err
	}
	if !a.sched().syncNow() {
		go func() {
			if err := a.syncAll(a.ctx, acct.UPN); err != nil && a.ctx.Err() == nil {
				a.log.Warn("loading older history failed", "error", rsync.Explain(err))
			}
		}()
	}
	return nil
}

// FirstSyncSummary is the "We found N messages, M meetings with K clients"
// card of an account; null until its first complete sync (the
// sync:first-complete event carries the same figures).
func (a *App) FirstSyncSummary(upn string) (*model.FirstSyncSummary, error) {
	acct, err := a.accountByUPN(upn)
	if err != nil {
		return nil, err
	}
	return a.st().FirstSyncSummary(a.ctx, acct.ID)
}
