package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"rapport/backend/model"
)

// UpsertAccount stores a signed-in account (keyed by UPN) and returns it with
// its id. Only identity fields are stored: tokens never reach SQLite. It is
// called after a successful sign-in, so it also clears any state the account
// was in (signin_required, a pending claims challenge).
func (s *Store) UpsertAccount(ctx context.Context, a model.Account) (model.Account, error) {
	if strings.TrimSpace(a.UPN) == "" {
		return a, errors.New("account has no user principal name")
	}
	if a.AddedAt.IsZero() {
		a.AddedAt = time.Now().UTC()
	}
	var added int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return changingAccounts(ctx, tx, func() error {
			return tx.QueryRowContext(ctx, `
		INSERT INTO accounts(upn, display_name, mail, tenant_id, home_account_id, scopes, added_at, state, state_error, claims, state_at)
		VALUES(?,?,?,?,?,?,?,'ok','','',NULL)
		ON CONFLICT(upn) DO UPDATE SET display_name=excluded.display_name, mail=excluded.mail,
			tenant_id=excluded.tenant_id, home_account_id=excluded.home_account_id, scopes=excluded.scopes,
			state='ok', state_error='', claims='', state_at=NULL
		RETURNING id, added_at`,
				a.UPN, a.DisplayName, a.Mail, a.TenantID, a.HomeAccountID, strings.Join(a.Scopes, " "), ms(a.AddedAt),
			).Scan(&a.ID, &added)
		})
	})
	if err != nil {
		return a, fmt.Errorf("save account: %w", err)
	}
	a.AddedAt = fromMS(added)
	a.State, a.StateError, a.Claims = model.AccountOK, "", ""
	return a, nil
}

const accountCols = `id, upn, display_name, mail, tenant_id, home_account_id, scopes, added_at, state, state_error, claims`

func scanAccount(row interface{ Scan(...any) error }) (model.Account, error) {
	var a model.Account
	var scopes string
	var added int64
	err := row.Scan(&a.ID, &a.UPN, &a.DisplayName, &a.Mail, &a.TenantID, &a.HomeAccountID, &scopes, &added,
		&a.State, &a.StateError, &a.Claims)
	a.Scopes = strings.Fields(scopes)
	a.AddedAt = fromMS(added)
	return a, err
}

// Accounts lists the stored accounts in the order they were added.
func (s *Store) Accounts(ctx context.Context) ([]model.Account, error) {
	return queryRows(ctx, s.db, rowScanner[model.Account](scanAccount).rows, `SELECT `+accountCols+` FROM accounts ORDER BY id`)
}

// AccountByUPN finds one account; model.ErrNotFound when absent.
func (s *Store) AccountByUPN(ctx context.Context, upn string) (model.Account, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE upn = ?`, upn))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("no account %q: %w", upn, model.ErrNotFound)
	}
	return a, err
}

// AccountByHomeID finds the account with this MSAL home account id
// ("<object id>.<tenant id>", compared case-insensitively).
func (s *Store) AccountByHomeID(ctx context.Context, homeAccountID string) (model.Account, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx,
		`SELECT `+accountCols+` FROM accounts WHERE lower(home_account_id) = lower(?) ORDER BY id LIMIT 1`, homeAccountID))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("no account with that sign-in: %w", model.ErrNotFound)
	}
	return a, err
}

// SetAccountState records why an account cannot sync (or, with
// model.AccountOK, that it can again). claims is a pending claims challenge
// ("" keeps none). changed reports whether anything differs from before,
// so callers notify the UI only once.
func (s *Store) SetAccountState(ctx context.Context, accountID int64, state, msg, claims string) (changed bool, err error) {
	if state == model.AccountOK {
		msg, claims = "", ""
	}
	res, err := s.exec(ctx, `
		UPDATE accounts SET state=?, state_error=?, claims=?, state_at=?
		WHERE id=? AND (state<>? OR state_error<>? OR claims<>?)`,
		state, msg, claims, ms(time.Now()), accountID, state, msg, claims)
	if err != nil {
		return false, fmt.Errorf("save account state: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// PurgeAccount deletes an account and everything synced for it — its
// messages with their participants and folders, its client links, its
// streams, and the rows of any other table keyed by account_id (calendar,
// drives, later additions) — in one transaction: either all of it is gone
// or none. It returns the clients whose timelines lost items.
func (s *Store) PurgeAccount(ctx context.Context, accountID int64) ([]int64, error) {
	var clientIDs []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts WHERE id=?`, accountID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("no such account: %w", model.ErrNotFound)
		}
		var err error
		if clientIDs, err = queryColumn[int64](ctx, tx, `SELECT DISTINCT client_id FROM links WHERE account_id=? ORDER BY client_id`, accountID); err != nil {
			return err
		}
		tables, err := accountTables(ctx, tx)
		if err != nil {
			return err
		}
		// Children first, so no foreign key without ON DELETE CASCADE
		// can object; the account row goes last.
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM "`+t+`" WHERE account_id=?`, accountID); err != nil {
				return fmt.Errorf("purge %s: %w", t, err)
			}
		}
		return changingAccounts(ctx, tx, func() error {
			_, err := tx.ExecContext(ctx, `DELETE FROM accounts WHERE id=?`, accountID)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	return clientIDs, nil
}

// accountTables lists the tables with an account_id column, ordered so that
// a table referencing another comes before it (links, participants and
// message_folders before messages, messages before nothing...).
func accountTables(ctx context.Context, tx *sql.Tx) ([]string, error) {
	names, err := queryColumn[string](ctx, tx, `
		SELECT m.name FROM sqlite_master m
		WHERE m.type='table' AND m.name<>'accounts' AND m.name NOT LIKE 'sqlite_%'
		  -- FTS tables follow their content tables through triggers; a
		  -- direct delete could corrupt an external-content index.
		  AND upper(m.sql) NOT LIKE 'CREATE VIRTUAL%'
		  AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name='account_id')
		ORDER BY m.name`)
	if err != nil {
		return nil, err
	}
	// refs[t] = tables t references by foreign key.
	refs := map[string]map[string]bool{}
	for _, t := range names {
		fk, err := tx.QueryContext(ctx, `SELECT "table" FROM pragma_foreign_key_list(?)`, t)
		if err != nil {
			return nil, err
		}
		refs[t] = map[string]bool{}
		for fk.Next() {
			var parent string
			if err := fk.Scan(&parent); err != nil {
				fk.Close()
				return nil, err
			}
			refs[t][parent] = true
		}
		fk.Close()
	}
	// Depth-first: every table before the tables it references.
	var out []string
	seen := map[string]bool{}
	var visit func(string)
	visit = func(t string) {
		if seen[t] {
			return
		}
		seen[t] = true
		for _, other := range names {
			if refs[other][t] {
				visit(other) // other references t: delete other first
			}
		}
		out = append(out, t)
	}
	for _, t := range names {
		visit(t)
	}
	return out, nil
}
