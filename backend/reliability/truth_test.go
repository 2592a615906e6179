package reliability_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"rapport/backend/clients"
	"rapport/backend/graphsim"
	"rapport/backend/model"
	"rapport/backend/store"
)

const cliClientID = "11111111-2222-3333-4444-555555555555"

// scenario is the seeded tenant the suites run against: issue 7's heavy
// tenant ("small" size) when this build has it, else the demo tenant.
func scenario() string {
	if s := os.Getenv("RAPPORT_RELIABILITY_SCENARIO"); s != "" {
		return s
	}
	if _, err := graphsim.New(graphsim.Options{Scenario: "small"}); err == nil {
		return "small"
	}
	return "demo"
}

// tenant is a simulator in this process and a data directory that the
// rapport binary, run as a child process, signs in to and syncs.
type tenant struct {
	sim  *graphsim.Server
	env  []string
	data string
	log  string // every child's stdout and stderr, appended
}

func newTenant(t *testing.T, opts graphsim.Options) *tenant {
	t.Helper()
	if opts.Scenario == "" {
		opts.Scenario = scenario()
	}
	sim, err := graphsim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := sim.WriteCACert(ca); err != nil {
		t.Fatal(err)
	}
	return &tenant{sim: sim, data: filepath.Join(dir, "data"), log: filepath.Join(dir, "output.log"), env: []string{
		"RAPPORT_AUTHORITY=" + sim.AuthorityURL(), "RAPPORT_GRAPH_URL=" + sim.GraphURL(), "SSL_CERT_FILE=" + ca,
		"RAPPORT_CLIENT_ID=" + cliClientID, "RAPPORT_BROWSER=" + binPath + " sim browse",
	}}
}

func (tn *tenant) dbPath() string { return filepath.Join(tn.data, "rapport.db") }

// run runs a rapport command on the tenant's data directory to its end.
func (tn *tenant) run(t *testing.T, timeout time.Duration, args ...string) int {
	t.Helper()
	return runCLI(t, tn.env, tn.log, timeout, append([]string{"--data-dir", tn.data}, args...)...)
}

func (tn *tenant) mustRun(t *testing.T, args ...string) {
	t.Helper()
	if code := tn.run(t, 2*time.Minute, args...); code != 0 {
		t.Fatalf("rapport %s: exit %d\n%s", strings.Join(args, " "), code, tail(readLog(t, tn.log), 3000))
	}
}

// start starts a long-running rapport command (sync, serve).
func (tn *tenant) start(t *testing.T, extraEnv []string, args ...string) *child {
	t.Helper()
	return startChild(t, append(append([]string{}, tn.env...), extraEnv...), tn.log, append([]string{"--data-dir", tn.data}, args...)...)
}

// syncUntilClean runs `rapport sync --once` until it succeeds n times in
// a row (at most 3n+3 tries) and returns the error lines of the passes
// that failed — a stream can fail transiently (and is retried by the next
// pass), which the suites report rather than hide.
func (tn *tenant) syncUntilClean(t *testing.T, n int) []string {
	t.Helper()
	var failed []string
	clean := 0
	for tries := 0; clean < n; tries++ {
		if tries > 3*n+3 {
			t.Fatalf("no %d clean passes in a row in %d tries: %q\n%s", n, tries, failed, tail(readLog(t, tn.log), 3000))
		}
		before := len(readLog(t, tn.log))
		if code := tn.run(t, 3*time.Minute, "sync", "--once"); code != 0 {
			clean = 0
			msg := fmt.Sprintf("exit %d", code)
			for _, l := range strings.Split(readLog(t, tn.log)[before:], "\n") {
				if strings.HasPrefix(l, "rapport sync:") {
					msg = l
				}
			}
			failed = append(failed, msg)
			continue
		}
		clean++
	}
	return failed
}

