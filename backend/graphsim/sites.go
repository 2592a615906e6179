package graphsim

import (
	"net/http"
	"strings"
	"time"
)

// SharePoint sites: /sites?search=, /me/followedSites, /sites/{id},
// /sites/{hostname}:/{path}, /sites/root and /sites/{id}/drives. Work
// accounts only; Sites.Read.All (or Files.Read.All for the drives).

var scopesSites = []string{"sites.read.all", "sites.readwrite.all", "sites.manage.all", "sites.fullcontrol.all"}

type simSite struct {
	hostname, path    string // "adatum.sharepoint.com", "/sites/ClientProjects" ("" for the root site)
	name, displayName string
	description       string
	siteGUID, webGUID string
	created, modified time.Time
	followed          bool
	drives            []string // its document libraries
}

// id is "host,siteCollectionGuid,webGuid".
func (st *simSite) id() string {
	return st.hostname + "," + strings.ToLower(st.siteGUID) + "," + strings.ToLower(st.webGUID)
}

func (st *simSite) webURL() string { return "https://" + st.hostname + st.path }

// siteObject renders a site with every property the documented examples
// show (site-get, site-search, sites-list-followed).
func siteObject(st *simSite) object {
	return object{
		{"id", st.id()},
		{"createdDateTime", graphTime(st.created)},
		{"description", st.description},
		{"displayName", st.displayName},
		{"lastModifiedDateTime", graphTime(st.modified)},
		{"name", st.name},
		{"webUrl", st.webURL()},
		{"sharepointIds", object{{"listItemId", "1"}, {"siteId", st.siteGUID}, {"siteUrl", st.webURL()}, {"webId", st.webGUID}}},
		{"siteCollection", object{{"hostname", st.hostname}}},
	}
}

// site finds a site by id (GUIDs compare case-insensitively). Callers
// hold s.mu.
func (ds *driveState) site(id string) *simSite {
	for _, st := range ds.sites {
		if strings.EqualFold(st.id(), id) {
			return st
		}
	}
	return nil
}

func (s *Server) routeSites(c *graphCall, rest []string) {
	if c.tok.personal {
		c.fail(http.StatusBadRequest, "invalidRequest", "SharePoint sites are not available for personal Microsoft accounts.")
		return
	}
	is := func(i int, name string) bool { return len(rest) > i && strings.EqualFold(rest[i], name) }
	wantDrives := func(sub []string) bool { return len(sub) == 1 && strings.EqualFold(sub[0], "drives") }
	if len(rest) == 0 {
		s.searchSites(c)
		return
	}
	// Drives of a site need Files.Read.All or Sites.Read.All; the site
	// itself Sites.Read.All.
	need := scopesSites
	s.mu.Lock()
	var st *simSite
	var sub []string
	switch {
	case is(0, "root"):
		for _, x := range s.drives.sites {
			if x.path == "" {
				st = x
			}
		}
		sub = rest[1:]
	case strings.HasSuffix(rest[0], ":"):
		// /sites/{hostname}:/{server-relative-path}[:/{sub}]
		host := strings.TrimSuffix(rest[0], ":")
		var parts []string
		i := 1
		for ; i < len(rest); i++ {
			seg := rest[i]
			if strings.HasSuffix(seg, ":") {
				parts = append(parts, strings.TrimSuffix(seg, ":"))
				i++
				break
			}
			parts = append(parts, seg)
		}
		path := ""
		if len(parts) > 0 {
			path = "/" + strings.Join(parts, "/")
		}
		for _, x := range s.drives.sites {
			if strings.EqualFold(x.hostname, host) && strings.EqualFold(x.path, path) {
				st = x
			}
		}
		sub = rest[i:]
	case !strings.Contains(rest[0], ","):
		// /sites/{hostname}: the host's root site
		for _, x := range s.drives.sites {
			if strings.EqualFold(x.hostname, rest[0]) && x.path == "" {
				st = x
			}
		}
		sub = rest[1:]
	default:
		st = s.drives.site(rest[0])
		sub = rest[1:]
	}
	if wantDrives(sub) {
		need = scopesFilesAll
	}
	s.mu.Unlock()
	if !c.has(need) {
		c.fail(http.StatusForbidden, "accessDenied", "Access denied")
		return
	}
	if st == nil {
		c.fail(http.StatusNotFound, "itemNotFound", "Requested site could not be found")
		return
	}
	switch {
	case len(sub) == 0:
		s.mu.Lock()
		o := siteObject(st)
		s.mu.Unlock()
		writeGraphJSON(c.w, c.r, http.StatusOK, append(object{{"@odata.context", c.base + "/v1.0/$metadata#sites/$entity"}}, o...))
	case wantDrives(sub):
		s.mu.Lock()
		values := []object{}
		for _, id := range st.drives {
			if d := s.drives.drive(id); d != nil {
				values = append(values, s.driveObject(c, d))
			}
		}
		s.mu.Unlock()
		writeGraphJSON(c.w, c.r, http.StatusOK, object{{"@odata.context", c.base + "/v1.0/$metadata#drives"}, {"value", values}})
	case len(sub) >= 1 && strings.EqualFold(sub[0], "drive") && len(st.drives) > 0:
		s.mu.Lock()
		d := s.drives.drive(st.drives[0])
		s.mu.Unlock()
		s.serveDrive(c, d, sub[1:])
	default:
		c.fail(http.StatusBadRequest, "invalidRequest", "Resource not found for the segment '"+sub[len(sub)-1]+"'.")
	}
}

