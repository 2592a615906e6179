package graphsim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"rapport/backend/model"
)

// The "heavy" tenant is the performance benchmark's mailbox (issue 7): a
// busy consultant with 40 clients, 20,000 messages over the last 90 days in
// 12 folders and 3,000 calendar items, most of them occurrences of
// recurring series. "small" is the same shape at 1/20 of the size, for CI.
// It reuses the demo's builders (threads with realistic reply delays,
// office hours, weekly series in the organizers' zones), so the data looks
// like the demo's, only much more of it. Seeded: the same Seed and Anchor
// give the same tenant.

// HeavySize is the size of a heavy-shaped scenario.
type HeavySize struct {
	Messages int // exactly this many messages, in MailFolders folders
	Events   int // exactly this many calendar instances (no series masters)
	Clients  int
	// MailFolders is the number of folders that hold mail (all synced by
	// default); the excluded well-known folders exist but are empty.
	MailFolders int
	// OneDrive is the number of items (files and folders, the root
	// excluded) in the consultant's OneDrive; Libraries SharePoint
	// libraries (one per followed site) hold LibraryItems items each.
	OneDrive, Libraries, LibraryItems int
}

// HeavySizes are the known heavy-shaped scenarios.
var HeavySizes = map[string]HeavySize{
	"heavy": {Messages: 20000, Events: 3000, Clients: 40, MailFolders: 12, OneDrive: 30000, Libraries: 3, LibraryItems: 10000},
	"small": {Messages: 1000, Events: 150, Clients: 40, MailFolders: 12, OneDrive: 1500, Libraries: 3, LibraryItems: 500},
}

// heavyClientNames are fictitious companies (Microsoft's sample names and
// made-up ones); each gets a domain derived from its name.
var heavyClientNames = []string{
	"Contoso", "Fabrikam", "Northwind Traders", "Tailspin Toys", "Woodgrove Bank", "Adventure Works", "Litware", "Proseware",
	"Wide World Importers", "Alpine Ski House", "Blue Yonder Airlines", "City Power & Light", "Coho Winery", "Consolidated Messenger",
	"Fourth Coffee", "Graphic Design Institute", "Humongous Insurance", "Lamna Healthcare", "Lucerne Publishing", "Margie's Travel",
	"Nod Publishers", "Southridge Video", "Trey Research", "VanArsdel", "Wingtip Toys", "Bellows College", "First Up Consultants",
	"Munson's Pickles", "Olympia Freight", "School of Fine Art", "Best For You Organics", "Datum Robotics", "Kestrel Analytics",
	"Juniper Biotech", "Harbor Logistics", "Quartz Energy", "Meridian Legal", "Silverline Media", "Northgate Retail", "Evergreen Foods",
	"Cobalt Mining", "Redwood Capital", "Ironbridge Construction", "Lakeside Clinics", "Sunrise Hotels", "Pinnacle Telecom",
}

var heavyTLDs = []string{"com", "com", "com", "com", "co.uk", "de", "fr", "com", "nl", "com.au"}

var heavyFirst = []string{"Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "Robin", "Drew",
	"Elena", "Marco", "Sofia", "Lukas", "Hannah", "Noah", "Emma", "Liam", "Olivia", "Mateo", "Chloé", "Yuki", "Priya", "Omar",
	"Fatima", "Jonas", "Ingrid", "Tomás", "Aisha", "Wei", "Mei", "Daniel", "Sarah", "David", "Laura", "Pieter", "Anouk", "Björn"}

var heavyLast = []string{"Smith", "Johnson", "Brown", "Garcia", "Müller", "Schmidt", "Dubois", "Martin", "Rossi", "Bianchi", "Nakamura",
	"Tanaka", "Patel", "Sharma", "Haddad", "Kowalski", "Nowak", "Jansen", "de Vries", "Larsen", "Andersson", "O'Brien", "Murphy",
	"Kim", "Lee", "Chen", "Wang", "Silva", "Santos", "Novak", "Horvat", "Fischer", "Weber", "Moreau", "Laurent", "Costa"}

var heavyTopics = []string{"Q3 plan — budget question", "SOW v2 for review", "Data platform migration — status", "Steering committee deck",
	"Access to the staging tenant", "Workshop follow-up: next steps", "Change request", "Risk register update", "Kick-off agenda",
	"Vendor assessment questionnaire", "Timeline for the rollout", "Licensing options", "Feedback on the draft architecture",
	"Training plan for the ops team", "Contract renewal", "Dashboard mock-ups", "Question about the forecast model", "Pilot results deck",
	"Supply chain review — findings", "Final report v3", "Security review questionnaire", "Procurement onboarding documents",
	"Data sharing agreement", "Roadmap for next quarter", "Interview schedule", "Go-live checklist", "Invoice query", "Board pack draft"}

