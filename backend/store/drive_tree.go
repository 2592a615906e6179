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

// The Folders screen's reads: a drive's tree expanded one level at a time
// from the store (so it works offline), each folder with its client and
// the figures of its subtree. Subtree figures are a range scan of the
// (drive, path) index: every item under "Clients/Contoso" has a path in
// ["Clients/Contoso/", "Clients/Contoso0").

// subtreeRange is the half-open range of the paths under path.
func subtreeRange(path string) (lo, hi string) {
	if path == "" {
		return "", "\xff" // a drive's root: every item but the root
	}
	return path + "/", path + "0" // '0' follows '/' in byte order
}

// SubtreeStats counts the live files under a folder and finds the newest
// modification among them.
func (s *Store) SubtreeStats(ctx context.Context, accountID int64, driveID, path string) (int, *time.Time, error) {
	drive, err := lookupDriveKey(ctx, s.db, accountID, driveID)
	if err != nil {
		return 0, nil, err
	}
	return s.subtreeStats(ctx, accountID, drive, path)
}

func (s *Store) subtreeStats(ctx context.Context, accountID, drive int64, path string) (int, *time.Time, error) {
	lo, hi := subtreeRange(path)
	var n int
	var last sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), MAX(modified_at) FROM drive_items
		WHERE account_id=? AND drive_key=? AND deleted_at IS NULL AND path > ? AND path < ? AND is_folder=0`,
		accountID, drive, lo, hi).Scan(&n, &last)
	return n, fromNullMS(last), err
}

type nodeRow struct {
	drive                           int64 // drive_keys.key
	driveID, id, name, path, webURL string
	remoteDrive, remoteID           string
	clientID                        sql.NullInt64
	isRoot                          bool
}

// nodeCols are a folder's columns, read from the drive_items row alias.
func nodeCols(alias string) string {
	cols := []string{"drive_key", driveIDOf(alias), "id", "name", "path", "web_url", "remote_drive_id", "remote_id", "client_id", "is_root"}
	for i, c := range cols {
		if !strings.HasPrefix(c, "(") {
			cols[i] = alias + "." + c
		}
	}
	return strings.Join(cols, ", ")
}

func scanNode(row interface{ Scan(...any) error }) (nodeRow, error) {
	var r nodeRow
	err := row.Scan(&r.drive, &r.driveID, &r.id, &r.name, &r.path, &r.webURL, &r.remoteDrive, &r.remoteID, &r.clientID, &r.isRoot)
	return r, err
}

// mappedSource finds the folder a mapping reaching id comes from: id
// itself or its nearest ancestor with a mapping to a client. It returns
// that folder's path ("/" for a drive's root) and whether there is one.
func (s *Store) mappedSource(ctx context.Context, accountID, drive int64, id string) (string, bool, error) {
	var path string
	var isRoot bool
	err := s.db.QueryRowContext(ctx, `WITH RECURSIVE up(id, parent, depth) AS (
			SELECT id, parent_id, 0 FROM drive_items WHERE account_id=?1 AND drive_key=?2 AND id=?3
			UNION ALL
			SELECT d.id, d.parent_id, up.depth+1 FROM up CROSS JOIN drive_items d ON d.account_id=?1 AND d.drive_key=?2 AND d.id=up.parent
			WHERE up.depth < 256 AND up.parent <> '')
		SELECT d.path, d.is_root FROM up
		JOIN folder_mappings m ON m.account_id=?1 AND m.drive_key=?2 AND m.folder_id=up.id AND m.client_id IS NOT NULL
		JOIN drive_items d ON d.account_id=?1 AND d.drive_key=?2 AND d.id=up.id
		ORDER BY up.depth LIMIT 1`, accountID, drive, id).Scan(&path, &isRoot)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if isRoot {
		path = "/"
	}
	return path, err == nil, err
}

// node completes a folder row into a FolderNode. parentSource is the
// mapped ancestor its parent inherits from ("" and known=false: look it up).
func (s *Store) node(ctx context.Context, upn string, accountID int64, r nodeRow) (model.FolderNode, error) {
	n := model.FolderNode{Account: upn, DriveID: r.driveID, ID: r.id, Name: r.name, Path: r.path, WebURL: r.webURL, Origin: model.OriginNone}
	if r.remoteID != "" {
		// A shortcut: the node is the shared folder it points at, synced
		// under its own drive.
		n.Shortcut = true
		n.DriveID, n.ID = r.remoteDrive, r.remoteID
		drive, err := lookupDriveKey(ctx, s.db, accountID, r.remoteDrive)
		if err != nil {
			return n, err
		}
		target, err := scanNode(s.db.QueryRowContext(ctx, `SELECT `+nodeCols("drive_items")+` FROM drive_items
			WHERE account_id=? AND drive_key=? AND id=? AND deleted_at IS NULL`, accountID, drive, r.remoteID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return n, nil // its stream has not run yet
		case err != nil:
			return n, err
		}
		n.Path = target.path
		r = target
	}
	m, err := s.folderMapping(ctx, accountID, r.drive, r.id)
	if err != nil {
		return n, err
	}
	n.Suppressed = m.Suppressed
	switch {
	case m.ClientID != 0:
		n.ClientID, n.Origin = m.ClientID, m.Origin
	case r.clientID.Valid:
		n.ClientID, n.Origin = r.clientID.Int64, model.OriginInherited
		src, ok, err := s.mappedSource(ctx, accountID, r.drive, r.id)
		if err != nil {
			return n, err
		}
		if ok {
			n.MappedPath = src
		}
	}
	if n.ClientID != 0 {
		if err := s.db.QueryRowContext(ctx, `SELECT name FROM clients WHERE id=?`, n.ClientID).Scan(&n.ClientName); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return n, err
		}
	}
	path := r.path
	if r.isRoot {
		path = ""
	}
	count, last, err := s.subtreeStats(ctx, accountID, r.drive, path)
	if err != nil {
		return n, err
	}
	n.FileCount, n.LastChange = count, last
	err = s.db.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM drive_items WHERE account_id=? AND drive_key=? AND parent_id=?
		AND is_folder=1 AND deleted_at IS NULL)`, accountID, r.drive, r.id).Scan(&n.HasChildren)
	return n, err
}

