package graphsim

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The demo tenant's files. The consultant's OneDrive keeps a folder per
// client under "Clients" (named exactly like the clients, except
// "Tailspin" for Tailspin Toys), an "Archive/Contoso Ltd" near miss, admin
// and personal folders, and a shortcut to the "Woodgrove Bank" folder a
// colleague shared. SharePoint has a "Client Projects" site with a
// "Fabrikam Projects" library, an intranet, and a sales site nobody
// follows. Files were created and edited by the consultant, colleagues and
// client people over the last 90 days.

type driveBuilder struct {
	ds     *driveState
	anchor time.Time
	me     person
}

func (b *driveBuilder) driveID() string {
	raw := make([]byte, 48)
	for i := range raw {
		raw[i] = byte(b.ds.r.Uint32())
	}
	return "b!" + base64.RawURLEncoding.EncodeToString(raw)
}

func (b *driveBuilder) guid() string {
	return b.ds.newGUID()
}

// newDrive creates a drive with its root.
func (b *driveBuilder) newDrive(id, name, driveType, webURL string, owner person, siteID string) *simDrive {
	d := &simDrive{id: id, name: name, driveType: driveType, webURL: webURL, owner: owner, siteID: siteID,
		created: b.anchor.AddDate(-2, 0, 0)}
	b.ds.add(d)
	root := b.ds.newItem(d, "", "root", true, 0, owner, d.created)
	d.rootID = root.id
	return d
}

// when is a working-hours instant between minDays and maxDays ago.
func (b *driveBuilder) when(minDays, maxDays int) time.Time {
	days := minDays + b.ds.r.IntN(maxDays-minDays+1)
	t := b.anchor.AddDate(0, 0, -days).Truncate(24 * time.Hour).Add(time.Duration(13+b.ds.r.IntN(9))*time.Hour + time.Duration(b.ds.r.IntN(60))*time.Minute)
	if !t.Before(b.anchor) {
		t = b.anchor.Add(-time.Hour)
	}
	return t
}

func (b *driveBuilder) folder(d *simDrive, parent, name string) string {
	if parent == "" {
		parent = d.rootID
	}
	return b.ds.newItem(d, parent, name, true, 0, b.me, b.when(90, 200)).id
}

// file creates a file made by creator; editors, if any, edited it later
// (the last one last).
func (b *driveBuilder) file(d *simDrive, parent, name string, creator person, editors ...person) string {
	if parent == "" {
		parent = d.rootID
	}
	created := b.when(10, 88)
	size := int64(12000 + b.ds.r.IntN(900000))
	it := b.ds.newItem(d, parent, name, false, size, creator, created)
	if len(editors) > 0 {
		mod := created.Add(time.Duration(1+b.ds.r.IntN(9*24)) * time.Hour)
		if !mod.Before(b.anchor) {
			mod = b.anchor.Add(-30 * time.Minute)
		}
		it.modified, it.modBy = mod, editors[len(editors)-1]
		it.ctagV, it.etagV = 1+len(editors), 1+len(editors)
		it.hashSeed = fmt.Sprintf("%s#%d", it.guid, it.ctagV)
		it.size += int64(b.ds.r.IntN(40000))
	}
	return it.id
}

func contact(client string, i int) person {
	for _, c := range demoClients {
		if c.name == client {
			return c.contacts[i%len(c.contacts)]
		}
	}
	return person{}
}

func (b *driveBuilder) site(host, path, name, display, desc string, followed bool) *simSite {
	st := &simSite{hostname: host, path: path, name: name, displayName: display, description: desc,
		siteGUID: b.guid(), webGUID: b.guid(), created: b.anchor.AddDate(-3, 0, 0), modified: b.anchor.AddDate(0, 0, -3), followed: followed}
	b.ds.sites = append(b.ds.sites, st)
	return st
}

func (b *driveBuilder) library(st *simSite, name, urlName string) *simDrive {
	d := b.newDrive(b.driveID(), name, "documentLibrary", st.webURL()+"/"+urlName, person{st.displayName + " Owners", ""}, st.id())
	d.description = ""
	st.drives = append(st.drives, d.id)
	return d
}

