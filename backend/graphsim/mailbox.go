package graphsim

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/url"
	"sort"
	"strings"
	"time"

	"rapport/backend/model"
)

// folder is a mail folder. A search folder (Search != "") is virtual: it
// shows the messages of SearchSource whose subject contains Search, so a
// client that syncs it gets duplicates — which is why Graph clients skip
// #microsoft.graph.mailSearchFolder.
type folder struct {
	ID, Name, ParentID, WellKnown string
	Hidden                        bool
	Search, SearchSource          string
}

// message is a mail item with every property Graph returns under
// Mail.ReadBasic, plus the change-tracking sequence numbers delta needs.
type message struct {
	ID, FolderID                      string
	ConversationID, ConversationIdx   string
	InternetMessageID, Subject        string
	From, Sender                      model.Recipient
	To, Cc, Bcc, ReplyTo              []model.Recipient
	Created, Modified, Sent, Received time.Time
	IsRead, IsDraft, HasAttachments   bool
	Importance, Inference, Flag       string
	Categories                        []string
	ChangeKey                         string

	entered int64 // change sequence at which it entered its current folder
	changed int64 // change sequence of its last change of any kind
}

// tombstone records that a message left a folder (moved or deleted) at seq,
// so a later delta round on that folder reports it as @removed.
type tombstone struct {
	id  string
	seq int64
}

// mailbox is the consultant's mailbox. seq is a global change counter: every
// change stamps the message (or tombstone) with ++seq, and a delta token is
// essentially "changes after seq N".
type mailbox struct {
	folders   []*folder // tree order: parents before children, siblings by name
	byID      map[string]*folder
	byKnown   map[string]*folder
	msgs      map[string]*message
	gone      map[string][]tombstone
	seq       int64
	rootID    string
	meAddress string

	calendars  []*calendar
	events     map[string]*event
	eventsGone []eventTombstone
}

func newMailbox() *mailbox {
	return &mailbox{byID: map[string]*folder{}, byKnown: map[string]*folder{}, msgs: map[string]*message{}, gone: map[string][]tombstone{},
		events: map[string]*event{}}
}

func (mb *mailbox) addFolder(f *folder) {
	mb.folders = append(mb.folders, f)
	mb.byID[f.ID] = f
	if f.WellKnown != "" {
		mb.byKnown[f.WellKnown] = f
	}
}

// sortFolders puts the folder list in tree order with siblings by name, the
// order Graph lists them in.
func (mb *mailbox) sortFolders() {
	kids := map[string][]*folder{}
	for _, f := range mb.folders {
		kids[f.ParentID] = append(kids[f.ParentID], f)
	}
	var out []*folder
	var walk func(id string)
	walk = func(id string) {
		k := kids[id]
		sort.SliceStable(k, func(i, j int) bool { return strings.ToLower(k[i].Name) < strings.ToLower(k[j].Name) })
		for _, f := range k {
			out = append(out, f)
			walk(f.ID)
		}
	}
	root := mb.byID[mb.rootID]
	out = append(out, root)
	walk(root.ID)
	mb.folders = out
}

// resolve finds a folder by id (case-sensitive, like Outlook ids) or by
// well-known name (case-insensitive, like Graph).
func (mb *mailbox) resolve(idOrName string) *folder {
	if f, ok := mb.byID[idOrName]; ok {
		return f
	}
	return mb.byKnown[strings.ToLower(idOrName)]
}

func (mb *mailbox) children(parentID string) []*folder {
	var out []*folder
	for _, f := range mb.folders {
		if f.ParentID == parentID && f.ID != mb.rootID {
			out = append(out, f)
		}
	}
	return out
}

// inFolder says whether m is listed in f (directly, or through a search).
func (mb *mailbox) inFolder(m *message, f *folder) bool {
	if f.Search != "" {
		return m.FolderID == f.SearchSource && strings.Contains(strings.ToLower(m.Subject), strings.ToLower(f.Search))
	}
	return m.FolderID == f.ID
}

// members lists f's messages newest first (ties by id), the order Outlook
// pages them in: every message has changed since before the first change.
func (mb *mailbox) members(f *folder) []*message {
	return mb.changedSince(f, fullRound)
}

// changedSince lists f's messages changed after seq since, in members'
// order. A poll with nothing new in the mailbox returns at once, and
// otherwise the change is tested before the folder (which lowers the
// subject for a search folder): the simulator runs in the benchmark's
// process, and its scans of the whole mailbox were half of what an
// unchanged poll cost there.
func (mb *mailbox) changedSince(f *folder, since int64) []*message {
	if since >= mb.seq {
		return nil
	}
	var out []*message
	for _, m := range mb.msgs {
		if m.changed > since && mb.inFolder(m, f) {
			out = append(out, m)
		}
	}
	sortNewestFirst(out)
	return out
}

