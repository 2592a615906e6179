// Package graphsim is a Microsoft 365 simulator: a second implementation of
// the service (the Microsoft identity platform and a Microsoft Graph v1.0
// subset) served over real HTTPS on loopback. Tests, benchmarks, `rapport sim`
// and `rapport --demo` run Rapport's real auth, graph and sync code against it,
// so it must answer the way Microsoft documents: the same JSON property names,
// casing, nesting and date formats, the same paging and delta semantics, the
// same error shapes. It also keeps the "truth" (every folder and message a
// correct sync must end up holding) and lets a test change the mailbox while
// a sync is running, inject latency and faults, and script sign-in outcomes.
//
// It depends only on model and the standard library, so it can never share a
// bug with the client code it checks.
package graphsim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"rapport/backend/model"
)

// Options configures a simulator. The zero value is the demo tenant.
type Options struct {
	// Scenario names the seeded tenant: "demo" (the default), or "heavy"
	// and "small" (tenant_heavy.go).
	Scenario string
	// Seed makes the tenant reproducible: the same Seed and Anchor give the
	// same ids, subjects and times. Default 1.
	Seed int64
	// Anchor is "now" for the generated data: all mail lies before it.
	// Default: the current time in UTC, truncated to the hour.
	Anchor time.Time
	// Latency is added to every request, to make progress and concurrency
	// visible the way a real network does.
	Latency time.Duration
	// PageCap is the largest page a message delta honours from
	// Prefer: odata.maxpagesize (default 100).
	PageCap int
	// MailboxConcurrency is how many mailbox requests may be in flight at
	// once before the simulator answers 429 ApplicationThrottled, as Outlook
	// does per app per mailbox. 0 means Graph's 4; negative means unlimited.
	MailboxConcurrency int
	// Faults scripts failures from the start; SetFaults changes them later.
	Faults Faults
	// LiveChanges, when positive, changes the mailbox on a clock once
	// started: new mail every tick, now and then a move, a deletion or an
	// event edit (the demo uses ~10 s). Off by default; SetLiveChanges
	// turns it on or off later.
	LiveChanges time.Duration
	// ControlToken, when set, enables POST /_sim/faults (see control.go) for
	// loopback clients that present it.
	ControlToken string
}

// DemoClient is one customer of the demo consultant and the mail domains it
// owns (registrable domains; some contacts write from subdomains).
type DemoClient struct {
	Name    string
	Domains []string
}

// RequestRecord is one request the simulator served. Path excludes the query,
// which is in Query; bodies (codes, tokens) are never recorded.
type RequestRecord struct {
	At     time.Time // when the request arrived
	Done   time.Time // when its answer was complete (or the connection cut)
	Method string
	Path   string
	Query  string
	Status int    // 0 when a fault dropped the connection
	Fault  string // the injected fault, if any
}

// Server is one running simulator. All state sits behind mu: the simulator
// favours obviously-correct serialisation over throughput.
type Server struct {
	opts Options

	mu       sync.Mutex
	tenant   *tenant
	mb       *mailbox
	idp      *identityState
	tokens   *tokenStore
	faults   Faults
	fired    map[int]int // fault rule index -> times fired
	inflight int         // mailbox requests in flight
	maxIn    int         // the most mailbox requests ever in flight at once
	requests []RequestRecord
	issued   []string
	live     *rand.Rand  // ids and change keys for live changes, seeded
	drives   *driveState // drive_graph.go: OneDrive, SharePoint sites and libraries

	certPEM  []byte
	cert     tls.Certificate
	addr     string // host:port actually listened on
	srv      *http.Server
	stopLive chan struct{}
	url      atomic.Value // string; read by handlers that may hold mu
	client   *http.Client
}

// New builds the tenant for opts. It does not listen yet: see Start.
func New(opts Options) (*Server, error) {
	if opts.Scenario == "" {
		opts.Scenario = "demo"
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Anchor.IsZero() {
		opts.Anchor = time.Now().UTC().Truncate(time.Hour)
	}
	opts.Anchor = opts.Anchor.UTC()
	if opts.PageCap <= 0 {
		opts.PageCap = 100
	}
	if opts.MailboxConcurrency == 0 {
		opts.MailboxConcurrency = 4
	}
	var t *tenant
	switch opts.Scenario {
	case "demo":
		t = buildDemo(opts.Seed, opts.Anchor)
	case "heavy", "small": // tenant_heavy.go: the benchmark's tenants
		t = buildHeavy(opts.Seed, opts.Anchor, HeavySizes[opts.Scenario])
	default:
		return nil, fmt.Errorf("graphsim: unknown scenario %q (known: demo, heavy, small)", opts.Scenario)
	}
	s := &Server{
		opts:   opts,
		tenant: t,
		mb:     t.mailbox,
		idp:    newIdentityState(),
		tokens: newTokenStore(),
		faults: opts.Faults,
		fired:  map[int]int{},
		live:   rand.New(rand.NewPCG(uint64(opts.Seed), 0x6c697665)), // "live"
	}
	s.drives = buildDrives(opts.Scenario, opts.Seed, opts.Anchor, t) // tenant_drive.go
	if size, ok := HeavySizes[opts.Scenario]; ok {
		buildHeavyDrives(s.drives, opts.Anchor, t, size) // tenant_heavy.go
	}
	return s, nil
}

// Start listens on addr (e.g. "127.0.0.1:0") with TLS, using a self-signed
// certificate generated now for 127.0.0.1, ::1 and localhost.
func (s *Server) Start(addr string) error {
	s.mu.Lock()
	started := s.srv != nil
	s.mu.Unlock()
	if started {
		return errors.New("graphsim: already started")
	}
	cert, certPEM, err := newSelfSignedCert()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.cert, s.certPEM = cert, certPEM
	s.mu.Unlock()
	if err := s.listen(addr); err != nil {
		return err
	}
	if s.opts.LiveChanges > 0 {
		s.SetLiveChanges(s.opts.LiveChanges)
	}
	return nil
}

func (s *Server) listen(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("graphsim: listen %s: %w", addr, err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	host := "127.0.0.1"
	if ip := ln.Addr().(*net.TCPAddr).IP; ip != nil && !ip.IsUnspecified() && ip.To4() == nil {
		host = "[" + ip.String() + "]"
	}
	s.mu.Lock()
	srv := &http.Server{
		Handler:           s,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          quietLog(),
	}
	s.srv, s.addr = srv, ln.Addr().String()
	s.mu.Unlock()
	s.url.Store(fmt.Sprintf("https://%s:%d", host, port))
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	return nil
}

// Disconnect makes the simulator unreachable, as a lost network does: the
// listener closes and open connections drop, so clients get "connection
// refused". Reconnect brings it back on the same address.
func (s *Server) Disconnect() error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return errors.New("graphsim: not started")
	}
	return srv.Close()
}

