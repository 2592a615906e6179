package store

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

// Migration 015 replaces the ids a mail link carried with their keys, and
// finds the user's sent mail by its conversation's key: a store written
// before it gives the same facts after it, a reply of the user's is still
// found in its conversation, and a message with no conversation stays in
// none.
func TestMigration015KeysTheThreadsOfStoredMail(t *testing.T) {
	db, path := openAtVersion(t, 14)
	day := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	at := func(h int) string { return strconv.FormatInt(ms(day.Add(time.Duration(h)*time.Hour)), 10) }
	execAll(t, db,
		`INSERT INTO accounts(id, upn, added_at) VALUES(1, 'me@adatum.com', 0)`,
		`INSERT INTO clients(id, name, created_at) VALUES(1, 'Contoso', 0)`,
		`INSERT INTO messages(account_id, id, conversation_id, internet_message_id, subject, direction, sent_at, received_at) VALUES
			(1, 'm1', 'AAQk-T1', '<m1@contoso.com>', 'Budget', 'in', `+at(0)+`, `+at(0)+`),
			(1, 'm2', 'AAQk-T1', '<m2@adatum.com>', 'RE: Budget', 'out', `+at(2)+`, `+at(2)+`),
			(1, 'm3', '', '', 'No thread', 'in', `+at(3)+`, `+at(3)+`),
			(1, 'm4', 'AAQk-T2', '<m4@adatum.com>', 'Colleague only', 'out', `+at(4)+`, `+at(4)+`)`,
		`INSERT INTO links(client_id, kind, account_id, item_id, at, conv, imid, flags) VALUES
			(1, 'mail', 1, 'm1', `+at(0)+`, 'AAQk-T1', '<m1@contoso.com>', 2),
			(1, 'mail', 1, 'm2', `+at(2)+`, 'AAQk-T1', '<m2@adatum.com>', 5),
			(1, 'mail', 1, 'm3', `+at(3)+`, '', '', 2),
			(1, 'meeting', 1, 'e1', `+at(5)+`, '', '', 4)`,
	)
	s := upgrade(t, db, path)
	ctx := context.Background()
	mail, err := s.ClientMailFacts(ctx, 1, day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	type fact struct {
		item       string
		conv, imid int64
		mine       bool
	}
	var got []fact
	for _, f := range mail {
		got = append(got, fact{f.ItemID, f.ConvKey, f.IMIDKey, f.Mine})
	}
	t1 := textKey("AAQk-T1")
	want := []fact{{"m1", t1, textKey("<m1@contoso.com>"), false}, {"m2", t1, textKey("<m2@adatum.com>"), true}, {"m3", 0, 0, false}}
	if !reflect.DeepEqual(got, want) || t1 == 0 || textKey("<m1@contoso.com>") == textKey("<m2@adatum.com>") {
		t.Errorf("mail facts after the upgrade:\n got %+v\nwant %+v", got, want)
	}
	// The sent mail of each thread asked about, linked (m2) or not (m4).
	sent, err := s.SentInConversations(ctx, []int64{textKey("AAQk-T2"), t1}, day)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(sent, func(a, b SentFact) int { return a.Conv - b.Conv })
	if len(sent) != 2 || sent[0].Conv != 0 || !sent[0].At.Equal(day.Add(4*time.Hour)) ||
		sent[1].Conv != 1 || !sent[1].At.Equal(day.Add(2*time.Hour)) {
		t.Errorf("sent mail in T2 and T1 after the upgrade: %+v", sent)
	}
	var cols []string
	if cols, err = queryColumn[string](ctx, s.db, `SELECT name FROM pragma_table_info('links') WHERE name IN ('conv', 'imid', 'conv_key', 'imid_key') ORDER BY name`); err != nil ||
		!reflect.DeepEqual(cols, []string{"conv_key", "imid_key"}) {
		t.Errorf("links' thread columns after the upgrade: %v (%v)", cols, err)
	}
	var meeting int64
	if err := s.db.QueryRow(`SELECT conv_key + imid_key FROM links WHERE kind = 'meeting'`).Scan(&meeting); err != nil || meeting != 0 {
		t.Errorf("a meeting's link has keys %d (%v)", meeting, err)
	}
}