// searchSites serves /sites?search={q}: sites whose name, display name or
// description contains q ("*" lists every site).
func (s *Server) searchSites(c *graphCall) {
	if !c.has(scopesSites) {
		c.fail(http.StatusForbidden, "accessDenied", "Access denied")
		return
	}
	q, ok := c.q["search"]
	if !ok {
		c.fail(http.StatusBadRequest, "invalidRequest", "Cannot enumerate sites without a search query.")
		return
	}
	term := strings.ToLower(strings.TrimSpace(strings.Trim(strings.Join(q, " "), `"`)))
	s.mu.Lock()
	values := []object{}
	for _, st := range s.drives.sites {
		text := strings.ToLower(st.name + " " + st.displayName + " " + st.description)
		if term == "*" || term == "" || strings.Contains(text, term) {
			values = append(values, siteObject(st))
		}
	}
	s.mu.Unlock()
	writeGraphJSON(c.w, c.r, http.StatusOK, object{{"@odata.context", c.base + "/v1.0/$metadata#sites"}, {"value", values}})
}

// followedSites serves /me/followedSites.
func (s *Server) followedSites(c *graphCall) {
	if c.tok.personal {
		c.fail(http.StatusBadRequest, "invalidRequest", "SharePoint sites are not available for personal Microsoft accounts.")
		return
	}
	if !c.has(scopesSites) {
		c.fail(http.StatusForbidden, "accessDenied", "Access denied")
		return
	}
	s.mu.Lock()
	values := []object{}
	for _, st := range s.drives.sites {
		if st.followed {
			values = append(values, siteObject(st))
		}
	}
	s.mu.Unlock()
	writeGraphJSON(c.w, c.r, http.StatusOK, object{{"@odata.context", c.base + "/v1.0/$metadata#sites"}, {"value", values}})
}

// Sites lists the tenant's sites as (id, display name, web URL, followed).
func (s *Server) Sites() []SimSite {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SimSite
	for _, st := range s.drives.sites {
		out = append(out, SimSite{ID: st.id(), DisplayName: st.displayName, WebURL: st.webURL(), Followed: st.followed})
	}
	return out
}

// SimSite is one site of the simulator's tenant.
type SimSite struct {
	ID, DisplayName, WebURL string
	Followed                bool
}
