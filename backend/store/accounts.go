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
// its id. Only identity fields are stored: tokens never reach SQLite.
func (s *Store) UpsertAccount(ctx context.Context, a model.Account) (model.Account, error) {
	if strings.TrimSpace(a.UPN) == "" {
		return a, errors.New("account has no user principal name")
	}
	if a.AddedAt.IsZero() {
		a.AddedAt = time.Now().UTC()
	}
	err := s.db.QueryRowContext(ctx, `
		INSERT INTO accounts(upn, display_name, mail, tenant_id, home_account_id, scopes, added_at)
		VALUES(?,?,?,?,?,?,?)
		ON CONFLICT(upn) DO UPDATE SET display_name=excluded.display_name, mail=excluded.mail,
			tenant_id=excluded.tenant_id, home_account_id=excluded.home_account_id, scopes=excluded.scopes
		RETURNING id, added_at`,
		a.UPN, a.DisplayName, a.Mail, a.TenantID, a.HomeAccountID, strings.Join(a.Scopes, " "), ms(a.AddedAt),
	).Scan(&a.ID, new(int64))
	if err != nil {
		return a, fmt.Errorf("save account: %w", err)
	}
	return a, nil
}

const accountCols = `id, upn, display_name, mail, tenant_id, home_account_id, scopes, added_at`

func scanAccount(row interface{ Scan(...any) error }) (model.Account, error) {
	var a model.Account
	var scopes string
	var added int64
	err := row.Scan(&a.ID, &a.UPN, &a.DisplayName, &a.Mail, &a.TenantID, &a.HomeAccountID, &scopes, &added)
	a.Scopes = strings.Fields(scopes)
	a.AddedAt = fromMS(added)
	return a, err
}

// Accounts lists the stored accounts in the order they were added.
func (s *Store) Accounts(ctx context.Context) ([]model.Account, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AccountByUPN finds one account; model.ErrNotFound when absent.
func (s *Store) AccountByUPN(ctx context.Context, upn string) (model.Account, error) {
	a, err := scanAccount(s.db.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE upn = ?`, upn))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("no account %q: %w", upn, model.ErrNotFound)
	}
	return a, err
}
