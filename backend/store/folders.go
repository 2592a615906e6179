package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"rapport/backend/model"
)

// FolderRow is one mail folder as a discovery found it.
type FolderRow struct {
	ID, ParentID, Name, Path, WellKnown string
	Hidden                              bool
	Total                               int
	DefaultIncluded                     bool
}

const upsertFolderSQL = `INSERT INTO mail_folders(account_id, id, parent_id, name, path, well_known, hidden, total, default_included, ord, seen_at)
	VALUES(?,?,?,?,?,?,?,?,?,?,?)
	ON CONFLICT(account_id, id) DO UPDATE SET parent_id=excluded.parent_id, name=excluded.name, path=excluded.path,
		well_known=CASE WHEN excluded.well_known <> '' THEN excluded.well_known ELSE mail_folders.well_known END,
		hidden=excluded.hidden, total=excluded.total, default_included=excluded.default_included, ord=excluded.ord, seen_at=excluded.seen_at`

// folderArgs are upsertFolderSQL's arguments for row r, at position ord of
// its discovery.
func folderArgs(accountID int64, r FolderRow, ord int, at time.Time) []any {
	return []any{accountID, r.ID, r.ParentID, r.Name, r.Path, r.WellKnown, r.Hidden, r.Total, r.DefaultIncluded, ord, ms(at)}
}

// SaveFolder records one folder found before the rest of its discovery
// (the largest main folder of a first discovery, whose stream starts at
// once, sync/early.go): upserted as SaveFolders would, nothing forgotten.
// The discovery's SaveFolders, with the same at, then records it again
// among the others.
func (s *Store) SaveFolder(ctx context.Context, accountID int64, r FolderRow, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, upsertFolderSQL, folderArgs(accountID, r, 0, at)...)
		return err
	})
}

// SaveFolders records a complete folder discovery in one transaction: every
// listed folder is upserted (the user's choice kept), and folders no longer
// listed are forgotten. It returns the ids of the forgotten folders, whose
// streams the caller drops.
func (s *Store) SaveFolders(ctx context.Context, accountID int64, rows []FolderRow, at time.Time) (gone []string, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		up, err := tx.PrepareContext(ctx, upsertFolderSQL)
		if err != nil {
			return err
		}
		defer up.Close()
		for i, r := range rows {
			if _, err := up.ExecContext(ctx, folderArgs(accountID, r, i, at)...); err != nil {
				return fmt.Errorf("save folder: %w", err)
			}
		}
		q, err := tx.QueryContext(ctx, `SELECT id FROM mail_folders WHERE account_id=? AND seen_at<>?`, accountID, ms(at))
		if err != nil {
			return err
		}
		for q.Next() {
			var id string
			if err := q.Scan(&id); err != nil {
				q.Close()
				return err
			}
			gone = append(gone, id)
		}
		q.Close()
		_, err = tx.ExecContext(ctx, `DELETE FROM mail_folders WHERE account_id=? AND seen_at<>?`, accountID, ms(at))
		return err
	})
	return gone, err
}

const folderViewCols = `f.id, f.name, f.path, f.parent_id, f.well_known, f.hidden, COALESCE(f.included, f.default_included), f.default_included,
	(SELECT COUNT(*) FROM message_folders mf WHERE mf.account_id = f.account_id AND mf.folder_id = f.id), f.total`

func scanFolders(rows *sql.Rows) ([]model.FolderView, error) {
	defer rows.Close()
	out := []model.FolderView{}
	for rows.Next() {
		var v model.FolderView
		if err := rows.Scan(&v.ID, &v.Name, &v.Path, &v.ParentID, &v.WellKnown, &v.Hidden, &v.Included, &v.Default, &v.Items, &v.Total); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// MailFolders lists the account's folders in tree order with the user's
// choices and how many messages each holds in the store.
func (s *Store) MailFolders(ctx context.Context, accountID int64) ([]model.FolderView, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+folderViewCols+` FROM mail_folders f WHERE f.account_id=? ORDER BY f.ord`, accountID)
	if err != nil {
		return nil, err
	}
	return scanFolders(rows)
}

// IncludedFolders lists the folders to sync.
func (s *Store) IncludedFolders(ctx context.Context, accountID int64) ([]model.FolderView, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+folderViewCols+` FROM mail_folders f
		WHERE f.account_id=? AND COALESCE(f.included, f.default_included) = 1 ORDER BY f.ord`, accountID)
	if err != nil {
		return nil, err
	}
	return scanFolders(rows)
}

