package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"

	"rapport/backend/model"
)

// A refresh token as Entra ID issues them, and a JWT: neither may surface in
// an error's text.
const (
	fakeRT  = "0.AXkAbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
	fakeJWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwIiwic2NwIjoiTWFpbC5SZWFkQmFzaWMifQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
)

// callErr builds the error MSAL's comm layer returns for a non-2xx answer
// from the token endpoint: the body both in Resp and in the message.
func callErr(status int, body string) error {
	req, _ := http.NewRequest(http.MethodPost, "https://login.microsoftonline.com/organizations/oauth2/v2.0/token", nil)
	resp := &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body)), Request: req}
	return msalerrors.CallErr{Req: req, Resp: resp,
		Err: fmt.Errorf("http call(%s)(%s) error: reply status code was %d:\n%s", req.URL, req.Method, status, body)}
}

func asAuthError(t *testing.T, err error) *Error {
	t.Helper()
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("got %T (%v), want *auth.Error", err, err)
	}
	return ae
}

func TestClassifyTokenEndpointErrors(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name     string
		op       op
		status   int
		body     string
		code     string
		aadsts   int
		sentinel error
	}{
		{"consent 65001 on refresh", opSilent, 400,
			`{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application with ID '1234' named 'Rapport'. Send an interactive authorization request for this user and resource. Trace ID: 0b7e3c1a-1111-2222-3333-444455556666 Correlation ID: 9f1c2d3e-aaaa-bbbb-cccc-ddddeeeeffff Timestamp: 2025-11-20 10:00:00Z","error_codes":[65001],"timestamp":"2025-11-20 10:00:00Z","trace_id":"0b7e3c1a-1111-2222-3333-444455556666","correlation_id":"9f1c2d3e-aaaa-bbbb-cccc-ddddeeeeffff","suberror":"consent_required","claims":"{\"access_token\":{\"capolids\":{\"essential\":true,\"values\":[\"abc\"]}}}"}`,
			CodeConsentRequired, 65001, model.ErrConsentRequired},
		{"admin approval 90094", opInteractive, 400,
			`{"error":"invalid_grant","error_description":"AADSTS90094: Admin consent is required for the permissions requested by this application. An admin consent request may be sent to the admin.","error_codes":[90094]}`,
			CodeConsentRequired, 90094, model.ErrConsentRequired},
		{"refresh token expired 700082", opSilent, 400,
			`{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2025-01-01T00:00:00Z and was inactive for 90.00:00:00.","error_codes":[700082],"suberror":"bad_token"}`,
			CodeSignInRequired, 700082, model.ErrSignInRequired},
		{"invalid_grant without code", opSilent, 400,
			`{"error":"invalid_grant","error_description":"The refresh token is revoked."}`,
			CodeSignInRequired, 0, model.ErrSignInRequired},
		{"mfa now required", opSilent, 400,
			`{"error":"interaction_required","error_description":"AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.","error_codes":[50076]}`,
			CodeSignInRequired, 50076, model.ErrSignInRequired},
		{"throttled", opSilent, 429, `{"error":"temporarily_unavailable","error_description":"AADSTS90033: slow down"}`,
			CodeThrottled, 90033, model.ErrThrottled},
		{"service down", opSilent, 503, `{"error":"temporarily_unavailable","error_description":"AADSTS90033: A transient error has occurred."}`,
			CodeUnavailable, 90033, model.ErrOffline},
		{"public client flows off", opInteractive, 401,
			`{"error":"invalid_client","error_description":"AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.","error_codes":[7000218]}`,
			CodeMisconfigured, 7000218, nil},
		{"conditional access", opInteractive, 400,
			`{"error":"invalid_grant","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies.","error_codes":[53003]}`,
			CodeBlocked, 53003, nil},
		{"device code expired", opInteractive, 400,
			`{"error":"expired_token","error_description":"AADSTS70019: Verification code expired.","error_codes":[70019]}`,
			CodeTimeout, 70019, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := classify(ctx, c.op, callErr(c.status, c.body))
			ae := asAuthError(t, err)
			if ae.Code != c.code || ae.AADSTS != c.aadsts {
				t.Fatalf("code %q AADSTS %d, want %q %d (%v)", ae.Code, ae.AADSTS, c.code, c.aadsts, err)
			}
			if c.sentinel != nil && !errors.Is(err, c.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, c.sentinel)
			}
			// Only our sentence (and the number) may reach Error(): never
			// the body, the endpoint or the claims challenge.
			for _, leak := range []string{"error_description", "Trace ID", "oauth2", "capolids", "{"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("Error() %q contains %q", err.Error(), leak)
				}
			}
			if strings.Contains(ae.Detail, "Trace ID") {
				t.Errorf("Detail kept the trace line: %q", ae.Detail)
			}
		})
	}
}

func TestClassifyBodyAlreadyRead(t *testing.T) {
	// Device-code polling reads the body before returning the error: the
	// JSON then survives only in the message.
	body := `{"error":"invalid_grant","error_description":"AADSTS65001: consent needed","error_codes":[65001]}`
	ce := callErr(400, body).(msalerrors.CallErr)
	_, _ = io.ReadAll(ce.Resp.Body)
	ae := asAuthError(t, classify(context.Background(), opInteractive, ce))
	if ae.Code != CodeConsentRequired || ae.AADSTS != 65001 {
		t.Fatalf("got %q %d", ae.Code, ae.AADSTS)
	}
}

