package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"rapport/backend/model"
)

func TestTimelinePagesWithoutGapsOrRepeats(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var recs []model.MailRecord
	for i := 0; i < 25; i++ {
		// Pairs share a timestamp so the cursor must break ties.
		recs = append(recs, rec(fmt.Sprintf("m%02d", i), "c", fmt.Sprintf("s%d", i), "bob@contoso.com", model.DirectionIn, t0.Add(time.Duration(i/2)*time.Minute)))
	}
	f.apply(t, f.inbox, "INBOX", recs, nil, "", "d")
	seen := map[string]bool{}
	cursor := ""
	var last time.Time
	for pages := 0; ; pages++ {
		p, err := f.s.Timeline(ctx, f.contoso.ID, cursor, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Items {
			if seen[it.ItemID] {
				t.Fatalf("item %s repeated", it.ItemID)
			}
			if !last.IsZero() && it.At.After(last) {
				t.Fatalf("not newest first at %s", it.ItemID)
			}
			seen[it.ItemID], last = true, it.At
		}
		if p.Cursor == "" {
			break
		}
		cursor = p.Cursor
		if pages > 10 {
			t.Fatal("cursor never ends")
		}
	}
	if len(seen) != 25 {
		t.Fatalf("paged through %d items, want 25", len(seen))
	}
	if _, err := f.s.Timeline(ctx, f.contoso.ID, "%%%", 7); err == nil {
		t.Fatal("garbage cursor accepted")
	}
}

func TestAddClientRelinksHistoryAndContestedDomains(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.apply(t, f.inbox, "INBOX", []model.MailRecord{
		rec("f1", "c", "Hello", "zoe@fabrikam.com", model.DirectionIn, t0),
	}, nil, "", "d")
	fab, err := f.s.AddClient(ctx, "Fabrikam", []string{"fabrikam.com"})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := f.s.Timeline(ctx, fab.ID, "", 10); len(p.Items) != 1 {
		t.Fatalf("existing mail not linked to a new client: %+v", p.Items)
	}
	if _, err := f.s.AddClient(ctx, "fabrikam", nil); err == nil {
		t.Fatal("duplicate client name (other case) accepted")
	}
	// A second client claiming the same domain: neither is linked.
	other, err := f.s.AddClient(ctx, "Fabrikam Group", []string{"fabrikam.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{fab.ID, other.ID} {
		if p, _ := f.s.Timeline(ctx, id, "", 10); len(p.Items) != 0 {
			t.Fatalf("contested domain linked client %d", id)
		}
	}
	list, err := f.s.Clients(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("Clients = %+v, %v", list, err)
	}
}
