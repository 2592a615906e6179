package sync_test

import (
	"context"
	"strings"
	"testing"

	"rapport/backend/model"
)

// A move between folders arrives as @removed in one folder's delta and as
// an addition in another's, in either order and possibly in different
// rounds (the scheduler polls Inbox every 15 s and Archive every 5 min).
// The message must never leave the store on the way.

func (h *harness) has(t *testing.T, id string) bool {
	t.Helper()
	_, err := h.store.Message(context.Background(), h.acct.ID, id)
	if err != nil && err != model.ErrNotFound {
		t.Fatal(err)
	}
	return err == nil
}

// clientMessageIn picks a client message (one the store keeps) in a folder.
func (h *harness) clientMessageIn(t *testing.T, folder string) string {
	t.Helper()
	exp := h.expected(t)
	for _, m := range h.sim.Messages() {
		if _, ok := exp[m.ID]; ok && m.ParentFolderID == folder && strings.HasSuffix(m.From.Address, "contoso.com") {
			return m.ID
		}
	}
	t.Fatalf("no client message in folder %s", folder)
	return ""
}

// syncAllBut runs one round of every stream except the named ones.
func (h *harness) syncAllBut(t *testing.T, skip ...string) {
	t.Helper()
	streams, err := h.store.Streams(context.Background(), h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range streams {
		if !contains(skip, s.Name) {
			h.syncStream(t, s.Kind, s.Name)
		}
	}
}

func (h *harness) folderItems(t *testing.T, name string) int {
	t.Helper()
	fs, err := h.store.MailFolders(context.Background(), h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Name == name {
			return f.Items
		}
	}
	t.Fatalf("no folder %s", name)
	return 0
}

func TestMoveRemovalFirstAcrossRounds(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sync(t)
	id := h.clientMessageIn(t, h.folderID(t, "inbox"))
	inboxItems, archiveItems := h.folderItems(t, "Inbox"), h.folderItems(t, "Archive")
	if err := h.sim.MoveMessage(id, "archive"); err != nil {
		t.Fatal(err)
	}
	// Inbox is polled first, and again, and so is everything but Archive:
	// the removal is known, the addition is not yet.
	h.syncStream(t, model.StreamMail, "Inbox")
	h.syncStream(t, model.StreamMail, "Inbox")
	h.syncAllBut(t, "Archive")
	if !h.has(t, id) {
		t.Fatal("a message moved out of Inbox was deleted before Archive's round")
	}
	if got := h.folderItems(t, "Inbox"); got != inboxItems-1 {
		t.Fatalf("Inbox holds %d, want %d", got, inboxItems-1)
	}
	h.syncStream(t, model.StreamMail, "Archive")
	if !h.has(t, id) || h.folderItems(t, "Archive") != archiveItems+1 {
		t.Fatal("the moved message is not in Archive")
	}
	h.sync(t)
	h.sync(t)
	h.assertMirrors(t)
}

func TestMoveAdditionFirstAcrossRounds(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sync(t)
	id := h.clientMessageIn(t, h.folderID(t, "inbox"))
	if err := h.sim.MoveMessage(id, "archive"); err != nil {
		t.Fatal(err)
	}
	// Archive first: the addition; then the other folders, Inbox last.
	h.syncStream(t, model.StreamMail, "Archive")
	h.syncAllBut(t, "Archive", "Inbox")
	h.syncStream(t, model.StreamMail, "Inbox")
	if !h.has(t, id) {
		t.Fatal("a moved message was lost")
	}
	h.sync(t)
	h.sync(t)
	h.assertMirrors(t)
}

// The move happens in the middle of a pass: Archive's round already ran
// (it did not see the addition), Inbox's round after the move reports the
// removal. The pass ends with the message held by no folder; it must
// survive until Archive's next round reports it.
func TestMoveDuringAPass(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sync(t)
	id := h.clientMessageIn(t, h.folderID(t, "inbox"))
	h.syncStream(t, model.StreamMail, "Archive")
	if err := h.sim.MoveMessage(id, "archive"); err != nil {
		t.Fatal(err)
	}
	h.syncAllBut(t, "Archive")
	ctx := context.Background()
	if err := h.engine.Discover(ctx, h.acct); err != nil {
		t.Fatal(err)
	}
	h.syncAllBut(t, "Archive")
	if !h.has(t, id) {
		t.Fatal("a message moved mid-pass was deleted")
	}
	h.sync(t)
	if !h.has(t, id) {
		t.Fatal("a message moved mid-pass was lost")
	}
	h.assertMirrors(t)
}

// A real deletion is confirmed once a discovery and every folder's round
// started after the removal was seen — and only then.
func TestDeletionConfirmedOnceEveryFolderHadARound(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sync(t)
	id := h.clientMessageIn(t, h.folderID(t, "inbox"))
	if err := h.sim.DeleteMessage(id); err != nil {
		t.Fatal(err)
	}
	h.syncStream(t, model.StreamMail, "Inbox") // the removal: no folder holds it now
	h.syncAllBut(t, "Inbox")
	if !h.has(t, id) {
		t.Fatal("deleted before a discovery had its chance to find a new folder holding it")
	}
	if err := h.engine.Discover(context.Background(), h.acct); err != nil {
		t.Fatal(err)
	}
	h.syncStream(t, model.StreamMail, "Inbox")
	if h.has(t, id) {
		t.Fatal("not deleted after a discovery and every folder's round")
	}

	// Again with Archive last.
	id = h.clientMessageIn(t, h.folderID(t, "inbox"))
	if err := h.sim.DeleteMessage(id); err != nil {
		t.Fatal(err)
	}
	h.syncStream(t, model.StreamMail, "Inbox")
	if err := h.engine.Discover(context.Background(), h.acct); err != nil {
		t.Fatal(err)
	}
	h.syncAllBut(t, "Inbox", "Archive")
	if !h.has(t, id) {
		t.Fatal("deleted before Archive had a round")
	}
	h.syncStream(t, model.StreamMail, "Inbox") // Inbox too: it could have come back
	if !h.has(t, id) {
		t.Fatal("deleted before Archive had a round")
	}
	h.syncStream(t, model.StreamMail, "Archive")
	if h.has(t, id) {
		t.Fatal("a deleted message is still stored after every folder had its round")
	}
	var changed bool
	for _, e := range h.emittedEvents() {
		if e.name == "data:changed" {
			changed = true
		}
	}
	if !changed {
		t.Fatal("no data:changed")
	}
	h.assertMirrors(t)
}

// Excluding a folder removes what only it held; including it again brings
// it back. A new folder is synced without anyone asking.
func TestFolderChoices(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.sync(t)
	ctx := context.Background()
	archive := h.folderID(t, "archive")
	only := h.clientMessageIn(t, archive)
	if err := h.store.SetFolderIncluded(ctx, h.acct.ID, archive, false); err != nil {
		t.Fatal(err)
	}
	if err := h.engine.ApplyFolderChoices(ctx, h.acct); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	h.sync(t)
	if h.has(t, only) {
		t.Fatal("a message of an excluded folder is still stored")
	}
	for _, s := range mustStreams(t, h) {
		if s.Resource == archive {
			t.Fatal("an excluded folder still has a stream")
		}
	}
	if err := h.store.SetFolderIncluded(ctx, h.acct.ID, archive, true); err != nil {
		t.Fatal(err)
	}
	if err := h.engine.ApplyFolderChoices(ctx, h.acct); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if !h.has(t, only) {
		t.Fatal("including a folder again did not bring its messages back")
	}
	h.assertMirrors(t)

	// Drafts is excluded by default; including it syncs it.
	drafts := h.folderID(t, "drafts")
	if err := h.store.SetFolderIncluded(ctx, h.acct.ID, drafts, true); err != nil {
		t.Fatal(err)
	}
	if err := h.engine.ApplyFolderChoices(ctx, h.acct); err != nil {
		t.Fatal(err)
	}
	h.sync(t)
	if n := h.folderItems(t, "Drafts"); n == 0 {
		t.Fatal("an included Drafts folder was not synced")
	}
}

func mustStreams(t *testing.T, h *harness) []model.Stream {
	t.Helper()
	s, err := h.store.Streams(context.Background(), h.acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
