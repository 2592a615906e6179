package graphsim

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The token endpoint and the tokens it hands out: redeeming authorization
// codes (with the PKCE check) and refresh tokens, minting access, refresh
// and id tokens, and checking access tokens on Graph calls.

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeAADError(w, &aadFailure{status: http.StatusMethodNotAllowed, err: "invalid_request", code: 900561, desc: "The endpoint only accepts POST requests. Received a GET request."})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeAADError(w, &aadFailure{status: http.StatusBadRequest, err: "invalid_request", code: 900144, desc: "The request body could not be read."})
		return
	}
	f := r.PostForm
	clientID := f.Get("client_id")
	if clientID == "" {
		writeAADError(w, &aadFailure{status: http.StatusBadRequest, err: "invalid_request", code: 900144, desc: "The request body must contain the following parameter: 'client_id'."})
		return
	}
	scopes := splitScopes(f.Get("scope"))
	for _, sc := range scopes {
		if n := normScope(sc); !oidcScopes[n] && !knownGraphScopes[n] {
			writeAADError(w, &aadFailure{status: http.StatusBadRequest, err: "invalid_scope", code: 70011, desc: fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope '%s' does not exist.", sc)})
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var resp object
	var fail *aadFailure
	switch gt := f.Get("grant_type"); gt {
	case "authorization_code":
		resp, fail = s.redeemCode(clientID, f, scopes)
	case "refresh_token":
		resp, fail = s.redeemRefresh(clientID, f.Get("refresh_token"), scopes)
	case "device_code", "urn:ietf:params:oauth:grant-type:device_code":
		resp, fail = s.redeemDevice(clientID, f.Get("device_code"), scopes)
	case "":
		fail = &aadFailure{status: http.StatusBadRequest, err: "invalid_request", code: 900144, desc: "The request body must contain the following parameter: 'grant_type'."}
	default:
		fail = &aadFailure{status: http.StatusBadRequest, err: "unsupported_grant_type", code: 70003, desc: fmt.Sprintf("The app requested an unsupported grant type '%s'.", gt)}
	}
	if fail != nil {
		writeAADError(w, fail)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	_, _ = w.Write(encodeJSON(resp))
}

// pkceOK checks the code_verifier against the challenge from /authorize.
func pkceOK(method, challenge, verifier string) bool {
	if verifier == "" {
		return false
	}
	want := verifier
	if method != "plain" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

func (s *Server) redeemCode(clientID string, f url.Values, scopes []string) (object, *aadFailure) {
	ac := s.idp.codes[f.Get("code")]
	switch {
	case ac == nil:
		return nil, invalidGrant(9002313, "Invalid request. Request is malformed or invalid.")
	case ac.used:
		return nil, invalidGrant(54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
	case time.Now().After(ac.expires):
		return nil, invalidGrant(70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
	case ac.clientID != clientID:
		return nil, invalidGrant(70000, "The provided value for the 'code' parameter is not valid. The code was issued to a different client.")
	case f.Get("redirect_uri") != ac.redirectURI:
		return nil, invalidGrant(50011, fmt.Sprintf("The redirect URI '%s' specified in the request does not match the redirect URI used in the authorization request.", f.Get("redirect_uri")))
	case ac.challenge != "" && !pkceOK(ac.method, ac.challenge, f.Get("code_verifier")):
		return nil, invalidGrant(501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
	}
	ac.used = true
	if len(scopes) == 0 {
		scopes = ac.scopes
	}
	mfa := answersClaims(ac.claims) || answersClaims(f.Get("claims"))
	return s.issueTokens(clientID, ac.user, scopes, mfa)
}

func (s *Server) redeemRefresh(clientID, rt string, scopes []string) (object, *aadFailure) {
	t := s.idp.refresh[rt]
	switch {
	case t == nil:
		return nil, invalidGrant(9002313, "Invalid request. Request is malformed or invalid.")
	case time.Now().After(t.expires):
		return nil, invalidGrant(700082, "The refresh token has expired due to inactivity. The token was issued on a date and was inactive for 90.00:00:00.")
	case t.clientID != clientID:
		return nil, invalidGrant(70000, "Provided grant is invalid or malformed. The refresh token was issued to a different client.")
	case s.faults.SignIn == SignInClaims && !t.mfa:
		// Conditional access now wants MFA: no refresh token can satisfy
		// that silently, whatever claims the request carries.
		return nil, &aadFailure{status: http.StatusBadRequest, err: "interaction_required", code: 50076,
			suberror: "basic_action", claims: ClaimsChallenge,
			desc: "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'."}
	}
	return s.issueTokens(clientID, t.user, scopes, t.mfa)
}

// ClaimsChallenge is the claims value SignInClaims challenges with: an
// authentication-context request, as conditional access sends it.
const ClaimsChallenge = `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`

// answersClaims reports whether a request's claims parameter answers
// ClaimsChallenge (MSAL may merge other claims into it).
func answersClaims(claims string) bool {
	return strings.Contains(claims, `"acrs"`) && strings.Contains(claims, `"c1"`)
}

// issueTokens mints the token response for user. mfa marks the refresh
// token as having answered the claims challenge. Callers hold s.mu.
func (s *Server) issueTokens(clientID string, user identityUser, requested []string, mfa bool) (object, *aadFailure) {
	requested = s.withoutOmitted(clientID, user, requested)
	granted, missing := s.grantedScopes(clientID, user, requested)
	if missing != "" {
		return nil, consentRequired(clientID)
	}
	life := s.faults.AccessTokenLifetime
	if life <= 0 {
		life = time.Hour
	}
	now := time.Now()
	at := &accessToken{scopes: map[string]bool{}, expires: now.Add(life), personal: user.personal}
	wantRefresh, wantID := false, false
	for _, sc := range granted {
		n := normScope(sc)
		at.scopes[n] = true
		wantRefresh = wantRefresh || n == "offline_access"
		wantID = wantID || n == "openid"
	}
	access := randomString(64)
	s.idp.access[access] = at
	s.issued = append(s.issued, access)
	secs := int(life / time.Second)
	resp := object{
		{"token_type", "Bearer"},
		{"scope", strings.Join(granted, " ")},
		{"expires_in", secs},
		{"ext_expires_in", secs},
		{"access_token", access},
	}
	if wantRefresh {
		rt := "1.A" + randomString(120)
		s.idp.refresh[rt] = &refreshToken{clientID: clientID, user: user, expires: now.Add(90 * 24 * time.Hour), mfa: mfa}
		s.issued = append(s.issued, rt)
		resp = append(resp, field{"refresh_token", rt})
	}
	if wantID {
		idt := s.idToken(clientID, user, now)
		s.issued = append(s.issued, idt)
		resp = append(resp, field{"id_token", idt})
	}
	resp = append(resp, field{"client_info", clientInfo(user)})
	return resp, nil
}

// clientInfo is base64url without padding of {"uid","utid"}: MSAL builds the
// home account id ("uid.utid") from it.
func clientInfo(u identityUser) string {
	return base64.RawURLEncoding.EncodeToString(encodeJSON(object{{"uid", u.oid}, {"utid", u.tid}}))
}

// idToken is JWT-shaped with the v2.0 claims MSAL reads. It is not signed:
// MSAL does not verify id tokens it received straight from the token
// endpoint over TLS, and nothing else should trust it.
func (s *Server) idToken(clientID string, u identityUser, now time.Time) string {
	enc := func(v any) string { return base64.RawURLEncoding.EncodeToString(encodeJSON(v)) }
	sub := sha256.Sum256([]byte(u.oid + "|" + clientID))
	claims := object{
		{"aud", clientID},
		{"iss", s.URL() + "/" + u.tid + "/v2.0"},
		{"iat", now.Unix()},
		{"nbf", now.Unix()},
		{"exp", now.Add(time.Hour).Unix()},
		{"name", u.name},
		{"oid", u.oid},
		{"preferred_username", u.upn},
		{"rh", "0.A" + randomString(30)},
		{"sub", base64.RawURLEncoding.EncodeToString(sub[:])[:43]},
		{"tid", u.tid},
		{"uti", randomString(16)},
		{"ver", "2.0"},
	}
	return enc(object{{"typ", "JWT"}, {"alg", "RS256"}, {"kid", "graphsim"}}) + "." + enc(claims) + "." + randomString(64)
}

// checkAccessToken validates an Authorization header for Graph.
func (s *Server) checkAccessToken(h string) (*accessToken, string, string) {
	const code = "InvalidAuthenticationToken"
	if h == "" {
		return nil, code, "Access token is empty."
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return nil, code, "Access token is empty."
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.idp.access[strings.TrimSpace(tok)]
	switch {
	case at == nil:
		return nil, code, "CompactToken parsing failed with error code: 80049217"
	case !time.Now().Before(at.expires):
		return nil, code, "Lifetime validation failed, the token is expired."
	}
	return at, "", ""
}

// ExpireAccessTokens makes every access token issued so far expired, so the
// next Graph call with one gets 401 and the client must refresh.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := time.Now().Add(-time.Second)
	for _, t := range s.idp.access {
		t.expires = past
	}
}

// ExpireRefreshTokens makes every refresh token issued so far dead
// (AADSTS700082), so the client must sign in interactively again.
func (s *Server) ExpireRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := time.Now().Add(-time.Second)
	for _, t := range s.idp.refresh {
		t.expires = past
	}
}

// MintAccessToken issues an access token for the consultant directly, for
// tests whose subject is not sign-in. No scopes means User.Read,
// Mail.ReadBasic and Calendars.ReadBasic.
func (s *Server) MintAccessToken(scopes ...string) string {
	if len(scopes) == 0 {
		scopes = defaultGrant
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	life := s.faults.AccessTokenLifetime
	if life <= 0 {
		life = time.Hour
	}
	at := &accessToken{scopes: map[string]bool{}, expires: time.Now().Add(life)}
	for _, sc := range scopes {
		at.scopes[normScope(sc)] = true
	}
	tok := randomString(64)
	s.idp.access[tok] = at
	s.issued = append(s.issued, tok)
	return tok
}
