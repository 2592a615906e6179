package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/mattn/go-sqlite3"

	"rapport/backend/model"
)

// The matching rules of DESIGN §4, as SQL. For one item (a message or a
// meeting) the clients it belongs to are:
//
//	manual links of the item                                 (rule 1: linked=1 adds,
//	                                                          linked=0 removes, whatever else says)
//	∪ for each participant p:
//	    the clients having p.address as an explicit contact  (rule 2)
//	    else the one client owning p.domain, if exactly one  (rule 4; a contested
//	         client owns it and p is not excluded              domain links nobody)
//
// Folder mappings (rule 3) concern files only (issue 5). A participant is
// excluded when its domain, its address or the part before its @ is in
// exclusions (generic mail providers, the accounts' own domains, colleagues,
// no-reply senders). An explicit contact outranks an exclusion: that is how
// a client's person on gmail.com is linked.

// domainRuleSQL is the domain rule's condition for participant alias p
// (columns address, domain) matched to client_domains alias cd on
// cd.domain = p.domain.
func domainRuleSQL(p, cd string) string {
	return `NOT EXISTS (SELECT 1 FROM client_contacts r_c WHERE r_c.address = ` + p + `.address)
	  AND NOT EXISTS (SELECT 1 FROM client_domains r_d WHERE r_d.domain = ` + cd + `.domain AND r_d.client_id <> ` + cd + `.client_id)
	  AND NOT ` + excludedSQL(p)
}

// excludedSQL is true when participant alias p must never be matched by its
// domain (nor suggested).
func excludedSQL(p string) string {
	return `(EXISTS (SELECT 1 FROM exclusions r_x WHERE r_x.kind = 'domain' AND r_x.value = ` + p + `.domain)
	  OR EXISTS (SELECT 1 FROM exclusions r_x WHERE r_x.kind = 'address' AND r_x.value = ` + p + `.address)
	  OR EXISTS (SELECT 1 FROM exclusions r_x WHERE r_x.kind = 'local' AND r_x.value = substr(` + p + `.address, 1, instr(` + p + `.address, '@') - 1)))`
}

// participantIsClientSQL is true when participant alias p belongs to the
// client whose id is the SQL expression client (the per-participant part
// of the rules above, used by the insights queries).
func participantIsClientSQL(p, client string) string {
	return `(EXISTS (SELECT 1 FROM client_contacts r_cc WHERE r_cc.address = ` + p + `.address AND r_cc.client_id = ` + client + `)
	  OR EXISTS (SELECT 1 FROM client_domains r_cd WHERE r_cd.domain = ` + p + `.domain AND r_cd.client_id = ` + client + `
	             AND ` + domainRuleSQL(p, "r_cd") + `))`
}

// linkKind describes the tables behind one kind of item.
type linkKind struct {
	kind      string // links.kind
	items     string // the item table (alias i): messages or events
	people    string // its participants table (alias p)
	peopleKey string // the participants' column holding the item id
	at        string // the instant on a timeline, over alias i
	thread    string // the link's conv_key and imid_key columns (link_facts.go), over alias i
	mine      string // its mine bit, over alias i
}

var (
	mailKind = linkKind{model.KindMail, "messages", "participants", "message_id", mailAtSQL("i"),
		"i.conv_key, " + textKeySQL + "(i.internet_message_id)", mineSQL("i")}
	meetingKind = linkKind{model.KindMeeting, "events", "event_attendees", "event_id", "i.start_at", "0, 0", "0"}
)

// mailAtSQL is mailAt in SQL: sent time for outgoing mail, arrival otherwise.
func mailAtSQL(m string) string {
	return `CASE WHEN (` + m + `.direction = 'out' AND ` + m + `.sent_at <> 0) OR ` + m + `.received_at = 0 THEN ` + m + `.sent_at ELSE ` + m + `.received_at END`
}