func TestClassifyBrowserLeg(t *testing.T) {
	// MSAL's loopback listener reports an error form post as
	// fmt.Errorf("%s", html-escaped error_description).
	err := fmt.Errorf("%s", "AADSTS65001: The user or administrator has not consented to use the application with ID &#39;1234&#39; named &#39;Rapport&#39;. Trace ID: 0b7e3c1a-1111-2222-3333-444455556666")
	ae := asAuthError(t, classify(context.Background(), opInteractive, err))
	if ae.Code != CodeConsentRequired || ae.AADSTS != 65001 || !errors.Is(ae, model.ErrConsentRequired) {
		t.Fatalf("got %+v", ae)
	}
	if !strings.Contains(ae.Detail, "'Rapport'") || strings.Contains(ae.Detail, "Trace ID") {
		t.Errorf("Detail = %q, want the unescaped description without the trace line", ae.Detail)
	}
	if got := ae.Error(); got != model.ErrConsentRequired.Error()+" (AADSTS65001)" {
		t.Errorf("Error() = %q", got)
	}

	declined := fmt.Errorf("%s", "AADSTS65004: User declined to consent to access the app.")
	if ae := asAuthError(t, classify(context.Background(), opInteractive, declined)); ae.Code != CodeDeclined {
		t.Errorf("65004: got %q", ae.Code)
	}
}

func TestClassifyNetworkAndContext(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	netErr := fmt.Errorf("server response error:\n %w",
		&url.Error{Op: "Post", URL: "https://login.microsoftonline.com/organizations/oauth2/v2.0/token?x=" + fakeRT, Err: dial})
	ae := asAuthError(t, classify(context.Background(), opSilent, netErr))
	if ae.Code != CodeOffline || !errors.Is(ae, model.ErrOffline) {
		t.Fatalf("network: got %+v", ae)
	}
	if strings.Contains(ae.Detail, fakeRT) || !strings.Contains(ae.Detail, "connection refused") {
		t.Errorf("Detail = %q", ae.Detail)
	}
	dns := fmt.Errorf("server response error:\n %w", &url.Error{Op: "Get", URL: "https://x", Err: &net.DNSError{Err: "no such host", Name: "login.microsoftonline.com"}})
	if ae := asAuthError(t, classify(context.Background(), opInteractive, dns)); ae.Code != CodeOffline {
		t.Errorf("dns: got %q", ae.Code)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ae = asAuthError(t, classify(ctx, opInteractive, ctx.Err()))
	if ae.Code != CodeCancelled || !errors.Is(ae, context.Canceled) {
		t.Fatalf("canceled: got %+v", ae)
	}
	dctx, dcancel := context.WithTimeout(context.Background(), -time.Second)
	defer dcancel()
	if ae := asAuthError(t, classify(dctx, opInteractive, dctx.Err())); ae.Code != CodeTimeout || !errors.Is(ae, context.DeadlineExceeded) {
		t.Fatalf("deadline: got %+v", ae)
	}
	// A deadline MSAL set itself (the caller's ctx is fine) is a slow
	// service, not the user walking away.
	ae = asAuthError(t, classify(context.Background(), opSilent, fmt.Errorf("x: %w", context.DeadlineExceeded)))
	if ae.Code != CodeOffline {
		t.Errorf("internal deadline: got %q", ae.Code)
	}
}

func TestClassifyOtherMSALErrors(t *testing.T) {
	ctx := context.Background()
	declined := errors.New("token response failed because declined scopes are present: Files.Read.All,Sites.Read.All")
	ae := asAuthError(t, classify(ctx, opInteractive, declined))
	if ae.Code != CodeConsentRequired || !strings.Contains(ae.Msg, "Files.Read.All, Sites.Read.All") {
		t.Fatalf("declined scopes: got %+v", ae)
	}

	// MSAL's JSON decode errors quote the whole raw response.
	raw := msalerrors.InvalidJsonErr{Err: fmt.Errorf("json decode error: bad\nraw message was: {\"access_token\":\"%s\",\"refresh_token\":\"%s\"}", fakeJWT, fakeRT)}
	for _, o := range []op{opSilent, opInteractive, opCache} {
		ae := asAuthError(t, classify(ctx, o, raw))
		for _, s := range []string{ae.Error(), ae.Detail} {
			if strings.Contains(s, fakeJWT) || strings.Contains(s, fakeRT) {
				t.Errorf("op %d leaked a token: %q", o, s)
			}
		}
	}
	if ae := asAuthError(t, classify(ctx, opSilent, raw)); !errors.Is(ae, model.ErrSignInRequired) {
		t.Errorf("silent failure: got %+v", ae)
	}
	if ae := asAuthError(t, classify(ctx, opSilent, errors.New("no token found"))); ae.Code != CodeSignInRequired {
		t.Errorf("no token found: got %q", ae.Code)
	}
	if ae := asAuthError(t, classify(ctx, opInteractive, browserError{errors.New("exec: \"xdg-open\": executable file not found")})); ae.Code != CodeNoBrowser {
		t.Errorf("browser: got %q", ae.Code)
	}
	// An *Error passes through untouched.
	in := &Error{Code: CodePersonalAccount, Msg: "x"}
	if out := classify(ctx, opSilent, in); out != in {
		t.Errorf("*Error was rewrapped: %v", out)
	}
}
