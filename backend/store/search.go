package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
	"unicode"

	"rapport/backend/model"
)

// flushSearch rebuilds the search documents of the messages and events
// written since the last flush (search_dirty, notes appended by triggers:
// migration 009), each once however many times it was noted or how many
// of its participants changed. ApplyMailPage and
// ApplyEventPage call it at the end of their transaction; Search calls it
// first so nothing written by another path is missed.
func flushSearch(ctx context.Context, tx interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}) error {
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO search_docs(kind, account_id, item_id, title, people, at)
		SELECT 'mail', m.account_id, m.id, m.subject,
		       COALESCE((SELECT group_concat(x.name || ' ' || x.address, ' ') FROM
		                 (SELECT p.name, p.address FROM participants p WHERE p.account_id = m.account_id AND p.message_id = m.id ORDER BY p.ord) x), ''),
		       `+mailAtSQL("m")+`
		FROM (SELECT DISTINCT account_id, item_id FROM search_dirty WHERE kind = 'mail') d
		JOIN messages m ON m.account_id = d.account_id AND m.id = d.item_id
		WHERE true
		ON CONFLICT(kind, account_id, item_id) DO UPDATE SET title = excluded.title, people = excluded.people, at = excluded.at`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO search_docs(kind, account_id, item_id, title, people, at)
		SELECT 'meeting', e.account_id, e.id, e.subject,
		       COALESCE((SELECT group_concat(x.name || ' ' || x.address, ' ') FROM
		                 (SELECT a.name, a.address FROM event_attendees a WHERE a.account_id = e.account_id AND a.event_id = e.id ORDER BY a.ord) x), ''),
		       e.start_at
		FROM (SELECT DISTINCT account_id, item_id FROM search_dirty WHERE kind = 'meeting') d
		JOIN events e ON e.account_id = d.account_id AND e.id = d.item_id
		WHERE true
		ON CONFLICT(kind, account_id, item_id) DO UPDATE SET title = excluded.title, people = excluded.people, at = excluded.at`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM search_dirty`)
	return err
}

// SearchHit is one result of the global search. Kind is mail, meeting,
// file or client; for a client hit ClientIDs holds the client and ItemID
// its id.
type SearchHit struct {
	Kind        string    `json:"kind"`
	Title       string    `json:"title"`
	At          time.Time `json:"at"`
	Counterpart string    `json:"counterpart"`
	ClientIDs   []int64   `json:"clientIds"`
	ClientNames []string  `json:"clientNames"`
	ItemID      string    `json:"itemId"`
	WebLink     string    `json:"webLink,omitempty"`
	Direction   string    `json:"direction,omitempty"`
	AccountID   int64     `json:"-"`
}

// maxSearchTokens bounds the work a pasted paragraph can cause.
const maxSearchTokens = 16

// FTSQuery turns what a user typed into a safe FTS5 query: every word
// becomes a quoted phrase with a prefix star ("budg" finds "budget"), the
// words are ANDed, and FTS5 syntax in the text (quotes, NEAR(, AND, -, *,
// column filters) is only ever matched as text. Words without a letter or
// digit are dropped (the tokenizer would ignore them anyway). "" when
// nothing searchable is left.
func FTSQuery(text string) string {
	var parts []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		if !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) {
			continue
		}
		if len(w) > 100 {
			w = strings.ToValidUTF8(w[:100], "")
		}
		parts = append(parts, `"`+strings.ReplaceAll(w, `"`, `""`)+`"*`)
		if len(parts) == maxSearchTokens {
			break
		}
	}
	return strings.Join(parts, " ")
}

// searchRankWindow is how many matches Search ranks (the newest indexed).
var searchRankWindow = 2000

