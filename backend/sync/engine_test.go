package sync_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"rapport/backend/clients"
	"rapport/backend/graphsim"
	"rapport/backend/model"
	"rapport/backend/store"
	rsync "rapport/backend/sync"
)

// Every test here runs the real engine and store against the simulator
// over real HTTPS on loopback, and compares the store with the simulator's
// truth. None sleeps to synchronise: they wait on conditions or channels.

// mintTokens is a token source backed by the simulator's MintAccessToken:
// these tests are about sync, not sign-in (the app's tests run MSAL).
type mintTokens struct {
	sim     *graphsim.Server
	scopes  []string // nil: the simulator's default grant
	mu      gosync.Mutex
	tok     string
	refresh int
}

func (m *mintTokens) Token(_ context.Context, _ string, force bool) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok == "" || force {
		if m.tok != "" {
			m.refresh++
		}
		m.tok = m.sim.MintAccessToken(m.scopes...)
	}
	return m.tok, nil
}

type emitted struct {
	name    string
	payload any
}

// harness is an account with a real store and the real engine against a
// simulator.
type harness struct {
	sim    *graphsim.Server
	store  *store.Store
	engine *rsync.Engine
	acct   model.Account
	tokens *mintTokens
	offset atomic.Int64 // the engine's clock runs this far ahead of the real one

	mu     gosync.Mutex
	events []emitted
	notify chan emitted
	hook   func(emitted) // called synchronously by emit, under mu
}

type config struct {
	sim    graphsim.Options
	engine func(*rsync.Options)
	// anchor, when set, is "now" for the simulator's data and the engine.
	anchor time.Time
}

func newHarness(t *testing.T, opts ...func(*config)) *harness {
	t.Helper()
	cfg := config{sim: graphsim.Options{Scenario: "demo", Seed: 7}}
	for _, o := range opts {
		o(&cfg)
	}
	if !cfg.anchor.IsZero() {
		cfg.sim.Anchor = cfg.anchor
	}
	sim, err := graphsim.New(cfg.sim)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	st, err := store.Open(filepath.Join(t.TempDir(), "rapport.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	user := sim.User()
	acct, err := st.UpsertAccount(ctx, model.Account{UPN: user.UPN, Mail: user.Mail, DisplayName: user.DisplayName, HomeAccountID: user.HomeAccountID})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sim.DemoClients() {
		name, ds, err := clients.NormalizeClient(c.Name, c.Domains)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddClient(ctx, name, ds); err != nil {
			t.Fatal(err)
		}
	}
	h := &harness{sim: sim, store: st, acct: acct, tokens: &mintTokens{sim: sim}, notify: make(chan emitted, 10000)}
	if !cfg.anchor.IsZero() {
		h.offset.Store(int64(cfg.anchor.Sub(time.Now())))
	}
	o := rsync.Options{Store: st, GraphURL: sim.GraphURL(), HTTPClient: sim.HTTPClient(), Tokens: h.tokens,
		PageSize: 25, BackoffBase: 20 * time.Millisecond, Now: h.now, Emit: h.emit,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if cfg.engine != nil {
		cfg.engine(&o)
	}
	h.engine = rsync.New(o)
	return h
}

func (h *harness) now() time.Time { return time.Now().Add(time.Duration(h.offset.Load())) }

// advance moves the engine's clock forward.
func (h *harness) advance(d time.Duration) { h.offset.Add(int64(d)) }

func (h *harness) emit(name string, payload any) {
	// Round-trip through JSON, as the UI and the bridge see it.
	b, _ := json.Marshal(payload)
	var v map[string]any
	_ = json.Unmarshal(b, &v)
	e := emitted{name: name, payload: v}
	h.mu.Lock()
	h.events = append(h.events, e)
	if h.hook != nil {
		h.hook(e)
	}
	h.mu.Unlock()
	select {
	case h.notify <- e:
	default:
	}
}

func (h *harness) emittedEvents() []emitted {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]emitted(nil), h.events...)
}

func (h *harness) sync(t *testing.T) {
	t.Helper()
	if err := h.trySync(); err != nil {
		t.Fatalf("sync: %v", err)
	}
}

func (h *harness) trySync() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return h.engine.SyncAccount(ctx, h.acct)
}

