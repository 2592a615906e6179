package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"rapport/backend/model"
)

// drivePageWriter writes a drive page's rows in a few statements instead of
// three or four per item (issue 7): the stored state of the page's items is
// read with one query, and the upserts, tombstones and activity rows are
// collected and written with multi-row statements. Graph repeats items:
// a repeat joins the collected rows (SQLite applies a multi-row upsert's
// rows in order, a repeat's as an update of the row before; a deletion's
// tombstone is written after the upserts anyway), except that a repeat
// of an item whose tombstone was collected has the collected rows written
// first, or its upsert would come before the tombstone. So one item's
// rows are written in the page's order; its stored state is kept up to
// date in memory meanwhile. (Writing before every repeat cost 1.5 s of
// the writer's time once a staged round put an item's reports side by
// side: docs/PERFORMANCE.md §47.)
type drivePageWriter struct {
	ctx       context.Context
	tx        *sql.Tx
	accountID int64
	drive     int64 // drive_keys.key
	streamID  int64
	round     int64
	now       time.Time // when the page is applied: tombstones, undated activity
	stored    map[string]storedItem
	tombed    map[string]bool // the items whose tombstones wait for the next flush
	// Placing new items as they are written (drive_place.go): the
	// clients' folder keys (nil: folders wait for the round's end), where
	// the page's items and their parents sit, the drive's folder mappings
	// (read when a folder is first placed), and the caller's set of
	// clients whose links changed, which gets the clients of the folders
	// placed.
	keys     map[string]int64
	placed   map[string]placement
	mappings map[string]folderMapping
	clients  map[int64]bool
	upserts  [][]any
	tombs    []string
	acts     [][]any
}

// driveUpsertHead and driveUpsertTail are the item upsert, one row per
// item. Per-row choices travel in the row: size is -1 when Graph sent none
// for a stored item (keep the stored one), dirty is 1 when the item is
// renamed, moved, or new and not placed (its path and client are
// re-derived at the round's end). A new item's path and client are its
// placement's (an empty path and no client when not placed); a stored
// item keeps its own.
const (
	driveUpsertHead = `INSERT INTO drive_items(account_id, drive_key, id, parent_id, name, name_key, is_folder, is_root,
		size, mime, web_url, created_at, created_by_name, created_by_address, modified_at, modified_by_name, modified_by_address,
		etag, ctag, quick_xor_hash, remote_drive_id, remote_graph_drive_id, remote_id, stream_id, round_id, dirty, path, client_id)`
	driveUpsertWidth = 28
	driveUpsertTail  = `ON CONFLICT(account_id, drive_key, id) DO UPDATE SET parent_id=excluded.parent_id, name=excluded.name,
		name_key=excluded.name_key, is_folder=excluded.is_folder, is_root=excluded.is_root,
		size=CASE WHEN excluded.size >= 0 THEN excluded.size ELSE drive_items.size END,
		mime=excluded.mime, web_url=CASE WHEN excluded.web_url <> '' THEN excluded.web_url ELSE drive_items.web_url END,
		created_at=excluded.created_at, created_by_name=excluded.created_by_name, created_by_address=excluded.created_by_address,
		modified_at=excluded.modified_at, modified_by_name=excluded.modified_by_name, modified_by_address=excluded.modified_by_address,
		etag=excluded.etag, ctag=CASE WHEN excluded.ctag <> '' THEN excluded.ctag ELSE drive_items.ctag END,
		quick_xor_hash=CASE WHEN excluded.quick_xor_hash <> '' THEN excluded.quick_xor_hash ELSE drive_items.quick_xor_hash END,
		remote_drive_id=excluded.remote_drive_id, remote_graph_drive_id=excluded.remote_graph_drive_id,
		remote_id=excluded.remote_id, deleted_at=NULL,
		stream_id=excluded.stream_id, round_id=excluded.round_id,
		dirty=CASE WHEN excluded.dirty = 1 THEN 1 ELSE drive_items.dirty END`
	driveActivityHead = `INSERT OR IGNORE INTO file_activity(account_id, drive_key, item_id, parent_id, at,
		actor_name, actor_address, action, name, path_at_time, pending)`
	driveActivityWidth = 11
)

