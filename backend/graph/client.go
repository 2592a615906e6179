// Package graph is a thin Microsoft Graph client: typed requests with
// $select, delta paging, Graph's error bodies mapped to Go errors, token
// refresh on 401 and obedience to throttling answers. It knows nothing of
// SQLite.
package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"rapport/backend/model"
)

// DefaultBaseURL is Graph v1.0.
const DefaultBaseURL = "https://graph.microsoft.com/v1.0"

// UserAgent follows Microsoft's guidance for ISV traffic decoration.
const UserAgent = "ISV|Rapport|Rapport/0.1"

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
		PageSize: 100, MaxRetries: 6, sleep: sleepCtx}
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
// body into out.
func (c *Client) get(ctx context.Context, pathOrLink string, headers map[string]string, out any) error {
	u, err := c.resolve(pathOrLink)
	if err != nil {
		return err
	}
	refreshed := false
	for attempt := 0; ; attempt++ {
		token, err := c.tokens.Token(ctx, c.account, refreshed)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", UserAgent)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if attempt >= c.MaxRetries {
				return fmt.Errorf("%w (%v)", model.ErrOffline, netReason(err))
			}
			if err := c.sleep(ctx, backoff(attempt)); err != nil {
				return err
			}
			continue
		}
		if resp.StatusCode == http.StatusOK {
			err := json.NewDecoder(resp.Body).Decode(out)
			resp.Body.Close()
			if err != nil {
				// A truncated body is transient: ask again.
				if attempt < c.MaxRetries {
					if err := c.sleep(ctx, backoff(attempt)); err != nil {
						return err
					}
					continue
				}
				return fmt.Errorf("graph: unreadable response: %w", err)
			}
			return nil
		}
		gerr := readError(resp)
		switch {
		case resp.StatusCode == http.StatusUnauthorized && !refreshed:
			refreshed = true // one silent refresh, then one retry
			continue
		case gerr.Retryable() && attempt < c.MaxRetries:
			wait := gerr.RetryAfter
			if wait <= 0 {
				wait = backoff(attempt)
			}
			if err := c.sleep(ctx, wait); err != nil {
				return err
			}
			continue
		}
		return gerr
	}
}

// backoff is jittered exponential: ~1s, 2s, 4s … capped at 60s.
func backoff(attempt int) time.Duration {
	d := time.Second << min(attempt, 6)
	if d > time.Minute {
		d = time.Minute
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
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
