package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/backend/model"
)

// stagedRound is a first round as Graph may send it: children before
// their parents, items repeated on later pages (unchanged, renamed, moved),
// an item deleted after it was reported, a folder named after a client
// after its contents, and a file whose folder never comes.
func stagedRound() [][]model.DriveItem {
	renamed := fileItem("memo", "deliv", "memo v2.txt", 2, "Lee")
	renamed.ModifiedAt = dt0.Add(time.Hour)
	moved := fileItem("note", "fab", "note.txt", 5, "Avery")
	moved.ModifiedAt = dt0.Add(2 * time.Hour) // dated by Graph: the dumps compare dates
	return [][]model.DriveItem{
		{fileItem("deck", "deliv", "deck.pptx", 100, "Megan"), fileItem("memo", "deliv", "memo.txt", 2, "Lee"),
			fileItem("spec", "fab", "spec.docx", 7, "Lee"), fileItem("lost", "gone", "lost.txt", 1, "Avery")},
		{folderItem("deliv", "contoso", "Deliverables"), fileItem("note", "clients", "note.txt", 5, "Avery"),
			fileItem("deck", "deliv", "deck.pptx", 100, "Megan"), fileItem("tmp", "clients", "tmp.txt", 3, "Avery")},
		{folderItem("contoso", "clients", "Contoso"), folderItem("fab", "clients", "Fabrikam"), renamed,
			moved, deletedItem("tmp")},
		{folderItem("clients", "root", "Clients"), rootItem(), fileItem("spec", "fab", "spec.docx", 7, "Lee")},
	}
}