// newDrivePageWriter loads the stored state of the page's items and where
// they and their parents sit; the clients of the folders it places are
// added to clients.
func newDrivePageWriter(ctx context.Context, tx *sql.Tx, p DrivePage, drive, round int64, now time.Time, clients map[int64]bool) (*drivePageWriter, error) {
	w := &drivePageWriter{ctx: ctx, tx: tx, accountID: p.AccountID, drive: drive, streamID: p.StreamID, round: round, now: now,
		stored: make(map[string]storedItem, len(p.Items)), tombed: map[string]bool{},
		keys: p.ClientKeys, clients: clients}
	ids := make([]string, 0, len(p.Items))
	for _, it := range p.Items {
		if it.ID != "" {
			ids = append(ids, it.ID)
		}
	}
	if len(ids) == 0 {
		return w, nil
	}
	type row struct {
		id  string
		old storedItem
	}
	rows, err := queryRows(ctx, tx, func(rows *sql.Rows) (row, error) {
		r := row{old: storedItem{exists: true}}
		err := rows.Scan(&r.id, &r.old.deleted, &r.old.folder, &r.old.name, &r.old.parent, &r.old.ctag, &r.old.hash, &r.old.size,
			&r.old.modified, &r.old.path, &r.old.client, &r.old.dirty)
		return r, err
	}, `SELECT d.id, d.deleted_at IS NOT NULL, d.is_folder, d.name, d.parent_id, d.ctag, d.quick_xor_hash, d.size, d.modified_at, d.path,
		d.client_id, d.dirty
		FROM (SELECT DISTINCT value AS id FROM json_each(?3)) j CROSS JOIN drive_items d ON d.account_id=?1 AND d.drive_key=?2 AND d.id=j.id`,
		p.AccountID, drive, pageIDs(ids))
	if err != nil {
		return w, err
	}
	for _, r := range rows {
		w.stored[r.id] = r.old
	}
	return w, w.loadPlacements(p.Items)
}

// begin returns the stored state of an item about to be handled, writing
// what was collected first when the item's tombstone is among it.
func (w *drivePageWriter) begin(id string) (storedItem, error) {
	if w.tombed[id] {
		if err := w.flush(); err != nil {
			return storedItem{}, err
		}
	}
	return w.stored[id], nil
}

// upsert collects an item's row; live says whether a live row was stored,
// dirty whether a stored item was renamed or moved or its row revived. A
// new item is placed when its parent is (drive_place.go).
func (w *drivePageWriter) upsert(it model.DriveItem, live, dirty bool) error {
	size := it.Size
	if live && !it.HasSize {
		size = -1
	}
	old := w.stored[it.ID]
	at, placed := w.placed[it.ID], false
	if !old.exists {
		var err error
		if at, placed, err = w.place(it); err != nil {
			return err
		}
		dirty = !placed
	}
	if dirty {
		at.settled = false
	}
	w.placed[it.ID] = at
	w.upserts = append(w.upserts, []any{w.accountID, w.drive, it.ID, it.ParentID, it.Name, it.NameKey, it.IsFolder, it.IsRoot,
		size, it.MimeType, it.WebURL, ms(it.CreatedAt), it.CreatedBy.Name, strings.ToLower(it.CreatedBy.Address),
		ms(it.ModifiedAt), it.ModifiedBy.Name, strings.ToLower(it.ModifiedBy.Address), it.ETag, it.CTag, it.QuickXorHash,
		it.RemoteDriveID, it.RemoteGraphDriveID, it.RemoteID, w.streamID, w.round, dirty, at.path, at.client})
	next := storedItem{exists: true, folder: it.IsFolder, name: it.Name, parent: it.ParentID, ctag: old.ctag, hash: old.hash,
		size: old.size, modified: ms(it.ModifiedAt), path: at.path, client: at.client, dirty: dirty || old.dirty}
	if size >= 0 {
		next.size = size
	}
	if it.CTag != "" {
		next.ctag = it.CTag
	}
	if it.QuickXorHash != "" {
		next.hash = it.QuickXorHash
	}
	w.stored[it.ID] = next
	return nil
}

// tomb collects the deletion of a stored live item.
func (w *drivePageWriter) tomb(id string) {
	w.tombs = append(w.tombs, id)
	w.tombed[id] = true
	old := w.stored[id]
	old.deleted = true
	w.stored[id] = old
	w.placed[id] = placement{}
}

// activity collects one file activity row; an undated one is dated when
// the page is applied.
func (w *drivePageWriter) activity(itemID, parent string, at time.Time, actor model.Recipient, action, name, path string) {
	if at.IsZero() {
		at = w.now
	}
	w.acts = append(w.acts, []any{w.accountID, w.drive, itemID, parent, ms(at), actor.Name, strings.ToLower(actor.Address), action, name, path, 1})
}

// flush writes what was collected: items, then tombstones, then activity
// (the rows of one flush are of different items).
func (w *drivePageWriter) flush() error {
	if err := insertRows(w.ctx, w.tx, driveUpsertHead, driveUpsertTail, driveUpsertWidth, w.upserts); err != nil {
		return err
	}
	if len(w.tombs) > 0 {
		if _, err := w.tx.ExecContext(w.ctx, `UPDATE drive_items SET deleted_at=?1, round_id=?2
			WHERE account_id=?3 AND drive_key=?4 AND id IN (SELECT value FROM json_each(?5))`,
			ms(w.now), w.round, w.accountID, w.drive, pageIDs(w.tombs)); err != nil {
			return err
		}
	}
	if err := insertRows(w.ctx, w.tx, driveActivityHead, "", driveActivityWidth, w.acts); err != nil {
		return err
	}
	w.upserts, w.tombs, w.acts = w.upserts[:0], w.tombs[:0], w.acts[:0]
	clear(w.tombed)
	return nil
}
