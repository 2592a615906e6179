package sync_test

import (
	"context"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"rapport/backend/auth"
	"rapport/backend/clients"
	"rapport/backend/graphsim"
	"rapport/backend/model"
	"rapport/backend/store"
	rsync "rapport/backend/sync"
)

// harness is a signed-in account (real MSAL against the simulator over TLS)
// with a real store and the real engine.
type harness struct {
	sim    *graphsim.Server
	store  *store.Store
	engine *rsync.Engine
	acct   model.Account
	events []string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	sim, err := graphsim.New(graphsim.Options{Scenario: "demo", Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	dir := t.TempDir()
	au, err := auth.New(auth.Config{ClientID: "11111111-2222-3333-4444-555555555555", Authority: sim.AuthorityURL(),
		HTTPClient: sim.HTTPClient(), CachePath: filepath.Join(dir, "tokens.json"), OpenURL: sim.Browse})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := au.SignIn(ctx, auth.MailScopes)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	st, err := store.Open(filepath.Join(dir, "rapport.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	user := sim.User()
	acct, err := st.UpsertAccount(ctx, model.Account{UPN: user.UPN, Mail: user.Mail, DisplayName: user.DisplayName, HomeAccountID: res.HomeAccountID})
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
	h := &harness{sim: sim, store: st, acct: acct}
	h.engine = rsync.New(rsync.Options{Store: st, GraphURL: sim.GraphURL(), HTTPClient: sim.HTTPClient(), Tokens: au,
		PageSize: 25, Emit: func(name string, _ any) { h.events = append(h.events, name) }})
	return h
}

func (h *harness) sync(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := h.engine.SyncAccount(ctx, h.acct); err != nil {
		t.Fatalf("sync: %v", err)
	}
}

// expected is the simulator's truth as a correct sync must mirror it: every
// message in a synced folder, received in the history window, that is not
// internal-only.
func (h *harness) expected(t *testing.T) map[string]model.Message {
	skip := map[string]bool{}
	for _, f := range h.sim.Folders() {
		switch f.WellKnown {
		case "junkemail", "drafts", "outbox", "conversationhistory", "syncissues":
			skip[f.ID] = true
		}
	}
	mb := clients.MailboxFor(h.acct)
	since := time.Now().Add(-90 * 24 * time.Hour)
	out := map[string]model.Message{}
	for _, m := range h.sim.Messages() {
		if skip[m.ParentFolderID] || m.ReceivedAt.Before(since) {
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
			len(got.Participants) != len(wantRec.Participants) {
			t.Fatalf("message %s differs:\nstore: %+v\nsim:   %+v", id, got, m)
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

func TestSyncMirrorsDemoTenant(t *testing.T) {
	h := newHarness(t)
	h.sync(t)
	h.assertMirrors(t)

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
	if !contains(h.events, rsync.EventProgress) || !contains(h.events, rsync.EventDataChanged) {
		t.Fatalf("events emitted: %v", h.events)
	}
	streams, _ := h.store.Streams(ctx, h.acct.ID)
	for _, s := range streams {
		if s.DeltaLink == "" || s.LastSyncAt == nil || s.LastError != "" {
			t.Fatalf("stream %s not complete after sync: %+v", s.Name, s)
		}
	}

	// A second pass with no change in the mailbox changes nothing.
	before, _ := h.store.MessageIDs(ctx, h.acct.ID)
	h.sync(t)
	after, _ := h.store.MessageIDs(ctx, h.acct.ID)
	if !reflect.DeepEqual(before, after) {
		t.Fatal("a no-change pass changed the store")
	}
}

func TestSyncFollowsLiveChanges(t *testing.T) {
	h := newHarness(t)
	h.sync(t)
	var inbox, archive string
	for _, f := range h.sim.Folders() {
		switch f.WellKnown {
		case "inbox":
			inbox = f.ID
		case "archive":
			archive = f.ID
		}
	}
	var contosoMsg, other string
	for _, m := range h.sim.Messages() {
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
	h.sync(t) // removal of the deleted message is confirmed by the next pass
	h.sync(t)
	h.assertMirrors(t)
	if _, err := h.store.Message(context.Background(), h.acct.ID, added.ID); err != nil {
		t.Fatalf("new mail not synced: %v", err)
	}
	if _, err := h.store.Message(context.Background(), h.acct.ID, contosoMsg); err != nil {
		t.Fatalf("moved mail lost: %v", err)
	}
}

func contains(v []string, s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}
