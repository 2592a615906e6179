package graphsim

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"rapport/backend/model"
)

// Mail endpoints other than delta: folders, child folders, plain message
// lists and single messages, shaped like user-list-mailfolders.1.json and
// the message resource.

const errNotFoundInStore = "The specified object was not found in the store."

func (s *Server) folderObject(f *folder) object {
	total, unread, kids := s.mb.counts(f)
	var o object
	if f.Search != "" {
		o = append(o, field{"@odata.type", "#microsoft.graph.mailSearchFolder"})
	}
	o = append(o,
		field{"id", f.ID},
		field{"displayName", f.Name},
		field{"parentFolderId", f.ParentID},
		field{"childFolderCount", kids},
		field{"unreadItemCount", unread},
		field{"totalItemCount", total},
		field{"isHidden", f.Hidden},
	)
	if f.Search != "" {
		o = append(o, field{"isSupported", true}, field{"filterQuery", fmt.Sprintf("contains(subject, '%s')", f.Search)})
	}
	return o
}

var folderProps = []string{"id", "displayName", "parentFolderId", "childFolderCount", "unreadItemCount", "totalItemCount", "isHidden"}

// listFolders answers /me/mailFolders (parent "" = msgfolderroot, top=true)
// and /me/mailFolders/{id}/childFolders, 10 per page unless $top, hidden
// folders only with includeHiddenFolders=true.
func (s *Server) listFolders(c *graphCall, parentRef string, top bool) {
	if !c.has(scopesMail) {
		c.fail(http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
		return
	}
	sel, bad := parseSelect(c.q.Get("$select"), folderProps)
	if bad != "" {
		c.fail(http.StatusBadRequest, "RequestBroker--ParseUri", fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.mailFolder'.", bad))
		return
	}
	skip, top1, ok := skipTop(c, 10)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parent := s.mb.byID[s.mb.rootID]
	ctx := fmt.Sprintf("%s/v1.0/$metadata#users('%s')/mailFolders", c.base, c.user.graphID)
	if !top {
		parent = s.mb.resolve(parentRef)
		if parent == nil {
			c.fail(http.StatusNotFound, "ErrorItemNotFound", errNotFoundInStore)
			return
		}
		ctx = fmt.Sprintf("%s/v1.0/$metadata#users('%s')/mailFolders('%s')/childFolders", c.base, c.user.graphID, parent.ID)
	}
	hidden := strings.EqualFold(c.q.Get("includeHiddenFolders"), "true")
	var all []*folder
	for _, f := range s.mb.children(parent.ID) {
		if f.Hidden && !hidden {
			continue
		}
		all = append(all, f)
	}
	values := []object{}
	for i := skip; i < len(all) && i < skip+top1; i++ {
		o := s.folderObject(all[i])
		if sel != nil {
			o = projectKeepType(o, sel)
		}
		values = append(values, o)
	}
	out := object{{"@odata.context", ctx}, {"value", values}}
	if skip+top1 < len(all) {
		out = append(out, field{"@odata.nextLink", nextSkipLink(c, skip+top1)})
	}
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}

// projectKeepType is project() that also keeps "@odata.type" and id, which
// Graph returns whatever $select says.
func projectKeepType(o object, sel []string) object {
	out := project(o, append(append([]string{}, sel...), "@odata.type", "@odata.etag"), "id")
	return out
}

func (s *Server) getFolder(c *graphCall, ref string) {
	if !c.has(scopesMail) {
		c.fail(http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
		return
	}
	sel, bad := parseSelect(c.q.Get("$select"), folderProps)
	if bad != "" {
		c.fail(http.StatusBadRequest, "RequestBroker--ParseUri", fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.mailFolder'.", bad))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.mb.resolve(ref)
	if f == nil {
		c.fail(http.StatusNotFound, "ErrorItemNotFound", errNotFoundInStore)
		return
	}
	o := s.folderObject(f)
	if sel != nil {
		o = projectKeepType(o, sel)
	}
	out := append(object{{"@odata.context", fmt.Sprintf("%s/v1.0/$metadata#users('%s')/mailFolders/$entity", c.base, c.user.graphID)}}, o...)
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}

// skipTop reads $skip and $top for plain (non-delta) lists.
func skipTop(c *graphCall, defTop int) (skip, top int, ok bool) {
	top = defTop
	if v := c.q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			c.fail(http.StatusBadRequest, "ErrorInvalidUrlQuery", "The value of $top must be between 1 and 1000.")
			return 0, 0, false
		}
		top = n
	}
	if v := c.q.Get("$skip"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			c.fail(http.StatusBadRequest, "ErrorInvalidUrlQuery", "The value of $skip is invalid.")
			return 0, 0, false
		}
		skip = n
	}
	return skip, top, true
}

func nextSkipLink(c *graphCall, skip int) string {
	q := url.Values{}
	for k, v := range c.q {
		q[k] = v
	}
	q.Set("$skip", strconv.Itoa(skip))
	return c.base + c.r.URL.EscapedPath() + "?" + q.Encode()
}

// ---- messages ----

var messageProps = []string{
	"id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "receivedDateTime", "sentDateTime",
	"hasAttachments", "internetMessageId", "subject", "bodyPreview", "importance", "parentFolderId", "conversationId",
	"conversationIndex", "isDeliveryReceiptRequested", "isReadReceiptRequested", "isRead", "isDraft", "webLink",
	"inferenceClassification", "body", "uniqueBody", "sender", "from", "toRecipients", "ccRecipients", "bccRecipients",
	"replyTo", "flag",
}

// bodyProps are what Mail.ReadBasic withholds.
var bodyProps = map[string]bool{"body": true, "bodyPreview": true, "uniqueBody": true}

const placeholderBody = "(The simulator keeps no message bodies.)"

func emailAddress(r model.Recipient) object {
	return object{{"emailAddress", object{{"name", r.Name}, {"address", r.Address}}}}
}

func emailAddresses(rs []model.Recipient) []object {
	out := make([]object, 0, len(rs))
	for _, r := range rs {
		out = append(out, emailAddress(r))
	}
	return out
}

// messageObject renders m as Graph does, without body properties unless
// withBody (only tokens with Mail.Read see them).
func messageObject(m *message, withBody bool) object {
	flag := object{{"flagStatus", m.Flag}}
	if m.Flag == "flagged" {
		day := m.Received.UTC().Format("2006-01-02") + "T00:00:00.0000000"
		flag = append(flag,
			field{"startDateTime", object{{"dateTime", day}, {"timeZone", "UTC"}}},
			field{"dueDateTime", object{{"dateTime", day}, {"timeZone", "UTC"}}})
	}
	o := object{
		{"@odata.etag", `W/"` + m.ChangeKey + `"`},
		{"id", m.ID},
		{"createdDateTime", graphTime(m.Created)},
		{"lastModifiedDateTime", graphTime(m.Modified)},
		{"changeKey", m.ChangeKey},
		{"categories", append([]string{}, m.Categories...)},
		{"receivedDateTime", graphTime(m.Received)},
		{"sentDateTime", graphTime(m.Sent)},
		{"hasAttachments", m.HasAttachments},
		{"internetMessageId", m.InternetMessageID},
		{"subject", m.Subject},
	}
	if withBody {
		o = append(o, field{"bodyPreview", placeholderBody})
	}
	o = append(o,
		field{"importance", m.Importance},
		field{"parentFolderId", m.FolderID},
		field{"conversationId", m.ConversationID},
		field{"conversationIndex", m.ConversationIdx},
		field{"isDeliveryReceiptRequested", false},
		field{"isReadReceiptRequested", false},
		field{"isRead", m.IsRead},
		field{"isDraft", m.IsDraft},
		field{"webLink", webLink(m.ID)},
		field{"inferenceClassification", m.Inference},
	)
	if withBody {
		html := "<html><body><p>" + placeholderBody + "</p></body></html>"
		o = append(o, field{"body", object{{"contentType", "html"}, {"content", html}}},
			field{"uniqueBody", object{{"contentType", "html"}, {"content", html}}})
	}
	o = append(o,
		field{"sender", emailAddress(m.Sender)},
		field{"from", emailAddress(m.From)},
		field{"toRecipients", emailAddresses(m.To)},
		field{"ccRecipients", emailAddresses(m.Cc)},
		field{"bccRecipients", emailAddresses(m.Bcc)},
		field{"replyTo", emailAddresses(m.ReplyTo)},
		field{"flag", flag},
	)
	return o
}

// messageSelect validates $select for messages and applies Mail.ReadBasic's
// rule: asking for a body without Mail.Read is refused, not silently
// dropped. ok=false means an error was written.
func messageSelect(c *graphCall, raw string) (sel []string, withBody, ok bool) {
	sel, bad := parseSelect(raw, messageProps)
	if bad != "" {
		c.fail(http.StatusBadRequest, "RequestBroker--ParseUri", fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.message'.", bad))
		return nil, false, false
	}
	canBody := c.has(scopesMailBody)
	for _, p := range sel {
		if bodyProps[p] && !canBody {
			c.fail(http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
			return nil, false, false
		}
	}
	return sel, canBody, true
}

func renderMessage(m *message, sel []string, withBody bool) object {
	o := messageObject(m, withBody)
	if sel != nil {
		o = projectKeepType(o, sel)
	}
	return o
}

func (s *Server) listMessages(c *graphCall, ref string) {
	if !c.has(scopesMail) {
		c.fail(http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
		return
	}
	sel, withBody, ok := messageSelect(c, c.q.Get("$select"))
	if !ok {
		return
	}
	skip, top, ok := skipTop(c, 10)
	if !ok {
		return
	}
	conds, ok := parseListFilter(c, c.q.Get("$filter"))
	if !ok {
		return
	}
	oldestFirst := false
	switch o := strings.ToLower(strings.Join(strings.Fields(c.q.Get("$orderby")), " ")); o {
	case "", "receiveddatetime desc":
	case "receiveddatetime", "receiveddatetime asc":
		oldestFirst = true
	default:
		c.fail(http.StatusBadRequest, "ErrorInvalidUrlQuery", "The simulator orders messages by receivedDateTime only.")
		return
	}
	count := strings.EqualFold(c.q.Get("$count"), "true")
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.mb.resolve(ref)
	if f == nil {
		c.fail(http.StatusNotFound, "ErrorItemNotFound", errNotFoundInStore)
		return
	}
	var all []*message
	for _, m := range s.mb.members(f) {
		if conds.match(m.Received) {
			all = append(all, m)
		}
	}
	if oldestFirst {
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
	}
	values := []object{}
	for i := skip; i < len(all) && i < skip+top; i++ {
		values = append(values, renderMessage(all[i], sel, withBody))
	}
	out := object{{"@odata.context", fmt.Sprintf("%s/v1.0/$metadata#users('%s')/mailFolders('%s')/messages", c.base, c.user.graphID, f.ID)}}
	if count {
		out = append(out, field{"@odata.count", len(all)})
	}
	out = append(out, field{"value", values})
	if skip+top < len(all) {
		out = append(out, field{"@odata.nextLink", nextSkipLink(c, skip+top)})
	}
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}

// timeConds is a conjunction of receivedDateTime comparisons.
type timeConds []struct {
	op string
	t  time.Time
}

func (cs timeConds) match(t time.Time) bool {
	for _, c := range cs {
		switch c.op {
		case "ge":
			if t.Before(c.t) {
				return false
			}
		case "gt":
			if !t.After(c.t) {
				return false
			}
		case "le":
			if t.After(c.t) {
				return false
			}
		case "lt":
			if !t.Before(c.t) {
				return false
			}
		}
	}
	return true
}

var listFilterRe = regexp.MustCompile(`(?i)^\s*receivedDateTime\s+(ge|gt|le|lt)\s+'?([0-9T:.\-+Z]+)'?\s*$`)

// parseListFilter reads "receivedDateTime ge X and receivedDateTime lt Y"
// (any number of such comparisons joined by "and").
func parseListFilter(c *graphCall, raw string) (timeConds, bool) {
	var out timeConds
	if strings.TrimSpace(raw) == "" {
		return out, true
	}
	for _, part := range regexp.MustCompile(`(?i)\s+and\s+`).Split(raw, -1) {
		m := listFilterRe.FindStringSubmatch(part)
		var t time.Time
		var err error
		if m != nil {
			t, err = time.Parse(time.RFC3339, m[2])
		}
		if m == nil || err != nil {
			c.fail(http.StatusBadRequest, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.")
			return nil, false
		}
		out = append(out, struct {
			op string
			t  time.Time
		}{strings.ToLower(m[1]), t.UTC()})
	}
	return out, true
}

func (s *Server) getMessage(c *graphCall, id string) {
	if !c.has(scopesMail) {
		c.fail(http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
		return
	}
	sel, withBody, ok := messageSelect(c, c.q.Get("$select"))
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mb.msgs[id]
	if m == nil {
		c.fail(http.StatusNotFound, "ErrorItemNotFound", errNotFoundInStore)
		return
	}
	out := append(object{{"@odata.context", fmt.Sprintf("%s/v1.0/$metadata#users('%s')/messages/$entity", c.base, c.user.graphID)}}, renderMessage(m, sel, withBody)...)
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}
