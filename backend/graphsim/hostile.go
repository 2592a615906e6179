package graphsim

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"rapport/backend/model"
)

// Hostile input: mail and meetings written by strangers, and answers of
// the wrong shape. Subjects, names and links are attacker-controlled text
// in a real mailbox; Graph's JSON is mostly well-formed, but a client
// must survive the day it is not. AddHostileItems puts such items into
// the mailbox, linked to a client so they show on a timeline; the
// hostile-input suite (backend/reliability) checks the store keeps them
// intact or rejects them with a logged reason, and the Playwright test
// (frontend/e2e/hostile.test.mjs, `RAPPORT_DEMO_HOSTILE=1 rapport serve
// --demo`) that the UI shows them as inert text.

// HostileItem is one planted item.
type HostileItem struct {
	ID   string
	Kind string // model.KindMail or model.KindMeeting
	// Name says what it carries ("xss-subject", "null-fields"...).
	Name string
	// Truth is the item as the simulator holds it. For an Intact item the
	// store must keep these properties exactly; the others are rendered
	// differently on the wire (null, missing or mistyped fields, odd
	// dates), so the store may keep what it can read or skip them, but
	// must not fail.
	Truth  model.Message
	Event  model.Event
	Intact bool
	// WebLink is the link Graph sends for it ("" = the usual one).
	WebLink string
}

// XSS payloads, in subjects, names and links.
const (
	HostileXSSSubject = `<img src=x onerror=alert('subject')></script><script>alert("script")</script><a href="javascript:alert(1)">click</a>`
	HostileXSSName    = `<svg/onload=alert('from')> Mallory`
	HostileRTLSubject = "Invoice \u202Egpj.exe"
)

// hostileEdits changes how one item is rendered on the wire: set replaces
// (or adds) properties with raw JSON, drop removes them.
type hostileEdits struct {
	set  map[string]json.RawMessage
	drop []string
}

type hostileState struct {
	mu    sync.Mutex
	edits map[string]hostileEdits // item id -> edits
}

// hostileRegistry keeps each server's edits beside it (the Server struct
// stays as it is); entries live as long as the process, which is as long
// as a test or a demo.
var hostileRegistry sync.Map // *Server -> *hostileState

func (s *Server) hostileState() *hostileState {
	v, _ := hostileRegistry.LoadOrStore(s, &hostileState{edits: map[string]hostileEdits{}})
	return v.(*hostileState)
}

// hostile is the render hook (delta.go, graph_calendar.go): it applies the
// item's edits, if any, to its rendering.
func (s *Server) hostile(id string, o object) object {
	v, ok := hostileRegistry.Load(s)
	if !ok {
		return o
	}
	hs := v.(*hostileState)
	hs.mu.Lock()
	ed, ok := hs.edits[id]
	hs.mu.Unlock()
	if !ok {
		return o
	}
	out := make(object, 0, len(o)+len(ed.set))
	seen := map[string]bool{}
	for _, f := range o {
		if containsString(ed.drop, f.k) {
			continue
		}
		if raw, ok := ed.set[f.k]; ok {
			f.v = raw
			seen[f.k] = true
		}
		out = append(out, f)
	}
	for k, raw := range ed.set {
		if !seen[k] {
			out = append(out, field{k, raw})
		}
	}
	return out
}

