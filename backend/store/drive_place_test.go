package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/backend/model"
)

// New items placed as they are written (parents first, the clients' keys
// on every page) end up where the round's end puts them when nothing can
// be placed early (children first, the keys on the last page only): the
// same paths, clients, auto-links, activity, file links, search
// documents and clients reported, in a first round and in a later one that
// renames, moves, deletes, and adds under folders mapped by hand,
// suppressed, renamed in the same round, or new (an empty folder that
// takes a client's name reports that client too).
func TestDriveItemsPlacedAsWrittenLandWhereTheRoundsEndPutsThem(t *testing.T) {
	ctx := context.Background()
	later := dt0.Add(72 * time.Hour)
	at := func(it model.DriveItem) model.DriveItem { it.ModifiedAt = later; return it }
	deck := fileItem("deck", "deliv", "deck.pptx", 100, "Megan")
	deck.ModifiedAt = dt0.Add(48 * time.Hour)
	rounds := [][][]model.DriveItem{
		{
			{rootItem(), folderItem("clients", "root", "Clients"), folderItem("contoso", "clients", "Contoso"),
				folderItem("deliv", "contoso", "Deliverables"), deck, folderItem("fab", "clients", "Fabrikam")},
			{folderItem("old", "root", "Old"), folderItem("fabc", "fab", "Contoso"), fileItem("spec", "fabc", "spec.docx", 7, "Lee"),
				fileItem("note", "clients", "note.txt", 5, "Avery"), folderItem("misc", "root", "Misc"), fileItem("memo", "fab", "memo.txt", 2, "Lee")},
		},
		{
			{fileItem("plan", "deliv", "plan.xlsx", 9, "Megan"), at(folderItem("contoso", "clients", "Contoso Old")),
				folderItem("fab2", "contoso", "Drafts"), fileItem("x", "fab2", "x.txt", 1, "Lee"), fileItem("y", "misc", "y.txt", 3, "Avery")},
			{folderItem("arch", "old", "Archive"), fileItem("z", "arch", "z.txt", 4, "Lee"), at(fileItem("note", "misc", "note.txt", 5, "Avery")),
				deletedItem("spec"), folderItem("sub", "fab", "Sub"), fileItem("w", "sub", "w.txt", 6, "Megan"),
				folderItem("fab3", "old", "Fabrikam")},
		},
	}
	placed, atEnd := newDriveFixture(t), newDriveFixture(t)
	atEnd.unlinked = true // a first round written as it comes, not staged
	for r, pages := range rounds {
		if r == 1 { // by hand between the rounds: Misc to Contoso, Fabrikam no longer auto-mapped
			for _, f := range []*driveFixture{placed, atEnd} {
				if _, err := f.s.MapFolder(ctx, f.acct.ID, testDrive, "misc", f.contoso.ID); err != nil {
					t.Fatal(err)
				}
				if _, err := f.s.SuppressAutoMap(ctx, f.acct.ID, testDrive, "fab"); err != nil {
					t.Fatal(err)
				}
			}
		}
		want := placed.round(t, pages...)
		var reversed [][]model.DriveItem
		for _, items := range slices.Backward(pages) {
			back := slices.Clone(items)
			slices.Reverse(back)
			reversed = append(reversed, back)
		}
		got := atEnd.roundKeys(t, false, reversed...)
		if fmt.Sprint(ids(got.ClientIDs)) != fmt.Sprint(ids(want.ClientIDs)) || got.Upserted != want.Upserted || got.Removed != want.Removed {
			t.Fatalf("round %d: placed %+v, at the round's end %+v", r, want, got)
		}
		if a, b := placeDump(t, placed.s), placeDump(t, atEnd.s); strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Fatalf("round %d placed as written:\n%s\nplaced at the round's end:\n%s", r, strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
	}
	expectTree(t, placed.tree(t), "=-", "Clients=-", "Clients/Contoso Old=-", "Clients/Contoso Old/Deliverables=-",
		"Clients/Contoso Old/Deliverables/deck.pptx=-", "Clients/Contoso Old/Deliverables/plan.xlsx=-",
		"Clients/Contoso Old/Drafts=-", "Clients/Contoso Old/Drafts/x.txt=-",
		"Clients/Fabrikam=-", "Clients/Fabrikam/Contoso=Contoso", "Clients/Fabrikam/memo.txt=-", "Clients/Fabrikam/Sub=-", "Clients/Fabrikam/Sub/w.txt=-",
		"Misc=Contoso", "Misc/note.txt=Contoso", "Misc/y.txt=Contoso", "Old=-", "Old/Archive=-", "Old/Archive/z.txt=-", "Old/Fabrikam=Fabrikam")
}

func ids(v []int64) []int64 {
	m := map[int64]bool{}
	for _, c := range v {
		m[c] = true
	}
	return sortedIDs(m)
}

// placeDump is driveDump without row ids, which follow the order rows
// were written in: activity, links and documents by item and action.
func placeDump(t *testing.T, s *Store) []string {
	t.Helper()
	return dumpQueries(t, s,
		`SELECT 'item '||id||'|'||name||'|'||path||'|'||COALESCE(client_id, 0)||'|'||(deleted_at IS NULL)||'|'||dirty FROM drive_items ORDER BY id`,
		`SELECT 'activity '||item_id||'|'||action||'|'||path_at_time||'|'||pending||'|'||CASE WHEN action='deleted' THEN 0 ELSE at END FROM file_activity ORDER BY 1`,
		`SELECT 'link '||l.client_id||'|'||fa.item_id||'|'||fa.action FROM links l JOIN file_activity fa ON CAST(fa.id AS TEXT)=l.item_id WHERE l.kind='file' ORDER BY 1`,
		`SELECT 'doc '||fa.item_id||'|'||fa.action||'|'||d.title||'|'||d.people FROM search_docs d JOIN file_activity fa ON CAST(fa.id AS TEXT)=d.item_id WHERE d.kind='file' ORDER BY 1`,
		`SELECT 'mapping '||folder_id||'|'||COALESCE(client_id, 0)||'|'||origin||'|'||suppressed FROM folder_mappings ORDER BY 1`,
		`SELECT 'stream '||items FROM streams WHERE kind='drive'`,
	)
}
