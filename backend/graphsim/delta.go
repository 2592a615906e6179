package graphsim

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Delta query for messages per folder (and a folder-list delta).
//
// Every change to the mailbox stamps a global sequence number (mailbox.seq).
// A round starts by snapshotting the ids it will return: all the folder's
// messages (a full round), or those changed after the previous round's seq
// plus the folder's tombstones (a delta round). Pages are served from that
// snapshot through opaque $skiptoken values; the last page carries a
// $deltatoken that remembers the seq at the round's start. Anything changed
// during a round therefore shows up again in the next one — the "repeats are
// possible, use the last occurrence" behaviour Graph documents. Tokens are
// random keys into server-side state, so a garbled or forgotten token is
// a 410 SyncStateNotFound, like an expired Outlook sync state.

// roundSpec is what the first request of a round fixes for the whole
// sequence of rounds (Graph encodes it into the tokens).
type roundSpec struct {
	folderID   string
	sel        []string
	withBody   bool
	after      time.Time // receivedDateTime filter; zero = none
	strict     bool      // gt rather than ge
	changeType string    // "", created, updated, deleted
	top        int       // total cap per round ($top on delta); 0 = none
	// calendar view rounds: the window fixed by the first request
	winStart, winEnd time.Time
}

type deltaItem struct {
	id      string
	removed bool
}

type round struct {
	spec  roundSpec
	items []deltaItem
	upto  int64
}

type tokenState struct {
	spec   roundSpec
	round  *round // skip tokens: the round being paged
	offset int
	since  int64 // delta tokens: seq the next round diffs against
	delta  bool
}

// tokenStore maps opaque tokens to sync state. It is bounded: like
// Outlook's sync-state cache, the oldest states are evicted, and their links
// then answer 410.
type tokenStore struct {
	m    map[string]*tokenState
	fifo []string
}

const maxSyncStates = 200000

func newTokenStore() *tokenStore { return &tokenStore{m: map[string]*tokenState{}} }

func (ts *tokenStore) put(st *tokenState) string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	ts.m[tok] = st
	ts.fifo = append(ts.fifo, tok)
	for len(ts.fifo) > maxSyncStates {
		delete(ts.m, ts.fifo[0])
		ts.fifo = ts.fifo[1:]
	}
	return tok
}

// InvalidateDeltaTokens forgets every sync state: each outstanding nextLink
// and deltaLink then answers 410 SyncStateNotFound, forcing a full resync.
func (s *Server) InvalidateDeltaTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = newTokenStore()
}

func writeSyncStateNotFound(w http.ResponseWriter, r *http.Request) {
	writeGraphError(w, r, http.StatusGone, "SyncStateNotFound", "The sync state generation is not found. The sync state may have expired or been invalidated. Please do a full sync.")
}

var filterRe = regexp.MustCompile(`(?i)^\s*receivedDateTime\s+(ge|gt)\s+'?([0-9T:.\-+Z]+)'?\s*$`)

// parseRoundSpec reads the query of a round's first request.
func parseRoundSpec(c *graphCall, folderID string) (roundSpec, bool) {
	spec := roundSpec{folderID: folderID}
	sel, withBody, ok := messageSelect(c, c.q.Get("$select"))
	if !ok {
		return spec, false
	}
	spec.sel, spec.withBody = sel, withBody
	if f := c.q.Get("$filter"); f != "" {
		m := filterRe.FindStringSubmatch(f)
		var t time.Time
		var err error
		if m != nil {
			t, err = time.Parse(time.RFC3339, m[2])
			if err != nil {
				t, err = time.Parse("2006-01-02T15:04:05", m[2])
			}
		}
		if m == nil || err != nil {
			c.fail(http.StatusBadRequest, "ErrorInvalidUrlQueryFilter", "The query filter contains one or more invalid nodes.")
			return spec, false
		}
		spec.after, spec.strict = t.UTC(), strings.EqualFold(m[1], "gt")
	}
	if o := c.q.Get("$orderby"); o != "" && !strings.EqualFold(strings.Join(strings.Fields(o), " "), "receivedDateTime desc") {
		c.fail(http.StatusBadRequest, "ErrorInvalidUrlQuery", "The only supported $orderby on delta is receivedDateTime desc.")
		return spec, false
	}
	switch ct := strings.ToLower(c.q.Get("changeType")); ct {
	case "", "created", "updated", "deleted":
		spec.changeType = ct
	default:
		c.fail(http.StatusBadRequest, "ErrorInvalidParameter", "The value of changeType must be created, updated or deleted.")
		return spec, false
	}
	if v := c.q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			c.fail(http.StatusBadRequest, "ErrorInvalidUrlQuery", "The value of $top is invalid.")
			return spec, false
		}
		spec.top = n
	}
	return spec, true
}

