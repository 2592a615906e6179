package graphsim

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// lockProbe is a response writer that notes, when the answer's body is
// written, whether the tenant's lock was free and how many mailbox
// requests still counted as in flight.
type lockProbe struct {
	*httptest.ResponseRecorder
	s        *Server
	writes   int
	locked   bool
	inflight int
}

func (p *lockProbe) Write(b []byte) (int, error) {
	p.writes++
	if p.s.mu.TryLock() {
		p.inflight = p.s.inflight
		p.s.mu.Unlock()
	} else {
		p.locked = true
	}
	return p.ResponseRecorder.Write(b)
}

// An answer goes on the wire after its handler let go of the tenant, so a
// client slowly reading 1,000 drive items holds no other request back,
// and a mailbox request no longer counts against the concurrency limit by
// then: its client may send the next one as soon as it has read this one.
func TestAnswersAreWrittenOutsideTheLock(t *testing.T) {
	s := startSim(t, Options{Scenario: "small"})
	tok := s.MintAccessToken(testFileScopes...)
	inbox := ""
	for _, f := range s.Folders() {
		if f.WellKnown == "inbox" {
			inbox = f.ID
		}
	}
	for _, path := range []string{
		"/drives/" + s.MyDriveID() + "/root/delta?$top=1000",
		"/me/mailFolders/" + inbox + "/messages/delta",
	} {
		req := httptest.NewRequest(http.MethodGet, s.GraphURL()+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Prefer", "odata.maxpagesize=100")
		p := &lockProbe{ResponseRecorder: httptest.NewRecorder(), s: s}
		s.ServeHTTP(p, req)
		if p.Code != http.StatusOK || p.writes == 0 || p.Body.Len() < 1000 {
			t.Fatalf("%s: status %d, %d writes, %d bytes: %s", path, p.Code, p.writes, p.Body.Len(), p.Body.String())
		}
		if p.locked {
			t.Errorf("%s: the answer was written while the tenant was locked", path)
		}
		if p.inflight != 0 {
			t.Errorf("%s: %d mailbox requests in flight while the answer was written, want 0", path, p.inflight)
		}
	}
}
