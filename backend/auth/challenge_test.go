package auth

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"rapport/backend/graphsim"
	"rapport/backend/model"
)

// Conditional access asks for MFA: the silent refresh fails with a claims
// challenge, and an interactive sign-in carrying those claims fixes it.
func TestClaimsChallenge(t *testing.T) {
	s := startSim(t)
	a := newTestAuth(t, s, filepath.Join(t.TempDir(), "tokens.json"), s.Browse)
	res := signIn(t, a, MailScopes)
	ctx := context.Background()
	s.SetFaults(graphsim.Faults{SignIn: graphsim.SignInClaims})

	_, err := a.Token(ctx, res.HomeAccountID, true)
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeSignInRequired || ae.Claims != graphsim.ClaimsChallenge || !errors.Is(err, model.ErrSignInRequired) {
		t.Fatalf("got %#v, want signin_required with the claims challenge", err)
	}
	// Signing in again without the claims does not satisfy the policy.
	signIn(t, a, MailScopes)
	if _, err := a.Token(ctx, res.HomeAccountID, true); err == nil {
		t.Fatal("a sign-in without the claims satisfied the challenge")
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := a.SignInWithOptions(sctx, MailScopes, SignInOptions{Claims: ae.Claims, LoginHint: res.UPN}); err != nil {
		t.Fatalf("sign-in with claims: %v", err)
	}
	if _, err := a.Token(ctx, res.HomeAccountID, true); err != nil {
		t.Fatalf("refresh after answering the challenge: %v", err)
	}
	assertNoTokens(t, s, err)
}

// A tenant that leaves Files.Read.All out of the grant: MSAL refuses the
// answer as "declined scopes"; the error names them and mail keeps working.
func TestGrantMissingScope(t *testing.T) {
	s := startSim(t)
	a := newTestAuth(t, s, filepath.Join(t.TempDir(), "tokens.json"), s.Browse)
	res := signIn(t, a, MailScopes)
	s.SetFaults(graphsim.Faults{OmitScopes: []string{"Files.Read.All"}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := a.SignIn(ctx, append(slices.Clone(MailScopes), FileScopes...))
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeConsentRequired || !slices.Contains(ae.Declined, "Files.Read.All") {
		t.Fatalf("got %#v, want consent_required declining Files.Read.All", err)
	}
	if _, err := a.Token(ctx, res.HomeAccountID, true); err != nil {
		t.Errorf("mail token after the partial grant: %v", err)
	}
	// The administrator approves: the same request now works.
	s.AdminConsent(testClientID)
	got, err := a.SignIn(ctx, append(slices.Clone(MailScopes), FileScopes...))
	if err != nil || !slices.Contains(got.Scopes, "Files.Read.All") {
		t.Fatalf("after admin consent: %v %v", got.Scopes, err)
	}
	assertNoTokens(t, s, err)
}

func TestSignInAbandonedPage(t *testing.T) {
	s := startSim(t)
	s.SetFaults(graphsim.Faults{SignIn: graphsim.SignInAbandon})
	a := newTestAuth(t, s, filepath.Join(t.TempDir(), "tokens.json"), s.Browse)
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	_, err := a.SignIn(ctx, MailScopes)
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeTimeout {
		t.Fatalf("got %v, want timeout", err)
	}
	if ids, _ := a.Accounts(context.Background()); len(ids) != 0 {
		t.Errorf("accounts after an abandoned sign-in: %v", ids)
	}
}

func TestDeviceCodeExpired(t *testing.T) {
	s := startSim(t)
	s.SetFaults(graphsim.Faults{DeviceCodeExpire: true})
	a := newTestAuth(t, s, filepath.Join(t.TempDir(), "tokens.json"), noBrowser(t))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	shown := false
	_, err := a.SignInWithDeviceCode(ctx, MailScopes, func(DeviceCodePrompt) { shown = true })
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeTimeout {
		t.Fatalf("got %v, want timeout (code expired)", err)
	}
	if !shown {
		t.Error("the code was never shown")
	}
	if ids, _ := a.Accounts(ctx); len(ids) != 0 {
		t.Errorf("accounts after an expired code: %v", ids)
	}
}