// linkSQL inserts the links of the items listed by source, a table or
// subquery with columns (kind, account_id, item_id) aliased r. at is the
// link's instant (an SQL expression over the item alias i). CROSS JOIN
// keeps the source as the outer loop (SQLite never reorders it): without
// statistics the planner would otherwise scan every participant of the
// account for a page's 100 ids (issue 7).
//
// Each reason for a link carries its bit of links.flags (link_facts.go):
// a sender who belongs to the client, a recipient who does, a manual link;
// SUM(DISTINCT) of distinct powers of two is their OR.
func (k linkKind) linkSQL(source, at string) string {
	return `
WITH cand(account_id, item_id, client_id, bit) AS (
  SELECT p.account_id, p.` + k.peopleKey + `, cc.client_id, ` + roleBitSQL("p") + `
  FROM ` + source + ` CROSS JOIN ` + k.people + ` p ON p.account_id = r.account_id AND p.` + k.peopleKey + ` = r.item_id
  JOIN client_contacts cc ON cc.address = p.address
  WHERE r.kind = '` + k.kind + `'
  UNION
  SELECT p.account_id, p.` + k.peopleKey + `, cd.client_id, ` + roleBitSQL("p") + `
  FROM ` + source + ` CROSS JOIN ` + k.people + ` p ON p.account_id = r.account_id AND p.` + k.peopleKey + ` = r.item_id
  JOIN client_domains cd ON cd.domain = p.domain
  WHERE r.kind = '` + k.kind + `' AND ` + domainRuleSQL("p", "cd") + `
  UNION
  SELECT ml.account_id, ml.item_id, ml.client_id, ` + strconv.Itoa(LinkManual) + `
  FROM ` + source + ` CROSS JOIN manual_links ml ON ml.kind = r.kind AND ml.account_id = r.account_id AND ml.item_id = r.item_id
  WHERE r.kind = '` + k.kind + `' AND ml.linked = 1
)
INSERT OR IGNORE INTO links(client_id, kind, account_id, item_id, at, conv_key, imid_key, flags)
SELECT c.client_id, '` + k.kind + `', i.account_id, i.id, ` + at + `, ` + k.thread + `, SUM(DISTINCT c.bit) | ` + k.mine + `
FROM cand c JOIN ` + k.items + ` i ON i.account_id = c.account_id AND i.id = c.item_id
WHERE NOT EXISTS (SELECT 1 FROM manual_links u WHERE u.client_id = c.client_id AND u.kind = '` + k.kind + `'
                  AND u.account_id = c.account_id AND u.item_id = c.item_id AND u.linked = 0)
GROUP BY c.client_id, i.account_id, i.id`
}

// linkMailSQL and linkEventSQL link one just-written item, with the
// arguments (at, account id, item id) — all the rules, in one statement.
var (
	linkMailSQL  = mailKind.linkSQL(`(SELECT 'mail' AS kind, ?2 AS account_id, ?3 AS item_id) r`, "?1")
	linkEventSQL = meetingKind.linkSQL(`(SELECT 'meeting' AS kind, ?2 AS account_id, ?3 AS item_id) r`, "?1")
)

// relink re-evaluates the rules for a set of items inside a transaction:
// mark them, then apply. Only the marked items' mail and meeting links
// change (file links belong to issue 5's folder rules, which consult
// manual_links themselves).
type relink struct {
	ctx context.Context
	tx  *sql.Tx
}

// relinkAfter re-links, in tx, the items mark names (a rule change's
// domains, addresses or exclusions) and returns the clients whose links
// changed.
func relinkAfter(ctx context.Context, tx *sql.Tx, mark func(r *relink) error) ([]int64, error) {
	r, err := newRelink(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := mark(r); err != nil {
		return nil, err
	}
	return r.apply()
}

func newRelink(ctx context.Context, tx *sql.Tx) (*relink, error) {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS relink_items(
		kind TEXT NOT NULL, account_id INTEGER NOT NULL, item_id TEXT NOT NULL COLLATE BINARY,
		PRIMARY KEY (kind, account_id, item_id)) WITHOUT ROWID`); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM temp.relink_items`); err != nil {
		return nil, err
	}
	return &relink{ctx: ctx, tx: tx}, nil
}

// mark adds the items a SELECT of (kind, account_id, item_id) lists.
func (r *relink) mark(query string, args ...any) error {
	_, err := r.tx.ExecContext(r.ctx, `INSERT OR IGNORE INTO temp.relink_items(kind, account_id, item_id) `+query, args...)
	return err
}

