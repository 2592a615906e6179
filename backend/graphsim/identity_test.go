package graphsim

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

const testClientID = "3f2c9a1e-7b6d-4e8f-a0c1-2d3e4f5a6b7c"

var graphScopes = []string{"User.Read", "Mail.ReadBasic", "Calendars.ReadBasic"}

func newMSAL(t *testing.T, s *Server) public.Client {
	t.Helper()
	c, err := public.New(testClientID,
		public.WithAuthority(s.AuthorityURL()),
		public.WithHTTPClient(s.HTTPClient()),
		public.WithInstanceDiscovery(false))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func countTokenCalls(s *Server) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/oauth2/v2.0/token") && r.Status == http.StatusOK {
			n++
		}
	}
	return n
}

func TestMSALInteractiveThenSilent(t *testing.T) {
	s := startSim(t, Options{})
	c := newMSAL(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	res, err := c.AcquireTokenInteractive(ctx, graphScopes, public.WithOpenURL(s.Browse))
	if err != nil {
		t.Fatalf("interactive sign-in: %v", err)
	}
	if res.Account.PreferredUsername != s.User().UPN {
		t.Fatalf("account %q, want %q", res.Account.PreferredUsername, s.User().UPN)
	}
	if res.Account.HomeAccountID != s.User().HomeAccountID || res.IDToken.TenantID != s.User().TenantID {
		t.Fatalf("home account %q tid %q", res.Account.HomeAccountID, res.IDToken.TenantID)
	}
	for _, sc := range graphScopes {
		if !slices.Contains(res.GrantedScopes, sc) {
			t.Fatalf("granted %v lacks %s", res.GrantedScopes, sc)
		}
	}
	if !slices.Contains(s.IssuedTokens(), res.AccessToken) {
		t.Fatal("IssuedTokens misses the access token")
	}
	me := get(t, s, res.AccessToken, s.GraphURL()+"/me")
	if me.status != http.StatusOK || me.str("userPrincipalName") != s.User().UPN {
		t.Fatalf("/me with the MSAL token: %d %s", me.status, me.raw)
	}

	// Silent: from MSAL's cache while the token is fresh...
	calls := countTokenCalls(s)
	accounts, err := c.Accounts(ctx)
	if err != nil || len(accounts) != 1 {
		t.Fatalf("accounts %v %v", accounts, err)
	}
	silent, err := c.AcquireTokenSilent(ctx, graphScopes, public.WithSilentAccount(accounts[0]))
	if err != nil {
		t.Fatalf("silent: %v", err)
	}
	if silent.AccessToken != res.AccessToken || countTokenCalls(s) != calls {
		t.Fatal("silent call should have been served from MSAL's cache")
	}
}

func TestMSALSilentRefreshes(t *testing.T) {
	// Under 5 minutes MSAL treats an access token as expired, so every
	// silent call goes to the token endpoint with the refresh token.
	s := startSim(t, Options{Faults: Faults{AccessTokenLifetime: 2 * time.Minute}})
	c := newMSAL(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := c.AcquireTokenInteractive(ctx, graphScopes, public.WithOpenURL(s.Browse))
	if err != nil {
		t.Fatal(err)
	}
	calls := countTokenCalls(s)
	silent, err := c.AcquireTokenSilent(ctx, graphScopes, public.WithSilentAccount(res.Account))
	if err != nil {
		t.Fatalf("silent refresh: %v", err)
	}
	if silent.AccessToken == res.AccessToken || countTokenCalls(s) != calls+1 {
		t.Fatal("silent call did not refresh")
	}
	if a := get(t, s, silent.AccessToken, s.GraphURL()+"/me/mailFolders/inbox"); a.status != http.StatusOK {
		t.Fatalf("refreshed token on Graph: %d %s", a.status, a.raw)
	}

	// A dead refresh token makes silent fail: the app must sign in again.
	s.ExpireRefreshTokens()
	if _, err := c.AcquireTokenSilent(ctx, graphScopes, public.WithSilentAccount(res.Account)); err == nil || !strings.Contains(err.Error(), "700082") {
		t.Fatalf("silent with a dead refresh token: %v", err)
	}
}

func TestMSALDeviceCode(t *testing.T) {
	s := startSim(t, Options{})
	c := newMSAL(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dc, err := c.AcquireTokenByDeviceCode(ctx, graphScopes)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dc.Result.Message, dc.Result.UserCode) || !strings.HasPrefix(dc.Result.VerificationURL, s.URL()) {
		t.Fatalf("device code result %+v", dc.Result)
	}
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		t.Fatalf("device code: %v", err)
	}
	if res.Account.PreferredUsername != s.User().UPN {
		t.Fatalf("device code account %q", res.Account.PreferredUsername)
	}
}

func TestMSALScriptedSignIns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, tc := range []struct {
		faults Faults
		want   string
	}{
		{Faults{SignIn: SignInConsentRequired}, "AADSTS65001"},
		{Faults{SignIn: SignInAdminApproval}, "AADSTS90094"},
		{Faults{SignIn: SignInCancel}, "AADSTS65004"},
		{Faults{BlockUserConsent: []string{"Mail.ReadBasic"}}, "AADSTS65001"},
	} {
		s := startSim(t, Options{Faults: tc.faults})
		_, err := newMSAL(t, s).AcquireTokenInteractive(ctx, graphScopes, public.WithOpenURL(s.Browse))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%+v: got %v, want %s", tc.faults, err, tc.want)
		}
	}

	s := startSim(t, Options{Faults: Faults{SignIn: SignInPersonal}})
	res, err := newMSAL(t, s).AcquireTokenInteractive(ctx, graphScopes, public.WithOpenURL(s.Browse))
	if err != nil {
		t.Fatal(err)
	}
	if res.IDToken.TenantID != personalTenantID || !strings.HasSuffix(res.Account.HomeAccountID, personalTenantID) {
		t.Fatalf("personal sign-in: tid %q home %q", res.IDToken.TenantID, res.Account.HomeAccountID)
	}
}

