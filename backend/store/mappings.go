package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"rapport/backend/model"
)

// Folder mappings (DESIGN §4 rule 3): a file belongs to the client of its
// nearest mapped ancestor folder. Every change here re-derives the clients
// of the affected subtree only, and re-links its file activity, in the
// same transaction as the change.

// ErrNotAFolder is returned when a mapping names a file or a deleted item.
var ErrNotAFolder = errors.New("that item is not a folder in a synced drive")

// mappingTarget resolves a folder to map: a live folder (or a drive's
// root); a shortcut in the OneDrive stands for the shared folder it points
// at, whose content is synced under the remote drive. It returns the
// target's drive key and id.
func mappingTarget(ctx context.Context, tx *sql.Tx, accountID int64, driveID, folderID string) (int64, string, error) {
	drive, err := lookupDriveKey(ctx, tx, accountID, driveID)
	if err != nil {
		return 0, "", err
	}
	var isFolder bool
	var remoteDrive, remoteID string
	err = tx.QueryRowContext(ctx, `SELECT is_folder OR is_root, remote_drive_id, remote_id FROM drive_items
		WHERE account_id=? AND drive_key=? AND id=? AND deleted_at IS NULL`, accountID, drive, folderID).Scan(&isFolder, &remoteDrive, &remoteID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("%w (%s)", ErrNotAFolder, folderID)
	}
	if err != nil {
		return 0, "", err
	}
	if !isFolder {
		return 0, "", fmt.Errorf("%w (%s)", ErrNotAFolder, folderID)
	}
	if remoteID != "" {
		// The shared folder's content may not be synced yet: its mapping
		// waits for it, under the key its drive will have.
		drive, err = driveKey(ctx, tx, accountID, remoteDrive)
		return drive, remoteID, err
	}
	return drive, folderID, nil
}

// changeMapping runs fn on the mapping row of a folder, then re-derives the
// folder's subtree. It returns the clients whose timelines changed.
func (s *Store) changeMapping(ctx context.Context, accountID int64, driveID, folderID string, fn func(tx *sql.Tx, drive int64, folderID string) error) ([]int64, error) {
	var out []int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		d, f, err := mappingTarget(ctx, tx, accountID, driveID, folderID)
		if err != nil {
			return err
		}
		if err := fn(tx, d, f); err != nil {
			return err
		}
		if out, err = resolveSubtrees(ctx, tx, accountID, d, `SELECT ?3`, f); err != nil {
			return err
		}
		return ApplyManualLinks(ctx, tx, model.KindFile)
	})
	return out, err
}

// MapFolder maps a folder (or a drive's root) to a client: its files and
// everything under it, unless a deeper folder is mapped differently.
func (s *Store) MapFolder(ctx context.Context, accountID int64, driveID, folderID string, clientID int64) ([]int64, error) {
	return s.changeMapping(ctx, accountID, driveID, folderID, func(tx *sql.Tx, d int64, f string) error {
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM clients WHERE id=?)`, clientID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no client with id %d: %w", clientID, model.ErrNotFound)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO folder_mappings(account_id, drive_key, folder_id, client_id, origin, suppressed, created_at)
			VALUES(?,?,?,?,'manual',0,?)
			ON CONFLICT(account_id, drive_key, folder_id) DO UPDATE SET client_id=excluded.client_id, origin='manual'`,
			accountID, d, f, clientID, ms(time.Now()))
		return err
	})
}

