package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"rapport/backend/model"
)

// Staging a drive's full round (issue 7, docs/PERFORMANCE.md §47). Graph
// sends a round's items in no particular order ("buffer the whole round
// and apply it topologically", ../shared/graph); the simulator sends a
// first round deepest first. Written as they came, children stored before
// their parents had no path or client yet: marked dirty, and rewritten at
// the round's end by a walk of their subtrees — every row and its index
// entries written twice, 1.4 s of the single writer's time for the heavy
// tenant's 60,000 drive items. Now a full delta round's pages go to
// drive_stage (one row per item, with the page's checkpoint, so a round
// interrupted by a sleep or a crash resumes where it stopped), and its
// last page writes the round to drive_items in parent order, where every
// new item is placed as it is written (drive_place.go). Incremental
// rounds, and a shared folder's walk (parents first already), are written
// page by page as before.

// stagedChunk is how many staged items go in one write transaction at the
// round's end: as many as a batch of drive pages (drivePagesPerWrite in
// the sync engine), so the mail waits no longer for one (30,000 in one
// transaction made the sync slower and the heap bigger: §47).
const stagedChunk = 6000

const stageHead = `INSERT INTO drive_stage(stream_id, item_id, parent_id, deleted, item)`

// stagesPage says whether p goes to drive_stage: a page of a full delta
// round with more to come, or the last page of one whose earlier pages
// were staged.
func stagesPage(ctx context.Context, tx *sql.Tx, p DrivePage) (bool, error) {
	if !p.Complete && p.NextLink == "" {
		return false, nil // a listing's page (runSharedFolder)
	}
	var full, staged bool
	err := tx.QueryRowContext(ctx, `SELECT round_full, EXISTS (SELECT 1 FROM drive_stage WHERE stream_id=?1) FROM streams WHERE id=?1`,
		p.StreamID).Scan(&full, &staged)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // applyDrivePage reports the missing stream
	}
	return full && (!p.Complete || staged), err
}

