package graphsim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"rapport/backend/model"
)

// person is a mail participant.
type person struct{ name, address string }

func (p person) recipient() model.Recipient { return model.Recipient{Name: p.name, Address: p.address} }

// identityUser is someone who can sign in: the consultant, or the personal
// Microsoft account a script can make the sign-in return instead.
type identityUser struct {
	oid, graphID, tid, upn, name, given, surname string
	mail                                         string // "" = null (personal accounts often have none)
	jobTitle, office, phone, mobile              string
	personal                                     bool
}

// tenant is the seeded organisation: the consultant, colleagues, clients and
// the consultant's mailbox.
type tenant struct {
	me, personal identityUser
	colleagues   []person
	clients      []DemoClient
	mailbox      *mailbox
}

const (
	demoTenantID = "c6a5b4d3-2e1f-4a0b-9c8d-7e6f5a4b3c2d"
	// personalTenantID is the fixed tenant of all personal Microsoft accounts.
	personalTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"
)

// clientSpec describes one client's mail pattern: how much, from whom, how
// fast they answer, and whether they went quiet.
type clientSpec struct {
	name       string
	domains    []string
	contacts   []person
	threads    int
	silentDays int     // no mail either way in the last N days
	speed      float64 // multiplies their reply delays
	inbound    string  // well-known or local folder key their mail lands in
	topics     []string
}

var demoClients = []clientSpec{
	{
		name: "Contoso", domains: []string{"contoso.com"}, threads: 38, silentDays: 0, speed: 0.7, inbound: "inbox",
		contacts: []person{{"Megan Bowen", "megan.bowen@contoso.com"}, {"Lee Gu", "lee.gu@contoso.com"}, {"Alex Wilber", "alexw@mail.contoso.com"}, {"Isaiah Langer", "isaiah.langer@contoso.com"}},
		topics: []string{"Q3 plan — budget question", "SOW v2 for review", "Data platform migration — status", "Steering committee deck",
			"Access to the staging tenant", "Workshop follow-up: next steps", "Change request CR-14", "Risk register update",
			"Kick-off agenda for phase 2", "Vendor assessment questionnaire", "Timeline for the Power BI rollout", "Licensing options",
			"Feedback on the draft architecture", "Training plan for the ops team"},
	},
	{
		name: "Fabrikam", domains: []string{"fabrikam.com"}, threads: 16, silentDays: 2, speed: 1.0, inbound: "clients",
		contacts: []person{{"Nestor Wilke", "nestor.wilke@fabrikam.com"}, {"Diego Siciliani", "diegos@fabrikam.com"}, {"Lidia Holloway", "lidia.holloway@fabrikam.com"}},
		topics: []string{"Retail analytics pilot — scope", "Store data extract", "Contract renewal 2027", "Dashboard mock-ups",
			"Question about the forecast model", "Pilot results deck"},
	},
	{
		name: "Northwind Traders", domains: []string{"northwindtraders.com"}, threads: 12, silentDays: 38, speed: 1.3, inbound: "inbox",
		contacts: []person{{"Nancy Davolio", "nancy.davolio@northwindtraders.com"}, {"Andrew Fuller", "andrew.fuller@northwindtraders.com"}, {"Janet Leverling", "janet.leverling@northwindtraders.com"}},
		topics:   []string{"Supply chain review — findings", "Warehouse KPIs", "Final report v3", "Follow-up on the interviews", "Project close-out"},
	},
	{
		name: "Tailspin Toys", domains: []string{"tailspintoys.com"}, threads: 10, silentDays: 4, speed: 1.0, inbound: "inbox",
		contacts: []person{{"Elliot Hyde", "elliot-hyde@tailspintoys.com"}, {"Grady Archie", "grady.archie@tailspintoys.com"}},
		topics:   []string{"Holiday campaign analytics", "E-commerce funnel questions", "SOW for Q4", "Data sharing agreement", "Follow-up from Tuesday"},
	},
	{
		name: "Woodgrove Bank", domains: []string{"woodgrovebank.com"}, threads: 4, silentDays: 9, speed: 2.2, inbound: "inbox",
		contacts: []person{{"Pradeep Gupta", "pradeep.gupta@woodgrovebank.com"}, {"Miriam Graham", "m.graham@corp.woodgrovebank.com"}},
		topics:   []string{"Security review questionnaire", "Procurement onboarding documents", "Intro call — risk analytics"},
	},
	{
		name: "Adventure Works", domains: []string{"adventure-works.com"}, threads: 11, silentDays: 1, speed: 0.9, inbound: "inbox",
		contacts: []person{{"Patti Fernandez", "patti.fernandez@adventure-works.com"}, {"Joni Sherman", "joni.sherman@adventure-works.com"}, {"Henrietta Mueller", "henrietta@adventure-works.com"}},
		topics:   []string{"Product catalogue cleanup", "Spring launch timeline", "CRM integration questions", "Workshop dates", "Dealer portal feedback"},
	},
}

