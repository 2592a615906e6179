package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"rapport/backend/model"
)

// ErrClientExists is returned when a client name is taken (names compare
// case-insensitively).
var ErrClientExists = errors.New("a client with that name already exists")

// relinkDomainsSQL recomputes the mail links of one client from the domain
// rule, over every stored message (used when a rule changes).
const relinkDomainsSQL = `
INSERT OR IGNORE INTO links(client_id, kind, account_id, item_id, at)
SELECT DISTINCT cd.client_id, 'mail', m.account_id, m.id,
       CASE WHEN m.direction = 'out' AND m.sent_at <> 0 THEN m.sent_at ELSE m.received_at END
FROM client_domains cd
JOIN participants p ON p.domain = cd.domain
JOIN messages m ON m.account_id = p.account_id AND m.id = p.message_id
WHERE cd.client_id = ?
  AND (SELECT COUNT(*) FROM client_domains c2 WHERE c2.domain = cd.domain) = 1`

// relinkMeetingsSQL is relinkDomainsSQL for calendar events.
const relinkMeetingsSQL = `
INSERT OR IGNORE INTO links(client_id, kind, account_id, item_id, at)
SELECT DISTINCT cd.client_id, 'meeting', e.account_id, e.id, e.start_at
FROM client_domains cd
JOIN event_attendees a ON a.domain = cd.domain
JOIN events e ON e.account_id = a.account_id AND e.id = a.event_id
WHERE cd.client_id = ?
  AND (SELECT COUNT(*) FROM client_domains c2 WHERE c2.domain = cd.domain) = 1`

// AddClient creates a client with its domains (already normalised by the
// clients package) and links existing activity to it in the same
// transaction. Clients that shared one of the domains are re-linked too,
// since a contested domain links neither.
func (s *Store) AddClient(ctx context.Context, name string, domains []string) (model.Client, error) {
	c := model.Client{Name: strings.TrimSpace(name), Domains: domains}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO clients(name, created_at) VALUES(?, ?) RETURNING id`, c.Name, ms(time.Now())).Scan(&c.ID)
		if err != nil {
			var se sqlite3.Error
			if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
				return fmt.Errorf("%q: %w", c.Name, ErrClientExists)
			}
			return err
		}
		return addDomains(ctx, tx, c.ID, domains)
	})
	return c, err
}

// AddClientDomains adds domains to an existing client and re-links.
func (s *Store) AddClientDomains(ctx context.Context, clientID int64, domains []string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return addDomains(ctx, tx, clientID, domains) })
}

func addDomains(ctx context.Context, tx *sql.Tx, clientID int64, domains []string) error {
	affected := map[int64]bool{clientID: true}
	for _, d := range domains {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO client_domains(client_id, domain) VALUES(?, ?)`, clientID, d); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT client_id FROM client_domains WHERE domain = ?`, d)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			affected[id] = true
		}
		rows.Close()
	}
	for id := range affected {
		if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE client_id = ? AND kind IN ('mail', 'meeting')`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, relinkDomainsSQL, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, relinkMeetingsSQL, id); err != nil {
			return err
		}
	}
	return nil
}

// Clients lists every client with its domains, item count and last contact,
// most recently contacted first.
func (s *Store) Clients(ctx context.Context) ([]model.ClientSummary, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT c.id, c.name,
		       COALESCE((SELECT group_concat(domain, char(31)) FROM (SELECT domain FROM client_domains WHERE client_id = c.id ORDER BY domain)), ''),
		       (SELECT COUNT(*) FROM links WHERE client_id = c.id),
		       (SELECT MAX(at) FROM links WHERE client_id = c.id)
		FROM clients c`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []model.ClientSummary{}
	for rows.Next() {
		var cs model.ClientSummary
		var domains string
		var last sql.NullInt64
		if err := rows.Scan(&cs.ID, &cs.Name, &domains, &cs.Items, &last); err != nil {
			return nil, err
		}
		cs.Domains = splitList(domains)
		if cs.Domains == nil {
			cs.Domains = []string{}
		}
		cs.LastContact = fromNullMS(last)
		out = append(out, cs)
	}
	sortClients(out)
	return out, rows.Err()
}

// ClientByName finds a client by name, case-insensitively.
func (s *Store) ClientByName(ctx context.Context, name string) (model.Client, error) {
	var c model.Client
	err := s.db.QueryRowContext(ctx, `SELECT id, name FROM clients WHERE name = ? COLLATE NOCASE`, strings.TrimSpace(name)).Scan(&c.ID, &c.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("no client named %q: %w", name, model.ErrNotFound)
	}
	return c, err
}
