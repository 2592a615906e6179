package reliability_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"rapport/backend/auth"
	"rapport/backend/clients"
	"rapport/backend/graphsim"
	"rapport/backend/model"
	"rapport/backend/store"
	rsync "rapport/backend/sync"
)

// inproc is the real store, the real MSAL authenticator and the real sync
// engine in this process, against a simulator: for the suites that need
// to script the service precisely while a pass runs.
type inproc struct {
	sim    *graphsim.Server
	store  *store.Store
	path   string
	auth   *auth.Authenticator
	engine *rsync.Engine
	acct   model.Account
}

func newInproc(t *testing.T, opts graphsim.Options, engine func(*rsync.Options)) *inproc {
	t.Helper()
	if opts.Scenario == "" {
		opts.Scenario = scenario()
	}
	sim, err := graphsim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	path := filepath.Join(t.TempDir(), "rapport.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	au, err := auth.New(auth.Config{ClientID: cliClientID, Authority: sim.AuthorityURL(), HTTPClient: sim.HTTPClient(),
		Store: auth.NewMemoryStore(), OpenURL: sim.Browse})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := au.SignIn(ctx, auth.MailScopes)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	acct, err := st.UpsertAccount(ctx, model.Account{UPN: res.UPN, DisplayName: res.DisplayName, TenantID: res.TenantID,
		HomeAccountID: res.HomeAccountID, Mail: sim.User().Mail})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sim.DemoClients() {
		name, ds, err := clients.NormalizeClient(c.Name, c.Domains)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddClient(ctx, name, ds); err != nil {
			t.Fatal(err)
		}
	}
	o := rsync.Options{Store: st, GraphURL: sim.GraphURL(), HTTPClient: sim.HTTPClient(), Tokens: au,
		PageSize: 25, BackoffBase: 40 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if engine != nil {
		engine(&o)
	}
	return &inproc{sim: sim, store: st, path: path, auth: au, engine: rsync.New(o), acct: acct}
}

func (p *inproc) pass(t *testing.T) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	return p.engine.SyncAccount(ctx, p.acct)
}

// TestFaultConvergence is suite 2: sync passes while 10% of Graph requests
// fail at random — 429 with an integer and with a fractional Retry-After,
// 503, reset streams, truncated bodies, answers slower than the client's
// timeout, 410 on next and delta links, 401 expired tokens, HTML instead of
// JSON — and while every access token is revoked now and then (a token
// expiring mid-round), the mailbox changing all along. Then the store must
// equal the truth exactly, and the request log must show that no request
// went out inside a Retry-After and that at most 4 were ever in flight.
func TestFaultConvergence(t *testing.T) {
	need(t)
	passes := scale(4, 25)
	rf := &graphsim.RandomFaults{Rate: 0.10, Seed: seed(t), SlowFor: 1500 * time.Millisecond}
	p := newInproc(t, graphsim.Options{Seed: 21, Latency: 2 * time.Millisecond, MailboxConcurrency: -1},
		func(o *rsync.Options) { o.RequestTimeout = 400 * time.Millisecond })
	p.sim.SetFaults(graphsim.Faults{Random: rf})

	// Tokens die mid-round: every access token the service issued is
	// revoked on a clock, so requests start failing with 401 until the
	// client refreshes.
	stopExpiry := make(chan struct{})
	expiries := 0
	go func() {
		tk := time.NewTicker(700 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stopExpiry:
				return
			case <-tk.C:
				p.sim.ExpireAccessTokens()
				expiries++
			}
		}
	}()
	p.sim.SetLiveChanges(300 * time.Millisecond)
	start := time.Now()
	failedPasses := 0
	for i := 0; i < passes; i++ {
		if i > 0 && i%5 == 0 {
			p.sim.InvalidateDeltaTokens() // the sync states expire: full resyncs under faults
		}
		if err := p.pass(t); err != nil {
			failedPasses++
			t.Logf("pass %d: %v", i+1, err)
		}
	}
	// Quiescent: the mailbox stops changing, the faults go on. A pass that
	// completes every stream twice in a row has nothing left to catch up.
	p.sim.SetLiveChanges(0)
	clean := 0
	for tries := 0; clean < 2; tries++ {
		if tries > 12 {
			t.Fatalf("no clean pass in 12 tries under faults")
		}
		if err := p.pass(t); err != nil {
			clean = 0
			failedPasses++
			t.Logf("quiescent pass: %v", err)
			continue
		}
		clean++
	}
	close(stopExpiry)
	elapsed := time.Since(start)
	got := compareTruth(t, p.sim, p.path)
	checkStore(t, p.path)

	fired := rf.Fired()
	if rf.Total() == 0 {
		t.Fatal("no fault was injected")
	}
	for _, k := range graphsim.DefaultRandomKinds {
		if fired[k] == 0 && level == "full" {
			t.Errorf("fault kind %s never fired", k)
		}
	}
	reqs := graphRequests(p.sim)
	throttles := checkRetryAfter(t, reqs)
	if n := p.sim.MaxInFlight(); n > 4 {
		t.Errorf("%d mailbox requests were in flight at once (Graph allows 4)", n)
	}
	figure(t, "%d passes (%d failed and retried later) in %s; %d Graph requests, %d faults injected (%s), %d token revocations; %d throttling answers obeyed; max %d in flight; converged: %d messages, %d events, %d links equal to the truth",
		passes, failedPasses, elapsed.Round(time.Second), len(reqs), rf.Total(), rf, expiries, throttles, p.sim.MaxInFlight(), got.messages, got.events, got.links)
}

func graphRequests(sim *graphsim.Server) []graphsim.RequestRecord {
	var out []graphsim.RequestRecord
	for _, r := range sim.Requests() {
		if strings.HasPrefix(r.Path, "/v1.0/") {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// checkRetryAfter: after each throttling answer, no mailbox request may
// start until its Retry-After has passed — except the few already on their
// way when the answer arrived (the gate holds at most 4, one of which got
// the 429). It returns the number of throttling answers checked.
func checkRetryAfter(t *testing.T, reqs []graphsim.RequestRecord) int {
	t.Helper()
	retryAfter := map[string]time.Duration{"random:429": time.Second, "random:429f": 500 * time.Millisecond}
	const grace = 300 * time.Millisecond // under load, a request that passed the gate just before the pause can take a while to reach the server
	n := 0
	for _, th := range reqs {
		wait, ok := retryAfter[th.Fault]
		if !ok {
			continue
		}
		n++
		end := th.Done.Add(wait)
		straddling := 0
		for _, r := range reqs {
			if !r.At.After(th.Done) || !r.At.Before(end) {
				continue
			}
			straddling++
			if r.At.After(th.Done.Add(grace)) || straddling > 3 {
				t.Errorf("%s?%.40s started %v after a 429 with Retry-After %v (request %d inside the pause)",
					r.Path, r.Query, r.At.Sub(th.Done).Round(time.Millisecond), wait, straddling)
				break
			}
		}
	}
	if n == 0 && level == "full" {
		t.Error("no throttling answer to check")
	}
	return n
}
