package store

import (
	"context"
	"testing"
	"time"
)

// Migration 012 moves the mail facts to an index of mail links and the
// file instants to one of file links: a store written before it reads the
// same facts after it, each kind without the other's rows.
func TestMigration012ReadsEachKindFromItsOwnIndex(t *testing.T) {
	db, path := openAtVersion(t, 11)
	day := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if _, err := db.Exec(`INSERT INTO clients(id, name, created_at) VALUES (1, 'Contoso', 0)`); err != nil {
		t.Fatal(err)
	}
	for i, l := range []struct {
		kind, item, conv string
		flags            int
		at               time.Time
	}{
		{"mail", "m1", "T1", LinkFromClient, day},
		{"file", "7", "", 0, day.Add(time.Hour)},
		{"mail", "m2", "T1", LinkMine | LinkToClient, day.Add(2 * time.Hour)},
		{"meeting", "e1", "", LinkToClient, day.Add(3 * time.Hour)},
		{"file", "8", "", 0, day.Add(4 * time.Hour)},
	} {
		if _, err := db.Exec(`INSERT INTO links(client_id, kind, account_id, item_id, at, conv, imid, flags) VALUES (1, ?, 1, ?, ?, ?, ?, ?)`,
			l.kind, l.item, ms(l.at), l.conv, "<"+l.item+">", l.flags); err != nil {
			t.Fatalf("link %d: %v", i, err)
		}
	}
	s := upgrade(t, db, path)
	ctx := context.Background()
	mail, err := s.ClientMailFacts(ctx, 1, day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(mail) != 2 || mail[0].ItemID != "m1" || !mail[0].SenderIsClient || mail[0].Mine ||
		mail[1].ItemID != "m2" || !mail[1].Mine || !mail[1].ToClient || mail[1].ConvKey != textKey("T1") || mail[1].IMIDKey != textKey("<m2>") {
		t.Errorf("mail facts after the upgrade: %+v", mail)
	}
	files, _, err := s.ClientFileFacts(ctx, 1, day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || !files[0].Equal(day.Add(time.Hour)) || !files[1].Equal(day.Add(4*time.Hour)) {
		t.Errorf("file changes after the upgrade: %+v", files)
	}
	var cols int
	if err := s.DB().QueryRow(`SELECT COUNT(*) FROM pragma_index_info('links_timeline')`).Scan(&cols); err != nil || cols != 4 {
		t.Errorf("links_timeline has %d columns (%v), want its own 4 back", cols, err)
	}
}
