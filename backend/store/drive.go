package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"rapport/backend/model"
)

// DriveRow is a synced drive: the account's OneDrive, a library the user
// picked, or a shared folder added to My files (RootID names the folder).
type DriveRow struct {
	AccountID       int64
	ID              string // canonical
	RootID          string // "" = the whole drive
	GraphID         string // as Graph spells it, for requests
	Name            string
	DriveType       string
	Origin          string // model.DriveOneDrive | DriveLibrary | DriveShortcut
	WebURL          string
	Host            string
	SiteID          string
	SiteName        string
	ShortcutDriveID string
	ShortcutID      string
	LocalPath       string
	AddedAt         time.Time
}

// DriveResource is the stream resource of a drive row: the drive id, or
// "drive/folder" for a shared folder.
func DriveResource(driveID, rootID string) string {
	if rootID == "" {
		return driveID
	}
	return driveID + "/" + rootID
}

// ParseDriveResource splits a drive stream's resource.
func ParseDriveResource(resource string) (driveID, rootID string) {
	// Canonical drive ids never hold '/' (business ids are base64url).
	d, r, _ := strings.Cut(resource, "/")
	return d, r
}

const driveCols = `account_id, id, root_id, graph_id, name, drive_type, origin, web_url, host, site_id, site_name,
	shortcut_drive_id, shortcut_id, local_path, added_at`

func scanDrive(row interface{ Scan(...any) error }) (DriveRow, error) {
	var d DriveRow
	var added int64
	err := row.Scan(&d.AccountID, &d.ID, &d.RootID, &d.GraphID, &d.Name, &d.DriveType, &d.Origin, &d.WebURL, &d.Host,
		&d.SiteID, &d.SiteName, &d.ShortcutDriveID, &d.ShortcutID, &d.LocalPath, &added)
	d.AddedAt = fromMS(added)
	return d, err
}

// SaveDrive records a drive to sync (or refreshes its description; the
// user's local folder is kept) and returns its stream, created if needed.
func (s *Store) SaveDrive(ctx context.Context, d DriveRow) (model.Stream, error) {
	if d.AddedAt.IsZero() {
		d.AddedAt = time.Now()
	}
	_, err := s.exec(ctx, `INSERT INTO drives(`+driveCols+`) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(account_id, id, root_id) DO UPDATE SET graph_id=excluded.graph_id, name=excluded.name,
			drive_type=excluded.drive_type, origin=excluded.origin, web_url=excluded.web_url, host=excluded.host,
			site_id=CASE WHEN excluded.site_id <> '' THEN excluded.site_id ELSE drives.site_id END,
			site_name=CASE WHEN excluded.site_name <> '' THEN excluded.site_name ELSE drives.site_name END,
			shortcut_drive_id=excluded.shortcut_drive_id, shortcut_id=excluded.shortcut_id`,
		d.AccountID, d.ID, d.RootID, d.GraphID, d.Name, d.DriveType, d.Origin, d.WebURL, d.Host, d.SiteID, d.SiteName,
		d.ShortcutDriveID, d.ShortcutID, d.LocalPath, ms(d.AddedAt))
	if err != nil {
		return model.Stream{}, fmt.Errorf("save drive: %w", err)
	}
	return s.EnsureStream(ctx, d.AccountID, model.StreamDrive, DriveResource(d.ID, d.RootID), d.Name, -1)
}

// Drives lists an account's synced drives: the OneDrive first, then
// libraries and shared folders by name.
func (s *Store) Drives(ctx context.Context, accountID int64) ([]DriveRow, error) {
	return queryRows(ctx, s.db, rowScanner[DriveRow](scanDrive).rows, `SELECT `+driveCols+` FROM drives WHERE account_id=?
		ORDER BY CASE origin WHEN 'onedrive' THEN 0 WHEN 'library' THEN 1 ELSE 2 END, name COLLATE NOCASE, id, root_id`, accountID)
}