// markDomain marks every message and meeting with a participant on domain.
func (r *relink) markDomain(domain string) error {
	if err := r.mark(`SELECT 'mail', account_id, message_id FROM participants WHERE domain = ?`, domain); err != nil {
		return err
	}
	return r.mark(`SELECT 'meeting', account_id, event_id FROM event_attendees WHERE domain = ?`, domain)
}

// markAddress marks every message and meeting with that participant.
// markDomains marks the items with a participant on any of domains.
func (r *relink) markDomains(domains []string) error {
	for _, d := range domains {
		if err := r.markDomain(d); err != nil {
			return err
		}
	}
	return nil
}

func (r *relink) markAddress(addr string) error {
	if err := r.mark(`SELECT 'mail', account_id, message_id FROM participants WHERE address = ?`, addr); err != nil {
		return err
	}
	return r.mark(`SELECT 'meeting', account_id, event_id FROM event_attendees WHERE address = ?`, addr)
}

// markLocal marks items with a participant whose address starts with
// local@ (a range scan of the address index: '@'+1 is 'A').
func (r *relink) markLocal(local string) error {
	lo, hi := local+"@", local+"A"
	if err := r.mark(`SELECT 'mail', account_id, message_id FROM participants WHERE address >= ? AND address < ?`, lo, hi); err != nil {
		return err
	}
	return r.mark(`SELECT 'meeting', account_id, event_id FROM event_attendees WHERE address >= ? AND address < ?`, lo, hi)
}

// markExclusion marks the items an exclusion (added or removed) concerns.
func (r *relink) markExclusion(kind, value string) error {
	switch kind {
	case ExcludeDomain:
		return r.markDomain(value)
	case ExcludeAddress:
		return r.markAddress(value)
	case ExcludeLocal:
		return r.markLocal(value)
	}
	return fmt.Errorf("unknown exclusion kind %q", kind)
}

// apply deletes the marked items' links and writes them again from the
// rules. It returns every client whose links may have changed (before or
// after), sorted.
func (r *relink) apply() ([]int64, error) {
	ctx, tx := r.ctx, r.tx
	affected := map[int64]bool{}
	collect := func() error {
		ids, err := queryColumn[int64](ctx, tx, `SELECT DISTINCT l.client_id FROM temp.relink_items x
			JOIN links l ON l.account_id = x.account_id AND l.item_id = x.item_id AND l.kind = x.kind`)
		for _, id := range ids {
			affected[id] = true
		}
		return err
	}
	if err := collect(); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE kind IN ('mail', 'meeting')
		AND (account_id, item_id) IN (SELECT account_id, item_id FROM temp.relink_items)
		AND EXISTS (SELECT 1 FROM temp.relink_items x WHERE x.kind = links.kind AND x.account_id = links.account_id AND x.item_id = links.item_id)`); err != nil {
		return nil, fmt.Errorf("relink: %w", err)
	}
	for _, k := range []linkKind{mailKind, meetingKind} {
		if _, err := tx.ExecContext(ctx, k.linkSQL(`temp.relink_items r`, k.at)); err != nil {
			return nil, fmt.Errorf("relink %s: %w", k.kind, err)
		}
	}
	if err := collect(); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM temp.relink_items`); err != nil {
		return nil, err
	}
	return ruleIDs(affected), nil
}