// heavyFolder says how one of the mail-holding folders is made.
type heavyFolder struct {
	key, name, wellKnown, parent string
}

// heavyFolders are the 12 folders that hold mail, parents first. Inbound
// client mail lands in inbox, clients, keyaccounts, active or closed;
// clientThreads files old mail into archive and some into deleteditems.
var heavyFolders = []heavyFolder{
	{"inbox", "Inbox", "inbox", ""},
	{"sentitems", "Sent Items", "sentitems", ""},
	{"deleteditems", "Deleted Items", "deleteditems", ""},
	{"archive", "Archive", "archive", ""},
	{"clients", "Clients", "", "inbox"},
	{"keyaccounts", "Key accounts", "", "clients"},
	{"projects", "Projects", "", ""},
	{"active", "Active", "", "projects"},
	{"closed", "Closed", "", "projects"},
	{"newsletters", "Newsletters", "", ""},
	{"receipts", "Receipts", "", ""},
	{"notifications", "Notifications", "", ""},
}

func buildHeavy(seed int64, anchor time.Time, size HeavySize) *tenant {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6865617679)) // "heavy"
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
	b := &demoBuilder{r: r, g: idGen{r}, anchor: anchor, mb: newMailbox(), me: person{t.me.name, t.me.mail}, folders: map[string]*folder{}, invoice: 4100}
	b.mb.meAddress = t.me.mail
	heavyMakeFolders(b, size.MailFolders)
	specs := heavyClientSpecs(r, size.Clients)
	for _, c := range specs {
		t.clients = append(t.clients, DemoClient{Name: c.name, Domains: c.domains})
	}

	// About 82% of the mail is client correspondence, 4% internal, the
	// rest bulk mail; the totals are then made exact.
	clientTarget := int(float64(size.Messages) * 0.82)
	weights := zipfWeights(len(specs), 0.8)
	const avgThread = 2.6
	for i, c := range specs {
		c.threads = max(1, int(math.Round(float64(clientTarget)*weights[i]/avgThread)))
		b.clientThreads(c)
	}
	heavyInternal(b, size.Messages*4/100)
	heavyBulk(b, size.Messages-len(b.mb.msgs))
	heavyTrim(b, size.Messages)

	buildHeavyCalendar(b.mb, seed, anchor, b.me, specs, size.Events)
	t.mailbox = b.mb
	return t
}

// heavyMakeFolders makes the root, the well-known folders (the excluded
// ones stay empty) and the mail-holding folders, n of them at most.
func heavyMakeFolders(b *demoBuilder, n int) {
	root := &folder{ID: b.g.folderID(), Name: "Top of Information Store", WellKnown: "msgfolderroot", ParentID: b.g.folderID()}
	b.mb.rootID = root.ID
	b.mb.addFolder(root)
	mk := func(key, name, wellKnown, parent string) {
		f := &folder{ID: b.g.folderID(), Name: name, WellKnown: wellKnown, ParentID: parent}
		b.mb.addFolder(f)
		b.folders[key] = f
	}
	for i, hf := range heavyFolders {
		if i >= n {
			break
		}
		parent := root.ID
		if hf.parent != "" {
			parent = b.folders[hf.parent].ID
		}
		mk(hf.key, hf.name, hf.wellKnown, parent)
	}
	for _, wk := range []struct{ key, name string }{{"drafts", "Drafts"}, {"junkemail", "Junk Email"}, {"outbox", "Outbox"},
		{"conversationhistory", "Conversation History"}} {
		mk(wk.key, wk.name, wk.key, root.ID)
	}
	b.mb.sortFolders()
}

// folderKey returns key if that folder exists, else the inbox.
func (b *demoBuilder) folderKey(key string) string {
	if _, ok := b.folders[key]; ok {
		return key
	}
	return "inbox"
}

