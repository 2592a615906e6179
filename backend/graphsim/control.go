package graphsim

import (
	"crypto/subtle"
	"io"
	"net"
	"net/http"
	"strings"
)

// The control endpoint lets a test that runs `rapport sim` as its own
// process change the fault script while it runs ("admin approval
// required" -> approved -> works):
//
//	POST /_sim/faults?token=TOKEN   body: a ParseFaults spec ("" = healthy)
//
// It replaces the whole script (SetFaults). It exists only when
// Options.ControlToken is set, answers only loopback clients, and checks
// the token (query parameter or X-Sim-Token header) in constant time.

const controlPrefix = "/_sim/"

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	token := s.opts.ControlToken
	if token == "" {
		http.NotFound(w, r)
		return
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	got := r.Header.Get("X-Sim-Token")
	if got == "" {
		got = r.URL.Query().Get("token")
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
		http.Error(w, "missing or wrong control token", http.StatusUnauthorized)
		return
	}
	switch strings.TrimPrefix(r.URL.Path, controlPrefix) {
	case "faults":
		if r.Method != http.MethodPost {
			http.Error(w, "POST a fault spec", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			http.Error(w, "cannot read the spec", http.StatusBadRequest)
			return
		}
		f, err := ParseFaults(strings.TrimSpace(string(body)))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.SetFaults(f)
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}