// rootOf finds the folder a drive row's tree starts at: a shared folder's
// id, or the drive's root item.
func (s *Store) rootOf(ctx context.Context, accountID int64, driveID, rootID string) (string, error) {
	if rootID != "" {
		return rootID, nil
	}
	drive, err := lookupDriveKey(ctx, s.db, accountID, driveID)
	if err != nil {
		return "", err
	}
	var id string
	err = s.db.QueryRowContext(ctx, `SELECT id FROM drive_items WHERE account_id=? AND drive_key=? AND is_root=1 AND deleted_at IS NULL LIMIT 1`,
		accountID, drive).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		// A shared folder's drive has no root of ours: its tree starts at
		// the drive row's folder.
		err = s.db.QueryRowContext(ctx, `SELECT root_id FROM drives WHERE account_id=? AND id=? AND root_id <> '' ORDER BY root_id LIMIT 1`,
			accountID, driveID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
	}
	return id, err
}

// FolderNodes lists the subfolders of parentID ("" = the drive's root, or
// a shared folder's top) in name order.
func (s *Store) FolderNodes(ctx context.Context, acct model.Account, driveID, parentID string) ([]model.FolderNode, error) {
	out := []model.FolderNode{}
	if parentID == "" {
		root, err := s.rootOf(ctx, acct.ID, driveID, "")
		if err != nil || root == "" {
			return out, err
		}
		parentID = root
	}
	drive, err := lookupDriveKey(ctx, s.db, acct.ID, driveID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+nodeCols("drive_items")+` FROM drive_items WHERE account_id=? AND drive_key=? AND parent_id=?
		AND is_folder=1 AND deleted_at IS NULL ORDER BY name COLLATE NOCASE, id`, acct.ID, drive, parentID)
	if err != nil {
		return nil, err
	}
	var rs []nodeRow
	for rows.Next() {
		r, err := scanNode(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, r := range rs {
		n, err := s.node(ctx, acct.UPN, acct.ID, r)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// FolderNode describes one folder (or a drive's root).
func (s *Store) FolderNode(ctx context.Context, acct model.Account, driveID, id string) (model.FolderNode, error) {
	drive, err := lookupDriveKey(ctx, s.db, acct.ID, driveID)
	if err != nil {
		return model.FolderNode{}, err
	}
	r, err := scanNode(s.db.QueryRowContext(ctx, `SELECT `+nodeCols("drive_items")+` FROM drive_items WHERE account_id=? AND drive_key=? AND id=?
		AND (is_folder=1 OR is_root=1) AND deleted_at IS NULL`, acct.ID, drive, id))
	if errors.Is(err, sql.ErrNoRows) {
		return model.FolderNode{}, fmt.Errorf("%w (%s)", ErrNotAFolder, id)
	}
	if err != nil {
		return model.FolderNode{}, err
	}
	return s.node(ctx, acct.UPN, acct.ID, r)
}

// ResolveFolderPath finds a folder by its path in a drive ("Clients/Contoso";
// "" is the root), comparing names case-insensitively as OneDrive does. A
// shortcut on the way leads into the drive it points at. It returns the
// drive and folder found.
func (s *Store) ResolveFolderPath(ctx context.Context, accountID int64, driveID, rootID, path string) (string, string, error) {
	cur, err := s.rootOf(ctx, accountID, driveID, rootID)
	if err != nil {
		return "", "", err
	}
	if cur == "" {
		return "", "", fmt.Errorf("the drive has not been synced yet: %w", model.ErrNotFound)
	}
	drive := driveID
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if seg == "" {
			continue
		}
		// The drive changes at a shortcut: its key is looked up in the
		// statement, not once more per segment.
		var id, rd, rid string
		err := s.db.QueryRowContext(ctx, `SELECT id, remote_drive_id, remote_id FROM drive_items
			WHERE account_id=?1 AND drive_key=(SELECT key FROM drive_keys WHERE account_id=?1 AND drive_id=?2)
			  AND parent_id=?3 AND name=?4 COLLATE NOCASE AND is_folder=1 AND deleted_at IS NULL
			ORDER BY id LIMIT 1`, accountID, drive, cur, seg).Scan(&id, &rd, &rid)
		if errors.Is(err, sql.ErrNoRows) {
			return "", "", fmt.Errorf("no folder %q in %q: %w", seg, path, model.ErrNotFound)
		}
		if err != nil {
			return "", "", err
		}
		cur = id
		if rid != "" {
			drive, cur = rd, rid
		}
	}
	return drive, cur, nil
}

// ClientFolders lists the live folders mapped to a client, explicitly or
// automatically, by account, drive and path.
func (s *Store) ClientFolders(ctx context.Context, clientID int64) ([]model.ClientFolder, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.upn, `+nodeCols("d")+`,
			COALESCE((SELECT name FROM drives v WHERE v.account_id=d.account_id AND v.id=k.drive_id ORDER BY v.root_id LIMIT 1), '')
		FROM folder_mappings m
		JOIN drive_items d ON d.account_id=m.account_id AND d.drive_key=m.drive_key AND d.id=m.folder_id AND d.deleted_at IS NULL
		JOIN drive_keys k ON k.key=d.drive_key
		JOIN accounts a ON a.id=m.account_id
		WHERE m.client_id=? ORDER BY a.upn, k.drive_id, d.path`, clientID)
	if err != nil {
		return nil, err
	}
	type row struct {
		acct      model.Account
		r         nodeRow
		driveName string
	}
	var rs []row
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.acct.ID, &x.acct.UPN, &x.r.drive, &x.r.driveID, &x.r.id, &x.r.name, &x.r.path, &x.r.webURL, &x.r.remoteDrive,
			&x.r.remoteID, &x.r.clientID, &x.r.isRoot, &x.driveName); err != nil {
			rows.Close()
			return nil, err
		}
		rs = append(rs, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []model.ClientFolder{}
	for _, x := range rs {
		if x.r.isRoot {
			x.r.name = x.driveName
		}
		n, err := s.node(ctx, x.acct.UPN, x.acct.ID, x.r)
		if err != nil {
			return nil, err
		}
		out = append(out, model.ClientFolder{FolderNode: n, DriveName: x.driveName})
	}
	return out, nil
}

// ClientFiles is the client's file activity, newest first: the Files tab.
// Cursors work like Timeline's.
func (s *Store) ClientFiles(ctx context.Context, clientID int64, cursor string, limit int) (model.TimelinePage, error) {
	return s.TimelineFiltered(ctx, clientID, cursor, limit, TimelineFilter{Kinds: []string{model.KindFile}})
}

// FolderCandidate is a folder no rule maps yet, for near-match suggestions.
type FolderCandidate struct {
	AccountID int64
	UPN       string
	DriveID   string
	DriveName string
	FolderID  string
	Name      string // a drive's root goes by its drive's name
	Path      string
	// ClientID is the client it inherits (0: none).
	ClientID int64
}

// FolderCandidates lists the live folders that have no mapping row (not
// mapped, not suppressed): what the name rules may suggest for.
func (s *Store) FolderCandidates(ctx context.Context) ([]FolderCandidate, error) {
	return queryRows(ctx, s.db, func(rows *sql.Rows) (FolderCandidate, error) {
		var c FolderCandidate
		var isRoot bool
		err := rows.Scan(&c.AccountID, &c.UPN, &c.DriveID, &c.DriveName, &c.FolderID, &c.Name, &c.Path, &c.ClientID, &isRoot)
		if isRoot {
			c.Name = c.DriveName
		}
		return c, err
	}, `SELECT d.account_id, a.upn, k.drive_id,
			COALESCE((SELECT name FROM drives v WHERE v.account_id=d.account_id AND v.id=k.drive_id ORDER BY v.root_id LIMIT 1), ''),
			d.id, d.name, d.path, COALESCE(d.client_id, 0), d.is_root
		FROM drive_items d JOIN accounts a ON a.id=d.account_id JOIN drive_keys k ON k.key=d.drive_key
		WHERE d.is_folder=1 AND d.deleted_at IS NULL AND d.name_key <> '' AND d.remote_id = ''
		  AND NOT EXISTS (SELECT 1 FROM folder_mappings m WHERE m.account_id=d.account_id AND m.drive_key=d.drive_key AND m.folder_id=d.id)
		ORDER BY a.upn, k.drive_id, d.path`)
}

// LibraryViews lists an account's synced drives with their stream's state
// and their root folder's mapping and figures.
func (s *Store) LibraryViews(ctx context.Context, acct model.Account) ([]model.LibraryView, error) {
	drives, err := s.Drives(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	out := []model.LibraryView{}
	for _, d := range drives {
		v := model.LibraryView{Account: acct.UPN, DriveID: d.ID, Name: d.Name, Kind: d.Origin, DriveType: d.DriveType,
			SiteID: d.SiteID, SiteName: d.SiteName, WebURL: d.WebURL, LocalPath: d.LocalPath, State: "pending"}
		var st model.Stream
		st, err = scanStream(s.db.QueryRowContext(ctx, `SELECT `+streamCols+` FROM streams s WHERE s.account_id=? AND s.kind=? AND s.resource=?`,
			acct.ID, model.StreamDrive, DriveResource(d.ID, d.RootID)))
		switch {
		case err == nil:
			v.StreamID, v.Items, v.LastSync, v.Error, v.Action = st.ID, st.Items, st.LastSyncAt, st.LastError, st.ErrorAction
			switch {
			case st.LastError != "":
				v.State = "error"
				if v.Action == "" {
					v.Action = model.ActionNone
				}
			case st.NextLink != "":
				v.State = "syncing"
			case st.LastSyncAt != nil:
				v.State = "ok"
			}
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
		root, err := s.rootOf(ctx, acct.ID, d.ID, d.RootID)
		if err != nil {
			return nil, err
		}
		if root != "" {
			n, err := s.FolderNode(ctx, acct, d.ID, root)
			switch {
			case err == nil:
				if d.RootID == "" {
					n.Name = d.Name
				}
				v.Root = &n
			case !errors.Is(err, ErrNotAFolder):
				return nil, err
			}
		}
		out = append(out, v)
	}
	return out, nil
}