func (spec roundSpec) matches(m *message) bool {
	if spec.after.IsZero() {
		return true
	}
	if spec.strict {
		return m.Received.After(spec.after)
	}
	return !m.Received.Before(spec.after)
}

// fullRound is startRound's "since" for a first round: everything, not
// changes (seq 0 is a valid point: the seeded mailbox before any change).
const fullRound = -1

// startRound snapshots a round of f's changes after seq since, or all of
// its messages for fullRound. Callers hold s.mu.
func (s *Server) startRound(f *folder, spec roundSpec, since int64) *round {
	rd := &round{spec: spec, upto: s.mb.seq}
	if since == fullRound {
		if spec.changeType == "" || spec.changeType == "created" {
			for _, m := range s.mb.members(f) {
				if spec.matches(m) {
					rd.items = append(rd.items, deltaItem{id: m.ID})
				}
			}
		}
	} else {
		if spec.changeType == "" || spec.changeType == "deleted" {
			seen := map[string]bool{}
			for _, t := range s.mb.gone[f.ID] {
				if t.seq <= since || seen[t.id] {
					continue
				}
				seen[t.id] = true
				if m := s.mb.msgs[t.id]; m != nil && s.mb.inFolder(m, f) {
					continue // left and came back: reported as a change below
				}
				rd.items = append(rd.items, deltaItem{id: t.id, removed: true})
			}
		}
		if spec.changeType != "deleted" {
			for _, m := range s.mb.changedSince(f, since) {
				if !spec.matches(m) {
					continue
				}
				created := m.entered > since
				if (spec.changeType == "created" && !created) || (spec.changeType == "updated" && created) {
					continue
				}
				rd.items = append(rd.items, deltaItem{id: m.ID})
			}
		}
	}
	if spec.top > 0 && len(rd.items) > spec.top {
		rd.items = rd.items[:spec.top]
	}
	return rd
}

// pageSize applies Prefer: odata.maxpagesize (capped by PageCap), else
// Graph's default of 10, and says what to put in Preference-Applied.
func (s *Server) pageSize(r *http.Request) (n int, applied string) {
	n = preferMaxPageSize(r)
	if n == 0 {
		return 10, ""
	}
	if n > s.opts.PageCap {
		n = s.opts.PageCap
	}
	return n, "odata.maxpagesize=" + strconv.Itoa(n)
}

