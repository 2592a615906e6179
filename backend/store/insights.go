package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// The queries behind the insights (backend/insights holds the definitions
// and the arithmetic; DESIGN §5). They return facts, not figures: the
// messages of a client's threads with what the rules say about each, the
// client's meetings, its file activity.

// MailFact is one stored copy of a message in a thread that touches the
// client: the flags say how the matching rules see it for that client.
type MailFact struct {
	AccountID      int64
	ItemID         string
	Conversation   string
	InternetID     string
	At             time.Time // sent time for the user's mail, arrival otherwise (as on the timeline)
	Mine           bool      // sent by one of the user's accounts (any of them)
	Linked         bool      // on the client's timeline
	SenderIsClient bool      // the sender belongs to the client (contact or domain rule)
	ToClient       bool      // a recipient belongs to the client
	Manual         bool      // the user linked it to the client by hand
	Subject        string
	From           string // sender's name, else address
	WebLink        string
}

// ClientMailFacts returns every stored message of the conversations in
// which the client has linked mail at an instant in [from, to) — the whole
// thread, before and after the range, from every account, so a reply
// outside the range or from another account is seen — plus the linked
// messages in the range that have no conversation id.
//
// CROSS JOIN fixes the join order (the client's conversations, then their
// messages by messages_conversation): without statistics SQLite chose to
// scan every stored message instead — 2.7 s per client page at 110,000
// items (issue 7).
func (s *Store) ClientMailFacts(ctx context.Context, clientID int64, from, to time.Time) ([]MailFact, error) {
	q := `
WITH conv AS MATERIALIZED (
  SELECT DISTINCT m.conversation_id FROM links l JOIN messages m ON m.account_id = l.account_id AND m.id = l.item_id
  WHERE l.client_id = ?1 AND l.kind = 'mail' AND l.at >= ?2 AND l.at < ?3 AND m.conversation_id <> ''
),
items(account_id, id) AS (
  SELECT m.account_id, m.id FROM conv CROSS JOIN accounts a CROSS JOIN messages m ON m.account_id = a.id AND m.conversation_id = conv.conversation_id
  UNION
  SELECT m.account_id, m.id FROM links l JOIN messages m ON m.account_id = l.account_id AND m.id = l.item_id
  WHERE l.client_id = ?1 AND l.kind = 'mail' AND l.at >= ?2 AND l.at < ?3 AND m.conversation_id = ''
),
own(address) AS (
  SELECT lower(upn) FROM accounts UNION SELECT lower(mail) FROM accounts WHERE mail <> ''
)
SELECT m.account_id, m.id, m.conversation_id, m.internet_message_id, ` + mailAtSQL("m") + `,
  m.direction = 'out' OR lower(m.from_address) IN (SELECT address FROM own),
  EXISTS (SELECT 1 FROM links l WHERE l.client_id = ?1 AND l.kind = 'mail' AND l.account_id = m.account_id AND l.item_id = m.id),
  EXISTS (SELECT 1 FROM participants p WHERE p.account_id = m.account_id AND p.message_id = m.id AND p.role = 'from'
          AND ` + participantIsClientSQL("p", "?1") + `),
  EXISTS (SELECT 1 FROM participants p WHERE p.account_id = m.account_id AND p.message_id = m.id AND p.role <> 'from'
          AND ` + participantIsClientSQL("p", "?1") + `),
  EXISTS (SELECT 1 FROM manual_links u WHERE u.client_id = ?1 AND u.kind = 'mail' AND u.account_id = m.account_id AND u.item_id = m.id AND u.linked = 1),
  m.subject, COALESCE(NULLIF(m.from_name, ''), m.from_address), m.web_link
FROM items i JOIN messages m ON m.account_id = i.account_id AND m.id = i.id
ORDER BY 5, m.account_id, m.id`
	return queryRows(ctx, s.db, func(rows *sql.Rows) (MailFact, error) {
		var f MailFact
		var at int64
		err := rows.Scan(&f.AccountID, &f.ItemID, &f.Conversation, &f.InternetID, &at, &f.Mine, &f.Linked,
			&f.SenderIsClient, &f.ToClient, &f.Manual, &f.Subject, &f.From, &f.WebLink)
		f.At = fromMS(at)
		return f, err
	}, q, clientID, ms(from), ms(to))
}

// MeetingFact is one of the client's linked events.
type MeetingFact struct {
	AccountID int64
	ItemID    string
	ICalUID   string
	Subject   string
	Start     time.Time
	End       time.Time
	AllDay    bool
	StartDate string // all-day events: the first day, "2026-10-28"
	Cancelled bool
	WebLink   string
}