// Search finds mail, meetings, files and clients whose title (subject, file
// or client name) or people (participant names and addresses; a client's
// domains) match every word of text, best match first (bm25, title words
// weigh more), then newest. At most limit hits (0: 50; at most 200).
func (s *Store) Search(ctx context.Context, text string, limit int) ([]SearchHit, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	hits := []SearchHit{}
	q := FTSQuery(text)
	if q == "" {
		return hits, nil
	}
	var dirty bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_dirty)`).Scan(&dirty); err != nil {
		return nil, err
	}
	if dirty { // written outside ApplyMailPage/ApplyEventPage: index it now
		if err := s.tx(ctx, func(tx *sql.Tx) error { return flushSearch(ctx, tx) }); err != nil {
			return nil, err
		}
	}
	// Only the searchRankWindow most recently indexed matches are ranked:
	// FTS5 walks a term's matches newest rowid first and stops there, so a
	// word found in 50,000 documents costs what one in 2,000 does (issue 7:
	// ranking every match took 180-260 ms at 1,000,000 items). A word that
	// common is refined by the next word the user types.
	rows, err := s.db.QueryContext(ctx, `
		WITH m AS MATERIALIZED (
		  SELECT rowid AS id, bm25(search_fts, 10.0, 1.0) AS score FROM search_fts
		  WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?
		)
		SELECT d.kind, d.account_id, d.item_id, d.title, d.people, d.at
		FROM m JOIN search_docs d ON d.id = m.id
		ORDER BY m.score, d.at DESC, d.id DESC
		LIMIT ?`, q, searchRankWindow, limit)
	if err != nil {
		// FTSQuery only emits quoted phrases, so this is not the user's
		// syntax; show no results rather than a database error.
		return hits, nil
	}
	var people []string
	for rows.Next() {
		var h SearchHit
		var p string
		var at int64
		if err := rows.Scan(&h.Kind, &h.AccountID, &h.ItemID, &h.Title, &p, &at); err != nil {
			rows.Close()
			return nil, err
		}
		h.At = fromMS(at)
		hits = append(hits, h)
		people = append(people, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return hits[:0], nil
	}
	for i := range hits {
		if err := s.describeHit(ctx, &hits[i], people[i]); err != nil {
			return nil, err
		}
	}
	return hits, nil
}

// describeHit fills a hit's counterpart, link and clients.
func (s *Store) describeHit(ctx context.Context, h *SearchHit, people string) error {
	h.ClientIDs, h.ClientNames = []int64{}, []string{}
	switch h.Kind {
	case "client":
		id, _ := strconv.ParseInt(h.ItemID, 10, 64)
		h.ClientIDs, h.ClientNames = []int64{id}, []string{h.Title}
		h.Counterpart = people // its domains
		return nil
	case model.KindMail:
		var dir, fromName, fromAddr, web string
		var to sql.NullString
		err := s.db.QueryRowContext(ctx, `SELECT m.direction, m.from_name, m.from_address, m.web_link,
			(SELECT COALESCE(NULLIF(p.name, ''), p.address) FROM participants p WHERE p.account_id = m.account_id AND p.message_id = m.id AND p.role <> 'from' ORDER BY p.ord LIMIT 1)
			FROM messages m WHERE m.account_id = ? AND m.id = ?`, h.AccountID, h.ItemID).Scan(&dir, &fromName, &fromAddr, &web, &to)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		h.Direction, h.WebLink = dir, web
		if dir == model.DirectionOut {
			h.Counterpart = to.String
		} else {
			h.Counterpart = firstNonEmpty(fromName, fromAddr)
		}
	case model.KindMeeting:
		var org, web string
		err := s.db.QueryRowContext(ctx, `SELECT COALESCE(NULLIF(organizer_name, ''), organizer_address), web_link FROM events WHERE account_id = ? AND id = ?`,
			h.AccountID, h.ItemID).Scan(&org, &web)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		h.Counterpart, h.WebLink = org, web
	case model.KindFile:
		// Issue 5 names a file's document after its newest activity row.
		var actor, web string
		err := s.db.QueryRowContext(ctx, `SELECT COALESCE(NULLIF(fa.actor_name, ''), fa.actor_address), COALESCE(d.web_url, '')
			FROM file_activity fa LEFT JOIN drive_items d ON d.account_id = fa.account_id AND d.drive_key = fa.drive_key AND d.id = fa.item_id
			WHERE fa.account_id = ? AND fa.id = CAST(? AS INTEGER)`, h.AccountID, h.ItemID).Scan(&actor, &web)
		switch {
		case err == nil:
			h.Counterpart, h.WebLink = actor, web
		case err == sql.ErrNoRows || isNoFileTables(err) || strings.Contains(err.Error(), "no such table"):
			h.Counterpart = people
		default:
			return err
		}
	default:
		h.Counterpart = people
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.name FROM links l JOIN clients c ON c.id = l.client_id
		WHERE l.account_id = ? AND l.item_id = ? AND l.kind = ? ORDER BY c.name`, h.AccountID, h.ItemID, h.Kind)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		h.ClientIDs = append(h.ClientIDs, id)
		h.ClientNames = append(h.ClientNames, name)
	}
	return rows.Err()
}
