package auth

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"rapport/backend/graphsim"
	"rapport/backend/model"
)

// Sign-in outcomes the simulator scripts, end to end through MSAL.

func TestSignInScriptedFailures(t *testing.T) {
	cases := []struct {
		fault    string
		code     string
		aadsts   int
		sentinel error
	}{
		{graphsim.SignInConsentRequired, CodeConsentRequired, 65001, model.ErrConsentRequired},
		{graphsim.SignInAdminApproval, CodeConsentRequired, 90094, model.ErrConsentRequired},
		{graphsim.SignInCancel, CodeDeclined, 65004, nil},
	}
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) {
			s := startSim(t)
			s.SetFaults(graphsim.Faults{SignIn: c.fault})
			a := newTestAuth(t, s, filepath.Join(t.TempDir(), "tokens.json"), s.Browse)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := a.SignIn(ctx, MailScopes)
			var ae *Error
			if !errors.As(err, &ae) || ae.Code != c.code || ae.AADSTS != c.aadsts {
				t.Fatalf("got %#v, want code %s AADSTS%d", err, c.code, c.aadsts)
			}
			if c.sentinel != nil && !errors.Is(err, c.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, c.sentinel)
			}
			if ids, _ := a.Accounts(ctx); len(ids) != 0 {
				t.Errorf("a failed sign-in left accounts %v", ids)
			}
			// The simulator issued nothing here, so check against a real
			// sign-in's tokens afterwards: the failure text is fixed.
			s.SetFaults(graphsim.Faults{})
			signIn(t, a, MailScopes)
			assertNoTokens(t, s, err)
		})
	}
}

func TestSignInPersonalAccount(t *testing.T) {
	s := startSim(t)
	s.SetFaults(graphsim.Faults{SignIn: graphsim.SignInPersonal})
	cachePath := filepath.Join(t.TempDir(), "tokens.json")
	a := newTestAuth(t, s, cachePath, s.Browse)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	_, err := a.SignIn(ctx, MailScopes)
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodePersonalAccount {
		t.Fatalf("got %v, want a personal_account error", err)
	}
	if !strings.Contains(err.Error(), "personal Microsoft accounts are not supported") {
		t.Errorf("message %q", err)
	}
	// The refused account is gone, for this process and the next.
	if ids, _ := a.Accounts(ctx); len(ids) != 0 {
		t.Errorf("Accounts = %v", ids)
	}
	if ids, _ := newTestAuth(t, s, cachePath, noBrowser(t)).Accounts(ctx); len(ids) != 0 {
		t.Errorf("the cache file still lists %v", ids)
	}
	assertNoTokens(t, s, err)

	allowed, err := New(Config{ClientID: testClientID, Authority: s.AuthorityURL(), HTTPClient: s.HTTPClient(),
		OpenURL: s.Browse, AllowPersonalAccounts: true})
	if err != nil {
		t.Fatal(err)
	}
	res := signIn(t, allowed, MailScopes)
	if res.TenantID != PersonalTenantID {
		t.Errorf("TenantID %q, want the personal tenant", res.TenantID)
	}
	if _, err := allowed.Token(ctx, res.HomeAccountID, true); err != nil {
		t.Errorf("Token for an allowed personal account: %v", err)
	}
}

func TestIncrementalConsent(t *testing.T) {
	s := startSim(t)
	a := newTestAuth(t, s, filepath.Join(t.TempDir(), "tokens.json"), s.Browse)
	ctx := context.Background()
	first := signIn(t, a, MailScopes)
	if slices.Contains(first.Scopes, "Files.Read.All") {
		t.Fatalf("files granted before being asked for: %v", first.Scopes)
	}
	all := append(slices.Clone(MailScopes), FileScopes...)
	second := signIn(t, a, all)
	if second.HomeAccountID != first.HomeAccountID {
		t.Fatalf("the second sign-in is another account: %s", second.HomeAccountID)
	}
	for _, want := range all {
		if !slices.Contains(second.Scopes, want) {
			t.Errorf("scopes %v lack %s", second.Scopes, want)
		}
	}
	// Silent refreshes keep asking for everything that was granted.
	if _, err := a.Token(ctx, first.HomeAccountID, true); err != nil {
		t.Fatal(err)
	}
	if got := a.scopesFor(first.HomeAccountID); !slices.Contains(got, "Sites.Read.All") {
		t.Errorf("a refresh dropped the file scopes: %v", got)
	}
}

