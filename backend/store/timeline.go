package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"rapport/backend/model"
)

// ErrBadCursor is returned for a timeline cursor this version did not issue.
var ErrBadCursor = errors.New("invalid timeline cursor")

// timelineSelect is one timeline row per link, whatever its kind: the
// columns of the mail, meeting or file activity it points at, and the client-side
// counterpart chosen in SQL so a page is one query.
const timelineSelect = `
		SELECT l.kind, l.at, l.account_id, l.item_id, m.direction, COALESCE(m.subject, e.subject, fa.name), m.from_name, m.from_address,
		       COALESCE(m.web_link, e.web_link, CASE WHEN fd.deleted_at IS NULL THEN fd.web_url END),
		       CASE WHEN m.direction = 'out' THEN (SELECT COALESCE(NULLIF(p.name, ''), p.address) FROM participants p
		         WHERE p.account_id = m.account_id AND p.message_id = m.id AND p.role <> 'from'
		           AND (p.domain IN (SELECT domain FROM client_domains WHERE client_id = l.client_id)
		                OR p.address IN (SELECT address FROM client_contacts WHERE client_id = l.client_id))
		         ORDER BY p.ord LIMIT 1) END,
		       e.end_at, e.is_all_day, e.start_date, e.end_date, e.is_cancelled, e.is_online_meeting,
		       COALESCE(NULLIF(e.organizer_name, ''), e.organizer_address),
		       CASE WHEN l.kind = 'meeting' THEN (SELECT COALESCE(NULLIF(a.name, ''), a.address) FROM event_attendees a
		         WHERE a.account_id = e.account_id AND a.event_id = e.id
		           AND (a.domain IN (SELECT domain FROM client_domains WHERE client_id = l.client_id)
		                OR a.address IN (SELECT address FROM client_contacts WHERE client_id = l.client_id))
		         ORDER BY a.ord LIMIT 1) END,
		       fa.action, fa.path_at_time, COALESCE(NULLIF(fa.actor_name, ''), fa.actor_address),
		       e.online_meeting_provider
		FROM links l
		LEFT JOIN messages m ON l.kind = 'mail' AND m.account_id = l.account_id AND m.id = l.item_id
		LEFT JOIN events e ON l.kind = 'meeting' AND e.account_id = l.account_id AND e.id = l.item_id
		LEFT JOIN file_activity fa ON l.kind = 'file' AND fa.id = CAST(l.item_id AS INTEGER) AND fa.account_id = l.account_id
		LEFT JOIN drive_items fd ON fd.account_id = fa.account_id AND fd.drive_key = fa.drive_key AND fd.id = fa.item_id`

// Timeline returns up to limit items of a client's past, newest first,
// starting after cursor ("" for the first page, which starts now: future
// meetings are listed by Upcoming). It is a keyset scan of the
// links_timeline index, so every page costs the same however deep it is.
func (s *Store) Timeline(ctx context.Context, clientID int64, cursor string, limit int) (model.TimelinePage, error) {
	return s.TimelineFiltered(ctx, clientID, cursor, limit, TimelineFilter{})
}

