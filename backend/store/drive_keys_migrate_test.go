package store

import (
	"context"
	"reflect"
	"regexp"
	"testing"

	"rapport/backend/model"
)

// driveTablesByID list the drive tables as they were before migration 014,
// each row with its drive id: written with drive_id before it, read through
// drive_keys after.
func driveTablesByID(keyed bool) map[string]string {
	id := func(alias string) string {
		if keyed {
			return driveIDOf(alias) + " AS drive_id"
		}
		return alias + ".drive_id"
	}
	return map[string]string{
		"file_activity": `SELECT f.id, f.account_id, ` + id("f") + `, f.item_id, f.parent_id, f.at, f.actor_name, f.actor_address, f.action,
			f.name, f.path_at_time, f.pending FROM file_activity f ORDER BY f.id`,
		"folder_mappings": `SELECT m.account_id, ` + id("m") + `, m.folder_id, m.client_id, m.origin, m.suppressed, m.created_at
			FROM folder_mappings m ORDER BY m.account_id, drive_id, m.folder_id`,
	}
}

var regexpDriveID = regexp.MustCompile(`\bdrive_id\b`)

// A store written before migration 014 keeps every row of its drive
// tables, each under its account's drive, and goes on working by drive id:
// reads, a mapping of a synced folder and of a shared folder whose content
// has not come yet, the next round, deleting an account.
func TestMigration014KeysTheDriveTables(t *testing.T) {
	const (
		drive  = "b!Ohf1Zd4qXUGy9Zb0W8-mcWkGl2G3b3ZQpN2pUu7mJy7b0lP7yJ3nW4fBmX2GmlhN"
		idle   = "b!synced-but-empty"
		shared = "b!shared-folder-drive"
	)
	db, path := openAtVersion(t, 13)
	execAll(t, db,
		`INSERT INTO accounts(id, upn, added_at) VALUES(1, 'me@adatum.com', 0), (2, 'other@adatum.com', 0)`,
		`INSERT INTO clients(id, name, created_at) VALUES(1, 'Contoso', 0), (2, 'Fabrikam', 0)`,
		`INSERT INTO drives(account_id, id, graph_id, origin, added_at) VALUES(1, '`+drive+`', 'B!X', 'onedrive', 0),
			(1, '`+idle+`', 'b!Idle', 'library', 0), (2, '`+drive+`', 'B!X', 'onedrive', 0)`,
		`INSERT INTO drive_items(account_id, drive_id, id, parent_id, name, is_folder, is_root, path, client_id, dirty) VALUES
			(1, '`+drive+`', 'root', '', 'root', 1, 1, '', NULL, 0),
			(1, '`+drive+`', 'F', 'root', 'Contoso', 1, 0, 'Contoso', 1, 0),
			(1, '`+drive+`', 'X', 'F', 'Plan.docx', 0, 0, 'Contoso/Plan.docx', 1, 0),
			(1, '`+drive+`', 'G', 'root', 'Fabrikam', 1, 0, 'Fabrikam', NULL, 0),
			(1, '`+drive+`', 'S', 'root', 'Shared', 1, 0, 'Shared', NULL, 0),
			(2, '`+drive+`', 'root', '', 'root', 1, 1, '', NULL, 0),
			(2, '`+drive+`', 'Y', 'root', 'Budget.xlsx', 0, 0, 'Budget.xlsx', NULL, 0)`,
		`UPDATE drive_items SET remote_drive_id='`+shared+`', remote_id='RF' WHERE id='S'`,
		`INSERT INTO file_activity(id, account_id, drive_id, item_id, parent_id, at, actor_name, action, name, path_at_time, pending) VALUES
			(7, 1, '`+drive+`', 'X', 'F', 1000, 'Megan', 'created', 'Plan.docx', 'Contoso/Plan.docx', 0),
			(8, 2, '`+drive+`', 'Y', 'root', 2000, 'Ann', 'created', 'Budget.xlsx', 'Budget.xlsx', 0)`,
		`INSERT INTO links(client_id, kind, account_id, item_id, at) VALUES(1, 'file', 1, '7', 1000)`,
		`INSERT INTO folder_mappings(account_id, drive_id, folder_id, client_id, origin, created_at) VALUES
			(1, '`+drive+`', 'F', 1, 'manual', 5), (1, '`+shared+`', 'RF', 2, 'manual', 6)`,
	)
	before := map[string][][]any{"drive_items": dumpRows(t, db, rowidTables["drive_items"])}
	for name, q := range driveTablesByID(false) {
		before[name] = dumpRows(t, db, q)
	}
	indexes := func(db queryer) []string {
		names, err := queryColumn[string](context.Background(), db, `SELECT name || ' ' || sql FROM sqlite_master WHERE type = 'index'
			AND sql IS NOT NULL AND tbl_name IN ('drive_items', 'file_activity', 'folder_mappings') ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	wantIndexes := indexes(db)

	s := upgrade(t, db, path)
	ctx := context.Background()
	if got := dumpRows(t, s.db, driveItemsByID); !reflect.DeepEqual(got, before["drive_items"]) {
		t.Errorf("drive_items after migration 014:\n got %v\nwant %v", got, before["drive_items"])
	}
	for name, q := range driveTablesByID(true) {
		if got := dumpRows(t, s.db, q); !reflect.DeepEqual(got, before[name]) {
			t.Errorf("%s after migration 014:\n got %v\nwant %v", name, got, before[name])
		}
	}
	// The same indexes, on the key where they had the drive id.
	for i, n := range wantIndexes {
		wantIndexes[i] = regexpDriveID.ReplaceAllString(n, "drive_key")
	}
	if got := indexes(s.db); !reflect.DeepEqual(got, wantIndexes) {
		t.Errorf("indexes after migration 014:\n got %v\nwant %v", got, wantIndexes)
	}
	keys := dumpRows(t, s.db, `SELECT account_id, drive_id FROM drive_keys ORDER BY key`)
	wantKeys := [][]any{{int64(1), drive}, {int64(1), shared}, {int64(1), idle}, {int64(2), drive}} // keyed in id order
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("drive_keys = %v, want %v", keys, wantKeys)
	}

	// Reads by drive id.
	items, err := s.DriveItems(ctx, 1, drive)
	if err != nil || len(items) != 5 || items[2].ID != "X" || items[2].DriveID != drive || items[2].ClientID != 1 {
		t.Errorf("DriveItems(account 1) = %+v, %v", items, err)
	}
	if items, err := s.DriveItems(ctx, 1, idle); err != nil || len(items) != 0 {
		t.Errorf("DriveItems(a drive with no items) = %+v, %v", items, err)
	}
	if m, err := s.FolderMapping(ctx, 1, shared, "RF"); err != nil || m.ClientID != 2 {
		t.Errorf("the shared folder's mapping = %+v, %v", m, err)
	}
	acts, err := s.FileActivities(ctx, 2)
	if err != nil || len(acts) != 1 || acts[0].DriveID != drive || acts[0].ItemID != "Y" {
		t.Errorf("FileActivities(account 2) = %+v, %v", acts, err)
	}
	// Writes by drive id: mapping Fabrikam's folder, then a round that
	// edits a file and adds one under it.
	if _, err := s.MapFolder(ctx, 1, drive, "G", 2); err != nil {
		t.Fatal(err)
	}
	stream, err := s.EnsureStream(ctx, 1, model.StreamDrive, drive, "OneDrive", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginRound(ctx, stream.ID); err != nil {
		t.Fatal(err)
	}
	edited := fileItem("X", "F", "Plan.docx", 99, "Megan")
	edited.ModifiedAt = dt0.Add(72 * 3600e9)
	if _, err := s.ApplyDrivePage(ctx, DrivePage{StreamID: stream.ID, AccountID: 1, DriveID: drive, DeltaLink: "d1", Complete: true,
		Items: []model.DriveItem{edited, fileItem("Z", "G", "SOW.docx", 5, "Ann")}}); err != nil {
		t.Fatal(err)
	}
	got := dumpRows(t, s.db, `SELECT id, size, path, client_id FROM drive_items WHERE account_id = 1 AND id IN ('X', 'Z') ORDER BY id`)
	want := [][]any{{"X", int64(99), "Contoso/Plan.docx", int64(1)}, {"Z", int64(5), "Fabrikam/SOW.docx", int64(2)}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after a round on the migrated store: %v, want %v", got, want)
	}
	if n := len(dumpRows(t, s.db, `SELECT 1 FROM links WHERE kind = 'file'`)); n != 3 {
		t.Errorf("%d file links after the round, want 3 (the old one, X's edit, Z's creation)", n)
	}
	if bad := dumpRows(t, s.db, `PRAGMA foreign_key_check`); len(bad) > 0 {
		t.Errorf("foreign key violations: %v", bad)
	}
	// An account's keys go with it.
	if _, err := s.db.Exec(`DELETE FROM accounts WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if got := dumpRows(t, s.db, `SELECT account_id FROM drive_keys WHERE account_id = 2
		UNION ALL SELECT account_id FROM drive_items WHERE account_id = 2`); len(got) != 0 {
		t.Errorf("rows of the deleted account left: %v", got)
	}
}
