package graphsim

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The administrator's side of consent: /{tenant}/v2.0/adminconsent, which a
// tenant administrator opens to approve an app's permissions for every user
// at once. Here the "administrator" approves at once, which lifts the
// scripted consent faults for those scopes, so a test can play "blocked,
// admin approves, user tries again, works".

// adminConsent answers GET /{tenant}/v2.0/adminconsent?client_id=&scope=&redirect_uri=&state=
// the way Entra ID does after the administrator accepted: a redirect to
// redirect_uri with admin_consent=True, the tenant and the scopes.
func (s *Server) adminConsent(w http.ResponseWriter, r *http.Request, tenant string) {
	q := r.URL.Query()
	clientID, redirectURI := q.Get("client_id"), q.Get("redirect_uri")
	if clientID == "" {
		errorPage(w, 900144, "The request body must contain the following parameter: 'client_id'.")
		return
	}
	if !validRedirect(redirectURI) {
		errorPage(w, 50011, fmt.Sprintf("The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'.", redirectURI, clientID))
		return
	}
	scopes := splitScopes(q.Get("scope"))
	if len(scopes) == 0 {
		scopes = []string{".default"}
	}
	for _, sc := range scopes {
		if n := normScope(sc); !oidcScopes[n] && !knownGraphScopes[n] {
			errorPage(w, 70011, fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope '%s' does not exist.", sc))
			return
		}
	}
	if strings.EqualFold(tenant, "consumers") || strings.EqualFold(tenant, personalTenantID) {
		errorPage(w, 90099, "The application has not been authorized in the tenant. Personal accounts have no administrator.")
		return
	}
	s.AdminConsent(clientID, scopes...)
	u, err := url.Parse(redirectURI)
	if err != nil {
		errorPage(w, 50011, "The redirect URI is not valid.")
		return
	}
	v := u.Query()
	v.Set("admin_consent", "True")
	v.Set("tenant", s.tenant.me.tid)
	v.Set("scope", strings.Join(scopes, " "))
	if st := q.Get("state"); st != "" {
		v.Set("state", st)
	}
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// AdminConsent grants scopes (".default" or none: the app's configured
// permissions, User.Read Mail.ReadBasic Calendars.ReadBasic Files.Read.All
// Sites.Read.All) to the app for the whole demo tenant, as its
// administrator would, and lifts the consent faults that an administrator's
// approval fixes: signin=consent_required|admin_approval, and block= / omit=
// for those scopes.
func (s *Server) AdminConsent(clientID string, scopes ...string) {
	var names []string
	for _, sc := range scopes {
		n := normScope(sc)
		if oidcScopes[n] {
			continue
		}
		if n == ".default" {
			names = append(names, adminDefaultGrant...)
			continue
		}
		names = append(names, sc)
	}
	if len(names) == 0 {
		names = append(names, adminDefaultGrant...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := consentKey(clientID, s.tenant.me)
	if s.idp.consent[k] == nil {
		s.idp.consent[k] = map[string]string{}
	}
	approved := map[string]bool{}
	for _, sc := range names {
		n := normScope(sc)
		approved[n] = true
		if _, ok := s.idp.consent[k][n]; !ok {
			s.idp.consent[k][n] = sc
		}
	}
	if s.faults.SignIn == SignInConsentRequired || s.faults.SignIn == SignInAdminApproval {
		s.faults.SignIn = SignInOK
	}
	lift := func(list []string) []string {
		return slices.DeleteFunc(slices.Clone(list), func(sc string) bool { return approved[normScope(sc)] })
	}
	s.faults.BlockUserConsent = lift(s.faults.BlockUserConsent)
	s.faults.OmitScopes = lift(s.faults.OmitScopes)
}

// adminDefaultGrant is the app registration's configured permissions, which
// ".default" stands for in an admin consent.
var adminDefaultGrant = []string{"User.Read", "Mail.ReadBasic", "Calendars.ReadBasic", "Files.Read.All", "Sites.Read.All"}

// abandonedPage is a sign-in page nobody finishes: no form posts back. A
// scripted browser (Browse, CompleteSignIn) sees the marker and stops, as
// a user closing the tab would.
func abandonedPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	_, _ = w.Write([]byte(`<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><div id="abandoned">Pick an account</div></body></html>`))
}
