package store

import (
	"context"
	"database/sql"
	"strings"
)

// A link row carries what the insights need of its item (issue 7): for
// mail, the keys of its conversation (conv_key) and of its internet
// message id (imid_key; text_keys.go) and flags —
// mine, a sender of the client, a recipient of the client, linked by hand.
// They are written with the link from the same rules (linkSQL), and
// links_mail holds them (links_timeline did until migration 012), so a
// client's 90 days of mail facts are one range scan of that index instead
// of a probe of every message, its participants and its manual decisions
// (the biggest client of the bench's 1,000,000-item store: its whole
// insights page ~800 → ~100 ms, PERFORMANCE.md §25). A rule change
// re-links its items (relink), so the flags follow the rules; the mine bit
// follows the accounts (refreshMine).

// Bits of links.flags.
const (
	LinkMine       = 1 // sent by one of the user's accounts (mail)
	LinkFromClient = 2 // the sender (a meeting's organizer) belongs to the client
	LinkToClient   = 4 // a recipient (an attendee) belongs to the client
	LinkManual     = 8 // the user linked it by hand
)

// ownAddressesSQL lists the user's addresses, lower-cased: every account's
// sign-in name and mail address.
const ownAddressesSQL = `SELECT lower(upn) FROM accounts UNION SELECT lower(mail) FROM accounts WHERE mail <> ''`

// mineSQL is the mine bit of message alias i: sent, or from one of the
// user's addresses (a copy of the user's mail in another of their
// mailboxes).
func mineSQL(i string) string {
	return `(` + i + `.direction = 'out' OR lower(` + i + `.from_address) IN (` + ownAddressesSQL + `))`
}

// roleBitSQL is the flag a matching participant alias p gives its item's
// link: the sender or organizer, else a recipient or attendee.
func roleBitSQL(p string) string {
	return `CASE WHEN ` + p + `.role IN ` + senderRoles + ` THEN 2 ELSE 4 END`
}

// senderRoles are the participant roles of a message's sender and a
// meeting's organizer.
const senderRoles = `('from', 'organizer')`

// ownAddresses is the user's addresses as one comparable string.
func ownAddresses(ctx context.Context, tx *sql.Tx) (string, error) {
	own, err := queryColumn[string](ctx, tx, ownAddressesSQL+` ORDER BY 1`)
	return strings.Join(own, " "), err
}

// changingAccounts runs change (a write to accounts, in tx) and then
// refreshMine if it changed the user's addresses.
func changingAccounts(ctx context.Context, tx *sql.Tx, change func() error) error {
	before, err := ownAddresses(ctx, tx)
	if err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	after, err := ownAddresses(ctx, tx)
	if err != nil || after == before {
		return err
	}
	return refreshMine(ctx, tx)
}

// refreshMine recomputes the mine bit of every mail link after the user's
// addresses changed (an account added, renamed or removed): mail from an
// address that has just become the user's is theirs now. It rewrites only
// the links whose bit changes.
func refreshMine(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `UPDATE links SET flags = (flags | 1) - (flags & 1)
		WHERE kind = 'mail' AND (flags & 1) <> (SELECT `+mineSQL("i")+` FROM messages i
		  WHERE i.account_id = links.account_id AND i.id = links.item_id)`)
	return err
}

// backfillLinkFacts fills conv, imid and flags of the links written before
// migration 010, from the same rules linkSQL applies (its hook). It runs
// on the schema of version 10, whose links held the ids themselves
// (migration 015 keys them): its own thread columns, not the kinds'.
func backfillLinkFacts(ctx context.Context, tx *sql.Tx) error {
	thread := map[string]string{mailKind.kind: "i.conversation_id, i.internet_message_id", meetingKind.kind: "'', ''"}
	for _, k := range []linkKind{mailKind, meetingKind} {
		person := func(sender bool) string {
			in := " IN "
			if !sender {
				in = " NOT IN "
			}
			return `EXISTS (SELECT 1 FROM ` + k.people + ` p WHERE p.account_id = i.account_id AND p.` + k.peopleKey + ` = i.id
			  AND p.role` + in + senderRoles + ` AND ` + participantIsClientSQL("p", "links.client_id") + `)`
		}
		manual := `EXISTS (SELECT 1 FROM manual_links u WHERE u.client_id = links.client_id AND u.kind = links.kind
			AND u.account_id = links.account_id AND u.item_id = links.item_id AND u.linked = 1)`
		if _, err := tx.ExecContext(ctx, `UPDATE links SET (conv, imid) = (`+thread[k.kind]+`),
			flags = `+k.mine+` | 2 * `+person(true)+` | 4 * `+person(false)+` | 8 * `+manual+`
			FROM `+k.items+` i WHERE links.kind = '`+k.kind+`' AND i.account_id = links.account_id AND i.id = links.item_id`); err != nil {
			return err
		}
	}
	return nil
}
