package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"rapport/backend/model"
)

// openAtVersion writes a database file with the embedded migrations up to
// and including version, as a Rapport of that time left it (on the
// store's driver: migration 015 calls its text_key).
func openAtVersion(t *testing.T, version int) (*sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open(driverName, "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := migrationFS.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		var n int
		if _, err := fmt.Sscanf(e.Name(), "%d_", &n); err != nil || n > version {
			continue
		}
		body, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
	}
	if _, err := db.Exec("PRAGMA user_version = " + strconv.Itoa(version)); err != nil {
		t.Fatal(err)
	}
	return db, path
}

// execAll runs each statement in turn, failing the test at the first
// that fails: a migration test's fixture, written in an old version's
// schema.
func execAll(t *testing.T, db *sql.DB, queries ...string) {
	t.Helper()
	for _, q := range queries {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// upgrade closes the old database and opens it as this Rapport does,
// running the newer migrations.
func upgrade(t *testing.T, db *sql.DB, path string) *Store {
	t.Helper()
	db.Close()
	return openTestAt(t, path)
}

// rowidTables are the tables migration 008 rebuilds, each with the query
// that lists its rows in a fixed order.
var rowidTables = map[string]string{
	"messages":        `SELECT * FROM messages ORDER BY account_id, id`,
	"participants":    `SELECT * FROM participants ORDER BY account_id, message_id, ord`,
	"message_folders": `SELECT * FROM message_folders ORDER BY account_id, message_id, folder_id`,
	"events":          `SELECT * FROM events ORDER BY account_id, id`,
	"event_attendees": `SELECT * FROM event_attendees ORDER BY account_id, event_id, ord`,
	"drive_items":     `SELECT * FROM drive_items ORDER BY account_id, drive_id, id`,
}

// driveItemsByID lists drive_items as rowidTables does, with each row's
// drive id where migration 014 put its key.
var driveItemsByID = `SELECT account_id, ` + driveIDOf("d") + ` AS drive_id, id, parent_id, name, name_key, is_folder, is_root, size, mime,
	web_url, created_at, created_by_name, created_by_address, modified_at, modified_by_name, modified_by_address, etag, ctag,
	quick_xor_hash, remote_drive_id, remote_graph_drive_id, remote_id, deleted_at, stream_id, round_id, path, client_id, dirty
	FROM drive_items d ORDER BY account_id, drive_id, id`

// messagesBefore015 lists messages as rowidTables does, without the
// column migration 015 added.
var messagesBefore015 = `SELECT account_id, id, conversation_id, internet_message_id, subject, from_name, from_address, sent_at,
	received_at, direction, is_read, has_attachments, categories, web_link, change_key, orphaned_at
	FROM messages ORDER BY account_id, id`

func dumpRows(t *testing.T, db *sql.DB, query string) [][]any {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	return out
}

// schemaNames lists the indexes and triggers of the rebuilt tables.
func schemaNames(t *testing.T, db *sql.DB) []string {
	t.Helper()
	names, err := queryColumn[string](context.Background(), db, `SELECT type || ' ' || name FROM sqlite_master
		WHERE type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_autoindex%'
		  AND tbl_name IN ('messages', 'participants', 'message_folders', 'events', 'event_attendees', 'drive_items')
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// A store written before migration 008 keeps every row, index, trigger and
// foreign key of its item tables when they become rowid tables, and goes
// on working: search follows changes, deleting an account cascades.
func TestMigration008KeepsTheItemTables(t *testing.T) {
	db, path := openAtVersion(t, 7)
	execAll(t, db,
		`INSERT INTO accounts(id, upn, added_at) VALUES(1, 'me@adatum.com', 0), (2, 'other@adatum.com', 0)`,
		`INSERT INTO messages(account_id, id, conversation_id, subject, direction, received_at, orphaned_at) VALUES
			(1, 'AAMkZm2', 'c1', 'Quarterly budget', 'in', 2000, NULL), (1, 'AAMkAa1', 'c1', 'Re: Quarterly budget', 'out', 1000, 5),
			(2, 'AAMkZm2', 'c9', 'Other account', 'in', 3000, NULL)`,
		`INSERT INTO participants(account_id, message_id, ord, role, name, address, domain) VALUES
			(1, 'AAMkZm2', 0, 'from', 'Zoë Smith', 'zoe@contoso.com', 'contoso.com'), (1, 'AAMkZm2', 1, 'to', 'Me', 'me@adatum.com', 'adatum.com'),
			(1, 'AAMkAa1', 0, 'from', 'Me', 'me@adatum.com', 'adatum.com'), (2, 'AAMkZm2', 0, 'from', 'Ann', 'ann@fabrikam.com', 'fabrikam.com')`,
		`INSERT INTO message_folders(account_id, message_id, folder_id, round_id) VALUES (1, 'AAMkZm2', 'INBOX', 3), (1, 'AAMkAa1', 'SENT', 2),
			(2, 'AAMkZm2', 'INBOX', 1)`,
		`INSERT INTO events(account_id, id, calendar_id, subject, start_at, end_at, series_master_id) VALUES
			(1, 'e2', 'cal', 'Steering', 5000, 6000, 's1'), (1, 'e1', 'cal', 'Kick-off', 4000, 4500, '')`,
		`INSERT INTO event_attendees(account_id, event_id, ord, role, name, address, domain, response) VALUES
			(1, 'e2', 0, 'organizer', 'Me', 'me@adatum.com', 'adatum.com', 'organizer'), (1, 'e2', 1, 'required', 'Zoë', 'zoe@contoso.com', 'contoso.com', 'accepted')`,
		`INSERT INTO drive_items(account_id, drive_id, id, parent_id, name, is_folder, is_root, path, dirty, deleted_at) VALUES
			(1, 'b!d', 'root', '', 'root', 1, 1, '', 0, NULL), (1, 'b!d', '01F', 'root', 'Contoso', 1, 0, 'Contoso', 0, NULL),
			(1, 'b!d', '01A', '01F', 'Plan.docx', 0, 0, 'Contoso/Plan.docx', 0, NULL), (1, 'b!d', '01Z', '01F', 'Old.docx', 0, 0, 'Contoso/Old.docx', 0, 7)`,
	)
	before := map[string][][]any{}
	for name, q := range rowidTables {
		before[name] = dumpRows(t, db, q)
		if len(before[name]) == 0 {
			t.Fatalf("fixture has no %s", name)
		}
	}
	names := schemaNames(t, db)
	s := upgrade(t, db, path)
	ctx := context.Background()
	if v, _ := s.SchemaVersion(ctx); v < 8 {
		t.Fatalf("schema version %d after opening", v)
	}
	for name, q := range rowidTables {
		switch name {
		case "drive_items":
			q = driveItemsByID // migration 014 then keys drive_items by drive_keys
		case "messages":
			q = messagesBefore015 // and 015 gives messages their conversation's key
		}
		if got := dumpRows(t, s.db, q); !reflect.DeepEqual(got, before[name]) {
			t.Errorf("%s after migration 008:\n got %v\nwant %v", name, got, before[name])
		}
		var ddl string
		if err := s.db.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&ddl); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(ddl, "WITHOUT ROWID") || strings.Contains(ddl, "_new") {
			t.Errorf("%s is still %s", name, ddl)
		}
	}
	// Migration 010 then replaces the index of every message's conversation
	// with one of the sent messages' (link_facts_test.go).
	for i, n := range names {
		if n == "index messages_conversation" {
			names[i] = "index messages_sent"
		}
	}
	sort.Strings(names)
	if got := schemaNames(t, s.db); !reflect.DeepEqual(got, names) {
		t.Errorf("indexes and triggers after migration 008:\n got %v\nwant %v", got, names)
	}
	if bad := dumpRows(t, s.db, `PRAGMA foreign_key_check`); len(bad) > 0 {
		t.Errorf("foreign key violations: %v", bad)
	}
	// The search triggers work on the new tables: a changed subject is found.
	stream, err := s.EnsureStream(ctx, 1, model.StreamMail, "INBOX", "Inbox", 0)
	if err != nil {
		t.Fatal(err)
	}
	rec := model.MailRecord{Direction: model.DirectionIn,
		Participants: []model.Participant{{Role: model.RoleFrom, Name: "Zoë Smith", Address: "zoe@contoso.com", Domain: "contoso.com"}}}
	rec.ID, rec.ConversationID, rec.Subject, rec.ReceivedAt = "AAMkZm2", "c1", "Revised forecast", fromMS(2000)
	if _, err := s.ApplyMailPage(ctx, MailPage{StreamID: stream.ID, AccountID: 1, FolderID: "INBOX", Records: []model.MailRecord{rec}}); err != nil {
		t.Fatal(err)
	}
	hs, err := s.Search(ctx, "forecast", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(hs); !reflect.DeepEqual(got, []string{"mail:AAMkZm2"}) {
		t.Errorf("Search(forecast) = %v after an update on the migrated store", got)
	}
	// Foreign keys point at the new parents: removing account 1 takes its
	// participants, folders and attendees along.
	if _, err := s.db.Exec(`DELETE FROM accounts WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := s.db.QueryRow(`SELECT (SELECT COUNT(*) FROM participants WHERE account_id = 1) + (SELECT COUNT(*) FROM message_folders WHERE account_id = 1)
		+ (SELECT COUNT(*) FROM event_attendees WHERE account_id = 1) + (SELECT COUNT(*) FROM drive_items WHERE account_id = 1)`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("%d rows of the deleted account left behind", left)
	}
	if got := dumpRows(t, s.db, `SELECT message_id, address FROM participants`); len(got) != 1 {
		t.Errorf("the other account's participants: %v", got)
	}
}
