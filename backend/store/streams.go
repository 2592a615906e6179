package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"rapport/backend/model"
)

// streamCols reads a stream with its "hot" flag: Inbox, Sent Items and the
// default calendar are the streams the scheduler polls most often.
const streamCols = `s.id, s.account_id, s.kind, s.resource, s.name, s.next_link, s.delta_link, s.items, s.total,
	s.last_sync_at, s.last_error, s.window_start, s.window_end, s.last_attempt_at, s.error_action,
	CASE s.kind
	  WHEN 'mail' THEN EXISTS(SELECT 1 FROM mail_folders f WHERE f.account_id = s.account_id AND f.id = s.resource AND f.well_known IN ('inbox', 'sentitems'))
	  WHEN 'calendar' THEN EXISTS(SELECT 1 FROM calendars c WHERE c.account_id = s.account_id AND c.id = s.resource AND c.is_default = 1)
	  ELSE 0 END`

func scanStream(row interface{ Scan(...any) error }) (model.Stream, error) {
	var st model.Stream
	var last, attempt sql.NullInt64
	var ws, we int64
	err := row.Scan(&st.ID, &st.AccountID, &st.Kind, &st.Resource, &st.Name, &st.NextLink, &st.DeltaLink,
		&st.Items, &st.Total, &last, &st.LastError, &ws, &we, &attempt, &st.ErrorAction, &st.Hot)
	st.LastSyncAt = fromNullMS(last)
	st.LastAttemptAt = fromNullMS(attempt)
	st.WindowStart, st.WindowEnd = fromMS(ws), fromMS(we)
	return st, err
}

// EnsureStream returns the stream for (account, kind, resource), creating it
// if needed and refreshing its display name and size hint (a total of -1
// keeps the stored one).
func (s *Store) EnsureStream(ctx context.Context, accountID int64, kind, resource, name string, total int) (model.Stream, error) {
	_, err := s.exec(ctx, `
		INSERT INTO streams(account_id, kind, resource, name, total) VALUES(?,?,?,?,MAX(?,0))
		ON CONFLICT(account_id, kind, resource) DO UPDATE SET name=excluded.name,
			total=CASE WHEN ? < 0 THEN streams.total ELSE excluded.total END`,
		accountID, kind, resource, name, total, total)
	if err != nil {
		return model.Stream{}, err
	}
	return scanStream(s.db.QueryRowContext(ctx, `SELECT `+streamCols+` FROM streams s WHERE s.account_id=? AND s.kind=? AND s.resource=?`,
		accountID, kind, resource))
}

