// Command schemaexp measures what issue 7's storage redesign would save:
// pages of 100 new messages (a row, 2-3 participants, a folder membership, a
// client link, a search document) written into two schemas — today's, keyed
// by Graph's random text ids, and one keyed by integer row ids — counting
// the WAL frames (4 KB pages) each commit writes and the time. Simplified
// tables (the columns that matter for the B-trees), same indexes.
//
//	go run -tags sqlite_fts5 ./tools/schemaexp
//
// Results are in docs/PERFORMANCE.md ("What is still missed").
package main

import (
	"database/sql"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	_ "github.com/mattn/go-sqlite3" // build with -tags sqlite_fts5
)

const textSchema = `
CREATE TABLE messages (account_id INTEGER NOT NULL, id TEXT NOT NULL, conversation_id TEXT, internet_message_id TEXT, subject TEXT,
  from_name TEXT, from_address TEXT, sent_at INTEGER, received_at INTEGER, direction TEXT, web_link TEXT, change_key TEXT,
  PRIMARY KEY (account_id, id)) WITHOUT ROWID;
CREATE INDEX messages_conversation ON messages(account_id, conversation_id);
CREATE TABLE message_folders (account_id INTEGER, message_id TEXT, folder_id TEXT, round_id INTEGER, PRIMARY KEY (account_id, message_id, folder_id)) WITHOUT ROWID;
CREATE INDEX message_folders_folder ON message_folders(account_id, folder_id, round_id);
CREATE TABLE participants (account_id INTEGER, message_id TEXT, ord INTEGER, role TEXT, name TEXT, address TEXT, domain TEXT,
  PRIMARY KEY (account_id, message_id, ord)) WITHOUT ROWID;
CREATE INDEX participants_address ON participants(address);
CREATE INDEX participants_domain ON participants(domain);
CREATE TABLE links (client_id INTEGER, kind TEXT, account_id INTEGER, item_id TEXT, at INTEGER, PRIMARY KEY (client_id, kind, account_id, item_id)) WITHOUT ROWID;
CREATE INDEX links_timeline ON links(client_id, at DESC, account_id DESC, item_id DESC);
CREATE INDEX links_item ON links(account_id, item_id);
CREATE TABLE search_docs (id INTEGER PRIMARY KEY, kind TEXT, account_id INTEGER, item_id TEXT, title TEXT, people TEXT, at INTEGER, UNIQUE (kind, account_id, item_id));
CREATE VIRTUAL TABLE search_fts USING fts5(title, people, content='search_docs', content_rowid='id');
`

const intSchema = `
CREATE TABLE messages (seq INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, id TEXT NOT NULL, conversation_id TEXT, internet_message_id TEXT, subject TEXT,
  from_name TEXT, from_address TEXT, sent_at INTEGER, received_at INTEGER, direction TEXT, web_link TEXT, change_key TEXT, UNIQUE (account_id, id));
CREATE INDEX messages_conversation ON messages(account_id, conversation_id);
CREATE TABLE message_folders (msg INTEGER, folder_id TEXT, round_id INTEGER, PRIMARY KEY (msg, folder_id)) WITHOUT ROWID;
CREATE INDEX message_folders_folder ON message_folders(folder_id, round_id, msg);
CREATE TABLE participants (msg INTEGER, ord INTEGER, role TEXT, name TEXT, address TEXT, domain TEXT, PRIMARY KEY (msg, ord)) WITHOUT ROWID;
CREATE INDEX participants_address ON participants(address, msg);
CREATE INDEX participants_domain ON participants(domain, msg);
CREATE TABLE links (client_id INTEGER, kind TEXT, item INTEGER, at INTEGER, PRIMARY KEY (client_id, kind, item)) WITHOUT ROWID;
CREATE INDEX links_timeline ON links(client_id, at DESC, item DESC);
CREATE INDEX links_item ON links(item);
CREATE TABLE search_docs (id INTEGER PRIMARY KEY, kind TEXT, item INTEGER, title TEXT, people TEXT, at INTEGER, UNIQUE (kind, item));
CREATE VIRTUAL TABLE search_fts USING fts5(title, people, content='search_docs', content_rowid='id');
`