func sortNewestFirst(ms []*message) {
	sort.Slice(ms, func(i, j int) bool {
		if !ms[i].Received.Equal(ms[j].Received) {
			return ms[i].Received.After(ms[j].Received)
		}
		return ms[i].ID < ms[j].ID
	})
}

func (mb *mailbox) counts(f *folder) (total, unread, childCount int) {
	for _, m := range mb.msgs {
		if mb.inFolder(m, f) {
			total++
			if !m.IsRead {
				unread++
			}
		}
	}
	return total, unread, len(mb.children(f.ID))
}

// removeFrom records that m left its folder now; search folders over that
// folder lose it too.
func (mb *mailbox) removeFrom(m *message) {
	mb.seq++
	for _, f := range mb.folders {
		if mb.inFolder(m, f) {
			mb.gone[f.ID] = append(mb.gone[f.ID], tombstone{id: m.ID, seq: mb.seq})
		}
	}
}

// ---- ids ----

// idGen makes Outlook-looking ids from a seeded source, so the same seed
// yields the same ids. Real ids are base64 of binary entry ids; clients must
// treat them as opaque, case-sensitive strings, which these are too.
type idGen struct{ r *rand.Rand }

func (g idGen) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return b
}

func (g idGen) messageID() string {
	return "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A" + base64.RawURLEncoding.EncodeToString(g.bytes(30)) + "AAA="
}

func (g idGen) folderID() string {
	return "AQMkADAwATM0MDAAMS1" + base64.RawURLEncoding.EncodeToString(g.bytes(18)) + "AAAA=="
}

func (g idGen) conversationID() string {
	return "AAQkADAwATM0MDAAMS1" + base64.RawURLEncoding.EncodeToString(g.bytes(27)) + "="
}

// changeKey uses the standard alphabet (it can hold '/' and '+'), as real
// change keys do.
func (g idGen) changeKey() string {
	return "CQAAABYAAAA" + base64.RawStdEncoding.EncodeToString(g.bytes(21))
}

func (g idGen) internetMessageID(host string) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 20)
	for i := range b {
		b[i] = alnum[g.r.IntN(len(alnum))]
	}
	return fmt.Sprintf("<%s.%s@%s>", b[:12], b[12:], host)
}

