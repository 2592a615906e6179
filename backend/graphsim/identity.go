package graphsim

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// The Microsoft identity platform, v2.0 endpoints, as MSAL Go v1.10.1 uses
// them: discovery, authorize (auto-consent, answered with the auto-submitting
// form_post page MSAL's loopback listener requires), token (authorization
// code with PKCE, refresh token, device code) and devicecode. Errors use
// AAD's JSON shape with AADSTS codes, because that is what the auth package
// has to classify.

type authCode struct {
	clientID, redirectURI, challenge, method string
	claims                                   string // the claims parameter of /authorize
	scopes                                   []string
	user                                     identityUser
	expires                                  time.Time
	used                                     bool
}

type accessToken struct {
	scopes   map[string]bool // normalised: lower case, resource prefix removed
	expires  time.Time
	personal bool
}

type refreshToken struct {
	clientID string
	user     identityUser
	expires  time.Time
	// mfa: issued to a sign-in that answered the claims challenge, so
	// SignInClaims does not refuse it.
	mfa bool
}

type deviceCode struct {
	clientID, userCode string
	scopes             []string
	expires            time.Time
	approved, used     bool
	user               identityUser
	polls              int
	failure            *aadFailure // set when approval ran into a scripted error
}

type identityState struct {
	codes   map[string]*authCode
	access  map[string]*accessToken
	refresh map[string]*refreshToken
	devices map[string]*deviceCode
	// consent holds the scopes each (client, tenant) was granted, by
	// normalised name, with the spelling the client first used.
	consent map[string]map[string]string
}

func newIdentityState() *identityState {
	return &identityState{
		codes: map[string]*authCode{}, access: map[string]*accessToken{}, refresh: map[string]*refreshToken{},
		devices: map[string]*deviceCode{}, consent: map[string]map[string]string{},
	}
}

const graphResource = "https://graph.microsoft.com/"

// oidcScopes are the sign-in scopes MSAL adds itself; they are not Graph
// permissions and never need consent.
var oidcScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true, "email": true}

// knownGraphScopes are the delegated permissions the simulator understands;
// anything else is AADSTS70011, which catches a typo in the app's scopes.
var knownGraphScopes = map[string]bool{
	"user.read": true, "user.readbasic.all": true, "mail.readbasic": true, "mail.read": true, "mail.readwrite": true,
	"calendars.readbasic": true, "calendars.read": true, "contacts.read": true, "files.read": true,
	"files.read.all": true, "sites.read.all": true, ".default": true,
}

// defaultGrant is what ".default" yields when nothing was consented before:
// the app registration's configured permissions.
var defaultGrant = []string{"User.Read", "Mail.ReadBasic", "Calendars.ReadBasic"}

func normScope(s string) string {
	l := strings.ToLower(s)
	l = strings.TrimPrefix(l, graphResource)
	l = strings.TrimPrefix(l, "00000003-0000-0000-c000-000000000000/")
	return l
}