// stagePage writes p's items to drive_stage. A page with more to come
// carries its checkpoint and moves the item count's estimate; the last
// page's checkpoint is saved when the round is written (writeStaged), so
// an interruption in between fetches it again.
func stagePage(ctx context.Context, tx *sql.Tx, p DrivePage) error {
	rows := make([][]any, 0, len(p.Items))
	live := 0
	for _, it := range p.Items {
		if it.ID == "" {
			continue
		}
		rows = append(rows, []any{p.StreamID, it.ID, it.ParentID, it.Deleted, appendStaged(nil, it)})
		if !it.Deleted {
			live++
		}
	}
	if err := insertRows(ctx, tx, stageHead, "", 5, rows); err != nil {
		return err
	}
	if p.Complete {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE streams SET next_link=?, items=items+? WHERE id=?`, p.NextLink, live, p.StreamID)
	return err
}

// stagedRef is a staged item without its body: enough to order a round.
type stagedRef struct {
	seq        int64
	id, parent string
	deleted    bool
}

// parentsFirst orders a round's staged items so that every item comes
// after its parent, by depth in the tree the round describes (each item
// under the parent of its last live report); items of one depth, and the
// reports of one item, keep Graph's order, which decides between two
// reports of an item. An item whose parent the round does not hold (the
// root, a parent stored earlier or never sent) is at depth 0.
func parentsFirst(refs []stagedRef) []int64 {
	parent := make(map[string]string, len(refs))
	for _, r := range refs {
		if !r.deleted {
			parent[r.id] = r.parent
		}
	}
	depth := make(map[string]int, len(parent))
	var chain []string
	for id := range parent {
		chain = chain[:0]
		d, at := 0, id
		for {
			if known, ok := depth[at]; ok {
				d = known
				break
			}
			p, ok := parent[at]
			if !ok || len(chain) > 256 { // outside the round, or a cycle Graph should never send
				d = -1
				break
			}
			chain = append(chain, at)
			at = p
		}
		for i := len(chain) - 1; i >= 0; i-- {
			d++
			depth[chain[i]] = d
		}
	}
	type keyed struct {
		depth int
		seq   int64
	}
	sorted := make([]keyed, len(refs))
	for i, r := range refs {
		sorted[i] = keyed{depth[r.id], r.seq}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].depth < sorted[j].depth })
	out := make([]int64, len(sorted))
	for i, k := range sorted {
		out[i] = k.seq
	}
	return out
}

// writeStaged writes a staged round to drive_items, parents first, in
// transactions of stagedChunk items, each deleting what it wrote from the
// stage; the last one ends the round (last's deltaLink, the round's end).
// Until then the stream's checkpoint stays at the last page's link, so an
// interruption writes the rest when that page comes again. The staged
// items are read and decoded outside the write lock.
func (s *Store) writeStaged(ctx context.Context, last DrivePage, clients map[int64]bool) (ApplyResult, error) {
	var res ApplyResult
	refs, err := queryRows(ctx, s.db, func(rows *sql.Rows) (stagedRef, error) {
		var r stagedRef
		err := rows.Scan(&r.seq, &r.id, &r.parent, &r.deleted)
		return r, err
	}, `SELECT seq, item_id, parent_id, deleted FROM drive_stage WHERE stream_id=? ORDER BY seq`, last.StreamID)
	if err != nil {
		return res, err
	}
	var next string
	if err := s.db.QueryRowContext(ctx, `SELECT next_link FROM streams WHERE id=?`, last.StreamID).Scan(&next); err != nil {
		return res, err
	}
	order := parentsFirst(refs)
	for start := 0; start == 0 || start < len(order); start += stagedChunk {
		chunk := order[start:min(start+stagedChunk, len(order))]
		items, err := s.stagedItems(ctx, chunk)
		if err != nil {
			return res, err
		}
		p := DrivePage{StreamID: last.StreamID, AccountID: last.AccountID, DriveID: last.DriveID, Items: items,
			NextLink: next, ClientKeys: last.ClientKeys}
		if start+stagedChunk >= len(order) {
			p.NextLink, p.DeltaLink, p.Complete = "", last.DeltaLink, true
		}
		wctx, err := pageCtx(ctx)
		if err != nil {
			return res, err
		}
		err = s.bulkTx(wctx, func(tx *sql.Tx) error {
			got, err := s.applyDrivePage(wctx, tx, p, s.Tick(), clients)
			if err != nil {
				return err
			}
			res.Upserted += got.Upserted
			res.Removed += got.Removed
			_, err = tx.ExecContext(wctx, `DELETE FROM drive_stage WHERE seq IN (SELECT value FROM json_each(?))`, seqList(chunk))
			return err
		})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// stagedItems reads and decodes the staged items seqs names, in that
// order. A damaged entry (the disk's doing: nothing else writes one) makes
// the staged round unusable: the error asks for the round afresh
// (model.ErrResyncRequired, as a 410 does), whose BeginRound drops the
// stage, instead of failing every round from now on.
func (s *Store) stagedItems(ctx context.Context, seqs []int64) ([]model.DriveItem, error) {
	type row struct {
		seq  int64
		item []byte
	}
	rows, err := queryRows(ctx, s.db, func(rows *sql.Rows) (row, error) {
		var r row
		err := rows.Scan(&r.seq, &r.item)
		return r, err
	}, `SELECT seq, item FROM drive_stage WHERE seq IN (SELECT value FROM json_each(?))`, seqList(seqs))
	if err != nil {
		return nil, err
	}
	at := make(map[int64]int, len(seqs))
	for i, seq := range seqs {
		at[seq] = i
	}
	items := make([]model.DriveItem, len(seqs))
	for _, r := range rows {
		if items[at[r.seq]], err = decodeStaged(r.item); err != nil {
			return nil, fmt.Errorf("%w: %w", model.ErrResyncRequired, err)
		}
	}
	return items, nil
}

// seqList is seqs as a JSON array, for json_each.
func seqList(seqs []int64) string {
	var b strings.Builder
	b.Grow(2 + len(seqs)*8)
	b.WriteByte('[')
	for i, v := range seqs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(v, 10))
	}
	b.WriteByte(']')
	return b.String()
}

// A staged item's encoding: its strings, then its size, times and flags,
// each field listed once (stagedFields) for both directions. Several
// times faster to decode than JSON, on the writer's critical path;
// TestStagedItemsKeepEveryField fails when a field of model.DriveItem is
// left out.
type stagedFields struct {
	strings []*string
	times   []*time.Time
	flags   []*bool
}

func fieldsOf(it *model.DriveItem) stagedFields {
	return stagedFields{
		strings: []*string{&it.DriveID, &it.ID, &it.ParentID, &it.Name, &it.MimeType, &it.WebURL,
			&it.CreatedBy.Name, &it.CreatedBy.Address, &it.ModifiedBy.Name, &it.ModifiedBy.Address,
			&it.ETag, &it.CTag, &it.QuickXorHash, &it.RemoteDriveID, &it.RemoteGraphDriveID, &it.RemoteID, &it.NameKey},
		times: []*time.Time{&it.CreatedAt, &it.ModifiedAt},
		flags: []*bool{&it.IsFolder, &it.IsRoot, &it.HasSize, &it.RemoteIsFolder, &it.Deleted},
	}
}

func appendStaged(b []byte, it model.DriveItem) []byte {
	f := fieldsOf(&it)
	for _, s := range f.strings {
		b = binary.AppendUvarint(b, uint64(len(*s)))
		b = append(b, *s...)
	}
	b = binary.AppendVarint(b, it.Size)
	for _, t := range f.times {
		if t.IsZero() {
			b = append(b, 0)
			continue
		}
		b = append(b, 1)
		b = binary.AppendVarint(b, t.UnixNano())
	}
	var bits uint64
	for i, v := range f.flags {
		if *v {
			bits |= 1 << i
		}
	}
	return binary.AppendUvarint(b, bits)
}

var errStaged = errors.New("store: a staged drive item is damaged")

func decodeStaged(b []byte) (model.DriveItem, error) {
	var it model.DriveItem
	f := fieldsOf(&it)
	for _, s := range f.strings {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return it, errStaged
		}
		*s, b = string(b[k:k+int(n)]), b[k+int(n):]
	}
	size, k := binary.Varint(b)
	if k <= 0 {
		return it, errStaged
	}
	it.Size, b = size, b[k:]
	for _, t := range f.times {
		if len(b) == 0 {
			return it, errStaged
		}
		set := b[0] == 1
		b = b[1:]
		if !set {
			continue
		}
		v, k := binary.Varint(b)
		if k <= 0 {
			return it, errStaged
		}
		*t, b = time.Unix(0, v).UTC(), b[k:]
	}
	bits, k := binary.Uvarint(b)
	if k <= 0 || k != len(b) {
		return it, errStaged
	}
	for i, v := range f.flags {
		*v = bits&(1<<i) != 0
	}
	return it, nil
}
