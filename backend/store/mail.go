package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"rapport/backend/model"
)

// MailPage is one delta page of one mail folder, ready to apply.
type MailPage struct {
	StreamID  int64
	AccountID int64
	FolderID  string
	Records   []model.MailRecord
	Removed   []string
	NextLink  string
	DeltaLink string
	// Backfill marks a page of a plain listing ("Load older history"): it
	// adds messages and folder memberships but never sweeps, and its last
	// page is the one without a NextLink.
	Backfill bool
}

// ApplyResult says what a page changed, for the UI's data:changed event.
type ApplyResult struct {
	Upserted  int
	Removed   int
	ClientIDs []int64
}

// mailAt is the instant a message sits at on a timeline: when it was sent
// for outgoing mail, when it arrived for incoming mail.
func mailAt(r model.MailRecord) time.Time {
	if r.Direction == model.DirectionOut && !r.SentAt.IsZero() {
		return r.SentAt
	}
	if r.ReceivedAt.IsZero() {
		return r.SentAt
	}
	return r.ReceivedAt
}

// linkMailSQL (rules.go) links one message by the matching rules of
// DESIGN §4: manual decisions, explicit contacts, then domains (a domain
// claimed by two clients links neither).

// ApplyMailPage writes one page in one transaction together with the
// stream's checkpoint. Applying the same page twice leaves the same rows.
// Within a page the last occurrence of an id wins.
func (s *Store) ApplyMailPage(ctx context.Context, p MailPage) (ApplyResult, error) {
	return s.ApplyMailPages(ctx, []MailPage{p})
}

// ApplyMailPages writes consecutive pages of one stream in one
// transaction, each as ApplyMailPage would, the last one's checkpoint
// kept. The pages of a folder touch the same leaves of the item tables'
// indexes, which one commit then writes once instead of once per page
// (docs/PERFORMANCE.md §33); the search index is brought up to date once.
// The result is the pages' results together.
func (s *Store) ApplyMailPages(ctx context.Context, pages []MailPage) (ApplyResult, error) {
	var res ApplyResult
	ctx, err := pageCtx(ctx) // write.go
	if err != nil {
		return res, err
	}
	clients := map[int64]bool{}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for _, p := range pages {
			if err := applyMailPage(ctx, tx, p, s.Tick(), clients, &res); err != nil {
				return err
			}
		}
		return flushSearch(ctx, tx) // search.go: index the pages' messages once
	})
	if err != nil {
		return ApplyResult{}, err
	}
	res.ClientIDs = sortedIDs(clients)
	return res, nil
}

