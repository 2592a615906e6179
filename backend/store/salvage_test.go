package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"rapport/backend/model"
)

// handMade writes into a new store at path what a user makes by hand: an
// account, two clients with a domain each, a contact, an exclusion, a
// library added, a folder mapped and a history setting. It returns where
// the clients table's root page lies.
func handMade(t *testing.T, path string) tablePage {
	t.Helper()
	ctx := context.Background()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	acct, err := s.UpsertAccount(ctx, model.Account{UPN: "avery@adatum.com", DisplayName: "Avery Brooks", HomeAccountID: "hid"})
	if err != nil {
		t.Fatal(err)
	}
	contoso, err := s.AddClient(ctx, "Contoso", []string{"contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddClient(ctx, "Fabrikam", []string{"fabrikam.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddClientContact(ctx, contoso.ID, "megan@gmail.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddExclusion(ctx, "domain", "newsletter.example", "user"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveDrive(ctx, DriveRow{AccountID: acct.ID, ID: "b!lib1", GraphID: "b!lib1", Name: "Client Projects",
		DriveType: "documentLibrary", Origin: model.DriveLibrary, Host: "adatum.sharepoint.com"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetHistory(ctx, acct.ID, 180, nil); err != nil {
		t.Fatal(err)
	}
	execAll(t, s.DB(),
		`INSERT INTO drive_keys(account_id, drive_id) VALUES(1, 'b!lib1')`,
		`INSERT INTO folder_mappings(account_id, drive_key, folder_id, client_id, origin, created_at)
			SELECT 1, key, 'folder-contoso', 1, 'manual', 0 FROM drive_keys WHERE drive_id = 'b!lib1'`,
		`UPDATE clients SET items = 42`,
	)
	return rootPageOf(t, s.DB(), "clients")
}

// afresh sets the store at path aside, opens a new one there and
// salvages into it.
func afresh(t *testing.T, path string) (*Store, Salvaged) {
	t.Helper()
	aside, err := SetAside(path, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s := openTestAt(t, path)
	got, err := s.Salvage(context.Background(), aside)
	if err != nil {
		t.Fatal(err)
	}
	return s, got
}

// Start afresh keeps what the user made: the new store has the account
// (so it syncs at once), the clients and their rules, the library with a
// stream to sync it, the folder mapping and the history setting; the
// counts of the synced data left behind start at zero.
func TestStartAfreshKeepsWhatTheUserMade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rapport.db")
	handMade(t, path)
	s, got := afresh(t, path)
	if len(got.Skipped) != 0 {
		t.Fatalf("tables skipped from a readable store: %v", got.Skipped)
	}
	accts, err := s.Accounts(ctx)
	if err != nil || len(accts) != 1 || accts[0].UPN != "avery@adatum.com" {
		t.Fatalf("accounts kept: %+v %v", accts, err)
	}
	cl, err := s.Clients(ctx)
	if err != nil || len(cl) != 2 {
		t.Fatalf("clients kept: %+v %v", cl, err)
	}
	for _, c := range cl {
		if c.Items != 0 || len(c.Domains) != 1 {
			t.Errorf("client %s kept with %d items and domains %v, want 0 items and its domain", c.Name, c.Items, c.Domains)
		}
	}
	if contacts, err := s.ClientContacts(ctx, 1); err != nil || !slices.Equal(contacts, []string{"megan@gmail.com"}) {
		t.Errorf("contacts kept: %v %v", contacts, err)
	}
	ex, err := s.Exclusions(ctx)
	if err != nil || !slices.Contains(ex, Exclusion{Kind: "domain", Value: "newsletter.example", Source: "user"}) {
		t.Errorf("the user's exclusion was not kept: %v", err)
	}
	streams, err := s.Streams(ctx, accts[0].ID)
	if err != nil || !slices.ContainsFunc(streams, func(st model.Stream) bool { return st.Kind == model.StreamDrive && st.Resource == "b!lib1" }) {
		t.Errorf("the library added has no stream to sync it: %+v %v", streams, err)
	}
	var mapped int
	if err := s.DB().QueryRow(`SELECT COUNT(*) FROM folder_mappings WHERE folder_id = 'folder-contoso' AND client_id = 1`).Scan(&mapped); err != nil || mapped != 1 {
		t.Errorf("the folder mapping was not kept: %d %v", mapped, err)
	}
	if set, err := s.SyncSettings(ctx, accts[0].ID, time.Now()); err != nil || set.HistoryDays != 180 {
		t.Errorf("the history setting was not kept: %+v %v", set, err)
	}
}

// A damaged page in the clients table loses the clients and what refers
// to them, and keeps the rest.
func TestStartAfreshSkipsWhatCannotBeRead(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rapport.db")
	handMade(t, path).overwrite(t, path)
	s, got := afresh(t, path)
	for _, table := range []string{"clients", "client_domains", "client_contacts", "folder_mappings"} {
		if !slices.Contains(got.Skipped, table) {
			t.Errorf("%s was not skipped (skipped: %v)", table, got.Skipped)
		}
	}
	if got.Rows["accounts"] != 1 || got.Rows["drives"] != 1 || got.Rows["sync_settings"] != 1 {
		t.Errorf("rows kept: %v, want the account, its library and its settings", got.Rows)
	}
	if cl, err := s.Clients(ctx); err != nil || len(cl) != 0 {
		t.Errorf("clients in the new store: %+v %v", cl, err)
	}
}

// A file of another schema version is not read.
func TestStartAfreshReadsOnlyItsOwnVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rapport.db")
	handMade(t, path)
	aside, err := SetAside(path, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	old, err := Open(aside)
	if err != nil {
		t.Fatal(err)
	}
	execAll(t, old.DB(), `PRAGMA user_version = 14`)
	old.Close()
	s := openTestAt(t, path)
	got, err := s.Salvage(context.Background(), aside)
	if err == nil || len(got.Rows) != 0 {
		t.Fatalf("salvage from another version: %v, copied %v", err, got.Rows)
	}
}