// files says whether the suites sign in with the OneDrive and SharePoint
// scopes too (issue 5), so drive items are synced and compared:
// RAPPORT_RELIABILITY_FILES=0 leaves them out.
func files() bool { return os.Getenv("RAPPORT_RELIABILITY_FILES") != "0" }

// setUp signs in with the real command line and adds the tenant's clients.
func (tn *tenant) setUp(t *testing.T) {
	t.Helper()
	if files() {
		tn.mustRun(t, "account", "add", "--files")
	} else {
		tn.mustRun(t, "account", "add")
	}
	for _, c := range tn.sim.DemoClients() {
		args := []string{"clients", "add", c.Name}
		for _, d := range c.Domains {
			args = append(args, "--domain", d)
		}
		tn.mustRun(t, args...)
	}
}

// ---- the store against the truth ----

// tally is what a comparison covered.
type tally struct{ messages, events, links, files int }

func (a *tally) add(b tally) {
	a.messages += b.messages
	a.events += b.events
	a.links += b.links
	a.files += b.files
}

type link struct {
	client int64
	kind   string
	item   string
	at     int64
}

func (l link) String() string { return fmt.Sprintf("%d/%s/%.24s@%d", l.client, l.kind, l.item, l.at) }

// compareTruth checks, item by item, that the store holds exactly what the
// simulator holds: every message of a synced folder inside its stream's
// window and every meeting inside its calendar's window (internal-only
// ones excepted, as DESIGN §3 says), with their current properties, and
// exactly the client links the domain rule gives them.
func compareTruth(t *testing.T, sim *graphsim.Server, dbPath string) tally {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acct, err := st.AccountByUPN(ctx, sim.User().UPN)
	if err != nil {
		t.Fatal(err)
	}
	mb := clients.MailboxFor(acct)
	streams, err := st.Streams(ctx, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	mailWindow := map[string]time.Time{}
	calWindow := map[string][2]time.Time{}
	for _, s := range streams {
		switch s.Kind {
		case model.StreamMail:
			mailWindow[s.Resource] = s.WindowStart
		case model.StreamCalendar:
			calWindow[s.Resource] = [2]time.Time{s.WindowStart, s.WindowEnd}
		}
	}

	// Folders Rapport leaves out by default, with their subfolders.
	skip := map[string]bool{}
	folders := sim.Folders()
	for _, f := range folders {
		switch f.WellKnown {
		case "junkemail", "drafts", "outbox", "conversationhistory", "syncissues":
			skip[f.ID] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, f := range folders {
			if skip[f.ParentFolderID] && !skip[f.ID] {
				skip[f.ID], changed = true, true
			}
		}
	}
	wantMsgs := map[string]model.MailRecord{}
	for _, m := range sim.Messages() {
		if skip[m.ParentFolderID] {
			continue
		}
		w, ok := mailWindow[m.ParentFolderID]
		if !ok {
			t.Fatalf("folder %s holds message %s but has no stream", m.ParentFolderID, m.ID)
		}
		if m.ReceivedAt.Before(w) {
			continue
		}
		if rec, keep := mb.Classify(m); keep {
			wantMsgs[m.ID] = rec
		}
	}
	synced := map[string]bool{}
	for _, c := range sim.Calendars() {
		if c.IsDefault || c.CanEdit {
			synced[c.ID] = true
		}
	}
	wantEvents := map[string]model.EventRecord{}
	for _, e := range sim.Events() {
		if !synced[e.CalendarID] {
			continue
		}
		w, ok := calWindow[e.CalendarID]
		if !ok {
			t.Fatalf("calendar %s has no stream", e.CalendarID)
		}
		if !e.Start.Before(w[1]) || !e.End.After(w[0]) {
			continue
		}
		if rec, keep := mb.ClassifyEvent(e); keep {
			wantEvents[e.ID] = rec
		}
	}

	gotIDs, err := st.MessageIDs(ctx, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameIDs(t, "messages", keys(wantMsgs), gotIDs)
	for id, want := range wantMsgs {
		got, err := st.Message(ctx, acct.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Subject != want.Subject || got.ConversationID != want.ConversationID || got.InternetMessageID != want.InternetMessageID ||
			!strings.EqualFold(got.From.Address, want.From.Address) || !got.ReceivedAt.Equal(want.ReceivedAt.Truncate(time.Millisecond)) ||
			!got.SentAt.Equal(want.SentAt.Truncate(time.Millisecond)) || got.Direction != want.Direction || got.IsRead != want.IsRead ||
			got.ChangeKey != want.ChangeKey || got.WebLink != want.WebLink || strings.Join(got.Categories, ",") != strings.Join(want.Categories, ",") ||
			participantsKey(got.Participants) != participantsKey(want.Participants) {
			t.Fatalf("message %s differs:\nstore: %+v\ntruth: %+v", id, got, want)
		}
	}
	gotEv, err := st.EventIDs(ctx, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSameIDs(t, "events", keys(wantEvents), gotEv)
	for id, want := range wantEvents {
		got, err := st.Event(ctx, acct.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		e := want.Event
		if got.Subject != e.Subject || !got.Start.Equal(e.Start) || !got.End.Equal(e.End) || got.IsAllDay != e.IsAllDay ||
			got.StartDate != e.StartDate || got.EndDate != e.EndDate || got.IsCancelled != e.IsCancelled || got.Type != e.Type ||
			got.SeriesMasterID != e.SeriesMasterID || got.CalendarID != e.CalendarID || got.ChangeKey != e.ChangeKey ||
			participantsKey(got.Participants) != participantsKey(want.Participants) {
			t.Fatalf("event %s differs:\nstore: %+v\ntruth: %+v", id, got.Event, e)
		}
	}

	// Links: the domain rule over the truth, with the clients the store has.
	owners := map[string][]int64{}
	rows, err := st.DB().QueryContext(ctx, `SELECT client_id, domain FROM client_domains`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var d string
		if err := rows.Scan(&id, &d); err != nil {
			t.Fatal(err)
		}
		owners[d] = append(owners[d], id)
	}
	rows.Close()
	want := map[link]bool{}
	ruleLinks := func(kind, item string, at time.Time, ps []model.Participant) {
		for _, p := range ps {
			if o := owners[p.Domain]; len(o) == 1 {
				want[link{o[0], kind, item, at.UnixMilli()}] = true
			}
		}
	}
	for id, r := range wantMsgs {
		at := r.ReceivedAt
		if r.Direction == model.DirectionOut && !r.SentAt.IsZero() {
			at = r.SentAt
		}
		if at.IsZero() {
			at = r.SentAt
		}
		ruleLinks(model.KindMail, id, at, r.Participants)
	}
	for id, r := range wantEvents {
		ruleLinks(model.KindMeeting, id, r.Start, r.Participants)
	}
	got := map[link]bool{}
	rows, err = st.DB().QueryContext(ctx, `SELECT client_id, kind, item_id, at FROM links WHERE account_id=? AND kind IN ('mail','meeting')`, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.client, &l.kind, &l.item, &l.at); err != nil {
			t.Fatal(err)
		}
		got[l] = true
	}
	rows.Close()
	var missing, extra []string
	for l := range want {
		if !got[l] {
			missing = append(missing, l.String())
		}
	}
	for l := range got {
		if !want[l] {
			extra = append(extra, l.String())
		}
	}
	if len(missing)+len(extra) > 0 {
		sort.Strings(missing)
		sort.Strings(extra)
		t.Fatalf("links: %d in the store, %d by the rule\nmissing: %v\nextra: %v", len(got), len(want), first(missing, 5), first(extra, 5))
	}
	if len(wantMsgs) == 0 || len(wantEvents) == 0 || len(want) == 0 {
		t.Fatalf("nothing compared: %d messages, %d events, %d links", len(wantMsgs), len(wantEvents), len(want))
	}
	files := compareDrives(t, sim, st, acct.ID)
	return tally{messages: len(wantMsgs), events: len(wantEvents), links: len(want), files: files}
}

// compareDrives checks every drive the store syncs (issue 5) against the
// simulator: the same live items, each with its parent, name and size. It
// returns how many items it compared (0 when the account syncs no drive).
func compareDrives(t *testing.T, sim *graphsim.Server, st *store.Store, accountID int64) int {
	t.Helper()
	ctx := context.Background()
	drives, err := st.Drives(ctx, accountID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range drives {
		truth, err := sim.DriveItems(d.GraphID, d.RootID)
		if err != nil {
			t.Fatalf("drive %s (%s): %v", d.Name, d.GraphID, err)
		}
		stored, err := st.DriveItems(ctx, accountID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]store.StoredDriveItem{}
		for _, it := range stored {
			if it.DeletedAt == nil {
				got[strings.ToLower(it.ID)] = it
			}
		}
		wantIDs := make([]string, 0, len(truth))
		for _, it := range truth {
			wantIDs = append(wantIDs, strings.ToLower(it.ID))
		}
		assertSameIDs(t, "drive "+d.Name, wantIDs, keys(got))
		for _, it := range truth {
			g := got[strings.ToLower(it.ID)]
			if it.Root {
				continue
			}
			if g.Name != it.Name || !strings.EqualFold(g.ParentID, it.ParentID) || g.IsFolder != it.Folder || (!it.Folder && g.Size != it.Size) {
				t.Fatalf("drive %s item %s differs:\nstore: %+v\ntruth: %+v", d.Name, it.ID, g.DriveItem, it)
			}
		}
		n += len(truth)
	}
	return n
}

func participantsKey(ps []model.Participant) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s|%s|%s|%s;", p.Role, p.Name, p.Address, p.Domain)
	}
	return b.String()
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func first(v []string, n int) []string {
	if len(v) > n {
		return append(v[:n:n], fmt.Sprintf("… %d more", len(v)-n))
	}
	return v
}

func assertSameIDs(t *testing.T, what string, want, got []string) {
	t.Helper()
	in := func(v []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range v {
			m[x] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var missing, extra []string
	for x := range w {
		if !g[x] {
			missing = append(missing, x)
		}
	}
	for x := range g {
		if !w[x] {
			extra = append(extra, x)
		}
	}
	if len(missing)+len(extra) > 0 || len(got) != len(g) {
		t.Fatalf("%s: store %d (%d distinct), truth %d\nmissing: %v\nextra: %v", what, len(got), len(g), len(w), first(missing, 5), first(extra, 5))
	}
}

// ---- structural checks that hold after any crash ----

func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000&_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

// checkKeep checks the copy of what the user made beside the store
// (store/keep.go) after a kill: whole, of the store's version, with the
// tables Start afresh reads, however the kill fell. It returns when the
// half-written copy lying beside it (to be replaced next time) was last
// written, or the zero time if there is none.
func checkKeep(t *testing.T, path string) time.Time {
	t.Helper()
	keep := path + ".keep"
	if _, err := os.Stat(keep); err != nil {
		t.Fatalf("no copy of what the user made beside the store: %v", err)
	}
	db, err := sql.Open("sqlite3", "file:"+keep+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("the copy's integrity_check: %q %v", res, err)
	}
	var version, storeVersion, sums int
	_ = db.QueryRow(`PRAGMA user_version`).Scan(&version)
	store := openRaw(t, path)
	_ = store.QueryRow(`PRAGMA user_version`).Scan(&storeVersion)
	store.Close()
	if err := db.QueryRow(`SELECT COUNT(*) FROM kept`).Scan(&sums); err != nil || sums != 1 || version != storeVersion {
		t.Fatalf("the copy: %d hashes (%v), version %d, the store's %d", sums, err, version, storeVersion)
	}
	for _, table := range []string{"accounts", "clients", "client_domains", "folder_mappings", "sync_settings"} {
		if _, err := db.Exec(`SELECT COUNT(*) FROM ` + table); err != nil {
			t.Fatalf("the copy lacks %s: %v", table, err)
		}
	}
	if info, err := os.Stat(keep + ".tmp"); err == nil {
		return info.ModTime()
	}
	return time.Time{}
}

// keptAsStored checks that, after a command that ended cleanly, the copy
// holds the store's clients and folder mappings.
func keptAsStored(t *testing.T, path string) {
	t.Helper()
	read := func(db *sql.DB) string {
		var clients, mappings string
		_ = db.QueryRow(`SELECT COALESCE(group_concat(id || '=' || name, ','), '') FROM (SELECT id, name FROM clients ORDER BY id)`).Scan(&clients)
		_ = db.QueryRow(`SELECT COUNT(*) || ' mappings' FROM folder_mappings`).Scan(&mappings)
		return clients + "; " + mappings
	}
	keep, err := sql.Open("sqlite3", "file:"+path+".keep?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer keep.Close()
	store := openRaw(t, path)
	defer store.Close()
	if got, want := read(keep), read(store); got != want || want == "; 0 mappings" {
		t.Fatalf("the copy holds %q, the store %q", got, want)
	}
}

// checkStore runs what must hold at any instant, crash or not:
// integrity_check is ok, no foreign key is broken, every link points to a
// stored item, the links are exactly what the domain rule gives over the
// store's own rows (a rule change and its re-link are one transaction), and
// no file activity is recorded twice. It returns how many rows it checked.
func checkStore(t *testing.T, path string) int {
	t.Helper()
	db := openRaw(t, path)
	defer db.Close()
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
	rows, err := db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		rows.Close()
		t.Fatal("foreign_key_check reports broken references")
	}
	rows.Close()
	count := func(q string) int {
		var n int
		if err := db.QueryRow(q).Scan(&n); err != nil {
			if strings.Contains(err.Error(), "no such table") {
				return 0
			}
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	checks := map[string]string{
		"links to missing messages":             `SELECT COUNT(*) FROM links l WHERE l.kind='mail' AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.account_id=l.account_id AND m.id=l.item_id)`,
		"links to missing meetings":             `SELECT COUNT(*) FROM links l WHERE l.kind='meeting' AND NOT EXISTS (SELECT 1 FROM events e WHERE e.account_id=l.account_id AND e.id=l.item_id)`,
		"mail links the rule does not give":     `SELECT COUNT(*) FROM (SELECT client_id, account_id, item_id FROM links WHERE kind='mail' EXCEPT ` + ruleMail + `)`,
		"mail links the rule gives, missing":    `SELECT COUNT(*) FROM (` + ruleMail + ` EXCEPT SELECT client_id, account_id, item_id FROM links WHERE kind='mail')`,
		"meeting links the rule does not give":  `SELECT COUNT(*) FROM (SELECT client_id, account_id, item_id FROM links WHERE kind='meeting' EXCEPT ` + ruleMeeting + `)`,
		"meeting links the rule gives, missing": `SELECT COUNT(*) FROM (` + ruleMeeting + ` EXCEPT SELECT client_id, account_id, item_id FROM links WHERE kind='meeting')`,
		"streams of missing accounts":           `SELECT COUNT(*) FROM streams s WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id=s.account_id)`,
	}
	if count(`SELECT COUNT(*) FROM sqlite_master WHERE name='file_activity'`) > 0 {
		checks["duplicate file activity"] = `SELECT COUNT(*) FROM (SELECT 1 FROM file_activity GROUP BY ` + fileActivityKey(db) + ` HAVING COUNT(*) > 1)`
	}
	for what, q := range checks {
		if n := count(q); n != 0 {
			t.Fatalf("%s: %d", what, n)
		}
	}
	if count(`SELECT COUNT(*) FROM sqlite_master WHERE name='folder_mappings'`) > 0 {
		checkFolderClients(t, db)
	}
	return count(`SELECT COUNT(*) FROM messages`) + count(`SELECT COUNT(*) FROM events`) + count(`SELECT COUNT(*) FROM links`) +
		count(`SELECT COUNT(*) FROM drive_items`)
}

// checkFolderClients: every drive item whose client is settled (not
// waiting for its round's end) belongs to the client of its nearest
// mapped ancestor-or-self folder (DESIGN §4 rule 3) — a mapping and the
// re-derivation of its subtree are one transaction, so no crash can leave
// half a subtree on the old client.
func checkFolderClients(t *testing.T, db *sql.DB) {
	t.Helper()
	type key struct{ acct, drive, id string }
	// A row with a client maps the folder (suppressed only says the name
	// rule may not map it); a row without one (unmapped) does not.
	mapped := map[key]int64{}
	drive := driveColumn(db) // the store may be at any version (TestCrashDuringMigration)
	rows, err := db.Query(`SELECT account_id, ` + drive + `, folder_id, client_id FROM folder_mappings WHERE client_id IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k key
		var client int64
		if err := rows.Scan(&k.acct, &k.drive, &k.id, &client); err != nil {
			t.Fatal(err)
		}
		mapped[k] = client
	}
	rows.Close()
	type item struct {
		parent string
		client int64
		dirty  bool
	}
	items := map[key]item{}
	rows, err = db.Query(`SELECT account_id, ` + drive + `, id, parent_id, COALESCE(client_id, 0), dirty FROM drive_items WHERE deleted_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k key
		var it item
		if err := rows.Scan(&k.acct, &k.drive, &k.id, &it.parent, &it.client, &it.dirty); err != nil {
			t.Fatal(err)
		}
		items[k] = it
	}
	rows.Close()
	bad := 0
	for k, it := range items {
		if it.dirty {
			continue
		}
		var want int64
		for cur, depth := k, 0; cur.id != "" && depth < 200; depth++ {
			if c, ok := mapped[cur]; ok {
				want = c
				break
			}
			p, ok := items[cur]
			if !ok {
				break
			}
			cur = key{k.acct, k.drive, p.parent}
		}
		if it.client != want {
			if bad++; bad <= 3 {
				t.Errorf("drive item %s/%s: client %d, its nearest mapped folder says %d", k.drive, k.id, it.client, want)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d drive items on the wrong client", bad)
	}
}

const (
	ruleMail = `SELECT DISTINCT cd.client_id, p.account_id, p.message_id FROM participants p JOIN client_domains cd ON cd.domain = p.domain
		WHERE (SELECT COUNT(*) FROM client_domains c2 WHERE c2.domain = cd.domain) = 1`
	ruleMeeting = `SELECT DISTINCT cd.client_id, a.account_id, a.event_id FROM event_attendees a JOIN client_domains cd ON cd.domain = a.domain
		WHERE (SELECT COUNT(*) FROM client_domains c2 WHERE c2.domain = cd.domain) = 1`
)

// driveColumn names the drive tables' drive column: drive_id before
// migration 014, drive_key since.
func driveColumn(db *sql.DB) string {
	var keyed bool
	if err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM pragma_table_info('drive_items') WHERE name = 'drive_key')`).Scan(&keyed); err == nil && keyed {
		return "drive_key"
	}
	return "drive_id"
}

// fileActivityKey is the columns that identify one observed change, among
// those issue 5's table has.
func fileActivityKey(db *sql.DB) string {
	rows, err := db.Query(`SELECT name FROM pragma_table_info('file_activity')`)
	if err != nil {
		return "rowid"
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		_ = rows.Scan(&c)
		switch c {
		case "account_id", "drive_id", "drive_key", "item_id", "at", "action", "actor", "actor_address", "change_key", "etag", "ctag", "name", "parent_id":
			cols = append(cols, c)
		}
	}
	if len(cols) == 0 {
		return "rowid"
	}
	return strings.Join(cols, ", ")
}
