package app

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"rapport/backend/store"
)

// The query figures: a client's timeline, its insights and a search, over
// the synced store or, with --items-1m, over the store grown to a million
// timeline items with synthetic rows of realistic width. Also the raw
// SQLite insert rate that ingest is compared with.

// ---- raw SQLite ----------------------------------------------------------

// rawRow is one row of the width of a stored message.
type rawRow struct {
	id, conv, imid, subject, fromName, fromAddr, web, changeKey string
	sent, recv                                                  int64
	dir                                                         string
	read, att                                                   bool
}

// fillRawRows fills rows with random rows received in the 90 days before
// now (ms).
func fillRawRows(r *rand.Rand, now int64, rows []rawRow) {
	for i := range rows {
		id := "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A" + randB64(r, 30) + "AAA="
		rows[i] = rawRow{
			id: id, conv: "AAQkADAwATM0MDAAMS1" + randB64(r, 27) + "=", imid: "<" + randB64(r, 15) + "@mail.contoso.com>",
			subject: benchSubjects[r.IntN(len(benchSubjects))], fromName: "Megan Bowen", fromAddr: "megan.bowen@contoso.com",
			web:       "https://outlook.office365.com/owa/?ItemID=" + id + "&exvsurl=1&viewmodel=ReadMessageItem",
			changeKey: "CQAAABYAAAA" + randB64(r, 21), sent: now - r.Int64N(90*864e5), dir: "in", read: r.IntN(2) == 0,
		}
		rows[i].recv = rows[i].sent + 2000
	}
}

func randB64(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// rawInsertRate inserts n message-wide rows into one table of a fresh
// database opened exactly as the store opens its own (store.Open: same
// file mode, WAL, synchronous=NORMAL, foreign keys, immediate
// transactions), one transaction and one prepared statement per batch of
// rows — the commit granularity a page of the sync has. Only the
// transactions are timed, and each batch's rows are made just before it:
// the 83,000 rows of the heavy tenant made up front were 40 MB of live heap
// beside the ingest's store and simulator, under the app's 128 MB soft
// limit, and the collector then ran back to back through the inserts
// (gctrace: a collection every 30 ms), which put the figure at ~22,000
// rows/s instead of ~36,000 (docs/PERFORMANCE.md §39).
func rawInsertRate(ctx context.Context, dir string, n, batch int) (float64, error) {
	st, err := store.Open(filepath.Join(dir, "raw.db"))
	if err != nil {
		return 0, err
	}
	defer st.Close()
	db := st.DB()
	if _, err := db.ExecContext(ctx, `CREATE TABLE raw_messages (
		account_id INTEGER NOT NULL, id TEXT NOT NULL COLLATE BINARY, conversation_id TEXT NOT NULL, internet_message_id TEXT NOT NULL,
		subject TEXT NOT NULL, from_name TEXT NOT NULL, from_address TEXT NOT NULL, sent_at INTEGER NOT NULL, received_at INTEGER NOT NULL,
		direction TEXT NOT NULL, is_read INTEGER NOT NULL, has_attachments INTEGER NOT NULL, categories TEXT NOT NULL,
		web_link TEXT NOT NULL, change_key TEXT NOT NULL, PRIMARY KEY (account_id, id)) WITHOUT ROWID`); err != nil {
		return 0, err
	}
	r := rand.New(rand.NewPCG(7, 7))
	now := time.Now().UnixMilli()
	buf := make([]rawRow, batch)
	var spent time.Duration
	for off := 0; off < n; off += batch {
		rows := buf[:min(batch, n-off)]
		fillRawRows(r, now, rows)
		t0 := time.Now()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO raw_messages VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			tx.Rollback()
			return 0, err
		}
		for _, r := range rows {
			if _, err := ins.ExecContext(ctx, 1, r.id, r.conv, r.imid, r.subject, r.fromName, r.fromAddr, r.sent, r.recv, r.dir,
				r.read, r.att, "", r.web, r.changeKey); err != nil {
				tx.Rollback()
				return 0, err
			}
		}
		ins.Close()
		if err := tx.Commit(); err != nil {
			return 0, err
		}
		spent += time.Since(t0)
	}
	return float64(n) / spent.Seconds(), nil
}

var benchSubjects = []string{"Q3 plan — budget question", "SOW v2 for review", "Data platform migration — status", "Steering committee deck",
	"Workshop follow-up: next steps", "Risk register update", "Invoice INV-4312", "Weekly status — week 37", "Quick question",
	"Contract renewal 2027", "Dashboard mock-ups", "Final report v3", "Security review questionnaire", "Go-live checklist",
	"Roadmap for next quarter", "Pilot results deck", "Change request CR-14", "Interview schedule", "Board pack draft"}

// ---- phase 3: query figures ---------------------------------------------

const (
	benchTimelineRuns = 300
	benchQueryRuns    = 20
	items1M           = 1_000_000
)

