package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"
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

// Salvaged is what Salvage copied: rows per table from the store set
// aside, rows per table restored from the copy kept beside the store
// (keep.go) for the tables the store set aside could not give, with the
// time that copy was written, and the tables neither could give.
type Salvaged struct {
	Rows     map[string]int64
	Restored map[string]int64
	KeptAt   time.Time
	Skipped  []string
}

// Salvage copies the tables above from the store file at aside (set aside
// by SetAside) into s, a store that has just been made and holds none of
// them yet. Each table is copied in a transaction of its own: one that
// cannot be read is taken from the copy that was kept beside it (set
// aside with it), if there is one, and is otherwise skipped, as are
// those whose rows refer to rows it held (the foreign keys refuse them).
// A file of another schema version is not read at all.
func (s *Store) Salvage(ctx context.Context, aside string) (Salvaged, error) {
	out, err := s.copyFrom(ctx, aside)
	if err != nil || out.Rows["drives"]+out.Restored["drives"] == 0 {
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
	out := Salvaged{Rows: map[string]int64{}, Restored: map[string]int64{}}
	s.writes.lock(false)
	defer s.writes.unlock()
	// ATTACH cannot run inside a transaction, so not through tx: a
	// connection of its own, while the write queue is held.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return out, err
	}
	defer conn.Close()
	asideErr := attachOfOurVersion(ctx, conn, aside, "aside")
	if asideErr == nil {
		defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE aside`)
	}
	// The copy went aside with the store (SetAside): the new store's own
	// copy starts afresh with it, and the one restored from stays with
	// the file it stood for.
	keepErr := attachOfOurVersion(ctx, conn, keepPath(aside), "keep")
	if keepErr == nil {
		defer conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE keep`)
		var at int64
		keepErr = conn.QueryRowContext(ctx, `SELECT at FROM keep.kept`).Scan(&at)
		out.KeptAt = time.UnixMilli(at)
	}
	if asideErr != nil && keepErr != nil {
		return out, fmt.Errorf("read the store set aside: %w", asideErr)
	}
	for _, t := range salvaged {
		if asideErr == nil {
			if n, err := copyTable(ctx, conn, "aside", t.table, t.reset); err == nil {
				out.Rows[t.table] = n
				continue
			}
		}
		if keepErr == nil {
			if n, err := copyTable(ctx, conn, "keep", t.table, t.reset); err == nil {
				out.Restored[t.table] = n
				continue
			}
		}
		out.Skipped = append(out.Skipped, t.table)
	}
	return out, nil
}

// attachOfOurVersion attaches the SQLite file at path as name when it is
// there, can be read and is of this store's schema version; otherwise it
// leaves it detached and says why.
func attachOfOurVersion(ctx context.Context, conn *sql.Conn, path, name string) error {
	if err := attach(ctx, conn, path, name); err != nil {
		return err
	}
	err := sameVersion(ctx, conn, name)
	if err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), `DETACH DATABASE `+name)
		err = fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return err
}

// sameVersion says whether the attached database name is of the store's
// schema version, which is what makes its tables' columns the store's.
func sameVersion(ctx context.Context, conn *sql.Conn, name string) error {
	var theirs, ours int
	if err := conn.QueryRowContext(ctx, `PRAGMA `+name+`.user_version`).Scan(&theirs); err != nil {
		return err
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA main.user_version`).Scan(&ours); err != nil {
		return err
	}
	if theirs != ours {
		return fmt.Errorf("of version %d, this Rapport's of %d: nothing was copied", theirs, ours)
	}
	return nil
}

// copyTable copies one table's rows from the attached database from into
// main and applies reset, in one transaction.
func copyTable(ctx context.Context, conn *sql.Conn, from, table, reset string) (int64, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	// OR IGNORE: a row the new store already has stays as it is (the
	// foreign keys are checked all the same).
	res, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT OR IGNORE INTO main.%[1]s SELECT * FROM %[2]s.%[1]s`, table, from))
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
