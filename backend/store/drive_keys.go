package store

import (
	"context"
	"database/sql"
)

// Drive keys (migration 014): drive_items, file_activity and
// folder_mappings name a drive by a small integer, drive_keys.key, instead
// of Graph's 66-character id, which every row and index entry of those
// tables carried (issue 7, docs/PERFORMANCE.md §48). The store's functions
// still take and return the canonical drive id; they turn it into the key
// once per call, and queries that return a drive id read it from
// drive_keys (driveIDOf).

// driveKey returns the key of an account's drive, giving the drive one
// when it has none: for writes.
func driveKey(ctx context.Context, tx *sql.Tx, accountID int64, driveID string) (int64, error) {
	key, err := lookupDriveKey(ctx, tx, accountID, driveID)
	if err != nil || key != 0 {
		return key, err
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO drive_keys(account_id, drive_id) VALUES(?, ?) RETURNING key`, accountID, driveID).Scan(&key)
	return key, err
}

// lookupDriveKey returns the key of an account's drive, or 0 (which no
// drive has) when nothing of it was ever stored: a query with it finds
// nothing, as one with an unknown drive id did.
func lookupDriveKey(ctx context.Context, q queryer, accountID int64, driveID string) (int64, error) {
	keys, err := queryColumn[int64](ctx, q, `SELECT key FROM drive_keys WHERE account_id=? AND drive_id=?`, accountID, driveID)
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	return keys[0], nil
}

// driveIDOf is an SQL expression for the drive id of the row that alias
// names in a drive table, read through the row's drive_key.
func driveIDOf(alias string) string {
	return `(SELECT k.drive_id FROM drive_keys k WHERE k.key = ` + alias + `.drive_key)`
}