func ruleIDs(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Exclusion kinds and sources.
const (
	ExcludeDomain  = "domain"
	ExcludeAddress = "address"
	ExcludeLocal   = "local"

	SourceShipped = "shipped"
	SourceTenant  = "tenant"
	SourceUser    = "user"
)

// Exclusion is one entry of the never-matched list.
type Exclusion struct {
	Kind   string `json:"kind"`   // domain | address | local
	Value  string `json:"value"`  // contoso.com | jo@partner.com | noreply
	Source string `json:"source"` // shipped | tenant | user
}

// Errors users act on.
var (
	ErrDomainTaken       = errors.New("belongs to a client")
	ErrExcluded          = errors.New("is on the never-matched list")
	ErrTenantExclusion   = errors.New("is your own organisation's domain and is always excluded")
	ErrContactExists     = errors.New("is already a contact of that client")
	ErrNoSuchItem        = errors.New("no such item")
	ErrExclusionIsClient = errors.New("is a client's contact")
)

// Exclusions lists the never-matched list: kind, then value.
func (s *Store) Exclusions(ctx context.Context) ([]Exclusion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, value, source FROM exclusions ORDER BY kind, value`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Exclusion{}
	for rows.Next() {
		var e Exclusion
		if err := rows.Scan(&e.Kind, &e.Value, &e.Source); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddExclusion adds an entry (already normalised by the clients package)
// and re-links the items it concerns. A domain a client claims, or an
// address that is a client's contact, is refused: the user removes it
// there first.
func (s *Store) AddExclusion(ctx context.Context, kind, value, source string) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		switch kind {
		case ExcludeDomain:
			if name, ok, err := domainOwner(ctx, tx, value); err != nil {
				return err
			} else if ok && source != SourceTenant {
				return fmt.Errorf("%s %w %s; remove it from that client first", value, ErrDomainTaken, name)
			}
		case ExcludeAddress:
			var name string
			err := tx.QueryRowContext(ctx, `SELECT c.name FROM client_contacts cc JOIN clients c ON c.id = cc.client_id WHERE cc.address = ? LIMIT 1`, value).Scan(&name)
			if err == nil {
				return fmt.Errorf("%s %w (%s); remove the contact first", value, ErrExclusionIsClient, name)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO exclusions(kind, value, source, added_at) VALUES(?,?,?,?) ON CONFLICT DO NOTHING`,
			kind, value, source, ms(time.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already there
		}
		ids, err = relinkAfter(ctx, tx, func(r *relink) error { return r.markExclusion(kind, value) })
		return err
	})
	return ids, err
}

// RemoveExclusion removes an entry and re-links the items it concerned.
// The accounts' own domains cannot be removed.
func (s *Store) RemoveExclusion(ctx context.Context, kind, value string) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var source string
		err := tx.QueryRowContext(ctx, `SELECT source FROM exclusions WHERE kind = ? AND value = ?`, kind, value).Scan(&source)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s is not on the never-matched list: %w", value, model.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if source == SourceTenant {
			return fmt.Errorf("%s %w", value, ErrTenantExclusion)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM exclusions WHERE kind = ? AND value = ?`, kind, value); err != nil {
			return err
		}
		ids, err = relinkAfter(ctx, tx, func(r *relink) error { return r.markExclusion(kind, value) })
		return err
	})
	return ids, err
}

// SetTenantDomains makes the 'tenant' exclusions exactly domains (the
// accounts' own registrable domains) and re-links what changed.
func (s *Store) SetTenantDomains(ctx context.Context, domains []string) ([]int64, error) {
	want := map[string]bool{}
	for _, d := range domains {
		if d != "" {
			want[d] = true
		}
	}
	var ids []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		tenant, err := queryColumn[string](ctx, tx, `SELECT value FROM exclusions WHERE kind = 'domain' AND source = 'tenant'`)
		if err != nil {
			return err
		}
		have := map[string]bool{}
		for _, d := range tenant {
			have[d] = true
		}
		var changed []string
		for d := range have {
			if !want[d] {
				if _, err := tx.ExecContext(ctx, `DELETE FROM exclusions WHERE kind = 'domain' AND value = ?`, d); err != nil {
					return err
				}
				changed = append(changed, d)
			}
		}
		for d := range want {
			if have[d] {
				continue
			}
			// A shipped or user entry for the same domain becomes the
			// tenant's (it can no longer be removed while the account is here).
			if _, err := tx.ExecContext(ctx, `INSERT INTO exclusions(kind, value, source, added_at) VALUES('domain', ?, 'tenant', ?)
				ON CONFLICT(kind, value) DO UPDATE SET source = 'tenant'`, d, ms(time.Now())); err != nil {
				return err
			}
			changed = append(changed, d)
		}
		if len(changed) == 0 {
			return nil
		}
		ids, err = relinkAfter(ctx, tx, func(r *relink) error { return r.markDomains(changed) })
		return err
	})
	return ids, err
}

// IsExcluded reports whether a domain or address is on the list (for
// validation before a domain is given to a client).
func (s *Store) IsExcluded(ctx context.Context, kind, value string) (bool, string, error) {
	var source string
	err := s.db.QueryRowContext(ctx, `SELECT source FROM exclusions WHERE kind = ? AND value = ?`, kind, value).Scan(&source)
	if errors.Is(err, sql.ErrNoRows) {
		return false, "", nil
	}
	return err == nil, source, err
}

// domainOwner names a client claiming domain (the first by name).
func domainOwner(ctx context.Context, tx *sql.Tx, domain string) (string, bool, error) {
	var name string
	err := tx.QueryRowContext(ctx, `SELECT c.name FROM client_domains cd JOIN clients c ON c.id = cd.client_id
		WHERE cd.domain = ? ORDER BY c.name LIMIT 1`, domain).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return name, err == nil, err
}

// clientExists fails with ErrNotFound for an unknown client id.
func clientExists(ctx context.Context, tx *sql.Tx, clientID int64) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM clients WHERE id = ?`, clientID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("no client with id %d: %w", clientID, model.ErrNotFound)
	}
	return err
}

