package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"rapport/backend/model"
)

// DrivePage is one page of a drive stream: a root/delta page, or a page of
// a shared folder's listing.
type DrivePage struct {
	StreamID  int64
	AccountID int64
	DriveID   string // canonical id of the drive the stream reads
	// Items in Graph's order: unordered, with repeats (the last occurrence
	// of an id wins), deleted items often carrying nothing but their id.
	Items     []model.DriveItem
	NextLink  string
	DeltaLink string
	// Complete marks the round's last page (the deltaLink, or a listing's
	// end): ancestry, deletions of folders, auto-links, paths and client
	// links are resolved then.
	Complete bool
	// ClientKeys maps clients' folder keys to their ids
	// (clients.FolderClientKeys), for auto-link: of the new folders a
	// page places (drive_place.go), and at the round's end. Without them
	// a page's new folders wait for the round's end.
	ClientKeys map[string]int64
}

// contentEditWindow: a file whose last modification is this close to its
// creation was uploaded, not edited afterwards.
const contentEditWindow = time.Minute

type storedItem struct {
	exists, deleted, folder  bool
	name, parent, ctag, hash string
	size, modified           int64
	path                     string
	client                   sql.NullInt64
	dirty                    bool // path and client wait for the round's end
}

// ApplyDrivePage writes one drive page in one transaction with the
// stream's checkpoint. Items are stored whatever their order; a change to
// a file is recorded as file activity by comparing with the stored row
// (content changes by hash, cTag or size — an eTag alone changes with
// metadata too). The round's last page then, in the same transaction:
// deletes what a full round did not report, deletes the contents of
// deleted folders, applies auto-links, rebuilds paths and clients for the
// subtrees that changed, and links new activity to clients. Applying the
// same page twice leaves the same rows. A full delta round's pages are
// staged instead, and its last page writes the whole round, parents first
// (drive_stage.go).
func (s *Store) ApplyDrivePage(ctx context.Context, p DrivePage) (ApplyResult, error) {
	return s.ApplyDrivePages(ctx, []DrivePage{p})
}

// ApplyDrivePages writes consecutive pages of one stream in one
// transaction, each exactly as ApplyDrivePage would, the last one's
// checkpoint last: the pages a drive's fetcher received while the writer
// was busy (docs/PERFORMANCE.md §40). A batch that fails leaves none of
// its pages. When its last page ends a staged round, the round is then
// written in transactions of its own (writeStaged): one that fails leaves
// the rest staged, written when that page comes again.
func (s *Store) ApplyDrivePages(ctx context.Context, pages []DrivePage) (ApplyResult, error) {
	var res ApplyResult
	caller := ctx            // a staged round's writes stop between transactions when it is cancelled
	ctx, err := pageCtx(ctx) // write.go
	if err != nil {
		return res, err
	}
	clients := map[int64]bool{}
	staged := false // the last page was staged: the round is written now
	err = s.bulkTx(ctx, func(tx *sql.Tx) error {
		for _, p := range pages {
			stage, err := stagesPage(ctx, tx, p) // drive_stage.go
			if err != nil {
				return err
			}
			if staged = stage; stage {
				if err := stagePage(ctx, tx, p); err != nil {
					return err
				}
				continue
			}
			got, err := s.applyDrivePage(ctx, tx, p, s.Tick(), clients)
			if err != nil {
				return err
			}
			res.Upserted += got.Upserted
			res.Removed += got.Removed
		}
		return nil
	})
	if err != nil {
		return ApplyResult{}, err
	}
	if last := pages[len(pages)-1]; staged && last.Complete {
		got, err := s.writeStaged(caller, last, clients)
		if err != nil {
			return ApplyResult{}, err
		}
		res.Upserted += got.Upserted
		res.Removed += got.Removed
	}
	res.ClientIDs = sortedIDs(clients)
	return res, nil
}

