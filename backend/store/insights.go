package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strings"
	"time"
)

// The queries behind the insights (backend/insights holds the definitions
// and the arithmetic; DESIGN §5). They return facts, not figures: the
// client's linked mail with what the rules said of each, the user's sent
// mail in its conversations, the client's meetings, its file activity.

// MailFact is one stored copy of a message linked to the client, with
// what the matching rules said of it when it was linked (links.flags,
// link_facts.go).
type MailFact struct {
	AccountID      int64
	ItemID         string
	ConvKey        int64     // the conversation's key (text_keys.go), 0 for none
	IMIDKey        int64     // the internet message id's key, 0 for none
	At             time.Time // sent time for the user's mail, arrival otherwise (as on the timeline)
	Mine           bool      // sent by one of the user's accounts (any of them)
	Linked         bool      // on the client's timeline (every fact the store returns)
	SenderIsClient bool      // the sender belongs to the client (contact or domain rule)
	ToClient       bool      // a recipient belongs to the client
	Manual         bool      // the user linked it to the client by hand
}

// ClientMailFacts returns the client's linked mail from a day before from
// on, oldest first, at any later instant (to bounds nothing): replies
// after the range count, and a copy of a message in another account
// received just before from still makes that message older than the
// range. It is a range scan of links_mail, which holds every column read
// (migrations 010, 012 and 015), in two halves side by side (readHalves).
func (s *Store) ClientMailFacts(ctx context.Context, clientID int64, from, to time.Time) ([]MailFact, error) {
	start := ms(from.Add(-24 * time.Hour))
	mid := start + max(0, ms(to)-start)/2
	// Counted first (a walk of the same entries reading no column: ~1 ms
	// of the ~15 the read takes), so that both halves fill one slice of
	// the right size instead of growing two and joining them: that was
	// a third of a client page's allocations (PERFORMANCE.md §36).
	var n1, n2 int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(at < ?3), 0), COALESCE(SUM(at >= ?3), 0) FROM links INDEXED BY links_mail
		WHERE client_id = ?1 AND kind = 'mail' AND at >= ?2`, clientID, start, mid).Scan(&n1, &n2); err != nil {
		return nil, err
	}
	buf := make([]MailFact, 0, n1+n2)
	half := func(dst []MailFact, lo, hi int64) func() ([]MailFact, error) {
		return func() ([]MailFact, error) {
			// One set of destinations for every row: declared per row, each
			// fact escaped to the heap (20,000 allocations a read).
			var f MailFact
			var at, flags int64
			return appendRows(ctx, s.db, dst, func(rows *sql.Rows) (MailFact, error) {
				err := rows.Scan(&f.AccountID, &f.ItemID, &f.ConvKey, &f.IMIDKey, &at, &flags)
				f.At, f.Linked = fromMS(at), true
				f.Mine, f.SenderIsClient = flags&LinkMine != 0, flags&LinkFromClient != 0
				f.ToClient, f.Manual = flags&LinkToClient != 0, flags&LinkManual != 0
				return f, err
			}, `SELECT account_id, item_id, conv_key, imid_key, at, flags FROM links INDEXED BY links_mail
				WHERE client_id = ? AND kind = 'mail' AND at >= ? AND at < ? ORDER BY at, account_id, item_id`, clientID, lo, hi)
		}
	}
	a, b, err := runHalves(half(buf[:0:n1], start, mid), half(buf[n1:n1:n1+n2], mid, math.MaxInt64))
	if err != nil {
		return nil, err
	}
	if len(a) <= n1 && len(b) <= n2 {
		// Both stayed in buf (mail written since the count makes a half
		// outgrow its room, and it is then a slice of its own).
		return append(buf[:len(a)], b...), nil
	}
	return append(a, b...), nil
}

// SentFact is one of the user's sent messages in a conversation.
type SentFact struct {
	Conv int // the conversation's index in the list asked for
	At   time.Time
}

// SentInConversations returns the user's sent messages (every account's)
// in the conversations whose keys are convs, sent after after — the
// replies of the user's that are not on the client's timeline (an answer
// the user sent only to colleagues is still an answer). One probe of
// messages_sent per conversation, half of them on another connection
// (readHalves). A fact names its conversation by position, not by key:
// the bench's biggest client has 10,000 of them, and copying each one's
// id out of SQLite was a quarter of this read (issue 7, PERFORMANCE.md
// §35).
func (s *Store) SentInConversations(ctx context.Context, convs []int64, after time.Time) ([]SentFact, error) {
	half := func(convs []int64, offset int) func() ([]SentFact, error) {
		return func() ([]SentFact, error) {
			if len(convs) == 0 {
				return nil, nil
			}
			var conv, at int64 // reused by every row, as in ClientMailFacts
			return queryRows(ctx, s.db, func(rows *sql.Rows) (SentFact, error) {
				err := rows.Scan(&conv, &at)
				return SentFact{Conv: int(conv), At: fromMS(at)}, err
			}, `SELECT j.key + ?3, m.sent_at FROM json_each(?1) j CROSS JOIN messages m INDEXED BY messages_sent
				ON m.conv_key = j.value WHERE m.direction = 'out' AND m.sent_at > ?2`,
				intsJSON(convs), ms(after), offset)
		}
	}
	n := len(convs) / 2
	return readHalves(half(convs[:n], 0), half(convs[n:], n))
}

// readHalves runs two halves of one read side by side, each on its own
// connection of the pool, and returns the first's rows then the second's.
// A client's page waits on its biggest reads (the mail facts, then the
// sent-mail probes), whose time is SQLite walking B-trees on one thread;
// split, they take the second processor (issue 7, PERFORMANCE.md §30: a
// few milliseconds of the bench's biggest client's ~70).
func readHalves[T any](first, second func() ([]T, error)) ([]T, error) {
	a, b, err := runHalves(first, second)
	if err != nil {
		return nil, err
	}
	return append(a, b...), nil
}

// runHalves runs two halves of one read side by side and returns each
// one's rows.
func runHalves[T any](first, second func() ([]T, error)) (a, b []T, err error) {
	var (
		bErr error
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		b, bErr = second()
	}()
	a, aErr := first()
	<-done
	if err := errors.Join(aErr, bErr); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// MailRef names one stored message.
type MailRef struct {
	AccountID int64
	ItemID    string
}

// MailDetail is what a list shows of a message.
type MailDetail struct {
	Subject      string
	From         string // sender's name, else address
	WebLink      string
	Conversation string // its conversation's id
}

// MailDetails reads the subject, sender, web link and conversation of
// messages (the few an insights page lists); a message no longer stored
// is left out.
func (s *Store) MailDetails(ctx context.Context, refs []MailRef) (map[MailRef]MailDetail, error) {
	byAccount := map[int64][]string{}
	for _, r := range refs {
		byAccount[r.AccountID] = append(byAccount[r.AccountID], r.ItemID)
	}
	out := make(map[MailRef]MailDetail, len(refs))
	for acct, ids := range byAccount {
		type row struct {
			id string
			d  MailDetail
		}
		rows, err := queryRows(ctx, s.db, func(rows *sql.Rows) (row, error) {
			var r row
			err := rows.Scan(&r.id, &r.d.Subject, &r.d.From, &r.d.WebLink, &r.d.Conversation)
			return r, err
		}, `SELECT m.id, m.subject, COALESCE(NULLIF(m.from_name, ''), m.from_address), m.web_link, m.conversation_id
			FROM json_each(?2) j CROSS JOIN messages m ON m.account_id = ?1 AND m.id = j.value`, acct, pageIDs(ids))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[MailRef{acct, r.id}] = r.d
		}
	}
	return out, nil
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
	return queryRows(ctx, s.db, func(rows *sql.Rows) (MeetingFact, error) {
		var f MeetingFact
		var start, end int64
		err := rows.Scan(&f.AccountID, &f.ItemID, &f.ICalUID, &f.Subject, &start, &end, &f.AllDay, &f.StartDate, &f.Cancelled, &f.WebLink)
		f.Start, f.End = time.UnixMilli(start).UTC(), time.UnixMilli(end).UTC()
		return f, err
	}, `SELECT e.account_id, e.id, e.ical_uid, e.subject, e.start_at, e.end_at, e.is_all_day, e.start_date, e.is_cancelled, e.web_link
		FROM links l JOIN events e ON e.account_id = l.account_id AND e.id = l.item_id
		WHERE l.client_id = ? AND l.kind = 'meeting' ORDER BY e.start_at, e.account_id, e.id`, clientID)
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

// ClientFileFacts returns the instants of the client's file changes in
// [from, to), oldest first — read from links_file alone (migration 012):
// the bench's biggest client has 12,600 of them — and its newest change
// before to in full (nil: none): the range's newest, else the newest
// older one.
func (s *Store) ClientFileFacts(ctx context.Context, clientID int64, from, to time.Time) ([]time.Time, *FileFact, error) {
	var at int64 // reused by every row, as in ClientMailFacts
	changes, err := queryRows(ctx, s.db, func(rows *sql.Rows) (time.Time, error) {
		err := rows.Scan(&at)
		return fromMS(at), err
	}, `SELECT at FROM links INDEXED BY links_file WHERE client_id = ? AND kind = 'file' AND at >= ? AND at < ? ORDER BY at`,
		clientID, ms(from), ms(to))
	if err != nil {
		return nil, nil, err
	}
	last, err := queryRows(ctx, s.db, func(rows *sql.Rows) (FileFact, error) {
		var f FileFact
		var at int64
		err := rows.Scan(&at, &f.Actor, &f.Action, &f.Name, &f.Path)
		f.At = fromMS(at)
		return f, err
	}, `SELECT at, COALESCE(NULLIF(actor_name, ''), actor_address), action, name, path_at_time FROM file_activity
		WHERE id = (SELECT CAST(item_id AS INTEGER) FROM links INDEXED BY links_file WHERE client_id = ? AND kind = 'file' AND at < ?
		            ORDER BY at DESC, CAST(item_id AS INTEGER) DESC LIMIT 1)`, clientID, ms(to))
	if err != nil {
		if isNoFileTables(err) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	if len(last) == 0 {
		return changes, nil, nil
	}
	return changes, &last[0], nil
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
		  COUNT(DISTINCT CASE WHEN m.direction = 'in' AND pp.sender AND m.conv_key <> 0 AND EXISTS (
		      SELECT 1 FROM messages r INDEXED BY messages_sent
		      WHERE r.conv_key = m.conv_key AND r.direction = 'out' AND r.sent_at > m.received_at) THEN pp.account_id || ':' || pp.message_id END),
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
	_, err := s.exec(ctx, `INSERT INTO dismissed_suggestions(domain, at) VALUES(?, ?) ON CONFLICT DO UPDATE SET at = excluded.at`, domain, ms(time.Now()))
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