// RemoveClientDomain takes a domain from a client and re-links the items on
// it (a domain two clients shared now belongs to the other one alone).
func (s *Store) RemoveClientDomain(ctx context.Context, clientID int64, domain string) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM client_domains WHERE client_id = ? AND domain = ?`, clientID, domain)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%s is not one of this client's domains: %w", domain, model.ErrNotFound)
		}
		ids, err = relinkAfter(ctx, tx, func(r *relink) error { return r.markDomain(domain) })
		ids = withClientID(ids, clientID)
		return err
	})
	return ids, err
}

// AddClientContact makes an address a client's explicit contact and
// re-links the items it is on.
func (s *Store) AddClientContact(ctx context.Context, clientID int64, addr string) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := clientExists(ctx, tx, clientID); err != nil {
			return err
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM exclusions WHERE kind = 'address' AND value = ?`, addr).Scan(&one)
		if err == nil {
			return fmt.Errorf("%s %w; remove it from that list first", addr, ErrExcluded)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO client_contacts(client_id, address, added_at) VALUES(?,?,?) ON CONFLICT DO NOTHING`,
			clientID, addr, ms(time.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%s %w", addr, ErrContactExists)
		}
		ids, err = relinkAfter(ctx, tx, func(r *relink) error { return r.markAddress(addr) })
		ids = withClientID(ids, clientID)
		return err
	})
	return ids, err
}

// RemoveClientContact removes an explicit contact and re-links its items
// (the domain rule takes over for them).
func (s *Store) RemoveClientContact(ctx context.Context, clientID int64, addr string) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM client_contacts WHERE client_id = ? AND address = ?`, clientID, addr)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%s is not a contact of this client: %w", addr, model.ErrNotFound)
		}
		ids, err = relinkAfter(ctx, tx, func(r *relink) error { return r.markAddress(addr) })
		ids = withClientID(ids, clientID)
		return err
	})
	return ids, err
}

// ClientContacts lists a client's explicit contacts, sorted.
func (s *Store) ClientContacts(ctx context.Context, clientID int64) ([]string, error) {
	out, err := queryColumn[string](ctx, s.db, `SELECT address FROM client_contacts WHERE client_id = ? ORDER BY address`, clientID)
	if out == nil {
		out = []string{}
	}
	return out, err
}

// Client loads one client with its domains.
func (s *Store) Client(ctx context.Context, clientID int64) (model.Client, error) {
	c := model.Client{ID: clientID, Domains: []string{}}
	err := s.db.QueryRowContext(ctx, `SELECT name FROM clients WHERE id = ?`, clientID).Scan(&c.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("no client with id %d: %w", clientID, model.ErrNotFound)
	}
	if err != nil {
		return c, err
	}
	ds, err := queryColumn[string](ctx, s.db, `SELECT domain FROM client_domains WHERE client_id = ? ORDER BY domain`, clientID)
	c.Domains = append(c.Domains, ds...)
	return c, err
}

