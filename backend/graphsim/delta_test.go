package graphsim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func idsOf(t *testing.T, items []map[string]any) (present, removed map[string]int) {
	t.Helper()
	present, removed = map[string]int{}, map[string]int{}
	for _, it := range items {
		id, _ := it["id"].(string)
		if id == "" {
			t.Fatalf("item without id: %v", it)
		}
		if _, ok := it["@removed"]; ok {
			removed[id]++
		} else {
			present[id]++
		}
	}
	return present, removed
}

func TestDeltaFullRoundPagesEveryMessageOnce(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken()
	for _, name := range []string{"inbox", "sentitems", "Clients", "archive", "deleteditems"} {
		fid := folderID(t, s, name)
		want := map[string]bool{}
		for _, m := range s.Messages() {
			if m.ParentFolderID == fid {
				want[m.ID] = true
			}
		}
		// Folders by id in the path, as a sync engine recursing folders does.
		r := runRound(t, s, tok, s.GraphURL()+"/me/mailFolders/"+url.PathEscape(fid)+"/messages/delta",
			"Prefer", "odata.maxpagesize=7", "Prefer", `IdType="ImmutableId"`)
		present, removed := idsOf(t, r.items)
		if len(removed) != 0 {
			t.Fatalf("%s: a first round reported removals", name)
		}
		if len(present) != len(want) {
			t.Fatalf("%s: round returned %d messages, folder holds %d", name, len(present), len(want))
		}
		for id, n := range present {
			if n != 1 || !want[id] {
				t.Fatalf("%s: id %s seen %d times (in folder: %v)", name, id, n, want[id])
			}
		}
		for i, p := range r.pages {
			if got := len(p.values(t)); got > 7 || (i < len(r.pages)-1 && got != 7) {
				t.Fatalf("%s: page %d has %d items with maxpagesize=7", name, i, got)
			}
			if p.header.Get("Preference-Applied") != "odata.maxpagesize=7" {
				t.Fatalf("Preference-Applied = %q", p.header.Get("Preference-Applied"))
			}
			for _, link := range []string{p.str("@odata.nextLink"), p.str("@odata.deltaLink")} {
				if link != "" && !strings.HasPrefix(link, s.GraphURL()+"/") {
					t.Fatalf("link %s is not an absolute simulator URL", link)
				}
			}
		}
		for _, it := range r.items {
			if it["parentFolderId"] != fid || it["@odata.type"] != "#microsoft.graph.message" {
				t.Fatalf("%s: item %v", name, it)
			}
			for _, forbidden := range []string{"body", "bodyPreview", "uniqueBody"} {
				if _, ok := it[forbidden]; ok {
					t.Fatalf("Mail.ReadBasic answer carries %s", forbidden)
				}
			}
		}
		// Nothing changed: the next round is empty.
		r2 := runRound(t, s, tok, r.deltaLink)
		if len(r2.items) != 0 {
			t.Fatalf("%s: second round returned %d items with no changes", name, len(r2.items))
		}
	}
}

func TestDeltaPageSizes(t *testing.T) {
	s := startSim(t, Options{PageCap: 50})
	tok := s.MintAccessToken()
	u := s.GraphURL() + "/me/mailFolders/inbox/messages/delta"
	a := get(t, s, tok, u)
	if n := len(a.values(t)); n != 10 || a.header.Get("Preference-Applied") != "" {
		t.Fatalf("no Prefer: %d items, Preference-Applied %q; want Graph's 10", n, a.header.Get("Preference-Applied"))
	}
	a = get(t, s, tok, u, "Prefer", "odata.maxpagesize=500")
	if n := len(a.values(t)); n != 50 || a.header.Get("Preference-Applied") != "odata.maxpagesize=50" {
		t.Fatalf("Prefer 500 over a cap of 50: %d items, Preference-Applied %q", n, a.header.Get("Preference-Applied"))
	}
	// $top caps the whole round, not the page (the trap Graph documents).
	r := runRound(t, s, tok, u+"?$top=15", "Prefer", "odata.maxpagesize=10")
	if len(r.items) != 15 || len(r.pages) != 2 {
		t.Fatalf("$top=15: %d items in %d pages", len(r.items), len(r.pages))
	}
}

