package app

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"rapport/backend/auth"
	"rapport/backend/model"
	"rapport/backend/store"
	rsync "rapport/backend/sync"
)

// openBehind starts an App on dataDir the way the window and `serve` do:
// the store opens behind them.
func openBehind(t *testing.T, dataDir string) *App {
	t.Helper()
	a, err := New(Config{DataDir: dataDir, OpenInBackground: true, TokenStore: auth.NewMemoryStore(), ClientID: simClientID,
		Authority: "https://login.microsoftonline.com/organizations"})
	if err != nil {
		t.Fatalf("New with the store opening behind: %v", err)
	}
	t.Cleanup(a.close)
	return a
}

// storeEvents collects the store:state events that ch receives until one
// is in a final phase.
func storeEvents(t *testing.T, ch chan event) []StoreState {
	t.Helper()
	var got []StoreState
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-ch:
			if ev.Name != "store:state" {
				continue
			}
			var s StoreState
			if err := json.Unmarshal(ev.Data, &s); err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
			if s.Phase == phaseReady || s.Phase == phaseFailed {
				return got
			}
		case <-timeout:
			t.Fatalf("no final store:state event; got %+v", got)
		}
	}
}

// A healthy store opens behind the window, and the bridge answers once
// it is open.
func TestTheWindowsStoreOpensBehindIt(t *testing.T) {
	a := openBehind(t, t.TempDir())
	if !a.storeReady() {
		t.Fatalf("a new store did not open: %+v", a.StoreState())
	}
	if s := a.StoreState(); s.Phase != phaseReady || s.Problem != "" || s.Path != filepath.Join(a.cfg.DataDir, "rapport.db") {
		t.Fatalf("state of an open store: %+v", s)
	}
	if _, err := a.dispatch("Clients", nil); err != nil {
		t.Fatalf("Clients once the store is open: %v", err)
	}
	if _, err := a.RetryOpen(); err == nil {
		t.Fatal("RetryOpen of an open store was accepted")
	}
}

// A store marked by a write that met a damaged page (rapport.db.check) is
// read whole before the window uses it; a healthy one opens and loses
// the mark.
func TestAMarkedStoreIsCheckedBehindTheWindow(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "rapport.db"))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	mark := filepath.Join(dir, "rapport.db.check")
	if err := os.WriteFile(mark, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	a := openBehind(t, dir)
	if !a.storeReady() {
		t.Fatalf("a healthy marked store did not open: %+v", a.StoreState())
	}
	if _, err := os.Stat(mark); !os.IsNotExist(err) {
		t.Fatalf("the mark is still there after the window's open: %v", err)
	}
}

// A damaged store is told with what to do; the bridge refuses what needs
// it; "Start afresh" keeps its bytes beside it and opens a new one.
func TestADamagedStoreIsShownThenSetAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rapport.db")
	junk := []byte(strings.Repeat("Not an SQLite database: a file a disk tool rewrote.\n", 200))
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	a := openBehind(t, dir)
	if a.storeReady() {
		t.Fatal("a damaged store opened")
	}
	s := a.StoreState()
	if s.Phase != phaseFailed || s.Problem != "damaged" || !strings.Contains(s.Message, "damaged") {
		t.Fatalf("state of a damaged store: %+v", s)
	}
	if _, err := a.dispatch("Clients", nil); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("Clients on a damaged store: %v", err)
	}
	out, err := a.dispatch("StoreState", nil)
	if err != nil || out.(StoreState).Problem != "damaged" {
		t.Fatalf("StoreState through the bridge: %+v %v", out, err)
	}

	// Trying again changes nothing; the file is still there, untouched.
	if _, err := a.RetryOpen(); err != nil {
		t.Fatal(err)
	}
	if a.storeReady() || a.StoreState().Problem != "damaged" {
		t.Fatalf("after a retry: %+v", a.StoreState())
	}

	ch := a.hub.subscribe()
	defer a.hub.unsubscribe(ch)
	started, err := a.StartAfresh()
	if err != nil {
		t.Fatal(err)
	}
	if started.Phase != phaseOpening || !strings.HasPrefix(started.SetAside, path+".damaged-") {
		t.Fatalf("StartAfresh answered %+v", started)
	}
	events := storeEvents(t, ch)
	if first, last := events[0], events[len(events)-1]; first.Phase != phaseOpening || last.Phase != phaseReady || last.SetAside != started.SetAside {
		t.Fatalf("events after StartAfresh: %+v", events)
	}
	if b, err := os.ReadFile(started.SetAside); err != nil || string(b) != string(junk) {
		t.Fatalf("the damaged store's bytes were not kept at %s: %v", started.SetAside, err)
	}
	if kept := events[len(events)-1].Kept; !strings.HasPrefix(kept, "Nothing could be read") {
		t.Fatalf("what Start afresh says it kept from a file that is not a database: %q", kept)
	}
	if cl, err := a.dispatch("Clients", nil); err != nil {
		t.Fatalf("Clients on the new store: %v %v", cl, err)
	}
	if _, err := a.StartAfresh(); err == nil {
		t.Fatal("StartAfresh of an open store was accepted")
	}
}