// applyDrivePage writes one page and its checkpoint in tx, adding the
// clients whose links it changed to clients.
func (s *Store) applyDrivePage(ctx context.Context, tx *sql.Tx, p DrivePage, now time.Time, clients map[int64]bool) (ApplyResult, error) {
	var res ApplyResult
	var round int64
	var full, firstPage bool
	if err := tx.QueryRowContext(ctx, `SELECT round_id, round_full, next_link = '' FROM streams WHERE id=?`, p.StreamID).Scan(&round, &full, &firstPage); err != nil {
		return res, fmt.Errorf("load stream: %w", err)
	}
	drive, err := driveKey(ctx, tx, p.AccountID, p.DriveID)
	if err != nil {
		return res, err
	}
	w, err := newDrivePageWriter(ctx, tx, p, drive, round, now, clients)
	if err != nil {
		return res, err
	}
	for _, it := range p.Items {
		if it.ID == "" {
			continue
		}
		old, err := w.begin(it.ID)
		if err != nil {
			return res, err
		}
		live := old.exists && !old.deleted
		if it.Deleted {
			if !live {
				continue // never stored, or already gone: a repeat
			}
			w.tomb(it.ID)
			res.Removed++
			// A deleted folder's contents are dealt with at the round's
			// end: children may still move out of it on a later page.
			if !old.folder {
				at := it.ModifiedAt
				if !at.After(fromMS(old.modified)) {
					at = now
				}
				w.activity(it.ID, old.parent, at, it.ModifiedBy, model.FileDeleted, old.name, old.path)
			}
			continue
		}
		renamed := live && old.name != it.Name
		moved := live && old.parent != it.ParentID
		if err := w.upsert(it, live, !live || renamed || moved); err != nil {
			return res, err
		}
		res.Upserted++
		if it.IsFolder || it.IsRoot {
			continue // folders have no activity of their own
		}
		if !live {
			created := it.CreatedAt
			if created.IsZero() {
				created = it.ModifiedAt
			}
			w.activity(it.ID, it.ParentID, created, it.CreatedBy, model.FileCreated, it.Name, "")
			if it.ModifiedAt.After(created.Add(contentEditWindow)) {
				w.activity(it.ID, it.ParentID, it.ModifiedAt, it.ModifiedBy, model.FileEdited, it.Name, "")
			}
			continue
		}
		// A later change: time and actor as Graph reports them; a
		// change Graph did not date (a move keeps lastModified) is
		// dated when it was seen.
		at := it.ModifiedAt
		if !at.After(fromMS(old.modified)) {
			at = now
		}
		if renamed {
			w.activity(it.ID, it.ParentID, at, it.ModifiedBy, model.FileRenamed, it.Name, "")
		}
		if moved {
			w.activity(it.ID, it.ParentID, at, it.ModifiedBy, model.FileMoved, it.Name, "")
		}
		if contentChanged(old, it, renamed) {
			w.activity(it.ID, it.ParentID, at, it.ModifiedBy, model.FileEdited, it.Name, "")
		}
	}
	if err := w.flush(); err != nil {
		return res, fmt.Errorf("save drive items: %w", err)
	}

	added := res.Upserted - res.Removed
	if p.Complete {
		ids, removed, err := s.finishDriveRound(ctx, tx, p, drive, round, full, now)
		if err != nil {
			return res, err
		}
		res.Removed += removed
		for _, c := range ids {
			clients[c] = true
		}
		if full {
			if _, err := tx.ExecContext(ctx, `UPDATE streams SET round_full=0 WHERE id=?`, p.StreamID); err != nil {
				return res, err
			}
		}
	}
	if err := saveCheckpoint(ctx, tx, p.StreamID, p.NextLink, p.DeltaLink, p.Complete, false, 0, now); err != nil {
		return res, err
	}
	// The item count: exact at a round's end, estimated in between. A
	// round of one page that changed nothing (most polls) leaves it as
	// it was: counting a 30,000-item drive cost 17 ms of a 19 ms poll.
	unchanged := firstPage && !full && res.Upserted == 0 && res.Removed == 0
	if p.Complete && unchanged {
		return res, nil
	}
	if p.Complete {
		_, err = tx.ExecContext(ctx, `UPDATE streams SET items=(SELECT COUNT(*) FROM drive_items WHERE stream_id=? AND deleted_at IS NULL) WHERE id=?`,
			p.StreamID, p.StreamID)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE streams SET items=MAX(0, items+?) WHERE id=?`, added, p.StreamID)
	}
	return res, err
}

// contentChanged decides an edit: the hash when both sides have one (the
// only reliable signal: Office and media processing touch eTag and cTag
// without a content change), else cTag unless the item was renamed (a
// rename changes cTag too), and a different size always.
func contentChanged(old storedItem, it model.DriveItem, renamed bool) bool {
	if it.HasSize && it.Size != old.size {
		return true
	}
	if old.hash != "" && it.QuickXorHash != "" {
		return old.hash != it.QuickXorHash
	}
	if old.ctag != "" && it.CTag != "" && !renamed {
		return old.ctag != it.CTag
	}
	return false
}

// finishDriveRound runs at the end of a round, in its transaction. It
// returns the clients whose links changed and how many items it removed.
//
// Its queries name the partial indexes of the few rows they want (dirty,
// deleted folders) with INDEXED BY: without statistics SQLite prefers the
// primary key's (account, drive) prefix and reads the whole drive, four
// times per poll of a 30,000-item OneDrive (issue 7).
func (s *Store) finishDriveRound(ctx context.Context, tx *sql.Tx, p DrivePage, drive, round int64, full bool, now time.Time) ([]int64, int, error) {
	removed := 0
	// A full round (the first, a resync after 410, every listing) reported
	// everything the stream holds: what it did not report is gone.
	if full {
		n, err := tombstoneWhere(ctx, tx, p.AccountID, drive, now,
			`SELECT id FROM drive_items WHERE stream_id=? AND round_id<? AND deleted_at IS NULL AND account_id=? AND drive_key=?`,
			p.StreamID, round, p.AccountID, drive)
		if err != nil {
			return nil, 0, err
		}
		removed += n
	}
	// A deleted folder is removed once empty: what is still inside it at
	// the round's end did not move out, so it went with the folder.
	n, err := tombstoneWhere(ctx, tx, p.AccountID, drive, now, `
		WITH RECURSIVE gone(id, depth) AS (
			SELECT d.id, 0 FROM drive_items d INDEXED BY drive_items_tomb
			WHERE d.account_id=? AND d.drive_key=? AND d.is_folder=1 AND d.deleted_at IS NOT NULL
			  AND EXISTS (SELECT 1 FROM drive_items c INDEXED BY drive_items_parent WHERE c.account_id=d.account_id AND c.drive_key=d.drive_key AND c.parent_id=d.id AND c.deleted_at IS NULL)
			UNION
			SELECT c.id, gone.depth+1 FROM gone CROSS JOIN drive_items c INDEXED BY drive_items_parent ON c.account_id=?1 AND c.drive_key=?2 AND c.parent_id=gone.id
			WHERE c.deleted_at IS NULL AND gone.depth < 256
		)
		SELECT DISTINCT id FROM gone`, p.AccountID, drive)
	if err != nil {
		return nil, 0, err
	}
	removed += n

	if err := autoLinkDirty(ctx, tx, p.AccountID, drive, p.ClientKeys, now); err != nil {
		return nil, 0, err
	}
	clients, err := resolveSubtrees(ctx, tx, p.AccountID, drive, `
		SELECT d.id FROM drive_items d INDEXED BY drive_items_dirty WHERE d.account_id=?1 AND d.drive_key=?2 AND d.dirty=1 AND d.deleted_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM drive_items q WHERE q.account_id=d.account_id AND q.drive_key=d.drive_key
		                  AND q.id=d.parent_id AND q.dirty=1 AND q.deleted_at IS NULL)`)
	if err != nil {
		return nil, 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE drive_items INDEXED BY drive_items_dirty SET dirty=0 WHERE account_id=? AND drive_key=? AND dirty=1`, p.AccountID, drive); err != nil {
		return nil, 0, err
	}
	more, err := linkPendingActivity(ctx, tx, p.AccountID, drive)
	if err != nil {
		return nil, 0, err
	}
	// A user's decision on one activity (issue 6's manual links) outranks
	// the folder rule: re-applied when this round wrote file links.
	if len(clients)+len(more) > 0 {
		if err := ApplyManualLinks(ctx, tx, model.KindFile); err != nil {
			return nil, 0, err
		}
	}
	return mergeIDs(clients, more), removed, nil
}