func containsString(v []string, s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

func (s *Server) editHostile(id string, ed hostileEdits) {
	hs := s.hostileState()
	hs.mu.Lock()
	hs.edits[id] = ed
	hs.mu.Unlock()
}

func raw(v string) json.RawMessage { return json.RawMessage(v) }

// AddHostileItems plants the hostile items in the Inbox and the default
// calendar, from and with people at the tenant's first client's domain,
// and returns them.
func (s *Server) AddHostileItems() []HostileItem {
	s.mu.Lock()
	domain := "contoso.com"
	if len(s.tenant.clients) > 0 && len(s.tenant.clients[0].Domains) > 0 {
		domain = s.tenant.clients[0].Domains[0]
	}
	me := model.Recipient{Name: s.tenant.me.name, Address: s.tenant.me.mail}
	s.mu.Unlock()
	from := model.Recipient{Name: "Lee Gu", Address: "lee.gu@" + domain}
	now := time.Now().UTC().Truncate(time.Second)
	var out []HostileItem
	n := 0
	mail := func(name string, intact bool, m model.Message, ed *hostileEdits, webLink string) {
		n++
		if m.From.Address == "" {
			m.From = from
		}
		if len(m.To) == 0 {
			m.To = []model.Recipient{me}
		}
		if m.ReceivedAt.IsZero() {
			m.ReceivedAt = now.Add(-time.Duration(n) * time.Minute)
		}
		stored := s.AddMessage("inbox", m)
		if webLink != "" {
			if ed == nil {
				ed = &hostileEdits{}
			}
			if ed.set == nil {
				ed.set = map[string]json.RawMessage{}
			}
			ed.set["webLink"] = json.RawMessage(encodeJSON(webLink))
			stored.WebLink = webLink
		}
		if ed != nil {
			s.editHostile(stored.ID, *ed)
		}
		out = append(out, HostileItem{ID: stored.ID, Kind: model.KindMail, Name: name, Truth: stored, Intact: intact, WebLink: webLink})
	}

	mail("xss-subject", true, model.Message{Subject: HostileXSSSubject, From: model.Recipient{Name: HostileXSSName, Address: from.Address}}, nil, "")
	mail("javascript-weblink", true, model.Message{Subject: "Open me (a javascript: link)"}, nil, "javascript:alert(document.domain)")
	mail("data-weblink", true, model.Message{Subject: "Open me (a data: link)"}, nil, "data:text/html,<script>alert('data')</script>")
	mail("http-weblink", true, model.Message{Subject: "Open me (a plain http link)"}, nil, "http://attacker.example/phish")
	mail("file-weblink", true, model.Message{Subject: "Open me (a file: link)"}, nil, "file:///etc/passwd")
	mail("https-weblink", true, model.Message{Subject: "Open me (an https link)"}, nil, "https://attacker.example/landing?x=\"><script>alert(1)</script>")
	mail("rtl-override", true, model.Message{Subject: HostileRTLSubject, From: model.Recipient{Name: "Mallory \u202Emoc.elgoog@", Address: from.Address}}, nil, "")
	mail("control-chars", true, model.Message{Subject: "Bell\a Null\x00 Esc\x1b[31mRED\x1b[0m CR\rLF\nTab\t DEL\x7f C1\u0085\u009b end"}, nil, "")
	mail("emoji", true, model.Message{Subject: "🎉 Launch 👩🏽‍💻🚀 ✔️ 🇫🇷 🧑‍🤝‍🧑 𝕳𝖊𝖑𝖑𝖔 Z̷̢̛a̸l̶g̷o̵"}, nil, "")
	mail("huge-subject", true, model.Message{Subject: "HUGE " + strings.Repeat("A", 1<<20) + " END"}, nil, "")
	many := make([]model.Recipient, 0, 10000)
	for i := 0; i < 10000; i++ {
		d := domain
		if i%2 == 1 {
			d = fmt.Sprintf("crowd%d.example", i%97)
		}
		many = append(many, model.Recipient{Name: fmt.Sprintf("Recipient %d", i), Address: fmt.Sprintf("r%d@%s", i, d)})
	}
	mail("many-recipients", true, model.Message{Subject: "To everyone (10,000 recipients)", To: many}, nil, "")
	mail("odd-addresses", true, model.Message{Subject: "Odd addresses",
		To: []model.Recipient{me, {Name: "Quoted", Address: `"<script>alert(1)</script>"@` + domain}, {Name: "IDN", Address: "用户@例子.广告"},
			{Name: "No at", Address: "not-an-address"}, {Name: "", Address: ""}, {Name: "Shouting", Address: "SHOUT@" + strings.ToUpper(domain)}}}, nil, "")
	mail("null-fields", false, model.Message{Subject: "(null fields)"}, &hostileEdits{set: map[string]json.RawMessage{
		"subject": raw("null"), "from": raw("null"), "sender": raw("null"), "toRecipients": raw("null"), "ccRecipients": raw("null"),
		"categories": raw("null"), "receivedDateTime": raw("null"), "sentDateTime": raw("null"), "isRead": raw("null"),
		"webLink": raw("null"), "conversationId": raw("null"), "changeKey": raw("null"),
	}}, "")
	mail("missing-fields", false, model.Message{Subject: "(missing fields)"}, &hostileEdits{drop: []string{
		"subject", "from", "sender", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "categories", "receivedDateTime",
		"sentDateTime", "isRead", "webLink", "conversationId", "changeKey", "internetMessageId", "parentFolderId", "@odata.etag",
	}}, "")
	mail("out-of-range-dates", false, model.Message{Subject: "From the far future"}, &hostileEdits{set: map[string]json.RawMessage{
		"receivedDateTime": raw(`"9999-12-31T23:59:59Z"`), "sentDateTime": raw(`"0001-01-01T00:00:00Z"`)}}, "")
	mail("invalid-dates", false, model.Message{Subject: "Dates nobody can read"}, &hostileEdits{set: map[string]json.RawMessage{
		"receivedDateTime": raw(`"2026-13-45T99:99:99Z"`), "sentDateTime": raw(`"not a date"`), "lastModifiedDateTime": raw(`-1`)}}, "")
	mail("unknown-odata-type", true, model.Message{Subject: "A message of a type nobody knows"}, &hostileEdits{set: map[string]json.RawMessage{
		"@odata.type": raw(`"#microsoft.graph.somethingNewFrom2031"`), "@odata.weird": raw(`{"nested":[1,2,{"deep":true}]}`)}}, "")
	mail("wrong-types", false, model.Message{Subject: "(wrong types)"}, &hostileEdits{set: map[string]json.RawMessage{
		"subject": raw(`42`), "isRead": raw(`{"x":1}`), "toRecipients": raw(`"everyone"`), "categories": raw(`"x"`),
		"hasAttachments": raw(`"maybe"`)}}, "")
	deep := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	mail("deep-nesting", true, model.Message{Subject: "Deeply nested extra property"}, &hostileEdits{set: map[string]json.RawMessage{
		"x-extra": raw(deep)}}, "")

	// Meetings, in the calendar window (starting tomorrow).
	ev := func(name string, intact bool, e model.Event, ed *hostileEdits) {
		n++
		if e.Start.IsZero() {
			e.Start = now.Add(24*time.Hour + time.Duration(n)*time.Hour).Truncate(time.Hour)
			e.End = e.Start.Add(30 * time.Minute)
		}
		if e.Organizer.Address == "" {
			e.Organizer = from
		}
		if len(e.Attendees) == 0 {
			e.Attendees = []model.Attendee{{Type: "required", Email: me}, {Type: "required", Email: from}}
		}
		stored, err := s.AddEvent("", e)
		if err != nil {
			return
		}
		if ed != nil {
			s.editHostile(stored.ID, *ed)
		}
		out = append(out, HostileItem{ID: stored.ID, Kind: model.KindMeeting, Name: name, Event: stored, Intact: intact})
	}
	ev("xss-meeting", true, model.Event{Subject: HostileXSSSubject, Organizer: model.Recipient{Name: HostileXSSName, Address: from.Address}}, nil)
	ev("rtl-meeting", true, model.Event{Subject: HostileRTLSubject}, nil)
	ev("huge-meeting", true, model.Event{Subject: "HUGE " + strings.Repeat("B", 1<<20) + " END"}, nil)
	crowd := []model.Attendee{{Type: "required", Email: me}}
	for i := 0; i < 2000; i++ {
		crowd = append(crowd, model.Attendee{Type: "optional", Email: model.Recipient{Name: fmt.Sprintf("Guest %d", i), Address: fmt.Sprintf("g%d@%s", i, domain)}})
	}
	ev("crowded-meeting", true, model.Event{Subject: "All hands (2,000 attendees)", Attendees: crowd}, nil)
	ev("null-times", false, model.Event{Subject: "(no start or end)"}, &hostileEdits{set: map[string]json.RawMessage{
		"start": raw("null"), "end": raw("null")}})
	ev("far-dates", false, model.Event{Subject: "Meeting at the end of time"}, &hostileEdits{set: map[string]json.RawMessage{
		"start": raw(`{"dateTime":"9999-12-31T00:00:00.0000000","timeZone":"UTC"}`), "end": raw(`{"dateTime":"9999-12-31T01:00:00.0000000","timeZone":"UTC"}`)}})
	ev("unknown-zone", false, model.Event{Subject: "Meeting on Mars"}, &hostileEdits{set: map[string]json.RawMessage{
		"start": raw(`{"dateTime":"2031-01-01T10:00:00.0000000","timeZone":"Mars/Olympus_Mons"}`), "end": raw(`{"dateTime":"2031-01-01T11:00:00.0000000","timeZone":"Mars/Olympus_Mons"}`)}})
	ev("unknown-odata-type-meeting", true, model.Event{Subject: "A meeting of a type nobody knows"}, &hostileEdits{set: map[string]json.RawMessage{
		"@odata.type": raw(`"#microsoft.graph.somethingNewFrom2031"`)}})
	return out
}