// RenameClient renames a client (names are unique, case-insensitively).
func (s *Store) RenameClient(ctx context.Context, clientID int64, name string) error {
	res, err := s.exec(ctx, `UPDATE clients SET name = ? WHERE id = ?`, name, clientID)
	if err != nil {
		var se sqlite3.Error
		if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique {
			return fmt.Errorf("%q: %w", name, ErrClientExists)
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("no client with id %d: %w", clientID, model.ErrNotFound)
	}
	return nil
}

// DeleteClient deletes a client, its rules and its links; the mail, meetings
// and files stay. Items on the domains it shared with another client are
// re-linked (the domain is no longer contested). Returns the other clients
// whose links changed.
func (s *Store) DeleteClient(ctx context.Context, clientID int64) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := clientExists(ctx, tx, clientID); err != nil {
			return err
		}
		domains, err := ruleStrings(ctx, tx, `SELECT domain FROM client_domains WHERE client_id = ?`, clientID)
		if err != nil {
			return err
		}
		contacts, err := ruleStrings(ctx, tx, `SELECT address FROM client_contacts WHERE client_id = ?`, clientID)
		if err != nil {
			return err
		}
		// The folders mapped to it: their subtrees fall to the next mapped
		// ancestor (another client's folder above), not to "no client".
		type folder struct {
			account int64
			drive   int64
			id      string
		}
		var mapped []folder
		rows, err := tx.QueryContext(ctx, `SELECT account_id, drive_key, folder_id FROM folder_mappings WHERE client_id = ?`, clientID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var f folder
			if err := rows.Scan(&f.account, &f.drive, &f.id); err != nil {
				rows.Close()
				return err
			}
			mapped = append(mapped, f)
		}
		rows.Close()
		// links, client_domains, client_contacts, manual_links and
		// folder_mappings cascade; drive items' client is set to NULL.
		if _, err := tx.ExecContext(ctx, `DELETE FROM clients WHERE id = ?`, clientID); err != nil {
			return err
		}
		for _, f := range mapped {
			moved, err := resolveSubtrees(ctx, tx, f.account, f.drive, `SELECT ?3`, f.id)
			if err != nil {
				return err
			}
			ids = append(ids, moved...)
		}
		if len(mapped) > 0 { // a file linked or unlinked by hand keeps that (as MapFolder does)
			if err := ApplyManualLinks(ctx, tx, model.KindFile); err != nil {
				return err
			}
		}
		relinked, err := relinkAfter(ctx, tx, func(r *relink) error {
			if err := r.markDomains(domains); err != nil {
				return err
			}
			for _, a := range contacts {
				if err := r.markAddress(a); err != nil {
					return err
				}
			}
			return nil
		})
		ids = append(ids, relinked...)
		return err
	})
	return uniqueIDs(ids), err
}

func ruleStrings(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]string, error) {
	return queryColumn[string](ctx, tx, q, args...)
}

