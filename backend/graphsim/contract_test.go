package graphsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The contract test holds the simulator to Microsoft's documented example
// responses in shared/graph/examples: every property an example shows must
// exist in the simulator's equivalent answer with the same JSON type, and the
// example's top-level @odata keys must be there too.

const examplesDir = "../../../shared/graph/examples"

// exampleQuirks are the documented differences we deliberately do not copy,
// keyed by "file:path".
var exampleQuirks = map[string]string{
	// The message-delta page shows a body; with Mail.ReadBasic Graph never
	// returns one, and the simulator (like Rapport) never asks for it.
	"message-delta.1.json:value[].body": "skip",
	// The doc prints isRead as the string "true"; Graph returns a boolean.
	"delta-query-messages.4.json:value[].isRead": "bool",
	// The event delta pages show a body; with Calendars.ReadBasic Graph
	// returns none (and Rapport never asks for one).
	"delta-query-events.1.json:value[].body": "skip",
	"delta-query-events.2.json:value[].body": "skip",
	"delta-query-events.3.json:value[].body": "skip",
	"delta-query-events.4.json:value[].body": "skip",
	// A place without a geocode (every demo location) has an empty
	// coordinates object, as Graph returns for typed-in locations.
	"delta-query-events.4.json:value[].location.coordinates.latitude":  "skip",
	"delta-query-events.4.json:value[].location.coordinates.longitude": "skip",
}

func loadExample(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(examplesDir, name))
	if err != nil {
		t.Fatalf("reading example (shared/ must sit beside the repo): %v", err)
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// sameShape checks that sim has every property of ex, recursively, with the
// same JSON type. A null in the example accepts anything.
func sameShape(file, path string, ex, sim any) []string {
	if q := exampleQuirks[file+":"+path]; q == "skip" {
		return nil
	} else if q == "bool" && jsonType(sim) == "bool" {
		return nil
	}
	if ex == nil {
		return nil
	}
	if jsonType(ex) != jsonType(sim) {
		return []string{fmt.Sprintf("%s: example has %s, simulator %s (%v)", path, jsonType(ex), jsonType(sim), sim)}
	}
	var problems []string
	switch e := ex.(type) {
	case map[string]any:
		s := sim.(map[string]any)
		keys := make([]string, 0, len(e))
		for k := range e {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := strings.TrimPrefix(path+"."+k, ".")
			sv, ok := s[k]
			if !ok {
				if q := exampleQuirks[file+":"+p]; q != "skip" {
					problems = append(problems, p+": missing in the simulator")
				}
				continue
			}
			problems = append(problems, sameShape(file, p, e[k], sv)...)
		}
	case []any:
		s := sim.([]any)
		if len(e) > 0 && len(s) == 0 {
			return []string{path + ": simulator array is empty, so its items cannot be compared"}
		}
		for _, item := range e {
			problems = append(problems, sameShape(file, path+"[]", item, s[0])...)
		}
	}
	return problems
}

// kindOf pairs example items with simulator items of the same sort: removed
// entries with removed entries, search folders with search folders.
func kindOf(item map[string]any) string {
	if _, ok := item["@removed"]; ok {
		return "removed"
	}
	if t, _ := item["@odata.type"].(string); t == "#microsoft.graph.mailSearchFolder" {
		return "search"
	}
	return "plain"
}

// checkContract compares an example with the simulator's first page and
// the items of all its pages.
func checkContract(t *testing.T, file string, page answer, items []map[string]any) {
	t.Helper()
	ex := loadExample(t, file)
	var problems []string
	for k := range ex {
		if strings.HasPrefix(k, "@odata.") {
			if _, ok := page.body[k]; !ok {
				problems = append(problems, "top-level "+k+" missing")
			}
		}
	}
	if exValues, ok := ex["value"].([]any); ok {
		byKind := map[string]map[string]any{}
		for _, it := range items {
			if _, seen := byKind[kindOf(it)]; !seen {
				byKind[kindOf(it)] = it
			}
		}
		for _, v := range exValues {
			item := v.(map[string]any)
			sim, ok := byKind[kindOf(item)]
			if !ok {
				problems = append(problems, fmt.Sprintf("simulator answer has no %s item to compare", kindOf(item)))
				continue
			}
			problems = append(problems, sameShape(file, "value[]", item, any(sim))...)
		}
	} else {
		problems = append(problems, sameShape(file, "", any(ex), any(page.body))...)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", file, p)
	}
}

// allPages follows @odata.nextLink and returns the first page and all items.
func allPages(t *testing.T, s *Server, token, u string, headers ...string) (answer, []map[string]any) {
	t.Helper()
	first := get(t, s, token, u, headers...)
	if first.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, first.status, first.raw)
	}
	items := first.values(t)
	for next := first.str("@odata.nextLink"); next != ""; {
		a := get(t, s, token, next, headers...)
		items = append(items, a.values(t)...)
		next = a.str("@odata.nextLink")
	}
	return first, items
}

