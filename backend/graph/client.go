// Package graph is a thin Microsoft Graph client: typed requests with
// $select, delta paging, Graph's error bodies mapped to Go errors, token
// refresh on 401 and obedience to throttling answers. It knows nothing of
// SQLite.
package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"rapport/backend/model"
)

// DefaultBaseURL is Graph v1.0.
const DefaultBaseURL = "https://graph.microsoft.com/v1.0"

// UserAgent follows Microsoft's guidance for ISV traffic decoration.
const UserAgent = "ISV|Rapport|Rapport/0.1"

// DefaultRequestTimeout bounds one request's attempt. Graph answers a delta
// page in well under a second; a minute is for slow links, not for hangs.
const DefaultRequestTimeout = 60 * time.Second

// Client talks to Graph on behalf of one account.
type Client struct {
	base    string
	origin  string
	http    *http.Client
	tokens  model.TokenSource
	account string // home account id for the token source
	// PageSize is sent as Prefer: odata.maxpagesize on delta requests.
	PageSize int
	// MaxRetries bounds retries of throttled / transient failures per request.
	MaxRetries int
	// DialRetries bounds retries when the service cannot be reached at all
	// (connection refused, name lookup failed): that is the offline signal,
	// and the scheduler's probe, not this request, waits for the network.
	DialRetries int
	// BackoffBase is the first step of the jittered exponential backoff
	// used when an answer gives no Retry-After (default 1 s).
	BackoffBase time.Duration
	// RequestTimeout bounds one attempt, from sending the request to the
	// end of its body (default DefaultRequestTimeout). Without it a stalled
	// answer — a proxy that never replies, a connection that died while
	// the laptop slept — would hold its stream and its gate slot forever.
	// A timed-out attempt is retried like a dropped connection.
	RequestTimeout time.Duration
	// Log receives what the client had to leave out of a page (an item of
	// the wrong shape); nil discards it.
	Log *slog.Logger
	// Gate is shared by every client of one mailbox: 4 requests in flight
	// and throttling pauses for all of them. New gives each client its own;
	// the sync engine sets one per account.
	Gate *Gate
	// sleep is swapped in tests; it must honour ctx.
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns a client for baseURL (e.g. DefaultBaseURL).
func New(baseURL string, hc *http.Client, tokens model.TokenSource, homeAccountID string) *Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	base := strings.TrimRight(baseURL, "/")
	origin := base
	if u, err := url.Parse(base); err == nil {
		origin = u.Scheme + "://" + u.Host
	}
	return &Client{base: base, origin: origin, http: hc, tokens: tokens, account: homeAccountID,
		PageSize: 100, MaxRetries: 6, DialRetries: 2, BackoffBase: time.Second, RequestTimeout: DefaultRequestTimeout, Gate: NewGate(DefaultConcurrency), sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// resolve turns a path ("/me") or an absolute link from a previous response
// into a URL. Links must stay on the Graph origin we were configured with:
// a page must never steer our bearer token to another host.
func (c *Client) resolve(pathOrLink string) (string, error) {
	if strings.HasPrefix(pathOrLink, "https://") || strings.HasPrefix(pathOrLink, "http://") {
		if !strings.HasPrefix(pathOrLink, c.origin+"/") {
			return "", fmt.Errorf("graph: refusing a link outside %s", c.origin)
		}
		return pathOrLink, nil
	}
	return c.base + pathOrLink, nil
}

// get performs a GET with auth, retries and error mapping, decoding the JSON
// body into out. Every attempt passes the account's gate: it waits while the
// mailbox is paused by a throttling answer and holds one of its 4 slots
// while the request is in flight.
func (c *Client) get(ctx context.Context, pathOrLink string, headers map[string]string, out any) error {
	u, err := c.resolve(pathOrLink)
	if err != nil {
		return err
	}
	gate := c.Gate
	if gate == nil {
		gate = NewGate(DefaultConcurrency)
		c.Gate = gate
	}
	refreshed := false
	for attempt := 0; ; attempt++ {
		token, err := c.tokens.Token(ctx, c.account, refreshed)
		if err != nil {
			return err
		}
		retry, err := c.attempt(ctx, gate, u, token, headers, out, attempt, &refreshed)
		if !retry {
			return err
		}
	}
}

// attempt makes one request and says whether to make another. It runs
// under its own deadline (RequestTimeout), which covers reading the body.
func (c *Client) attempt(ctx context.Context, gate *Gate, u, token string, headers map[string]string, out any, attempt int, refreshed *bool) (retry bool, err error) {
	timeout := c.RequestTimeout
	if timeout <= 0 {
		timeout = DefaultRequestTimeout
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u, nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if err := gate.acquire(ctx); err != nil {
		return false, err
	}
	// backOff waits before the next attempt while still holding the slot:
	// a request that failed on the wire (reset, cut, timed out) may still
	// be running at the service — its cancel can reach the server after
	// our next request — so the slot is released only after the wait, and
	// the mailbox never sees more than 4 of our requests at once.
	backOff := func() (bool, error) {
		err := c.sleep(ctx, c.backoff(attempt))
		gate.release()
		if err != nil {
			return false, err
		}
		return true, nil
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			gate.release()
			return false, ctx.Err()
		}
		limit := c.MaxRetries
		if isDialError(err) {
			limit = c.DialRetries
		}
		if attempt >= limit {
			gate.release()
			reason := netReason(err)
			if actx.Err() != nil {
				reason = "no answer in time"
			}
			return false, fmt.Errorf("%w (%s)", model.ErrOffline, reason)
		}
		return backOff()
	}
	if resp.StatusCode == http.StatusOK {
		err := decodeBody(resp.Body, out)
		resp.Body.Close()
		if err == nil {
			gate.release()
			return false, nil
		}
		// A truncated, stalled or non-JSON body is transient: ask again.
		if attempt < c.MaxRetries && ctx.Err() == nil {
			return backOff()
		}
		gate.release()
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, fmt.Errorf("graph: unreadable response: %w", err)
	}
	gerr := readError(resp)
	wait := gerr.RetryAfter
	if wait <= 0 {
		wait = c.backoff(attempt)
	}
	// Throttling is about the mailbox, not this request: every stream of
	// the account waits (the gate holds them back), also when this request
	// gives up (a reliability run saw a discovery give up on a 429 and its
	// other requests go on inside the Retry-After). The pause starts before
	// the slot is freed, so no queued request takes the slot in between.
	throttled := gerr.Retryable() && (gerr.RetryAfter > 0 || resp.StatusCode == http.StatusTooManyRequests)
	if throttled {
		gate.Pause(wait)
	}
	gate.release()
	switch {
	case resp.StatusCode == http.StatusUnauthorized && !*refreshed:
		*refreshed = true // one silent refresh, then one retry
		return true, nil
	case gerr.Retryable() && attempt < c.MaxRetries:
		if throttled {
			return true, nil
		}
		if err := c.sleep(ctx, wait); err != nil {
			return false, err
		}
		return true, nil
	}
	return false, gerr
}

// backoff is jittered exponential: ~1s, 2s, 4s … capped at 60s (with the
// default base).
func (c *Client) backoff(attempt int) time.Duration {
	base := c.BackoffBase
	if base <= 0 {
		base = time.Second
	}
	d := base << min(attempt, 6)
	if d > 60*base {
		d = 60 * base
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// isDialError says the service could not be reached at all: no route, no
// name, nobody listening. That, across every stream, is "offline".
func isDialError(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH)
}

func netReason(err error) string {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &dns):
		return "name lookup failed"
	case errors.As(err, &op):
		return "connection failed"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "connection dropped"
	}
	return "network error"
}