var demoColleagues = []person{
	{"Jordan Lee", "jordan.lee@adatum.com"}, {"Priya Natarajan", "priya.natarajan@adatum.com"},
	{"Sam Okafor", "sam.okafor@adatum.com"}, {"Morgan Diaz", "morgan.diaz@adatum.com"},
}

// officeZone is the consultant's working time zone (fixed offset, so data
// does not depend on the machine's zone database).
var officeZone = time.FixedZone("UTC-5", -5*3600)

// demoBuilder writes the seeded mailbox. Everything random comes from r, and
// everything time-like from anchor, so Seed+Anchor fix the result.
type demoBuilder struct {
	r *rand.Rand
	g idGen
	// closer draws the replies that close old threads (closeThread), from
	// a stream of its own so the rest of the tenant stays as it was.
	closer  *rand.Rand
	anchor  time.Time
	mb      *mailbox
	me      person
	folders map[string]*folder
	invoice int
}

func buildDemo(seed int64, anchor time.Time) *tenant {
	r := rand.New(rand.NewPCG(uint64(seed), 0x64656d6f)) // "demo"
	t := &tenant{
		me: identityUser{
			oid: "0d3b7e4a-6f21-4c89-a5d2-9e8f7c6b5a41", tid: demoTenantID,
			upn: "avery@adatum.com", mail: "avery@adatum.com", name: "Avery Brooks", given: "Avery", surname: "Brooks",
			jobTitle: "Principal Consultant", office: "Remote", phone: "+1 206 555 0147", mobile: "+1 206 555 0198",
		},
		personal: identityUser{
			oid: "00000000-0000-0000-4a1b-2c3d4e5f6a7b", graphID: "4a1b2c3d4e5f6a7b", tid: personalTenantID,
			upn: "avery.brooks@outlook.com", name: "Avery Brooks", given: "Avery", surname: "Brooks", personal: true,
		},
		colleagues: demoColleagues,
	}
	t.me.graphID = t.me.oid
	for _, c := range demoClients {
		t.clients = append(t.clients, DemoClient{Name: c.name, Domains: c.domains})
	}
	b := &demoBuilder{r: r, g: idGen{r}, closer: rand.New(rand.NewPCG(uint64(seed), 0x636c6f7365)), anchor: anchor, mb: newMailbox(), me: person{t.me.name, t.me.mail}, folders: map[string]*folder{}, invoice: 2030}
	b.mb.meAddress = t.me.mail
	b.makeFolders()
	for _, c := range demoClients {
		b.clientThreads(c)
	}
	b.internalThreads()
	b.outsideThreads()
	b.newsletters()
	b.drafts()
	buildDemoCalendar(b.mb, seed, anchor, b.me)
	t.mailbox = b.mb
	return t
}

func (b *demoBuilder) makeFolders() {
	// The root's parent is the mailbox's non-IPM subtree, which Graph never
	// serves; only its id shows, as the root's parentFolderId.
	root := &folder{ID: b.g.folderID(), Name: "Top of Information Store", WellKnown: "msgfolderroot", ParentID: b.g.folderID()}
	b.mb.rootID = root.ID
	b.mb.addFolder(root)
	mk := func(key, name, wellKnown, parent string, hidden bool) *folder {
		f := &folder{ID: b.g.folderID(), Name: name, WellKnown: wellKnown, ParentID: parent, Hidden: hidden}
		b.mb.addFolder(f)
		b.folders[key] = f
		return f
	}
	inbox := mk("inbox", "Inbox", "inbox", root.ID, false)
	mk("sentitems", "Sent Items", "sentitems", root.ID, false)
	mk("drafts", "Drafts", "drafts", root.ID, false)
	mk("deleteditems", "Deleted Items", "deleteditems", root.ID, false)
	mk("junkemail", "Junk Email", "junkemail", root.ID, false)
	mk("archive", "Archive", "archive", root.ID, false)
	mk("outbox", "Outbox", "outbox", root.ID, false)
	ch := mk("conversationhistory", "Conversation History", "conversationhistory", root.ID, false)
	mk("clutter", "Clutter", "clutter", root.ID, true)
	mk("newsletters", "Newsletters", "", root.ID, false)
	mk("receipts", "Receipts", "", root.ID, false)
	mk("clients", "Clients", "", inbox.ID, false)
	mk("teamchat", "Team Chat", "", ch.ID, false)
	sf := &folder{ID: b.g.folderID(), Name: "Weekly digests", ParentID: root.ID, Search: "weekly digest", SearchSource: inbox.ID}
	b.mb.addFolder(sf)
	b.mb.sortFolders()
}