// TimelineFiltered is Timeline narrowed by kind and direction
// (timeline_filter.go); cursors are interchangeable between the two.
func (s *Store) TimelineFiltered(ctx context.Context, clientID int64, cursor string, limit int, f TimelineFilter) (model.TimelinePage, error) {
	filter, fargs, err := f.sql()
	if err != nil {
		return model.TimelinePage{}, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	// The first page starts just after now (the store's: a file deletion
	// recorded a moment ago may be dated a millisecond ahead of the wall
	// clock, and must show); the cursor then breaks ties.
	at, acct, item := s.clockMS()+1, int64(-1), ""
	if cursor != "" {
		var err error
		if at, acct, item, err = decodeCursor(cursor); err != nil {
			return model.TimelinePage{}, err
		}
	}
	var where string
	var args []any
	if cursor == "" {
		where, args = `l.client_id = ? AND l.at < ?`, []any{clientID, at}
	} else {
		where, args = `l.client_id = ? AND (l.at, l.account_id, l.item_id) < (?, ?, ?)`, []any{clientID, at, acct, item}
	}
	where, args = where+filter, append(args, fargs...)
	items, err := s.timelineRows(ctx, where+` ORDER BY l.at DESC, l.account_id DESC, l.item_id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return model.TimelinePage{}, err
	}
	page := model.TimelinePage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		last := page.Items[limit-1]
		page.Cursor = encodeCursor(last.At.UnixMilli(), last.AccountID, last.ItemID)
	}
	return page, nil
}

// Upcoming returns a client's next items after now (scheduled meetings),
// soonest first: the "Upcoming" section above the timeline.
func (s *Store) Upcoming(ctx context.Context, clientID int64, limit int) ([]model.TimelineItem, error) {
	if limit <= 0 || limit > 1000 {
		limit = 20
	}
	items, err := s.timelineRows(ctx, `l.client_id = ? AND l.at >= ? ORDER BY l.at ASC, l.account_id, l.item_id LIMIT ?`,
		clientID, time.Now().UnixMilli(), limit)
	return items, err
}

func (s *Store) timelineRows(ctx context.Context, whereOrder string, args ...any) ([]model.TimelineItem, error) {
	rows, err := s.queryPrepared(ctx, timelineSelect+` WHERE `+whereOrder, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	items := []model.TimelineItem{}
	// One set of destinations for all rows: declared per row, each escaped
	// to the heap (two dozen allocations a row, issue 7).
	var (
		it                                            model.TimelineItem
		atMS                                          int64
		dir, subject, fromName, fromAddr, web, toName sql.NullString
		endMS                                         sql.NullInt64
		allDay, cancelled, online                     sql.NullBool
		startDate, endDate, organizer, clientAttendee sql.NullString
		fileAction, filePath, fileActor, provider     sql.NullString
	)
	for rows.Next() {
		it = model.TimelineItem{}
		if err := rows.Scan(&it.Kind, &atMS, &it.AccountID, &it.ItemID, &dir, &subject, &fromName, &fromAddr, &web, &toName,
			&endMS, &allDay, &startDate, &endDate, &cancelled, &online, &organizer, &clientAttendee,
			&fileAction, &filePath, &fileActor, &provider); err != nil {
			return nil, err
		}
		it.At = fromMS(atMS)
		it.Title = subject.String
		it.WebLink = web.String
		it.Direction = dir.String
		switch {
		case it.Kind == model.KindFile:
			// Title is the file's name; who did it, what, and where.
			it.Counterpart, it.Action, it.Path = fileActor.String, fileAction.String, filePath.String
		case it.Kind == model.KindMeeting:
			// The client's first attendee, else whoever organised it.
			it.Counterpart = firstNonEmpty(clientAttendee.String, organizer.String)
			if endMS.Valid {
				end := fromMS(endMS.Int64)
				it.End = &end
			}
			it.AllDay, it.Cancelled, it.Online = allDay.Valid && allDay.Bool, cancelled.Valid && cancelled.Bool, online.Valid && online.Bool
			if it.Online {
				it.OnlineProvider = provider.String
			}
			if it.AllDay {
				it.Date, it.EndDate = startDate.String, endDate.String
			}
		case it.Direction == model.DirectionOut:
			it.Counterpart = toName.String
		default:
			it.Counterpart = firstNonEmpty(fromName.String, fromAddr.String)
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

func encodeCursor(at, acct int64, item string) string {
	raw := strconv.FormatInt(at, 10) + "|" + strconv.FormatInt(acct, 10) + "|" + item
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(c string) (int64, int64, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, 0, "", ErrBadCursor
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 {
		return 0, 0, "", ErrBadCursor
	}
	at, err1 := strconv.ParseInt(parts[0], 10, 64)
	acct, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, "", fmt.Errorf("%w", ErrBadCursor)
	}
	return at, acct, parts[2], nil
}

// sortClients orders the client list: most recent contact first, clients
// with no activity last, then by name.
func sortClients(cs []model.ClientSummary) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i].LastContact, cs[j].LastContact
		switch {
		case a != nil && b != nil && !a.Equal(*b):
			return a.After(*b)
		case (a == nil) != (b == nil):
			return a != nil
		}
		return strings.ToLower(cs[i].Name) < strings.ToLower(cs[j].Name)
	})
}
