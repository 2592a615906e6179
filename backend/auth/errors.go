package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"rapport/backend/model"
)

// Error codes, stable for callers (the UI picks wording and actions by
// them) and tests.
const (
	CodeConsentRequired = "consent_required"     // an administrator must approve the app or a scope
	CodeDeclined        = "declined"             // the user declined the consent prompt
	CodePersonalAccount = "personal_account"     // a personal Microsoft account while those are refused
	CodeSignInRequired  = "signin_required"      // silent refresh impossible: sign in interactively
	CodeOffline         = "offline"              // the identity platform could not be reached
	CodeUnavailable     = "unavailable"          // it answered 5xx / temporarily_unavailable
	CodeThrottled       = "throttled"            // it answered 429
	CodeTimeout         = "timeout"              // the caller's deadline passed (browser abandoned, code expired)
	CodeCancelled       = "cancelled"            // the caller canceled (the user pressed Cancel)
	CodeNoBrowser       = "no_browser"           // the sign-in page could not be opened
	CodeMisconfigured   = "app_misconfigured"    // the app registration does not allow this sign-in
	CodeBlocked         = "access_blocked"       // a tenant policy (conditional access, assignment) blocked it
	CodeSignInFailed    = "signin_failed"        // anything else during an interactive sign-in
	CodeCache           = "cache_error"          // the token cache could not be read or written
	CodeKeychain        = "keychain_unavailable" // the OS keychain holding the cache key cannot be used
)

// Error is the only error type the package returns. Its text is a clean
// sentence fit for the UI and logs: MSAL's own error strings are never
// passed through, because some of them embed the raw token response.
type Error struct {
	Code   string // one of the Code* constants
	AADSTS int    // Entra ID's AADSTS number when it gave one, else 0
	Msg    string // the sentence shown to the user
	// Detail is the identity platform's own description (or the network
	// error), scrubbed of anything token-like: for a "details" disclosure
	// and for logs. Not part of Error().
	Detail string
	// Err is what errors.Is should match: a model sentinel
	// (model.ErrConsentRequired, model.ErrSignInRequired, model.ErrOffline,
	// model.ErrThrottled) or a context error. Never a raw MSAL error.
	Err error
	// Claims is the identity platform's claims challenge (conditional
	// access, MFA) when it answered interaction_required with one: pass it
	// to the next interactive sign-in (SignInOptions.Claims). Not secret.
	Claims string
	// Declined lists the scopes the service left out of a grant it
	// otherwise made (CodeConsentRequired): a tenant policy kept the user
	// from granting them.
	Declined []string
}