func heavyClientSpecs(r *rand.Rand, n int) []clientSpec {
	used := map[string]bool{}
	var out []clientSpec
	for i := 0; i < n; i++ {
		name := heavyClientNames[i%len(heavyClientNames)]
		if i >= len(heavyClientNames) {
			name = fmt.Sprintf("%s %d", name, i/len(heavyClientNames)+1)
		}
		slug := strings.Map(func(c rune) rune {
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				return c
			case c >= 'A' && c <= 'Z':
				return c + 'a' - 'A'
			case c == ' ':
				return '-'
			}
			return -1
		}, name)
		domain := slug + "." + heavyTLDs[r.IntN(len(heavyTLDs))]
		for used[domain] {
			domain = "x" + domain
		}
		used[domain] = true
		c := clientSpec{name: name, domains: []string{domain}, speed: 0.5 + 1.5*r.Float64()}
		if r.Float64() < 0.15 {
			c.domains = append(c.domains, slug+"-group.com")
		}
		for k, nc := 0, 3+r.IntN(5); k < nc; k++ {
			first, last := heavyFirst[r.IntN(len(heavyFirst))], heavyLast[r.IntN(len(heavyLast))]
			local := strings.ToLower(strings.NewReplacer(" ", "", "'", "", "é", "e", "ü", "u", "ö", "o", "á", "a").Replace(first + "." + last))
			host := c.domains[0]
			if r.Float64() < 0.1 {
				host = "mail." + host // a subdomain: still the client's registrable domain
			}
			c.contacts = append(c.contacts, person{first + " " + last, fmt.Sprintf("%s%d@%s", local, k, host)})
		}
		switch x := r.Float64(); {
		case x < 0.70:
			c.silentDays = r.IntN(4)
		case x < 0.90:
			c.silentDays = 4 + r.IntN(12)
		default:
			c.silentDays = 20 + r.IntN(30)
		}
		c.inbound = []string{"inbox", "inbox", "inbox", "clients", "keyaccounts", "projects", "active", "active", "closed"}[r.IntN(9)]
		for k := 0; k < 8; k++ {
			c.topics = append(c.topics, heavyTopics[r.IntN(len(heavyTopics))])
		}
		out = append(out, c)
	}
	return out
}

// zipfWeights are n weights summing to 1, the i-th proportional to
// 1/(i+1)^s: a few big clients and a long tail.
func zipfWeights(n int, s float64) []float64 {
	w := make([]float64, n)
	sum := 0.0
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), s)
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

// heavyInternal writes about n messages among colleagues only (the app
// stores none of them).
func heavyInternal(b *demoBuilder, n int) {
	for start := len(b.mb.msgs); len(b.mb.msgs)-start < n; {
		t := b.someDay(0, 89)
		th := b.newThread(t)
		colleague := b.pick(demoColleagues)
		subject := []string{"Timesheets", "Pipeline review", "Staffing", "Proposal template", "Expense policy"}[b.r.IntN(5)]
		for k, turns := 0, 1+b.r.IntN(3); k < turns; k++ {
			if k > 0 {
				t = b.workTime(t.Add(b.replyDelay(0.6)))
			}
			if t.After(b.anchor.Add(-10 * time.Minute)) {
				break
			}
			m := mail{subject: subject, sent: t, th: th}
			if k%2 == 0 {
				m.from, m.to, m.folder = colleague, []person{b.me}, "inbox"
			} else {
				m.from, m.to, m.folder = b.me, []person{colleague}, "sentitems"
			}
			b.add(m)
		}
	}
}

// heavyBulk writes n single bulk messages: newsletters, receipts and
// notifications from no-reply senders, a few from prospects.
func heavyBulk(b *demoBuilder, n int) {
	senders := []struct {
		who    person
		title  string
		folder string
	}{
		{person{"The Consulting Digest", "digest@news.proseware.com"}, "The Consulting Digest — issue #%d", "newsletters"},
		{person{"Wide World Importers Insights", "newsletter@wideworldimporters.com"}, "Insights #%d", "newsletters"},
		{person{"Proseware Billing", "billing@proseware.com"}, "Receipt #%d", "receipts"},
		{person{"Relecloud", "no-reply@relecloud.com"}, "Your usage report #%d", "notifications"},
		{person{"Tasks", "noreply@planner.example.com"}, "You have %d tasks due", "notifications"},
		{person{"Kim Akers", "kim.akers@litwareinc.com"}, "Intro — data strategy help (%d)", "inbox"},
	}
	for i := 0; i < n; i++ {
		s := senders[b.r.IntN(len(senders))]
		b.add(mail{folder: b.folderKey(s.folder), from: s.who, to: []person{b.me}, subject: fmt.Sprintf(s.title, 100+i),
			sent: b.someDay(0, 89), newsletter: true})
	}
}

// heavyTrim removes messages beyond n (the thread generator can overshoot
// by a few), newest ids last so the result is deterministic.
func heavyTrim(b *demoBuilder, n int) {
	if len(b.mb.msgs) <= n {
		return
	}
	ids := make([]string, 0, len(b.mb.msgs))
	for id := range b.mb.msgs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids[:len(ids)-n] {
		delete(b.mb.msgs, id)
	}
}