// tombstoneWhere marks the live items the query selects as deleted and
// records a deletion for each file among them.
func tombstoneWhere(ctx context.Context, tx *sql.Tx, accountID, drive int64, now time.Time, query string, args ...any) (int, error) {
	ids, err := queryColumn[string](ctx, tx, query, args...)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO file_activity(account_id, drive_key, item_id, parent_id, at, action, name, path_at_time, pending)
			SELECT account_id, drive_key, id, parent_id, ?, 'deleted', name, path, 1 FROM drive_items
			WHERE account_id=? AND drive_key=? AND id=? AND is_folder=0 AND is_root=0 AND deleted_at IS NULL`, ms(now), accountID, drive, id); err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE drive_items SET deleted_at=? WHERE account_id=? AND drive_key=? AND id=? AND deleted_at IS NULL`,
			ms(now), accountID, drive, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// autoLinkDirty applies the name rule (nameRule) to the folders this
// round added, renamed or moved and did not place as they were written.
func autoLinkDirty(ctx context.Context, tx *sql.Tx, accountID, drive int64, keys map[string]int64, now time.Time) error {
	type cand struct {
		id, key string
		m       folderMapping
		has     bool
	}
	cs, err := queryRows(ctx, tx, func(rows *sql.Rows) (cand, error) {
		var c cand
		var origin sql.NullString
		err := rows.Scan(&c.id, &c.key, &c.m.client, &origin, &c.has)
		c.m.origin = origin.String
		return c, err
	}, `SELECT d.id, d.name_key, m.client_id, m.origin, m.suppressed IS NOT NULL
		FROM drive_items d INDEXED BY drive_items_dirty LEFT JOIN folder_mappings m ON m.account_id=d.account_id AND m.drive_key=d.drive_key AND m.folder_id=d.id
		WHERE d.account_id=? AND d.drive_key=? AND d.dirty=1 AND d.deleted_at IS NULL AND (d.is_folder=1 OR d.is_root=1)
		  AND (d.name_key <> '' OR m.origin='auto')`, accountID, drive)
	if err != nil {
		return err
	}
	for _, c := range cs {
		drop, add := nameRule(c.key, c.m, c.has, keys)
		if err := applyNameRule(ctx, tx, accountID, drive, c.id, drop, add, now); err != nil {
			return err
		}
	}
	return nil
}

// applyNameRule carries out nameRule's decision for one folder.
func applyNameRule(ctx context.Context, tx *sql.Tx, accountID, drive int64, folderID string, drop bool, add int64, now time.Time) error {
	if drop {
		if _, err := tx.ExecContext(ctx, `DELETE FROM folder_mappings WHERE account_id=? AND drive_key=? AND folder_id=? AND origin='auto'`,
			accountID, drive, folderID); err != nil {
			return err
		}
	}
	if add != 0 {
		return insertAutoMapping(ctx, tx, accountID, drive, folderID, add, now)
	}
	return nil
}

func insertAutoMapping(ctx context.Context, tx *sql.Tx, accountID, drive int64, folderID string, clientID int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO folder_mappings(account_id, drive_key, folder_id, client_id, origin, suppressed, created_at)
		VALUES(?,?,?,?,'auto',0,?)`, accountID, drive, folderID, clientID, ms(now))
	return err
}

// resolveSubtrees rebuilds path and client for the subtrees whose roots
// rootsQuery selects, in one recursive pass down parent_id: a folder's
// client is its own mapping's, else its parent's. rootsQuery refers to the
// account as ?1, the drive as ?2 and to extra args as ?3 on. Roots may be
// nested (a dirty folder under a clean one under another dirty one): an
// item reached from several roots takes what the highest one computed.
// Activity filed under a folder whose client changed is re-linked. It
// returns the clients whose links changed.
//
// The recursive steps name drive_items_parent (INDEXED BY) and put the
// queue first (CROSS JOIN fixes the join order): without statistics SQLite
// otherwise walks the whole drive for every folder (the index's prefix
// with the queue as the inner loop), which made a 10,000-item library's
// first round end take 40 s (issue 7).
func resolveSubtrees(ctx context.Context, tx *sql.Tx, accountID, drive int64, rootsQuery string, args ...any) ([]int64, error) {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS drive_sub(id TEXT PRIMARY KEY COLLATE BINARY, path TEXT,
		client INTEGER, old_client INTEGER, is_folder INTEGER) WITHOUT ROWID`); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM drive_sub`); err != nil {
		return nil, err
	}
	q := `WITH RECURSIVE
		roots(id) AS (` + rootsQuery + `),
		sub(id, path, client, depth) AS (
			SELECT r.id,
			       CASE WHEN r.is_root = 1 THEN ''
			            WHEN p.id IS NULL OR p.path = '' THEN r.name
			            ELSE p.path || '/' || r.name END,
			       CASE WHEN r.is_folder = 1 OR r.is_root = 1 THEN COALESCE(m.client_id, p.client_id) ELSE p.client_id END,
			       0
			FROM roots JOIN drive_items r ON r.account_id=?1 AND r.drive_key=?2 AND r.id=roots.id
			LEFT JOIN drive_items p ON p.account_id=?1 AND p.drive_key=?2 AND p.id=r.parent_id AND r.is_root = 0
			LEFT JOIN folder_mappings m ON m.account_id=?1 AND m.drive_key=?2 AND m.folder_id=r.id
			UNION ALL
			SELECT c.id, CASE WHEN sub.path = '' THEN c.name ELSE sub.path || '/' || c.name END,
			       CASE WHEN c.is_folder = 1 THEN COALESCE(m.client_id, sub.client) ELSE sub.client END,
			       sub.depth + 1
			FROM sub CROSS JOIN drive_items c INDEXED BY drive_items_parent ON c.account_id=?1 AND c.drive_key=?2 AND c.parent_id=sub.id AND c.deleted_at IS NULL AND c.is_root = 0
			LEFT JOIN folder_mappings m ON m.account_id=?1 AND m.drive_key=?2 AND m.folder_id=c.id
			WHERE sub.depth < 256
		)
		INSERT OR REPLACE INTO drive_sub(id, path, client, old_client, is_folder)
		SELECT b.id, b.path, b.client, d.client_id, d.is_folder OR d.is_root
		FROM (SELECT id, path, client, MAX(depth) FROM sub GROUP BY id) b
		CROSS JOIN drive_items d ON d.account_id=?1 AND d.drive_key=?2 AND d.id=b.id`
	if _, err := tx.ExecContext(ctx, q, append([]any{accountID, drive}, args...)...); err != nil {
		return nil, fmt.Errorf("resolve drive subtrees: %w", err)
	}
	var any bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM drive_sub)`).Scan(&any); err != nil || !any {
		return nil, err // nothing to resolve (most polls): the update below would read the whole drive
	}
	// Only the subtree's rows are visited (a lookup per row of drive_sub),
	// however big the drive: UPDATE … FROM would walk the whole drive.
	if _, err := tx.ExecContext(ctx, `UPDATE drive_items SET
			path = (SELECT s.path FROM drive_sub s WHERE s.id = drive_items.id),
			client_id = (SELECT s.client FROM drive_sub s WHERE s.id = drive_items.id),
			dirty = 0
		WHERE account_id=? AND drive_key=? AND id IN (SELECT id FROM drive_sub)
		  AND (dirty = 1 OR path IS NOT (SELECT s.path FROM drive_sub s WHERE s.id = drive_items.id)
		       OR client_id IS NOT (SELECT s.client FROM drive_sub s WHERE s.id = drive_items.id))`, accountID, drive); err != nil {
		return nil, err
	}
	// Re-link the activity filed under folders whose client changed.
	changed := `SELECT CAST(fa.id AS TEXT) FROM drive_sub s CROSS JOIN file_activity fa
		ON fa.account_id=? AND fa.drive_key=? AND fa.parent_id=s.id
		WHERE s.is_folder=1 AND s.old_client IS NOT s.client AND fa.pending=0`
	clients := map[int64]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT old_client, client FROM drive_sub WHERE is_folder=1 AND old_client IS NOT client`)
	if err != nil {
		return nil, err
	}
	changedAny := false
	for rows.Next() {
		var o, n sql.NullInt64
		if err := rows.Scan(&o, &n); err != nil {
			rows.Close()
			return nil, err
		}
		changedAny = true
		if o.Valid {
			clients[o.Int64] = true
		}
		if n.Valid {
			clients[n.Int64] = true
		}
	}
	rows.Close()
	if !changedAny {
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE kind='file' AND account_id=? AND item_id IN (`+changed+`)`,
		accountID, accountID, drive); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO links(client_id, kind, account_id, item_id, at)
		SELECT s.client, 'file', fa.account_id, CAST(fa.id AS TEXT), fa.at FROM drive_sub s CROSS JOIN file_activity fa
		ON fa.account_id=? AND fa.drive_key=? AND fa.parent_id=s.id
		WHERE s.is_folder=1 AND s.old_client IS NOT s.client AND s.client IS NOT NULL AND fa.pending=0`, accountID, drive); err != nil {
		return nil, err
	}
	return sortedIDs(clients), nil
}

// linkPendingActivity gives the activity recorded this round its path (as
// the item's path now is) and links it to the client of its folder.
func linkPendingActivity(ctx context.Context, tx *sql.Tx, accountID, drive int64) ([]int64, error) {
	// A round that recorded no activity (most polls) has nothing to do here:
	// the statements below read the drive's activity, not just the pending.
	var pending bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM file_activity WHERE account_id=? AND drive_key=? AND pending=1)`,
		accountID, drive).Scan(&pending); err != nil || !pending {
		return nil, err
	}
	linked, err := queryColumn[int64](ctx, tx, `INSERT OR IGNORE INTO links(client_id, kind, account_id, item_id, at)
		SELECT p.client_id, 'file', fa.account_id, CAST(fa.id AS TEXT), fa.at FROM file_activity fa
		JOIN drive_items p ON p.account_id=fa.account_id AND p.drive_key=fa.drive_key AND p.id=fa.parent_id
		WHERE fa.account_id=? AND fa.drive_key=? AND fa.pending=1 AND p.client_id IS NOT NULL
		RETURNING client_id`, accountID, drive)
	if err != nil {
		return nil, err
	}
	clients := map[int64]bool{}
	for _, c := range linked {
		clients[c] = true
	}
	if err := indexFiles(ctx, tx, accountID, drive); err != nil {
		return nil, err
	}
	// One pass over the round's activity rows (a first round writes
	// 100,000 of them): the path and the end of pending together.
	if _, err := tx.ExecContext(ctx, `UPDATE file_activity SET pending=0, path_at_time = CASE WHEN path_at_time <> '' THEN path_at_time
			ELSE COALESCE((SELECT NULLIF(d.path, '') FROM drive_items d WHERE d.account_id=file_activity.account_id
			               AND d.drive_key=file_activity.drive_key AND d.id=file_activity.item_id), name) END
		WHERE account_id=? AND drive_key=? AND pending=1`, accountID, drive); err != nil {
		return nil, err
	}
	return sortedIDs(clients), nil
}

