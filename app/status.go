package app

import (
	"time"

	"rapport/backend/model"
	rsync "rapport/backend/sync"
)

// Status reports accounts, streams and the sync state: per stream its last
// success, items, and last error in words with the action that fixes it;
// per account whether Microsoft 365 can be reached and the first-sync
// summary. Views keep working from the store whatever it says.
func (a *App) Status() (model.Status, error) {
	st := model.Status{Accounts: []model.AccountStatus{}, Demo: a.demo != nil}
	a.syncMu.Lock()
	st.Syncing = a.syncing
	a.syncMu.Unlock()
	s := a.sched()
	s.mu.Lock()
	st.Focused = s.focused
	s.mu.Unlock()
	eng, store := a.eng(), a.st()
	accts, err := store.Accounts(a.ctx)
	if err != nil {
		return st, err
	}
	offline := 0
	for _, acct := range accts {
		as := model.AccountStatus{UPN: acct.UPN, DisplayName: acct.DisplayName, Streams: []model.StreamStatus{}}
		as.Offline, _ = eng.Offline(acct.ID)
		as.Error, as.Action = eng.DiscoveryError(acct.ID)
		as.FilesEnabled = rsync.HasFileScopes(acct)
		as.FilesError, as.FilesAction = eng.DriveError(acct) // a hint when the file scopes are missing
		if as.Offline {
			offline++
		}
		st.Syncing = st.Syncing || eng.Busy(acct.ID)
		streams, err := store.Streams(a.ctx, acct.ID)
		if err != nil {
			return st, err
		}
		settings, err := store.SyncSettings(a.ctx, acct.ID, time.Now())
		if err != nil {
			return st, err
		}
		var bf *model.BackfillStatus
		for _, s := range streams {
			if s.Kind == model.StreamMailBackfill {
				// Shown as one account-level figure, not a row per folder.
				if settings.BackfillFrom == nil {
					continue
				}
				if bf == nil {
					bf = &model.BackfillStatus{From: *settings.BackfillFrom}
				}
				bf.Items += s.Items
				bf.Total += max(s.Total, s.Items)
				if s.NextLink != "" || s.WindowStart.IsZero() || s.WindowStart.After(*settings.BackfillFrom) {
					bf.Folders++
				}
				continue
			}
			as.Streams = append(as.Streams, streamStatus(s))
			if s.LastSyncAt != nil && (as.LastSync == nil || s.LastSyncAt.After(*as.LastSync)) {
				as.LastSync = s.LastSyncAt
			}
		}
		if bf != nil {
			bf.Done = bf.Folders == 0
			as.Backfill = bf
		}
		if as.FirstSync, err = store.FirstSyncSummary(a.ctx, acct.ID); err != nil {
			return st, err
		}
		discovered, err := store.Discovered(a.ctx, acct.ID)
		if err != nil {
			return st, err
		}
		as.Listing = !discovered
		if as.LastSync != nil && (st.LastSync == nil || as.LastSync.After(*st.LastSync)) {
			st.LastSync = as.LastSync
		}
		// The status screen offers the admin-consent link directly when a
		// stream waits for an administrator's approval.
		needsAdmin := as.Action == model.ActionAdminConsent || as.FilesAction == model.ActionAdminConsent
		for _, s := range as.Streams {
			needsAdmin = needsAdmin || s.Action == model.ActionAdminConsent
		}
		if needsAdmin {
			as.AdminConsentURL = a.adminConsentURL(acct.TenantID)
		}
		st.Accounts = append(st.Accounts, as)
	}
	st.Offline = offline > 0 && offline == len(accts)
	return st, nil
}

func streamStatus(s model.Stream) model.StreamStatus {
	out := model.StreamStatus{ID: s.ID, Kind: s.Kind, Resource: s.Resource, Name: s.Name, Items: s.Items, Total: s.Total,
		LastSync: s.LastSyncAt, Error: s.LastError, LastAttempt: s.LastAttemptAt}
	switch {
	case s.LastError != "":
		out.State, out.Action = "error", s.ErrorAction
		if out.Action == "" {
			out.Action = model.ActionNone
		}
	case s.NextLink != "":
		out.State = "syncing"
	case s.LastSyncAt == nil:
		out.State = "pending"
	default:
		out.State = "ok"
	}
	return out
}