// stream finds a stream by kind and name (or resource).
func (h *harness) stream(t *testing.T, kind, name string) model.Stream {
	t.Helper()
	streams, err := h.store.Streams(context.Background(), h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range streams {
		if s.Kind == kind && (s.Name == name || s.Resource == name) {
			return s
		}
	}
	t.Fatalf("no %s stream %q", kind, name)
	return model.Stream{}
}

// syncStream runs one stream's round.
func (h *harness) syncStream(t *testing.T, kind, name string) {
	t.Helper()
	st := h.stream(t, kind, name)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := h.engine.SyncStream(ctx, h.acct, st.ID); err != nil {
		t.Fatalf("sync %s: %v", name, err)
	}
}

func (h *harness) folderID(t *testing.T, wellKnownOrName string) string {
	t.Helper()
	for _, f := range h.sim.Folders() {
		if f.WellKnown == wellKnownOrName || f.DisplayName == wellKnownOrName {
			return f.ID
		}
	}
	t.Fatalf("no folder %s", wellKnownOrName)
	return ""
}

// expected is the simulator's truth as a correct sync must mirror it: every
// message in a synced folder, received since the history start, that is
// not internal-only.
func (h *harness) expected(t *testing.T) map[string]model.Message {
	t.Helper()
	skip := map[string]bool{}
	for _, f := range h.sim.Folders() {
		switch f.WellKnown {
		case "junkemail", "drafts", "outbox", "conversationhistory", "syncissues":
			skip[f.ID] = true
		}
	}
	for _, f := range h.sim.Folders() { // children of excluded folders
		if skip[f.ParentFolderID] {
			skip[f.ID] = true
		}
	}
	set, err := h.store.SyncSettings(context.Background(), h.acct.ID, h.now())
	if err != nil {
		t.Fatal(err)
	}
	mb := clients.MailboxFor(h.acct)
	out := map[string]model.Message{}
	for _, m := range h.sim.Messages() {
		if skip[m.ParentFolderID] || m.ReceivedAt.Before(set.HistoryStart) {
			continue
		}
		if _, keep := mb.Classify(m); keep {
			out[m.ID] = m
		}
	}
	return out
}

func (h *harness) assertMirrors(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	want := h.expected(t)
	ids, err := h.store.MessageIDs(ctx, h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := make([]string, 0, len(want))
	for id := range want {
		wantIDs = append(wantIDs, id)
	}
	sort.Strings(wantIDs)
	sort.Strings(ids)
	if !reflect.DeepEqual(ids, wantIDs) {
		t.Fatalf("store holds %d messages, simulator truth %d\nmissing: %v\nextra: %v", len(ids), len(wantIDs), diff(wantIDs, ids), diff(ids, wantIDs))
	}
	mb := clients.MailboxFor(h.acct)
	for id, m := range want {
		got, err := h.store.Message(ctx, h.acct.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		wantRec, _ := mb.Classify(m)
		if got.Subject != m.Subject || got.ConversationID != m.ConversationID || !strings.EqualFold(got.From.Address, m.From.Address) ||
			!got.ReceivedAt.Equal(m.ReceivedAt.Truncate(time.Millisecond)) || got.Direction != wantRec.Direction ||
			len(got.Participants) != len(wantRec.Participants) || got.IsRead != m.IsRead {
			t.Fatalf("message %s differs:\nstore: %+v\nsim:   %+v", id, got, m)
		}
	}
}

// expectedEvents is the calendar truth: instances of the synced calendars
// (the default and the user's own) inside the calendar stream's window,
// meetings with someone outside the organisation.
func (h *harness) expectedEvents(t *testing.T) map[string]model.Event {
	t.Helper()
	cal := h.stream(t, model.StreamCalendar, "Calendar")
	synced := map[string]bool{}
	for _, c := range h.sim.Calendars() {
		if c.IsDefault || c.CanEdit {
			synced[c.ID] = true
		}
	}
	mb := clients.MailboxFor(h.acct)
	out := map[string]model.Event{}
	for _, e := range h.sim.Events() {
		if !synced[e.CalendarID] || !e.Start.Before(cal.WindowEnd) || !e.End.After(cal.WindowStart) {
			continue
		}
		if _, keep := mb.ClassifyEvent(e); keep {
			out[e.ID] = e
		}
	}
	return out
}

func (h *harness) assertEvents(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	want := h.expectedEvents(t)
	ids, err := h.store.EventIDs(ctx, h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := make([]string, 0, len(want))
	for id := range want {
		wantIDs = append(wantIDs, id)
	}
	sort.Strings(wantIDs)
	if !reflect.DeepEqual(ids, wantIDs) {
		t.Fatalf("store holds %d events, simulator truth %d\nmissing: %v\nextra: %v", len(ids), len(wantIDs), diff(wantIDs, ids), diff(ids, wantIDs))
	}
	for id, e := range want {
		got, err := h.store.Event(ctx, h.acct.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Subject != e.Subject || !got.Start.Equal(e.Start) || !got.End.Equal(e.End) || got.IsAllDay != e.IsAllDay ||
			got.StartDate != e.StartDate || got.EndDate != e.EndDate || got.IsCancelled != e.IsCancelled || got.Type != e.Type ||
			got.SeriesMasterID != e.SeriesMasterID || got.IsOnlineMeeting != e.IsOnlineMeeting ||
			got.OnlineMeetingProvider != e.OnlineMeetingProvider || got.TimeZone != e.TimeZone || got.CalendarID != e.CalendarID {
			t.Fatalf("event %s differs:\nstore: %+v\nsim:   %+v", id, got.Event, e)
		}
	}
}

func diff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	if len(out) > 5 {
		out = append(out[:5], "…")
	}
	return out
}

func contains(v []string, s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

func (h *harness) eventNames() []string {
	var out []string
	for _, e := range h.emittedEvents() {
		out = append(out, e.name)
	}
	return out
}

func TestSyncMirrorsDemoTenant(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sync(t)
	h.assertMirrors(t)
	h.assertEvents(t)

	ctx := context.Background()
	cs, err := h.store.Clients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Items == 0 {
			t.Errorf("demo client %s has no linked activity", c.Name)
		}
	}
	names := h.eventNames()
	for _, want := range []string{rsync.EventProgress, rsync.EventDataChanged, rsync.EventFirstComplete} {
		if !contains(names, want) {
			t.Fatalf("no %s among the events emitted: %v", want, names)
		}
	}
	streams, _ := h.store.Streams(ctx, h.acct.ID)
	kinds := map[string]int{}
	for _, s := range streams {
		kinds[s.Kind]++
		if s.LastSyncAt == nil || s.LastError != "" || s.NextLink != "" {
			t.Fatalf("stream %s not complete after sync: %+v", s.Name, s)
		}
		if s.Hot != (s.Name == "Inbox" || s.Name == "Sent Items" || s.Name == "Calendar") {
			t.Errorf("stream %s hot=%v", s.Name, s.Hot)
		}
		if (s.Kind == model.StreamMail || s.Hot) && s.DeltaLink == "" {
			t.Fatalf("delta stream %s has no deltaLink: %+v", s.Name, s)
		}
	}
	if kinds[model.StreamCalendar] != 2 {
		t.Errorf("calendar streams: %d, want the default calendar and the user's own (holidays excluded)", kinds[model.StreamCalendar])
	}

	// Hidden folders are synced, search folders are not, the defaults
	// exclude Junk, Drafts, Outbox and Conversation History (with its
	// children).
	folders, err := h.store.MailFolders(ctx, h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]model.FolderView{}
	for _, f := range folders {
		byName[f.Name] = f
	}
	for name, want := range map[string]bool{"Inbox": true, "Clients": true, "Clutter": true, "Deleted Items": true, "Archive": true,
		"Junk Email": false, "Drafts": false, "Outbox": false, "Conversation History": false, "Team Chat": false} {
		f, ok := byName[name]
		if !ok {
			t.Fatalf("folder %s not discovered", name)
		}
		if f.Included != want || f.Default != want {
			t.Errorf("folder %s included=%v default=%v, want %v", name, f.Included, f.Default, want)
		}
	}
	if _, ok := byName["Weekly digests"]; ok {
		t.Error("a search folder was discovered")
	}
	if byName["Clients"].Path != "Inbox/Clients" || byName["Inbox"].Items == 0 || byName["Inbox"].Total == 0 {
		t.Errorf("Clients folder view: %+v; Inbox: %+v", byName["Clients"], byName["Inbox"])
	}

	// A second pass with no change in the mailbox changes nothing, and
	// costs one request per stream plus discovery.
	before, _ := h.store.MessageIDs(ctx, h.acct.ID)
	beforeEv, _ := h.store.EventIDs(ctx, h.acct.ID)
	n := len(h.sim.Requests())
	h.sync(t)
	after, _ := h.store.MessageIDs(ctx, h.acct.ID)
	afterEv, _ := h.store.EventIDs(ctx, h.acct.ID)
	if !reflect.DeepEqual(before, after) || !reflect.DeepEqual(beforeEv, afterEv) {
		t.Fatal("a no-change pass changed the store")
	}
	for _, r := range h.sim.Requests()[n:] {
		if strings.Contains(r.Path, "/delta") && !strings.Contains(r.Query, "deltatoken") {
			t.Fatalf("a no-change pass restarted a round: %s?%s", r.Path, r.Query)
		}
	}
}

func TestSyncFollowsLiveChanges(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sync(t)
	inbox, archive := h.folderID(t, "inbox"), h.folderID(t, "archive")
	var contosoMsg, other string
	for _, m := range h.sim.Messages() {
		// Only mail the first pass stored: the demo's oldest inbox mail
		// slides out of the sync window as the clock runs, and one just
		// outside it was never there to be deleted.
		if _, err := h.store.Message(context.Background(), h.acct.ID, m.ID); err != nil {
			continue
		}
		if m.ParentFolderID == inbox && strings.HasSuffix(m.From.Address, "contoso.com") && contosoMsg == "" {
			contosoMsg = m.ID
		} else if m.ParentFolderID == inbox && other == "" && m.ID != contosoMsg {
			other = m.ID
		}
	}
	added := h.sim.AddMessage("inbox", model.Message{
		Subject: "New brief <b>today</b>", From: model.Recipient{Name: "Dana", Address: "dana@contoso.com"},
		To: []model.Recipient{{Address: h.acct.UPN}}, ReceivedAt: time.Now().UTC(), SentAt: time.Now().UTC(),
	})
	if err := h.sim.MoveMessage(contosoMsg, archive); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.DeleteMessage(other); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.MarkRead(added.ID, true); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	// A deletion is confirmed only once every folder had a round that
	// started after it was seen: the next pass.
	if _, err := h.store.Message(context.Background(), h.acct.ID, other); err != nil {
		t.Fatalf("a message one folder reported removed was deleted in the same pass: %v", err)
	}
	h.sync(t)
	h.assertMirrors(t)
	if _, err := h.store.Message(context.Background(), h.acct.ID, added.ID); err != nil {
		t.Fatalf("new mail not synced: %v", err)
	}
	if _, err := h.store.Message(context.Background(), h.acct.ID, contosoMsg); err != nil {
		t.Fatalf("moved mail lost: %v", err)
	}
	// The live clock changes mail and meetings; a pass converges.
	for n := 1; n <= 12; n++ {
		h.sim.LiveTick(n)
	}
	h.sync(t)
	h.sync(t)
	h.assertMirrors(t)
	h.assertEvents(t)
}
