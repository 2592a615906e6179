package graphsim

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// field and object keep JSON properties in Graph's order. Order carries no
// meaning in JSON, but matching Microsoft's makes side-by-side comparison
// with the documented examples easy.
type field struct {
	k string
	v any
}

type object []field

func (o object) MarshalJSON() ([]byte, error) { return appendJSON(nil, o), nil }

// get returns the value of key k, for tests and $select.
func (o object) get(k string) (any, bool) {
	for _, f := range o {
		if f.k == k {
			return f.v, true
		}
	}
	return nil, false
}

func (o object) keys() []string {
	out := make([]string, len(o))
	for i, f := range o {
		out[i] = f.k
	}
	return out
}

// encodeJSON marshals without HTML escaping: Graph writes "<id@host>" and
// "&" in links literally.
func encodeJSON(v any) []byte { return appendJSON(nil, v) }

// graphTime is Graph's DateTimeOffset format for resource properties.
func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// graphHeaders sets the headers every Graph answer carries and returns the
// request id for error bodies.
func graphHeaders(w http.ResponseWriter, r *http.Request) (requestID, clientRequestID string) {
	requestID = newUUID()
	clientRequestID = r.Header.Get("client-request-id")
	if clientRequestID == "" {
		clientRequestID = requestID
	}
	h := w.Header()
	h.Set("request-id", requestID)
	h.Set("client-request-id", clientRequestID)
	h.Set("OData-Version", "4.0")
	h.Set("Cache-Control", "no-cache")
	h.Set("Strict-Transport-Security", "max-age=31536000")
	return requestID, clientRequestID
}

func writeGraphJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	graphHeaders(w, r)
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.WriteHeader(status)
	writeEncoded(w, v)
}

// graphError writes Graph's error shape:
// {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}.
func writeGraphError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	writeGraphErrorInner(w, r, status, code, message, nil)
}

// writeGraphErrorInner adds service-specific innerError properties, as the
// throttling answer's code/status/message.
func writeGraphErrorInner(w http.ResponseWriter, r *http.Request, status int, code, message string, inner object) {
	reqID, clientID := graphHeaders(w, r)
	inner = append(append(object{}, inner...),
		field{"date", time.Now().UTC().Format("2006-01-02T15:04:05")},
		field{"request-id", reqID},
		field{"client-request-id", clientID},
	)
	body := object{{"error", object{
		{"code", code},
		{"message", message},
		{"innerError", inner},
	}}}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	writeEncoded(w, body)
}

// scope families a Graph request needs; any one scope of the family will do.
var (
	scopesUser = []string{"user.read", "user.readwrite", "user.readbasic.all", "user.read.all", "directory.read.all"}
	scopesMail = []string{"mail.readbasic", "mail.read", "mail.readwrite", "mail.readbasic.all", "mail.read.shared"}
	// scopesMailBody are the only ones that may see body and bodyPreview.
	scopesMailBody = []string{"mail.read", "mail.readwrite", "mail.read.shared"}
)

// graphCall is one authenticated request on its way through the router.
type graphCall struct {
	w    http.ResponseWriter
	r    *http.Request
	tok  *accessToken
	user identityUser
	base string // https://127.0.0.1:PORT
	q    url.Values
}

func (c *graphCall) has(family []string) bool {
	for _, s := range family {
		if c.tok.scopes[s] {
			return true
		}
	}
	return false
}

func (c *graphCall) fail(status int, code, msg string) { writeGraphError(c.w, c.r, status, code, msg) }

// segments splits a Graph path into segments, turning the key syntax
// mailFolders('id') into two segments, as Graph accepts both forms.
func segments(p string) []string {
	var out []string
	for _, s := range strings.Split(strings.Trim(p, "/"), "/") {
		if s == "" {
			continue
		}
		if i := strings.Index(s, "('"); i > 0 && strings.HasSuffix(s, "')") {
			out = append(out, s[:i], s[i+2:len(s)-2])
			continue
		}
		out = append(out, s)
	}
	return out
}