// SetFolderIncluded records the user's choice for one folder.
func (s *Store) SetFolderIncluded(ctx context.Context, accountID int64, folderID string, included bool) error {
	r, err := s.exec(ctx, `UPDATE mail_folders SET included=? WHERE account_id=? AND id=?`, included, accountID, folderID)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("no folder %q in this mailbox: %w", folderID, model.ErrNotFound)
	}
	return nil
}

// DropFolder forgets that a folder holds anything (it was excluded or is
// gone) and deletes its streams. Messages no other synced folder holds are
// orphaned, and purged like any other removal once every folder had its
// round — so a folder excluded by mistake and included again at once loses
// nothing.
func (s *Store) DropFolder(ctx context.Context, accountID int64, folderID string) error {
	now := s.Tick()
	return s.tx(ctx, func(tx *sql.Tx) error {
		ids, err := queryColumn[string](ctx, tx, `SELECT message_id FROM message_folders WHERE account_id=? AND folder_id=?`, accountID, folderID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := removeFromFolder(ctx, tx, accountID, id, folderID, now); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM streams WHERE account_id=? AND kind IN ('mail', 'mail-backfill') AND resource=?`, accountID, folderID)
		return err
	})
}

// SaveCalendars records the account's calendars (a complete listing) and
// returns the ids of calendars that are gone.
func (s *Store) SaveCalendars(ctx context.Context, accountID int64, cals []model.Calendar, at time.Time) (gone []string, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for _, c := range cals {
			if _, err := tx.ExecContext(ctx, `INSERT INTO calendars(account_id, id, name, is_default, can_edit, owner_address, seen_at)
				VALUES(?,?,?,?,?,?,?) ON CONFLICT(account_id, id) DO UPDATE SET name=excluded.name, is_default=excluded.is_default,
				can_edit=excluded.can_edit, owner_address=excluded.owner_address, seen_at=excluded.seen_at`,
				accountID, c.ID, c.Name, c.IsDefault, c.CanEdit, c.Owner.Address, ms(at)); err != nil {
				return err
			}
		}
		q, err := tx.QueryContext(ctx, `SELECT id FROM calendars WHERE account_id=? AND seen_at<>?`, accountID, ms(at))
		if err != nil {
			return err
		}
		for q.Next() {
			var id string
			if err := q.Scan(&id); err != nil {
				q.Close()
				return err
			}
			gone = append(gone, id)
		}
		q.Close()
		_, err = tx.ExecContext(ctx, `DELETE FROM calendars WHERE account_id=? AND seen_at<>?`, accountID, ms(at))
		return err
	})
	return gone, err
}

// defaultCalendarIncluded: the default calendar and the user's own
// (editable) calendars are synced unless the user says otherwise; shared,
// holiday and birthday calendars are not.
const calendarViewSQL = `SELECT c.id, c.name, c.is_default, COALESCE(c.included, c.is_default OR c.can_edit),
	(SELECT COUNT(*) FROM events e WHERE e.account_id = c.account_id AND e.calendar_id = c.id)
	FROM calendars c WHERE c.account_id=?`

// Calendars lists the account's calendars, the default first.
func (s *Store) Calendars(ctx context.Context, accountID int64) ([]model.CalendarView, error) {
	rows, err := s.db.QueryContext(ctx, calendarViewSQL+` ORDER BY c.is_default DESC, c.name`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []model.CalendarView{}
	for rows.Next() {
		var v model.CalendarView
		if err := rows.Scan(&v.ID, &v.Name, &v.IsDefault, &v.Included, &v.Items); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SetCalendarIncluded records the user's choice for one calendar.
func (s *Store) SetCalendarIncluded(ctx context.Context, accountID int64, calendarID string, included bool) error {
	r, err := s.exec(ctx, `UPDATE calendars SET included=? WHERE account_id=? AND id=?`, included, accountID, calendarID)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("no calendar %q in this mailbox: %w", calendarID, model.ErrNotFound)
	}
	return nil
}

// DropCalendar deletes a calendar's events, their links and its stream (the
// user excluded it, or it is gone). It returns the clients whose timelines
// lost meetings.
func (s *Store) DropCalendar(ctx context.Context, accountID int64, calendarID string) ([]int64, error) {
	var clients []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		clients, err = deleteEvents(ctx, tx, accountID, `calendar_id = ?`, calendarID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM streams WHERE account_id=? AND kind='calendar' AND resource=?`, accountID, calendarID)
		return err
	})
	return clients, err
}