// ---- time ----

// workTime moves t into the consultant's office hours (8:00–18:00, Mon–Fri),
// to the next opening if it falls outside them.
func (b *demoBuilder) workTime(t time.Time) time.Time {
	l := t.In(officeZone)
	for i := 0; i < 8; i++ {
		day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, officeZone)
		opening := day.Add(8*time.Hour + time.Duration(b.r.IntN(75))*time.Minute)
		switch {
		case l.Weekday() == time.Saturday || l.Weekday() == time.Sunday || l.Hour() >= 18:
			l = day.AddDate(0, 0, 1).Add(opening.Sub(day))
			continue
		case l.Hour() < 8:
			l = opening
		}
		break
	}
	return l.UTC().Add(time.Duration(b.r.IntN(60)) * time.Second).Truncate(time.Second)
}

// someDay picks a working moment between maxDays and minDays before anchor.
// Office hours can push a pick past anchor (today's evening, a weekend that
// ends tomorrow), so such picks move back a day.
func (b *demoBuilder) someDay(minDays, maxDays int) time.Time {
	d := minDays + b.r.IntN(max(1, maxDays-minDays))
	for {
		t := b.anchor.AddDate(0, 0, -d).In(officeZone)
		day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, officeZone)
		w := b.workTime(day.Add(8*time.Hour + time.Duration(b.r.IntN(10*60))*time.Minute))
		if w.Before(b.anchor.Add(-10*time.Minute)) || d > 400 {
			return w
		}
		d++
	}
}

// replyDelay is how long someone takes to answer: usually within hours,
// sometimes a day or two, scaled by speed.
func (b *demoBuilder) replyDelay(speed float64) time.Duration {
	var lo, hi time.Duration
	switch x := b.r.Float64(); {
	case x < 0.35:
		lo, hi = 10*time.Minute, 90*time.Minute
	case x < 0.70:
		lo, hi = 90*time.Minute, 6*time.Hour
	case x < 0.90:
		lo, hi = 6*time.Hour, 24*time.Hour
	default:
		lo, hi = 24*time.Hour, 48*time.Hour
	}
	d := lo + time.Duration(b.r.Int64N(int64(hi-lo)))
	return time.Duration(float64(d) * speed)
}

// ---- messages ----

type thread struct {
	convID string
	guid   []byte
	start  time.Time
	depth  int
}

func (b *demoBuilder) newThread(start time.Time) *thread {
	return &thread{convID: b.g.conversationID(), guid: b.g.bytes(16), start: start}
}

// mail is one message to write into the mailbox.
type mail struct {
	folder          string
	from            person
	to, cc, bcc     []person
	subject         string
	sent            time.Time
	th              *thread
	newsletter      bool
	replyTo         []person
	attachmentsHint bool
}

func recipients(ps []person) []model.Recipient {
	out := make([]model.Recipient, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.recipient())
	}
	return out
}