// buildDrives seeds the drives of a scenario.
func buildDrives(scenario string, seed int64, anchor time.Time, t *tenant) *driveState {
	ds := newDriveState(seed)
	me := person{t.me.name, t.me.mail}
	b := &driveBuilder{ds: ds, anchor: anchor, me: me}
	host := "adatum"
	my := b.newDrive(b.driveID(), "OneDrive", "business",
		"https://"+host+"-my.sharepoint.com/personal/"+strings.NewReplacer("@", "_", ".", "_").Replace(t.me.upn)+"/Documents", me, "")
	ds.mine = my.id
	// The personal account's OneDrive: its id has 15 digits (Graph drops
	// the leading zero) and parentReference spells it in capitals.
	pers := person{t.personal.name, t.personal.upn}
	pd := &simDrive{id: "4aa9c3f0b1e7d5c", itemDriveID: "4AA9C3F0B1E7D5C", name: "OneDrive", driveType: "personal",
		webURL: "https://onedrive.live.com/?cid=4aa9c3f0b1e7d5c", owner: pers, created: anchor.AddDate(-5, 0, 0)}
	ds.add(pd)
	pd.rootID = ds.newItem(pd, "", "root", true, 0, pers, pd.created).id
	ds.personal = pd.id
	pdocs := ds.newItem(pd, pd.rootID, "Documents", true, 0, pers, anchor.AddDate(-1, 0, 0))
	ds.newItem(pd, pdocs.id, "Tax return 2025.pdf", false, 240000, pers, anchor.AddDate(0, 0, -20))
	if scenario != "demo" {
		return ds
	}

	c := func(name string, i int) person { return contact(name, i) }
	col := demoColleagues
	clientsDir := b.folder(my, "", "Clients")

	contoso := b.folder(my, clientsDir, "Contoso")
	props := b.folder(my, contoso, "Proposals")
	b.file(my, props, "Contoso - SOW v2.docx", me, c("Contoso", 0), me)
	b.file(my, props, "Contoso - Data platform proposal.pptx", me, col[0])
	deliv := b.folder(my, contoso, "Deliverables")
	b.file(my, deliv, "Steering committee deck.pptx", me, c("Contoso", 0), c("Contoso", 1))
	b.file(my, deliv, "Architecture draft v3.docx", col[1], me, c("Contoso", 2))
	b.file(my, deliv, "Risk register.xlsx", me, c("Contoso", 3))
	b.file(my, deliv, "Migration runbook.docx", col[0])
	work := b.folder(my, contoso, "Workshops")
	b.file(my, work, "Workshop 1 notes.docx", me)
	b.file(my, work, "Workshop 2 notes.docx", me, c("Contoso", 1))
	b.file(my, work, "Whiteboard photos.zip", col[2])
	b.file(my, contoso, "Q3 budget.xlsx", c("Contoso", 0), me)

	north := b.folder(my, clientsDir, "Northwind Traders")
	b.file(my, north, "Supply chain review - findings.docx", me, c("Northwind Traders", 0))
	b.file(my, north, "Warehouse KPIs.xlsx", c("Northwind Traders", 1), me)
	b.file(my, north, "Final report v3.pdf", me)
	interviews := b.folder(my, north, "Interviews")
	b.file(my, interviews, "Interview notes - Nancy Davolio.docx", me)
	b.file(my, interviews, "Interview notes - Andrew Fuller.docx", me, col[3])

	tail := b.folder(my, clientsDir, "Tailspin") // a near miss for "Tailspin Toys"
	b.file(my, tail, "Holiday campaign analytics.xlsx", me, c("Tailspin Toys", 0))
	b.file(my, tail, "E-commerce funnel questions.docx", c("Tailspin Toys", 1))

	aw := b.folder(my, clientsDir, "Adventure Works")
	b.file(my, aw, "Product catalogue cleanup.xlsx", me, c("Adventure Works", 0), me)
	b.file(my, aw, "Spring launch timeline.pptx", me, c("Adventure Works", 1))
	b.file(my, aw, "CRM integration questions.docx", c("Adventure Works", 2))

	archive := b.folder(my, "", "Archive")
	cl := b.folder(my, archive, "Contoso Ltd") // a near miss for "Contoso"
	b.file(my, cl, "2025 engagement letter.pdf", me)
	b.file(my, cl, "Old proposal.docx", me)

	admin := b.folder(my, "", "Admin")
	inv := b.folder(my, admin, "Invoices")
	for i := 0; i < 4; i++ {
		b.file(my, inv, fmt.Sprintf("Invoice %d.pdf", 2040+i), me)
	}
	tpl := b.folder(my, admin, "Templates")
	b.file(my, tpl, "SOW template.docx", col[0], me)
	personal := b.folder(my, "", "Personal")
	b.file(my, personal, "Expenses.xlsx", me)

	// A colleague's OneDrive with a "Woodgrove Bank" folder shared with
	// the consultant, who added a shortcut to it in My files.
	jordan := col[0]
	jd := b.newDrive(b.driveID(), "OneDrive", "business", "https://"+host+"-my.sharepoint.com/personal/jordan_lee_adatum_com/Documents", jordan, "")
	shared := b.ds.newItem(jd, jd.rootID, "Shared", true, 0, jordan, anchor.AddDate(0, -6, 0))
	wg := b.ds.newItem(jd, shared.id, "Woodgrove Bank", true, 0, jordan, anchor.AddDate(0, -3, 0))
	b.file(jd, wg.id, "Security review questionnaire.xlsx", jordan, c("Woodgrove Bank", 0), me)
	b.file(jd, wg.id, "Procurement onboarding documents.pdf", c("Woodgrove Bank", 1))
	wgCalls := b.ds.newItem(jd, wg.id, "Calls", true, 0, jordan, anchor.AddDate(0, -2, 0))
	b.file(jd, wgCalls.id, "Intro call - risk analytics.docx", jordan, me)
	b.file(jd, jd.rootID, "Jordan private notes.docx", jordan)
	jd.shared = map[string]bool{wg.id: true}
	sc := b.ds.newItem(my, my.rootID, "Woodgrove Bank", true, 0, me, anchor.AddDate(0, -3, 1))
	sc.remote = &remoteRef{driveID: jd.id, itemID: wg.id}

	// SharePoint.
	tenantHost := host + ".sharepoint.com"
	b.site(tenantHost, "", "Adatum", "Adatum", "The Adatum communication site", false)
	cp := b.site(tenantHost, "/sites/ClientProjects", "ClientProjects", "Client Projects", "Shared project documents with clients", true)
	cpDocs := b.library(cp, "Documents", "Shared%20Documents")
	b.file(cpDocs, "", "Project index.xlsx", me, col[1])
	fab := b.library(cp, "Fabrikam Projects", "Fabrikam%20Projects")
	pilot := b.folder(fab, "", "Retail analytics pilot")
	b.file(fab, pilot, "Pilot scope.docx", c("Fabrikam", 0), me)
	b.file(fab, pilot, "Store data extract.xlsx", c("Fabrikam", 1), c("Fabrikam", 1))
	b.file(fab, pilot, "Dashboard mock-ups.pptx", me, c("Fabrikam", 2))
	b.file(fab, pilot, "Pilot results deck.pptx", me, col[1], me)
	renewal := b.folder(fab, "", "Contract renewal 2027")
	b.file(fab, renewal, "Renewal terms draft.docx", me, c("Fabrikam", 0))
	b.file(fab, renewal, "Pricing model.xlsx", col[3])
	b.file(fab, "", "Forecast model questions.docx", c("Fabrikam", 2), me)
	intra := b.site(tenantHost, "/sites/Intranet", "Intranet", "Adatum Intranet", "News, HR and brand for Adatum staff", true)
	intraDocs := b.library(intra, "Documents", "Shared%20Documents")
	hr := b.folder(intraDocs, "", "HR")
	b.file(intraDocs, hr, "Holiday calendar 2027.xlsx", col[3])
	brand := b.folder(intraDocs, "", "Brand")
	b.file(intraDocs, brand, "Logo.png", col[2])
	sales := b.site(tenantHost, "/sites/SalesTeam", "SalesTeam", "Sales Team", "Pipeline and proposals", false)
	salesDocs := b.library(sales, "Documents", "Shared%20Documents")
	b.file(salesDocs, "", "Pipeline FY27.xlsx", col[1])

	// Folders were last changed when their newest file was: every item
	// counts as changed at the seeded state (seq so far).
	return ds
}

