package graphsim

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Random faults: a share of Graph requests fails, drawn from a seeded
// source, the way a bad train Wi-Fi and a busy service mix. The fault
// convergence suite (backend/reliability) runs whole sync passes under it
// and checks the store still ends up equal to the truth.

// More fault kinds for FaultRule.Kind (see faults.go for the others).
const (
	// FaultSlow stalls the answer (by RetryAfter seconds, default 30 s)
	// before serving it: longer than a client's per-request timeout, a
	// client must give up and ask again.
	FaultSlow = "slow"
	// FaultReset resets the connection (TCP RST on HTTP/1.1; RST_STREAM on
	// HTTP/2, where one stream is reset and the connection lives on).
	FaultReset = "reset"
	// FaultNonJSON answers 200 with an HTML page, as a captive portal or a
	// misbehaving proxy does.
	FaultNonJSON = "nonjson"
)

// Random kinds: one fault shape each; the request log records them as
// "random:KIND". "429" has an integer Retry-After,
// "429f" a fractional one; "resync" fires only on $skiptoken/$deltatoken
// links (a 410 means nothing anywhere else).
const (
	Random429         = "429"
	Random429Fraction = "429f"
	Random503         = "503"
	RandomReset       = FaultReset
	RandomTruncate    = FaultTruncate
	RandomSlow        = FaultSlow
	RandomResync      = FaultResync
	RandomExpired     = FaultExpired
	RandomNonJSON     = FaultNonJSON
)

// DefaultRandomKinds is the mix issue 8 asks for.
var DefaultRandomKinds = []string{Random429, Random429Fraction, Random503, RandomReset, RandomTruncate,
	RandomSlow, RandomResync, RandomExpired, RandomNonJSON}

// RandomFaults fails Rate of the Graph requests that no scripted rule
// matched, with a kind drawn uniformly from Kinds. It is a pointer in
// Faults so its source and counters live on across SetFaults copies.
type RandomFaults struct {
	Rate  float64  // 0..1
	Seed  uint64   // 0 picks 1
	Kinds []string // nil: DefaultRandomKinds
	// SlowFor is how long a slow answer stalls (default 30 s).
	SlowFor time.Duration
	// RetryAfter and RetryAfterFraction are the 429 answers' headers
	// (defaults "1" and "0.5").
	RetryAfter, RetryAfterFraction string

	mu    sync.Mutex
	rng   *rand.Rand
	fired map[string]int
}

// Fired counts the faults injected so far, per kind.
func (rf *RandomFaults) Fired() map[string]int {
	rf.mu.Lock()
	defer rf.mu.Unlock()
	out := map[string]int{}
	for k, v := range rf.fired {
		out[k] = v
	}
	return out
}

// Total is the number of faults injected so far.
func (rf *RandomFaults) Total() int {
	n := 0
	for _, v := range rf.Fired() {
		n += v
	}
	return n
}

// String renders the counts, "429=3 503=2 …", for logs.
func (rf *RandomFaults) String() string {
	f := rf.Fired()
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, f[k]))
	}
	return strings.Join(parts, " ")
}

