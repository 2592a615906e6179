package graph

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"rapport/backend/model"
)

// Error is a Graph error response. Callers branch on Code (never on
// Message) or with errors.Is against the model sentinels.
type Error struct {
	Status     int
	Code       string
	InnerCode  string
	Message    string
	RetryAfter time.Duration
	Location   string // 410 resyncRequired carries a fresh-enumeration URL
}

func (e *Error) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("graph: %d %s", e.Status, e.Code)
	}
	return fmt.Sprintf("graph: HTTP %d", e.Status)
}

// Unwrap maps a Graph answer to the sentinel a user can act on.
func (e *Error) Unwrap() error {
	switch {
	case strings.EqualFold(e.Code, "MailboxNotEnabledForRESTAPI") || strings.EqualFold(e.InnerCode, "MailboxNotEnabledForRESTAPI"):
		return model.ErrMailboxUnavailable
	case e.Status == http.StatusGone || strings.EqualFold(e.Code, "SyncStateNotFound") || e.Code == "resyncRequired":
		return model.ErrResyncRequired
	case e.Status == http.StatusTooManyRequests:
		return model.ErrThrottled
	case e.Status == http.StatusUnauthorized:
		return model.ErrSignInRequired
	case e.Status == http.StatusForbidden:
		return model.ErrAccessDenied
	case e.Status == http.StatusNotFound:
		return model.ErrNotFound
	}
	return nil
}

// Retryable reports throttling and transient server failures.
func (e *Error) Retryable() bool {
	switch e.Status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusBadGateway, 509, http.StatusInternalServerError:
		return true
	}
	return false
}

type errorBody struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError *struct {
			Code string `json:"code"`
		} `json:"innerError"`
	} `json:"error"`
}

func readError(resp *http.Response) *Error {
	defer resp.Body.Close()
	e := &Error{Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After")), Location: resp.Header.Get("Location")}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var b errorBody
	if json.Unmarshal(body, &b) == nil {
		e.Code, e.Message = b.Error.Code, b.Error.Message
		if b.Error.InnerError != nil {
			e.InnerCode = b.Error.InnerError.Code
		}
	}
	return e
}

// MaxRetryAfter bounds how long one throttling answer can pause an
// account: a Retry-After of a year (a broken proxy, a typo, a hostile
// middlebox) would otherwise stop its sync until the app restarts. Graph's
// own answers ask for seconds, at most a few minutes; after this long the
// client simply asks again, and is told again if need be.
const MaxRetryAfter = 10 * time.Minute

// parseRetryAfter reads delta-seconds, fractional ones included ("2.128"),
// or an HTTP date, capped at MaxRetryAfter.
func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 {
		if f > MaxRetryAfter.Seconds() { // also +Inf; and no overflow below
			return MaxRetryAfter
		}
		return time.Duration(f * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return min(d, MaxRetryAfter)
		}
	}
	return 0
}