func id(r *rand.Rand, prefix string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

func run(name, schema string, integer bool) {
	dir, _ := os.MkdirTemp("", "exp")
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "x.db")+"?_journal_mode=WAL&_synchronous=NORMAL&_cache_size=-65536")
	if err != nil {
		panic(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		panic(err)
	}
	if _, err := db.Exec("PRAGMA wal_autocheckpoint=0"); err != nil { // this run counts every page itself
		panic(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	seq := 0
	page := func() {
		tx, err := db.Begin()
		if err != nil {
			panic(err)
		}
		exec := func(q string, args ...any) sql.Result {
			res, err := tx.Exec(q, args...)
			if err != nil {
				panic(fmt.Sprintf("%s: %v", q, err))
			}
			return res
		}
		at := time.Now().Add(-time.Duration(r.IntN(90*24)) * time.Hour).UnixMilli()
		for i := 0; i < 100; i++ {
			seq++
			c := r.IntN(40)
			d := fmt.Sprintf("client%02d.com", c)
			mid := id(r, "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A", 30)
			conv := id(r, "AAQkADAwATM0MDAAMS1", 27)
			subj := fmt.Sprintf("Steering committee deck %d", seq)
			ps := [][3]string{{"from", "Megan Bowen", fmt.Sprintf("megan.bowen%d@%s", seq%7, d)}, {"to", "Avery Brooks", "avery@adatum.com"}}
			if i%3 == 0 {
				ps = append(ps, [3]string{"cc", "Jordan Lee", "jordan.lee@adatum.com"})
			}
			if integer {
				res := exec(`INSERT INTO messages(account_id, id, conversation_id, internet_message_id, subject, from_name, from_address, sent_at, received_at, direction, web_link, change_key) VALUES(1,?,?,?,?,?,?,?,?,'in',?,?)`,
					mid, conv, "<"+id(r, "", 15)+"@mail."+d+">", subj, "Megan Bowen", ps[0][2], at, at, "https://outlook.office365.com/owa/?ItemID="+mid+"&exvsurl=1", id(r, "CQAAABYAAAA", 21))
				m, _ := res.LastInsertId()
				for k, p := range ps {
					dom := p[2][len(p[2])-len(d):]
					exec(`INSERT INTO participants VALUES(?,?,?,?,?,?)`, m, k, p[0], p[1], p[2], dom)
				}
				exec(`INSERT INTO message_folders VALUES(?, 'INBOX', 1)`, m)
				exec(`INSERT INTO links VALUES(?, 'mail', ?, ?)`, c, m, at)
				res = exec(`INSERT INTO search_docs(kind, item, title, people, at) VALUES('mail', ?, ?, ?, ?)`, m, subj, "Megan Bowen Avery Brooks", at)
				sid, _ := res.LastInsertId()
				exec(`INSERT INTO search_fts(rowid, title, people) VALUES(?,?,?)`, sid, subj, "Megan Bowen Avery Brooks")
			} else {
				exec(`INSERT INTO messages VALUES(1,?,?,?,?,?,?,?,?,'in',?,?)`,
					mid, conv, "<"+id(r, "", 15)+"@mail."+d+">", subj, "Megan Bowen", ps[0][2], at, at, "https://outlook.office365.com/owa/?ItemID="+mid+"&exvsurl=1", id(r, "CQAAABYAAAA", 21))
				for k, p := range ps {
					dom := p[2][len(p[2])-len(d):]
					exec(`INSERT INTO participants VALUES(1,?,?,?,?,?,?)`, mid, k, p[0], p[1], p[2], dom)
				}
				exec(`INSERT INTO message_folders VALUES(1, ?, 'INBOX', 1)`, mid)
				exec(`INSERT INTO links VALUES(?, 'mail', 1, ?, ?)`, c, mid, at)
				res := exec(`INSERT INTO search_docs(kind, account_id, item_id, title, people, at) VALUES('mail', 1, ?, ?, ?, ?)`, mid, subj, "Megan Bowen Avery Brooks", at)
				sid, _ := res.LastInsertId()
				exec(`INSERT INTO search_fts(rowid, title, people) VALUES(?,?,?)`, sid, subj, "Megan Bowen Avery Brooks")
			}
		}
		if err := tx.Commit(); err != nil {
			panic(err)
		}
	}
	for i := 0; i < 200; i++ { // a mailbox of 20,000 messages first
		page()
	}
	var busy, logf, ck int
	db.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logf, &ck)
	total := 0
	t0 := time.Now()
	for i := 0; i < 20; i++ {
		page()
		db.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logf, &ck)
		total += logf
		db.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &ck, &ck)
	}
	el := time.Since(t0)
	fmt.Printf("%-8s WAL frames per page of 100: %d   (20 pages incl. checkpoints: %v)\n", name, total/20, el.Round(time.Millisecond))
}

func main() {
	run("text", textSchema, false)
	run("integer", intSchema, true)
	run("text", textSchema, false)
	run("integer", intSchema, true)
}
