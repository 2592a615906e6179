package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"rapport/backend/model"
)

// EventPage is one page of a calendar stream: a calendarView delta page,
// or a page of a windowed calendarView listing (other calendars).
type EventPage struct {
	StreamID   int64
	AccountID  int64
	CalendarID string
	Records    []model.EventRecord
	// Removed are Graph's @removed ids. Graph also reports events that
	// left the window (or changed outside it) this way, so only rows whose
	// stored times lie inside the stream's window are deleted.
	Removed []string
	// Dropped are events that must not be stored whatever their times
	// (they became internal-only).
	Dropped   []string
	NextLink  string
	DeltaLink string
	// Complete marks the round's last page: the one with the deltaLink, or
	// a listing's page without a nextLink.
	Complete bool
}

// linkEventSQL (rules.go) links one event by the same rules as mail.

// ApplyEventPage writes one calendar page in one transaction with the
// stream's checkpoint. The last page of a full round (a first round, a
// window slide, a resync after 410, every listing) deletes the rows inside
// the window that the round did not report; until then the old rows stay,
// so a slide never shows an empty calendar.
func (s *Store) ApplyEventPage(ctx context.Context, p EventPage) (ApplyResult, error) {
	var res ApplyResult
	ctx, err := pageCtx(ctx) // write.go
	if err != nil {
		return res, err
	}
	now := time.Now().UTC()
	clients := map[int64]bool{}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var round, ws, we int64
		var full bool
		if err := tx.QueryRowContext(ctx, `SELECT round_id, round_full, window_start, window_end FROM streams WHERE id=?`, p.StreamID).
			Scan(&round, &full, &ws, &we); err != nil {
			return fmt.Errorf("load stream: %w", err)
		}
		// apply_batch.go: one prepared statement per table, the links of the
		// whole page recomputed and collected by one statement each.
		recs, idsJSON := pageRecords(p.Records, func(r model.EventRecord) string { return r.ID })
		recs, idsJSON, err := keepUnchangedEvents(ctx, tx, p.AccountID, p.CalendarID, round, recs, idsJSON)
		if err != nil {
			return err
		}
		if len(recs) > 0 {
			if err := collectLinked(ctx, tx, model.KindMeeting, p.AccountID, idsJSON, clients); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM event_attendees WHERE account_id = ?1 AND event_id IN (SELECT value FROM json_each(?2))`,
				p.AccountID, idsJSON); err != nil {
				return err
			}
			up, err := tx.PrepareContext(ctx, `INSERT INTO events(account_id, id, calendar_id, ical_uid, subject, start_at, end_at, start_tz, end_tz,
					is_all_day, start_date, end_date, is_cancelled, is_online_meeting, online_meeting_provider, is_organizer,
					organizer_name, organizer_address, type, series_master_id, show_as, web_link, change_key, round_id)
				VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
				ON CONFLICT(account_id, id) DO UPDATE SET calendar_id=excluded.calendar_id, ical_uid=excluded.ical_uid, subject=excluded.subject,
					start_at=excluded.start_at, end_at=excluded.end_at, start_tz=excluded.start_tz, end_tz=excluded.end_tz,
					is_all_day=excluded.is_all_day, start_date=excluded.start_date, end_date=excluded.end_date, is_cancelled=excluded.is_cancelled,
					is_online_meeting=excluded.is_online_meeting, online_meeting_provider=excluded.online_meeting_provider,
					is_organizer=excluded.is_organizer, organizer_name=excluded.organizer_name, organizer_address=excluded.organizer_address,
					type=excluded.type, series_master_id=excluded.series_master_id, show_as=excluded.show_as, web_link=excluded.web_link,
					change_key=excluded.change_key, round_id=excluded.round_id`)
			if err != nil {
				return err
			}
			defer up.Close()
			insAtt, err := tx.PrepareContext(ctx, `INSERT INTO event_attendees(account_id, event_id, ord, role, name, address, domain, response) VALUES(?,?,?,?,?,?,?,?)`)
			if err != nil {
				return err
			}
			defer insAtt.Close()
			for _, r := range recs {
				_, err := up.ExecContext(ctx, p.AccountID, r.ID, p.CalendarID, r.ICalUID, r.Subject, ms(r.Start), ms(r.End), r.TimeZone, r.EndTimeZone,
					r.IsAllDay, r.StartDate, r.EndDate, r.IsCancelled, r.IsOnlineMeeting, r.OnlineMeetingProvider, r.IsOrganizer,
					r.Organizer.Name, strings.ToLower(r.Organizer.Address), r.Type, r.SeriesMasterID, r.ShowAs, r.WebLink, r.ChangeKey, round)
				if err != nil {
					return fmt.Errorf("save event: %w", err)
				}
				for i, pt := range r.Participants {
					if _, err := insAtt.ExecContext(ctx, p.AccountID, r.ID, i, pt.Role, pt.Name, pt.Address, pt.Domain, ""); err != nil {
						return fmt.Errorf("save attendee: %w", err)
					}
				}
			}
			if err := relinkPage(ctx, tx, meetingKind, p.AccountID, idsJSON); err != nil {
				return err
			}
			if err := collectLinked(ctx, tx, model.KindMeeting, p.AccountID, idsJSON, clients); err != nil {
				return err
			}
		}
		res.Upserted = len(recs)
		for _, id := range p.Removed {
			// Inside the window only: @removed also means "left the window"
			// or "changed outside it", and rows from an older, wider window
			// are history worth keeping.
			ids, err := deleteEvents(ctx, tx, p.AccountID, `id = ? AND start_at < ? AND end_at >= ?`, id, we, ws)
			if err != nil {
				return err
			}
			for _, c := range ids {
				clients[c] = true
			}
		}
		for _, id := range p.Dropped {
			ids, err := deleteEvents(ctx, tx, p.AccountID, `id = ?`, id)
			if err != nil {
				return err
			}
			for _, c := range ids {
				clients[c] = true
			}
		}
		res.Removed = len(p.Removed) + len(p.Dropped)
		if p.Complete && full {
			ids, err := deleteEvents(ctx, tx, p.AccountID, `calendar_id = ? AND round_id < ? AND start_at < ? AND end_at >= ?`,
				p.CalendarID, round, we, ws)
			if err != nil {
				return err
			}
			for _, c := range ids {
				clients[c] = true
			}
			res.Removed += len(ids)
			if _, err := tx.ExecContext(ctx, `UPDATE streams SET round_full=0 WHERE id=?`, p.StreamID); err != nil {
				return err
			}
		}
		if err := flushSearch(ctx, tx); err != nil { // search.go: index the page's events once
			return err
		}
		changed := len(p.Records) > 0 || res.Removed > 0 || full
		return saveCheckpoint(ctx, tx, p.StreamID, p.NextLink, p.DeltaLink, p.Complete, changed, 0, now)
	})
	if err != nil {
		return ApplyResult{}, err
	}
	res.ClientIDs = sortedIDs(clients)
	return res, nil
}

// keepUnchangedEvents takes out of recs the events stored as they are:
// same calendar, same change key (Graph changes it with every change of
// the event) and the same time zones (the zone a listing is asked in is
// stored with the times). Those only join the round (round_id), so that a
// full round's end keeps them; their rows, attendees, links and search
// documents are left alone. Every round of a calendar other than the
// default one lists its whole window (calendar.go in sync: v1.0 has no
// delta for it), and rewrote each of its events at each poll
// (PERFORMANCE.md §38). It returns the events to write and their ids.
func keepUnchangedEvents(ctx context.Context, tx *sql.Tx, accountID int64, calendarID string, round int64,
	recs []model.EventRecord, idsJSON string) ([]model.EventRecord, string, error) {
	if len(recs) == 0 {
		return recs, idsJSON, nil
	}
	type stored struct{ id, key, startTZ, endTZ string }
	same, err := queryRows(ctx, tx, func(rows *sql.Rows) (stored, error) {
		var st stored
		return st, rows.Scan(&st.id, &st.key, &st.startTZ, &st.endTZ)
	}, `SELECT e.id, e.change_key, e.start_tz, e.end_tz FROM json_each(?3) j CROSS JOIN events e
		ON e.account_id = ?1 AND e.id = j.value WHERE e.calendar_id = ?2 AND e.change_key <> ''`, accountID, calendarID, idsJSON)
	if err != nil || len(same) == 0 {
		return recs, idsJSON, err
	}
	byID := make(map[string]stored, len(same))
	for _, st := range same {
		byID[st.id] = st
	}
	var write []model.EventRecord
	var kept, written []string
	for _, r := range recs {
		if st, ok := byID[r.ID]; ok && st.key == r.ChangeKey && st.startTZ == r.TimeZone && st.endTZ == r.EndTimeZone {
			kept = append(kept, r.ID)
			continue
		}
		write = append(write, r)
		written = append(written, r.ID)
	}
	if len(kept) == 0 {
		return recs, idsJSON, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE events SET round_id = ?1 WHERE account_id = ?2 AND id IN (SELECT value FROM json_each(?3))`,
		round, accountID, pageIDs(kept)); err != nil {
		return nil, "", err
	}
	return write, pageIDs(written), nil
}

