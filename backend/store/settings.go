package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"rapport/backend/model"
)

// DefaultHistoryDays is how far back a new account's mail and calendar go.
const DefaultHistoryDays = 90

const ensureSettingsSQL = `INSERT OR IGNORE INTO sync_settings(account_id) VALUES(?)`

func (s *Store) ensureSettings(ctx context.Context, accountID int64) error {
	_, err := s.exec(ctx, ensureSettingsSQL, accountID)
	return err
}

// updateSettings runs query (an UPDATE of the account's sync_settings row)
// in one write transaction with the row's creation if it is missing.
func (s *Store) updateSettings(ctx context.Context, accountID int64, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, ensureSettingsSQL, accountID); err != nil {
			return err
		}
		var err error
		res, err = tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

// SyncSettings returns the account's history settings with the effective
// start of the history as of now.
func (s *Store) SyncSettings(ctx context.Context, accountID int64, now time.Time) (model.SyncSettings, error) {
	var out model.SyncSettings
	var since, backfill sql.NullInt64
	read := func() error {
		return s.db.QueryRowContext(ctx, `SELECT history_days, history_since, backfill_from FROM sync_settings WHERE account_id=?`, accountID).
			Scan(&out.HistoryDays, &since, &backfill)
	}
	// A read (the status asks at every refresh) writes only the first time,
	// to give the account its default settings: a write waits for the
	// writer, which a sync keeps busy.
	err := read()
	if errors.Is(err, sql.ErrNoRows) {
		if err = s.ensureSettings(ctx, accountID); err == nil {
			err = read()
		}
	}
	if err != nil {
		return out, err
	}
	out.HistorySince, out.BackfillFrom = fromNullMS(since), fromNullMS(backfill)
	switch {
	case out.HistorySince != nil:
		out.HistoryStart = *out.HistorySince
	default:
		days := out.HistoryDays
		if days <= 0 {
			days = DefaultHistoryDays
		}
		// Whole days in UTC, so the start does not creep with every poll.
		out.HistoryStart = now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -days)
	}
	if out.BackfillFrom != nil && out.BackfillFrom.Before(out.HistoryStart) {
		out.HistoryStart = *out.BackfillFrom
	}
	return out, nil
}

// SetHistory chooses the history window: days (30, 90, 180...) or, when
// since is not nil, a fixed first day.
func (s *Store) SetHistory(ctx context.Context, accountID int64, days int, since *time.Time) error {
	var v any
	if since != nil {
		v, days = ms(*since), 0
	}
	_, err := s.updateSettings(ctx, accountID, `UPDATE sync_settings SET history_days=?, history_since=? WHERE account_id=?`, days, v, accountID)
	return err
}

// ExtendBackfill moves "Load older history" back to from (never forward).
func (s *Store) ExtendBackfill(ctx context.Context, accountID int64, from time.Time) error {
	_, err := s.updateSettings(ctx, accountID, `UPDATE sync_settings SET backfill_from=MIN(COALESCE(backfill_from, ?), ?) WHERE account_id=?`,
		ms(from), ms(from), accountID)
	return err
}

// SetDiscovered records the start of a complete folder discovery whose
// folders all have streams now (see PurgeThreshold).
func (s *Store) SetDiscovered(ctx context.Context, accountID int64, at time.Time) error {
	_, err := s.updateSettings(ctx, accountID, `UPDATE sync_settings SET discovered_at=? WHERE account_id=?`, ms(at), accountID)
	return err
}

// Discovered says whether the account's folders and calendars have been
// listed completely at least once (SetDiscovered). Until then a first
// sync's streams are not all known: the one the discovery starts early
// (sync/early.go) may be the only one yet.
func (s *Store) Discovered(ctx context.Context, accountID int64) (bool, error) {
	var at sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT discovered_at FROM sync_settings WHERE account_id=?`, accountID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return at.Valid && at.Int64 != 0, err
}

// MarkFirstSync records that every stream of the account completed a round,
// once: it reports true only the first time.
func (s *Store) MarkFirstSync(ctx context.Context, accountID int64, at time.Time) (bool, error) {
	r, err := s.updateSettings(ctx, accountID, `UPDATE sync_settings SET first_sync_at=? WHERE account_id=? AND first_sync_at IS NULL`, ms(at), accountID)
	if err != nil {
		return false, err
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// FirstSyncSummary is the "We found N messages, M meetings with K clients"
// figures of an account; nil until its first complete sync.
func (s *Store) FirstSyncSummary(ctx context.Context, accountID int64) (*model.FirstSyncSummary, error) {
	var at sql.NullInt64
	var upn string
	err := s.db.QueryRowContext(ctx, `SELECT a.upn, ss.first_sync_at FROM accounts a LEFT JOIN sync_settings ss ON ss.account_id = a.id WHERE a.id=?`, accountID).Scan(&upn, &at)
	if err == sql.ErrNoRows {
		return nil, model.ErrNotFound
	}
	if err != nil || !at.Valid {
		return nil, err
	}
	out := &model.FirstSyncSummary{Account: upn, At: fromMS(at.Int64)}
	err = s.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM messages WHERE account_id = ?),
		(SELECT COUNT(*) FROM events WHERE account_id = ? AND is_cancelled = 0),
		(SELECT COUNT(DISTINCT client_id) FROM links WHERE account_id = ?)`, accountID, accountID, accountID).
		Scan(&out.Messages, &out.Meetings, &out.Clients)
	return out, err
}