// applyMailPage writes one page and its checkpoint in tx, adding what it
// changed to res and the clients whose timelines it touched to clients.
func applyMailPage(ctx context.Context, tx *sql.Tx, p MailPage, now time.Time, clients map[int64]bool, res *ApplyResult) error {
	var round, windowStart int64
	var full bool
	if err := tx.QueryRowContext(ctx, `SELECT round_id, round_full, window_start FROM streams WHERE id=?`, p.StreamID).Scan(&round, &full, &windowStart); err != nil {
		return fmt.Errorf("load stream: %w", err)
	}
	// apply_batch.go: one prepared statement per table, the links of the
	// whole page recomputed and collected by one statement each.
	recs, idsJSON := pageRecords(p.Records, func(r model.MailRecord) string { return r.ID })
	folderSQL := `INSERT INTO message_folders(account_id, message_id, folder_id, round_id) VALUES(?,?,?,?)
		ON CONFLICT DO UPDATE SET round_id=excluded.round_id`
	if p.Backfill {
		// A backfill stream's round ids are not the folder's: leave an
		// existing membership's round alone.
		folderSQL = `INSERT INTO message_folders(account_id, message_id, folder_id, round_id) VALUES(?,?,?,?) ON CONFLICT DO NOTHING`
		round = 0
	}
	collect := func(id string) error {
		return collectLinked(ctx, tx, model.KindMail, p.AccountID, pageIDs1(id), clients)
	}
	if len(recs) > 0 {
		if err := collectLinked(ctx, tx, model.KindMail, p.AccountID, idsJSON, clients); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM participants WHERE account_id = ?1 AND message_id IN (SELECT value FROM json_each(?2))`,
			p.AccountID, idsJSON); err != nil {
			return err
		}
		upsertMsg, err := tx.PrepareContext(ctx, `
			INSERT INTO messages(account_id, id, conversation_id, internet_message_id, subject, from_name, from_address,
				sent_at, received_at, direction, is_read, has_attachments, categories, web_link, change_key, conv_key, orphaned_at)
			VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,NULL)
			ON CONFLICT(account_id, id) DO UPDATE SET conversation_id=excluded.conversation_id, conv_key=excluded.conv_key,
				internet_message_id=excluded.internet_message_id, subject=excluded.subject, from_name=excluded.from_name,
				from_address=excluded.from_address, sent_at=excluded.sent_at, received_at=excluded.received_at,
				direction=excluded.direction, is_read=excluded.is_read, has_attachments=excluded.has_attachments,
				categories=excluded.categories, web_link=excluded.web_link, change_key=excluded.change_key, orphaned_at=NULL`)
		if err != nil {
			return err
		}
		defer upsertMsg.Close()
		insPart, err := tx.PrepareContext(ctx, `INSERT INTO participants(account_id, message_id, ord, role, name, address, domain) VALUES(?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer insPart.Close()
		insFolder, err := tx.PrepareContext(ctx, folderSQL)
		if err != nil {
			return err
		}
		defer insFolder.Close()
		for _, r := range recs {
			if _, err := upsertMsg.ExecContext(ctx, p.AccountID, r.ID, r.ConversationID, r.InternetMessageID, r.Subject,
				r.From.Name, r.From.Address, ms(r.SentAt), ms(r.ReceivedAt), r.Direction, r.IsRead, r.HasAttachments,
				joinList(r.Categories), r.WebLink, r.ChangeKey, textKey(r.ConversationID)); err != nil {
				return fmt.Errorf("save message: %w", err)
			}
			for i, pt := range r.Participants {
				if _, err := insPart.ExecContext(ctx, p.AccountID, r.ID, i, pt.Role, pt.Name, pt.Address, pt.Domain); err != nil {
					return fmt.Errorf("save participant: %w", err)
				}
			}
			if _, err := insFolder.ExecContext(ctx, p.AccountID, r.ID, p.FolderID, round); err != nil {
				return err
			}
		}
		if err := relinkPage(ctx, tx, mailKind, p.AccountID, idsJSON); err != nil {
			return err
		}
		if err := collectLinked(ctx, tx, model.KindMail, p.AccountID, idsJSON, clients); err != nil {
			return err
		}
	}
	res.Upserted += len(p.Records)
	removed := 0
	for _, id := range p.Removed {
		n, err := removeFromFolder(ctx, tx, p.AccountID, id, p.FolderID, now)
		if err != nil {
			return err
		}
		if n > 0 {
			if err := collect(id); err != nil {
				return err
			}
		}
		removed += n
	}
	res.Removed += removed
	if p.DeltaLink != "" && full && !p.Backfill {
		// A full round reports every message the folder holds in its
		// window: what it did not report is gone from this folder.
		if err := sweepFolder(ctx, tx, p.AccountID, p.FolderID, round, windowStart, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE streams SET round_full=0 WHERE id=?`, p.StreamID); err != nil {
			return err
		}
	}
	complete := p.DeltaLink != "" || (p.Backfill && p.NextLink == "")
	changed := len(p.Records) > 0 || removed > 0 || full
	return saveCheckpoint(ctx, tx, p.StreamID, p.NextLink, p.DeltaLink, complete, changed, len(p.Records), now)
}

// removeFromFolder drops one folder's claim on a message. When no synced
// folder holds it any more the message is marked orphaned, not deleted: a
// move may deliver its addition in another folder later in this pass.
func removeFromFolder(ctx context.Context, tx *sql.Tx, accountID int64, id, folder string, now time.Time) (int, error) {
	r, err := tx.ExecContext(ctx, `DELETE FROM message_folders WHERE account_id=? AND message_id=? AND folder_id=?`, accountID, id, folder)
	if err != nil {
		return 0, err
	}
	n, _ := r.RowsAffected()
	if n == 0 {
		return 0, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE messages SET orphaned_at=? WHERE account_id=? AND id=? AND orphaned_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM message_folders WHERE account_id=? AND message_id=?)`, ms(now), accountID, id, accountID, id)
	return int(n), err
}

// sweepFolder drops the folder's claim on messages a full round did not
// report. Only messages inside the round's window (received at or after its
// $filter start) can be judged: older ones came from a backfill and the
// round was never going to list them.
func sweepFolder(ctx context.Context, tx *sql.Tx, accountID int64, folder string, round, windowStart int64, now time.Time) error {
	stale, err := queryColumn[string](ctx, tx, `SELECT mf.message_id FROM message_folders mf
		JOIN messages m ON m.account_id = mf.account_id AND m.id = mf.message_id
		WHERE mf.account_id=? AND mf.folder_id=? AND mf.round_id<? AND (m.received_at >= ? OR m.received_at = 0)`,
		accountID, folder, round, windowStart)
	if err != nil {
		return err
	}
	for _, id := range stale {
		if _, err := removeFromFolder(ctx, tx, accountID, id, folder, now); err != nil {
			return err
		}
	}
	return nil
}

// PurgeOrphans deletes messages that no synced folder has held since before
// the given instant — the start of a pass over every folder of the account,
// so a move's addition had its chance to arrive. Returns the clients whose
// timelines lost items.
func (s *Store) PurgeOrphans(ctx context.Context, accountID int64, before time.Time) ([]int64, error) {
	var ids []int64
	// Usually there is nothing to purge: find that out with a read of the
	// orphans' index (migration 006), not a write transaction.
	var any bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM messages WHERE account_id=? AND orphaned_at IS NOT NULL AND orphaned_at < ?)`,
		accountID, ms(before)).Scan(&any); err != nil || !any {
		return nil, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		ids, err = queryColumn[int64](ctx, tx, `SELECT DISTINCT l.client_id FROM messages m JOIN links l ON l.account_id=m.account_id AND l.item_id=m.id AND l.kind='mail'
			WHERE m.account_id=? AND m.orphaned_at IS NOT NULL AND m.orphaned_at < ?`, accountID, ms(before))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM links WHERE kind='mail' AND account_id=? AND item_id IN
			(SELECT id FROM messages WHERE account_id=? AND orphaned_at IS NOT NULL AND orphaned_at < ?)`, accountID, accountID, ms(before)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM messages WHERE account_id=? AND orphaned_at IS NOT NULL AND orphaned_at < ?`, accountID, ms(before))
		return err
	})
	return ids, err
}

// PurgeThreshold is the instant before which an orphaned message is surely
// gone: the oldest of the last folder discovery's start and each synced
// folder's last completed round's start. A message orphaned earlier than
// that would have been reported by some folder's round (or by a folder the
// discovery found) if it had merely moved. Zero when some folder has not
// completed a round yet: nothing may be purged then.
func (s *Store) PurgeThreshold(ctx context.Context, accountID int64) (time.Time, error) {
	var discovered, oldest sql.NullInt64
	var pending int
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT discovered_at FROM sync_settings WHERE account_id = ?),
		(SELECT MIN(last_round_start) FROM streams WHERE account_id = ? AND kind = 'mail'),
		(SELECT COUNT(*) FROM streams WHERE account_id = ? AND kind = 'mail' AND last_round_start = 0)`,
		accountID, accountID, accountID).Scan(&discovered, &oldest, &pending)
	if err != nil || pending > 0 || !discovered.Valid || discovered.Int64 == 0 {
		return time.Time{}, err
	}
	t := discovered.Int64
	if oldest.Valid && oldest.Int64 < t {
		t = oldest.Int64
	}
	return fromMS(t), nil
}