// signInByHand runs the authorization-code leg without MSAL and returns
// the code, for tests of the token endpoint itself.
func signInByHand(t *testing.T, s *Server, challenge string) (code, redirect string) {
	t.Helper()
	redirect = "http://localhost:53111"
	q := url.Values{"client_id": {testClientID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"scope": {"User.Read Mail.ReadBasic openid profile offline_access"}, "state": {"st"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}, "response_mode": {"form_post"}}
	resp, err := s.HTTPClient().Get(s.AuthorityURL() + "/oauth2/v2.0/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(page), `action="`+redirect+`"`) || !strings.Contains(string(page), "document.forms[0].submit()") {
		t.Fatalf("authorize did not answer an auto-submitting form to the redirect URI:\n%s", page)
	}
	m := regexp.MustCompile(`name="code" value="([^"]+)"`).FindSubmatch(page)
	if m == nil || !strings.Contains(string(page), `name="state" value="st"`) {
		t.Fatalf("no code/state in the form:\n%s", page)
	}
	return string(m[1]), redirect
}

func postToken(t *testing.T, s *Server, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := s.HTTPClient().PostForm(s.AuthorityURL()+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func TestPKCEIsChecked(t *testing.T) {
	s := startSim(t, Options{})
	verifier := "a-very-long-code-verifier-for-the-pkce-test-0123456789"
	sum := sha256.Sum256([]byte(verifier))
	code, redirect := signInByHand(t, s, base64.RawURLEncoding.EncodeToString(sum[:]))
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {testClientID}, "code": {code},
		"redirect_uri": {redirect}, "scope": {"User.Read Mail.ReadBasic openid profile offline_access"}, "client_info": {"1"}}

	form.Set("code_verifier", "not-the-verifier")
	status, body := postToken(t, s, form)
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" || !strings.HasPrefix(body["error_description"].(string), "AADSTS501481:") {
		t.Fatalf("wrong verifier: %d %v", status, body)
	}
	if codes, _ := body["error_codes"].([]any); len(codes) != 1 || codes[0] != float64(501481) {
		t.Fatalf("error_codes %v", body["error_codes"])
	}
	for _, k := range []string{"timestamp", "trace_id", "correlation_id"} {
		if _, ok := body[k]; !ok {
			t.Fatalf("AAD error lacks %s", k)
		}
	}

	form.Set("code_verifier", verifier)
	status, body = postToken(t, s, form)
	if status != http.StatusOK {
		t.Fatalf("right verifier: %d %v", status, body)
	}
	if body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) || body["refresh_token"] == nil || body["id_token"] == nil {
		t.Fatalf("token response %v", body)
	}
	if scope := body["scope"].(string); !strings.Contains(scope, "User.Read") || !strings.Contains(scope, "Mail.ReadBasic") || !strings.Contains(scope, "offline_access") {
		t.Fatalf("scope %q", scope)
	}
	ci, err := base64.RawURLEncoding.DecodeString(body["client_info"].(string))
	if err != nil || !strings.Contains(string(ci), `"utid":"`+demoTenantID+`"`) {
		t.Fatalf("client_info %s %v (must be base64url without padding)", ci, err)
	}
	parts := strings.Split(body["id_token"].(string), ".")
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var idt map[string]any
	_ = json.Unmarshal(claims, &idt)
	for _, k := range []string{"aud", "iss", "iat", "nbf", "exp", "name", "preferred_username", "oid", "sub", "tid", "ver"} {
		if _, ok := idt[k]; !ok {
			t.Fatalf("id_token lacks %s: %v", k, idt)
		}
	}
	if idt["aud"] != testClientID || idt["preferred_username"] != s.User().UPN {
		t.Fatalf("id_token claims %v", idt)
	}

	// A code is good once.
	status, body = postToken(t, s, form)
	if status != http.StatusBadRequest || !strings.HasPrefix(body["error_description"].(string), "AADSTS54005:") {
		t.Fatalf("code reuse: %d %v", status, body)
	}

	// Asking a refresh for a scope never consented is AADSTS65001.
	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID}, "scope": {"Files.Read.All offline_access"}}
	code2, _ := signInByHand(t, s, base64.RawURLEncoding.EncodeToString(sum[:]))
	form.Set("code", code2)
	_, body = postToken(t, s, form)
	refresh.Set("refresh_token", body["refresh_token"].(string))
	status, body = postToken(t, s, refresh)
	if status != http.StatusBadRequest || body["suberror"] != "consent_required" || !strings.HasPrefix(body["error_description"].(string), "AADSTS65001:") {
		t.Fatalf("refresh for an unconsented scope: %d %v", status, body)
	}
}