func withClientID(ids []int64, id int64) []int64 {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	ids = append(ids, id)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// SetManualLink records the user's decision that one item does (linked) or
// does not belong to a client, and applies it. The item is named by its
// Graph id, found in whichever account holds it. For files (issue 5) the
// link row is written here directly; the folder rules consult manual_links
// when they re-link.
func (s *Store) SetManualLink(ctx context.Context, kind, itemID string, clientID int64, linked bool) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := clientExists(ctx, tx, clientID); err != nil {
			return err
		}
		accts, err := itemAccounts(ctx, tx, kind, itemID)
		if err != nil {
			return err
		}
		r, err := newRelink(ctx, tx)
		if err != nil {
			return err
		}
		for _, acct := range accts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO manual_links(client_id, kind, account_id, item_id, linked, decided_at) VALUES(?,?,?,?,?,?)
				ON CONFLICT DO UPDATE SET linked = excluded.linked, decided_at = excluded.decided_at`,
				clientID, kind, acct, itemID, linked, ms(time.Now())); err != nil {
				return err
			}
			if kind == model.KindFile {
				if err := applyManualFileLink(ctx, tx, clientID, acct, itemID, linked); err != nil {
					return err
				}
				continue
			}
			if err := r.mark(`SELECT ?, ?, ?`, kind, acct, itemID); err != nil {
				return err
			}
		}
		ids, err = r.apply()
		ids = withClientID(ids, clientID)
		return err
	})
	return ids, err
}

// ClearManualLink forgets the user's decision on an item for a client: the
// rules decide again.
func (s *Store) ClearManualLink(ctx context.Context, kind, itemID string, clientID int64) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		accts, err := itemAccounts(ctx, tx, kind, itemID)
		if err != nil {
			return err
		}
		r, err := newRelink(ctx, tx)
		if err != nil {
			return err
		}
		for _, acct := range accts {
			if _, err := tx.ExecContext(ctx, `DELETE FROM manual_links WHERE client_id = ? AND kind = ? AND account_id = ? AND item_id = ?`,
				clientID, kind, acct, itemID); err != nil {
				return err
			}
			if kind != model.KindFile {
				if err := r.mark(`SELECT ?, ?, ?`, kind, acct, itemID); err != nil {
					return err
				}
			}
		}
		ids, err = r.apply()
		ids = withClientID(ids, clientID)
		return err
	})
	return ids, err
}

// itemAccounts finds the accounts holding an item by its id.
func itemAccounts(ctx context.Context, tx *sql.Tx, kind, itemID string) ([]int64, error) {
	var q string
	switch kind {
	case model.KindMail:
		q = `SELECT a.id FROM accounts a WHERE EXISTS (SELECT 1 FROM messages m WHERE m.account_id = a.id AND m.id = ?)`
	case model.KindMeeting:
		q = `SELECT a.id FROM accounts a WHERE EXISTS (SELECT 1 FROM events e WHERE e.account_id = a.id AND e.id = ?)`
	case model.KindFile:
		// Issue 5: a file's links and search document name one of its
		// file_activity rows by id.
		q = `SELECT DISTINCT account_id FROM (
			SELECT account_id FROM file_activity WHERE id = CAST(?1 AS INTEGER) AND CAST(id AS TEXT) = ?1
			UNION SELECT account_id FROM links WHERE kind = 'file' AND item_id = ?1)`
	default:
		return nil, fmt.Errorf("unknown item kind %q (mail, meeting or file)", kind)
	}
	out, err := queryColumn[int64](ctx, tx, q, itemID)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s %q: %w", kind, itemID, ErrNoSuchItem)
	}
	return out, nil
}

// applyManualFileLink writes or deletes one file link row for a manual
// decision (item_id: a file_activity id, as issue 5 links files).
func applyManualFileLink(ctx context.Context, tx *sql.Tx, clientID, acct int64, itemID string, linked bool) error {
	if !linked {
		_, err := tx.ExecContext(ctx, `DELETE FROM links WHERE client_id = ? AND kind = 'file' AND account_id = ? AND item_id = ?`, clientID, acct, itemID)
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO links(client_id, kind, account_id, item_id, at)
		SELECT ?1, 'file', ?2, ?3, COALESCE(
			(SELECT at FROM file_activity WHERE account_id = ?2 AND id = CAST(?3 AS INTEGER)),
			(SELECT MAX(at) FROM links WHERE kind = 'file' AND account_id = ?2 AND item_id = ?3), 0)`, clientID, acct, itemID)
	return err
}

// ApplyManualLinks re-applies the manual decisions on items of one kind
// after a rule re-linked them: for files, issue 5's folder re-link calls
// it at the end of its transaction so manual links outrank folder mappings.
func ApplyManualLinks(ctx context.Context, tx *sql.Tx, kind string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE kind = ?1 AND EXISTS (SELECT 1 FROM manual_links u
		WHERE u.linked = 0 AND u.kind = ?1 AND u.client_id = links.client_id AND u.account_id = links.account_id AND u.item_id = links.item_id)`, kind); err != nil {
		return err
	}
	if kind != model.KindFile {
		return nil // mail and meeting links apply manual_links in linkSQL
	}
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO links(client_id, kind, account_id, item_id, at)
		SELECT u.client_id, 'file', u.account_id, u.item_id, fa.at
		FROM manual_links u JOIN file_activity fa ON fa.account_id = u.account_id AND fa.id = CAST(u.item_id AS INTEGER)
		WHERE u.kind = 'file' AND u.linked = 1`)
	return err
}

// ManualLink is one recorded decision.
type ManualLink struct {
	ClientID  int64  `json:"clientId"`
	Kind      string `json:"kind"`
	AccountID int64  `json:"-"`
	ItemID    string `json:"itemId"`
	Linked    bool   `json:"linked"`
}