func (b *demoBuilder) add(m mail) *message {
	f := b.folders[m.folder]
	outbound := m.from.address == b.me.address
	th := m.th
	if th == nil {
		th = b.newThread(m.sent)
	}
	received := m.sent
	if !outbound {
		received = m.sent.Add(time.Duration(2+b.r.IntN(40)) * time.Second)
	}
	host := "prod.outlook.com"
	if strings.HasSuffix(m.from.address, "@gmail.com") {
		host = "mail.gmail.com"
	} else if i := strings.LastIndex(m.from.address, "@"); i >= 0 {
		host = "mail." + m.from.address[i+1:]
	}
	msg := &message{
		ID: b.g.messageID(), FolderID: f.ID, ConversationID: th.convID,
		ConversationIdx:   conversationIndex(th.guid, th.start, th.depth),
		InternetMessageID: b.g.internetMessageID(host), Subject: m.subject,
		From: m.from.recipient(), Sender: m.from.recipient(),
		To: recipients(m.to), Cc: recipients(m.cc), Bcc: recipients(m.bcc), ReplyTo: recipients(m.replyTo),
		Created: received, Modified: received.Add(time.Duration(b.r.IntN(3600)) * time.Second),
		Sent: m.sent, Received: received,
		Importance: "normal", Inference: "focused", Flag: "notFlagged", Categories: []string{},
		ChangeKey: b.g.changeKey(),
	}
	th.depth++
	if msg.Modified.After(b.anchor) {
		msg.Modified = b.anchor
	}
	switch {
	case outbound:
		msg.IsRead = true
	case m.newsletter:
		msg.IsRead = b.r.Float64() < 0.5
		msg.Inference = "other"
	case received.Before(b.anchor.Add(-36 * time.Hour)):
		msg.IsRead = b.r.Float64() < 0.97
	default:
		msg.IsRead = b.r.Float64() < 0.5
	}
	if b.r.Float64() < 0.04 && !m.newsletter {
		msg.Importance = "high"
	}
	p := 0.05
	if m.attachmentsHint {
		p = 0.7
	}
	msg.HasAttachments = b.r.Float64() < p
	b.mb.msgs[msg.ID] = msg
	return msg
}

var attachmentWords = []string{"SOW", "deck", "Invoice", "report", "documents", "mock-ups", "questionnaire", "extract", "agreement"}

func hintsAttachment(subject string) bool {
	for _, w := range attachmentWords {
		if strings.Contains(subject, w) {
			return true
		}
	}
	return false
}

func (b *demoBuilder) pick(ps []person) person { return ps[b.r.IntN(len(ps))] }

// threadLength favours short exchanges, like real client mail.
func (b *demoBuilder) threadLength() int {
	switch x := b.r.Float64(); {
	case x < 0.15:
		return 1
	case x < 0.45:
		return 2
	case x < 0.70:
		return 3
	case x < 0.85:
		return 4
	case x < 0.95:
		return 5
	default:
		return 6
	}
}

// clientThreads writes a client's conversations: who starts, alternating
// replies at realistic delays, colleagues and other contacts on cc, the
// last inbound sometimes left unanswered, old mail partly archived.
func (b *demoBuilder) clientThreads(c clientSpec) {
	limit := b.anchor.AddDate(0, 0, -c.silentDays).Add(-10 * time.Minute)
	for i := 0; i < c.threads; i++ {
		subject := b.clientSubject(c, i)
		start := b.someDay(c.silentDays+1, 90)
		if start.After(limit) {
			continue
		}
		th := b.newThread(start)
		contact := b.pick(c.contacts)
		var theirCc, myCc []person
		if len(c.contacts) > 1 && b.r.Float64() < 0.2 {
			for {
				o := b.pick(c.contacts)
				if o != contact {
					theirCc = []person{o}
					break
				}
			}
		}
		if b.r.Float64() < 0.25 {
			myCc = []person{b.pick(demoColleagues)}
		}
		clientTurn := b.r.Float64() < 0.65
		introduced := false
		categorised := b.r.Float64() < 0.12
		t := start
		n := b.threadLength()
		for k := 0; k < n; k++ {
			if k > 0 {
				speed := 0.8
				if clientTurn {
					speed = c.speed
				}
				t = b.workTime(t.Add(b.replyDelay(speed)))
			}
			if t.After(limit) {
				break
			}
			subj := subject
			if k > 0 {
				subj = "RE: " + subject
			}
			m := mail{subject: subj, sent: t, th: th, attachmentsHint: k == 0 && hintsAttachment(subject)}
			cc := append([]person{}, theirCc...)
			if clientTurn {
				m.from, m.to = contact, []person{b.me}
				if introduced {
					cc = append(cc, myCc...)
				}
				m.folder = c.inbound
				age := b.anchor.Sub(t)
				switch {
				case age > 60*24*time.Hour && b.r.Float64() < 0.4:
					m.folder = "archive"
				case b.r.Float64() < 0.03:
					m.folder = "deleteditems"
				}
			} else {
				introduced = introduced || len(myCc) > 0
				m.from, m.to, m.folder = b.me, []person{contact}, "sentitems"
				cc = append(cc, myCc...)
				if b.r.Float64() < 0.05 {
					m.bcc = []person{b.pick(demoColleagues)}
				}
			}
			m.cc = cc
			msg := b.add(m)
			if categorised {
				msg.Categories = []string{c.name}
			}
			if clientTurn && k == n-1 && b.r.Float64() < 0.3 {
				msg.Flag = "flagged"
			}
			clientTurn = !clientTurn
			if k == n-1 && !clientTurn { // the client wrote last
				b.closeThread(th, subject, contact, cc, t)
			}
		}
	}
}