// liveDrive edits the demo's files on the clock: a client person or the
// consultant saves a file in a client folder every other tick, and now and
// then a new file appears or one is renamed.
func (s *Server) liveDrive(n int) {
	s.mu.Lock()
	d := s.drives.drive(s.drives.mine)
	if d == nil {
		s.mu.Unlock()
		return
	}
	var clientsDir string
	for _, it := range d.children(d.rootID) {
		if it.name == "Clients" {
			clientsDir = it.id
		}
	}
	var files []*driveItem
	var folders []*driveItem
	for _, it := range d.items {
		if clientsDir != "" && d.within(it.id, clientsDir) && it.id != clientsDir {
			if it.folder {
				folders = append(folders, it)
			} else {
				files = append(files, it)
			}
		}
	}
	sortItems(files)
	sortItems(folders)
	r := s.live
	var who person
	if len(demoClients) > 0 && r.IntN(2) == 0 {
		c := demoClients[r.IntN(len(demoClients))]
		who = c.contacts[r.IntN(len(c.contacts))]
	} else {
		who = person{s.tenant.me.name, s.tenant.me.mail}
	}
	var pickFile *driveItem
	if len(files) > 0 {
		pickFile = files[r.IntN(len(files))]
	}
	var pickFolder *driveItem
	if len(folders) > 0 {
		pickFolder = folders[r.IntN(len(folders))]
	}
	driveID := d.id
	s.mu.Unlock()
	switch {
	case n%6 == 0 && pickFolder != nil:
		_, _ = s.AddDriveFile(driveID, pickFolder.id, fmt.Sprintf("Notes %s.docx", time.Now().UTC().Format("2006-01-02 1504")), 24000, who.recipient())
	case n%10 == 5 && pickFile != nil && !strings.HasPrefix(pickFile.name, "FINAL "):
		_ = s.RenameDriveItem(driveID, pickFile.id, "FINAL "+pickFile.name, who.recipient())
	case n%2 == 0 && pickFile != nil:
		_ = s.EditDriveFile(driveID, pickFile.id, pickFile.size+int64(r.IntN(5000)), who.recipient())
	}
}

func sortItems(v []*driveItem) { sort.Slice(v, func(i, j int) bool { return v[i].id < v[j].id }) }