// isMailboxPath says whether a request counts against Outlook's per-mailbox
// concurrency limit.
// Mail and calendar live in the same mailbox, so both count.
func isMailboxPath(p string) bool {
	l := strings.ToLower(p)
	return strings.Contains(l, "/mailfolders") || strings.Contains(l, "/messages") ||
		strings.Contains(l, "/calendar") || strings.Contains(l, "/events")
}

func (s *Server) serveGraph(w *statusWriter, r *http.Request, rec *RequestRecord) {
	mailboxReq := isMailboxPath(r.URL.Path)
	s.mu.Lock()
	over := false
	if mailboxReq {
		s.inflight++
		if lim := s.opts.MailboxConcurrency; lim > 0 && s.inflight > lim {
			over = true
			s.inflight--
		}
		s.maxIn = max(s.maxIn, s.inflight)
	}
	fault := s.matchFault(r.URL.Path)
	if fault == nil {
		fault = s.randomFault(r) // faults_random.go
	}
	s.mu.Unlock()
	// A request stops counting against the mailbox's limit once it is
	// answered, before the answer goes on the wire: counted until the
	// handler returned, a client that had read the whole answer could send
	// its next request first and find five "in flight".
	answered := func() {}
	if mailboxReq && !over {
		var once sync.Once
		answered = func() {
			once.Do(func() {
				s.mu.Lock()
				s.inflight--
				s.mu.Unlock()
			})
		}
		defer answered()
	}
	if over || fault != nil {
		if !s.sleep(r) {
			return
		}
	}
	if over {
		rec.Fault = "mailbox-concurrency"
		w.Header().Set("Retry-After", "1")
		writeGraphError(w, r, http.StatusTooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
		return
	}
	if fault != nil {
		rec.Fault = fault.label()
		if fault.apply(w, r) {
			return
		}
		if fault.kind() == FaultSlow { // stalled, and the client still waits
			s.routeGraph(w, r, answered, time.Time{})
			return
		}
		// A truncation lets the request run and cuts its answer.
		tw := &truncatingWriter{header: http.Header{}}
		s.routeGraph(tw, r, answered, time.Time{})
		tw.flushHalf(w)
		return
	}
	// The answer is built while the latency runs and sent when it has
	// passed: a request costs the latency, as it does from Graph, whose
	// own work is part of what a client measures. Built after the wait,
	// every answer cost the latency plus the simulator's rendering (7-8 ms
	// of a 100 ms mail page in the heavy first sync, with the CPUs shared
	// with the sync), which no client can save (docs/PERFORMANCE.md §46).
	s.routeGraph(w, r, answered, rec.At.Add(s.opts.Latency))
}

// routeGraph answers a Graph request. The answer goes on the wire only
// after the handler has returned, and so released the tenant's lock: a
// handler builds its answer under the lock, and writing 1,000 drive items
// to a client that decodes as it reads used to hold every other request —
// the mailbox's included — for as long as that took. Graph answers one
// user's requests side by side; so does the simulator now (issue 7,
// docs/PERFORMANCE.md §31).
//
// With a due time, the answer waits for it (the rest of the latency); a
// client that gives up meanwhile gets nothing.
func (s *Server) routeGraph(w http.ResponseWriter, r *http.Request, answered func(), due time.Time) {
	a := &heldAnswer{ResponseWriter: w}
	defer func() {
		if wait := time.Until(due); wait > 0 && !due.IsZero() {
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
				answered()
				a.drop()
				return
			}
		}
		answered()
		a.send()
	}()
	s.route(a, r)
}

// heldAnswer keeps a handler's status and body until send; headers go
// straight to the response.
type heldAnswer struct {
	http.ResponseWriter
	status int
	body   *[]byte // from answerBuffers, returned by send
}

func (a *heldAnswer) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
}