// buildHeavyCalendar writes exactly n calendar instances: recurring client
// series (weekly, fortnightly, monthly-ish) in their organizers' zones with
// moved and cancelled occurrences, internal series, one-off meetings, and a
// small side calendar, from 88 days back to 178 days ahead.
func buildHeavyCalendar(mb *mailbox, seed int64, anchor time.Time, me person, clients []clientSpec, n int) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6865617679636174)) // "heavycat"
	b := &calBuilder{r: r, g: idGen{r}, anchor: anchor, mb: mb, me: me}
	main := &calendar{ID: b.g.calendarID(), Name: "Calendar", Default: true, CanEdit: true, Owner: me, Color: "auto", ChangeKey: b.g.changeKey()}
	side := &calendar{ID: b.g.calendarID(), Name: "Side projects", CanEdit: true, Owner: me, Color: "lightGreen", HexColor: "#87d28e", Removable: true, ChangeKey: b.g.changeKey()}
	mb.calendars = []*calendar{main, side}
	zones := []string{"Eastern Standard Time", "Pacific Standard Time", "W. Europe Standard Time", "GMT Standard Time", "Central Standard Time", "Romance Standard Time"}
	count := func() int {
		k := 0
		for _, e := range mb.events {
			if e.Type != model.EventSeries {
				k++
			}
		}
		return k
	}
	meReq := attendee{who: me, typ: "required", response: "accepted"}
	seriesTarget := n * 7 / 10
	for i := 0; count() < seriesTarget; i++ {
		c := clients[i%len(clients)]
		every := []int{1, 1, 2, 2, 4}[r.IntN(5)]
		from := -88 + r.IntN(30)
		to := 60 + r.IntN(118)
		if left := seriesTarget - count(); left < (to-from)/(7*every) {
			to = from + left*7*every // the last series is cut to the target
		}
		sp := seriesSpec{cal: main, subject: c.name + " " + []string{"weekly sync", "check-in", "steering", "stand-up", "review"}[r.IntN(5)],
			zone: zones[r.IntN(len(zones))], weekday: time.Weekday(1 + r.IntN(5)), hour: 8 + r.IntN(9), minute: []int{0, 30}[r.IntN(2)],
			dur: time.Duration(30*(1+r.IntN(3))) * time.Minute, every: every, fromDays: from, toDays: to, online: r.Float64() < 0.8,
			provider: "teamsForBusiness", attendees: []attendee{{who: c.contacts[0], typ: "required", response: "accepted"}}}
		if r.Float64() < 0.5 {
			sp.organizer = c.contacts[0]
			sp.attendees = []attendee{meReq}
			if len(c.contacts) > 1 {
				sp.attendees = append(sp.attendees, attendee{who: c.contacts[1], typ: "required", response: "accepted"})
			}
		}
		if i%9 == 8 { // internal: nobody's client activity
			sp.subject, sp.organizer = "Adatum team sync", demoColleagues[r.IntN(len(demoColleagues))]
			sp.attendees = []attendee{meReq, {who: demoColleagues[0], typ: "required", response: "accepted"}}
		}
		occ := b.series(sp)
		if len(occ) > 4 {
			b.moveOccurrence(occ, -1-r.IntN(2), time.Hour)
			b.cancelOccurrence(occ, 1+r.IntN(2))
		}
	}
	for count() < n {
		c := clients[r.IntN(len(clients))]
		cal := main
		if r.Float64() < 0.05 {
			cal = side
		}
		zn := zones[r.IntN(len(zones))]
		start := b.day(-88+r.IntN(260), time.Weekday(1+r.IntN(5)), 8+r.IntN(9), []int{0, 15, 30, 45}[r.IntN(4)], zn)
		atts := []attendee{{who: c.contacts[r.IntN(len(c.contacts))], typ: "required", response: "accepted"}}
		e := b.single(cal, []string{"Workshop", "Call", "Review", "Interview", "Demo"}[r.IntN(5)]+" — "+c.name, zn, start,
			time.Duration(30*(1+r.IntN(4)))*time.Minute, me, atts)
		e.Online, e.Provider = r.Float64() < 0.7, "teamsForBusiness"
		if r.Float64() < 0.03 {
			e.Cancelled, e.Subject = true, "Canceled: "+e.Subject
		}
	}
}