func linkedClients(ctx context.Context, tx *sql.Tx, accountID int64, kind, id string) ([]int64, error) {
	return queryColumn[int64](ctx, tx, `SELECT client_id FROM links WHERE account_id=? AND item_id=? AND kind=?`, accountID, id, kind)
}

// deleteEvents deletes the account's events matching where (with args),
// their attendees (cascade) and links; it returns the affected clients.
func deleteEvents(ctx context.Context, tx *sql.Tx, accountID int64, where string, args ...any) ([]int64, error) {
	ids, err := queryColumn[string](ctx, tx, `SELECT id FROM events WHERE account_id = ? AND `+where, append([]any{accountID}, args...)...)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var clients []int64
	for _, id := range ids {
		cs, err := linkedClients(ctx, tx, accountID, "meeting", id)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if !seen[c] {
				seen[c] = true
				clients = append(clients, c)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE account_id=? AND item_id=? AND kind='meeting'`, accountID, id); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE account_id=? AND id=?`, accountID, id); err != nil {
			return nil, err
		}
	}
	return clients, nil
}

// EventIDs lists the ids of the account's stored events, sorted.
func (s *Store) EventIDs(ctx context.Context, accountID int64) ([]string, error) {
	return queryColumn[string](ctx, s.db, `SELECT id FROM events WHERE account_id=? ORDER BY id`, accountID)
}

