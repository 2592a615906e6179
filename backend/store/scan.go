package store

import (
	"context"
	"database/sql"
)

// queryer is what both *sql.DB and *sql.Tx offer for reads.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryRows runs a query and returns what scan makes of each row, in
// order (nil for no rows).
func queryRows[T any](ctx context.Context, q queryer, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
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