// ClientMeetingFacts returns every event linked to the client, oldest first.
func (s *Store) ClientMeetingFacts(ctx context.Context, clientID int64) ([]MeetingFact, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.account_id, e.id, e.ical_uid, e.subject, e.start_at, e.end_at, e.is_all_day, e.start_date, e.is_cancelled, e.web_link
		FROM links l JOIN events e ON e.account_id = l.account_id AND e.id = l.item_id
		WHERE l.client_id = ? AND l.kind = 'meeting' ORDER BY e.start_at, e.account_id, e.id`, clientID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MeetingFact
	for rows.Next() {
		var f MeetingFact
		var start, end int64
		if err := rows.Scan(&f.AccountID, &f.ItemID, &f.ICalUID, &f.Subject, &start, &end, &f.AllDay, &f.StartDate, &f.Cancelled, &f.WebLink); err != nil {
			return nil, err
		}
		f.Start, f.End = time.UnixMilli(start).UTC(), time.UnixMilli(end).UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// FileFact is one observed change of a file linked to the client (issue 5:
// links of kind 'file' name a file_activity row by its id).
type FileFact struct {
	At     time.Time
	Actor  string // name, else address
	Action string // created | edited | renamed | moved | deleted
	Name   string
	Path   string
}

// ClientFileFacts returns the client's file changes at an instant in
// [from, to), oldest first, and its newest change at or before to (nil:
// none).
func (s *Store) ClientFileFacts(ctx context.Context, clientID int64, from, to time.Time) ([]FileFact, *FileFact, error) {
	const sel = `SELECT fa.at, COALESCE(NULLIF(fa.actor_name, ''), fa.actor_address), fa.action, fa.name, fa.path_at_time
		FROM links l JOIN file_activity fa ON fa.account_id = l.account_id AND fa.id = CAST(l.item_id AS INTEGER)
		WHERE l.client_id = ? AND l.kind = 'file' `
	scan := func(rows *sql.Rows) (FileFact, error) {
		var f FileFact
		var at int64
		err := rows.Scan(&at, &f.Actor, &f.Action, &f.Name, &f.Path)
		f.At = fromMS(at)
		return f, err
	}
	rows, err := s.db.QueryContext(ctx, sel+`AND l.at >= ? AND l.at < ? ORDER BY l.at, fa.id`, clientID, ms(from), ms(to))
	if err != nil {
		if isNoFileTables(err) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	var out []FileFact
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			rows.Close()
			return nil, nil, err
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = s.db.QueryContext(ctx, sel+`AND l.at <= ? ORDER BY l.at DESC, fa.id DESC LIMIT 1`, clientID, ms(to))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var last *FileFact
	if rows.Next() {
		f, err := scan(rows)
		if err != nil {
			return nil, nil, err
		}
		last = &f
	}
	return out, last, rows.Err()
}

// isNoFileTables is true for a database without issue 5's tables (a build
// of the store without migration 005): files then have no figures.
func isNoFileTables(err error) bool {
	return err != nil && strings.Contains(err.Error(), "no such table: file_activity")
}

// DomainActivity is an unclaimed external domain's activity, the material
// of client suggestions (clients.Candidate): only people count — not role
// mailboxes (roles), automated senders or anything on the never-matched
// list — and only on domains no client claims, not dismissed.
type DomainActivity struct {
	Domain      string
	Messages    int
	Sent        int
	Received    int
	Replied     int
	Meetings    int
	Organized   int
	LastContact time.Time
}

// UnclaimedDomains counts, per domain no client claims, the messages and
// meetings with a person at that domain (see DomainActivity).
func (s *Store) UnclaimedDomains(ctx context.Context, roles []string, now time.Time) ([]DomainActivity, error) {
	marks := strings.TrimSuffix(strings.Repeat("?,", len(roles)), ",")
	if marks == "" {
		marks = "NULL"
	}
	person := func(p string) string {
		return p + `.domain <> '' AND ` + p + `.domain NOT IN (SELECT domain FROM client_domains)
		  AND ` + p + `.domain NOT IN (SELECT domain FROM dismissed_suggestions)
		  AND NOT EXISTS (SELECT 1 FROM client_contacts c WHERE c.address = ` + p + `.address)
		  AND NOT ` + excludedSQL(p) + `
		  AND substr(` + p + `.address, 1, instr(` + p + `.address, '@') - 1) NOT IN (` + marks + `)`
	}
	args := make([]any, 0, len(roles)+1)
	for _, r := range roles {
		args = append(args, r)
	}
	byDomain := map[string]*DomainActivity{}
	get := func(d string) *DomainActivity {
		if a := byDomain[d]; a != nil {
			return a
		}
		a := &DomainActivity{Domain: d}
		byDomain[d] = a
		return a
	}
	rows, err := s.db.QueryContext(ctx, `
		WITH pp AS MATERIALIZED (
		  SELECT DISTINCT p.account_id, p.message_id, p.domain, p.role = 'from' AS sender FROM participants p WHERE `+person("p")+`
		)
		SELECT pp.domain,
		  COUNT(DISTINCT pp.account_id || ':' || pp.message_id),
		  COUNT(DISTINCT CASE WHEN m.direction = 'out' AND NOT pp.sender THEN pp.account_id || ':' || pp.message_id END),
		  COUNT(DISTINCT CASE WHEN m.direction = 'in' AND pp.sender THEN pp.account_id || ':' || pp.message_id END),
		  COUNT(DISTINCT CASE WHEN m.direction = 'in' AND pp.sender AND m.conversation_id <> '' AND EXISTS (
		      SELECT 1 FROM accounts a JOIN messages r ON r.account_id = a.id AND r.conversation_id = m.conversation_id
		      WHERE r.direction = 'out' AND r.sent_at > m.received_at) THEN pp.account_id || ':' || pp.message_id END),
		  MAX(`+mailAtSQL("m")+`)
		FROM pp JOIN messages m ON m.account_id = pp.account_id AND m.id = pp.message_id
		GROUP BY pp.domain`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var d string
		var msgs, sent, recv, replied int
		var last int64
		if err := rows.Scan(&d, &msgs, &sent, &recv, &replied, &last); err != nil {
			rows.Close()
			return nil, err
		}
		a := get(d)
		a.Messages, a.Sent, a.Received, a.Replied = msgs, sent, recv, replied
		if t := fromMS(last); t.After(a.LastContact) {
			a.LastContact = t
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.QueryContext(ctx, `
		WITH pp AS MATERIALIZED (
		  SELECT DISTINCT p.account_id, p.event_id, p.domain FROM event_attendees p WHERE `+person("p")+`
		)
		SELECT pp.domain, COUNT(DISTINCT pp.account_id || ':' || pp.event_id),
		  COUNT(DISTINCT CASE WHEN e.is_organizer THEN pp.account_id || ':' || pp.event_id END),
		  MAX(CASE WHEN e.start_at <= ? THEN e.start_at END)
		FROM pp JOIN events e ON e.account_id = pp.account_id AND e.id = pp.event_id
		WHERE NOT e.is_cancelled
		GROUP BY pp.domain`, append(args, ms(now))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		var n, org int
		var last sql.NullInt64
		if err := rows.Scan(&d, &n, &org, &last); err != nil {
			return nil, err
		}
		a := get(d)
		a.Meetings, a.Organized = n, org
		if last.Valid {
			if t := fromMS(last.Int64); t.After(a.LastContact) {
				a.LastContact = t
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]DomainActivity, 0, len(byDomain))
	for _, a := range byDomain {
		out = append(out, *a)
	}
	return out, nil
}

// DismissSuggestion remembers that the user does not want a domain
// suggested again.
func (s *Store) DismissSuggestion(ctx context.Context, domain string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO dismissed_suggestions(domain, at) VALUES(?, ?) ON CONFLICT DO UPDATE SET at = excluded.at`, domain, ms(time.Now()))
	return err
}

// ClientIDs lists every client id, by name.
func (s *Store) ClientIDs(ctx context.Context) ([]int64, error) {
	return queryColumn[int64](ctx, s.db, `SELECT id FROM clients ORDER BY name COLLATE NOCASE`)
}

// ClientLastContact is the client's last contact at or before now: its
// newest linked mail, or its newest non-cancelled meeting that has started
// (file changes are not contact). nil: none.
func (s *Store) ClientLastContact(ctx context.Context, clientID int64, now time.Time) (*time.Time, error) {
	var at sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT l.at FROM links l
		LEFT JOIN events e ON l.kind = 'meeting' AND e.account_id = l.account_id AND e.id = l.item_id
		WHERE l.client_id = ? AND l.kind IN ('mail', 'meeting') AND l.at <= ? AND COALESCE(e.is_cancelled, 0) = 0
		ORDER BY l.at DESC LIMIT 1`, clientID, ms(now)).Scan(&at)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return fromNullMS(at), nil
}
