package store

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"

	"rapport/backend/clients"
	"rapport/backend/model"
)

// put stores messages in the inbox without ending a round (no sweep).
func (f *fixture) put(t *testing.T, recs ...model.MailRecord) ApplyResult {
	t.Helper()
	res, err := f.s.ApplyMailPage(context.Background(), MailPage{StreamID: f.inbox.ID, AccountID: f.acct.ID, FolderID: "INBOX", Records: recs, NextLink: "more"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) putEvents(t *testing.T, recs ...model.EventRecord) {
	t.Helper()
	ctx := context.Background()
	cal, err := f.s.EnsureStream(ctx, f.acct.ID, model.StreamCalendar, "CAL", "Calendar", -1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ApplyEventPage(ctx, EventPage{StreamID: cal.ID, AccountID: f.acct.ID, CalendarID: "CAL", Records: recs, NextLink: "more"}); err != nil {
		t.Fatal(err)
	}
}

// linked lists "kind:item" for a client's links, sorted.
func linked(t *testing.T, s *Store, clientID int64) []string {
	t.Helper()
	rows, err := s.db.Query(`SELECT kind || ':' || item_id FROM links WHERE client_id = ? ORDER BY 1`, clientID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var v string
		rows.Scan(&v)
		out = append(out, v)
	}
	return out
}

func expectLinks(t *testing.T, s *Store, c model.Client, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	sort.Strings(want)
	if got := linked(t, s, c.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("%s links = %v, want %v", c.Name, got, want)
	}
}

// A meeting or a message with several clients' people belongs to each; a
// contested domain links neither; the other rules stack by precedence.
func TestMatchingPrecedence(t *testing.T) {
	f := newFixture(t) // Contoso owns contoso.com
	ctx := context.Background()
	fab, err := f.s.AddClient(ctx, "Fabrikam", []string{"fabrikam.com"})
	if err != nil {
		t.Fatal(err)
	}
	f.put(t,
		rec("both", "c1", "Joint", "me@adatum.com", model.DirectionOut, t0, "bob@contoso.com", "dan@fabrikam.com"),
		rec("alice", "c2", "From Alice", "alice@contoso.com", model.DirectionIn, t0.Add(time.Minute), "me@adatum.com"),
		rec("gmail", "c3", "Personal", "alice.home@gmail.com", model.DirectionIn, t0.Add(2*time.Minute), "me@adatum.com"),
		rec("noreply", "c4", "Your invoice", "noreply@contoso.com", model.DirectionIn, t0.Add(3*time.Minute), "me@adatum.com"),
		rec("other", "c5", "Elsewhere", "x@elsewhere.org", model.DirectionIn, t0.Add(4*time.Minute), "me@adatum.com"),
	)
	f.putEvents(t, ev("meet", t0, "bob@contoso.com"))
	// The joint meeting: attendees of both clients.
	joint := ev("jointmeet", t0.Add(time.Hour), "bob@contoso.com")
	joint.Participants = append(joint.Participants, model.Participant{Role: model.RoleRequired, Address: "dan@fabrikam.com", Domain: "fabrikam.com"})
	f.putEvents(t, joint)

	// Domain rule; several clients → each; no-reply senders never match.
	expectLinks(t, f.s, f.contoso, "mail:both", "mail:alice", "meeting:meet", "meeting:jointmeet")
	expectLinks(t, f.s, fab, "mail:both", "meeting:jointmeet")

	// Contacts outrank domains, generic domains included: Alice's gmail
	// address is Contoso's; her contoso.com address made Fabrikam's
	// contact goes to Fabrikam only.
	if _, err := f.s.AddClientContact(ctx, f.contoso.ID, "alice.home@gmail.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddClientContact(ctx, fab.ID, "alice@contoso.com"); err != nil {
		t.Fatal(err)
	}
	expectLinks(t, f.s, f.contoso, "mail:both", "mail:gmail", "meeting:meet", "meeting:jointmeet")
	expectLinks(t, f.s, fab, "mail:both", "mail:alice", "meeting:jointmeet")

	// Manual decisions outrank everything, and survive later rule changes.
	if _, err := f.s.SetManualLink(ctx, model.KindMail, "alice", f.contoso.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetManualLink(ctx, model.KindMeeting, "meet", f.contoso.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetManualLink(ctx, model.KindMail, "other", fab.ID, true); err != nil {
		t.Fatal(err)
	}
	expectLinks(t, f.s, f.contoso, "mail:both", "mail:gmail", "mail:alice", "meeting:jointmeet")
	expectLinks(t, f.s, fab, "mail:both", "mail:alice", "mail:other", "meeting:jointmeet")
	if _, err := f.s.RemoveClientContact(ctx, fab.ID, "alice@contoso.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddClientDomain(ctx, fab.ID, "elsewhere.org"); err != nil {
		t.Fatal(err)
	}
	expectLinks(t, f.s, f.contoso, "mail:both", "mail:gmail", "mail:alice", "meeting:jointmeet")
	expectLinks(t, f.s, fab, "mail:both", "mail:other", "meeting:jointmeet")
	// A re-synced item keeps its manual decisions.
	f.put(t, rec("alice", "c2", "From Alice (edited)", "alice@contoso.com", model.DirectionIn, t0.Add(time.Minute), "me@adatum.com"))
	f.putEvents(t, ev("meet", t0, "bob@contoso.com"))
	expectLinks(t, f.s, f.contoso, "mail:both", "mail:gmail", "mail:alice", "meeting:jointmeet")
	// Forgetting the decision hands the item back to the rules.
	if _, err := f.s.ClearManualLink(ctx, model.KindMeeting, "meet", f.contoso.ID); err != nil {
		t.Fatal(err)
	}
	expectLinks(t, f.s, f.contoso, "mail:both", "mail:gmail", "mail:alice", "meeting:meet", "meeting:jointmeet")
	if _, err := f.s.SetManualLink(ctx, model.KindMail, "nope", f.contoso.ID, true); !errors.Is(err, ErrNoSuchItem) {
		t.Errorf("linking a missing item: %v", err)
	}
	if _, err := f.s.SetManualLink(ctx, "fax", "alice", f.contoso.ID, true); err == nil {
		t.Error("unknown kind accepted")
	}
}

func TestContestedDomainAskAndResolve(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.put(t, rec("m1", "c", "Hi", "zoe@contoso.com", model.DirectionIn, t0, "me@adatum.com"))
	f.putEvents(t, ev("e1", t0, "zoe@contoso.com"))
	group, err := f.s.AddClient(ctx, "Contoso Group", []string{"contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	expectLinks(t, f.s, f.contoso)
	expectLinks(t, f.s, group)
	amb, err := f.s.Ambiguities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []Ambiguity{{Domain: "contoso.com", ClientIDs: []int64{f.contoso.ID, group.ID}, ClientNames: []string{"Contoso", "Contoso Group"}, Messages: 1, Meetings: 1}}
	if !reflect.DeepEqual(amb, want) {
		t.Fatalf("Ambiguities = %+v, want %+v", amb, want)
	}
	// "Neither, stop asking": still linking nobody, no longer listed.
	if _, err := f.s.ResolveDomain(ctx, "contoso.com", 0); err != nil {
		t.Fatal(err)
	}
	if amb, _ := f.s.Ambiguities(ctx); len(amb) != 0 {
		t.Fatalf("settled domain still asked about: %+v", amb)
	}
	expectLinks(t, f.s, f.contoso)
	// Choosing a client: the other loses the domain and the items move.
	ids, err := f.s.ResolveDomain(ctx, "contoso.com", group.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ids, []int64{group.ID}) {
		t.Errorf("changed clients = %v", ids)
	}
	expectLinks(t, f.s, group, "mail:m1", "meeting:e1")
	if c, _ := f.s.Client(ctx, f.contoso.ID); len(c.Domains) != 0 {
		t.Errorf("Contoso kept %v", c.Domains)
	}
	if _, err := f.s.ResolveDomain(ctx, "unknown.com", group.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("resolving an unclaimed domain: %v", err)
	}
}

func TestExclusions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.put(t,
		rec("m1", "c", "Hi", "zoe@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
		rec("m2", "c", "Bounce", "mailer-daemon@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
		rec("m3", "c", "Partner", "jo@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
	)
	expectLinks(t, f.s, f.contoso, "mail:m1", "mail:m3")
	// A colleague's address at the client (e.g. a subcontractor seconded there).
	if _, err := f.s.AddExclusion(ctx, ExcludeAddress, "jo@contoso.com", SourceUser); err != nil {
		t.Fatal(err)
	}
	expectLinks(t, f.s, f.contoso, "mail:m1")
	// Removing a shipped automated-sender entry lets its mail match.
	if _, err := f.s.RemoveExclusion(ctx, ExcludeLocal, "mailer-daemon"); err != nil {
		t.Fatal(err)
	}
	expectLinks(t, f.s, f.contoso, "mail:m1", "mail:m2")
	if _, err := f.s.RemoveExclusion(ctx, ExcludeAddress, "jo@contoso.com"); err != nil {
		t.Fatal(err)
	}
	expectLinks(t, f.s, f.contoso, "mail:m1", "mail:m2", "mail:m3")
	// A client's domain cannot be excluded; an excluded domain cannot be a client's.
	if _, err := f.s.AddExclusion(ctx, ExcludeDomain, "contoso.com", SourceUser); !errors.Is(err, ErrDomainTaken) {
		t.Errorf("excluding a client's domain: %v", err)
	}
	if _, err := f.s.AddExclusion(ctx, ExcludeDomain, "partner.com", SourceUser); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddClientDomain(ctx, f.contoso.ID, "partner.com"); !errors.Is(err, ErrExcluded) {
		t.Errorf("giving an excluded domain to a client: %v", err)
	}
	// The tenant's own domains: kept in step with the accounts, not removable.
	if _, err := f.s.SetTenantDomains(ctx, []string{"adatum.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.RemoveExclusion(ctx, ExcludeDomain, "adatum.com"); !errors.Is(err, ErrTenantExclusion) {
		t.Errorf("removing the tenant's domain: %v", err)
	}
	if _, err := f.s.SetTenantDomains(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := f.s.IsExcluded(ctx, ExcludeDomain, "adatum.com"); ok {
		t.Error("a signed-out tenant's domain is still excluded")
	}
	// A contact cannot be excluded, and an excluded address cannot be a contact.
	if _, err := f.s.AddClientContact(ctx, f.contoso.ID, "zoe@contoso.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddExclusion(ctx, ExcludeAddress, "zoe@contoso.com", SourceUser); !errors.Is(err, ErrExclusionIsClient) {
		t.Errorf("excluding a contact: %v", err)
	}
}

// The shipped list in migration 004 is the clients package's.
func TestShippedExclusionsMatchTheRules(t *testing.T) {
	s := openTest(t)
	list, err := s.Exclusions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	domains, locals := map[string]bool{}, map[string]bool{}
	for _, e := range list {
		if e.Source != SourceShipped {
			t.Errorf("fresh database has a %s exclusion %+v", e.Source, e)
		}
		switch e.Kind {
		case ExcludeDomain:
			domains[e.Value] = true
		case ExcludeLocal:
			locals[e.Value] = true
		}
	}
	if !reflect.DeepEqual(domains, clients.GenericDomains) {
		t.Errorf("shipped domains %v differ from clients.GenericDomains", domains)
	}
	want := map[string]bool{}
	for _, l := range clients.AutomatedLocalParts {
		want[l] = true
	}
	if !reflect.DeepEqual(locals, want) {
		t.Errorf("shipped local parts %v differ from clients.AutomatedLocalParts", locals)
	}
}

// A rule change rewrites the links of the items it concerns and nothing
// else: an unrelated link keeps even a value the rules would not write.
func TestRelinkTouchesOnlyAffectedRows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.put(t,
		rec("c1", "c", "Contoso", "zoe@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
		rec("n1", "n", "Northwind", "ann@northwind.com", model.DirectionIn, t0, "me@adatum.com"),
	)
	// A sentinel on the unrelated link.
	if _, err := f.s.db.Exec(`UPDATE links SET at = 42 WHERE item_id = 'c1'`); err != nil {
		t.Fatal(err)
	}
	nw, err := f.s.AddClient(ctx, "Northwind", []string{"northwind.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, change := range []func() ([]int64, error){
		func() ([]int64, error) { return f.s.AddClientContact(ctx, nw.ID, "bob@northwind.com") },
		func() ([]int64, error) { return f.s.RemoveClientDomain(ctx, nw.ID, "northwind.com") },
		func() ([]int64, error) { return f.s.AddExclusion(ctx, ExcludeLocal, "ann", SourceUser) },
	} {
		ids, err := change()
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if id == f.contoso.ID {
				t.Errorf("Contoso reported as changed by a Northwind rule")
			}
		}
	}
	var at int64
	if err := f.s.db.QueryRow(`SELECT at FROM links WHERE item_id = 'c1'`).Scan(&at); err != nil || at != 42 {
		t.Fatalf("unrelated link rewritten: at = %d, %v", at, err)
	}
	expectLinks(t, f.s, nw)
}

func TestDeleteAndRenameClient(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.put(t, rec("m1", "c", "Hi", "zoe@contoso.com", model.DirectionIn, t0, "me@adatum.com"))
	group, err := f.s.AddClient(ctx, "Contoso Group", []string{"contoso.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.AddClientContact(ctx, f.contoso.ID, "ceo@contoso.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetManualLink(ctx, model.KindMail, "m1", f.contoso.ID, true); err != nil {
		t.Fatal(err)
	}
	ids, err := f.s.DeleteClient(ctx, f.contoso.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The domain is no longer contested: Contoso Group gets the mail.
	expectLinks(t, f.s, group, "mail:m1")
	if !reflect.DeepEqual(ids, []int64{group.ID}) {
		t.Errorf("changed = %v", ids)
	}
	var n int
	f.s.db.QueryRow(`SELECT (SELECT COUNT(*) FROM links WHERE client_id = ?) + (SELECT COUNT(*) FROM client_contacts WHERE client_id = ?)
		+ (SELECT COUNT(*) FROM manual_links WHERE client_id = ?) + (SELECT COUNT(*) FROM client_domains WHERE client_id = ?)`,
		f.contoso.ID, f.contoso.ID, f.contoso.ID, f.contoso.ID).Scan(&n)
	if n != 0 {
		t.Errorf("%d rows of the deleted client remain", n)
	}
	if got := f.ids(t); !reflect.DeepEqual(got, []string{"m1"}) {
		t.Errorf("source data lost: %v", got)
	}
	if err := f.s.RenameClient(ctx, group.ID, "Contoso Holdings"); err != nil {
		t.Fatal(err)
	}
	if c, _ := f.s.Client(ctx, group.ID); c.Name != "Contoso Holdings" {
		t.Errorf("renamed = %q", c.Name)
	}
	other, _ := f.s.AddClient(ctx, "Other", nil)
	if err := f.s.RenameClient(ctx, other.ID, "contoso holdings"); !errors.Is(err, ErrClientExists) {
		t.Errorf("rename to a taken name: %v", err)
	}
	if _, err := f.s.DeleteClient(ctx, 999); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("deleting a missing client: %v", err)
	}
}

func TestTimelineFilters(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.put(t,
		rec("in1", "c", "In", "zoe@contoso.com", model.DirectionIn, t0, "me@adatum.com"),
		rec("out1", "c", "Out", "me@adatum.com", model.DirectionOut, t0.Add(time.Minute), "zoe@contoso.com"),
	)
	f.putEvents(t, ev("e1", t0.Add(2*time.Minute), "zoe@contoso.com"))
	get := func(kinds []string, dir string) []string {
		t.Helper()
		p, err := f.s.TimelineFiltered(ctx, f.contoso.ID, "", 10, TimelineFilter{Kinds: kinds, Direction: dir})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range p.Items {
			out = append(out, it.ItemID)
		}
		return out
	}
	for _, c := range []struct {
		kinds []string
		dir   string
		want  []string
	}{
		{nil, "", []string{"e1", "out1", "in1"}},
		{[]string{"mail"}, "", []string{"out1", "in1"}},
		{[]string{"meeting"}, "", []string{"e1"}},
		{nil, "in", []string{"in1"}},
		{[]string{"mail", "meeting"}, "out", []string{"out1"}},
		{[]string{"file"}, "", nil},
	} {
		if got := get(c.kinds, c.dir); !reflect.DeepEqual(got, c.want) {
			t.Errorf("filter %v %q = %v, want %v", c.kinds, c.dir, got, c.want)
		}
	}
	// The outbound row's counterpart is the client's recipient, found by
	// contact as well as by domain.
	if _, err := f.s.AddClientContact(ctx, f.contoso.ID, "pat@gmail.com"); err != nil {
		t.Fatal(err)
	}
	f.put(t, rec("out2", "d", "To Pat", "me@adatum.com", model.DirectionOut, t0.Add(3*time.Minute), "pat@gmail.com"))
	p, _ := f.s.TimelineFiltered(ctx, f.contoso.ID, "", 1, TimelineFilter{Direction: "out"})
	if len(p.Items) != 1 || p.Items[0].ItemID != "out2" || p.Items[0].Counterpart != "To pat@gmail.com" || p.Cursor == "" {
		t.Fatalf("page = %+v", p)
	}
	// The cursor continues under the same filter.
	p, _ = f.s.TimelineFiltered(ctx, f.contoso.ID, p.Cursor, 5, TimelineFilter{Direction: "out"})
	if len(p.Items) != 1 || p.Items[0].ItemID != "out1" {
		t.Fatalf("second page = %+v", p)
	}
	for _, bad := range []TimelineFilter{{Kinds: []string{"fax"}}, {Direction: "sideways"}} {
		if _, err := f.s.TimelineFiltered(ctx, f.contoso.ID, "", 5, bad); err == nil {
			t.Errorf("filter %+v accepted", bad)
		}
	}
}

// Files (issue 5: links name a file_activity row): manual decisions apply at
// once and survive the folder rules' re-link through ApplyManualLinks.
func TestManualFileLinks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other, _ := f.s.AddClient(ctx, "Other", nil)
	at := t0.UnixMilli()
	res, err := f.s.db.Exec(`INSERT INTO file_activity(account_id, drive_key, item_id, at, actor_name, action, name, pending)
		VALUES(?, 1, 'f1', ?, 'Lee Gu', 'edited', 'SOW.docx', 0)`, f.acct.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	fid := strconv.FormatInt(id, 10)
	// As the folder rule would have linked it:
	if _, err := f.s.db.Exec(`INSERT INTO links(client_id, kind, account_id, item_id, at) VALUES(?, 'file', ?, ?, ?)`, f.contoso.ID, f.acct.ID, fid, at); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetManualLink(ctx, model.KindFile, fid, f.contoso.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SetManualLink(ctx, model.KindFile, fid, other.ID, true); err != nil {
		t.Fatal(err)
	}
	expectLinks(t, f.s, f.contoso)
	expectLinks(t, f.s, other, "file:"+fid)
	// The folder rules re-link the file to Contoso, then apply the decisions.
	err = f.s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`DELETE FROM links WHERE kind = 'file'`); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO links(client_id, kind, account_id, item_id, at) VALUES(?, 'file', ?, ?, ?)`, f.contoso.ID, f.acct.ID, fid, at); err != nil {
			return err
		}
		return ApplyManualLinks(ctx, tx, model.KindFile)
	})
	if err != nil {
		t.Fatal(err)
	}
	expectLinks(t, f.s, f.contoso)
	expectLinks(t, f.s, other, "file:"+fid)
	var got int64
	f.s.db.QueryRow(`SELECT at FROM links WHERE client_id = ?`, other.ID).Scan(&got)
	if got != at {
		t.Errorf("manual file link at %d, want the activity's %d", got, at)
	}
	if _, err := f.s.SetManualLink(ctx, model.KindFile, "999", other.ID, true); !errors.Is(err, ErrNoSuchItem) {
		t.Errorf("linking a missing file: %v", err)
	}
	// Its search document (as issue 5 writes it) finds the file with its actor.
	if _, err := f.s.db.Exec(`INSERT INTO search_docs(kind, account_id, item_id, title, people, at) VALUES('file', ?, ?, 'SOW.docx', 'Lee Gu lee@contoso.com', ?)`,
		f.acct.ID, fid, at); err != nil {
		t.Fatal(err)
	}
	hs, err := f.s.Search(ctx, "sow", 0)
	if err != nil || len(hs) != 1 || hs[0].Counterpart != "Lee Gu" || !reflect.DeepEqual(hs[0].ClientNames, []string{"Other"}) {
		t.Errorf("file hit = %+v, %v", hs, err)
	}
}