// closeThread answers, most of the time, a thread whose last word was the
// client's more than a week ago: a consultant replies to client mail, so
// the demo's attention list holds a few recent threads, not every old one.
func (b *demoBuilder) closeThread(th *thread, subject string, contact person, cc []person, last time.Time) {
	if b.closer == nil || b.anchor.Sub(last) < 7*24*time.Hour || b.closer.Float64() >= 0.85 { // the heavy tenant keeps its exact counts
		return
	}
	r, g := b.r, b.g
	b.r, b.g = b.closer, idGen{b.closer}
	defer func() { b.r, b.g = r, g }()
	t := b.workTime(last.Add(b.replyDelay(0.8)))
	if t.After(b.anchor.Add(-10 * time.Minute)) {
		return
	}
	b.add(mail{subject: "RE: " + subject, sent: t, th: th, from: b.me, to: []person{contact}, cc: cc, folder: "sentitems"})
}

// clientSubject uses the client's own topics first, then recurring business
// subjects so busy clients do not repeat themselves.
func (b *demoBuilder) clientSubject(c clientSpec, i int) string {
	if i < len(c.topics) {
		return c.topics[i]
	}
	switch b.r.IntN(4) {
	case 0:
		b.invoice++
		return fmt.Sprintf("Invoice INV-%d", b.invoice)
	case 1:
		return fmt.Sprintf("Weekly status — week %d", 1+b.r.IntN(52))
	case 2:
		return []string{"Quick question", "Follow-up", "Next steps", "Call on Thursday?", "Updated figures", "Meeting notes"}[b.r.IntN(6)]
	default:
		return []string{"Action items from today", "Re-planning the next sprint", "Budget sign-off", "Data quality issues", "Dashboard access"}[b.r.IntN(5)]
	}
}

// internalThreads are mail among adatum.com colleagues only: nobody's client
// activity, which the app must not store.
func (b *demoBuilder) internalThreads() {
	topics := []string{"Team offsite planning", "Timesheets for October", "Contoso staffing for phase 2", "Lunch & learn: Fabric",
		"Expense policy update", "Pipeline review", "Proposal template v4", "Holiday schedule", "Laptop refresh",
		"Knowledge base cleanup", "Hiring: senior consultant", "Quarterly numbers"}
	for i, subject := range topics {
		start := b.someDay(0, 90)
		th := b.newThread(start)
		colleague := demoColleagues[i%len(demoColleagues)]
		var cc []person
		if b.r.Float64() < 0.4 {
			cc = []person{demoColleagues[(i+1)%len(demoColleagues)]}
		}
		theirTurn := b.r.Float64() < 0.6
		t := start
		for k, n := 0, 1+b.r.IntN(4); k < n; k++ {
			if k > 0 {
				t = b.workTime(t.Add(b.replyDelay(0.6)))
			}
			if t.After(b.anchor.Add(-10 * time.Minute)) {
				break
			}
			subj := subject
			if k > 0 {
				subj = "RE: " + subject
			}
			m := mail{subject: subj, sent: t, th: th, cc: cc}
			if theirTurn {
				m.from, m.to, m.folder = colleague, []person{b.me}, "inbox"
				if k == 0 && i == 4 {
					m.folder = "deleteditems"
				}
			} else {
				m.from, m.to, m.folder = b.me, []person{colleague}, "sentitems"
			}
			b.add(m)
			theirTurn = !theirTurn
		}
	}
}

