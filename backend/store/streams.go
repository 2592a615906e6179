package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"rapport/backend/model"
)

const streamCols = `id, account_id, kind, resource, name, next_link, delta_link, items, total, last_sync_at, last_error`

func scanStream(row interface{ Scan(...any) error }) (model.Stream, error) {
	var st model.Stream
	var last sql.NullInt64
	err := row.Scan(&st.ID, &st.AccountID, &st.Kind, &st.Resource, &st.Name, &st.NextLink, &st.DeltaLink,
		&st.Items, &st.Total, &last, &st.LastError)
	st.LastSyncAt = fromNullMS(last)
	return st, err
}

// EnsureStream returns the stream for (account, kind, resource), creating it
// if needed and refreshing its display name and size hint.
func (s *Store) EnsureStream(ctx context.Context, accountID int64, kind, resource, name string, total int) (model.Stream, error) {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO streams(account_id, kind, resource, name, total) VALUES(?,?,?,?,?)
		ON CONFLICT(account_id, kind, resource) DO UPDATE SET name=excluded.name, total=excluded.total`,
		accountID, kind, resource, name, total)
	if err != nil {
		return model.Stream{}, err
	}
	return scanStream(s.db.QueryRowContext(ctx, `SELECT `+streamCols+` FROM streams WHERE account_id=? AND kind=? AND resource=?`,
		accountID, kind, resource))
}

// Stream reloads one stream.
func (s *Store) Stream(ctx context.Context, id int64) (model.Stream, error) {
	st, err := scanStream(s.db.QueryRowContext(ctx, `SELECT `+streamCols+` FROM streams WHERE id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return st, model.ErrNotFound
	}
	return st, err
}

// Streams lists an account's streams.
func (s *Store) Streams(ctx context.Context, accountID int64) ([]model.Stream, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+streamCols+` FROM streams WHERE account_id=? ORDER BY kind, name, id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Stream
	for rows.Next() {
		st, err := scanStream(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// SetStreamError records the user-facing sentence of a stream's last failure
// ("" clears it).
func (s *Store) SetStreamError(ctx context.Context, streamID int64, msg string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE streams SET last_error=? WHERE id=?`, msg, streamID)
	return err
}

// ResetStream forgets a stream's links so the next round is a full one
// (after Graph rejected the stored link with 410).
func (s *Store) ResetStream(ctx context.Context, streamID int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE streams SET next_link='', delta_link='' WHERE id=?`, streamID)
	return err
}

// saveCheckpoint stores the page's link inside the page's transaction: the
// page and the position after it are committed together or not at all.
func saveCheckpoint(ctx context.Context, tx *sql.Tx, streamID int64, next, delta string, now time.Time) error {
	var err error
	if delta != "" {
		_, err = tx.ExecContext(ctx, `UPDATE streams SET next_link='', delta_link=?, last_sync_at=?, last_error='',
			items=(SELECT COUNT(*) FROM message_folders mf WHERE mf.account_id=streams.account_id AND mf.folder_id=streams.resource)
			WHERE id=?`, delta, ms(now), streamID)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE streams SET next_link=?, items=(SELECT COUNT(*) FROM message_folders mf WHERE mf.account_id=streams.account_id AND mf.folder_id=streams.resource) WHERE id=?`, next, streamID)
	}
	return err
}