func TestContractUserAndFolders(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken()
	g := s.GraphURL()

	me := get(t, s, tok, g+"/me")
	checkContract(t, "user-get.1.json", me, nil)

	page, items := allPages(t, s, tok, g+"/me/mailFolders")
	checkContract(t, "user-list-mailfolders.1.json", page, items)
	page, items = allPages(t, s, tok, g+"/me/mailFolders/?includeHiddenFolders=true")
	checkContract(t, "user-list-mailfolders.2.json", page, items)

	page, items = allPages(t, s, tok, g+"/me/mailFolders/inbox/childFolders")
	checkContract(t, "mailfolder-list-childfolders.1.json", page, items)
	page, items = allPages(t, s, tok, g+"/me/mailFolders/inbox/childFolders?includeHiddenFolders=true")
	checkContract(t, "mailfolder-list-childfolders.2.json", page, items)

	page, items = allPages(t, s, tok, g+"/me/mailFolders/delta", "Prefer", "odata.maxpagesize=2")
	checkContract(t, "mailfolder-delta.1.json", page, items)

	notFound := get(t, s, tok, g+"/me/mailFolders/nosuchfolder")
	if notFound.status != http.StatusNotFound || notFound.graphErrorCode() != "ErrorItemNotFound" {
		t.Fatalf("unknown folder: %d %s", notFound.status, notFound.raw)
	}
	checkContract(t, "errors.1.json", notFound, nil)
}

func TestContractMessageDelta(t *testing.T) {
	s := startSim(t, Options{})
	tok := s.MintAccessToken()
	g := s.GraphURL()
	two := []string{"Prefer", "odata.maxpagesize=2", "Prefer", `IdType="ImmutableId"`}

	// Full property set, first page.
	first := get(t, s, tok, g+"/me/mailFolders/inbox/messages/delta", two...)
	checkContract(t, "message-delta.1.json", first, first.values(t))

	// $select=subject,sender,isRead: first page, second page, last page.
	sel := "?$select=" + url.QueryEscape("subject,sender,isRead")
	p1 := get(t, s, tok, g+"/me/mailFolders/inbox/messages/delta"+sel, two...)
	checkContract(t, "delta-query-messages.1.json", p1, p1.values(t))
	p2 := get(t, s, tok, p1.str("@odata.nextLink"), two...)
	checkContract(t, "delta-query-messages.2.json", p2, p2.values(t))
	round := runRound(t, s, tok, p2.str("@odata.nextLink"), two...)
	lastPage := round.pages[len(round.pages)-1]
	checkContract(t, "delta-query-messages.3.json", lastPage, lastPage.values(t))

	// A later round holding one removal and one change.
	inbox := folderID(t, s, "inbox")
	var moved, changed string
	for _, m := range s.Messages() {
		if m.ParentFolderID == inbox {
			if moved == "" {
				moved = m.ID
			} else if changed == "" {
				changed = m.ID
			}
		}
	}
	if err := s.MoveMessage(moved, "archive"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRead(changed, false); err != nil {
		t.Fatal(err)
	}
	r2 := runRound(t, s, tok, round.deltaLink, two...)
	checkContract(t, "delta-query-messages.4.json", r2.pages[len(r2.pages)-1], r2.items)

	// changeType=created: a first page, then the round's last page, then
	// a round from its deltaLink after two arrivals.
	ct := "?changeType=created&$select=" + url.QueryEscape("subject,sender,isRead")
	c1 := get(t, s, tok, g+"/me/mailFolders/sentitems/messages/delta"+ct, two...)
	checkContract(t, "delta-query-messages.5.json", c1, c1.values(t))
	cr := runRound(t, s, tok, c1.str("@odata.nextLink"), two...)
	checkContract(t, "delta-query-messages.6.json", cr.pages[len(cr.pages)-1], cr.pages[len(cr.pages)-1].values(t))
	me := s.User()
	for i := 0; i < 2; i++ {
		s.AddMessage("sentitems", newMail(me.DisplayName, me.Mail, fmt.Sprintf("Follow-up %d", i)))
	}
	cr2 := runRound(t, s, tok, cr.deltaLink, two...)
	if len(cr2.items) != 2 {
		t.Fatalf("created round after two arrivals has %d items", len(cr2.items))
	}
	checkContract(t, "delta-query-messages.7.json", cr2.pages[len(cr2.pages)-1], cr2.items)
}

func TestContractThrottling(t *testing.T) {
	s := startSim(t, Options{Faults: Faults{Graph: []FaultRule{{Status: 429, RetryAfter: "2.128", Times: 1}}}})
	a := get(t, s, s.MintAccessToken(), s.GraphURL()+"/me/mailFolders")
	if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") != "2.128" {
		t.Fatalf("want 429 with Retry-After 2.128, got %d %q", a.status, a.header.Get("Retry-After"))
	}
	checkContract(t, "throttling.1.json", a, nil)
}

func folderID(t *testing.T, s *Server, wellKnown string) string {
	t.Helper()
	for _, f := range s.Folders() {
		if f.WellKnown == wellKnown || f.DisplayName == wellKnown {
			return f.ID
		}
	}
	t.Fatalf("no folder %s", wellKnown)
	return ""
}