func splitScopes(raw string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range strings.Fields(raw) {
		if n := normScope(s); !seen[n] {
			seen[n] = true
			out = append(out, s)
		}
	}
	return out
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// aadFailure is an identity-platform error: the OAuth error, the AADSTS
// number and its sentence.
type aadFailure struct {
	status   int
	err      string
	code     int
	desc     string
	suberror string
	claims   string // a claims challenge (interaction_required)
}

func (f *aadFailure) description(traceID, corrID string, now time.Time) string {
	return fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", f.code, f.desc, traceID, corrID, now.Format("2006-01-02 15:04:05Z"))
}

func writeAADError(w http.ResponseWriter, f *aadFailure) {
	now := time.Now().UTC()
	trace, corr := newUUID(), newUUID()
	body := object{
		{"error", f.err},
		{"error_description", f.description(trace, corr, now)},
		{"error_codes", []int{f.code}},
		{"timestamp", now.Format("2006-01-02 15:04:05Z")},
		{"trace_id", trace},
		{"correlation_id", corr},
		{"error_uri", fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", f.code)},
	}
	if f.suberror != "" {
		body = append(body, field{"suberror", f.suberror})
	}
	if f.claims != "" {
		body = append(body, field{"claims", f.claims})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store, no-cache")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(f.status)
	_, _ = w.Write(encodeJSON(body))
}

func invalidGrant(code int, desc string) *aadFailure {
	return &aadFailure{status: http.StatusBadRequest, err: "invalid_grant", code: code, desc: desc}
}

func consentRequired(clientID string) *aadFailure {
	return &aadFailure{status: http.StatusBadRequest, err: "invalid_grant", code: 65001, suberror: "consent_required",
		desc: fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s' named 'Rapport'. Send an interactive authorization request for this user and resource.", clientID)}
}

// tenantIssuer resolves the tenant path segment. ok=false for a tenant the
// simulator does not host.
func (s *Server) tenantIssuer(tenant string) (issuer string, ok bool) {
	base := s.URL()
	switch strings.ToLower(tenant) {
	case "organizations", "common":
		return base + "/{tenantid}/v2.0", true
	case "consumers", personalTenantID:
		return base + "/" + personalTenantID + "/v2.0", true
	case demoTenantID, "adatum.com", "adatum.onmicrosoft.com":
		return base + "/" + demoTenantID + "/v2.0", true
	}
	return "", false
}

func (s *Server) serveIdentity(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) < 2 {
		http.NotFound(w, r)
		return
	}
	tenant, rest := segs[0], strings.Join(segs[1:], "/")
	issuer, ok := s.tenantIssuer(tenant)
	if !ok {
		writeAADError(w, &aadFailure{status: http.StatusBadRequest, err: "invalid_tenant", code: 90002,
			desc: fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant)})
		return
	}
	switch rest {
	case "v2.0/.well-known/openid-configuration":
		s.discovery(w, tenant, issuer)
	case "discovery/v2.0/keys":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte(`{"keys":[]}`))
	case "oauth2/v2.0/authorize":
		s.authorize(w, r, tenant)
	case "oauth2/v2.0/token":
		s.token(w, r)
	case "oauth2/v2.0/devicecode":
		s.deviceCodeStart(w, r)
	case "v2.0/adminconsent":
		s.adminConsent(w, r, tenant)
	default:
		http.NotFound(w, r)
	}
}

// discovery is the OpenID configuration. MSAL needs authorization_endpoint,
// token_endpoint and an issuer on the authority's host; the rest mirrors
// login.microsoftonline.com's document.
func (s *Server) discovery(w http.ResponseWriter, tenant, issuer string) {
	base := s.URL() + "/" + tenant
	host := strings.TrimPrefix(s.URL(), "https://")
	doc := object{
		{"token_endpoint", base + "/oauth2/v2.0/token"},
		{"token_endpoint_auth_methods_supported", []string{"client_secret_post", "private_key_jwt", "client_secret_basic"}},
		{"jwks_uri", base + "/discovery/v2.0/keys"},
		{"response_modes_supported", []string{"query", "fragment", "form_post"}},
		{"subject_types_supported", []string{"pairwise"}},
		{"id_token_signing_alg_values_supported", []string{"RS256"}},
		{"response_types_supported", []string{"code", "id_token", "code id_token", "id_token token"}},
		{"scopes_supported", []string{"openid", "profile", "email", "offline_access"}},
		{"issuer", issuer},
		{"request_uri_parameter_supported", false},
		{"userinfo_endpoint", s.URL() + "/oidc/userinfo"},
		{"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
		{"device_authorization_endpoint", base + "/oauth2/v2.0/devicecode"},
		{"http_logout_supported", true},
		{"frontchannel_logout_supported", true},
		{"end_session_endpoint", base + "/oauth2/v2.0/logout"},
		{"claims_supported", []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"}},
		{"kerberos_endpoint", base + "/kerberos"},
		{"tenant_region_scope", nil},
		{"cloud_instance_name", "microsoftonline.com"},
		{"cloud_graph_host_name", "graph.windows.net"},
		{"msgraph_host", host},
		{"rbac_url", "https://pas.windows.net"},
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(encodeJSON(doc))
}

// validRedirect accepts what a public desktop client registers: the
// loopback (any port, as AAD allows for http://localhost) and nativeclient.
func validRedirect(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	if p.Scheme == "http" && (p.Hostname() == "localhost" || p.Hostname() == "127.0.0.1") {
		return true
	}
	return u == "https://login.microsoftonline.com/common/oauth2/nativeclient"
}

// errorPage is what AAD shows when it cannot even redirect back (bad
// client or redirect URI). A scripted browser reports its text.
func errorPage(w http.ResponseWriter, code int, desc string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><div id=\"error\">AADSTS%d: %s</div></body></html>", code, html.EscapeString(desc))
}

// formPost is the page AAD answers with in response_mode=form_post: a form
// that posts itself to the redirect URI.
func formPost(w http.ResponseWriter, action string, fields [][2]string) {
	var b strings.Builder
	fmt.Fprintf(&b, `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="%s">`, html.EscapeString(action))
	for _, f := range fields {
		fmt.Fprintf(&b, `<input type="hidden" name="%s" value="%s" />`, html.EscapeString(f[0]), html.EscapeString(f[1]))
	}
	b.WriteString(`<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">document.forms[0].submit();</script></body></html>`)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	_, _ = w.Write([]byte(b.String()))
}

// authorize signs the consultant in without a prompt and consents to the
// requested scopes — unless the fault script says otherwise.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, tenant string) {
	q := r.URL.Query()
	clientID, redirectURI, state := q.Get("client_id"), q.Get("redirect_uri"), q.Get("state")
	if clientID == "" {
		errorPage(w, 900144, "The request body must contain the following parameter: 'client_id'.")
		return
	}
	if !validRedirect(redirectURI) {
		errorPage(w, 50011, fmt.Sprintf("The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'.", redirectURI, clientID))
		return
	}
	formMode := q.Get("response_mode") == "form_post"
	reply := func(fields [][2]string) {
		if state != "" {
			fields = append(fields, [2]string{"state", state})
		}
		if formMode {
			formPost(w, redirectURI, fields)
			return
		}
		u, _ := url.Parse(redirectURI)
		v := u.Query()
		for _, f := range fields {
			v.Set(f[0], f[1])
		}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(errCode string, code int, desc string) {
		reply([][2]string{{"error", errCode}, {"error_description", fmt.Sprintf("AADSTS%d: %s", code, desc)}})
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", 700054, "response_type 'id_token' is not enabled for the application.")
		return
	}
	scopes := splitScopes(q.Get("scope"))
	for _, sc := range scopes {
		if n := normScope(sc); !oidcScopes[n] && !knownGraphScopes[n] {
			fail("invalid_scope", 70011, fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope '%s' does not exist.", sc))
			return
		}
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	if challenge != "" && method != "S256" && method != "plain" && method != "" {
		fail("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
		return
	}

	s.mu.Lock()
	delay := s.faults.SignInDelay
	s.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	user := s.tenant.me
	switch s.faults.SignIn {
	case SignInAbandon:
		abandonedPage(w)
		return
	case SignInConsentRequired:
		fail("consent_required", 65001, fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s' named 'Rapport'. Send an interactive authorization request for this user and resource.", clientID))
		return
	case SignInAdminApproval:
		fail("access_denied", 90094, "The grant requires admin permission.")
		return
	case SignInCancel:
		fail("access_denied", 65004, "User declined to consent to access the app.")
		return
	case SignInPersonal:
		user = s.tenant.personal
	}
	if strings.EqualFold(tenant, "consumers") {
		user = s.tenant.personal
	}
	if blocked := s.blockedScopes(clientID, user, scopes); blocked != "" {
		fail("consent_required", 65001, fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s' named 'Rapport'. Send an interactive authorization request for this user and resource.", clientID))
		return
	}
	s.grantConsent(clientID, user, scopes)
	code := "0.A" + randomString(96)
	s.idp.codes[code] = &authCode{clientID: clientID, redirectURI: redirectURI, challenge: challenge, method: method,
		claims: q.Get("claims"), scopes: scopes, user: user, expires: time.Now().Add(10 * time.Minute)}
	s.issued = append(s.issued, code)
	reply([][2]string{{"code", code}, {"client_info", clientInfo(user)}, {"session_state", newUUID()}})
}

func consentKey(clientID string, u identityUser) string { return clientID + "|" + u.tid }

// blockedScopes returns a requested scope the tenant's consent policy keeps
// users from granting, if it was not granted before. Callers hold s.mu.
func (s *Server) blockedScopes(clientID string, u identityUser, scopes []string) string {
	if u.personal {
		return "" // consent policies are a work-tenant thing
	}
	have := s.idp.consent[consentKey(clientID, u)]
	for _, sc := range scopes {
		n := normScope(sc)
		if _, ok := have[n]; ok {
			continue
		}
		for _, b := range s.faults.BlockUserConsent {
			if normScope(b) == n {
				return sc
			}
		}
	}
	return ""
}

func (s *Server) grantConsent(clientID string, u identityUser, scopes []string) {
	k := consentKey(clientID, u)
	if s.idp.consent[k] == nil {
		s.idp.consent[k] = map[string]string{}
	}
	for _, sc := range scopes {
		n := normScope(sc)
		if oidcScopes[n] || n == ".default" {
			continue
		}
		if s.omitted(u, n) {
			continue // the tenant leaves it out of the grant
		}
		if _, ok := s.idp.consent[k][n]; !ok {
			s.idp.consent[k][n] = sc
		}
	}
}

// omitted reports a scope the tenant leaves out of users' grants
// (Faults.OmitScopes). Callers hold s.mu.
func (s *Server) omitted(u identityUser, norm string) bool {
	if u.personal {
		return false
	}
	for _, o := range s.faults.OmitScopes {
		if normScope(o) == norm {
			return true
		}
	}
	return false
}

// withoutOmitted drops from a token request the scopes the tenant leaves
// out of the grant and that were never consented (by an administrator):
// the answer's "scope" then lacks them. Callers hold s.mu.
func (s *Server) withoutOmitted(clientID string, u identityUser, requested []string) []string {
	have := s.idp.consent[consentKey(clientID, u)]
	out := requested[:0:0]
	for _, sc := range requested {
		n := normScope(sc)
		if _, ok := have[n]; !ok && s.omitted(u, n) {
			continue
		}
		out = append(out, sc)
	}
	return out
}

// grantedScopes answers a token request's scope list: the resource scopes
// (".default" expands to what was consented), spelled as requested, then
// the sign-in scopes. missing is a resource scope never consented.
func (s *Server) grantedScopes(clientID string, u identityUser, requested []string) (granted []string, missing string) {
	have := s.idp.consent[consentKey(clientID, u)]
	var oidc []string
	for _, sc := range requested {
		n := normScope(sc)
		switch {
		case oidcScopes[n]:
			oidc = append(oidc, sc)
		case n == ".default":
			if len(have) == 0 {
				granted = append(granted, defaultGrant...)
				continue
			}
			var names []string
			for _, v := range have {
				names = append(names, v)
			}
			sort.Strings(names)
			granted = append(granted, names...)
		default:
			if _, ok := have[n]; !ok {
				return nil, sc
			}
			granted = append(granted, sc)
		}
	}
	return append(granted, oidc...), ""
}