// startAfresh checks that a refused its store as damaged, starts afresh,
// waits for the new store and returns what Start afresh says it kept.
func startAfresh(t *testing.T, a *App) string {
	t.Helper()
	if a.storeReady() || a.StoreState().Problem != "damaged" {
		t.Fatalf("the store was not refused as damaged: %+v", a.StoreState())
	}
	if _, err := a.StartAfresh(); err != nil {
		t.Fatal(err)
	}
	if !a.storeReady() {
		t.Fatalf("the new store did not open: %+v", a.StoreState())
	}
	return a.StoreState().Kept
}

// A store whose check fails at open (a write met a damaged page) is
// refused as damaged; Start afresh keeps the clients it can still read and
// says so.
func TestStartAfreshKeepsTheClientsOfACheckedStore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rapport.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, c := range []struct{ name, domain string }{{"Contoso", "contoso.com"}, {"Fabrikam", "fabrikam.com"}} {
		if _, err := st.AddClient(ctx, c.name, []string{c.domain}); err != nil {
			t.Fatal(err)
		}
	}
	damage := damageMessages(t, st.DB())
	st.Close()
	damage(path)

	a := openBehind(t, dir)
	if kept := startAfresh(t, a); kept != "Kept from the damaged store: 2 clients, 2 domains." {
		t.Fatalf("Start afresh says it kept %q", kept)
	}
	cl, err := a.Clients()
	if err != nil || len(cl) != 2 {
		t.Fatalf("clients after Start afresh: %+v %v", cl, err)
	}
}

// What the user set up on the command line is copied beside the store as
// the command ends; when the store's header is later lost, Start afresh
// restores the clients from that copy and says from when.
func TestStartAfreshRestoresWhatTheCommandLineSetUp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rapport.db")
	for _, c := range []struct{ name, domain string }{{"Contoso", "contoso.com"}, {"Fabrikam", "fabrikam.com"}} {
		var out, errOut strings.Builder
		if code := Main([]string{"--data-dir", dir, "clients", "add", c.name, "--domain", c.domain}, nil, &out, &errOut); code != 0 {
			t.Fatalf("clients add %s: exit %d: %s", c.name, code, errOut.String())
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteAt(make([]byte, 100), 0)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}

	a := openBehind(t, dir)
	kept := startAfresh(t, a)
	for _, want := range []string{"Nothing you had set up could be read from the damaged store.", "Restored from the copy saved ",
		time.Now().Format("2 Jan 2006"), ": 2 clients, 2 domains."} {
		if !strings.Contains(kept, want) {
			t.Errorf("Start afresh says %q, which lacks %q", kept, want)
		}
	}
	cl, err := a.Clients()
	if err != nil || len(cl) != 2 || cl[0].Name != "Contoso" {
		t.Fatalf("clients after Start afresh: %+v %v", cl, err)
	}
}

// A damaged page met by a read, not a write (the client list): the
// window is told what to do instead of SQLite's "database disk image is
// malformed", and the mark left makes the next start check the store and
// offer Start afresh.
func TestADamagedPageMetByAReadIsCheckedAtTheNextStart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rapport.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Contoso", "Fabrikam"} {
		if _, err := st.AddClient(t.Context(), name, nil); err != nil {
			t.Fatal(err)
		}
	}
	damage := damageTable(t, st.DB(), "clients")
	st.Close()
	damage(path)

	a := openBehind(t, dir)
	if !a.storeReady() {
		t.Fatalf("a store with no mark did not open: %+v", a.StoreState())
	}
	_, err = a.dispatch("Clients", nil)
	if err == nil || err.Error() != rsync.StoreDamaged {
		t.Fatalf("the client list of a damaged page: %v", err)
	}
	if _, err := os.Stat(path + ".check"); err != nil {
		t.Fatalf("the read left no mark: %v", err)
	}
	a.close()

	next := openBehind(t, dir)
	if next.storeReady() || next.StoreState().Problem != "damaged" {
		t.Fatalf("the next start: %+v", next.StoreState())
	}
}