func TestDeltaLiveChanges(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken()
	g := s.GraphURL()
	pref := []string{"Prefer", "odata.maxpagesize=25"}
	inboxRound := runRound(t, s, tok, g+"/me/mailFolders/inbox/messages/delta", pref...)
	archiveRound := runRound(t, s, tok, g+"/me/mailFolders/archive/messages/delta", pref...)

	inbox, archive := folderID(t, s, "inbox"), folderID(t, s, "archive")
	var inInbox []string
	for _, m := range s.Messages() {
		if m.ParentFolderID == inbox {
			inInbox = append(inInbox, m.ID)
		}
	}
	moved, deleted, read := inInbox[0], inInbox[1], inInbox[2]
	added := s.AddMessage("inbox", newMail("Megan Bowen", "megan.bowen@contoso.com", "Q4 kickoff"))
	if added.ID == "" || added.ParentFolderID != inbox || added.WebLink == "" {
		t.Fatalf("AddMessage returned %+v", added)
	}
	if err := s.MoveMessage(moved, "archive"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteMessage(deleted); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRead(read, false); err != nil {
		t.Fatal(err)
	}

	r := runRound(t, s, tok, inboxRound.deltaLink, pref...)
	present, removed := idsOf(t, r.items)
	if present[added.ID] != 1 || present[read] != 1 || len(present) != 2 {
		t.Fatalf("inbox changes: present %v, want the addition and the read change", present)
	}
	if removed[moved] != 1 || removed[deleted] != 1 || len(removed) != 2 {
		t.Fatalf("inbox removals: %v, want the moved and the deleted message", removed)
	}
	for _, it := range r.items {
		if it["id"] == read && it["isRead"] != false {
			t.Fatalf("changed message: %v", it)
		}
		if _, ok := it["@removed"]; ok {
			if len(it) != 3 || it["@odata.type"] != "#microsoft.graph.message" || it["@removed"].(map[string]any)["reason"] != "deleted" {
				t.Fatalf("removed entry shape: %v", it)
			}
		}
	}

	ra := runRound(t, s, tok, archiveRound.deltaLink, pref...)
	present, removed = idsOf(t, ra.items)
	if present[moved] != 1 || len(present) != 1 || len(removed) != 0 {
		t.Fatalf("archive changes: present %v removed %v, want only the moved message", present, removed)
	}
	if ra.items[0]["parentFolderId"] != archive {
		t.Fatalf("moved message parentFolderId %v", ra.items[0]["parentFolderId"])
	}

	// The truth agrees with what the rounds said.
	for _, m := range s.Messages() {
		switch m.ID {
		case deleted:
			t.Fatal("deleted message still in Messages()")
		case moved:
			if m.ParentFolderID != archive {
				t.Fatal("moved message not in Archive")
			}
		}
	}
}

func TestDeltaChangeDuringRoundShowsUpNextRound(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken()
	first := get(t, s, tok, s.GraphURL()+"/me/mailFolders/sentitems/messages/delta", "Prefer", "odata.maxpagesize=20")
	me := s.User()
	added := s.AddMessage("sentitems", newMail(me.DisplayName, me.Mail, "Sent mid-round"))
	r := runRound(t, s, tok, first.str("@odata.nextLink"), "Prefer", "odata.maxpagesize=20")
	items := append(first.values(t), r.items...)
	present, _ := idsOf(t, items)
	if present[added.ID] != 0 {
		t.Fatal("a message added after the round started appeared in it")
	}
	next := runRound(t, s, tok, r.deltaLink)
	present, _ = idsOf(t, next.items)
	if present[added.ID] != 1 {
		t.Fatal("a message added during a round is missing from the next round")
	}
}

func TestDeltaSelectAndFilter(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken()
	g := s.GraphURL()
	r := runRound(t, s, tok, g+"/me/mailFolders/inbox/messages/delta?$select="+url.QueryEscape("subject,from,receivedDateTime"),
		"Prefer", "odata.maxpagesize=100")
	for _, it := range r.items {
		for k := range it {
			switch k {
			case "@odata.type", "@odata.etag", "id", "subject", "from", "receivedDateTime":
			default:
				t.Fatalf("$select leaked property %s", k)
			}
		}
		if _, ok := it["subject"]; !ok {
			t.Fatalf("selected subject missing: %v", it)
		}
	}
	// The $select is remembered in the deltaLink for later rounds.
	id := r.items[0]["id"].(string)
	if err := s.MarkRead(id, false); err != nil {
		t.Fatal(err)
	}
	r2 := runRound(t, s, tok, r.deltaLink)
	if len(r2.items) != 1 || r2.items[0]["subject"] == nil || r2.items[0]["isRead"] != nil {
		t.Fatalf("later round lost the $select: %v", r2.items)
	}

	// Bodies are refused under Mail.ReadBasic; unknown properties are a 400.
	if a := get(t, s, tok, g+"/me/mailFolders/inbox/messages/delta?$select=subject,body"); a.status != http.StatusForbidden || a.graphErrorCode() != "ErrorAccessDenied" {
		t.Fatalf("$select=body under Mail.ReadBasic: %d %s", a.status, a.raw)
	}
	if a := get(t, s, tok, g+"/me/mailFolders/inbox/messages/delta?$select=nonsense"); a.status != http.StatusBadRequest {
		t.Fatalf("$select=nonsense: %d", a.status)
	}

	cut := testAnchor.Add(-14 * 24 * time.Hour)
	f := url.QueryEscape("receivedDateTime ge " + cut.Format(time.RFC3339))
	r3 := runRound(t, s, tok, g+"/me/mailFolders/inbox/messages/delta?$filter="+f, "Prefer", "odata.maxpagesize=50")
	want := 0
	inbox := folderID(t, s, "inbox")
	for _, m := range s.Messages() {
		if m.ParentFolderID == inbox && !m.ReceivedAt.Before(cut) {
			want++
		}
	}
	if len(r3.items) != want || want == 0 {
		t.Fatalf("$filter round: %d items, want %d", len(r3.items), want)
	}
	if a := get(t, s, tok, g+"/me/mailFolders/inbox/messages/delta?$filter="+url.QueryEscape("subject eq 'x'")); a.status != http.StatusBadRequest {
		t.Fatalf("unsupported $filter: %d", a.status)
	}
}

func TestDeltaBadTokensAre410(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken()
	g := s.GraphURL()
	for _, u := range []string{
		g + "/me/mailFolders/inbox/messages/delta?$deltatoken=garbage",
		g + "/me/mailFolders/inbox/messages/delta?$skiptoken=garbage",
	} {
		a := get(t, s, tok, u)
		if a.status != http.StatusGone || a.graphErrorCode() != "SyncStateNotFound" {
			t.Fatalf("%s: %d %s", u, a.status, a.raw)
		}
	}
	first := get(t, s, tok, g+"/me/mailFolders/inbox/messages/delta")
	r := runRound(t, s, tok, first.str("@odata.nextLink"))
	// A link for one folder is not valid on another.
	other := strings.Replace(r.deltaLink, folderID(t, s, "inbox"), folderID(t, s, "sentitems"), 1)
	if a := get(t, s, tok, other); a.status != http.StatusGone {
		t.Fatalf("token replayed on another folder: %d", a.status)
	}
	s.InvalidateDeltaTokens()
	for _, u := range []string{first.str("@odata.nextLink"), r.deltaLink} {
		if a := get(t, s, tok, u); a.status != http.StatusGone || a.graphErrorCode() != "SyncStateNotFound" {
			t.Fatalf("after invalidation %s: %d", u, a.status)
		}
	}
	if a := get(t, s, tok, g+"/me/mailFolders/nosuch/messages/delta"); a.status != http.StatusNotFound {
		t.Fatalf("unknown folder: %d", a.status)
	}
}

func TestFolderListingPagesAndRecursion(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken()
	g := s.GraphURL()
	first := get(t, s, tok, g+"/me/mailFolders")
	if len(first.values(t)) != 10 || first.str("@odata.nextLink") == "" {
		t.Fatalf("want a first page of 10 with a nextLink: %s", first.raw)
	}
	// Recurse like a client: list the root's children, then childFolders
	// wherever childFolderCount > 0; skip search folders.
	seen := map[string]bool{}
	var walk func(u string)
	walk = func(u string) {
		_, items := allPages(t, s, tok, u)
		for _, f := range items {
			if f["@odata.type"] == "#microsoft.graph.mailSearchFolder" {
				continue
			}
			id := f["id"].(string)
			seen[id] = true
			if f["childFolderCount"].(float64) > 0 {
				walk(g + "/me/mailFolders/" + url.PathEscape(id) + "/childFolders?includeHiddenFolders=true")
			}
		}
	}
	walk(g + "/me/mailFolders?includeHiddenFolders=true")
	for _, f := range s.Folders() {
		if !seen[f.ID] {
			t.Errorf("recursion missed folder %s", f.DisplayName)
		}
	}
	if len(seen) != len(s.Folders()) {
		t.Errorf("recursion found %d folders, truth has %d", len(seen), len(s.Folders()))
	}
	_, visible := allPages(t, s, tok, g+"/me/mailFolders")
	for _, f := range visible {
		if f["isHidden"] == true {
			t.Fatal("hidden folder listed without includeHiddenFolders")
		}
	}
	// Well-known names are case-insensitive; the key syntax and /users/{upn}
	// address the same mailbox.
	for _, u := range []string{"/me/mailFolders/SentItems", "/me/mailFolders('sentitems')", "/users/" + s.User().UPN + "/mailFolders/sentitems"} {
		a := get(t, s, tok, g+u)
		if a.status != http.StatusOK || a.str("displayName") != "Sent Items" {
			t.Fatalf("%s: %d %s", u, a.status, a.raw)
		}
	}

	// The search folder is virtual: its delta repeats Inbox messages, which
	// is why clients skip #microsoft.graph.mailSearchFolder.
	var search string
	_, top := allPages(t, s, tok, g+"/me/mailFolders")
	for _, f := range top {
		if f["@odata.type"] == "#microsoft.graph.mailSearchFolder" {
			search = f["id"].(string)
		}
	}
	if search == "" {
		t.Fatal("no search folder listed")
	}
	r := runRound(t, s, tok, g+"/me/mailFolders/"+url.PathEscape(search)+"/messages/delta")
	if len(r.items) == 0 || r.items[0]["parentFolderId"] != folderID(t, s, "inbox") {
		t.Fatalf("search folder delta: %d items", len(r.items))
	}
}