// heavyLibraries are the SharePoint sites of the heavy tenant, one document
// library each, all followed by the consultant.
var heavyLibraries = []struct{ path, site, library, url string }{
	{"/sites/ClientProjects", "Client Projects", "Client Projects", "Client%20Projects"},
	{"/sites/Delivery", "Delivery", "Delivery Documents", "Delivery%20Documents"},
	{"/sites/Sales", "Sales", "Proposals", "Proposals"},
	{"/sites/Finance", "Finance", "Contracts", "Contracts"},
}

var heavyFileWords = []string{"Proposal", "SOW", "Status report", "Steering deck", "Budget", "Risk register", "Architecture",
	"Workshop notes", "Invoice", "Timeline", "Requirements", "Test plan", "Runbook", "Meeting notes", "Data extract", "Forecast"}

var heavyFileExts = []string{"docx", "docx", "xlsx", "pptx", "pdf", "xlsx", "docx", "png"}

// buildHeavyDrives fills the consultant's OneDrive with size.OneDrive
// items — a folder per client under "Clients" (named like the client, so
// it links automatically), project subfolders, admin folders — and adds
// size.Libraries followed sites with a library of size.LibraryItems items
// each, organised the same way. Files were created and edited over the
// last 90 days by the consultant, colleagues and client people. About one
// item in eight is a folder.
func buildHeavyDrives(ds *driveState, anchor time.Time, t *tenant, size HeavySize) {
	if ds == nil || size.OneDrive <= 0 {
		return
	}
	me := person{t.me.name, t.me.mail}
	b := &driveBuilder{ds: ds, anchor: anchor, me: me}
	var clients []DemoClient
	clients = append(clients, t.clients...)
	contacts := func(c DemoClient, i int) person {
		first, last := heavyFirst[(i*7+len(c.Name))%len(heavyFirst)], heavyLast[(i*3+len(c.Name))%len(heavyLast)]
		return person{first + " " + last, strings.ToLower(strings.ReplaceAll(first, " ", "")) + "@" + c.Domains[0]}
	}
	fill := func(d *simDrive, n int, top string) {
		made := 0
		root := b.folder(d, "", top)
		made++
		var dirs []string
		for i, c := range clients {
			if made >= n {
				break
			}
			dir := b.folder(d, root, c.Name)
			made++
			dirs = append(dirs, dir)
			for _, sub := range []string{"Proposals", "Deliverables", "Workshops", "Admin"}[:1+i%4] {
				if made >= n {
					break
				}
				dirs = append(dirs, b.folder(d, dir, sub))
				made++
			}
		}
		for _, other := range []string{"Templates", "Internal", "Archive"} {
			if made < n {
				dirs = append(dirs, b.folder(d, "", other))
				made++
			}
		}
		weights := zipfWeights(len(dirs), 0.7)
		acc := make([]float64, len(weights))
		sum := 0.0
		for i, w := range weights {
			sum += w
			acc[i] = sum
		}
		for made < n {
			x := ds.r.Float64() * sum
			k := sort.SearchFloat64s(acc, x)
			parent := dirs[min(k, len(dirs)-1)]
			if ds.r.IntN(8) == 0 { // a deeper folder, now and then
				dirs = append(dirs, b.folder(d, parent, fmt.Sprintf("%s %d", heavyFileWords[ds.r.IntN(len(heavyFileWords))], made)))
				acc = append(acc, sum+weights[len(weights)-1])
				sum = acc[len(acc)-1]
				made++
				continue
			}
			c := clients[ds.r.IntN(len(clients))]
			name := fmt.Sprintf("%s %d.%s", heavyFileWords[ds.r.IntN(len(heavyFileWords))], made, heavyFileExts[ds.r.IntN(len(heavyFileExts))])
			switch ds.r.IntN(4) {
			case 0:
				b.file(d, parent, name, me)
			case 1:
				b.file(d, parent, name, me, contacts(c, made))
			case 2:
				b.file(d, parent, name, contacts(c, made), me)
			default:
				b.file(d, parent, name, demoColleagues[ds.r.IntN(len(demoColleagues))], me, contacts(c, made+1))
			}
			made++
		}
	}
	fill(ds.drive(ds.mine), size.OneDrive, "Clients")
	host := "adatum.sharepoint.com"
	for i := 0; i < size.Libraries && i < len(heavyLibraries); i++ {
		l := heavyLibraries[i]
		st := b.site(host, l.path, strings.ReplaceAll(l.site, " ", ""), l.site, "Heavy tenant site "+l.site, true)
		lib := b.library(st, l.library, l.url)
		fill(lib, size.LibraryItems, "Clients")
	}
}