func (e *Error) Error() string {
	if e.AADSTS != 0 {
		return fmt.Sprintf("%s (AADSTS%d)", e.Msg, e.AADSTS)
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// op says which kind of call failed: the same failure means different
// things in a silent refresh (the user must sign in again) and in an
// interactive sign-in (it just did not work).
type op int

const (
	opInteractive op = iota
	opSilent
	opCache // reading or writing the token cache, listing or removing accounts
)

// aadError is Entra ID's OAuth error body.
type aadError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Codes       []int  `json:"error_codes"`
	SubError    string `json:"suberror"`
	Claims      string `json:"claims"`
}

var aadstsRE = regexp.MustCompile(`AADSTS(\d+)`)

// code is the first AADSTS number: error_codes, else the one named in the
// description.
func (a aadError) code() int {
	if len(a.Codes) > 0 {
		return a.Codes[0]
	}
	if m := aadstsRE.FindStringSubmatch(a.Description); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// browserError marks a failure of Config.OpenURL, so classify can tell
// "could not show the page" from everything MSAL returns.
type browserError struct{ err error }

func (b browserError) Error() string { return "open browser: " + b.err.Error() }
func (b browserError) Unwrap() error { return b.err }

// classify turns whatever MSAL (or the cache, or the network) returned into
// an *Error. ctx is the caller's context: its end is reported as a timeout,
// whereas a deadline that MSAL set itself means the service was too slow.
func classify(ctx context.Context, o op, err error) error {
	if err == nil {
		return nil
	}
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		if errors.Is(ctx.Err(), context.Canceled) {
			msg := "the request for a Microsoft 365 token was canceled"
			if o == opInteractive {
				msg = "sign-in was canceled"
			}
			return &Error{Code: CodeCancelled, Msg: msg, Err: ctx.Err()}
		}
		msg := "the request for a Microsoft 365 token timed out"
		if o == opInteractive {
			msg = "sign-in did not finish in time: the browser was closed or nobody completed the sign-in"
		}
		return &Error{Code: CodeTimeout, Msg: msg, Err: ctx.Err()}
	}
	var be browserError
	if errors.As(err, &be) {
		return &Error{Code: CodeNoBrowser,
			Msg:    "could not open a web browser for sign-in",
			Detail: Scrub(be.err.Error()), Err: be.err}
	}

	var ce msalerrors.CallErr
	if errors.As(err, &ce) {
		return fromCallErr(o, ce)
	}
	if isNetworkError(err) {
		return &Error{Code: CodeOffline, Msg: model.ErrOffline.Error(),
			Detail: Scrub(networkDetail(err)), Err: model.ErrOffline}
	}

	text := err.Error()
	if scopes, ok := declinedScopes(text); ok {
		return &Error{Code: CodeConsentRequired,
			Msg: "Microsoft 365 did not grant every permission Rapport asked for (" +
				strings.Join(scopes, ", ") + "); your administrator may need to approve them",
			Err: model.ErrConsentRequired, Declined: scopes}
	}
	// A failure reported through the browser reaches us as a plain error
	// holding only error_description ("AADSTS65001: The user or
	// administrator has not consented ..."): recover the number from it.
	if m := aadstsRE.FindStringSubmatch(text); m != nil {
		return fromAAD(o, 0, aadError{Description: text})
	}
	if o == opSilent {
		// MSAL has no sentinel for "nothing usable in the cache" (no
		// account, no refresh token): any other silent failure means the
		// user has to sign in again.
		return &Error{Code: CodeSignInRequired, Msg: model.ErrSignInRequired.Error(),
			Detail: Scrub(firstLine(text)), Err: model.ErrSignInRequired}
	}
	if o == opCache {
		return &Error{Code: CodeCache, Msg: "the saved sign-in could not be read or written",
			Detail: Scrub(firstLine(text))}
	}
	return &Error{Code: CodeSignInFailed, Msg: "sign-in failed",
		Detail: Scrub(firstLine(text))}
}

// fromCallErr decodes a failed HTTP exchange with the identity platform.
func fromCallErr(o op, ce msalerrors.CallErr) error {
	status := 0
	var body []byte
	if ce.Resp != nil {
		status = ce.Resp.StatusCode
		if ce.Resp.Body != nil {
			body, _ = io.ReadAll(io.LimitReader(ce.Resp.Body, 1<<20))
			_ = ce.Resp.Body.Close()
			// Leave the body readable for anyone else holding this error.
			ce.Resp.Body = io.NopCloser(bytes.NewReader(body))
		}
	}
	var a aadError
	if json.Unmarshal(body, &a) != nil || (a.Error == "" && len(a.Codes) == 0) {
		// Some MSAL paths (device code polling) read the body before
		// returning the error; the same JSON is then only in the message,
		// after the status line.
		if ce.Err != nil {
			msg := ce.Err.Error()
			if i := strings.IndexByte(msg, '{'); i >= 0 {
				_ = json.Unmarshal([]byte(msg[i:]), &a)
			}
		}
	}
	return fromAAD(o, status, a)
}

// Entra ID error numbers, grouped by what the user can do about them.
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes
var (
	consentCodes = []int{65001, 90094, 90095, 650057}
	// The refresh token or session is no longer good: expired after 90 days
	// idle (700082), revoked, password changed, MFA or sign-in frequency
	// now required, or the code was already used.
	reauthCodes = []int{700082, 700084, 70008, 70043, 70044, 50173, 50133,
		50076, 50079, 50078, 50072, 50074, 50158, 50089, 54005, 700003, 50132}
	misconfiguredCodes = []int{700016, 7000218, 50011, 500113, 50194, 700054, 90009, 9002326, 900971, 700025}
	blockedCodes       = []int{53000, 53001, 53002, 53003, 530003, 50105, 50097, 50020, 50034}
)

func fromAAD(o op, status int, a aadError) error {
	n := a.code()
	detail := Scrub(firstLine(cleanDescription(a.Description)))
	lower := strings.ToLower(a.Description)
	switch {
	case slices.Contains(consentCodes, n) || a.Error == "consent_required" || a.SubError == "consent_required" ||
		strings.Contains(lower, "admin approval") || strings.Contains(lower, "administrator has not consented"):
		return &Error{Code: CodeConsentRequired, AADSTS: n, Msg: model.ErrConsentRequired.Error(),
			Detail: detail, Err: model.ErrConsentRequired}
	case a.Error == "expired_token" || n == 70019:
		return &Error{Code: CodeTimeout, AADSTS: n,
			Msg: "the sign-in code expired before it was used; start the sign-in again", Detail: detail}
	case n == 65004 || a.Error == "authorization_declined":
		return &Error{Code: CodeDeclined, AADSTS: n,
			Msg: "sign-in was canceled: the permission request was declined", Detail: detail}
	case slices.Contains(misconfiguredCodes, n) || a.Error == "invalid_client" || a.Error == "unauthorized_client":
		return &Error{Code: CodeMisconfigured, AADSTS: n,
			Msg: "Rapport's app registration does not allow this sign-in (check the client id, " +
				"\"Allow public client flows\" and the http://localhost redirect URI)",
			Detail: detail}
	case slices.Contains(blockedCodes, n):
		return &Error{Code: CodeBlocked, AADSTS: n,
			Msg: "your organization's sign-in policy blocked this sign-in; ask your administrator", Detail: detail}
	case status == 429:
		return &Error{Code: CodeThrottled, AADSTS: n, Msg: model.ErrThrottled.Error(),
			Detail: detail, Err: model.ErrThrottled}
	case status >= 500 || a.Error == "temporarily_unavailable" || a.Error == "server_error":
		// Not the user's fault and not a reason to sign in again: a sync
		// engine should back off as if offline.
		return &Error{Code: CodeUnavailable, AADSTS: n,
			Msg: "the Microsoft sign-in service is temporarily unavailable", Detail: detail, Err: model.ErrOffline}
	case o == opSilent || slices.Contains(reauthCodes, n) ||
		a.Error == "invalid_grant" || a.Error == "interaction_required" || a.Error == "login_required":
		return &Error{Code: CodeSignInRequired, AADSTS: n, Msg: model.ErrSignInRequired.Error(),
			Detail: detail, Err: model.ErrSignInRequired, Claims: a.Claims}
	}
	return &Error{Code: CodeSignInFailed, AADSTS: n, Msg: "sign-in failed", Detail: detail}
}

// isNetworkError reports transport failures: DNS, refused or reset
// connections, TLS, client timeouts. MSAL wraps them as *url.Error.
func isNetworkError(err error) bool {
	var ue *url.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &ue) || errors.As(err, &oe) || errors.As(err, &de) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded)
}

