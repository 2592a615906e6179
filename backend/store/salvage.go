package store

import (
	"context"
	"database/sql"
	"fmt"
)

// What "Start afresh" keeps. Everything synced comes back from Microsoft
// 365 with the next sync; what the user made by hand does not: the
// accounts (whose sign-ins are still in the token cache, so the new store
// syncs at once), the clients with their domains and contacts, the
// exclusions and decisions, the libraries added and the folders mapped,
// the folder and calendar choices and the sync settings. A damaged page
// is usually in the big tables of synced items, so these small ones can
// often still be read from the store set aside.

// salvaged lists those tables, each after the ones it refers to, with
// what to reset in the copy: counts and progress that belong to the
// synced data left behind.
var salvaged = []struct{ table, reset string }{
	{"accounts", ""},
	{"clients", "UPDATE main.clients SET items = 0"},
	{"client_domains", ""},
	{"client_contacts", ""},
	{"exclusions", ""},
	{"manual_links", ""},
	{"dismissed_suggestions", ""},
	{"settled_ambiguities", ""},
	{"sync_settings", "UPDATE main.sync_settings SET first_sync_at = NULL, discovered_at = 0"},
	{"mail_folders", "UPDATE main.mail_folders SET total = 0"},
	{"calendars", ""},
	{"drives", ""},
	{"drive_keys", ""},
	{"folder_mappings", ""},
}

// Salvaged is what Salvage copied: rows per table, and the tables it
// could not read.
type Salvaged struct {
	Rows    map[string]int64
	Skipped []string
}

// Salvage copies the tables above from the store file at aside (set aside
// by SetAside) into s, a store that has just been made and holds none of
// them yet. Each table is copied in a transaction of its own: one that
// cannot be read is skipped, and so are those whose rows refer to rows it
// held (the foreign keys refuse them). A file of another schema version
// is not read at all.
func (s *Store) Salvage(ctx context.Context, aside string) (Salvaged, error) {
	out, err := s.copyFrom(ctx, aside)
	if err != nil || out.Rows["drives"] == 0 {
		return out, err
	}
	// A library the user added is synced by its stream, which is made
	// when the library is saved; the sync's discovery saves the OneDrive
	// and the shared folders again by itself.
	accounts, err := queryRows(ctx, s.db, func(r *sql.Rows) (id int64, err error) {
		err = r.Scan(&id)
		return id, err
	}, `SELECT DISTINCT account_id FROM drives`)
	if err != nil {
		return out, err
	}
	for _, acct := range accounts {
		drives, err := s.Drives(ctx, acct)
		if err != nil {
			return out, err
		}
		for _, d := range drives {
			if _, err := s.SaveDrive(ctx, d); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// copyFrom copies the tables, holding the write queue.
func (s *Store) copyFrom(ctx context.Context, aside string) (Salvaged, error) {
	out := Salvaged{Rows: map[string]int64{}}
	s.writes.lock(false)
	defer s.writes.unlock()
	// ATTACH cannot run inside a transaction, so not through tx: a
	// connection of its own, while the write queue is held.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return out, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS aside`, aside); err != nil {
		return out, fmt.Errorf("read the store set aside: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE aside`)
	var theirs, ours int
	if err := conn.QueryRowContext(ctx, `PRAGMA aside.user_version`).Scan(&theirs); err != nil {
		return out, fmt.Errorf("read the store set aside: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA main.user_version`).Scan(&ours); err != nil {
		return out, err
	}
	if theirs != ours {
		return out, fmt.Errorf("the store set aside is of version %d, this Rapport's of %d: nothing was copied", theirs, ours)
	}
	for _, t := range salvaged {
		n, err := copyTable(ctx, conn, t.table, t.reset)
		if err != nil {
			out.Skipped = append(out.Skipped, t.table)
			continue
		}
		out.Rows[t.table] = n
	}
	return out, nil
}

// copyTable copies one table's rows from aside into main and applies
// reset, in one transaction.
func copyTable(ctx context.Context, conn *sql.Conn, table, reset string) (int64, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	// OR IGNORE: a row the new store already has stays as it is (the
	// foreign keys are checked all the same).
	res, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT OR IGNORE INTO main.%[1]s SELECT * FROM aside.%[1]s`, table))
	if err != nil {
		return 0, err
	}
	if reset != "" {
		if _, err := tx.ExecContext(ctx, reset); err != nil {
			return 0, err
		}
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}