// A first round staged and written parents first at its end leaves what
// the same round written page by page leaves (placeDump: items, paths,
// clients, activity, file links, search documents, auto-links), and a
// later round goes on from there the same way; nothing stays staged. One
// difference, for the better: a file created and deleted within the round
// keeps its folder in its path (placed before it was deleted), where
// written page by page it had been deleted before its folder came.
func TestStagedRoundLandsWhereAPageByPageRoundDoes(t *testing.T) {
	staged, direct := newDriveFixture(t), newDriveFixture(t)
	direct.unlinked = true
	later := fileItem("plan", "deliv", "plan.xlsx", 9, "Megan")
	rounds := [][][]model.DriveItem{stagedRound(), {{later, deletedItem("deck")}, {folderItem("fab", "root", "Fabrikam")}}}
	for r, pages := range rounds {
		want := direct.round(t, pages...)
		got := staged.round(t, pages...)
		if fmt.Sprint(ids(got.ClientIDs)) != fmt.Sprint(ids(want.ClientIDs)) || got.Upserted != want.Upserted || got.Removed != want.Removed {
			t.Fatalf("round %d: staged %+v, page by page %+v", r, got, want)
		}
		a, b := placeDump(t, direct.s), placeDump(t, staged.s)
		if !slices.Contains(b, "activity tmp|deleted|Clients/tmp.txt|0|0") {
			t.Fatalf("round %d: the file created and deleted in the first round lost its folder:\n%s", r, strings.Join(b, "\n"))
		}
		if a, b = withoutItem(a, "tmp"), withoutItem(b, "tmp"); strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Fatalf("round %d page by page:\n%s\nstaged:\n%s", r, strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
		if n := stagedCount(t, staged.s); n != 0 {
			t.Fatalf("round %d left %d items staged", r, n)
		}
	}
	expectTree(t, staged.tree(t), "=-", "Clients=-", "Clients/Contoso=Contoso", "Clients/Contoso/Deliverables=Contoso",
		"Clients/Contoso/Deliverables/memo v2.txt=Contoso", "Clients/Contoso/Deliverables/plan.xlsx=Contoso",
		"Fabrikam=Fabrikam", "Fabrikam/note.txt=Fabrikam", "Fabrikam/spec.docx=Fabrikam", "lost.txt=-")
}

// While a first round is staged, its pages' checkpoints and the item
// count move and drive_items does not; a restart mid-round (a new
// BeginRound from the saved link) finishes the same round with what was
// staged before it; a round started afresh (after a 410) drops what an
// abandoned round staged.
func TestStagedRoundResumesAndAnAbandonedOneIsDropped(t *testing.T) {
	ctx := context.Background()
	pages := stagedRound()
	want := newDriveFixture(t)
	want.round(t, pages...)

	f := newDriveFixture(t)
	apply := func(i int, items []model.DriveItem) {
		t.Helper()
		p := DrivePage{StreamID: f.st.ID, AccountID: f.acct.ID, DriveID: testDrive, Items: items, ClientKeys: f.keys,
			NextLink: fmt.Sprintf("next-%d", i)}
		if i == len(pages)-1 {
			p.NextLink, p.DeltaLink, p.Complete = "", "delta-1", true
		}
		if _, err := f.s.ApplyDrivePage(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.s.BeginRound(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	apply(0, []model.DriveItem{fileItem("ghost", "root", "ghost.txt", 1, "Lee")})
	// A 410: the round starts again from scratch, without the ghost.
	if err := f.s.ResetStream(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.BeginRound(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	if n := stagedCount(t, f.s); n != 0 {
		t.Fatalf("a round started afresh kept %d items the abandoned one staged", n)
	}
	before, err := f.s.Stream(ctx, f.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	apply(0, pages[0])
	apply(1, pages[1])
	st, err := f.s.Stream(ctx, f.st.ID)
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	if err := f.s.db.QueryRow(`SELECT COUNT(*) FROM drive_items`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if st.NextLink != "next-1" || st.Items-before.Items != 8 || stored != 0 || stagedCount(t, f.s) != 8 {
		t.Fatalf("after two staged pages: next %q, %d items counted, %d stored, %d staged; want next-1, 8, 0, 8",
			st.NextLink, st.Items-before.Items, stored, stagedCount(t, f.s))
	}
	// The app restarts: the round goes on from the saved link.
	if _, err := f.s.BeginRound(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	apply(2, pages[2])
	apply(3, pages[3])
	if a, b := placeDump(t, want.s), placeDump(t, f.s); strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("uninterrupted:\n%s\nresumed:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	if st, _ := f.s.Stream(ctx, f.st.ID); st.NextLink != "" || st.DeltaLink != "delta-1" || stagedCount(t, f.s) != 0 {
		t.Fatalf("after the round: next %q, delta %q, %d staged", st.NextLink, st.DeltaLink, stagedCount(t, f.s))
	}
}

// withoutItem is a placeDump without the lines of one item.
func withoutItem(dump []string, id string) []string {
	var out []string
	for _, line := range dump {
		if _, rest, _ := strings.Cut(line, " "); !strings.HasPrefix(rest, id+"|") {
			out = append(out, line)
		}
	}
	return out
}

// A damaged staged entry asks for the round afresh (as a 410 does), and
// the fresh round starts without the stage, instead of failing forever.
func TestDamagedStageAsksForAFreshRound(t *testing.T) {
	ctx := context.Background()
	f := newDriveFixture(t)
	if _, err := f.s.BeginRound(ctx, f.st.ID); err != nil {
		t.Fatal(err)
	}
	page := func(items []model.DriveItem, complete bool) DrivePage {
		p := DrivePage{StreamID: f.st.ID, AccountID: f.acct.ID, DriveID: testDrive, Items: items, ClientKeys: f.keys, NextLink: "next-0"}
		if complete {
			p.NextLink, p.DeltaLink, p.Complete = "", "delta-1", true
		}
		return p
	}
	if _, err := f.s.ApplyDrivePage(ctx, page([]model.DriveItem{fileItem("a", "root", "a.txt", 1, "Lee")}, false)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.db.Exec(`UPDATE drive_stage SET item = substr(item, 1, 5)`); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.ApplyDrivePage(ctx, page([]model.DriveItem{rootItem()}, true))
	if !errors.Is(err, model.ErrResyncRequired) {
		t.Fatalf("a damaged stage: %v, want a resync", err)
	}
	if err := f.s.ResetStream(ctx, f.st.ID); err != nil { // what the engine does on a resync
		t.Fatal(err)
	}
	f.round(t, []model.DriveItem{fileItem("b", "root", "b.txt", 1, "Lee")}, []model.DriveItem{rootItem()})
	expectTree(t, f.tree(t), "=-", "b.txt=-")
}

func stagedCount(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM drive_stage`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// parentsFirst puts every item after its parent (as of its last live
// report), keeps one item's reports and one depth's items in Graph's
// order, and ends on a cycle.
func TestParentsFirst(t *testing.T) {
	refs := []stagedRef{
		{1, "f1", "b", false}, {2, "b", "a", false}, {3, "x", "", true}, {4, "f1", "a", false},
		{5, "a", "root", false}, {6, "root", "", false}, {7, "b", "a", false}, {8, "c1", "c2", false}, {9, "c2", "c1", false},
	}
	got := parentsFirst(refs)
	// depth: root 0 (parent outside), a 1, b 2, f1 2 (last report under a);
	// x (never live) 0; the c1/c2 cycle is cut somewhere, both placed.
	want := []int64{3, 6, 5, 1, 2, 4, 7}
	if len(got) != len(refs) || !slices.Equal(without(got, 8, 9), want) {
		t.Fatalf("order %v, want %v with 8 and 9 anywhere", got, want)
	}
}

func without(v []int64, drop ...int64) []int64 {
	var out []int64
	for _, x := range v {
		if !slices.Contains(drop, x) {
			out = append(out, x)
		}
	}
	return out
}

// Every field of model.DriveItem survives the stage; a damaged entry is
// an error, not an item.
func TestStagedItemsKeepEveryField(t *testing.T) {
	var it model.DriveItem
	fill(reflect.ValueOf(&it).Elem(), new(int))
	back, err := decodeStaged(appendStaged(nil, it))
	if err != nil || !reflect.DeepEqual(back, it) {
		t.Fatalf("staged %+v\ncame back %+v (%v)", it, back, err)
	}
	zero, err := decodeStaged(appendStaged(nil, model.DriveItem{ID: "x"}))
	if err != nil || !zero.CreatedAt.IsZero() || zero.ID != "x" {
		t.Fatalf("an item without dates came back %+v (%v)", zero, err)
	}
	b := appendStaged(nil, it)
	for _, cut := range [][]byte{b[:len(b)-1], b[:len(b)/2], append(slices.Clone(b), 0)} {
		if _, err := decodeStaged(cut); err == nil {
			t.Fatalf("a damaged entry (%d of %d bytes) decoded", len(cut), len(b))
		}
	}
}

// fill sets every field of v to a value of its own, different from the
// zero value and from the other fields'.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("field %d", *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int64:
		v.SetInt(int64(*n) * 1000003)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 1, *n, 9, 30, 15, 123456789, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			fill(v.Field(i), n)
		}
	default:
		panic("fill: a field of kind " + v.Kind().String() + ": teach appendStaged and fill about it")
	}
}

// BenchmarkParentsFirst300k orders a first round of 300,000 items (3,000
// folders four deep, 99 files each) sent deepest first: the memory a
// very large OneDrive's round end holds while it is ordered (B/op).
func BenchmarkParentsFirst300k(b *testing.B) {
	const folders, files = 3000, 99
	id := func(kind string, i int) string { return fmt.Sprintf("01BXQ3JZ%s%024d", kind, i) }
	var refs []stagedRef
	for f := folders - 1; f >= 0; f-- {
		parent := "root"
		if f >= 4 {
			parent = id("F", f/4-1) // four levels under the root's first folders
		}
		for i := 0; i < files; i++ {
			refs = append(refs, stagedRef{seq: int64(len(refs)), id: id("I", f*files+i), parent: id("F", f)})
		}
		refs = append(refs, stagedRef{seq: int64(len(refs)), id: id("F", f), parent: parent})
	}
	refs = append(refs, stagedRef{seq: int64(len(refs)), id: "root"})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got := parentsFirst(refs); len(got) != len(refs) {
			b.Fatal(len(got))
		}
	}
}
