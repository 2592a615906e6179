package store

import (
	"context"
	"database/sql"

	"rapport/backend/model"
)

// queryer is what both *sql.DB and *sql.Tx offer for reads.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryRows runs a query and returns what scan makes of each row, in
// order (nil for no rows).
func queryRows[T any](ctx context.Context, q queryer, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	return appendRows(ctx, q, nil, scan, query, args...)
}

// appendRows is queryRows appending to dst: a caller that knows how many
// rows to expect gives them room (a slice grown row by row allocates
// about five times its final size).
func appendRows[T any](ctx context.Context, q queryer, dst []T, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		dst = append(dst, v)
	}
	return dst, rows.Err()
}

// rowScanner is a scan of one row shared by single-row (QueryRow) and
// many-row readers.
type rowScanner[T any] func(row interface{ Scan(...any) error }) (T, error)

// rows adapts it to queryRows.
func (scan rowScanner[T]) rows(r *sql.Rows) (T, error) { return scan(r) }

// itemParticipants reads the people of one message or event, in order:
// table participants (key message_id) or event_attendees (key event_id).
func itemParticipants(ctx context.Context, q queryer, table, key string, accountID int64, id string) ([]model.Participant, error) {
	return queryRows(ctx, q, func(rows *sql.Rows) (model.Participant, error) {
		var p model.Participant
		err := rows.Scan(&p.Role, &p.Name, &p.Address, &p.Domain)
		return p, err
	}, `SELECT role, name, address, domain FROM `+table+` WHERE account_id=? AND `+key+`=? ORDER BY ord`, accountID, id)
}

// queryColumn runs a query that selects one column and returns its values
// in order (nil for no rows).
func queryColumn[T any](ctx context.Context, q queryer, query string, args ...any) ([]T, error) {
	return queryRows(ctx, q, func(rows *sql.Rows) (T, error) {
		var v T
		err := rows.Scan(&v)
		return v, err
	}, query, args...)
}