func TestGraphChecksTokens(t *testing.T) {
	s := startSim(t, Options{})
	g := s.GraphURL()
	a := get(t, s, "", g+"/me")
	if a.status != http.StatusUnauthorized || a.graphErrorCode() != "InvalidAuthenticationToken" {
		t.Fatalf("no token: %d %s", a.status, a.raw)
	}
	inner := a.body["error"].(map[string]any)["innerError"].(map[string]any)
	for _, k := range []string{"date", "request-id", "client-request-id"} {
		if _, ok := inner[k]; !ok {
			t.Fatalf("innerError lacks %s", k)
		}
	}
	if a.header.Get("WWW-Authenticate") == "" {
		t.Fatal("401 without WWW-Authenticate")
	}
	if a := get(t, s, "made-up", g+"/me"); a.status != http.StatusUnauthorized {
		t.Fatalf("unknown token: %d", a.status)
	}

	tok := s.MintAccessToken()
	if a := get(t, s, tok, g+"/me"); a.status != http.StatusOK {
		t.Fatalf("fresh token: %d", a.status)
	}
	s.ExpireAccessTokens()
	a = get(t, s, tok, g+"/me")
	if a.status != http.StatusUnauthorized || a.graphErrorCode() != "InvalidAuthenticationToken" {
		t.Fatalf("expired token: %d %s", a.status, a.raw)
	}

	userOnly := s.MintAccessToken("User.Read")
	if a := get(t, s, userOnly, g+"/me/mailFolders"); a.status != http.StatusForbidden || a.graphErrorCode() != "ErrorAccessDenied" {
		t.Fatalf("missing Mail scope: %d %s", a.status, a.raw)
	}
	mailOnly := s.MintAccessToken("https://graph.microsoft.com/Mail.ReadBasic")
	if a := get(t, s, mailOnly, g+"/me/mailFolders/inbox/messages/delta"); a.status != http.StatusOK {
		t.Fatalf("resource-qualified Mail.ReadBasic: %d", a.status)
	}
	if a := get(t, s, mailOnly, g+"/me"); a.status != http.StatusForbidden {
		t.Fatalf("/me without User.Read: %d", a.status)
	}
}

func TestDiscoveryDocument(t *testing.T) {
	s := startSim(t, Options{})
	for _, tenant := range []string{"organizations", "common", demoTenantID} {
		resp, err := s.HTTPClient().Get(s.URL() + "/" + tenant + "/v2.0/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		for _, k := range []string{"authorization_endpoint", "token_endpoint", "issuer", "device_authorization_endpoint", "jwks_uri"} {
			v, _ := doc[k].(string)
			u, err := url.Parse(v)
			if err != nil || "https://"+u.Host != s.URL() {
				t.Fatalf("%s %s = %q: must be on the simulator host", tenant, k, v)
			}
		}
	}
	resp, err := s.HTTPClient().Get(s.URL() + "/contoso.example/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("unknown tenant: %d", resp.StatusCode)
	}
}

func TestBrowseReportsErrorPages(t *testing.T) {
	s := startSim(t, Options{})
	err := s.Browse(s.AuthorityURL() + "/oauth2/v2.0/authorize?client_id=x&response_type=code&redirect_uri=" + url.QueryEscape("https://evil.example/cb"))
	if err == nil || !strings.Contains(err.Error(), "AADSTS50011") {
		t.Fatalf("bad redirect URI: %v", err)
	}
	var target error = err
	if errors.Unwrap(target) != nil {
		t.Fatal("Browse errors are plain sentences")
	}
}