// MessageIDs lists the ids of every stored (non-orphaned) message of an
// account, for convergence checks.
func (s *Store) MessageIDs(ctx context.Context, accountID int64) ([]string, error) {
	return queryColumn[string](ctx, s.db, `SELECT id FROM messages WHERE account_id=? ORDER BY id`, accountID)
}

// Message loads one stored message with its participants.
func (s *Store) Message(ctx context.Context, accountID int64, id string) (model.MailRecord, error) {
	var r model.MailRecord
	var sent, recv int64
	var cats string
	err := s.db.QueryRowContext(ctx, `SELECT id, conversation_id, internet_message_id, subject, from_name, from_address,
		sent_at, received_at, direction, is_read, has_attachments, categories, web_link, change_key
		FROM messages WHERE account_id=? AND id=?`, accountID, id).Scan(&r.ID, &r.ConversationID, &r.InternetMessageID,
		&r.Subject, &r.From.Name, &r.From.Address, &sent, &recv, &r.Direction, &r.IsRead, &r.HasAttachments, &cats, &r.WebLink, &r.ChangeKey)
	if err == sql.ErrNoRows {
		return r, model.ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.SentAt, r.ReceivedAt, r.Categories = fromMS(sent), fromMS(recv), splitList(cats)
	r.Participants, err = itemParticipants(ctx, s.db, "participants", "message_id", accountID, id)
	return r, err
}