// conversationIndex follows the Outlook layout: a 22-byte header (reserved
// byte, 5 bytes of FILETIME, 16-byte GUID) and 5 more bytes per reply.
func conversationIndex(guid []byte, start time.Time, depth int) string {
	ft := uint64(start.UnixNano()/100) + 116444736000000000
	b := []byte{0x01, byte(ft >> 56), byte(ft >> 48), byte(ft >> 40), byte(ft >> 32), byte(ft >> 24)}
	b = append(b, guid[:16]...)
	for i := 0; i < depth; i++ {
		b = append(b, 0x00, 0x00, byte(i*7+3), byte(i*13+5), 0x10)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func webLink(id string) string {
	return "https://outlook.office365.com/owa/?ItemID=" + url.QueryEscape(id) + "&exvsurl=1&viewmodel=ReadMessageItem"
}

// ---- truth and live changes ----

// Folders returns every real folder (search folders excluded: they hold no
// messages of their own), in tree order, with WellKnown set where one
// applies. The root (msgfolderroot) is not included, as Graph never lists it.
func (s *Server) Folders() []model.MailFolder {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []model.MailFolder
	for _, f := range s.mb.folders {
		if f.ID == s.mb.rootID || f.Search != "" {
			continue
		}
		total, unread, kids := s.mb.counts(f)
		out = append(out, model.MailFolder{
			ID: f.ID, DisplayName: f.Name, ParentFolderID: f.ParentID,
			ChildFolderCount: kids, TotalItemCount: total, UnreadItemCount: unread,
			IsHidden: f.Hidden, WellKnown: f.WellKnown,
		})
	}
	return out
}

// Messages returns every message now in the mailbox, oldest first (ties by
// id): what a correct sync of all folders must hold.
func (s *Server) Messages() []model.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := make([]*message, 0, len(s.mb.msgs))
	for _, m := range s.mb.msgs {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool {
		if !ms[i].Received.Equal(ms[j].Received) {
			return ms[i].Received.Before(ms[j].Received)
		}
		return ms[i].ID < ms[j].ID
	})
	out := make([]model.Message, len(ms))
	for i, m := range ms {
		out[i] = m.model()
	}
	return out
}

func (m *message) model() model.Message {
	return model.Message{
		ID: m.ID, ParentFolderID: m.FolderID, ConversationID: m.ConversationID,
		InternetMessageID: m.InternetMessageID, Subject: m.Subject, From: m.From,
		To: cloneRecipients(m.To), Cc: cloneRecipients(m.Cc), Bcc: cloneRecipients(m.Bcc),
		SentAt: m.Sent, ReceivedAt: m.Received, IsRead: m.IsRead, IsDraft: m.IsDraft,
		HasAttachments: m.HasAttachments, Categories: append([]string{}, m.Categories...),
		WebLink: webLink(m.ID), ChangeKey: m.ChangeKey,
	}
}

func cloneRecipients(rs []model.Recipient) []model.Recipient {
	return append([]model.Recipient{}, rs...)
}

// AddMessage puts m into a folder (well-known name or id) as a new arrival
// and returns it as stored: empty ID, ConversationID, InternetMessageID,
// ChangeKey and times are filled in (times default to now). It appears in
// the folder's next delta round. The zero Message means the folder is unknown.
func (s *Server) AddMessage(folderWellKnownOrID string, m model.Message) model.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.mb.resolve(folderWellKnownOrID)
	if f == nil || f.Search != "" || f.ID == s.mb.rootID {
		return model.Message{}
	}
	g := idGen{s.live}
	now := time.Now().UTC().Truncate(time.Second)
	nm := &message{
		ID: m.ID, FolderID: f.ID, ConversationID: m.ConversationID,
		InternetMessageID: m.InternetMessageID, Subject: m.Subject,
		From: m.From, Sender: m.From, To: cloneRecipients(m.To), Cc: cloneRecipients(m.Cc), Bcc: cloneRecipients(m.Bcc),
		ReplyTo: []model.Recipient{}, Sent: m.SentAt.UTC(), Received: m.ReceivedAt.UTC(),
		IsRead: m.IsRead, IsDraft: m.IsDraft, HasAttachments: m.HasAttachments,
		Importance: "normal", Inference: "focused", Flag: "notFlagged",
		Categories: append([]string{}, m.Categories...), ChangeKey: m.ChangeKey,
	}
	if nm.ID == "" || s.mb.msgs[nm.ID] != nil {
		nm.ID = g.messageID()
	}
	if nm.ConversationID == "" {
		nm.ConversationID = g.conversationID()
	}
	if nm.InternetMessageID == "" {
		nm.InternetMessageID = g.internetMessageID("simulator.prod.outlook.com")
	}
	if nm.ChangeKey == "" {
		nm.ChangeKey = g.changeKey()
	}
	if nm.Received.IsZero() {
		nm.Received = now
	}
	if nm.Sent.IsZero() {
		nm.Sent = nm.Received
	}
	nm.Received = nm.Received.Truncate(time.Second)
	nm.Sent = nm.Sent.Truncate(time.Second)
	nm.Created, nm.Modified = nm.Received, nm.Received
	nm.ConversationIdx = conversationIndex(g.bytes(16), nm.Sent, 0)
	s.mb.seq++
	nm.entered, nm.changed = s.mb.seq, s.mb.seq
	s.mb.msgs[nm.ID] = nm
	return nm.model()
}

// MoveMessage moves a message to another folder (well-known name or id). Its
// id stays (immutable ids); the old folder's next delta reports it @removed
// and the new one's reports it as added.
func (s *Server) MoveMessage(id, toFolder string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mb.msgs[id]
	if m == nil {
		return fmt.Errorf("graphsim: no message %q", id)
	}
	f := s.mb.resolve(toFolder)
	if f == nil || f.Search != "" || f.ID == s.mb.rootID {
		return fmt.Errorf("graphsim: no folder %q", toFolder)
	}
	if f.ID == m.FolderID {
		return nil
	}
	s.mb.removeFrom(m)
	s.mb.seq++
	m.FolderID = f.ID
	m.entered, m.changed = s.mb.seq, s.mb.seq
	m.ChangeKey = idGen{s.live}.changeKey()
	m.Modified = time.Now().UTC().Truncate(time.Second)
	return nil
}

// DeleteMessage removes a message from the mailbox for good (what Outlook
// does on a hard delete or when Deleted Items is emptied; a soft delete is
// MoveMessage(id, "deleteditems")).
func (s *Server) DeleteMessage(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mb.msgs[id]
	if m == nil {
		return fmt.Errorf("graphsim: no message %q", id)
	}
	s.mb.removeFrom(m)
	delete(s.mb.msgs, id)
	return nil
}

// MarkRead changes a message's read state: an "updated" change that the
// folder's next delta round carries again with its new changeKey.
func (s *Server) MarkRead(id string, read bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mb.msgs[id]
	if m == nil {
		return fmt.Errorf("graphsim: no message %q", id)
	}
	s.mb.seq++
	m.IsRead = read
	m.changed = s.mb.seq
	m.ChangeKey = idGen{s.live}.changeKey()
	m.Modified = time.Now().UTC().Truncate(time.Second)
	return nil
}
