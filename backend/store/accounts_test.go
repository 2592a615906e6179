package store

import (
	"context"
	"errors"
	"testing"

	"rapport/backend/model"
)

func count(t *testing.T, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestAccountState(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a, err := s.UpsertAccount(ctx, model.Account{UPN: "avery@adatum.com", HomeAccountID: "OID.TID"})
	if err != nil {
		t.Fatal(err)
	}
	if a.State != model.AccountOK {
		t.Fatalf("new account state %q", a.State)
	}
	changed, err := s.SetAccountState(ctx, a.ID, model.AccountSignInRequired, "Sign in again.", `{"access_token":{}}`)
	if err != nil || !changed {
		t.Fatalf("SetAccountState = %v, %v", changed, err)
	}
	if changed, _ := s.SetAccountState(ctx, a.ID, model.AccountSignInRequired, "Sign in again.", `{"access_token":{}}`); changed {
		t.Error("setting the same state again reports a change")
	}
	got, err := s.AccountByHomeID(ctx, "oid.tid")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != model.AccountSignInRequired || got.StateError != "Sign in again." || got.Claims == "" {
		t.Fatalf("stored %+v", got)
	}
	// A successful sign-in (upsert) clears the state.
	if _, err := s.UpsertAccount(ctx, model.Account{UPN: "Avery@adatum.com", HomeAccountID: "OID.TID"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.AccountByUPN(ctx, "avery@adatum.com"); got.State != model.AccountOK || got.StateError != "" || got.Claims != "" {
		t.Fatalf("after a new sign-in: %+v", got)
	}
	if _, err := s.AccountByHomeID(ctx, "nobody"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown home id: %v", err)
	}
}

func TestPurgeAccountKeepsOthers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	other, otherInbox := f.secondAccount(t, "avery@fabrikam.com")
	f.apply(t, f.inbox, "INBOX", []model.MailRecord{
		rec("m1", "c1", "Budget", "alice@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
		rec("m2", "c1", "Re: Budget", "me@adatum.com", model.DirectionOut, t0.Add(1), "alice@contoso.com"),
	}, nil, "", "delta-1")
	// The other account, same message ids (ids are per mailbox).
	if _, err := f.s.BeginRound(ctx, otherInbox.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ApplyMailPage(ctx, MailPage{StreamID: otherInbox.ID, AccountID: other.ID, FolderID: "INBOX",
		Records:   []model.MailRecord{rec("m1", "c9", "Kickoff", "bob@contoso.com", model.DirectionIn, t0, "avery@fabrikam.com")},
		DeltaLink: "delta-2"}); err != nil {
		t.Fatal(err)
	}
	tables := []string{"messages", "participants", "message_folders", "links", "streams"}
	before := map[string]int{}
	for _, tb := range tables {
		before[tb] = count(t, f.s, `SELECT COUNT(*) FROM `+tb+` WHERE account_id=?`, other.ID)
		if count(t, f.s, `SELECT COUNT(*) FROM `+tb+` WHERE account_id=?`, f.acct.ID) == 0 {
			t.Fatalf("fixture has no %s rows for the purged account", tb)
		}
	}

	clients, err := f.s.PurgeAccount(ctx, f.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(clients) != 1 || clients[0] != f.contoso.ID {
		t.Errorf("affected clients %v, want [%d]", clients, f.contoso.ID)
	}
	for _, tb := range tables {
		if n := count(t, f.s, `SELECT COUNT(*) FROM `+tb+` WHERE account_id=?`, f.acct.ID); n != 0 {
			t.Errorf("%s: %d rows of the purged account remain", tb, n)
		}
		if n := count(t, f.s, `SELECT COUNT(*) FROM `+tb+` WHERE account_id=?`, other.ID); n != before[tb] {
			t.Errorf("%s: the other account's rows went from %d to %d", tb, before[tb], n)
		}
	}
	if _, err := f.s.AccountByUPN(ctx, f.acct.UPN); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("purged account still listed: %v", err)
	}
	if n := count(t, f.s, `SELECT COUNT(*) FROM clients`); n != 1 {
		t.Errorf("clients are the user's, not the account's: %d left", n)
	}
	if _, err := f.s.PurgeAccount(ctx, f.acct.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("purging twice: %v", err)
	}
}

// One transaction: a failure part-way leaves everything in place.
func TestPurgeAccountIsAtomic(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.apply(t, f.inbox, "INBOX", []model.MailRecord{
		rec("m1", "c1", "Budget", "alice@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
	}, nil, "", "delta-1")
	// A trigger that makes deleting the account row fail, after every
	// child table was emptied inside the transaction.
	if _, err := f.s.db.Exec(`CREATE TRIGGER no_delete BEFORE DELETE ON accounts BEGIN SELECT RAISE(ABORT, 'nope'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.PurgeAccount(ctx, f.acct.ID); err == nil {
		t.Fatal("purge succeeded despite the failing trigger")
	}
	for _, tb := range []string{"messages", "participants", "links", "streams"} {
		if count(t, f.s, `SELECT COUNT(*) FROM `+tb+` WHERE account_id=?`, f.acct.ID) == 0 {
			t.Errorf("%s rows were deleted by a purge that failed", tb)
		}
	}
}

// secondAccount signs in another account with an inbox stream.
func (f *fixture) secondAccount(t *testing.T, upn string) (model.Account, model.Stream) {
	t.Helper()
	ctx := context.Background()
	acct, err := f.s.UpsertAccount(ctx, model.Account{UPN: upn})
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := f.s.EnsureStream(ctx, acct.ID, model.StreamMail, "INBOX", "Inbox", 0)
	if err != nil {
		t.Fatal(err)
	}
	return acct, inbox
}