// draw decides the fate of one request: nil lets it through.
func (rf *RandomFaults) draw(r *http.Request) *FaultRule {
	if rf == nil || rf.Rate <= 0 {
		return nil
	}
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.rng == nil {
		seed := rf.Seed
		if seed == 0 {
			seed = 1
		}
		rf.rng = rand.New(rand.NewPCG(seed, 0x72616e64)) // "rand"
		rf.fired = map[string]int{}
	}
	if rf.rng.Float64() >= rf.Rate {
		return nil
	}
	kinds := rf.Kinds
	if len(kinds) == 0 {
		kinds = DefaultRandomKinds
	}
	kind := kinds[rf.rng.IntN(len(kinds))]
	q := r.URL.RawQuery
	if kind == RandomResync && !strings.Contains(q, "skiptoken=") && !strings.Contains(q, "deltatoken=") {
		return nil // a 410 only makes sense on a link
	}
	rule := &FaultRule{Kind: kind}
	switch kind {
	case Random429:
		rule.Kind, rule.Status, rule.RetryAfter = FaultStatus, http.StatusTooManyRequests, orDefault(rf.RetryAfter, "1")
	case Random429Fraction:
		rule.Kind, rule.Status, rule.RetryAfter = FaultStatus, http.StatusTooManyRequests, orDefault(rf.RetryAfterFraction, "0.5")
	case Random503:
		rule.Kind, rule.Status = FaultStatus, http.StatusServiceUnavailable
	case RandomSlow:
		d := rf.SlowFor
		if d <= 0 {
			d = 30 * time.Second
		}
		rule.RetryAfter = strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
	}
	rf.fired[kind]++
	rule.name = "random:" + kind
	return rule
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// randomFault is serveGraph's hook: the random draw for a request no rule
// matched. Callers hold s.mu.
func (s *Server) randomFault(r *http.Request) *FaultRule {
	return s.faults.Random.draw(r)
}

// slowFor is how long a FaultSlow rule stalls.
func (f *FaultRule) slowFor() time.Duration {
	if v, err := strconv.ParseFloat(f.RetryAfter, 64); err == nil && v > 0 {
		return time.Duration(v * float64(time.Second))
	}
	return 30 * time.Second
}

// applyMore answers the kinds defined in this file. handled=false means
// the kind is not one of them; answered=false (for a slow answer whose
// client is still waiting) means: now serve the request for real.
func (f *FaultRule) applyMore(w http.ResponseWriter, r *http.Request) (handled, answered bool) {
	switch f.kind() {
	case FaultSlow:
		t := time.NewTimer(f.slowFor())
		defer t.Stop()
		select {
		case <-t.C:
			return true, false
		case <-r.Context().Done():
			return true, true
		}
	case FaultReset:
		resetConnection(w)
		return true, true
	case FaultNonJSON:
		graphHeaders(w, r)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("<!doctype html><html><head><title>Sign in to the Wi-Fi</title></head><body><h1>Welcome aboard</h1><p>Accept the terms to continue.</p></body></html>"))
		return true, true
	}
	return false, false
}

// resetConnection sends a TCP RST on HTTP/1.1 (SO_LINGER 0, then close);
// on HTTP/2, where the connection is shared, aborting the handler resets
// the one stream.
func resetConnection(w http.ResponseWriter) {
	raw := w
	if sw, ok := w.(*statusWriter); ok {
		raw = sw.ResponseWriter
	}
	if hj, ok := raw.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := underlyingTCP(conn); ok {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			panic(http.ErrAbortHandler)
		}
	}
	panic(http.ErrAbortHandler)
}

func underlyingTCP(c net.Conn) (*net.TCPConn, bool) {
	for i := 0; i < 4 && c != nil; i++ {
		if tc, ok := c.(*net.TCPConn); ok {
			return tc, true
		}
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return nil, false
		}
		c = u.NetConn()
	}
	return nil, false
}

// parseRandomOption reads the spec options of random faults:
// random=0.1, seed=7, randomkinds=429|503|reset, slowfor=3s.
func parseRandomOption(f *Faults, k, v string) (bool, error) {
	ensure := func() *RandomFaults {
		if f.Random == nil {
			f.Random = &RandomFaults{}
		}
		return f.Random
	}
	switch k {
	case "random":
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil || rate < 0 || rate > 1 {
			return true, fmt.Errorf("graphsim: random=%q: want a rate between 0 and 1", v)
		}
		ensure().Rate = rate
	case "seed":
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return true, fmt.Errorf("graphsim: seed=%q: want a number", v)
		}
		ensure().Seed = n
	case "randomkinds":
		var kinds []string
		for _, k := range strings.Split(v, "|") {
			k = strings.TrimSpace(strings.ToLower(k))
			ok := false
			for _, d := range DefaultRandomKinds {
				ok = ok || d == k
			}
			if !ok {
				return true, fmt.Errorf("graphsim: randomkinds: unknown kind %q (known: %s)", k, strings.Join(DefaultRandomKinds, "|"))
			}
			kinds = append(kinds, k)
		}
		ensure().Kinds = kinds
	case "slowfor":
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return true, fmt.Errorf("graphsim: slowfor=%q: want a duration", v)
		}
		ensure().SlowFor = d
	default:
		return false, nil
	}
	return true, nil
}