// outsideThreads are people who are not clients: a prospect writing from a
// company domain (two-way, so a client suggestion), individuals on generic
// mail domains, and cold inbound nobody answered (never a suggestion).
func (b *demoBuilder) outsideThreads() {
	type exchange struct {
		who      person
		subjects []string
		twoWay   bool
	}
	xs := []exchange{
		{person{"Kim Akers", "kim.akers@litwareinc.com"}, []string{"Intro — data strategy help", "Proposal request", "Availability in January"}, true},
		{person{"Ravi Patel", "ravi.patel.consulting@gmail.com"}, []string{"Referral — analytics project", "Coffee next week?"}, true},
		{person{"Chris Green", "chrisgreen88@outlook.com"}, []string{"Saturday plans"}, true},
		{person{"Dana Whitfield", "dana.whitfield@yahoo.com"}, []string{"Partnership opportunity"}, false},
		{person{"Ben Walters", "ben@fourthcoffee.com"}, []string{"Speaking opportunity at Fourth Coffee Summit"}, false},
		{person{"Relecloud Sales", "sales@relecloud.com"}, []string{"Your Relecloud trial ends soon", "Last chance: 20% off Relecloud Pro"}, false},
	}
	for _, x := range xs {
		for _, subject := range x.subjects {
			start := b.someDay(1, 80)
			th := b.newThread(start)
			b.add(mail{folder: "inbox", from: x.who, to: []person{b.me}, subject: subject, sent: start, th: th})
			if !x.twoWay {
				continue
			}
			t := start
			for k, n := 1, 2+b.r.IntN(3); k < n; k++ {
				t = b.workTime(t.Add(b.replyDelay(1)))
				if t.After(b.anchor.Add(-10 * time.Minute)) {
					break
				}
				m := mail{subject: "RE: " + subject, sent: t, th: th}
				if k%2 == 1 {
					m.from, m.to, m.folder = b.me, []person{x.who}, "sentitems"
				} else {
					m.from, m.to, m.folder = x.who, []person{b.me}, "inbox"
				}
				b.add(m)
			}
		}
	}
	junk := []struct {
		who     person
		subject string
	}{
		{person{"Deals Today", "deals@bestoffers-now.biz"}, "You have been selected!!!"},
		{person{"IT Support", "helpdesk@adatum-support.co"}, "Password expiry notice"},
		{person{"Crypto Gains", "info@quick-returns.xyz"}, "Double your portfolio"},
		{person{"Pharmacy", "orders@cheap-meds.top"}, "Order confirmation #88231"},
	}
	for _, j := range junk {
		m := b.add(mail{folder: "junkemail", from: j.who, to: []person{b.me}, subject: j.subject, sent: b.someDay(0, 60), newsletter: true})
		m.IsRead = false
	}
}

// newsletters are bulk, no-reply mail: weekly and fortnightly issues, some
// routed to a folder by a rule, some deleted, receipts filed away.
func (b *demoBuilder) newsletters() {
	type series struct {
		from    person
		title   string
		every   int // days
		folder  string
		deleted float64
	}
	ss := []series{
		{person{"The Consulting Digest", "digest@news.proseware.com"}, "The Consulting Digest — issue #%d", 7, "newsletters", 0},
		{person{"Wide World Importers Insights", "newsletter@wideworldimporters.com"}, "Insights #%d: what changed in retail this week", 7, "inbox", 0.3},
		{person{"Relecloud Community", "digest@community.relecloud.com"}, "Relecloud Community — weekly digest #%d", 7, "inbox", 0.2},
		{person{"Relecloud", "no-reply@relecloud.com"}, "Your Relecloud usage report #%d", 14, "inbox", 0},
		{person{"Proseware Billing", "billing@proseware.com"}, "Receipt from Proseware Cloud — #%d", 30, "receipts", 0},
	}
	for _, s := range ss {
		first := 3 + b.r.IntN(s.every)
		for n, d := 1, 90-first; d >= 0; n, d = n+1, d-s.every {
			sent := b.anchor.AddDate(0, 0, -d).Add(-time.Duration(3+b.r.IntN(8)) * time.Hour).Truncate(time.Second)
			if sent.After(b.anchor) {
				continue
			}
			folder := s.folder
			if d > 14 && b.r.Float64() < s.deleted {
				folder = "deleteditems"
			}
			reply := person{s.from.name, "replies@" + s.from.address[strings.Index(s.from.address, "@")+1:]}
			b.add(mail{folder: folder, from: s.from, to: []person{b.me}, subject: fmt.Sprintf(s.title, 100+n), sent: sent, newsletter: true, replyTo: []person{reply}})
		}
	}
}

// drafts are unsent replies sitting in Drafts.
func (b *demoBuilder) drafts() {
	for _, d := range []struct {
		to      person
		subject string
	}{
		{demoClients[0].contacts[0], "Proposal for phase 3"},
		{demoClients[4].contacts[0], "RE: Security review questionnaire"},
	} {
		t := b.someDay(0, 5)
		m := b.add(mail{folder: "drafts", from: b.me, to: []person{d.to}, subject: d.subject, sent: t})
		m.IsDraft = true
	}
}
