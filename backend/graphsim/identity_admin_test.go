package graphsim

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseIdentityFaults(t *testing.T) {
	f, err := ParseFaults("signin=claims,omit=Files.Read.All,signindelay=2s,devicecode=expire,block=Sites.Read.All")
	if err != nil {
		t.Fatal(err)
	}
	if f.SignIn != SignInClaims || len(f.OmitScopes) != 1 || f.SignInDelay != 2*time.Second || !f.DeviceCodeExpire || len(f.BlockUserConsent) != 1 {
		t.Fatalf("%+v", f)
	}
	if f, err := ParseFaults("signin=abandon"); err != nil || f.SignIn != SignInAbandon {
		t.Fatalf("abandon: %+v %v", f, err)
	}
	if f, err := ParseFaults("signin=ok"); err != nil || f.SignIn != SignInOK {
		t.Fatalf("ok: %+v %v", f, err)
	}
	for _, bad := range []string{"signin=nope", "devicecode=sometimes", "signindelay=soon"} {
		if _, err := ParseFaults(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestAdminConsentEndpoint(t *testing.T) {
	s := startSim(t, Options{Faults: Faults{SignIn: SignInAdminApproval, BlockUserConsent: []string{"Files.Read.All"}}})
	q := url.Values{"client_id": {"app"}, "redirect_uri": {"http://localhost"},
		"scope": {"https://graph.microsoft.com/User.Read https://graph.microsoft.com/Files.Read.All"}}
	u := s.URL() + "/organizations/v2.0/adminconsent?" + q.Encode()
	if err := CompleteSignIn(context.Background(), s.HTTPClient(), u); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	f := s.faults
	_, granted := s.idp.consent[consentKey("app", s.tenant.me)]["files.read.all"]
	s.mu.Unlock()
	if f.SignIn != SignInOK || len(f.BlockUserConsent) != 0 || !granted {
		t.Fatalf("after admin consent: faults %+v, granted %v", f, granted)
	}
	// A bad redirect is refused with AAD's error page.
	q.Set("redirect_uri", "https://evil.example/")
	if err := CompleteSignIn(context.Background(), s.HTTPClient(), s.URL()+"/organizations/v2.0/adminconsent?"+q.Encode()); err == nil ||
		!strings.Contains(err.Error(), "AADSTS50011") {
		t.Fatalf("bad redirect: %v", err)
	}
}

func TestControlEndpoint(t *testing.T) {
	post := func(s *Server, path, body string) int {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+path, strings.NewReader(body))
		resp, err := s.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	off := startSim(t, Options{})
	if code := post(off, "/_sim/faults", "signin=personal"); code != http.StatusNotFound {
		t.Fatalf("without a control token: %d, want 404", code)
	}
	s := startSim(t, Options{ControlToken: "secret-token"})
	if code := post(s, "/_sim/faults?token=wrong", "signin=personal"); code != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", code)
	}
	if code := post(s, "/_sim/faults?token=secret-token", "signin=bogus"); code != http.StatusBadRequest {
		t.Fatalf("bad spec: %d", code)
	}
	if code := post(s, "/_sim/faults?token=secret-token", "signin=admin_approval,omit=Files.Read.All"); code != http.StatusNoContent {
		t.Fatalf("good spec: %d", code)
	}
	s.mu.Lock()
	got := s.faults
	s.mu.Unlock()
	if got.SignIn != SignInAdminApproval || len(got.OmitScopes) != 1 {
		t.Fatalf("faults %+v", got)
	}
	if code := post(s, "/_sim/faults?token=secret-token", ""); code != http.StatusNoContent {
		t.Fatalf("reset: %d", code)
	}
	s.mu.Lock()
	got = s.faults
	s.mu.Unlock()
	if got.SignIn != "" || len(got.OmitScopes) != 0 {
		t.Fatalf("after reset %+v", got)
	}
}