// Drive loads one drive row.
func (s *Store) Drive(ctx context.Context, accountID int64, driveID, rootID string) (DriveRow, error) {
	d, err := scanDrive(s.db.QueryRowContext(ctx, `SELECT `+driveCols+` FROM drives WHERE account_id=? AND id=? AND root_id=?`,
		accountID, driveID, rootID))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("no synced drive %s: %w", driveID, model.ErrNotFound)
	}
	return d, err
}

// SetDriveLocalPath records the locally synced copy of a drive ("" forgets it).
func (s *Store) SetDriveLocalPath(ctx context.Context, accountID int64, driveID, rootID, path string) error {
	res, err := s.exec(ctx, `UPDATE drives SET local_path=? WHERE account_id=? AND id=? AND root_id=?`, path, accountID, driveID, rootID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("no synced drive %s: %w", driveID, model.ErrNotFound)
	}
	return nil
}

// RemoveDrive stops syncing a drive and forgets what it brought: its
// stream, items, file activity, the links of that activity and the folder
// mappings inside it. It returns the clients whose timelines lost items.
func (s *Store) RemoveDrive(ctx context.Context, accountID int64, driveID, rootID string) ([]int64, error) {
	clients := map[int64]bool{}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var streamID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM streams WHERE account_id=? AND kind=? AND resource=?`,
			accountID, model.StreamDrive, DriveResource(driveID, rootID)).Scan(&streamID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		drive, err := lookupDriveKey(ctx, tx, accountID, driveID)
		if err != nil {
			return err
		}
		// The items this drive row brought: the whole drive's, or a shared
		// folder's (its stream's).
		itemsWhere := `account_id=? AND drive_key=?`
		args := []any{accountID, drive}
		if rootID != "" {
			itemsWhere += ` AND stream_id=?`
			args = append(args, streamID)
		}
		linked, err := queryColumn[int64](ctx, tx, `SELECT DISTINCT l.client_id FROM links l JOIN file_activity fa
			ON l.kind='file' AND l.account_id=fa.account_id AND l.item_id=CAST(fa.id AS TEXT)
			WHERE fa.account_id=? AND fa.drive_key=? AND fa.item_id IN (SELECT id FROM drive_items WHERE `+itemsWhere+`)`,
			append([]any{accountID, drive}, args...)...)
		if err != nil {
			return err
		}
		for _, c := range linked {
			clients[c] = true
		}
		sub := `SELECT id FROM drive_items WHERE ` + itemsWhere
		exec := func(q string, prefix ...any) error {
			_, err := tx.ExecContext(ctx, q, append(prefix, args...)...)
			return err
		}
		if err := exec(`DELETE FROM links WHERE kind='file' AND account_id=? AND item_id IN (SELECT CAST(id AS TEXT) FROM file_activity
			WHERE account_id=? AND drive_key=? AND item_id IN (`+sub+`))`, accountID, accountID, drive); err != nil {
			return err
		}
		if err := exec(`DELETE FROM file_activity WHERE account_id=? AND drive_key=? AND item_id IN (`+sub+`)`, accountID, drive); err != nil {
			return err
		}
		if err := exec(`DELETE FROM folder_mappings WHERE account_id=? AND drive_key=? AND folder_id IN (`+sub+`)`, accountID, drive); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM drive_items WHERE `+itemsWhere, args...); err != nil {
			return err
		}
		if streamID != 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM streams WHERE id=?`, streamID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM drives WHERE account_id=? AND id=? AND root_id=?`, accountID, driveID, rootID)
		return err
	})
	out := make([]int64, 0, len(clients))
	for c := range clients {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, err
}

// StoredDriveItem is a drive item as stored, for tests and the CLI.
type StoredDriveItem struct {
	model.DriveItem
	Path      string
	ClientID  int64
	DeletedAt *time.Time
	StreamID  int64
}

// itemCols are read from drive_items (not aliased).
var itemCols = driveIDOf("drive_items") + `, id, parent_id, name, is_folder, is_root, size, mime, web_url, created_at, created_by_name, created_by_address,
	modified_at, modified_by_name, modified_by_address, etag, ctag, quick_xor_hash, remote_drive_id, remote_graph_drive_id, remote_id,
	deleted_at, path, COALESCE(client_id, 0), stream_id, name_key`