func (a *heldAnswer) Write(b []byte) (int, error) {
	a.appendBody(func(body []byte) []byte { return append(body, b...) })
	return len(b), nil
}

// appendBody extends the held body with what add appends to it.
func (a *heldAnswer) appendBody(add func([]byte) []byte) {
	a.WriteHeader(http.StatusOK)
	if a.body == nil {
		a.body = takeBuffer()
	}
	*a.body = add(*a.body)
}

// drop returns the held body unsent.
func (a *heldAnswer) drop() {
	if a.body != nil {
		giveBuffer(a.body)
		a.body = nil
	}
}

func (a *heldAnswer) send() {
	if a.body != nil {
		defer giveBuffer(a.body)
	}
	if a.status == 0 {
		return
	}
	a.ResponseWriter.WriteHeader(a.status)
	if a.body != nil {
		_, _ = a.ResponseWriter.Write(*a.body)
	}
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeGraphError(w, r, http.StatusMethodNotAllowed, "BadRequest", "Specified HTTP method is not allowed for the request target.")
		return
	}
	tok, code, msg := s.checkAccessToken(r.Header.Get("Authorization"))
	if tok == nil {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="", authorization_uri="%s/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`, s.URL()))
		writeGraphError(w, r, http.StatusUnauthorized, code, msg)
		return
	}
	c := &graphCall{w: w, r: r, tok: tok, user: s.tenant.me, base: s.URL(), q: r.URL.Query()}
	if tok.personal {
		c.user = s.tenant.personal
	}
	segs := segments(strings.TrimPrefix(r.URL.Path, "/v1.0"))
	if len(segs) == 0 {
		c.fail(http.StatusBadRequest, "BadRequest", "Invalid version.")
		return
	}
	if s.routeDrive(c, segs) { // drive_graph.go: drives and sites
		return
	}
	var rest []string
	switch {
	case segs[0] == "me":
		rest = segs[1:]
	case strings.EqualFold(segs[0], "users") && len(segs) > 1:
		if segs[1] != c.user.graphID && !strings.EqualFold(segs[1], c.user.upn) {
			c.fail(http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", segs[1]))
			return
		}
		rest = segs[2:]
	default:
		c.fail(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", segs[0]))
		return
	}
	is := func(i int, name string) bool { return len(rest) > i && strings.EqualFold(rest[i], name) }
	switch {
	case len(rest) == 0:
		s.getMe(c)
	case is(0, "mailFolders") && len(rest) == 1:
		s.listFolders(c, "", true)
	case is(0, "mailFolders") && is(1, "delta") && len(rest) == 2:
		s.folderDelta(c)
	case is(0, "mailFolders") && len(rest) == 2:
		s.getFolder(c, rest[1])
	case is(0, "mailFolders") && is(2, "childFolders") && len(rest) == 3:
		s.listFolders(c, rest[1], false)
	case is(0, "mailFolders") && is(2, "messages") && is(3, "delta") && len(rest) == 4:
		s.messageDelta(c, rest[1])
	case is(0, "mailFolders") && is(2, "messages") && len(rest) == 3:
		s.listMessages(c, rest[1])
	case is(0, "messages") && len(rest) == 2:
		s.getMessage(c, rest[1])
	case is(0, "calendar") && len(rest) == 1:
		s.getCalendar(c, "")
	case is(0, "calendar") && is(1, "calendarView") && len(rest) == 2:
		s.calendarView(c, "")
	case is(0, "calendars") && len(rest) == 1:
		s.listCalendars(c)
	case is(0, "calendars") && len(rest) == 2:
		s.getCalendar(c, rest[1])
	case is(0, "calendars") && is(2, "calendarView") && len(rest) == 3:
		s.calendarView(c, rest[1])
	case is(0, "calendarView") && len(rest) == 1:
		s.calendarView(c, "")
	case is(0, "calendarView") && is(1, "delta") && len(rest) == 2:
		s.calendarViewDelta(c)
	case (is(0, "events") && is(1, "delta")) || (is(0, "calendar") && is(1, "events") && is(2, "delta")):
		// v1.0 tracks changes of calendar views only (msgraph-metadata #608).
		c.fail(http.StatusBadRequest, "BadRequest", "Change tracking is not supported against 'microsoft.graph.event'.")
	case is(0, "events") && len(rest) == 2:
		s.getEvent(c, rest[1])
	default:
		last := rest[len(rest)-1]
		c.fail(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", last))
	}
}

// userObject is the /me resource, as in user-get.1.json.
func (u identityUser) object() object {
	var mail any
	if u.mail != "" {
		mail = u.mail
	}
	phones := []string{}
	if u.phone != "" {
		phones = append(phones, u.phone)
	}
	opt := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	return object{
		{"businessPhones", phones},
		{"displayName", u.name},
		{"givenName", u.given},
		{"jobTitle", opt(u.jobTitle)},
		{"mail", mail},
		{"mobilePhone", opt(u.mobile)},
		{"officeLocation", opt(u.office)},
		{"preferredLanguage", "en-US"},
		{"surname", u.surname},
		{"userPrincipalName", u.upn},
		{"id", u.graphID},
	}
}

func (s *Server) getMe(c *graphCall) {
	if !c.has(scopesUser) {
		c.fail(http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		return
	}
	full := c.user.object()
	sel, bad := parseSelect(c.q.Get("$select"), full.keys())
	if bad != "" {
		c.fail(http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Could not find a property named '%s' on type 'Microsoft.DirectoryServices.User'.", bad))
		return
	}
	ctx := c.base + "/v1.0/$metadata#users/$entity"
	if sel != nil {
		ctx = c.base + "/v1.0/$metadata#users(" + strings.Join(sel, ",") + ")/$entity"
	}
	out := object{{"@odata.context", ctx}}
	out = append(out, project(full, sel, "")...)
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}

// parseSelect reads a $select list against the known property names. It
// returns nil for "everything", and the first unknown name if any.
func parseSelect(raw string, props []string) (sel []string, bad string) {
	if strings.TrimSpace(raw) == "" {
		return nil, ""
	}
	for _, p := range strings.Split(raw, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		found := false
		for _, k := range props {
			if strings.EqualFold(k, p) {
				sel = append(sel, k)
				found = true
				break
			}
		}
		if !found {
			return nil, p
		}
	}
	return sel, ""
}

// project keeps the selected properties (all when sel is nil) in Graph's
// order; keep names a property that is always returned (id).
func project(full object, sel []string, keep string) object {
	return newSelector(sel, keep).apply(full)
}

// selector is a $select's properties as a set (nil: every property), made
// once for a page rather than once per item.
type selector map[string]bool

func newSelector(sel []string, keep string) selector {
	if sel == nil {
		return nil
	}
	want := selector{keep: true}
	for _, s := range sel {
		want[s] = true
	}
	return want
}

// apply returns full's selected properties, in full's order.
func (want selector) apply(full object) object {
	if want == nil {
		return append(object{}, full...)
	}
	var out object
	for _, f := range full {
		if want[f.k] {
			out = append(out, f)
		}
	}
	return out
}

// pageSize reads Prefer: odata.maxpagesize=N; 0 when absent.
func preferMaxPageSize(r *http.Request) int {
	for _, h := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(h, ",") {
			p = strings.TrimSpace(p)
			if v, ok := strings.CutPrefix(strings.ToLower(p), "odata.maxpagesize="); ok {
				if n, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil && n > 0 {
					return n
				}
			}
		}
	}
	return 0
}

// preferImmutableID says whether the client asked for immutable ids. The
// simulator's ids never change anyway; the header is acknowledged.
func preferImmutableID(r *http.Request) bool {
	for _, h := range r.Header.Values("Prefer") {
		if strings.Contains(strings.ToLower(strings.ReplaceAll(h, " ", "")), `idtype="immutableid"`) {
			return true
		}
	}
	return false
}
