package store

import (
	"database/sql"

	"rapport/backend/model"
)

// Placing new items as they are written (issue 7, docs/PERFORMANCE.md
// §43). An item's path and client follow from its parent's; the round's
// end re-derives them for the subtrees under items marked dirty. When a
// new item's parent is already placed — stored, or written earlier in the
// same page — and not dirty, the writer computes both itself and stores
// the item clean, so a first round whose parents come before their
// children leaves the round's end nothing to walk, nor a later round's
// new files in known folders: walking the dirty subtrees and rewriting
// every row's path, client and flag, with their indexes, took 1.69 s of
// the writer's time for the heavy tenant's 60,000 drive items.
//
// This is a head start, not a different answer: a parent not yet seen,
// dirty or deleted leaves the new item dirty, as before; a placed item
// whose parent or ancestor changes later in the round lies under a dirty
// item, whose subtree the round's end walks and corrects. (One difference:
// a new file that goes with a folder deleted in the same round keeps the
// path it was placed at in its activity, where an unplaced one was
// recorded by its name alone: the round's end never resolves deleted
// items.) The name
// rule (auto-links) is applied to a placed folder at once, with the same
// decision as the round's end (nameRule): so a folder is placed only when
// the page carries the clients' keys.

// placement is where an item sits: its path, the client of its nearest
// mapped ancestor-or-self, and whether both are settled (stored clean and
// live, so its children may be placed from them).
type placement struct {
	path    string
	client  sql.NullInt64
	settled bool
}

// folderMapping is a stored folder_mappings row.
type folderMapping struct {
	client sql.NullInt64
	origin string
}

// nameRule is the auto-link decision for a new, renamed or moved folder
// (or drive root) with name key key and its mapping row m (has: whether
// there is one): drop an automatic mapping that no longer matches, add
// one when the name matches exactly one client (keys) and the folder has
// no row at all. A manual or suppressed row is never touched. add is 0
// when nothing is added.
func nameRule(key string, m folderMapping, has bool, keys map[string]int64) (drop bool, add int64) {
	want, ok := keys[key]
	if key == "" {
		ok = false
	}
	switch {
	case has && m.origin == model.OriginAuto && m.client.Valid && (!ok || want != m.client.Int64):
		if ok {
			return true, want
		}
		return true, 0
	case !has && ok:
		return false, want
	}
	return false, 0
}

// loadPlacements records, for the page's stored items and the stored
// parents of its new items, where they sit.
func (w *drivePageWriter) loadPlacements(items []model.DriveItem) error {
	w.placed = make(map[string]placement, len(w.stored)+16)
	for id, old := range w.stored {
		w.placed[id] = placement{path: old.path, client: old.client, settled: !old.deleted && !old.dirty}
	}
	var parents []string
	asked := map[string]bool{}
	for _, it := range items {
		p := it.ParentID
		if it.Deleted || it.IsRoot || p == "" || w.stored[it.ID].exists || w.stored[p].exists || asked[p] {
			continue
		}
		asked[p] = true
		parents = append(parents, p)
	}
	if len(parents) == 0 {
		return nil
	}
	type row struct {
		id string
		at placement
	}
	rows, err := queryRows(w.ctx, w.tx, func(rows *sql.Rows) (row, error) {
		var r row
		err := rows.Scan(&r.id, &r.at.path, &r.at.client, &r.at.settled)
		return r, err
	}, `SELECT d.id, d.path, d.client_id, d.dirty = 0 AND d.deleted_at IS NULL
		FROM (SELECT DISTINCT value AS id FROM json_each(?3)) j CROSS JOIN drive_items d ON d.account_id=?1 AND d.drive_key=?2 AND d.id=j.id`,
		w.accountID, w.drive, pageIDs(parents))
	for _, r := range rows {
		w.placed[r.id] = r.at
	}
	return err
}

// place computes a new item's placement from its parent's, applying the
// name rule to a folder; ok is false when the item must wait for the
// round's end.
func (w *drivePageWriter) place(it model.DriveItem) (placement, bool, error) {
	var parent placement
	if !it.IsRoot {
		var ok bool
		if parent, ok = w.placed[it.ParentID]; !ok || !parent.settled {
			return placement{}, false, nil
		}
	}
	at := placement{path: it.Name, client: parent.client, settled: true}
	switch {
	case it.IsRoot:
		at.path = ""
	case parent.path != "":
		at.path = parent.path + "/" + it.Name
	}
	if !it.IsFolder && !it.IsRoot {
		return at, true, nil
	}
	if w.keys == nil {
		return placement{}, false, nil // the name rule needs the clients' keys
	}
	own, err := w.folderClient(it.ID, it.NameKey)
	if err != nil {
		return placement{}, false, err
	}
	if own.Valid {
		at.client = own
	}
	if at.client.Valid {
		w.clients[at.client.Int64] = true // a folder's client changed: as resolveSubtrees reports it
	}
	return at, true, nil
}

// folderClient applies the name rule to a new folder and returns the
// client its own mapping names (NULL: none, or suppressed).
func (w *drivePageWriter) folderClient(id, key string) (sql.NullInt64, error) {
	if w.mappings == nil {
		type row struct {
			id string
			m  folderMapping
		}
		rows, err := queryRows(w.ctx, w.tx, func(rows *sql.Rows) (row, error) {
			var r row
			err := rows.Scan(&r.id, &r.m.client, &r.m.origin)
			return r, err
		}, `SELECT folder_id, client_id, origin FROM folder_mappings WHERE account_id=? AND drive_key=?`, w.accountID, w.drive)
		if err != nil {
			return sql.NullInt64{}, err
		}
		w.mappings = make(map[string]folderMapping, len(rows))
		for _, r := range rows {
			w.mappings[r.id] = r.m
		}
	}
	m, has := w.mappings[id]
	drop, add := nameRule(key, m, has, w.keys)
	if err := applyNameRule(w.ctx, w.tx, w.accountID, w.drive, id, drop, add, w.now); err != nil {
		return sql.NullInt64{}, err
	}
	switch {
	case add != 0:
		m = folderMapping{client: sql.NullInt64{Int64: add, Valid: true}, origin: model.OriginAuto}
		w.mappings[id] = m
	case drop:
		m = folderMapping{}
		delete(w.mappings, id)
	}
	return m.client, nil
}