// Stream reloads one stream.
func (s *Store) Stream(ctx context.Context, id int64) (model.Stream, error) {
	st, err := scanStream(s.db.QueryRowContext(ctx, `SELECT `+streamCols+` FROM streams s WHERE s.id=?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return st, model.ErrNotFound
	}
	return st, err
}

// Streams lists an account's streams: hot ones first, then by kind and name.
func (s *Store) Streams(ctx context.Context, accountID int64) ([]model.Stream, error) {
	return queryRows(ctx, s.db, rowScanner[model.Stream](scanStream).rows, `SELECT `+streamCols+` FROM streams s WHERE s.account_id=?
		ORDER BY s.kind = 'mail-backfill', s.kind, s.name, s.id`, accountID)
}

// SetStreamError records the user-facing sentence of a stream's last failure
// and the action that fixes it ("" clears both).
func (s *Store) SetStreamError(ctx context.Context, streamID int64, msg, action string) error {
	_, err := s.exec(ctx, `UPDATE streams SET last_error=?, error_action=? WHERE id=?`, msg, action, streamID)
	return err
}

// ResetStream forgets a stream's links so the next round is a full one
// (after Graph rejected the stored link with 410).
func (s *Store) ResetStream(ctx context.Context, streamID int64) error {
	_, err := s.exec(ctx, `UPDATE streams SET next_link='', delta_link='' WHERE id=?`, streamID)
	return err
}

// DeleteStream forgets a stream (a folder the user excluded, a calendar
// that is gone). Its rows are the caller's business.
func (s *Store) DeleteStream(ctx context.Context, streamID int64) error {
	_, err := s.exec(ctx, `DELETE FROM streams WHERE id=?`, streamID)
	return err
}

// SetStreamWindow records the window a new round will use (the mail delta
// filter, a backfill segment).
func (s *Store) SetStreamWindow(ctx context.Context, streamID int64, start, end time.Time) error {
	_, err := s.exec(ctx, `UPDATE streams SET window_start=?, window_end=? WHERE id=?`, ms(start), ms(end), streamID)
	return err
}

// BeginRound prepares a stream for a round and stamps the attempt. Starting
// without a stored link is a full round: it gets a new round id so the end
// of the round can tell which rows were not reported. Starting without a
// next link starts a new round at now, which the orphan purge relies on: a
// completed round that started after a message was orphaned has had its
// chance to report the message.
func (s *Store) BeginRound(ctx context.Context, streamID int64) (model.Stream, error) {
	return s.BeginRoundAt(ctx, streamID, s.Tick())
}

// BeginRoundAt is BeginRound for a round that started at at (a Tick taken
// before its first request went out, which may be before this write).
func (s *Store) BeginRoundAt(ctx context.Context, streamID int64, at time.Time) (model.Stream, error) {
	now := ms(at)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE streams SET round_id=round_id+1, round_full=1
			WHERE id=? AND next_link='' AND delta_link=''`, streamID); err != nil {
			return err
		}
		// What an abandoned round staged (a drive's, drive_stage.go) is
		// not this round's.
		if _, err := tx.ExecContext(ctx, `DELETE FROM drive_stage WHERE stream_id=?1
			AND (SELECT next_link FROM streams WHERE id=?1) = ''`, streamID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE streams SET last_attempt_at=?,
			round_started_at=CASE WHEN next_link='' THEN ? ELSE round_started_at END WHERE id=?`, now, now, streamID)
		return err
	})
	if err != nil {
		return model.Stream{}, err
	}
	return s.Stream(ctx, streamID)
}

// StartBaseline begins a new full round over a new window (a calendar
// window that slides) without touching the rows: they stay visible until
// the new round completes and sweeps what it no longer reports.
func (s *Store) StartBaseline(ctx context.Context, streamID int64, start, end, now time.Time) error {
	_, err := s.exec(ctx, `UPDATE streams SET next_link='', delta_link='', window_start=?, window_end=?, baseline_at=?
		WHERE id=?`, ms(start), ms(end), ms(now), streamID)
	return err
}

// BaselineAt is when the stream's current window began its baseline round.
func (s *Store) BaselineAt(ctx context.Context, streamID int64) (time.Time, error) {
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT baseline_at FROM streams WHERE id=?`, streamID).Scan(&v)
	return fromMS(v), err
}

// itemsExpr recomputes a stream's item count after a page: rows it holds for
// mail folders and calendars, listed messages for a backfill.
const itemsExpr = `CASE kind
	WHEN 'mail' THEN (SELECT COUNT(*) FROM message_folders mf WHERE mf.account_id=streams.account_id AND mf.folder_id=streams.resource)
	WHEN 'calendar' THEN (SELECT COUNT(*) FROM events e WHERE e.account_id=streams.account_id AND e.calendar_id=streams.resource)
	ELSE items + ? END`

// saveCheckpoint stores the page's link inside the page's transaction: the
// page and the position after it are committed together or not at all.
// complete marks the round's last page (a deltaLink, or a listing's end).
// changed is false for a page that stored and removed nothing (most polls):
// the item count is then kept, not recounted (a count of a big folder's
// rows on every poll was most of a quiet poll's cost, issue 7).
func saveCheckpoint(ctx context.Context, tx *sql.Tx, streamID int64, next, delta string, complete, changed bool, added int, now time.Time) error {
	count, args := "", []any{}
	if changed {
		count, args = `, items=`+itemsExpr, []any{added}
	}
	var err error
	if complete {
		_, err = tx.ExecContext(ctx, `UPDATE streams SET next_link='', delta_link=?, last_sync_at=?, last_error='', error_action='',
			last_round_start=round_started_at`+count+` WHERE id=?`, append(append([]any{delta, ms(now)}, args...), streamID)...)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE streams SET next_link=?`+count+` WHERE id=?`, append(append([]any{next}, args...), streamID)...)
	}
	return err
}

// StartBackfillSegment begins listing [start, end) of a folder's older mail
// from link; the link is stored at once so an interrupted first request
// resumes the same segment.
func (s *Store) StartBackfillSegment(ctx context.Context, streamID int64, start, end time.Time, link string) error {
	now := ms(s.Tick())
	_, err := s.exec(ctx, `UPDATE streams SET window_start=?, window_end=?, next_link=?, delta_link='', items=0, total=0,
		round_started_at=?, last_attempt_at=? WHERE id=?`, ms(start), ms(end), link, now, now, streamID)
	return err
}

// SetStreamTotal records a stream's progress denominator.
func (s *Store) SetStreamTotal(ctx context.Context, streamID int64, total int) error {
	_, err := s.exec(ctx, `UPDATE streams SET total=? WHERE id=?`, total, streamID)
	return err
}