// Reconnect listens again on the address Disconnect closed, with the same
// certificate, so clients resume without any change.
func (s *Server) Reconnect() error {
	s.mu.Lock()
	addr := s.addr
	s.mu.Unlock()
	if addr == "" {
		return errors.New("graphsim: not started")
	}
	var err error
	for i := 0; i < 50; i++ { // the port can take a moment to be free again
		if err = s.listen(addr); err == nil {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// MaxInFlight is the most mailbox requests (mail and calendar) the
// simulator ever had in flight at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxIn
}

// URL is the base URL, "https://127.0.0.1:PORT"; empty before Start.
func (s *Server) URL() string {
	u, _ := s.url.Load().(string)
	return u
}

// AuthorityURL is the MSAL authority for work and school accounts.
func (s *Server) AuthorityURL() string { return s.URL() + "/organizations" }

// GraphURL is the Graph base, the equivalent of https://graph.microsoft.com/v1.0.
func (s *Server) GraphURL() string { return s.URL() + "/v1.0" }

// Close stops listening and drops open connections.
func (s *Server) Close() error {
	s.SetLiveChanges(0)
	s.mu.Lock()
	srv, client := s.srv, s.client
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	if client != nil {
		client.CloseIdleConnections()
	}
	// Give in-flight answers a moment, then cut: HTTP/2 connections from
	// other clients would otherwise hold Shutdown for a second or more.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return srv.Close()
	}
	return nil
}

// User is the signed-in consultant.
func (s *Server) User() model.Account {
	u := s.tenant.me
	return model.Account{
		UPN:           u.upn,
		DisplayName:   u.name,
		Mail:          u.mail,
		TenantID:      u.tid,
		HomeAccountID: u.oid + "." + u.tid,
	}
}

// DemoClients lists the tenant's clients and their domains.
func (s *Server) DemoClients() []DemoClient {
	out := make([]DemoClient, len(s.tenant.clients))
	for i, c := range s.tenant.clients {
		out[i] = DemoClient{Name: c.Name, Domains: append([]string(nil), c.Domains...)}
	}
	return out
}

// IssuedTokens returns every secret the identity endpoints handed out:
// access, refresh and id tokens, and authorization and device codes. A leak
// test asserts none of them appears in logs, databases or exports.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// Requests returns every request served so far, oldest first.
func (s *Server) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestRecord(nil), s.requests...)
}

// statusWriter remembers the status so the request log can record it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// ServeHTTP routes identity and Graph requests, after the configured latency,
// and records each one.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	rec := RequestRecord{At: time.Now().UTC(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
	defer func() {
		p := recover()
		if p != nil {
			// An injected drop or truncation aborts the handler; the
			// connection closes mid-answer, which is the point.
			rec.Status = 0
			if rec.Fault == "" {
				rec.Fault = "panic"
			}
		} else {
			rec.Status = sw.status
		}
		rec.Done = time.Now().UTC()
		s.mu.Lock()
		s.requests = append(s.requests, rec)
		s.mu.Unlock()
		if p != nil {
			panic(p)
		}
	}()
	switch {
	case r.URL.Path == "/v1.0" || strings.HasPrefix(r.URL.Path, "/v1.0/"):
		// Graph sleeps inside, so the delay counts as time in flight
		// against the mailbox concurrency limit, as a slow network does.
		s.serveGraph(sw, r, &rec)
	case strings.HasPrefix(r.URL.Path, controlPrefix):
		s.serveControl(sw, r)
	case r.URL.Path == "/devicelogin":
		if s.sleep(r) {
			s.serveDeviceLogin(sw, r)
		}
	default:
		if s.sleep(r) {
			s.serveIdentity(sw, r)
		}
	}
}

// sleep waits the configured latency; false when the client gave up.
func (s *Server) sleep(r *http.Request) bool {
	d := s.opts.Latency
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