// ManualLinks lists a client's manual decisions.
func (s *Store) ManualLinks(ctx context.Context, clientID int64) ([]ManualLink, error) {
	out, err := queryRows(ctx, s.db, func(rows *sql.Rows) (ManualLink, error) {
		var m ManualLink
		err := rows.Scan(&m.ClientID, &m.Kind, &m.AccountID, &m.ItemID, &m.Linked)
		return m, err
	}, `SELECT client_id, kind, account_id, item_id, linked FROM manual_links WHERE client_id = ? ORDER BY kind, item_id`, clientID)
	if out == nil && err == nil {
		out = []ManualLink{} // JSON: [], not null
	}
	return out, err
}

// Ambiguity is a domain two or more clients claim: its items link to none
// of them until the user answers.
type Ambiguity struct {
	Domain      string   `json:"domain"`
	ClientIDs   []int64  `json:"clientIds"`
	ClientNames []string `json:"clientNames"`
	Messages    int      `json:"messages"`
	Meetings    int      `json:"meetings"`
}

// Ambiguities lists the contested domains the user has not settled, with
// how many messages and meetings wait on the answer.
func (s *Store) Ambiguities(ctx context.Context) ([]Ambiguity, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT cd.domain, group_concat(c.id, char(31)), group_concat(c.name, char(31)),
		       (SELECT COUNT(DISTINCT account_id || ':' || message_id) FROM participants WHERE domain = cd.domain),
		       (SELECT COUNT(DISTINCT account_id || ':' || event_id) FROM event_attendees WHERE domain = cd.domain)
		FROM (SELECT * FROM client_domains ORDER BY client_id) cd JOIN clients c ON c.id = cd.client_id
		WHERE cd.domain NOT IN (SELECT domain FROM settled_ambiguities)
		GROUP BY cd.domain HAVING COUNT(*) > 1
		ORDER BY cd.domain`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Ambiguity{}
	for rows.Next() {
		var a Ambiguity
		var ids, names string
		if err := rows.Scan(&a.Domain, &ids, &names, &a.Messages, &a.Meetings); err != nil {
			return nil, err
		}
		for _, v := range splitList(ids) {
			var id int64
			fmt.Sscan(v, &id)
			a.ClientIDs = append(a.ClientIDs, id)
		}
		a.ClientNames = splitList(names)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ResolveDomain answers the "which client?" prompt: the domain stays with
// clientID alone (the other clients lose it), or with clientID 0 it stays
// contested — linking nobody — and is not asked about again.
func (s *Store) ResolveDomain(ctx context.Context, domain string, clientID int64) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		claimants, err := ruleStrings(ctx, tx, `SELECT client_id FROM client_domains WHERE domain = ?`, domain)
		if err != nil {
			return err
		}
		if len(claimants) == 0 {
			return fmt.Errorf("no client claims %s: %w", domain, model.ErrNotFound)
		}
		if clientID == 0 {
			_, err := tx.ExecContext(ctx, `INSERT INTO settled_ambiguities(domain, at) VALUES(?, ?) ON CONFLICT DO UPDATE SET at = excluded.at`, domain, ms(time.Now()))
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM client_domains WHERE domain = ? AND client_id <> ?`, domain, clientID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM client_domains WHERE domain = ? AND client_id = ?`, domain, clientID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("that client does not claim %s: %w", domain, model.ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM settled_ambiguities WHERE domain = ?`, domain); err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return nil
		}
		ids, err = relinkAfter(ctx, tx, func(r *relink) error { return r.markDomain(domain) })
		ids = withClientID(ids, clientID)
		return err
	})
	return ids, err
}

// AddClientDomain gives a domain (normalised) to a client and re-links the
// items on it. Returns the clients whose links changed.
func (s *Store) AddClientDomain(ctx context.Context, clientID int64, domain string) ([]int64, error) {
	var ids []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := clientExists(ctx, tx, clientID); err != nil {
			return err
		}
		var err error
		ids, err = addDomainsRelink(ctx, tx, clientID, []string{domain})
		return err
	})
	return ids, err
}

// uniqueIDs sorts ids and drops repeats (and the deleted client's 0s).
func uniqueIDs(ids []int64) []int64 {
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := []int64{}
	for i, id := range ids {
		if id != 0 && (i == 0 || id != ids[i-1]) {
			out = append(out, id)
		}
	}
	return out
}