// messageDelta serves GET /me/mailFolders/{id}/messages/delta.
func (s *Server) messageDelta(c *graphCall, ref string) {
	if !c.has(scopesMail) {
		c.fail(http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
		return
	}
	size, applied := s.pageSize(c.r)
	skip, dtok := c.q.Get("$skiptoken"), c.q.Get("$deltatoken")
	var spec roundSpec
	if skip == "" && dtok == "" {
		var ok bool
		if spec, ok = parseRoundSpec(c, ""); !ok {
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.mb.resolve(ref)
	if f == nil || f.ID == s.mb.rootID {
		c.fail(http.StatusNotFound, "ErrorItemNotFound", errNotFoundInStore)
		return
	}
	var rd *round
	offset := 0
	switch {
	case skip != "":
		st := s.tokens.m[skip]
		if st == nil || st.delta || st.spec.folderID != f.ID {
			writeSyncStateNotFound(c.w, c.r)
			return
		}
		rd, offset = st.round, st.offset
	case dtok != "":
		st := s.tokens.m[dtok]
		if st == nil || !st.delta || st.spec.folderID != f.ID {
			writeSyncStateNotFound(c.w, c.r)
			return
		}
		rd = s.startRound(f, st.spec, st.since)
	default:
		spec.folderID = f.ID
		rd = s.startRound(f, spec, fullRound)
	}
	end := min(offset+size, len(rd.items))
	values := []object{}
	for _, it := range rd.items[offset:end] {
		if it.removed {
			values = append(values, object{{"@odata.type", "#microsoft.graph.message"}, {"id", it.id}, {"@removed", object{{"reason", "deleted"}}}})
			continue
		}
		m := s.mb.msgs[it.id]
		if m == nil || !s.mb.inFolder(m, f) {
			continue // left during the round; the next round reports it removed
		}
		o := append(object{{"@odata.type", "#microsoft.graph.message"}}, renderMessage(m, rd.spec.sel, rd.spec.withBody)...)
		values = append(values, s.hostile(m.ID, o)) // hostile.go
	}
	link := fmt.Sprintf("%s/v1.0/me/mailFolders('%s')/messages/delta?", c.base, f.ID)
	out := object{{"@odata.context", c.base + "/v1.0/$metadata#Collection(message)"}}
	if end < len(rd.items) {
		tok := s.tokens.put(&tokenState{spec: rd.spec, round: rd, offset: end})
		out = append(out, field{"@odata.nextLink", link + "$skiptoken=" + tok})
	} else {
		tok := s.tokens.put(&tokenState{spec: rd.spec, since: rd.upto, delta: true})
		out = append(out, field{"@odata.deltaLink", link + "$deltatoken=" + tok})
	}
	out = append(out, field{"value", values})
	if applied != "" {
		c.w.Header().Set("Preference-Applied", applied)
	}
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}

// folderDelta serves GET /me/mailFolders/delta. The simulator's folder tree
// does not change, so a full round lists every folder and later rounds are
// empty; it exists so clients that discover folders this way work.
func (s *Server) folderDelta(c *graphCall) {
	if !c.has(scopesMail) {
		c.fail(http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
		return
	}
	size, applied := s.pageSize(c.r)
	skip, dtok := c.q.Get("$skiptoken"), c.q.Get("$deltatoken")
	s.mu.Lock()
	defer s.mu.Unlock()
	const key = "#mailFolders"
	var rd *round
	offset := 0
	switch {
	case skip != "":
		st := s.tokens.m[skip]
		if st == nil || st.delta || st.spec.folderID != key {
			writeSyncStateNotFound(c.w, c.r)
			return
		}
		rd, offset = st.round, st.offset
	case dtok != "":
		st := s.tokens.m[dtok]
		if st == nil || !st.delta || st.spec.folderID != key {
			writeSyncStateNotFound(c.w, c.r)
			return
		}
		rd = &round{spec: st.spec, upto: s.mb.seq}
	default:
		rd = &round{spec: roundSpec{folderID: key}, upto: s.mb.seq}
		for _, f := range s.mb.folders {
			if f.ID != s.mb.rootID && f.Search == "" {
				rd.items = append(rd.items, deltaItem{id: f.ID})
			}
		}
	}
	end := min(offset+size, len(rd.items))
	values := []object{}
	for _, it := range rd.items[offset:end] {
		values = append(values, s.folderObject(s.mb.byID[it.id]))
	}
	out := object{{"@odata.context", c.base + "/v1.0/$metadata#Collection(mailFolder)"}}
	link := c.base + "/v1.0/me/mailFolders/delta?"
	if end < len(rd.items) {
		out = append(out, field{"@odata.nextLink", link + "$skiptoken=" + s.tokens.put(&tokenState{spec: rd.spec, round: rd, offset: end})})
	} else {
		out = append(out, field{"@odata.deltaLink", link + "$deltatoken=" + s.tokens.put(&tokenState{spec: rd.spec, since: rd.upto, delta: true})})
	}
	out = append(out, field{"value", values})
	if applied != "" {
		c.w.Header().Set("Preference-Applied", applied)
	}
	writeGraphJSON(c.w, c.r, http.StatusOK, out)
}