func benchQueryPhase(ctx context.Context, o benchOptions, env *benchEnv, rep *benchReport) error {
	db := env.app.st().DB()
	if o.Items1M {
		o.progress("growing the store to %d timeline items (synthetic rows)", items1M)
		if err := growStore(ctx, db, env.acct.ID, items1M, 0); err != nil {
			return fmt.Errorf("grow the store: %w", err)
		}
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM links`).Scan(&rep.Items); err != nil {
		return err
	}
	var clientID int64
	var clientItems int
	if err := db.QueryRowContext(ctx, `SELECT client_id, COUNT(*) FROM links GROUP BY client_id ORDER BY 2 DESC LIMIT 1`).
		Scan(&clientID, &clientItems); err != nil {
		return fmt.Errorf("no client has a timeline: %w", err)
	}
	if o.Items1M {
		// What a long-lived store has had time to do: statistics, and the
		// search documents of the grown rows (a search flushes them first).
		if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
			return err
		}
		o.progress("indexing the grown rows for search")
		if _, err := env.app.Search("warm-up", 1); err != nil {
			return err
		}
	}
	if err := settle(ctx, db); err != nil {
		return err
	}
	o.progress("timeline, insights and search over %d items (client with %d)", rep.Items, clientItems)
	a := env.app
	var tl []float64
	for i := 0; i < 20+benchTimelineRuns; i++ {
		t0 := time.Now()
		p, err := a.Timeline(clientID, "", 100)
		if err != nil {
			return err
		}
		if len(p.Items) == 0 {
			return fmt.Errorf("bench: client %d has an empty timeline", clientID)
		}
		if i >= 20 {
			tl = append(tl, float64(time.Since(t0))/float64(time.Millisecond))
		}
	}
	rep.Result.TimelineP50Ms = percentile(tl, 50)
	rep.Result.TimelineP99Ms = percentile(tl, 99)

	// Every figure of the client's page (App.ClientInsights: volume,
	// reply latencies, meeting cadence and hours, file activity, attention).
	ins, err := timeRuns(benchQueryRuns, func() error { _, err := a.ClientInsights(clientID, 0); return err })
	if err != nil {
		return fmt.Errorf("insights: %w", err)
	}
	rep.Result.InsightsMs = ins

	// The global search, first 50 hits, words a consultant would type.
	terms := []string{"budget", "review", "invoice", "status", "steering deck", "renewal", "megan", "roadmap", "pilot", "workshop notes"}
	k := 0
	srch, err := timeRuns(benchQueryRuns, func() error {
		k++
		_, err := a.Search(terms[k%len(terms)], 50)
		return err
	})
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	rep.Result.SearchMs = srch
	return nil
}

// timeRuns runs fn n times after one warm-up and returns the median in ms.
func timeRuns(n int, fn func() error) (float64, error) {
	if err := fn(); err != nil {
		return 0, err
	}
	var ms []float64
	for i := 0; i < n; i++ {
		t0 := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		ms = append(ms, float64(time.Since(t0))/float64(time.Millisecond))
	}
	return median(ms), nil
}

// ---- growing the store to 1M items ----------------------------------------

// growStore adds synthetic mail (messages, their participants and client
// links, as a sync would have written them) until the store holds target
// timeline items — or, with onlyClient, until that client does. The
// clients are the store's, weighted like the heavy tenant's (a few big
// ones, a long tail); times spread over three years.
func growStore(ctx context.Context, db *sql.DB, accountID int64, target int, onlyClient int64) error {
	var have int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM links WHERE ?1 = 0 OR client_id = ?1`, onlyClient).Scan(&have); err != nil {
		return err
	}
	type client struct {
		id     int64
		domain string
	}
	var cs []client
	rows, err := db.QueryContext(ctx, `SELECT c.id, MIN(d.domain) FROM clients c JOIN client_domains d ON d.client_id = c.id
		WHERE ?1 = 0 OR c.id = ?1 GROUP BY c.id ORDER BY c.id`, onlyClient)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c client
		if err := rows.Scan(&c.id, &c.domain); err != nil {
			rows.Close()
			return err
		}
		cs = append(cs, c)
	}
	rows.Close()
	if len(cs) == 0 {
		return fmt.Errorf("no clients")
	}
	var me string
	if err := db.QueryRowContext(ctx, `SELECT upn FROM accounts WHERE id = ?`, accountID).Scan(&me); err != nil {
		return err
	}
	weights := make([]float64, len(cs))
	acc := 0.0
	for i := range cs {
		acc += 1 / float64(i+1)
		weights[i] = acc
	}
	r := rand.New(rand.NewPCG(11, 13))
	now := time.Now().UnixMilli()
	const batch = 25000
	for have < target {
		n := min(batch, target-have)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		// text_key is the store's (store/text_keys.go), as its mail pages
		// and links compute it.
		msg, err1 := tx.PrepareContext(ctx, `INSERT INTO messages(account_id, id, conversation_id, internet_message_id, subject, from_name,
			from_address, sent_at, received_at, direction, is_read, has_attachments, categories, web_link, change_key, conv_key)
			VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,'',?13,?14,text_key(?3))`)
		part, err2 := tx.PrepareContext(ctx, `INSERT INTO participants(account_id, message_id, ord, role, name, address, domain) VALUES(?,?,?,?,?,?,?)`)
		link, err3 := tx.PrepareContext(ctx, `INSERT INTO links(client_id, kind, account_id, item_id, at, conv_key, imid_key, flags)
			VALUES(?, 'mail', ?, ?, ?, text_key(?), text_key(?), ?)`)
		if err := firstErr(err1, err2, err3); err != nil {
			tx.Rollback()
			return err
		}
		// Threads of three messages (in, out, in…) with one client, each a
		// few hours after the one before, threads starting anywhere in three
		// years. (Until issue 7's third session every message had its own
		// client and time: a "thread" spanned years and clients, which no
		// mailbox has, and made a client's 90-day insights read three times
		// the messages a real one would.)
		var conv string
		var c client
		var at int64
		var first, last string
		for i := 0; i < n; i++ {
			if i%3 == 0 {
				conv = "AAQkADAwATM0MDAAMS1" + randB64(r, 27) + "="
				first, last = heavyFirstNames[r.IntN(len(heavyFirstNames))], heavyLastNames[r.IntN(len(heavyLastNames))]
				c = cs[sort.SearchFloat64s(weights, r.Float64()*acc)%len(cs)]
				at = now - r.Int64N(3*365*864e5)
			} else {
				at = min(now, at+r.Int64N(48*36e5))
			}
			id := "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A" + randB64(r, 30) + "AAA="
			contact := strings.ToLower(first+"."+last) + "@" + c.domain
			name := first + " " + last
			dir, fromName, fromAddr := "in", name, contact
			if i%2 == 1 {
				dir, fromName, fromAddr = "out", "Avery Brooks", me
			}
			subject := benchSubjects[r.IntN(len(benchSubjects))]
			imid := "<" + randB64(r, 15) + "@mail." + c.domain + ">"
			if _, err := msg.ExecContext(ctx, accountID, id, conv, imid, subject, fromName, fromAddr,
				at-2000, at, dir, true, r.IntN(10) == 0,
				"https://outlook.office365.com/owa/?ItemID="+id+"&exvsurl=1&viewmodel=ReadMessageItem", "CQAAABYAAAA"+randB64(r, 21)); err != nil {
				tx.Rollback()
				return err
			}
			myDomain := me[strings.LastIndexByte(me, '@')+1:]
			ps := [][3]string{{"from", fromName, fromAddr}, {"to", name, contact}}
			if dir == "in" {
				ps[1] = [3]string{"to", "Avery Brooks", me}
			}
			if r.IntN(3) == 0 {
				ps = append(ps, [3]string{"cc", "Jordan Lee", "jordan.lee@" + myDomain})
			}
			for k, p := range ps {
				d := p[2][strings.LastIndexByte(p[2], '@')+1:]
				if _, err := part.ExecContext(ctx, accountID, id, k, p[0], p[1], p[2], d); err != nil {
					tx.Rollback()
					return err
				}
			}
			flags := store.LinkFromClient // the rules' verdict: the client wrote, or the user wrote to it
			if dir == "out" {
				flags = store.LinkMine | store.LinkToClient
			}
			if _, err := link.ExecContext(ctx, c.id, accountID, id, at, conv, imid, flags); err != nil {
				tx.Rollback()
				return err
			}
		}
		msg.Close()
		part.Close()
		link.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
		have += n
		if ctx.Err() != nil {
			return errBenchInterrupted
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

var heavyFirstNames = []string{"Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Elena", "Marco", "Sofia", "Lukas",
	"Hannah", "Noah", "Emma", "Liam", "Olivia", "Mateo", "Yuki", "Priya", "Omar", "Fatima", "Jonas", "Ingrid"}

var heavyLastNames = []string{"Smith", "Johnson", "Brown", "Garcia", "Schmidt", "Dubois", "Martin", "Rossi", "Nakamura", "Patel",
	"Haddad", "Kowalski", "Jansen", "Larsen", "Murphy", "Kim", "Chen", "Silva", "Novak", "Fischer", "Weber", "Costa"}

// settle brings the process to the state a long-lived app is in when it
// next reads or polls, before a timed phase: the store's WAL copied back
// into the database (otherwise the background checkpoint of the rows just
// written — hundreds of MB after growing the store — runs during the timed
// work and competes for the disk and the two cores), and the garbage of
// the setup collected, as `go test -bench` does before each benchmark
// (otherwise the collector sweeps it during the timed work, and the app
// never holds a simulator's or a million synthetic rows' garbage).
func settle(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	runtime.GC()
	return nil
}