func scanItem(row interface{ Scan(...any) error }) (StoredDriveItem, error) {
	var it StoredDriveItem
	var created, modified int64
	var deleted sql.NullInt64
	err := row.Scan(&it.DriveID, &it.ID, &it.ParentID, &it.Name, &it.IsFolder, &it.IsRoot, &it.Size, &it.MimeType, &it.WebURL,
		&created, &it.CreatedBy.Name, &it.CreatedBy.Address, &modified, &it.ModifiedBy.Name, &it.ModifiedBy.Address,
		&it.ETag, &it.CTag, &it.QuickXorHash, &it.RemoteDriveID, &it.RemoteGraphDriveID, &it.RemoteID, &deleted, &it.Path, &it.ClientID,
		&it.StreamID, &it.NameKey)
	it.RemoteIsFolder = it.RemoteID != "" && it.IsFolder
	it.CreatedAt, it.ModifiedAt = fromMS(created), fromMS(modified)
	it.DeletedAt = fromNullMS(deleted)
	it.HasSize = true
	it.Deleted = it.DeletedAt != nil
	return it, err
}

// DriveItems lists the live (not deleted) items of a drive, by path.
func (s *Store) DriveItems(ctx context.Context, accountID int64, driveID string) ([]StoredDriveItem, error) {
	drive, err := lookupDriveKey(ctx, s.db, accountID, driveID)
	if err != nil {
		return nil, err
	}
	return queryRows(ctx, s.db, rowScanner[StoredDriveItem](scanItem).rows, `SELECT `+itemCols+` FROM drive_items
		WHERE account_id=? AND drive_key=? AND deleted_at IS NULL ORDER BY path, id`, accountID, drive)
}

// DriveItem loads one item, live or a tombstone.
func (s *Store) DriveItem(ctx context.Context, accountID int64, driveID, id string) (StoredDriveItem, error) {
	drive, err := lookupDriveKey(ctx, s.db, accountID, driveID)
	if err != nil {
		return StoredDriveItem{}, err
	}
	it, err := scanItem(s.db.QueryRowContext(ctx, `SELECT `+itemCols+` FROM drive_items WHERE account_id=? AND drive_key=? AND id=?`,
		accountID, drive, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, model.ErrNotFound
	}
	return it, err
}

// FileActivity is one stored file_activity row.
type FileActivity struct {
	ID       int64
	DriveID  string
	ItemID   string
	ParentID string
	At       time.Time
	Actor    model.Recipient
	Action   string
	Name     string
	Path     string
}

// FileActivities lists an account's file activity, oldest first (tests,
// export).
func (s *Store) FileActivities(ctx context.Context, accountID int64) ([]FileActivity, error) {
	return queryRows(ctx, s.db, func(rows *sql.Rows) (FileActivity, error) {
		var a FileActivity
		var at int64
		err := rows.Scan(&a.ID, &a.DriveID, &a.ItemID, &a.ParentID, &at, &a.Actor.Name, &a.Actor.Address, &a.Action, &a.Name, &a.Path)
		a.At = fromMS(at)
		return a, err
	}, `SELECT id, `+driveIDOf("file_activity")+`, item_id, parent_id, at, actor_name, actor_address, action, name, path_at_time
		FROM file_activity WHERE account_id=? ORDER BY at, id`, accountID)
}

// Shortcuts lists the live shared folders / shortcuts found in the
// account's drives (items with a remoteItem pointing at a folder), which
// get a stream of their own.
func (s *Store) Shortcuts(ctx context.Context, accountID int64) ([]StoredDriveItem, error) {
	return queryRows(ctx, s.db, rowScanner[StoredDriveItem](scanItem).rows, `SELECT `+itemCols+` FROM drive_items INDEXED BY drive_items_shortcuts
		WHERE account_id=? AND remote_id <> '' AND is_folder=1 AND deleted_at IS NULL ORDER BY name, id`, accountID)
}

// ClientNames maps every client's id to its name (the name rule's input).
func (s *Store) ClientNames(ctx context.Context) (map[int64]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name FROM clients`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}