func TestIncrementalConsentBlocked(t *testing.T) {
	s := startSim(t)
	// Microsoft's 2025 default consent policy, as the simulator plays it.
	s.SetFaults(graphsim.Faults{BlockUserConsent: FileScopes})
	a := newTestAuth(t, s, filepath.Join(t.TempDir(), "tokens.json"), s.Browse)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res := signIn(t, a, MailScopes)

	_, err := a.SignIn(ctx, append(slices.Clone(MailScopes), FileScopes...))
	if !errors.Is(err, model.ErrConsentRequired) {
		t.Fatalf("got %v, want ErrConsentRequired", err)
	}
	var ae *Error
	if errors.As(err, &ae) && ae.AADSTS != 65001 {
		t.Errorf("AADSTS%d, want 65001", ae.AADSTS)
	}
	// Mail keeps working with what was granted.
	if _, err := a.Token(ctx, res.HomeAccountID, true); err != nil {
		t.Errorf("Token after a refused incremental consent: %v", err)
	}
	// Asking silently for a scope never granted fails the same way.
	_, err = a.TokenForScopes(ctx, res.HomeAccountID, FileScopes, false)
	if !errors.Is(err, model.ErrConsentRequired) {
		t.Errorf("silent request for ungranted scopes: %v, want ErrConsentRequired", err)
	}
	assertNoTokens(t, s, err)
}

func TestRefreshTokenExpired(t *testing.T) {
	s := startSim(t)
	a := newTestAuth(t, s, filepath.Join(t.TempDir(), "tokens.json"), s.Browse)
	res := signIn(t, a, MailScopes)
	ctx := context.Background()
	s.ExpireRefreshTokens()

	_, err := a.Token(ctx, res.HomeAccountID, true)
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeSignInRequired || ae.AADSTS != 700082 || !errors.Is(err, model.ErrSignInRequired) {
		t.Fatalf("got %#v, want signin_required AADSTS700082", err)
	}
	assertNoTokens(t, s, err)
	// Signing in again recovers.
	signIn(t, a, MailScopes)
	if _, err := a.Token(ctx, res.HomeAccountID, true); err != nil {
		t.Errorf("Token after signing in again: %v", err)
	}
}

func TestShortLivedAccessTokens(t *testing.T) {
	// MSAL does not cache an access token that expires within 5 minutes, so
	// every call refreshes: Token must still work, with a new token each time.
	s := startSim(t)
	s.SetFaults(graphsim.Faults{AccessTokenLifetime: 2 * time.Minute})
	a := newTestAuth(t, s, filepath.Join(t.TempDir(), "tokens.json"), s.Browse)
	res := signIn(t, a, MailScopes)
	ctx := context.Background()
	t1, err := a.Token(ctx, res.HomeAccountID, false)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := a.Token(ctx, res.HomeAccountID, false)
	if err != nil {
		t.Fatal(err)
	}
	if t1 == t2 {
		t.Error("a token expiring within 5 minutes was served from the cache")
	}
}

func TestSignInWithDeviceCode(t *testing.T) {
	s := startSim(t)
	a := newTestAuth(t, s, filepath.Join(t.TempDir(), "tokens.json"), noBrowser(t))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var prompt DeviceCodePrompt
	res, err := a.SignInWithDeviceCode(ctx, MailScopes, func(p DeviceCodePrompt) { prompt = p })
	if err != nil {
		t.Fatalf("device code sign-in: %v", err)
	}
	if prompt.UserCode == "" || prompt.VerificationURL == "" || !strings.Contains(prompt.Message, prompt.UserCode) {
		t.Errorf("prompt %+v", prompt)
	}
	if res.UPN != s.User().UPN {
		t.Errorf("UPN %q", res.UPN)
	}
	if _, err := a.Token(ctx, res.HomeAccountID, false); err != nil {
		t.Errorf("Token after device code sign-in: %v", err)
	}

	// Nobody enters the code: the caller's deadline ends the wait.
	s.SetFaults(graphsim.Faults{DeviceCodeManual: true})
	sctx, scancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer scancel()
	_, err = a.SignInWithDeviceCode(sctx, MailScopes, nil)
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeTimeout {
		t.Errorf("abandoned device code: %v, want timeout", err)
	}
	assertNoTokens(t, s, err)
}