// networkDetail is the innermost useful network message ("dial tcp ...:
// connection refused"), without MSAL's framing.
func networkDetail(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		// Drop the URL: it is the identity endpoint, and query strings
		// are not ours to log.
		return ue.Op + ": " + ue.Err.Error()
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Error()
	}
	return firstLine(err.Error())
}

var declinedRE = regexp.MustCompile(`declined scopes are present: ([^\n]*)`)
var scopeNameRE = regexp.MustCompile(`^[A-Za-z0-9._:/\-]{1,200}$`)

// declinedScopes recognizes MSAL's "token response failed because declined
// scopes are present: a,b" (the service granted fewer scopes than asked).
func declinedScopes(text string) ([]string, bool) {
	m := declinedRE.FindStringSubmatch(text)
	if m == nil {
		return nil, false
	}
	var out []string
	for _, s := range strings.Split(m[1], ",") {
		if s = strings.TrimSpace(s); scopeNameRE.MatchString(s) {
			out = append(out, s)
		}
	}
	return out, true
}

// cleanDescription drops the trace/correlation/timestamp lines Entra ID
// appends, and undoes the HTML escaping MSAL's loopback page applied.
func cleanDescription(s string) string {
	s = strings.NewReplacer("&#39;", "'", "&#34;", `"`, "&quot;", `"`, "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
	if i := strings.Index(s, " Trace ID:"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	const max = 300
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