// indexFiles keeps the search index (search_docs, issue 6) in step for the
// files with new activity: one document per file, named like its newest
// activity row (the timeline row a hit opens), titled with its current
// name, its people every actor seen on it.
func indexFiles(ctx context.Context, tx *sql.Tx, accountID, drive int64) error {
	// touched: the files with pending activity (the partial index); every
	// step below starts from them, never from all of the drive's activity.
	// Only their earlier activity can name a document: the pending rows
	// are this round's, and documents are written just below (o.pending=0
	// took the delete from 214 to 119 ms over the heavy tenant's drives,
	// where a first round's rows are all pending).
	const touched = `(SELECT DISTINCT item_id FROM file_activity WHERE account_id=?1 AND drive_key=?2 AND pending=1) t`
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_docs WHERE kind='file' AND account_id=?1 AND item_id IN (
			SELECT CAST(o.id AS TEXT) FROM `+touched+` CROSS JOIN file_activity o
			ON o.account_id=?1 AND o.drive_key=?2 AND o.item_id=t.item_id AND o.pending=0)`, accountID, drive); err != nil {
		return fmt.Errorf("index files: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO search_docs(kind, account_id, item_id, title, people, at)
		SELECT 'file', n.account_id, CAST(n.id AS TEXT), n.name,
		       COALESCE((SELECT group_concat(x.p, ' ') FROM (SELECT DISTINCT TRIM(z.actor_name || ' ' || z.actor_address) AS p
		                 FROM file_activity z WHERE z.account_id=?1 AND z.drive_key=?2 AND z.item_id=t.item_id AND z.actor_address <> '') x), ''),
		       n.at
		FROM `+touched+` CROSS JOIN file_activity n
		  ON n.id = (SELECT y.id FROM file_activity y WHERE y.account_id=?1 AND y.drive_key=?2 AND y.item_id=t.item_id ORDER BY y.at DESC, y.id DESC LIMIT 1)
		WHERE true
		ON CONFLICT(kind, account_id, item_id) DO UPDATE SET title=excluded.title, people=excluded.people, at=excluded.at`,
		accountID, drive)
	if err != nil {
		return fmt.Errorf("index files: %w", err)
	}
	return nil
}

// sortedIDs lists the keys of m in order: the clients a write touched.
func sortedIDs(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func mergeIDs(a, b []int64) []int64 {
	m := map[int64]bool{}
	for _, v := range a {
		m[v] = true
	}
	for _, v := range b {
		m[v] = true
	}
	return sortedIDs(m)
}