// A full disk and a store held by another program reach the window as
// what to do, not as SQLite's words, and leave no damage mark; other
// errors pass as they are.
func TestTheWindowHearsTheStoresFailuresInItsWords(t *testing.T) {
	dir := t.TempDir()
	a := openBehind(t, dir)
	if !a.storeReady() {
		t.Fatalf("the store did not open: %+v", a.StoreState())
	}
	for _, c := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("add client: %w", sqlite3.Error{Code: sqlite3.ErrFull}), diskFullSentence},
		{fmt.Errorf("add client: %w", sqlite3.Error{Code: sqlite3.ErrBusy}), storeBusySentence},
		{errors.New("a client named Contoso already exists"), "a client named Contoso already exists"},
	} {
		if got := a.windowError(c.err).Error(); got != c.want {
			t.Errorf("windowError(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "rapport.db.check")); !os.IsNotExist(err) {
		t.Errorf("a full disk or a busy store left the damage mark: %v", err)
	}
}

// In the demo, a damaged page marks the demo's store, in its own folder,
// never the user's own store beside it.
func TestADamagedPageInTheDemoMarksTheDemosStore(t *testing.T) {
	a := newDemoApp(t, PollIntervals{})
	a.windowError(fmt.Errorf("list clients: %w", sqlite3.Error{Code: sqlite3.ErrCorrupt}))
	if _, err := os.Stat(a.st().Path() + ".check"); err != nil {
		t.Errorf("the demo's store was not marked: %v", err)
	}
	if _, err := os.Stat(filepath.Join(a.cfg.DataDir, "rapport.db.check")); !os.IsNotExist(err) {
		t.Errorf("the user's own store was marked for a page of the demo's: %v", err)
	}
}

// The whole way, with the real sign-in: a signed-in account's store is
// damaged after a sync; after Start afresh the account is still there and
// syncs again with the sign-in kept in the token cache, without signing in.
func TestStartAfreshSyncsTheKeptAccountWithoutSigningIn(t *testing.T) {
	sim := startTestSim(t)
	first := newSimApp(t, sim)
	upn := mustOK(t, first.SignIn(false)).UPN
	ctx := t.Context()
	if err := first.syncWait(t, ctx); err != nil {
		t.Fatal(err)
	}
	if first.messages(t, upn) == 0 {
		t.Fatal("the first sync stored no mail")
	}
	damage := damageMessages(t, first.st().DB())
	first.close()
	damage(filepath.Join(first.dir, "rapport.db"))

	second := newSimApp(t, sim, func(c *Config) { c.DataDir, c.OpenInBackground = first.dir, true })
	if kept := startAfresh(t, second.App); !strings.Contains(kept, "1 account") {
		t.Fatalf("after Start afresh: %+v", second.StoreState())
	}
	if second.messages(t, upn) != 0 {
		t.Fatal("the new store holds mail before any sync")
	}
	if err := second.syncWait(t, ctx); err != nil {
		t.Fatalf("the kept account's sync: %v", err)
	}
	if second.messages(t, upn) == 0 {
		t.Fatal("the kept account synced no mail")
	}
	if v := second.account(t, upn); v.State != model.AccountOK {
		t.Fatalf("the kept account needs attention: %+v", v)
	}
}

// damageMessages is damageTable for the messages, with the mark a write
// that met the page leaves (store/open_problems.go).
func damageMessages(t *testing.T, db *sql.DB) func(path string) {
	t.Helper()
	damage := damageTable(t, db, "messages")
	return func(path string) {
		damage(path)
		if err := os.WriteFile(path+".check", nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// damageTable finds the table's root page in the store db reads (the WAL
// checkpointed into the file) and returns what does, to the file at path
// once the store is closed, what a failing disk does: that page
// overwritten.
func damageTable(t *testing.T, db *sql.DB, table string) func(path string) {
	t.Helper()
	var root, size int64
	if err := db.QueryRow(`SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	return func(path string) {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteAt([]byte(strings.Repeat("\xff", int(size))), (root-1)*size); err != nil {
			t.Fatal(err)
		}
	}
}

// A store from a newer Rapport is refused and never set aside.
func TestANewerStoreIsShownUntouched(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rapport.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`PRAGMA user_version = 9999`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	a := openBehind(t, dir)
	if a.storeReady() {
		t.Fatal("a newer store opened")
	}
	if s := a.StoreState(); s.Problem != "newer" || !strings.Contains(s.Message, "newer version of Rapport") {
		t.Fatalf("state of a newer store: %+v", s)
	}
	if _, err := a.StartAfresh(); err == nil {
		t.Fatal("a newer store was set aside")
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the newer store moved: %v", err)
	}
}
