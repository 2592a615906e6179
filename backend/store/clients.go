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
	_, err := addDomainsRelink(ctx, tx, clientID, domains)
	return err
}

// addDomainsRelink gives domains to a client and re-links only the items
// with a participant on them (rules.go), returning the clients whose links
// changed. A domain on the never-matched list is refused.
func addDomainsRelink(ctx context.Context, tx *sql.Tx, clientID int64, domains []string) ([]int64, error) {
	r, err := newRelink(ctx, tx)
	if err != nil {
		return nil, err
	}
	for _, d := range domains {
		var source string
		err := tx.QueryRowContext(ctx, `SELECT source FROM exclusions WHERE kind = 'domain' AND value = ?`, d).Scan(&source)
		if err == nil {
			return nil, fmt.Errorf("%s %w (%s); remove it from that list first", d, ErrExcluded, source)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO client_domains(client_id, domain) VALUES(?, ?)`, clientID, d)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		if err := r.markDomain(d); err != nil {
			return nil, err
		}
	}
	ids, err := r.apply()
	return withClientID(ids, clientID), err
}

// Clients lists every client with its domains, item count and last contact
// (the newest mail or past, non-cancelled meeting: see insights), most
// recently contacted first.
func (s *Store) Clients(ctx context.Context) ([]model.ClientSummary, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT c.id, c.name,
		       COALESCE((SELECT group_concat(domain, char(31)) FROM (SELECT domain FROM client_domains WHERE client_id = c.id ORDER BY domain)), ''),
		       c.items,
		       (SELECT l.at FROM links l LEFT JOIN events e ON l.kind = 'meeting' AND e.account_id = l.account_id AND e.id = l.item_id
		         WHERE l.client_id = c.id AND l.kind IN ('mail', 'meeting') AND l.at <= ? AND COALESCE(e.is_cancelled, 0) = 0
		         ORDER BY l.at DESC LIMIT 1)
		FROM clients c`, time.Now().UnixMilli())
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
