package graphsim

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"
)

// Device code flow (RFC 8628 as AAD implements it). By default the "user"
// approves at once: the first poll answers authorization_pending, the next
// one succeeds, so a client exercises its waiting path quickly. With
// Faults.DeviceCodeManual the code waits for ApproveDeviceCode or for
// someone to enter it on the simulator's /devicelogin page.

func (s *Server) deviceCodeStart(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeAADError(w, &aadFailure{status: http.StatusMethodNotAllowed, err: "invalid_request", code: 900561, desc: "The endpoint only accepts POST requests."})
		return
	}
	_ = r.ParseForm()
	clientID := r.PostForm.Get("client_id")
	if clientID == "" {
		writeAADError(w, &aadFailure{status: http.StatusBadRequest, err: "invalid_request", code: 900144, desc: "The request body must contain the following parameter: 'client_id'."})
		return
	}
	scopes := splitScopes(r.PostForm.Get("scope"))
	for _, sc := range scopes {
		if n := normScope(sc); !oidcScopes[n] && !knownGraphScopes[n] {
			writeAADError(w, &aadFailure{status: http.StatusBadRequest, err: "invalid_scope", code: 70011, desc: fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope '%s' does not exist.", sc)})
			return
		}
	}
	const alphabet = "BCDFGHJKLMNPQRSTVWXZ23456789"
	b := []byte(randomString(9))
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	userCode := string(b)
	dc := "DAQABIQEAAAB" + randomString(150)
	verify := s.URL() + "/devicelogin"
	s.mu.Lock()
	expires := time.Now().Add(15 * time.Minute)
	if s.faults.DeviceCodeExpire {
		expires = time.Now() // nobody enters it in time
	}
	s.idp.devices[dc] = &deviceCode{clientID: clientID, userCode: userCode, scopes: scopes, expires: expires}
	s.issued = append(s.issued, dc, userCode)
	manual := s.faults.DeviceCodeManual
	s.mu.Unlock()
	if !manual && !expires.Before(time.Now().Add(time.Minute)) {
		_ = s.ApproveDeviceCode(userCode)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(encodeJSON(object{
		{"user_code", userCode},
		{"device_code", dc},
		{"verification_uri", verify},
		{"expires_in", 900},
		{"interval", 5},
		{"message", fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", verify, userCode)},
	}))
}

// ApproveDeviceCode completes a device-code sign-in as the consultant (or
// the personal account, per Faults.SignIn), as if the user had entered the
// code in a browser.
func (s *Server) ApproveDeviceCode(userCode string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.idp.devices {
		if !strings.EqualFold(d.userCode, strings.TrimSpace(userCode)) || d.used {
			continue
		}
		d.user = s.tenant.me
		switch s.faults.SignIn {
		case SignInPersonal:
			d.user = s.tenant.personal
		case SignInConsentRequired:
			d.failure = consentRequired(d.clientID)
		case SignInAdminApproval:
			d.failure = &aadFailure{status: http.StatusBadRequest, err: "access_denied", code: 90094, desc: "The grant requires admin permission."}
		case SignInCancel:
			d.failure = &aadFailure{status: http.StatusBadRequest, err: "authorization_declined", code: 70000, desc: "The user denied the authorization request."}
		}
		if d.failure == nil && s.blockedScopes(d.clientID, d.user, d.scopes) != "" {
			d.failure = consentRequired(d.clientID)
		}
		if d.failure == nil {
			s.grantConsent(d.clientID, d.user, d.scopes)
		}
		d.approved = true
		return nil
	}
	return fmt.Errorf("graphsim: no pending device code %q", userCode)
}

// redeemDevice answers a device-code poll. Callers hold s.mu.
func (s *Server) redeemDevice(clientID, code string, scopes []string) (object, *aadFailure) {
	d := s.idp.devices[code]
	switch {
	case d == nil || d.used || d.clientID != clientID:
		return nil, invalidGrant(70000, "The provided value for the input parameter 'device_code' is not valid.")
	case time.Now().After(d.expires):
		return nil, &aadFailure{status: http.StatusBadRequest, err: "expired_token", code: 70020, desc: "The provided value for the input parameter 'device_code' is not valid. This device code has expired."}
	}
	d.polls++
	if !d.approved || (d.polls == 1 && !s.faults.DeviceCodeManual) {
		return nil, &aadFailure{status: http.StatusBadRequest, err: "authorization_pending", code: 70016, desc: "OAuth 2.0 device flow error. Authorization is pending. Continue polling."}
	}
	if d.failure != nil {
		return nil, d.failure
	}
	d.used = true
	if len(scopes) == 0 {
		scopes = d.scopes
	}
	return s.issueTokens(clientID, d.user, scopes, false)
}

// serveDeviceLogin is the simulator's microsoft.com/devicelogin: a form to
// enter the code, for a person trying `rapport account add --device-code`
// against `rapport sim` with manual approval.
func (s *Server) serveDeviceLogin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Method == http.MethodPost {
		_ = r.ParseForm()
		if err := s.ApproveDeviceCode(r.PostForm.Get("otc")); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte("<html><body><p>That code didn't work. Check the code and try again.</p></body></html>"))
			return
		}
		fmt.Fprintf(w, "<html><body><p>You have signed in to the application on your device as %s. You may now close this window.</p></body></html>", html.EscapeString(s.tenant.me.upn))
		return
	}
	_, _ = w.Write([]byte(`<html><head><title>Enter code</title></head><body><form method="POST" action="/devicelogin"><label>Enter code <input name="otc" /></label><input type="submit" value="Next" /></form></body></html>`))
}