// UnmapFolder removes a folder's mapping: it inherits from its ancestors
// again, and the name rule will not map it automatically any more (the
// user unmapped it).
func (s *Store) UnmapFolder(ctx context.Context, accountID int64, driveID, folderID string) ([]int64, error) {
	return s.changeMapping(ctx, accountID, driveID, folderID, func(tx *sql.Tx, d int64, f string) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO folder_mappings(account_id, drive_key, folder_id, client_id, origin, suppressed, created_at)
			VALUES(?,?,?,NULL,'manual',1,?)
			ON CONFLICT(account_id, drive_key, folder_id) DO UPDATE SET client_id=NULL, origin='manual', suppressed=1`,
			accountID, d, f, ms(time.Now()))
		return err
	})
}

// SuppressAutoMap is "don't auto-map this folder": an automatic mapping
// goes and none will come back; a mapping the user made stays.
func (s *Store) SuppressAutoMap(ctx context.Context, accountID int64, driveID, folderID string) ([]int64, error) {
	return s.changeMapping(ctx, accountID, driveID, folderID, func(tx *sql.Tx, d int64, f string) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO folder_mappings(account_id, drive_key, folder_id, client_id, origin, suppressed, created_at)
			VALUES(?,?,?,NULL,'manual',1,?)
			ON CONFLICT(account_id, drive_key, folder_id) DO UPDATE SET suppressed=1,
				client_id=CASE WHEN folder_mappings.origin='auto' THEN NULL ELSE folder_mappings.client_id END,
				origin='manual'`,
			accountID, d, f, ms(time.Now()))
		return err
	})
}

// AutoMapFolders applies the name rule to every stored folder: a live
// folder whose name key is one of keys (clients.FolderClientKeys) and that
// has no mapping row is mapped to that client, marked auto. Used when a
// client is added; rounds apply the rule to the folders they touch.
func (s *Store) AutoMapFolders(ctx context.Context, keys map[string]int64) ([]int64, error) {
	affected := map[int64]bool{}
	now := time.Now()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		type target struct {
			account int64
			drive   int64
			id      string
		}
		for key, clientID := range keys {
			rows, err := tx.QueryContext(ctx, `SELECT account_id, drive_key, id FROM drive_items d
				WHERE name_key=? AND is_folder=1 AND deleted_at IS NULL AND name_key <> ''
				  AND NOT EXISTS (SELECT 1 FROM folder_mappings m WHERE m.account_id=d.account_id AND m.drive_key=d.drive_key AND m.folder_id=d.id)`, key)
			if err != nil {
				return err
			}
			var ts []target
			for rows.Next() {
				var t target
				if err := rows.Scan(&t.account, &t.drive, &t.id); err != nil {
					rows.Close()
					return err
				}
				ts = append(ts, t)
			}
			rows.Close()
			for _, t := range ts {
				if err := insertAutoMapping(ctx, tx, t.account, t.drive, t.id, clientID, now); err != nil {
					return err
				}
				ids, err := resolveSubtrees(ctx, tx, t.account, t.drive, `SELECT ?3`, t.id)
				if err != nil {
					return err
				}
				for _, c := range ids {
					affected[c] = true
				}
			}
		}
		return ApplyManualLinks(ctx, tx, model.KindFile)
	})
	return sortedIDs(affected), err
}

// Mapping is a folder's mapping row.
type Mapping struct {
	ClientID   int64 // 0: none
	Origin     string
	Suppressed bool
}

// FolderMapping reads a folder's mapping row (zero Mapping when none).
func (s *Store) FolderMapping(ctx context.Context, accountID int64, driveID, folderID string) (Mapping, error) {
	drive, err := lookupDriveKey(ctx, s.db, accountID, driveID)
	if err != nil {
		return Mapping{}, err
	}
	return s.folderMapping(ctx, accountID, drive, folderID)
}

func (s *Store) folderMapping(ctx context.Context, accountID, drive int64, folderID string) (Mapping, error) {
	var m Mapping
	var c sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT client_id, origin, suppressed FROM folder_mappings WHERE account_id=? AND drive_key=? AND folder_id=?`,
		accountID, drive, folderID).Scan(&c, &m.Origin, &m.Suppressed)
	if errors.Is(err, sql.ErrNoRows) {
		return Mapping{}, nil
	}
	m.ClientID = c.Int64
	return m, err
}