// Event loads one stored event with its participants.
func (s *Store) Event(ctx context.Context, accountID int64, id string) (model.EventRecord, error) {
	var r model.EventRecord
	var start, end int64
	err := s.db.QueryRowContext(ctx, `SELECT id, calendar_id, ical_uid, subject, start_at, end_at, start_tz, end_tz, is_all_day,
		start_date, end_date, is_cancelled, is_online_meeting, online_meeting_provider, is_organizer, organizer_name, organizer_address,
		type, series_master_id, show_as, web_link, change_key FROM events WHERE account_id=? AND id=?`, accountID, id).Scan(
		&r.ID, &r.CalendarID, &r.ICalUID, &r.Subject, &start, &end, &r.TimeZone, &r.EndTimeZone, &r.IsAllDay, &r.StartDate, &r.EndDate,
		&r.IsCancelled, &r.IsOnlineMeeting, &r.OnlineMeetingProvider, &r.IsOrganizer, &r.Organizer.Name, &r.Organizer.Address,
		&r.Type, &r.SeriesMasterID, &r.ShowAs, &r.WebLink, &r.ChangeKey)
	if err == sql.ErrNoRows {
		return r, model.ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.Start, r.End = time.UnixMilli(start).UTC(), time.UnixMilli(end).UTC()
	r.Participants, err = itemParticipants(ctx, s.db, "event_attendees", "event_id", accountID, id)
	return r, err
}

// IncludedCalendars lists the calendars to sync, the default first.
func (s *Store) IncludedCalendars(ctx context.Context, accountID int64) ([]model.CalendarView, error) {
	all, err := s.Calendars(ctx, accountID)
	if err != nil {
		return nil, err
	}
	var out []model.CalendarView
	for _, c := range all {
		if c.Included {
			out = append(out, c)
		}
	}
	return out, nil
}
